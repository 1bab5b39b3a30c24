package cluster

import (
	"strings"
	"time"

	"sigs.k8s.io/kind/pkg/apis/config/v1alpha4"

	"github.com/labctl/labctl/apply"
	"github.com/labctl/labctl/i18n"
)

// Pinned versions. The node image is the kind v0.33 build of Kubernetes
// v1.35, the newest release ingress-nginx's final version (v1.15.1) supports.
const (
	defaultNodeImage     = "kindest/node:v1.35.8@sha256:07b2536e30b803ed61d1677a79df6115f798ce64c80f9e22f6ed45afd09323c0"
	defaultWorkers       = 2
	defaultReadyDeadline = 5 * time.Minute
)

// Ingress is the ingress controller a lab cluster runs.
type Ingress string

// The ingress controllers labctl installs.
const (
	IngressNginx   Ingress = "nginx"
	IngressTraefik Ingress = "traefik"
	IngressNone    Ingress = "none"
)

// ParseIngress validates an --ingress value.
func ParseIngress(s string) (Ingress, error) {
	switch Ingress(strings.ToLower(s)) {
	case IngressNginx, "ingress-nginx":
		return IngressNginx, nil
	case IngressTraefik:
		return IngressTraefik, nil
	case IngressNone:
		return IngressNone, nil
	}
	return "", i18n.Errorf(msgIngressUnknown, s)
}

// Options say what `labctl up` builds.
type Options struct {
	Name      string
	Workers   int
	Image     string
	Ingress   Ingress
	HTTPPort  int
	HTTPSPort int
	// Retain keeps a half-made cluster for debugging instead of deleting it.
	Retain bool
	// MergeKubeconfig also writes the lab's context into the user's kubeconfig.
	MergeKubeconfig bool
	// Wait bounds each readiness wait (nodes, add-ons).
	Wait time.Duration
	// IngressExplicit is true when the user named --ingress; otherwise an
	// existing cluster keeps the controller it has.
	IngressExplicit bool
	// Images are the chapters' images and the nodes their pods can run on
	// (labs' ImagePlan): up side-loads each image the computer has into
	// those nodes.
	Images apply.ImagePlan
	// StartOnly is `labctl start`: the lab must exist; its stopped nodes
	// are started and it is repaired, but nothing it lacks is added.
	StartOnly bool
}

// DefaultOptions are what `labctl up` builds when no flag is given: the one
// source of the defaults of up's, start's and doctor's flags and of what the
// TUI's cluster key builds.
func DefaultOptions() Options {
	return Options{Name: defaultName, Workers: defaultWorkers, Image: defaultNodeImage, Ingress: IngressTraefik,
		HTTPPort: 80, HTTPSPort: 443, Wait: defaultReadyDeadline}
}

// Defaults fills what the user left unset.
func (o *Options) Defaults() {
	d := DefaultOptions()
	if o.Name == "" {
		o.Name = d.Name
	}
	if o.Image == "" {
		o.Image = d.Image
	}
	if o.Ingress == "" {
		o.Ingress = d.Ingress
	}
	if o.HTTPPort == 0 {
		o.HTTPPort = d.HTTPPort
	}
	if o.HTTPSPort == 0 {
		o.HTTPSPort = d.HTTPSPort
	}
	if o.Wait == 0 {
		o.Wait = d.Wait
	}
}

// kubeletCgroupV1Patch lets Kubernetes >= 1.35 kubelets run on a cgroup v1
// host, which they otherwise refuse (KEP-5573).
const kubeletCgroupV1Patch = `kind: KubeletConfiguration
failCgroupV1: false
`

// kindConfig is the kind cluster labctl creates: one control-plane that
// publishes the ingress ports on the host and carries the ingress-ready
// label, and o.Workers workers (the course's node1, node2).
func kindConfig(o Options, cgroupV1 bool) *v1alpha4.Cluster {
	cp := v1alpha4.Node{
		Role:   v1alpha4.ControlPlaneRole,
		Labels: map[string]string{apply.IngressReadyLabel: "true"},
	}
	if o.Ingress != IngressNone {
		cp.ExtraPortMappings = []v1alpha4.PortMapping{
			{ContainerPort: 80, HostPort: int32(o.HTTPPort), ListenAddress: ListenAddress, Protocol: v1alpha4.PortMappingProtocolTCP},
			{ContainerPort: 443, HostPort: int32(o.HTTPSPort), ListenAddress: ListenAddress, Protocol: v1alpha4.PortMappingProtocolTCP},
		}
	}
	cfg := &v1alpha4.Cluster{
		TypeMeta: v1alpha4.TypeMeta{Kind: "Cluster", APIVersion: "kind.x-k8s.io/v1alpha4"},
		Nodes:    []v1alpha4.Node{cp},
	}
	for i := 0; i < o.Workers; i++ {
		cfg.Nodes = append(cfg.Nodes, v1alpha4.Node{Role: v1alpha4.WorkerRole})
	}
	if cgroupV1 {
		cfg.KubeadmConfigPatches = append(cfg.KubeadmConfigPatches, kubeletCgroupV1Patch)
	}
	return cfg
}
