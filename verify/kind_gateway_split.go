package verify

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/labctl/labctl/i18n"
)

// routeSplit proves an HTTPRoute splits traffic between Services by weight
// (backendRefs[].weight), something an Ingress cannot express: it sends
// Requests requests (each on a new connection) and counts which Service's
// pods answered.
//
// The statistics: if the route sends each request to backend i with
// probability p_i = w_i / Σw, the count of backend i over n requests is
// binomial, mean n·p_i and standard deviation σ_i = √(n·p_i·(1−p_i)). The
// check passes when every count is within 4σ_i (+0.5 for rounding) of its
// mean: a correct split fails with probability below 1e-4 per backend
// (Traefik's weighted round robin is much closer than random, which only
// makes a correct answer safer), while with the default n = 100 an 80/20
// route implemented as 50/50 misses by 30 requests, 7.5σ. Requests that get
// no answer at all (a busy computer) are left out of the count unless they
// are more than a tenth.
type routeSplit struct {
	Route     string `yaml:"route"`
	Namespace string `yaml:"namespace"`
	Host      string `yaml:"host"`
	Path      string `yaml:"path"`
	Requests  int    `yaml:"requests"`
	Backends  []struct {
		Service string `yaml:"service"`
		Weight  int    `yaml:"weight"`
	} `yaml:"backends"`
}

// splitSigmas is the tolerance of routeSplit, in standard deviations.
const splitSigmas = 4

func init() {
	register("routeSplit", func(p routeSplit) (Checker, error) {
		if p.Route == "" || p.Host == "" || len(p.Backends) < 2 {
			return nil, errors.New("params.route, params.host and two or more params.backends are required")
		}
		if p.Path == "" {
			p.Path = "/"
		}
		if p.Requests == 0 {
			p.Requests = 100
		}
		if p.Requests < 20 || p.Requests > 2000 {
			return nil, fmt.Errorf("params.requests %d: want 20-2000", p.Requests)
		}
		for i, b := range p.Backends {
			if b.Service == "" || b.Weight <= 0 {
				return nil, fmt.Errorf("params.backends[%d] needs a service and a positive weight", i)
			}
		}
		return p, nil
	})
}

func (p routeSplit) Check(ctx context.Context, env *Env) Outcome {
	if o := needTraefik(ctx, env); o != nil {
		return *o
	}
	ns := env.ns(p.Namespace)
	route, miss := getObject(ctx, env, httpRouteGVR, "HTTPRoute", ns, p.Route)
	if miss != nil {
		return *miss
	}
	if !routeNamesHost(route, p.Host) {
		return Missing(msgRouteNoHost, p.Route, p.Host, env.list(routeHostnames(route)))
	}
	owner := map[string]string{} // pod name -> Service
	total := 0
	for _, b := range p.Backends {
		svc, miss := service(ctx, env, ns, b.Service)
		if miss != nil {
			return *miss
		}
		eps, err := readyEndpoints(ctx, env, svc)
		if err != nil {
			return Errored(err)
		}
		if len(eps) == 0 {
			return Failed(msgEndpointsNone, b.Service)
		}
		for pod := range podNames(eps) {
			owner[pod] = b.Service
		}
		total += b.Weight
	}
	base, _, err := env.Net.IngressURLs(ctx)
	if err != nil {
		return Errored(err)
	}
	rs, err := splitRequests(ctx, env, HTTPRequest{URL: base + p.Path, Host: p.Host}, p.Requests)
	if err != nil {
		return Errored(err)
	}
	if ctx.Err() != nil { // the deadline cut the burst short: nothing was observed
		return Errored(ctx.Err())
	}
	counts := map[string]int{}
	stray := map[string]int{}
	silent := 0
	for _, r := range rs {
		if r.Status == 0 {
			silent++ // no answer says nothing about the split
			continue
		}
		if svc, ok := owner[strings.TrimSpace(r.Body)]; ok && r.Status == 200 {
			counts[svc]++
			continue
		}
		stray[env.describe(r)]++
	}
	if silent > len(rs)/10 {
		stray[env.t(evNoAnswer, "timeout")] += silent
	}
	rs = rs[:len(rs)-silent]
	n := len(rs)
	var ev []string
	ok := true
	for _, b := range p.Backends {
		want := float64(b.Weight) / float64(total)
		mean := float64(n) * want
		tol := splitSigmas*math.Sqrt(mean*(1-want)) + 0.5
		got := counts[b.Service]
		ev = append(ev, env.t(evSplit, b.Service, got, n, 100*float64(got)/float64(n), 100*want, 100*tol/float64(n)))
		if math.Abs(float64(got)-mean) > tol {
			ok = false
		}
	}
	if len(stray) > 0 {
		var s []string
		for k, v := range stray {
			s = append(s, fmt.Sprintf("%d× %s", v, k))
		}
		sort.Strings(s)
		return Failed(msgSplitStray, sum(stray), n, p.Host).With(ev...).With(s...)
	}
	if !ok {
		return Failed(msgSplitOff, p.Route, n).With(ev...)
	}
	return Passed(msgSplitOK, p.Route, n, splitSigmas).With(ev...)
}

// splitWorkers send a split's requests side by side: a busy computer
// answers a few hundred milliseconds late, and one after the other they
// would not fit a check's deadline. The route chooses a backend per request
// however they arrive.
const splitWorkers = 4

func splitRequests(ctx context.Context, env *Env, req HTTPRequest, n int) ([]HTTPResponse, error) {
	type part struct {
		rs  []HTTPResponse
		err error
	}
	parts := make(chan part, splitWorkers)
	for w := 0; w < splitWorkers; w++ {
		count := n / splitWorkers
		if w < n%splitWorkers {
			count++
		}
		go func() {
			rs, err := env.Net.HTTP(ctx, FromHost, "", req, count)
			parts <- part{rs, err}
		}()
	}
	var out []HTTPResponse
	var firstErr error
	for w := 0; w < splitWorkers; w++ {
		p := <-parts
		out = append(out, p.rs...)
		if p.err != nil && firstErr == nil {
			firstErr = p.err
		}
	}
	return out, firstErr
}

func sum(m map[string]int) int {
	t := 0
	for _, v := range m {
		t += v
	}
	return t
}

var (
	evSplit       = i18n.M("evidence.split", "%s: %d/%d (%.1f %%), want %.0f %% ± %.1f", "%s: %d/%d (%.1f %%), 목표 %.0f %% ± %.1f")
	msgSplitStray = i18n.M("check.split.stray", "%[1]d of %[2]d requests for %[3]s did not reach a pod of the route's Services",
		"%[3]s 로 보낸 요청 %[2]d 개 중 %[1]d 개가 라우트의 Service 파드에 닿지 않았습니다")
	msgSplitOff = i18n.M("check.split.off",
		"HTTPRoute %s does not split %d requests by the weights the step asks for: set backendRefs[].weight (without weights every backend gets the same share)",
		"HTTPRoute %s 가 요청 %d 개를 단계가 요구하는 가중치대로 나누지 않습니다: backendRefs[].weight 를 적으세요 (가중치가 없으면 모든 백엔드가 같은 몫을 받습니다)")
	msgSplitOK = i18n.M("check.split.ok", "HTTPRoute %s splits %d requests by weight (within %d standard deviations)",
		"HTTPRoute %s 가 요청 %d 개를 가중치대로 나눕니다 (표준편차 %d 배 이내)")
)
