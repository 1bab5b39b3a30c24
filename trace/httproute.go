package trace

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

var httpRouteGVR = schema.GroupVersionResource{Group: "gateway.networking.k8s.io", Version: "v1", Resource: "httproutes"}

// matchRoute finds the Gateway API HTTPRoute rule a request follows when no
// Ingress rule does: an exact hostname before a wildcard before a route
// without hostnames, then the longest path match. Its first backend is
// the one traced; the rule text counts the others (a weighted split).
func (tr *Tracer) matchRoute(ctx context.Context, host, path string) (*match, error) {
	if tr.Dynamic == nil {
		return nil, nil
	}
	list, err := tr.Dynamic.Resource(httpRouteGVR).Namespace("").List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, err
	}
	var best *match
	bestHost, bestLen := 0, -1
	for _, r := range list.Items {
		hs := 0
		names, _, _ := unstructured.NestedStringSlice(r.Object, "spec", "hostnames")
		if len(names) == 0 {
			hs = 1
		}
		for _, n := range names {
			hs = max(hs, hostScore(n, host))
		}
		if hs == 0 {
			continue
		}
		rules, _, _ := unstructured.NestedSlice(r.Object, "spec", "rules")
		for _, ru := range rules {
			rm, _ := ru.(map[string]any)
			refs, _, _ := unstructured.NestedSlice(rm, "backendRefs")
			if len(refs) == 0 {
				continue
			}
			matches, _, _ := unstructured.NestedSlice(rm, "matches")
			if len(matches) == 0 {
				matches = []any{map[string]any{}}
			}
			for _, m := range matches {
				mm, _ := m.(map[string]any)
				typ, _, _ := unstructured.NestedString(mm, "path", "type")
				val, _, _ := unstructured.NestedString(mm, "path", "value")
				if val == "" {
					val, typ = "/", "PathPrefix"
				}
				if !routePathMatches(typ, val, path) {
					continue
				}
				if hs < bestHost || hs == bestHost && len(val) <= bestLen {
					continue
				}
				ref, _ := refs[0].(map[string]any)
				svc, _, _ := unstructured.NestedString(ref, "name")
				port, _, _ := unstructured.NestedInt64(ref, "port")
				rule := strings.TrimSpace(strings.Join(names, ",")+" "+val) + " (" + typ + ")"
				if len(refs) > 1 {
					rule += fmt.Sprintf(" +%d", len(refs)-1)
				}
				best = &match{kind: "HTTPRoute", namespace: r.GetNamespace(), name: r.GetName(), rule: rule, service: svc}
				if port != 0 {
					best.port = strconv.FormatInt(port, 10)
				}
				bestHost, bestLen = hs, len(val)
			}
		}
	}
	return best, nil
}

func routePathMatches(typ, rule, path string) bool {
	switch typ {
	case "Exact":
		return rule == path
	case "RegularExpression":
		return false
	}
	r := strings.TrimSuffix(rule, "/")
	return r == "" || path == r || strings.HasPrefix(path, r+"/")
}
