package cluster

import (
	"testing"

	"github.com/labctl/labctl/apply"
)

func TestAddonPlanPlacesImagesWhereTheirPodsRun(t *testing.T) {
	p := addonPlan(IngressTraefik)
	p.Add(apply.Placement{Workers: true}, "registry.k8s.io/e2e-test-images/agnhost:2.56")
	for img, want := range map[string]apply.Placement{
		"traefik:v3.6.12":                              {ControlPlane: true},                // nodeSelector ingress-ready
		"quay.io/metallb/speaker:v0.15.2":              {ControlPlane: true, Workers: true}, // DaemonSet tolerating the control-plane
		"quay.io/metallb/controller:v0.15.2":           {Workers: true},                     // no toleration
		"registry.k8s.io/e2e-test-images/agnhost:2.56": {Workers: true},
	} {
		if got := p[img]; got != want {
			t.Errorf("%s: %+v, want %+v", img, got, want)
		}
	}
	n := addonPlan(IngressNginx)
	if got := n["registry.k8s.io/ingress-nginx/controller:v1.15.1"]; got != (apply.Placement{ControlPlane: true}) {
		t.Errorf("ingress-nginx controller: %+v", got)
	}
	if _, ok := n["traefik:v3.6.12"]; ok {
		t.Error("the nginx plan loads Traefik")
	}
}
