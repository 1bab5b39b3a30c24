package proxy

import (
	"net"
	"strconv"
	"strings"
	"testing"

	"github.com/miekg/dns"
)

// fakeCoreDNS answers over TCP on 127.0.0.1 like CoreDNS's kubernetes
// plugin would for a few names.
func fakeCoreDNS(t *testing.T) int32 {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	mux := dns.NewServeMux()
	mux.HandleFunc(".", func(w dns.ResponseWriter, r *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(r)
		m.Authoritative = true
		q := r.Question[0]
		rr := func(s string) dns.RR {
			x, err := dns.NewRR(s)
			if err != nil {
				t.Errorf("fixture %q: %v", s, err)
			}
			return x
		}
		switch {
		case q.Name == "web.default.svc.cluster.local." && q.Qtype == dns.TypeA:
			m.Answer = append(m.Answer, rr("web.default.svc.cluster.local. 30 IN A 10.96.0.20"))
		case q.Name == "db.default.svc.cluster.local." && q.Qtype == dns.TypeA:
			m.Answer = append(m.Answer,
				rr("db.default.svc.cluster.local. 30 IN A 10.244.1.7"),
				rr("db.default.svc.cluster.local. 30 IN A 10.244.2.8"))
		case q.Name == "_http._tcp.web.default.svc.cluster.local." && q.Qtype == dns.TypeSRV:
			m.Answer = append(m.Answer, rr("_http._tcp.web.default.svc.cluster.local. 30 IN SRV 0 100 80 web.default.svc.cluster.local."))
			m.Extra = append(m.Extra, rr("web.default.svc.cluster.local. 30 IN A 10.96.0.20"))
		case q.Name == "20.0.96.10.in-addr.arpa." && q.Qtype == dns.TypePTR:
			m.Answer = append(m.Answer, rr("20.0.96.10.in-addr.arpa. 30 IN PTR web.default.svc.cluster.local."))
		case q.Name == "ext.default.svc.cluster.local.":
			m.Answer = append(m.Answer, rr("ext.default.svc.cluster.local. 30 IN CNAME example.com."))
		default:
			m.Rcode = dns.RcodeNameError
			m.Ns = append(m.Ns, rr("cluster.local. 30 IN SOA ns.dns.cluster.local. hostmaster.cluster.local. 1 7200 1800 86400 30"))
		}
		w.WriteMsg(m)
	})
	srv := &dns.Server{Listener: l, Net: "tcp", Handler: mux}
	go srv.ActivateAndServe()
	t.Cleanup(func() { srv.Shutdown() })
	return int32(l.Addr().(*net.TCPAddr).Port)
}

func kubeDNS(port int32, ip string) []any {
	return []any{
		service("kube-system", "kube-dns", svcPort{"dns", 53, true}, svcPort{"dns-tcp", 53, false}, svcPort{"metrics", 9153, false}),
		slice("kube-system", "kube-dns", "kube-dns-1", "dns-tcp", port, ep{pod: "coredns-abc", node: "lab-control-plane", ip: ip}),
	}
}

func TestDNSRecords(t *testing.T) {
	port := fakeCoreDNS(t)
	c, _ := newTestCluster(t, nil, nil, kubeDNS(port, "127.0.0.1")...)
	ctx := ctxT(t)
	cases := []struct {
		name  string
		qtype uint16
		want  []string
		rcode int
	}{
		{"web", dns.TypeA, []string{"10.96.0.20"}, dns.RcodeSuccess},
		{"db.default.svc.cluster.local", dns.TypeA, []string{"10.244.1.7", "10.244.2.8"}, dns.RcodeSuccess},
		{"_http._tcp.web.default.svc.cluster.local.", dns.TypeSRV, []string{"0 100 80 web.default.svc.cluster.local."}, dns.RcodeSuccess},
		{"10.96.0.20", dns.TypePTR, []string{"web.default.svc.cluster.local."}, dns.RcodeSuccess},
		{"ext", dns.TypeCNAME, []string{"example.com."}, dns.RcodeSuccess},
		{"nope", dns.TypeAAAA, nil, dns.RcodeNameError},
	}
	for _, tc := range cases {
		name := QualifyName(tc.name, "default", c.ClusterDomain(), tc.qtype)
		m, err := c.DNS(ctx, name, tc.qtype)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if m.Rcode != tc.rcode || len(m.Answer) != len(tc.want) {
			t.Errorf("%s %s: rcode %s, %d answers", tc.name, dns.TypeToString[tc.qtype], dns.RcodeToString[m.Rcode], len(m.Answer))
			continue
		}
		for i, rr := range m.Answer {
			if got := strings.TrimPrefix(rr.String(), rr.Header().String()); got != tc.want[i] {
				t.Errorf("%s answer %d: %q, want %q", tc.name, i, got, tc.want[i])
			}
		}
	}
}

// DNS also works through port-forward, which exercises deadlines (the DNS
// client sets them) on forwarded connections.
func TestDNSThroughPortForward(t *testing.T) {
	port := fakeCoreDNS(t)
	api := newFakeAPIServer(t)
	api.route("coredns-abc", strconv.Itoa(int(port)), "127.0.0.1:"+strconv.Itoa(int(port)))
	objs := kubeDNS(port, "198.51.100.53")
	c, _ := newTestCluster(t, api.config(), []Option{WithTransport(TransportPortForward)}, objs...)
	res, err := c.QueryDNS(ctxT(t), NewDNSQuery("web.default.svc.cluster.local", dns.TypeA))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Msg.Answer) != 1 || res.Server.Pod != "coredns-abc" {
		t.Errorf("answer %v from %v", res.Msg.Answer, res.Server)
	}
}

func TestDNSWithoutKubeDNS(t *testing.T) {
	c, _ := newTestCluster(t, nil, nil)
	_, err := c.DNS(ctxT(t), "web.default.svc.cluster.local", dns.TypeA)
	if err == nil || !strings.Contains(err.Error(), "kube-system/kube-dns") {
		t.Fatalf("got %v", err)
	}
}

// The core answers an SRV query with the records dig shows (the
// formatting itself is the CLI's, tested there).
func TestQueryDNS(t *testing.T) {
	port := fakeCoreDNS(t)
	c, _ := newTestCluster(t, nil, nil, kubeDNS(port, "127.0.0.1")...)
	res, err := c.QueryDNS(ctxT(t), NewDNSQuery("_http._tcp.web.default.svc.cluster.local", dns.TypeSRV))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Msg.Answer) != 1 || len(res.Msg.Extra) != 1 || res.Server.Pod != "coredns-abc" || res.Server.Addr() != "127.0.0.1:"+strconv.Itoa(int(port)) {
		t.Errorf("SRV: %v, server %+v", res.Msg, res.Server)
	}
	res, err = c.QueryDNS(ctxT(t), NewDNSQuery("nope.default.svc.cluster.local", dns.TypeA))
	if err != nil || res.Msg.Rcode != dns.RcodeNameError || len(res.Msg.Ns) == 0 {
		t.Errorf("NXDOMAIN: %v, %v", res, err)
	}
}

func TestQualifyName(t *testing.T) {
	for _, tc := range []struct {
		in    string
		ns    string
		qtype uint16
		want  string
	}{
		{"web", "", dns.TypeA, "web.default.svc.cluster.local."},
		{"web", "ch07", dns.TypeA, "web.ch07.svc.cluster.local."},
		{"web.ch07", "default", dns.TypeA, "web.ch07."}, // dig-like: as given
		{"kubernetes.default.svc.cluster.local", "", dns.TypeA, "kubernetes.default.svc.cluster.local."},
		{"example.com.", "", dns.TypeA, "example.com."},
		{"10.96.0.1", "", dns.TypePTR, "1.0.96.10.in-addr.arpa."},
		{"fd00::1", "", dns.TypePTR, "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa."},
	} {
		if got := QualifyName(tc.in, tc.ns, "cluster.local", tc.qtype); got != tc.want {
			t.Errorf("QualifyName(%q, %q) = %q, want %q", tc.in, tc.ns, got, tc.want)
		}
	}
	for in, want := range map[string]uint16{"": dns.TypeA, "a": dns.TypeA, "AAAA": dns.TypeAAAA, "srv": dns.TypeSRV, "PTR": dns.TypePTR, "cname": dns.TypeCNAME} {
		if got, err := ParseQType(in); err != nil || got != want {
			t.Errorf("ParseQType(%q) = %d, %v", in, got, err)
		}
	}
	if _, err := ParseQType("BOGUS"); err == nil {
		t.Error("BOGUS accepted")
	}
}
