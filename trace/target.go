package trace

import (
	"net/netip"
	"net/url"
	"strconv"
	"strings"

	"github.com/labctl/labctl/i18n"
)

// TargetKind says what a target names.
type TargetKind string

// Target kinds.
const (
	// ToService is svc/NAME[:PORT].
	ToService TargetKind = "service"
	// ToAddress is IP[:PORT]: a ClusterIP, a LoadBalancer IP, or a node's
	// address with a NodePort.
	ToAddress TargetKind = "address"
	// ToNodePort is node/NAME:PORT.
	ToNodePort TargetKind = "nodeport"
	// ToIngress is http://HOST/PATH or ingress/HOST.
	ToIngress TargetKind = "ingress"
)

// Target is what labctl trace follows a packet to.
type Target struct {
	Kind      TargetKind
	Namespace string
	// Name is the Service (ToService) or the node (ToNodePort).
	Name string
	// Port is a port name or number; "" is the Service's only TCP port
	// (internal/svcport) for svc/NAME, any port of the address for IP.
	Port string
	IP   netip.Addr
	Host string
	Path string
	// Raw is the target as written.
	Raw string
}

// ParseTarget reads a target as written on the command line; namespace
// applies to svc/NAME.
func ParseTarget(s, namespace string) (Target, error) {
	t := Target{Raw: s, Namespace: namespace}
	if t.Namespace == "" {
		t.Namespace = "default"
	}
	bad := func() (Target, error) { return Target{}, i18n.Errorf(msgBadTarget, s) }
	switch {
	case strings.HasPrefix(s, "svc/") || strings.HasPrefix(s, "service/"):
		_, rest, _ := strings.Cut(s, "/")
		t.Kind = ToService
		t.Name, t.Port, _ = strings.Cut(rest, ":")
		if t.Name == "" || strings.Contains(s, ":") && t.Port == "" {
			return bad()
		}
	case strings.HasPrefix(s, "node/"):
		rest := strings.TrimPrefix(s, "node/")
		name, port, ok := strings.Cut(rest, ":")
		if !ok || name == "" || !isPort(port) {
			return bad()
		}
		t.Kind, t.Name, t.Port = ToNodePort, name, port
	case strings.HasPrefix(s, "ingress/"):
		t.Kind, t.Host, t.Path = ToIngress, strings.TrimPrefix(s, "ingress/"), "/"
		if h, p, ok := strings.Cut(t.Host, "/"); ok {
			t.Host, t.Path = h, "/"+p
		}
		if t.Host == "" {
			return bad()
		}
	case strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://"):
		u, err := url.Parse(s)
		if err != nil || u.Hostname() == "" {
			return bad()
		}
		t.Kind, t.Host, t.Path = ToIngress, u.Hostname(), u.Path
		if t.Path == "" {
			t.Path = "/"
		}
	default:
		if ap, err := netip.ParseAddrPort(s); err == nil {
			t.Kind, t.IP, t.Port = ToAddress, ap.Addr(), strconv.Itoa(int(ap.Port()))
			break
		}
		if ip, err := netip.ParseAddr(s); err == nil {
			t.Kind, t.IP = ToAddress, ip
			break
		}
		return bad()
	}
	return t, nil
}

func isPort(s string) bool {
	n, err := strconv.Atoi(s)
	return err == nil && n > 0 && n < 65536
}

// VantageKind is where the packet starts.
type VantageKind string

// Vantage kinds.
const (
	FromHost VantageKind = "host"
	FromNode VantageKind = "node"
	FromPod  VantageKind = "pod"
)

// Vantage is where the packet starts: this computer, a node, or a pod.
type Vantage struct {
	Kind      VantageKind
	Node      string
	Namespace string
	Pod       string
}

// String is the vantage as written.
func (v Vantage) String() string {
	switch v.Kind {
	case FromNode:
		return "node/" + v.Node
	case FromPod:
		return "pod/" + v.Namespace + "/" + v.Pod
	}
	return "host"
}

// ParseVantage reads --from: host, node/NAME, pod/NS/NAME or pod/NAME (in
// namespace).
func ParseVantage(s, namespace string) (Vantage, error) {
	switch {
	case s == "" || s == "host":
		return Vantage{Kind: FromHost}, nil
	case strings.HasPrefix(s, "node/") && len(s) > len("node/"):
		return Vantage{Kind: FromNode, Node: strings.TrimPrefix(s, "node/")}, nil
	case strings.HasPrefix(s, "pod/"):
		parts := strings.Split(strings.TrimPrefix(s, "pod/"), "/")
		if namespace == "" {
			namespace = "default"
		}
		switch {
		case len(parts) == 1 && parts[0] != "":
			return Vantage{Kind: FromPod, Namespace: namespace, Pod: parts[0]}, nil
		case len(parts) == 2 && parts[0] != "" && parts[1] != "":
			return Vantage{Kind: FromPod, Namespace: parts[0], Pod: parts[1]}, nil
		}
	}
	return Vantage{}, i18n.Errorf(msgBadVantage, s)
}
