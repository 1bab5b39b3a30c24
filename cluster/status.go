package cluster

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"

	"github.com/labctl/labctl/cluster/addons"
	"github.com/labctl/labctl/cluster/internal/runtime"
	"github.com/labctl/labctl/i18n"
	"github.com/labctl/labctl/internal/paths"
)

// Status is a snapshot of the lab for `labctl status` and the TUI's status bar.
// Its JSON form is part of labctl's scriptable output (schema "labctl/status/v1").
type Status struct {
	Schema string `json:"schema"`
	Name   string `json:"name"`
	// State is the node containers' (running, stopped, partly-stopped,
	// paused); empty for a cluster labctl did not make.
	State LabState `json:"state,omitempty"`
	// Memory is what the running node containers use (bytes), when asked.
	Memory       int64         `json:"memoryBytes,omitempty"`
	Kubeconfig   string        `json:"kubeconfig"`
	Context      string        `json:"context"`
	Server       string        `json:"server"`
	Version      string        `json:"kubernetesVersion"`
	Nodes        []NodeStatus  `json:"nodes"`
	Addons       []AddonStatus `json:"addons"`
	Pool         string        `json:"loadBalancerPool,omitempty"`
	IngressClass string        `json:"defaultIngressClass,omitempty"`
	HTTPPort     int           `json:"httpPort,omitempty"`
	HTTPSPort    int           `json:"httpsPort,omitempty"`
	// Gateway is the Gateway API state, when Traefik is installed.
	Gateway *GatewayStatus `json:"gatewayAPI,omitempty"`
	// NginxRetired is set when ingress-nginx is installed: it is retired upstream.
	NginxRetired bool `json:"ingressNginxRetired,omitempty"`
	// Outside is the address:port of the outside server beside the nodes (ch15).
	Outside string `json:"outside,omitempty"`
	// PodLimit is the worker with a low pod limit (ch15), when there is one.
	PodLimit *PodLimit `json:"podLimit,omitempty"`
}

// PodLimit is the low-limit worker and the pods its kubelet allows.
type PodLimit struct {
	Node    string `json:"node"`
	MaxPods int64  `json:"maxPods"`
}

// NodeStatus is one node.
type NodeStatus struct {
	Name       string `json:"name"`
	Role       string `json:"role"`
	Ready      bool   `json:"ready"`
	Version    string `json:"kubeletVersion"`
	InternalIP string `json:"internalIP"`
	// Container is the node container's state, when the API cannot be asked.
	Container string `json:"container,omitempty"`
}

// AddonStatus is one add-on.
type AddonStatus struct {
	Name      string `json:"name"`
	Version   string `json:"version"`
	Installed bool   `json:"installed"`
	Healthy   bool   `json:"healthy"`
	Detail    string `json:"detail,omitempty"`
}

// Healthy is true when every node is Ready and every installed add-on healthy.
func (s Status) Healthy() bool {
	if len(s.Nodes) == 0 || s.Stopped() {
		return false
	}
	for _, n := range s.Nodes {
		if !n.Ready {
			return false
		}
	}
	for _, a := range s.Addons {
		if a.Installed && !a.Healthy {
			return false
		}
	}
	return s.Gateway == nil || s.Gateway.Healthy()
}

// Stopped is true when some node container of the lab does not run.
func (s Status) Stopped() bool {
	return s.State == LabStopped || s.State == LabPartlyStopped || s.State == LabPaused
}

// Status reads the lab's state from the API server (and, for kind
// clusters, the host ports and node containers from the runtime). A lab
// whose nodes are stopped fails with ErrStopped: read it with
// Target.StoppedStatus.
func (lab *Lab) Status(ctx context.Context, lang i18n.Lang) (Status, error) {
	st := Status{Schema: "labctl/status/v1", Name: lab.Name, Kubeconfig: lab.Kubeconfig, Context: lab.Context, Server: lab.REST.Host}
	if err := lab.Ping(ctx); err != nil {
		return st, err
	}
	if v, err := lab.Client.Discovery().ServerVersion(); err == nil {
		st.Version = v.GitVersion
	}
	nodes, err := lab.NodeList(ctx)
	if err != nil {
		return st, err
	}
	for _, n := range nodes {
		st.Nodes = append(st.Nodes, nodeStatus(n))
	}
	for _, a := range []addons.Addon{addons.MetalLB, addons.Nginx, addons.Traefik} {
		as := AddonStatus{Name: a.Name, Version: a.Version}
		if _, err := lab.Client.CoreV1().Namespaces().Get(ctx, a.Namespace, metav1.GetOptions{}); err == nil {
			as.Installed = true
			as.Healthy, as.Detail = workloadHealth(ctx, lab, a, lang)
		}
		st.Addons = append(st.Addons, as)
		switch {
		case a.Name == addons.Nginx.Name && as.Installed:
			st.NginxRetired = true
		case a.Name == addons.Traefik.Name && as.Installed:
			if dyn, err := dynamic.NewForConfig(lab.REST); err == nil {
				gs := readGateway(ctx, dyn, lang)
				st.Gateway = &gs
			}
		}
	}
	st.Pool = readPool(ctx, lab)
	if classes, err := lab.Client.NetworkingV1().IngressClasses().List(ctx, metav1.ListOptions{}); err == nil {
		for _, c := range classes.Items {
			if c.Annotations["ingressclass.kubernetes.io/is-default-class"] == "true" {
				st.IngressClass = c.Name
			}
		}
	}
	if lab.Provider != nil || lab.Kubeconfig != "" {
		st.HTTPPort, st.HTTPSPort = lab.HostPorts(ctx)
	}
	if n, err := maxPodsNode(ctx, lab); err == nil && n != nil {
		q := n.Status.Allocatable[corev1.ResourcePods]
		st.PodLimit = &PodLimit{Node: n.Name, MaxPods: q.Value()}
	}
	if _, err := lab.kind(); err == nil {
		if a, err := outsideAddress(ctx, lab.rt, lab.Name); err == nil {
			st.Outside = fmt.Sprintf("http://%s:%d", a, outsidePort)
		}
	}
	if _, err := lab.kind(); err == nil {
		// The API answers, but a worker may be stopped or paused.
		if state, cs, err := runtime.ReadState(ctx, lab.rt, lab.Name); err == nil && state != runtime.LabMissing {
			st.State = state
			for i, n := range st.Nodes {
				for _, c := range cs {
					if c.Name == n.Name && c.State != "running" {
						st.Nodes[i].Container, st.Nodes[i].Ready = c.State, false
					}
				}
			}
		}
	}
	return st, nil
}

// Memory is what the lab's node containers use now (bytes; 0 when unknown
// or not a kind cluster). Asking the runtime takes a second or two.
func (l *Lab) Memory(ctx context.Context) int64 {
	if _, err := l.kind(); err != nil {
		return 0
	}
	cs, err := l.rt.NodeContainers(ctx, l.Name)
	if err != nil {
		return 0
	}
	return l.rt.Memory(ctx, cs)
}

// StoppedStatus describes a lab whose nodes do not all run, from the
// runtime alone (the API server cannot be asked).
func (t Target) StoppedStatus(ctx context.Context) (Status, error) {
	if t.Name == "" {
		t.Name = defaultName
	}
	st := Status{Schema: "labctl/status/v1", Name: t.Name, Kubeconfig: paths.Kubeconfig(t.Name), Context: "kind-" + t.Name}
	rt, err := runtime.Detect(t.Runtime)
	if err != nil {
		return st, err
	}
	state, cs, err := runtime.ReadState(ctx, rt, t.Name)
	if err != nil {
		return st, err
	}
	st.State = state
	for _, c := range cs {
		st.Nodes = append(st.Nodes, NodeStatus{Name: c.Name, Role: c.Role, Ready: false, InternalIP: c.IP, Container: c.State})
	}
	st.Memory = rt.Memory(ctx, cs)
	return st, nil
}

func nodeStatus(n corev1.Node) NodeStatus {
	ns := NodeStatus{Name: n.Name, Ready: nodeReady(n), Version: n.Status.NodeInfo.KubeletVersion, Role: "worker"}
	if _, ok := n.Labels["node-role.kubernetes.io/control-plane"]; ok {
		ns.Role = "control-plane"
	}
	for _, a := range n.Status.Addresses {
		if a.Type == corev1.NodeInternalIP && ns.InternalIP == "" {
			ns.InternalIP = a.Address
		}
	}
	return ns
}

func readPool(ctx context.Context, lab *Lab) string {
	dyn, err := dynamic.NewForConfig(lab.REST)
	if err != nil {
		return ""
	}
	list, err := dyn.Resource(ipPoolGVR).Namespace(addons.MetalLB.Namespace).List(ctx, metav1.ListOptions{})
	if err != nil {
		return ""
	}
	var out []string
	for _, p := range list.Items {
		addrs, _, _ := unstructured.NestedStringSlice(p.Object, "spec", "addresses")
		out = append(out, addrs...)
	}
	return strings.Join(out, ",")
}

// HostPorts returns the host ports the control-plane publishes for HTTP and
// HTTPS (0 when unknown or not a kind cluster).
func (l *Lab) HostPorts(ctx context.Context) (http, https int) {
	if _, err := l.kind(); err != nil {
		return 0, 0
	}
	container := l.Name + "-control-plane"
	return hostPort(ctx, l.rt, container, 80), hostPort(ctx, l.rt, container, 443)
}

func hostPort(ctx context.Context, r runtime.Runtime, container string, port int) int {
	out, err := r.Output(ctx, "port", container, fmt.Sprintf("%d/tcp", port))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if _, p, err := net.SplitHostPort(strings.TrimSpace(line)); err == nil {
			if n, err := strconv.Atoi(p); err == nil {
				return n
			}
		}
	}
	return 0
}
