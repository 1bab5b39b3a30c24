package cluster

import (
	"strings"
	"testing"

	"sigs.k8s.io/kind/pkg/apis/config/v1alpha4"

	"github.com/labctl/labctl/apply"
)

func TestKindConfig(t *testing.T) {
	o := Options{Workers: 2, Ingress: IngressNginx, HTTPPort: 8080, HTTPSPort: 8443}
	o.Defaults()
	cfg := kindConfig(o, false)
	if len(cfg.Nodes) != 3 {
		t.Fatalf("%d nodes, want 3", len(cfg.Nodes))
	}
	cp := cfg.Nodes[0]
	if cp.Role != v1alpha4.ControlPlaneRole || cp.Labels[apply.IngressReadyLabel] != "true" {
		t.Errorf("control-plane: %+v", cp)
	}
	if len(cp.ExtraPortMappings) != 2 {
		t.Fatalf("port mappings %+v", cp.ExtraPortMappings)
	}
	for i, want := range [][2]int32{{80, 8080}, {443, 8443}} {
		pm := cp.ExtraPortMappings[i]
		if pm.ContainerPort != want[0] || pm.HostPort != want[1] || pm.ListenAddress != "127.0.0.1" || pm.Protocol != v1alpha4.PortMappingProtocolTCP {
			t.Errorf("mapping %d = %+v, want %d->%d on 127.0.0.1", i, pm, want[1], want[0])
		}
	}
	for _, n := range cfg.Nodes[1:] {
		if n.Role != v1alpha4.WorkerRole || len(n.ExtraPortMappings) != 0 || n.Labels[apply.IngressReadyLabel] != "" {
			t.Errorf("worker %+v", n)
		}
	}
	if len(cfg.KubeadmConfigPatches) != 0 {
		t.Errorf("cgroup v2 host got patches %v", cfg.KubeadmConfigPatches)
	}
}

func TestKindConfigWorkers(t *testing.T) {
	for _, w := range []int{0, 1, 5} {
		cfg := kindConfig(Options{Workers: w, Ingress: IngressTraefik, HTTPPort: 80, HTTPSPort: 443}, false)
		if got := len(cfg.Nodes); got != w+1 {
			t.Errorf("workers=%d: %d nodes", w, got)
		}
	}
}

func TestKindConfigNoIngressPublishesNothing(t *testing.T) {
	cfg := kindConfig(Options{Ingress: IngressNone}, false)
	if len(cfg.Nodes[0].ExtraPortMappings) != 0 {
		t.Errorf("--ingress none still maps ports: %+v", cfg.Nodes[0].ExtraPortMappings)
	}
}

func TestKindConfigCgroupV1Patch(t *testing.T) {
	cfg := kindConfig(Options{Workers: 1, Ingress: IngressNginx, HTTPPort: 80, HTTPSPort: 443}, true)
	if len(cfg.KubeadmConfigPatches) != 1 {
		t.Fatalf("patches %v", cfg.KubeadmConfigPatches)
	}
	p := cfg.KubeadmConfigPatches[0]
	if !strings.Contains(p, "kind: KubeletConfiguration") || !strings.Contains(p, "failCgroupV1: false") {
		t.Errorf("patch %q", p)
	}
}

func TestParseIngress(t *testing.T) {
	for in, want := range map[string]Ingress{"nginx": IngressNginx, "ingress-nginx": IngressNginx, "Traefik": IngressTraefik, "none": IngressNone} {
		if got, err := ParseIngress(in); err != nil || got != want {
			t.Errorf("%q: %v %v", in, got, err)
		}
	}
	if _, err := ParseIngress("haproxy"); err == nil {
		t.Error("haproxy accepted")
	}
}
