package verify

import (
	"context"
	"fmt"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// httpCase is one request of a routing check (Ingress or HTTPRoute) and
// what it should reach.
type httpCase struct {
	Host string `yaml:"host"`
	Path string `yaml:"path"`
	// Expect: backend (default), notFound, backendMissing.
	Expect  string `yaml:"expect"`
	Service string `yaml:"service"`
}

// validateCases fills the defaults of cases and rejects incomplete ones.
func validateCases(cases []httpCase) error {
	for i := range cases {
		c := &cases[i]
		if c.Host == "" {
			return fmt.Errorf("params.cases[%d].host is required", i)
		}
		if c.Path == "" {
			c.Path = "/"
		}
		if c.Expect == "" {
			c.Expect = "backend"
		}
		switch c.Expect {
		case "backend", "backendMissing":
			if c.Service == "" {
				return fmt.Errorf("params.cases[%d].service is required for expect %s", i, c.Expect)
			}
		case "notFound":
		default:
			return fmt.Errorf("params.cases[%d].expect %q: want backend, notFound or backendMissing", i, c.Expect)
		}
	}
	return nil
}

// judgeCase sends one request from this computer to base (the controller's
// published port) and judges the answer; nil means it is right. noRule says
// how the routing object fails when it names no rule for a host (nil when it
// does); missingStatus is what the controller answers for a rule whose
// Service does not exist. The evidence line is appended to ev.
func judgeCase(ctx context.Context, env *Env, ns, base string, c httpCase, noRule func(host string) *Outcome, missingStatus int, controller string, ev *[]string) *Outcome {
	fail := func(o Outcome) *Outcome { return &o }
	rs, err := env.Net.HTTP(ctx, FromHost, "", HTTPRequest{URL: base + c.Path, Host: c.Host}, 1)
	if err != nil {
		return fail(Errored(err))
	}
	r := rs[0]
	*ev = append(*ev, fmt.Sprintf("Host %s %s -> %s", c.Host, c.Path, env.describe(r)))
	switch c.Expect {
	case "backend":
		if o := noRule(c.Host); o != nil {
			return fail(o.With(*ev...))
		}
		svc, miss := service(ctx, env, ns, c.Service)
		if miss != nil {
			return miss
		}
		eps, err := readyEndpoints(ctx, env, svc)
		if err != nil {
			return fail(Errored(err))
		}
		pods := podNames(eps)
		if r.Status != 200 || !pods[strings.TrimSpace(r.Body)] {
			return fail(Failed(msgRouteWrong, c.Host, c.Path, c.Service).With(*ev...).With(env.t(evPodsOf, c.Service, env.list(keys(pods)))))
		}
	case "notFound":
		if r.Status != 404 {
			return fail(Failed(msgRouteNot404, c.Host, r.Status).With(*ev...))
		}
	case "backendMissing":
		if o := noRule(c.Host); o != nil {
			return fail(o.With(*ev...))
		}
		if _, err := env.Client.CoreV1().Services(ns).Get(ctx, c.Service, metav1.GetOptions{}); err == nil {
			return fail(Missing(msgServiceExistsAfterAll, c.Service))
		}
		if r.Status != missingStatus {
			return fail(Failed(msgRouteMissingStatus, c.Host, r.Status, missingStatus, controller).With(*ev...))
		}
	}
	return nil
}
