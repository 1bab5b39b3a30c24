package iptables

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The testdata was recorded from a kind v1.34.4 cluster (3 nodes) with
// `go run ./hack/nodecmd -name trace -node NODE 'iptables-save -c -t nat'`
// and 'iptables-legacy-save -c -t nat'. The node's iptables is
// iptables-nft 1.8.9 (kube-proxy's rules live there); iptables-legacy-save
// prints only the empty built-in chains. Namespace rec holds a Deployment
// "web" (3 pods: 10.244.1.3 on trace-worker2, 10.244.2.2 and 10.244.2.3 on
// trace-worker) behind Services web (ClusterIP, port name http),
// web-np (NodePort 30080, unnamed port), web-lb (LoadBalancer
// 172.18.254.201), web-local (LoadBalancer 172.18.254.202:8081,
// externalTrafficPolicy Local), web-affinity (sessionAffinity ClientIP) and
// empty (no endpoints). The control-plane's file has counters from 30
// requests to each of web, web-affinity and web-lb sent from that node.

func load(t *testing.T, name string) *Dump {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	d, err := Parse(string(b))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestParseHeaderAndVariant(t *testing.T) {
	nft := load(t, "nft-nat-trace-worker.txt")
	if nft.Variant() != "nf_tables" || nft.Header != "iptables-save v1.8.9 (nf_tables)" {
		t.Errorf("nft header %q variant %q", nft.Header, nft.Variant())
	}
	legacy := load(t, "legacy-nat-trace-worker.txt")
	if legacy.Variant() != "legacy" {
		t.Errorf("legacy header %q variant %q", legacy.Header, legacy.Variant())
	}
	nat := legacy.Table("nat")
	if nat == nil || len(nat.Chains) != 4 || nat.Chain("OUTPUT").Counters != (Counters{5, 300}) {
		t.Fatalf("legacy nat: %+v", nat)
	}
	for _, c := range nat.Chains {
		if c.Policy != "ACCEPT" || len(c.Rules) != 0 {
			t.Errorf("legacy chain %s: policy %s, %d rules", c.Name, c.Policy, len(c.Rules))
		}
	}
	if legacy.Table("nat").Chain("KUBE-SERVICES") != nil {
		t.Error("legacy table has no kube-proxy chains")
	}
}

func TestParseRuleOptions(t *testing.T) {
	d := load(t, "nft-nat-trace-control-plane.txt")
	nat := d.Table("nat")
	if nat == nil {
		t.Fatal("no nat table")
	}
	if got := nat.Chain("PREROUTING").Counters; got.Packets != 58 || got.Bytes != 3629 {
		t.Errorf("PREROUTING counters %+v", got)
	}
	svc := nat.Chain("KUBE-SVC-OMB5HUWPYUBKQIVF")
	if svc == nil || len(svc.Rules) != 4 {
		t.Fatalf("KUBE-SVC of rec/web: %+v", svc)
	}
	masq := svc.Rules[0]
	if s, neg := masq.Source(); s != "10.244.0.0/16" || !neg {
		t.Errorf("masq source %q negated %v", s, neg)
	}
	if d, neg := masq.Destination(); d != "10.96.64.126/32" || neg {
		t.Errorf("masq destination %q negated %v", d, neg)
	}
	if masq.Protocol() != "tcp" || masq.DPort() != "80" || masq.Target != KubeMarkMasq || masq.Goto {
		t.Errorf("masq rule %+v", masq)
	}
	if masq.Comment() != "rec/web:http cluster IP" || masq.Counters.Packets != 30 {
		t.Errorf("masq comment %q counters %+v", masq.Comment(), masq.Counters)
	}
	first := svc.Rules[1]
	if p, ok := first.Probability(); !ok || math.Abs(p-1.0/3) > 1e-6 {
		t.Errorf("probability %v %v", p, ok)
	}
	if !first.HasModule("statistic") || first.HasModule("recent") {
		t.Error("modules of the statistic rule")
	}
	if _, ok := svc.Rules[3].Probability(); ok {
		t.Error("the last rule has no probability")
	}
	// The nfacct rule has a double space before its value.
	np := nat.Chain(KubeNodePorts).Rules[0]
	if o, ok := np.Opt("--nfacct-name"); !ok || o.Value() != "localhost_nps_accepted_pkts" {
		t.Errorf("nfacct option %+v", o)
	}
	// MASQUERADE --random-fully: a flag without a value.
	post := nat.Chain("KUBE-POSTROUTING").Rules
	last := post[len(post)-1]
	if o, ok := last.Opt("--random-fully"); last.Target != "MASQUERADE" || !ok || len(o.Values) != 0 {
		t.Errorf("MASQUERADE rule %+v", last)
	}
	// ! before -m's option: -m mark ! --mark 0x4000/0x4000.
	if o, ok := post[0].Opt("--mark"); !ok || !o.Negated || o.Value() != "0x4000/0x4000" {
		t.Errorf("negated mark %+v", o)
	}
}

func TestServiceEndpoints(t *testing.T) {
	nat := load(t, "nft-nat-trace-control-plane.txt").Table("nat")
	chain := nat.ServiceChain("10.96.64.126", 80, "tcp")
	if chain != "KUBE-SVC-OMB5HUWPYUBKQIVF" {
		t.Fatalf("chain %q", chain)
	}
	eps := nat.Endpoints(chain)
	want := []struct {
		addr string
		p    float64
		pkts uint64
	}{{"10.244.1.3:8080", 1.0 / 3, 13}, {"10.244.2.2:8080", 0.5, 8}, {"10.244.2.3:8080", 1, 9}}
	if len(eps) != len(want) {
		t.Fatalf("endpoints %+v", eps)
	}
	for i, w := range want {
		e := eps[i]
		if e.Address != w.addr || math.Abs(e.Probability-w.p) > 1e-6 || e.Counters.Packets != w.pkts {
			t.Errorf("endpoint %d: %+v, want %+v", i, e, w)
		}
		if math.Abs(e.Share-1.0/3) > 1e-6 {
			t.Errorf("endpoint %d share %v, want 1/3", i, e.Share)
		}
		if e.Affinity {
			t.Errorf("endpoint %d has no affinity", i)
		}
	}
	if !eps[2].Remainder || eps[0].Remainder {
		t.Error("only the last endpoint takes the remainder")
	}
	if nat.ServiceChain("10.96.64.126", 81, "tcp") != "" || nat.ServiceChain("10.96.64.126", 80, "udp") != "" {
		t.Error("another port or protocol is not the Service's")
	}
	// A Service without ready endpoints has no nat rule at all.
	if nat.ServiceChain("10.96.145.2", 80, "") != "" {
		t.Error("rec/empty has no chain")
	}
}

func TestSessionAffinityEndpoints(t *testing.T) {
	nat := load(t, "nft-nat-trace-control-plane.txt").Table("nat")
	eps := nat.Endpoints(nat.ServiceChain("10.96.123.232", 80, "tcp"))
	if len(eps) != 3 {
		t.Fatalf("the -m recent rules are not endpoints of their own: %+v", eps)
	}
	var total uint64
	for _, e := range eps {
		if !e.Affinity {
			t.Errorf("%s: affinity", e.Address)
		}
		total += e.Counters.Packets
	}
	// The DNAT rule counts every new connection, those the affinity rules
	// sent as well as the random pick: all 30 went to one pod.
	if total != 30 || eps[2].Counters.Packets != 30 {
		t.Errorf("affinity counters %+v", eps)
	}
}

func TestExternalChains(t *testing.T) {
	w2 := load(t, "nft-nat-trace-worker2.txt").Table("nat")
	lb, ok := w2.Lookup("172.18.254.201", 80, "tcp")
	if !ok || lb.Kind != "loadbalancer IP" || lb.Service != "rec/web-lb:http" || !strings.HasPrefix(lb.Chain, "KUBE-EXT-") {
		t.Fatalf("LoadBalancer entry %+v", lb)
	}
	if m := w2.MasqRules(lb.Chain); len(m) != 1 || !strings.HasPrefix(m[0].Comment(), "masquerade traffic for") {
		t.Errorf("Cluster policy masquerades all external traffic: %+v", m)
	}
	if j := w2.Jumps(lb.Chain); len(j) != 1 || j[0].Target != "KUBE-SVC-35THLALRQ56X6EIK" {
		t.Errorf("KUBE-EXT jumps %+v", j)
	}
	np, ok := w2.LookupNodePort(30080, "")
	if !ok || np.Service != "rec/web-np" || np.Kind != "nodeport" {
		t.Errorf("NodePort entry %+v", np)
	}
	if d, _ := np.Rule.Destination(); d != "" {
		t.Errorf("the node's own NodePort rule, not the localhost one: %q", d)
	}
	// externalTrafficPolicy Local: KUBE-EXT ends in KUBE-SVL, which lists
	// only this node's endpoint.
	local, _ := w2.Lookup("172.18.254.202", 8081, "tcp")
	j := w2.Jumps(local.Chain)
	if len(j) != 3 || j[2].Target != "KUBE-SVL-VFTIEXZF3WTT4T2G" {
		t.Fatalf("Local policy jumps %+v", j)
	}
	eps := w2.Endpoints(j[2].Target)
	if len(eps) != 1 || eps[0].Address != "10.244.1.3:8080" || eps[0].Share != 1 {
		t.Errorf("KUBE-SVL endpoints %+v", eps)
	}
	// The control-plane has no local endpoint: no KUBE-SVL jump.
	cp := load(t, "nft-nat-trace-control-plane.txt").Table("nat")
	for _, r := range cp.Jumps(local.Chain) {
		if strings.HasPrefix(r.Target, "KUBE-SVL-") {
			t.Errorf("control-plane jumps to %s", r.Target)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for name, in := range map[string]string{
		"rule outside table": "-A X -j ACCEPT\n",
		"bad counters":       "*nat\n:X - [1:x]\nCOMMIT\n",
		"unclosed quote":     "*nat\n-A X -m comment --comment \"abc\nCOMMIT\n",
		"not append":         "*nat\n-I X -j ACCEPT\nCOMMIT\n",
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := Parse(in); err == nil {
				t.Error("want an error")
			} else if _, ok := err.(*ParseError); !ok {
				t.Errorf("error %T", err)
			}
		})
	}
}

func TestTokenizeEscapedQuote(t *testing.T) {
	d, err := Parse("*nat\n:X - [0:0]\n[1:2] -A X -m comment --comment \"a \\\"b\\\" -c\" -j RETURN\nCOMMIT\n")
	if err != nil {
		t.Fatal(err)
	}
	r := d.Table("nat").Chain("X").Rules[0]
	if r.Comment() != `a "b" -c` || r.Target != "RETURN" || r.Counters.Bytes != 2 {
		t.Errorf("rule %+v", r)
	}
}
