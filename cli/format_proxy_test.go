package cli

import (
	"bytes"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/labctl/labctl/i18n"
	"github.com/labctl/labctl/proxy"
)

func digReply(t *testing.T, rcode int, rrs ...string) *proxy.DNSResult {
	t.Helper()
	m := new(dns.Msg)
	m.SetQuestion("_http._tcp.web.default.svc.cluster.local.", dns.TypeSRV)
	m.Response, m.Authoritative, m.Rcode = true, true, rcode
	for _, s := range rrs {
		rr, err := dns.NewRR(s)
		if err != nil {
			t.Fatal(err)
		}
		switch rr.Header().Rrtype {
		case dns.TypeSOA:
			m.Ns = append(m.Ns, rr)
		case dns.TypeA:
			m.Extra = append(m.Extra, rr)
		default:
			m.Answer = append(m.Answer, rr)
		}
	}
	return &proxy.DNSResult{Msg: m, RTT: 3 * time.Millisecond,
		Server: proxy.Endpoint{Namespace: "kube-system", Pod: "coredns-abc", IP: netip.MustParseAddr("10.244.0.3"), Port: 53}}
}

// dig's layout: its own section names (as in the course notes), then where
// the answer came from in the student's language.
func TestWriteDig(t *testing.T) {
	res := digReply(t, dns.RcodeSuccess,
		"_http._tcp.web.default.svc.cluster.local. 30 IN SRV 0 100 80 web.default.svc.cluster.local.",
		"web.default.svc.cluster.local. 30 IN A 10.96.0.20")
	var b bytes.Buffer
	writeDig(&b, i18n.En, res)
	out := b.String()
	for _, want := range []string{
		"status: NOERROR", "flags: qr aa rd;", ";; QUESTION SECTION:\n;_http._tcp.web.default.svc.cluster.local.\tIN\tSRV",
		";; ANSWER SECTION:\n_http._tcp.web.default.svc.cluster.local.\t30\tIN\tSRV\t0 100 80 web.default.svc.cluster.local.",
		";; ADDITIONAL SECTION:\nweb.default.svc.cluster.local.\t30\tIN\tA\t10.96.0.20",
		";; SERVER: 10.244.0.3:53 (pod coredns-abc behind kube-system/kube-dns",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("dig output lacks %q:\n%s", want, out)
		}
	}
	b.Reset()
	writeDig(&b, i18n.Ko, digReply(t, dns.RcodeNameError, "cluster.local. 30 IN SOA ns.dns.cluster.local. hostmaster.cluster.local. 1 7200 1800 86400 30"))
	if out := b.String(); !strings.Contains(out, "status: NXDOMAIN") || !strings.Contains(out, ";; AUTHORITY SECTION:") || !strings.Contains(out, "서버:") {
		t.Errorf("NXDOMAIN in Korean:\n%s", out)
	}
	b.Reset()
	writeDigShort(&b, digReply(t, dns.RcodeSuccess, "db.default.svc.cluster.local. 30 IN CNAME a.example.", "db.default.svc.cluster.local. 30 IN TXT \"x\""))
	if b.String() != "a.example.\n\"x\"\n" {
		t.Errorf("+short: %q", b.String())
	}
}

// The proxy table: one row per pod with its share; a pod that left the
// Service keeps its row, marked.
func TestWriteStats(t *testing.T) {
	var b bytes.Buffer
	writeStats(&b, i18n.En, []proxy.BackendStats{
		{Endpoint: proxy.Endpoint{Pod: "web-a", Node: "lab-worker", IP: netip.MustParseAddr("10.244.1.2"), Port: 8080}, Conns: 3, Ready: true, BytesIn: 2048, LatencyP50: 1500 * time.Microsecond, Transport: "direct"},
		{Endpoint: proxy.Endpoint{IP: netip.MustParseAddr("10.244.2.2"), Port: 8080}, Conns: 1},
	})
	out := b.String()
	for _, want := range []string{"POD", "web-a", "lab-worker", "10.244.1.2:8080", "75%", "2.0KiB", "1.5ms", "direct", "- (gone)", "25%"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}
