package verify

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/netip"
	"sort"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/labctl/labctl/i18n"
	"github.com/labctl/labctl/trace/iptables"
)

// kubeProxyRules proves that kube-proxy (iptables mode) has programmed
// every node for a Service: on each node the Service's KUBE-SVC chain picks
// exactly the Service's ready endpoints (IP:port, from its EndpointSlices),
// with the probabilities that split new connections evenly (1/n, 1/(n-1),
// …, 1), and, when replicas is given, there are that many.
type kubeProxyRules struct {
	Service   string `yaml:"service"`
	Namespace string `yaml:"namespace"`
	Port      string `yaml:"port"`
	Replicas  int    `yaml:"replicas"`
}

func init() {
	register("kubeProxyRules", func(p kubeProxyRules) (Checker, error) {
		if p.Service == "" {
			return nil, errors.New("params.service is required")
		}
		if p.Replicas < 0 {
			return nil, fmt.Errorf("params.replicas %d: want 1 or more", p.Replicas)
		}
		return p, nil
	})
	// It reads every node through its shells: open them early.
	nodeKinds["kubeProxyRules"] = true
}

func (p kubeProxyRules) DependsOn(env *Env) Dependencies {
	return serviceDeps(env.ns(p.Namespace), p.Service)
}

// probTolerance: kube-proxy writes probabilities with 11 decimals
// (0.33333333349 for 1/3).
const probTolerance = 1e-4

func (p kubeProxyRules) Check(ctx context.Context, env *Env) Outcome {
	svc, sp, miss := clusterIPPort(ctx, env, env.ns(p.Namespace), p.Service, p.Port)
	if miss != nil {
		return *miss
	}
	if env.Nodes == nil {
		return Errored(i18n.Errorf(msgKPNoNodes))
	}
	eps, err := readyEndpoints(ctx, env, svc)
	if err != nil {
		return Errored(err)
	}
	port, err := endpointPort(ctx, env, svc, sp)
	if err != nil {
		return Errored(err)
	}
	want := make([]string, len(eps))
	for i, e := range eps {
		want[i] = epAddr(e.IP.String(), port)
	}
	if p.Replicas > 0 && len(eps) != p.Replicas {
		return Failed(msgKPReplicas, svc.Name, len(eps), p.Replicas).With(env.t(evEndpoints, env.list(want)))
	}
	if len(eps) == 0 {
		return Failed(msgEndpointsNone, svc.Name).With(selectorDiagnosis(ctx, env, svc)...)
	}
	outs, err := env.Nodes.OnNodes(ctx, "iptables-save -c -t nat")
	if err != nil {
		return Errored(err)
	}
	names := make([]string, 0, len(outs))
	for n := range outs {
		names = append(names, n)
	}
	sort.Strings(names)
	proto := strings.ToLower(string(sp.Protocol))
	var evidence []string
	for _, node := range names {
		dump, err := iptables.Parse(outs[node])
		if err != nil {
			return Errored(fmt.Errorf("node %s: %w", node, err))
		}
		nat := dump.Table("nat")
		chain := nat.ServiceChain(svc.Spec.ClusterIP, int(sp.Port), proto)
		if chain == "" {
			return Failed(msgKPNoChain, node, svc.Name, hostPort(svc.Spec.ClusterIP, sp.Port)).With(evidence...)
		}
		got := nat.Endpoints(chain)
		evidence = append(evidence, fmt.Sprintf("%s %s: %s", node, chain, describeRuleEndpoints(got)))
		if !sameAddresses(got, want) {
			return Failed(msgKPWrongSet, node, len(got), addrList(got), len(want), strings.Join(want, ", ")).With(evidence...)
		}
		n := len(got)
		for i, e := range got {
			exp := 1 / float64(n-i)
			if math.Abs(e.Probability-exp) > probTolerance || (i == n-1) != e.Remainder {
				return Failed(msgKPProbability, node, e.Address, fmtProb(e.Probability), fmtProb(exp), n).With(evidence...)
			}
		}
	}
	return Passed(msgKPOK, len(names), svc.Name, len(want), strings.Join(want, ", ")).With(evidence...)
}

// epAddr is IP:PORT, or the IP alone when the port is unknown (0).
func epAddr(ip string, port int) string {
	if port == 0 {
		return ip
	}
	return hostPort(ip, int32(port))
}

// endpointPort is the port the Service port's endpoints listen on, read
// from the EndpointSlices (a named targetPort resolves per pod there); the
// Service's numeric targetPort when no slice says; 0 when neither does.
func endpointPort(ctx context.Context, env *Env, svc *corev1.Service, sp *corev1.ServicePort) (int, error) {
	slices, err := env.Client.DiscoveryV1().EndpointSlices(svc.Namespace).List(ctx, metav1.ListOptions{
		LabelSelector: labels.SelectorFromSet(labels.Set{discoveryv1.LabelServiceName: svc.Name}).String(),
	})
	if err != nil {
		return 0, err
	}
	for _, s := range slices.Items {
		for _, p := range s.Ports {
			if p.Port != nil && (p.Name == nil && sp.Name == "" || p.Name != nil && *p.Name == sp.Name) {
				return int(*p.Port), nil
			}
		}
	}
	return sp.TargetPort.IntValue(), nil
}

// sameAddresses compares the DNAT targets with the ready endpoints; with
// want lacking ports (unknown), only the addresses.
func sameAddresses(got []iptables.Endpoint, want []string) bool {
	if len(got) != len(want) {
		return false
	}
	set := map[string]bool{}
	for _, w := range want {
		set[w] = true
	}
	for _, g := range got {
		a := g.Address
		if !set[a] {
			if ap, err := netip.ParseAddrPort(a); err != nil || !set[ap.Addr().String()] {
				return false
			}
		}
	}
	return true
}

func addrList(eps []iptables.Endpoint) string {
	if len(eps) == 0 {
		return "-"
	}
	out := make([]string, len(eps))
	for i, e := range eps {
		out[i] = e.Address
	}
	return strings.Join(out, ", ")
}

func describeRuleEndpoints(eps []iptables.Endpoint) string {
	if len(eps) == 0 {
		return "-"
	}
	out := make([]string, len(eps))
	for i, e := range eps {
		out[i] = e.Address + " p=" + fmtProb(e.Probability)
	}
	return strings.Join(out, ", ")
}

func fmtProb(p float64) string { return strconv.FormatFloat(p, 'f', 3, 64) }

var (
	msgKPNoNodes = i18n.M("check.kp.no-nodes",
		"labctl cannot read the nodes' rules on this cluster (node access needs a kind cluster labctl made)",
		"이 클러스터에서는 노드의 규칙을 읽을 수 없습니다 (노드 접근은 labctl 이 만든 kind 클러스터에서만 됩니다)")
	msgKPReplicas = i18n.M("check.kp.replicas",
		"Service %s has %d ready endpoints; the step asks for %d: scale the Deployment (kubectl scale) and wait for the pods to be Ready",
		"Service %s 의 준비된 엔드포인트가 %d 개입니다. 이 단계는 %d 개를 요구합니다: Deployment 를 스케일하고(kubectl scale) 파드가 Ready 가 될 때까지 기다리세요")
	msgKPNoChain = i18n.M("check.kp.no-chain",
		"node %s has no kube-proxy rule for Service %s (%s) in KUBE-SERVICES: is kube-proxy running on that node?",
		"노드 %s 의 KUBE-SERVICES 에 Service %s (%s) 의 kube-proxy 규칙이 없습니다: 그 노드에서 kube-proxy 가 동작하나요?")
	msgKPWrongSet = i18n.M("check.kp.wrong-set",
		"node %s lists %d endpoints (%s); the Service has %d ready (%s): kube-proxy has not caught up, or is not running there",
		"노드 %s 의 규칙에는 엔드포인트가 %d 개 (%s) 있습니다. Service 의 준비된 엔드포인트는 %d 개 (%s) 입니다: kube-proxy 가 아직 따라오지 못했거나 그 노드에서 동작하지 않습니다")
	msgKPProbability = i18n.M("check.kp.probability",
		"node %s picks %s with probability %s, want %s (an even split over %d endpoints)",
		"노드 %s 가 %s 를 확률 %s 로 고릅니다. %s 여야 합니다 (엔드포인트 %d 개에 고르게 나누는 확률)")
	msgKPOK = i18n.M("check.kp.ok",
		"on all %d nodes kube-proxy's chain for Service %s picks its %d ready endpoints evenly (%s)",
		"노드 %d 개 모두에서 Service %s 의 kube-proxy 체인이 준비된 엔드포인트 %d 개 (%s) 를 고르게 고릅니다")
)
