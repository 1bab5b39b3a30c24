package verify

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/miekg/dns"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// dnsRecords proves what the cluster DNS answers for a name: a CNAME to the
// given target (an ExternalName Service), or A records that are exactly the
// ready pod IPs of a Service (a headless Service), or the Service's ClusterIP.
type dnsRecords struct {
	Name  string `yaml:"name"`
	Type  string `yaml:"type"`
	CNAME string `yaml:"cname"`
	// PodsOf names the Service whose ready endpoints the A records must be.
	PodsOf string `yaml:"podsOf"`
	// ClusterIPOf names the Service whose ClusterIP must be the one A record.
	ClusterIPOf string `yaml:"clusterIPOf"`
	Namespace   string `yaml:"namespace"`
}

func init() {
	register("dnsRecords", func(p dnsRecords) (Checker, error) {
		if p.Name == "" {
			return nil, errors.New("params.name is required")
		}
		p.Type = strings.ToUpper(p.Type)
		if _, ok := dns.StringToType[p.Type]; !ok {
			return nil, fmt.Errorf("params.type %q is not a DNS type", p.Type)
		}
		set := 0
		for _, s := range []string{p.CNAME, p.PodsOf, p.ClusterIPOf} {
			if s != "" {
				set++
			}
		}
		if set != 1 {
			return nil, errors.New("params: give exactly one of cname, podsOf, clusterIPOf")
		}
		if p.CNAME != "" && p.Type != "CNAME" {
			return nil, errors.New("params.cname needs type CNAME")
		}
		if p.CNAME == "" && p.Type != "A" {
			return nil, errors.New("params.podsOf and clusterIPOf need type A")
		}
		return p, nil
	})
}

// serviceOf parses NAME.NS.svc.cluster.local.
func serviceOf(name string) (svc, ns string, ok bool) {
	parts := strings.Split(strings.TrimSuffix(name, "."), ".")
	if len(parts) >= 3 && parts[2] == "svc" {
		return parts[0], parts[1], true
	}
	return "", "", false
}

func (p dnsRecords) Check(ctx context.Context, env *Env) Outcome {
	var seen *dns.Msg // the answer check judged, reused below
	out := p.check(ctx, env, &seen)
	if out.Pass || out.Err != nil || out.Final {
		return out
	}
	// A wrong answer is the student's only when the cluster DNS already
	// answers what the API says now: CoreDNS caches records (kubeadm's
	// Corefile: ttl 30, cache 30), so after a change it may answer from
	// before it for up to half a minute, and a fix could look wrong.
	if name, ns, ok := serviceOf(p.Name); ok {
		if lag := p.dnsLag(ctx, env, ns, name, seen); lag != "" {
			out.CatchingUp = lag
		}
	}
	return out
}

// dnsLag compares what the cluster DNS answers for a Service's name with
// what CoreDNS's kubernetes plugin answers from the API as it is now: a
// CNAME to its externalName, the addresses its EndpointSlices publish when
// it is headless, else its ClusterIP. It returns why they differ ("" when
// they agree or the API cannot tell). seen, the answer the check judged,
// is asked again only when it cannot tell: a CNAME is in the answer to
// either question, A records only in the answer to an A question.
func (p dnsRecords) dnsLag(ctx context.Context, env *Env, ns, name string, seen *dns.Msg) string {
	svc, miss := service(ctx, env, ns, name)
	if miss != nil {
		return ""
	}
	fqdn := dns.Fqdn(p.Name)
	ask := func(qtype uint16) (*dns.Msg, error) {
		if seen != nil && len(seen.Question) == 1 && (qtype == dns.TypeCNAME || seen.Question[0].Qtype == qtype) {
			return seen, nil
		}
		return env.Net.DNS(ctx, fqdn, qtype)
	}
	var want string
	switch {
	case svc.Spec.Type == corev1.ServiceTypeExternalName:
		msg, err := ask(dns.TypeCNAME)
		if err != nil {
			return ""
		}
		want = "CNAME " + dns.Fqdn(svc.Spec.ExternalName)
		for _, rr := range msg.Answer {
			if c, ok := rr.(*dns.CNAME); ok && strings.EqualFold(c.Target, dns.Fqdn(svc.Spec.ExternalName)) {
				return ""
			}
		}
		return fmt.Sprintf("CNAME %s -> %s, want %s", fqdn, answerString(msg), want)
	default:
		addrs, err := publishedAddresses(ctx, env, svc)
		if err != nil {
			return ""
		}
		msg, err := ask(dns.TypeA)
		if err != nil {
			return ""
		}
		got := aRecords(msg)
		if strings.Join(got, ",") == strings.Join(addrs, ",") {
			return ""
		}
		return fmt.Sprintf("A %s -> %s, the API says %s", fqdn, answerString(msg), strings.Join(addrs, ","))
	}
}

// publishedAddresses are the A records the kubernetes plugin serves for a
// Service: its ClusterIP, or for a headless one every address its
// EndpointSlices mark ready (publishNotReadyAddresses marks them all), in
// aRecords' order.
func publishedAddresses(ctx context.Context, env *Env, svc *corev1.Service) ([]string, error) {
	if svc.Spec.ClusterIP != corev1.ClusterIPNone {
		return []string{svc.Spec.ClusterIP}, nil
	}
	slices, err := env.Client.DiscoveryV1().EndpointSlices(svc.Namespace).List(ctx, metav1.ListOptions{
		LabelSelector: labels.SelectorFromSet(labels.Set{discoveryv1.LabelServiceName: svc.Name}).String(),
	})
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []string
	for _, s := range slices.Items {
		if s.AddressType != discoveryv1.AddressTypeIPv4 {
			continue
		}
		for _, ep := range s.Endpoints {
			if ep.Conditions.Ready != nil && !*ep.Conditions.Ready {
				continue
			}
			for _, a := range ep.Addresses {
				if !seen[a] {
					seen[a] = true
					out = append(out, a)
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return ipLess(out[i], out[j]) })
	return out, nil
}

func (p dnsRecords) check(ctx context.Context, env *Env, seen **dns.Msg) Outcome {
	// The name belongs to a Service the student creates: no Service, no record.
	if name, ns, ok := serviceOf(p.Name); ok {
		if _, miss := service(ctx, env, ns, name); miss != nil {
			return *miss
		}
	}
	fqdn := dns.Fqdn(p.Name)
	msg, err := env.Net.DNS(ctx, fqdn, dns.StringToType[p.Type])
	if err != nil {
		return Errored(err)
	}
	*seen = msg
	ev := []string{fmt.Sprintf("%s %s -> %s", p.Type, fqdn, answerString(msg))}
	if msg.Rcode != dns.RcodeSuccess {
		return Failed(msgDNSRcode, fqdn, dns.RcodeToString[msg.Rcode]).With(ev...)
	}
	switch {
	case p.CNAME != "":
		want := dns.Fqdn(p.CNAME)
		for _, rr := range msg.Answer {
			if c, ok := rr.(*dns.CNAME); ok {
				if strings.EqualFold(c.Target, want) {
					return Passed(msgDNSCNAME, fqdn, want).With(ev...)
				}
				return Failed(msgDNSWrongCNAME, fqdn, c.Target, want).With(ev...)
			}
		}
		return Failed(msgDNSNoCNAME, fqdn, want).With(ev...)
	case p.ClusterIPOf != "":
		svc, miss := service(ctx, env, env.ns(p.Namespace), p.ClusterIPOf)
		if miss != nil {
			return *miss
		}
		got := aRecords(msg)
		if len(got) == 1 && got[0] == svc.Spec.ClusterIP {
			return Passed(msgDNSClusterIP, fqdn, got[0]).With(ev...)
		}
		return Failed(msgDNSWantClusterIP, fqdn, svc.Spec.ClusterIP).With(ev...)
	}
	svc, miss := service(ctx, env, env.ns(p.Namespace), p.PodsOf)
	if miss != nil {
		return *miss
	}
	eps, err := readyEndpoints(ctx, env, svc)
	if err != nil {
		return Errored(err)
	}
	want := ips(eps)
	got := aRecords(msg)
	ev = append(ev, env.t(evReadyPods, env.list(want)))
	if len(want) == 0 {
		if d := podProblem(ctx, env, svc.Name, notReadyPods(selected(ctx, env, svc))); d != nil {
			return d.outcome().With(ev...)
		}
		return Failed(msgEndpointsNone, svc.Name).With(ev...).With(selectorDiagnosis(ctx, env, svc)...)
	}
	if strings.Join(got, ",") == strings.Join(want, ",") {
		return Passed(msgDNSPods, fqdn, len(got)).With(ev...)
	}
	if len(got) == 1 && got[0] == svc.Spec.ClusterIP {
		return Failed(msgDNSNotHeadless, fqdn, svc.Spec.ClusterIP).With(ev...)
	}
	if svc.Spec.PublishNotReadyAddresses {
		return Failed(msgDNSPublishNotReady, fqdn, svc.Name).With(ev...)
	}
	return Failed(msgDNSPodsDiffer, fqdn).With(ev...)
}

func aRecords(m *dns.Msg) []string {
	var out []string
	for _, rr := range m.Answer {
		if a, ok := rr.(*dns.A); ok {
			out = append(out, a.A.String())
		}
	}
	sort.Slice(out, func(i, j int) bool { return ipLess(out[i], out[j]) })
	return out
}

func ipLess(a, b string) bool {
	pa, pb := parseIP(a), parseIP(b)
	if pa.IsValid() && pb.IsValid() {
		return pa.Less(pb)
	}
	return a < b
}

func answerString(m *dns.Msg) string {
	if m == nil {
		return "(no answer)"
	}
	if len(m.Answer) == 0 {
		return dns.RcodeToString[m.Rcode] + ", no records"
	}
	var out []string
	for _, rr := range m.Answer {
		h := rr.Header()
		out = append(out, strings.TrimPrefix(rr.String(), h.String()))
	}
	return strings.Join(out, "; ")
}
