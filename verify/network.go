package verify

import (
	"context"
	"crypto/x509"
	"net/netip"

	"github.com/miekg/dns"

	"github.com/labctl/labctl/labs"
)

// Vantage is where traffic of a check comes from.
type Vantage string

// Vantage points. The host is the student's computer; a node is a kind node
// container (inside the cluster network, like the course's node1).
const (
	FromHost Vantage = "host"
	FromNode Vantage = "node"
)

// nodeKinds are the check kinds that send traffic from a node.
var nodeKinds = map[string]bool{"serviceReachable": true, "sessionAffinity": true, "servicePorts": true, "nodePort": true, "loadBalancerIP": true}

// SendsFromNodes reports whether any check of the steps (all when none)
// sends traffic from a node, so a run can open the node's shells early.
func SendsFromNodes(ch *labs.Chapter, steps []int) bool {
	if len(steps) == 0 {
		for i := range ch.Steps {
			steps = append(steps, i)
		}
	}
	for _, i := range steps {
		for _, c := range ch.Steps[i].Checks {
			if nodeKinds[c.Kind] {
				return true
			}
		}
	}
	return false
}

// HTTPRequest is one request a check sends.
type HTTPRequest struct {
	// URL is http(s)://ADDRESS:PORT/PATH.
	URL string
	// Host overrides the Host header and the TLS server name (SNI).
	Host string
}

// HTTPResponse is what came back. Status 0 means no HTTP answer: Err says
// why (connection refused, timeout).
type HTTPResponse struct {
	Status int
	Body   string
	Err    string
	// Cert is the leaf certificate the server presented (https only).
	Cert *x509.Certificate
}

// Network is how checks send traffic and ask DNS. The real one reaches the
// cluster through kind's nodes and labctl's proxy core; tests use fakes.
type Network interface {
	// HTTP sends n requests one after another, each on a new connection, from
	// the vantage point (node: the named node, any node when "").
	HTTP(ctx context.Context, from Vantage, node string, req HTTPRequest, n int) ([]HTTPResponse, error)
	// DNS asks the cluster DNS (CoreDNS) one question.
	DNS(ctx context.Context, name string, qtype uint16) (*dns.Msg, error)
	// HostReachesNodes reports whether this computer can reach node and
	// LoadBalancer addresses directly (Linux: yes; Docker Desktop: no).
	HostReachesNodes(ctx context.Context) bool
	// IngressURLs are the URLs that reach the ingress controller from this
	// computer (the control-plane's published ports).
	IngressURLs(ctx context.Context) (http, https string, err error)
}

// NodeRunner runs read-only commands in a lab's nodes (ip addr, ip route,
// crictl, ls /etc/cni/net.d) and finds the lab's outside server. The real
// one keeps shells open in the node containers (kind's node API), so it
// works on macOS and Windows too; tests use fakes.
type NodeRunner interface {
	// RunNode runs a shell command line in the named node and returns what
	// it printed on stdout.
	RunNode(ctx context.Context, node, line string) (string, error)
	// Outside is the address of the echo server labctl runs beside the
	// nodes (ch15's "outside" of the pod network).
	Outside(ctx context.Context) (netip.Addr, error)
}
