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

// Each node gets the images its pods can use and no other: the low-limit
// worker only what tolerates its taint, MetalLB's images not at all.
func TestNeeds(t *testing.T) {
	cp, w := "control-plane", "worker"
	workers := apply.Placement{Workers: true}
	low := apply.Placement{Workers: true, LowLimit: true}
	pinned := apply.Placement{LowLimit: true}
	both := apply.Placement{ControlPlane: true, Workers: true}
	for _, c := range []struct {
		name                            string
		pl                              apply.Placement
		role                            string
		isLow, hasWorkers, hasLow, want bool
	}{
		{"workers' image on a worker", workers, w, false, true, true, true},
		{"workers' image on the low-limit worker", workers, w, true, true, true, false},
		{"workers' image on the control-plane", workers, cp, false, true, true, false},
		{"tolerating image on the low-limit worker", low, w, true, true, true, true},
		{"pinned image on an ordinary worker", pinned, w, false, true, true, false},
		{"pinned image, no low-limit worker", pinned, w, false, true, false, true},
		{"control-plane image", both, cp, false, true, true, true},
		{"single node runs everything", workers, cp, false, false, false, true},
		{"external load balancer", both, "external-load-balancer", false, true, true, false},
	} {
		if got := needs(c.pl, c.role, c.isLow, c.hasWorkers, c.hasLow); got != c.want {
			t.Errorf("%s: needs = %v, want %v", c.name, got, c.want)
		}
	}
	if got := lowLimitWorker([]string{"lab-worker2", "lab-worker", "lab-worker3"}); got != "lab-worker3" {
		t.Errorf("low-limit worker of three: %q", got)
	}
	if got := lowLimitWorker([]string{"lab-worker"}); got != "" {
		t.Errorf("a lab with one worker has a low-limit worker: %q", got)
	}
}
