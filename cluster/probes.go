package cluster

import (
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/labctl/labctl/apply"
)

// Readiness probe timing labctl gives the add-ons' containers. MetalLB's
// manifest waits 10 s before the first readiness probe and 10 s between
// probes; its controller serves /metrics and its webhook about a second
// after it starts, so up to 19 s of every `labctl up` and every restart
// went to waiting for a probe that would have passed (and the address
// pool, validated by that webhook, waited behind it). Probing every 2 s
// from the first second costs the node a few HTTP requests; liveness
// probes, which restart containers, keep the manifest's patience.
const (
	readinessDelay  = 1
	readinessPeriod = 2
)

// quickenReadiness lowers the readiness probes' initial delay and period in
// the objects' pod templates to labctl's where the manifest sets them
// higher; nothing else changes (Traefik's manifest, probed every 2 s with
// no delay, stays byte for byte what it was).
func quickenReadiness(objs []apply.Object) {
	for _, o := range objs {
		spec, ok := apply.PodSpec(o.Unstructured)
		if !ok {
			continue
		}
		changed := false
		for _, field := range []string{"initContainers", "containers"} {
			cs, _, _ := unstructured.NestedSlice(spec, field)
			for _, c := range cs {
				m, _ := c.(map[string]any)
				probe, _ := m["readinessProbe"].(map[string]any)
				if probe == nil {
					continue
				}
				for key, want := range map[string]int64{"initialDelaySeconds": readinessDelay, "periodSeconds": readinessPeriod} {
					if v, ok := number(probe[key]); ok && v > want {
						probe[key] = want
						changed = true
					}
				}
			}
			if changed {
				_ = unstructured.SetNestedSlice(spec, cs, field)
			}
		}
		if changed {
			setPodSpec(o.Unstructured, spec)
		}
	}
}

// setPodSpec writes back a pod template's spec read with podSpec.
func setPodSpec(u *unstructured.Unstructured, spec map[string]any) {
	switch u.GetKind() {
	case "Pod":
		_ = unstructured.SetNestedMap(u.Object, spec, "spec")
	case "CronJob":
		_ = unstructured.SetNestedMap(u.Object, spec, "spec", "jobTemplate", "spec", "template", "spec")
	default:
		_ = unstructured.SetNestedMap(u.Object, spec, "spec", "template", "spec")
	}
}

// number reads a decoded manifest's integer, whatever type decoding chose.
func number(v any) (int64, bool) {
	switch n := v.(type) {
	case int64:
		return n, true
	case int:
		return int64(n), true
	case float64:
		return int64(n), true
	}
	return 0, false
}
