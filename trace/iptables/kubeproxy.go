package iptables

import (
	"strconv"
	"strings"
)

// kube-proxy's chains in the nat table (iptables mode).
const (
	KubeServices  = "KUBE-SERVICES"
	KubeNodePorts = "KUBE-NODEPORTS"
	KubeMarkMasq  = "KUBE-MARK-MASQ"
)

// Entry is a rule of KUBE-SERVICES or KUBE-NODEPORTS that sends a Service
// address to the Service's chain.
type Entry struct {
	Rule *Rule
	// Service is kube-proxy's name for the Service port, "NS/NAME:PORT"
	// (or "NS/NAME" for an unnamed port), read from the rule's comment.
	Service string
	// Kind is "cluster IP", "loadbalancer IP", "external IP" or "nodeport".
	Kind string
	// Chain is where the rule jumps: KUBE-SVC-… (cluster IP of a Service)
	// or KUBE-EXT-… (traffic from outside) or KUBE-SVL-….
	Chain string
}

// Entries lists the Service entries of KUBE-SERVICES then KUBE-NODEPORTS.
func (t *Table) Entries() []Entry {
	var out []Entry
	for _, name := range []string{KubeServices, KubeNodePorts} {
		c := t.Chain(name)
		if c == nil {
			continue
		}
		for _, r := range c.Rules {
			if !isServiceChain(r.Target) {
				continue
			}
			e := Entry{Rule: r, Chain: r.Target}
			e.Service, e.Kind = splitComment(r.Comment())
			if name == KubeNodePorts {
				e.Kind = "nodeport"
			}
			out = append(out, e)
		}
	}
	return out
}

func isServiceChain(s string) bool {
	return strings.HasPrefix(s, "KUBE-SVC-") || strings.HasPrefix(s, "KUBE-EXT-") ||
		strings.HasPrefix(s, "KUBE-SVL-") || strings.HasPrefix(s, "KUBE-FW-")
}

// splitComment reads "ns/name:port cluster IP" into the Service and kind.
func splitComment(c string) (svc, kind string) {
	svc, kind, _ = strings.Cut(c, " ")
	return svc, kind
}

// Lookup finds the entry for a destination address and port (a ClusterIP, a
// LoadBalancer or external IP) and protocol ("tcp" when empty).
func (t *Table) Lookup(ip string, port int, proto string) (Entry, bool) {
	proto = protoOr(proto)
	for _, e := range t.Entries() {
		if e.Kind == "nodeport" {
			continue
		}
		d, neg := e.Rule.Destination()
		if neg || strings.TrimSuffix(d, "/32") != ip {
			continue
		}
		if e.Rule.DPort() != strconv.Itoa(port) || protoOr(e.Rule.Protocol()) != proto {
			continue
		}
		return e, true
	}
	return Entry{}, false
}

// LookupNodePort finds the KUBE-NODEPORTS entry of a node port.
func (t *Table) LookupNodePort(port int, proto string) (Entry, bool) {
	proto = protoOr(proto)
	for _, e := range t.Entries() {
		if e.Kind != "nodeport" || e.Rule.DPort() != strconv.Itoa(port) || protoOr(e.Rule.Protocol()) != proto {
			continue
		}
		// kube-proxy writes a rule for node ports on 127.0.0.0/8 first
		// (localhost access, counted by nfacct); the rule for the node's
		// own addresses has no -d.
		if d, _ := e.Rule.Destination(); d != "" {
			continue
		}
		return e, true
	}
	return Entry{}, false
}

func protoOr(p string) string {
	if p == "" {
		return "tcp"
	}
	return strings.ToLower(p)
}

// ServiceChain is the KUBE-SVC chain of a ClusterIP:port, "" when kube-proxy
// has none (no such Service, or a Service without ready endpoints: then
// KUBE-SERVICES holds no rule for it in the nat table).
func (t *Table) ServiceChain(clusterIP string, port int, proto string) string {
	e, ok := t.Lookup(clusterIP, port, proto)
	if !ok {
		return ""
	}
	return e.Chain
}

// Endpoint is one endpoint a KUBE-SVC (or KUBE-SVL) chain picks.
type Endpoint struct {
	// Chain is the endpoint's KUBE-SEP chain.
	Chain string `json:"chain"`
	// Address is the DNAT target, IP:PORT.
	Address string `json:"address"`
	// Probability is the rule's --probability: the chance to pick this
	// endpoint among those not passed over yet. The last rule has none (it
	// takes the remainder); it is 1 then and Remainder is true.
	Probability float64 `json:"probability"`
	Remainder   bool    `json:"remainder,omitempty"`
	// Share is the fraction of new connections this endpoint gets.
	Share float64 `json:"share"`
	// Counters are the DNAT rule's counters: connections sent here (the nat
	// table sees the first packet of each connection).
	Counters Counters `json:"counters"`
	// Comment is kube-proxy's comment on the KUBE-SVC rule
	// ("ns/name:port -> IP:PORT").
	Comment string `json:"comment,omitempty"`
	// Affinity is true when the SEP chain remembers the client (sessionAffinity).
	Affinity bool `json:"affinity,omitempty"`
}

// Endpoints lists the endpoints of a KUBE-SVC or KUBE-SVL chain in the order
// the chain tries them. Session-affinity rules (-m recent --rcheck) are not
// endpoints of their own and are skipped.
func (t *Table) Endpoints(chain string) []Endpoint {
	c := t.Chain(chain)
	if c == nil {
		return nil
	}
	var out []Endpoint
	left := 1.0
	for _, r := range c.Rules {
		if !strings.HasPrefix(r.Target, "KUBE-SEP-") || r.HasModule("recent") {
			continue
		}
		ep := Endpoint{Chain: r.Target, Comment: r.Comment()}
		if p, ok := r.Probability(); ok {
			ep.Probability = p
		} else {
			ep.Probability, ep.Remainder = 1, true
		}
		ep.Share = left * ep.Probability
		left -= ep.Share
		if sep := t.Chain(r.Target); sep != nil {
			for _, sr := range sep.Rules {
				if sr.Target == "DNAT" {
					ep.Address = sr.ToDestination()
					ep.Counters = sr.Counters
				}
				if sr.HasModule("recent") {
					ep.Affinity = true
				}
			}
		}
		if ep.Address == "" {
			// A SEP chain without DNAT should not happen; fall back to the
			// comment's "-> IP:PORT".
			if _, a, ok := strings.Cut(ep.Comment, "-> "); ok {
				ep.Address = a
			}
		}
		out = append(out, ep)
	}
	return out
}

// MasqRules are the rules of a chain that mark packets for masquerade
// (jump to KUBE-MARK-MASQ), in order.
func (t *Table) MasqRules(chain string) []*Rule {
	c := t.Chain(chain)
	if c == nil {
		return nil
	}
	var out []*Rule
	for _, r := range c.Rules {
		if r.Target == KubeMarkMasq {
			out = append(out, r)
		}
	}
	return out
}

// Jumps are the targets a chain jumps to other than KUBE-MARK-MASQ, in order
// (for KUBE-EXT: the KUBE-SVC or KUBE-SVL chain).
func (t *Table) Jumps(chain string) []*Rule {
	c := t.Chain(chain)
	if c == nil {
		return nil
	}
	var out []*Rule
	for _, r := range c.Rules {
		if r.Target != "" && r.Target != KubeMarkMasq {
			out = append(out, r)
		}
	}
	return out
}
