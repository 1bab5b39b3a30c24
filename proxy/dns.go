package proxy

import (
	"context"
	"net"
	"strings"
	"time"

	"github.com/miekg/dns"

	"github.com/labctl/labctl/i18n"
)

// The cluster DNS Service, as kubeadm (and so kind) names it for CoreDNS.
const (
	dnsNamespace = "kube-system"
	dnsService   = "kube-dns"
	// DNSService is the Service DNS queries go to, as dig names it.
	DNSService = dnsNamespace + "/" + dnsService
	dnsPort    = "53"
)

// DNSResult is a reply from the cluster DNS and where it came from.
type DNSResult struct {
	Msg *dns.Msg
	// Server is the CoreDNS pod that answered.
	Server Endpoint
	// RTT is the exchange's round trip, connect excluded.
	RTT time.Duration
}

// DNS sends one query to the cluster DNS over TCP through the core. name is
// used as given (made absolute); see QualifyName for the search path.
func (c *Cluster) DNS(ctx context.Context, name string, qtype uint16) (*dns.Msg, error) {
	res, err := c.QueryDNS(ctx, NewDNSQuery(name, qtype))
	if err != nil {
		return nil, err
	}
	return res.Msg, nil
}

// NewDNSQuery builds a recursive query for name (made absolute) and qtype.
func NewDNSQuery(name string, qtype uint16) *dns.Msg {
	m := new(dns.Msg)
	m.SetQuestion(dns.Fqdn(name), qtype)
	m.RecursionDesired = true
	return m
}

// QueryDNS sends m to a CoreDNS pod behind kube-system/kube-dns over TCP
// (port 53, "dns-tcp") and returns the reply with the pod that gave it.
func (c *Cluster) QueryDNS(ctx context.Context, m *dns.Msg) (*DNSResult, error) {
	conn, ep, err := c.DialService(ctx, dnsNamespace, dnsService, dnsPort)
	if err != nil {
		return nil, i18n.Errorf(msgDNSUnreachable).Wrap(err)
	}
	defer conn.Close()
	// A stream that stops answering must not outlive the caller's context.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	client := &dns.Client{Net: "tcp", Timeout: 5 * time.Second}
	r, rtt, err := client.ExchangeWithConnContext(ctx, m, &dns.Conn{Conn: conn})
	if err != nil {
		if ctx.Err() != nil {
			err = ctx.Err()
		}
		return nil, i18n.Errorf(msgDNSQuery, questionOf(m), ep.String()).Wrap(err)
	}
	return &DNSResult{Msg: r, Server: ep, RTT: rtt}, nil
}

func questionOf(m *dns.Msg) string {
	if len(m.Question) == 0 {
		return "?"
	}
	q := m.Question[0]
	return q.Name + " " + dns.TypeToString[q.Qtype]
}

// QualifyName turns what a student types into the name to ask for, like a
// pod's resolver for the commonest cases and like dig otherwise: a name
// with no dot is a Service in namespace ns (web → web.ns.svc.cluster.local),
// an IP address with qtype PTR becomes its reverse name, and anything else
// is taken as absolute, as dig takes it.
func QualifyName(name, ns, domain string, qtype uint16) string {
	if qtype == dns.TypePTR {
		if ip := net.ParseIP(name); ip != nil {
			arpa, _ := dns.ReverseAddr(ip.String())
			return arpa
		}
	}
	if strings.HasSuffix(name, ".") {
		return name
	}
	if !strings.Contains(name, ".") {
		if ns == "" {
			ns = "default"
		}
		if domain == "" {
			domain = "cluster.local"
		}
		return name + "." + ns + ".svc." + domain + "."
	}
	return dns.Fqdn(name)
}

// ParseQType reads a query type (A, AAAA, CNAME, SRV, PTR, or any other
// type name dig knows), case-insensitively.
func ParseQType(s string) (uint16, error) {
	if s == "" {
		return dns.TypeA, nil
	}
	if t, ok := dns.StringToType[strings.ToUpper(s)]; ok && t != dns.TypeNone {
		return t, nil
	}
	return 0, i18n.Errorf(msgBadQType, s)
}

// ClusterDomain is the DNS domain the core assumes (cluster.local).
func (c *Cluster) ClusterDomain() string { return c.opts.clusterDomain }
