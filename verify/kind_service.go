package verify

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// serviceEndpoints proves a Service has backends: at least minReady ready
// endpoints, or exactly the addresses given (a selector-less Service with
// manual Endpoints).
type serviceEndpoints struct {
	Service      string   `yaml:"service"`
	Namespace    string   `yaml:"namespace"`
	MinReady     int      `yaml:"minReady"`
	Addresses    []string `yaml:"addresses"`
	Selectorless bool     `yaml:"selectorless"`
}

func init() {
	register("serviceEndpoints", func(p serviceEndpoints) (Checker, error) {
		if p.Service == "" {
			return nil, errors.New("params.service is required")
		}
		if p.MinReady == 0 {
			p.MinReady = 1
		}
		// Compared with the observed endpoints, which are in address order
		// and canonical form.
		for i, a := range p.Addresses {
			ip := parseIP(a)
			if !ip.IsValid() {
				return nil, fmt.Errorf("params.addresses[%d] %q is not an IP address", i, a)
			}
			p.Addresses[i] = ip.String()
		}
		sort.Slice(p.Addresses, func(i, j int) bool { return ipLess(p.Addresses[i], p.Addresses[j]) })
		return p, nil
	})
}

func (p serviceEndpoints) Check(ctx context.Context, env *Env) Outcome {
	svc, miss := service(ctx, env, env.ns(p.Namespace), p.Service)
	if miss != nil {
		return *miss
	}
	if p.Selectorless && len(svc.Spec.Selector) > 0 {
		return Missing(msgSvcHasSelector, svc.Name).With(selectorDiagnosis(ctx, env, svc)...)
	}
	eps, err := readyEndpoints(ctx, env, svc)
	if err != nil {
		return Errored(err)
	}
	got := ips(eps)
	if len(p.Addresses) > 0 {
		if strings.Join(got, ",") == strings.Join(p.Addresses, ",") {
			return Passed(msgEndpointsExact, svc.Name, strings.Join(got, ", "))
		}
		if d := addressesElsewhere(ctx, env, svc, p.Addresses); d != nil {
			return d.outcome().With(env.t(evEndpoints, env.list(got)))
		}
		return Failed(msgEndpointsWrong, svc.Name, strings.Join(p.Addresses, ", ")).
			With(env.t(evEndpoints, env.list(got)))
	}
	if len(eps) >= p.MinReady {
		return Passed(msgEndpointsReady, svc.Name, len(eps)).With(env.t(evEndpoints, env.list(got)))
	}
	if d := podProblem(ctx, env, svc.Name, notReadyPods(selected(ctx, env, svc))); d != nil {
		return d.outcome().With(env.t(evEndpoints, env.list(got))).With(selectorDiagnosis(ctx, env, svc)...)
	}
	if len(eps) == 0 {
		return Failed(msgEndpointsNone, svc.Name).With(selectorDiagnosis(ctx, env, svc)...)
	}
	return Failed(msgEndpointsFew, svc.Name, len(eps), p.MinReady).With(env.t(evEndpoints, env.list(got)))
}

// serviceReachable proves a Service's ClusterIP answers HTTP from a node
// and, with expect: unreachable, that the same address does not answer from
// this computer (a ClusterIP lives only inside the cluster).
type serviceReachable struct {
	Service      string `yaml:"service"`
	Namespace    string `yaml:"namespace"`
	Port         string `yaml:"port"`
	Path         string `yaml:"path"`
	From         string `yaml:"from"`
	Expect       string `yaml:"expect"`
	BodyContains string `yaml:"bodyContains"`
}

func init() {
	register("serviceReachable", func(p serviceReachable) (Checker, error) {
		if p.Service == "" {
			return nil, errors.New("params.service is required")
		}
		if p.From == "" {
			p.From = string(FromNode)
		}
		if p.From != string(FromNode) && p.From != string(FromHost) {
			return nil, fmt.Errorf("params.from %q: want node or host", p.From)
		}
		if p.Expect == "" {
			p.Expect = "reachable"
		}
		if p.Expect != "reachable" && p.Expect != "unreachable" {
			return nil, fmt.Errorf("params.expect %q: want reachable or unreachable", p.Expect)
		}
		if p.Expect == "unreachable" && p.From != string(FromHost) {
			return nil, errors.New("params.expect unreachable is only meaningful from host")
		}
		return p, nil
	})
}

func (p serviceReachable) Check(ctx context.Context, env *Env) Outcome {
	svc, sp, miss := clusterIPPort(ctx, env, env.ns(p.Namespace), p.Service, p.Port)
	if miss != nil {
		return *miss
	}
	url := "http://" + hostPort(svc.Spec.ClusterIP, sp.Port) + p.Path
	fromNode, err := env.Net.HTTP(ctx, FromNode, "", HTTPRequest{URL: url}, 1)
	if err != nil {
		return Errored(err)
	}
	r := fromNode[0]
	// bodyContains is how the lesson's pods answer (http-go-...); pods of a
	// Deployment the student named otherwise are the Service's pods all the
	// same, and answer with their own names.
	wrongBody := p.BodyContains != "" && !strings.Contains(r.Body, p.BodyContains)
	if wrongBody && r.Status != 0 {
		if eps, err := readyEndpoints(ctx, env, svc); err == nil && podNames(eps)[strings.TrimSpace(r.Body)] {
			wrongBody = false
		}
	}
	if r.Status != 0 && wrongBody {
		if pods := selected(ctx, env, svc); len(pods) > 0 {
			return Failed(msgDiagOtherPods, svc.Name, labels.SelectorFromSet(svc.Spec.Selector).String(), strings.Join(owners(pods), ", ")).
				With(env.describe(r))
		}
	}
	if r.Status == 0 || wrongBody {
		if d := diagnoseService(ctx, env, svc, sp, FromNode); d != nil {
			return d.outcome().With(env.describe(r)).With(endpointsEvidence(ctx, env, svc)...)
		}
		return Failed(msgNoAnswerFromNode, url).With(env.describe(r)).With(endpointsEvidence(ctx, env, svc)...)
	}
	if p.Expect == "reachable" {
		return Passed(msgAnswerFromNode, url, firstLine(r.Body))
	}
	fromHost, err := env.Net.HTTP(ctx, FromHost, "", HTTPRequest{URL: url}, 1)
	if err != nil {
		return Errored(err)
	}
	// Reaching the ClusterIP means reaching the Service's pods: something
	// else answering (a proxy on the student's network intercepting port 80)
	// is not the Service.
	h := fromHost[0]
	eps, _ := readyEndpoints(ctx, env, svc)
	if h.Status != 0 && (len(eps) == 0 || podNames(eps)[strings.TrimSpace(h.Body)] || h.Body == r.Body) {
		return Failed(msgHostReachedClusterIP, url).With(env.describe(h))
	}
	seen := h.Err
	if h.Status != 0 {
		seen = env.t(evNotThePods, env.describe(h))
	}
	return Passed(msgClusterIPInsideOnly, url, firstLine(r.Body)).With(env.t(evFromHost, seen))
}

func endpointsEvidence(ctx context.Context, env *Env, svc *corev1.Service) []string {
	eps, err := readyEndpoints(ctx, env, svc)
	if err != nil {
		return nil
	}
	ev := []string{env.t(evPorts, describePorts(svc)), env.t(evReadyEps, env.list(ips(eps)))}
	if len(eps) == 0 {
		ev = append(ev, selectorDiagnosis(ctx, env, svc)...)
	}
	return ev
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 120 {
		s = s[:120] + "…"
	}
	return s
}

// sessionAffinity proves, by sending many requests from one client, that a
// Service sticks to one pod (expect: sticky) or spreads over several
// (expect: spread).
type sessionAffinity struct {
	Service   string `yaml:"service"`
	Namespace string `yaml:"namespace"`
	Port      string `yaml:"port"`
	Requests  int    `yaml:"requests"`
	Expect    string `yaml:"expect"`
}

func init() {
	register("sessionAffinity", func(p sessionAffinity) (Checker, error) {
		if p.Service == "" {
			return nil, errors.New("params.service is required")
		}
		if p.Requests == 0 {
			p.Requests = 20
		}
		if p.Requests < 5 {
			return nil, errors.New("params.requests: at least 5, or the result proves nothing")
		}
		if p.Expect != "sticky" && p.Expect != "spread" {
			return nil, fmt.Errorf("params.expect %q: want sticky or spread", p.Expect)
		}
		return p, nil
	})
}

func (p sessionAffinity) Check(ctx context.Context, env *Env) Outcome {
	svc, sp, miss := clusterIPPort(ctx, env, env.ns(p.Namespace), p.Service, p.Port)
	if miss != nil {
		return *miss
	}
	eps, err := readyEndpoints(ctx, env, svc)
	if err != nil {
		return Errored(err)
	}
	if len(eps) < 2 {
		if d := podProblem(ctx, env, svc.Name, notReadyPods(selected(ctx, env, svc))); d != nil {
			return d.outcome()
		}
		return Failed(msgAffinityNeedsPods, svc.Name, len(eps))
	}
	url := "http://" + hostPort(svc.Spec.ClusterIP, sp.Port) + "/"
	rs, err := env.Net.HTTP(ctx, FromNode, "", HTTPRequest{URL: url}, p.Requests)
	if err != nil {
		return Errored(err)
	}
	counts, failed := map[string]int{}, 0
	for _, r := range rs {
		// only an answer that names its pod says where the request went:
		// twenty empty answers are not twenty answers from one pod
		name := firstLine(r.Body)
		if r.Status < 200 || r.Status > 299 || name == "" {
			failed++
			continue
		}
		counts[name]++
	}
	ev := []string{"sessionAffinity: " + string(svc.Spec.SessionAffinity), env.t(evAnswers, countsString(counts))}
	if failed > 0 {
		if d := diagnoseService(ctx, env, svc, sp, FromNode); d != nil {
			return d.outcome().With(ev...)
		}
		return Failed(msgAffinityErrors, failed, len(rs)).With(ev...)
	}
	switch {
	case p.Expect == "sticky" && len(counts) == 1:
		return Passed(msgAffinitySticky, len(rs), svc.Name).With(ev...)
	case p.Expect == "sticky":
		if other := affinityElsewhere(ctx, env, svc); other != "" {
			return Failed(msgDiagAffinityElse, other, svc.Name).With(ev...)
		}
		return Failed(msgAffinityNotSticky, len(rs), len(counts)).With(ev...)
	case len(counts) >= 2:
		return Passed(msgAffinitySpread, len(rs), len(counts)).With(ev...)
	}
	if svc.Spec.SessionAffinity == corev1.ServiceAffinityClientIP {
		return Failed(msgDiagAffinityOn, svc.Name, string(svc.Spec.SessionAffinity)).With(ev...)
	}
	return Failed(msgAffinityNotSpread, len(rs), svc.Name).With(ev...)
}

func countsString(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []string
	for _, k := range keys {
		out = append(out, fmt.Sprintf("%s×%d", k, m[k]))
	}
	return strings.Join(out, ", ")
}

// servicePorts proves each named port of a multi-port Service answers
// (TLS ports with a TLS handshake).
type servicePorts struct {
	Service   string `yaml:"service"`
	Namespace string `yaml:"namespace"`
	Ports     []struct {
		Name       string `yaml:"name"`
		Port       int32  `yaml:"port"`
		TargetPort string `yaml:"targetPort"`
		TLS        bool   `yaml:"tls"`
	} `yaml:"ports"`
}

func init() {
	register("servicePorts", func(p servicePorts) (Checker, error) {
		if p.Service == "" || len(p.Ports) == 0 {
			return nil, errors.New("params.service and params.ports are required")
		}
		for _, sp := range p.Ports {
			if sp.Name == "" || sp.Port == 0 {
				return nil, errors.New("every params.ports entry needs name and port")
			}
		}
		return p, nil
	})
}

func (p servicePorts) Check(ctx context.Context, env *Env) Outcome {
	svc, miss := service(ctx, env, env.ns(p.Namespace), p.Service)
	if miss != nil {
		return *miss
	}
	if svc.Spec.ClusterIP == "" || svc.Spec.ClusterIP == corev1.ClusterIPNone {
		return Missing(msgSvcNoClusterIP, svc.Name)
	}
	var answered []string
	var urls []string
	for _, want := range p.Ports {
		sp, miss := servicePort(svc, want.Name)
		if miss != nil {
			return *miss
		}
		if sp.Port != want.Port {
			return Missing(msgPortNumber, svc.Name, want.Name, sp.Port, want.Port)
		}
		if want.TargetPort != "" && sp.TargetPort.String() != want.TargetPort && !samePort(ctx, env, svc, sp.TargetPort, want.TargetPort) {
			return Missing(msgTargetPort, svc.Name, want.Name, sp.TargetPort.String(), want.TargetPort)
		}
		scheme := "http"
		if want.TLS {
			scheme = "https"
		}
		urls = append(urls, scheme+"://"+hostPort(svc.Spec.ClusterIP, sp.Port)+"/")
	}
	// every port at once
	rs := make([]HTTPResponse, len(urls))
	errs := make([]error, len(urls))
	var wg sync.WaitGroup
	for i, url := range urls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := env.Net.HTTP(ctx, FromNode, "", HTTPRequest{URL: url}, 1)
			if err == nil {
				rs[i] = r[0]
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for i, url := range urls {
		if errs[i] != nil {
			return Errored(errs[i])
		}
		if rs[i].Status == 0 {
			sp, _ := servicePort(svc, p.Ports[i].Name)
			if d := diagnoseService(ctx, env, svc, sp, FromNode); d != nil {
				return d.outcome().With(env.describe(rs[i])).With(endpointsEvidence(ctx, env, svc)...)
			}
			return Failed(msgNoAnswerFromNode, url).With(env.describe(rs[i])).With(endpointsEvidence(ctx, env, svc)...)
		}
		answered = append(answered, fmt.Sprintf("%s %s", p.Ports[i].Name, env.describe(rs[i])))
	}
	return Passed(msgPortsAnswer, svc.Name, len(answered)).With(answered...)
}
