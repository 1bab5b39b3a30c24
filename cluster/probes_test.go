package cluster

import (
	"encoding/json"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/labctl/labctl/apply"
	"github.com/labctl/labctl/cluster/addons"
)

// MetalLB's readiness probes are probed from the first second, every 2 s;
// liveness probes keep the manifest's timing, and a quicker probe is kept.
func TestQuickenReadiness(t *testing.T) {
	objs, err := addons.MetalLB.Objects()
	if err != nil {
		t.Fatal(err)
	}
	quickenReadiness(objs)
	seen := 0
	for _, o := range objs {
		spec, ok := apply.PodSpec(o.Unstructured)
		if !ok {
			continue
		}
		cs, _, _ := unstructured.NestedSlice(spec, "containers")
		for _, c := range cs {
			m := c.(map[string]any)
			if r, ok := m["readinessProbe"].(map[string]any); ok {
				seen++
				if r["initialDelaySeconds"] != int64(1) || r["periodSeconds"] != int64(2) {
					t.Errorf("%s %s readiness %v", o.GetName(), m["name"], r)
				}
			}
			if l, ok := m["livenessProbe"].(map[string]any); ok {
				if v, _ := number(l["initialDelaySeconds"]); v != 10 {
					t.Errorf("%s %s liveness changed: %v", o.GetName(), m["name"], l)
				}
			}
		}
	}
	if seen != 2 {
		t.Errorf("%d readiness probes in MetalLB's controller and speaker, want 2", seen)
	}
	traefik, err := addons.Traefik.Objects()
	if err != nil {
		t.Fatal(err)
	}
	dump := func() string {
		var b strings.Builder
		for _, o := range traefik {
			j, _ := json.Marshal(o.Object)
			b.Write(j)
		}
		return b.String()
	}
	before := dump()
	quickenReadiness(traefik)
	if after := dump(); after != before {
		t.Errorf("Traefik's objects changed:\n%s\n%s", before, after)
	}
}
