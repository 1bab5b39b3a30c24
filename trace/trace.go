// Package trace follows a packet from a vantage point (this computer, a
// node, a pod) to a Service's pods, reading the truth live and read-only:
// the Kubernetes API for Services, EndpointSlices, MetalLB's announcements
// and Ingress rules; the nodes themselves (through the shells labctl keeps
// in kind's node containers) for kube-proxy's iptables rules and the
// routes between nodes. labctl trace and the TUI's trace view draw it.
package trace

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"

	"github.com/labctl/labctl/i18n"
	"github.com/labctl/labctl/internal/svcport"
	"github.com/labctl/labctl/trace/iptables"
)

// Nodes runs read-only command lines in the lab's nodes.
type Nodes interface {
	Run(ctx context.Context, node, line string) (string, error)
}

// Tracer builds traces.
type Tracer struct {
	Client  kubernetes.Interface
	Dynamic dynamic.Interface
	Nodes   Nodes
	// Published, when set, is the address on this computer that reaches a
	// port of the ingress controller's node (kind's published host ports).
	Published func(ctx context.Context, port int) string
}

// Trace is the path a packet takes, hop by hop.
type Trace struct {
	Target string `json:"target"`
	From   string `json:"from"`
	// Source is the packet's source address when known (a pod's or a node's).
	Source  string      `json:"source,omitempty"`
	Service *Service    `json:"service,omitempty"`
	Ingress *IngressHop `json:"ingress,omitempty"`
	Entry   Entry       `json:"entry"`
	// Endpoints are where kube-proxy sends the packet (for an Ingress: the
	// controller's pods; the backends are under Ingress).
	Endpoints []Endpoint `json:"endpoints"`
	ElapsedMS int64      `json:"elapsedMs"`
}

// Service is the Service the packet is addressed to.
type Service struct {
	Namespace             string `json:"namespace"`
	Name                  string `json:"name"`
	Type                  string `json:"type"`
	ClusterIP             string `json:"clusterIP"`
	Port                  int32  `json:"port"`
	PortName              string `json:"portName,omitempty"`
	Protocol              string `json:"protocol"`
	NodePort              int32  `json:"nodePort,omitempty"`
	LoadBalancerIP        string `json:"loadBalancerIP,omitempty"`
	ExternalTrafficPolicy string `json:"externalTrafficPolicy,omitempty"`
	SessionAffinity       string `json:"sessionAffinity,omitempty"`
}

// Ref is NS/NAME.
func (s *Service) Ref() string { return s.Namespace + "/" + s.Name }

// Via says how the packet enters the Service.
type Via string

// The ways in.
const (
	ViaClusterIP    Via = "clusterIP"
	ViaNodePort     Via = "nodePort"
	ViaLoadBalancer Via = "loadBalancer"
	ViaHostPort     Via = "hostPort"
)

// Entry is the packet's way in: the address it is sent to, the node whose
// rules it walks, and the chains there.
type Entry struct {
	Via     Via    `json:"via"`
	Address string `json:"address"`
	Node    string `json:"node"`
	// ARP is the node that answers ARP for a LoadBalancer address.
	ARP *ARP `json:"arp,omitempty"`
	// Chain is the chains walked, KUBE-SERVICES first.
	Chain []string `json:"chain"`
	// Masquerade says whether the packet's source is rewritten to the
	// node's address, and why (a Reason* code).
	Masquerade bool   `json:"masquerade"`
	Reason     string `json:"masqueradeReason"`
	// PodCIDR is the cluster's pod network as kube-proxy's rules name it.
	PodCIDR string `json:"podCIDR,omitempty"`
	// Note is a Note* code: something the student should know about this
	// path (a ClusterIP traced from a node because this computer cannot
	// reach it; no rule because the Service has no ready endpoint).
	Note string `json:"note,omitempty"`
	// NoRule: the entry node has no kube-proxy rule for the address.
	NoRule bool `json:"noRule,omitempty"`
}

// ARP says who answers ARP for a LoadBalancer address.
type ARP struct {
	Node string `json:"node"`
	// Source is where labctl read it: "ServiceL2Status" or "event".
	Source string `json:"source"`
}

// Endpoint is one pod the packet may reach.
type Endpoint struct {
	Address string `json:"address"`
	Pod     string `json:"pod,omitempty"`
	Node    string `json:"node,omitempty"`
	// Chain is the endpoint's KUBE-SEP chain.
	Chain       string  `json:"chain,omitempty"`
	Probability float64 `json:"probability,omitempty"`
	Remainder   bool    `json:"remainder,omitempty"`
	Share       float64 `json:"share,omitempty"`
	// Packets counts new connections sent here (the DNAT rule's counter).
	Packets uint64 `json:"packets"`
	// Hairpin: the endpoint is the sending pod itself (masqueraded so the
	// answer comes back through the node).
	Hairpin bool  `json:"hairpin,omitempty"`
	Route   Route `json:"route"`
}

// Route is how the entry node reaches an endpoint, and the pod's interface
// on its own node.
type Route struct {
	// Local: the pod runs on the entry node.
	Local bool `json:"local"`
	// Via is the next hop (the pod's node) when it is elsewhere.
	Via     string `json:"via,omitempty"`
	ViaNode string `json:"viaNode,omitempty"`
	Dev     string `json:"dev,omitempty"`
	// Rule is the route as ip route prints it on the entry node.
	Rule string `json:"rule,omitempty"`
	// Veth is the pod's interface on its node (the host end of its veth).
	Veth string `json:"veth,omitempty"`
}

// Masquerade reasons and notes (codes; Render words them).
const (
	ReasonOutsidePodCIDR  = "source-outside-pod-cidr"
	ReasonPodSource       = "pod-source"
	ReasonExternalCluster = "external-policy-cluster"
	ReasonExternalLocal   = "external-policy-local"
	ReasonLocalFromNode   = "external-policy-local-node-source"
	ReasonHostPort        = "hostport"

	NoteClusterIPFromHost = "clusterip-from-host"
	NoteNoLocalEndpoints  = "no-local-endpoints"
	NoteLBInCluster       = "lb-in-cluster"
)

// errors the front ends show.
var (
	errNoService = func(ns, name string) error { return i18n.Errorf(msgNoService, ns+"/"+name) }
)

// facts is what one node told us.
type facts struct {
	nat    *iptables.Table
	routes []route
	err    error
}

const sep = "@@labctl-trace@@"

// nodeLine reads a node's nat rules and routes in one round trip.
const nodeLine = "iptables-save -c -t nat; echo " + sep + "; ip -4 route"

// readNodes asks every node at once.
func (tr *Tracer) readNodes(ctx context.Context, names []string) map[string]*facts {
	out := make(map[string]*facts, len(names))
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, n := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f := &facts{}
			text, err := tr.Nodes.Run(ctx, n, nodeLine)
			if err == nil {
				f.nat, f.routes, err = parseFacts(text)
			}
			f.err = err
			mu.Lock()
			out[n] = f
			mu.Unlock()
		}()
	}
	wg.Wait()
	return out
}

func parseFacts(text string) (*iptables.Table, []route, error) {
	rules, routes, _ := strings.Cut(text, sep)
	d, err := iptables.Parse(rules)
	if err != nil {
		return nil, nil, err
	}
	nat := d.Table("nat")
	if nat == nil {
		nat = &iptables.Table{Name: "nat"}
	}
	return nat, parseRoutes(routes), nil
}

// world is what the API told us, read once per trace.
type world struct {
	nodes  []corev1.Node
	byIP   map[string]string
	worker string
}

func (tr *Tracer) readWorld(ctx context.Context) (*world, error) {
	list, err := tr.Client.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, err
	}
	w := &world{nodes: list.Items, byIP: map[string]string{}}
	sort.Slice(w.nodes, func(i, j int) bool { return w.nodes[i].Name < w.nodes[j].Name })
	for _, n := range w.nodes {
		for _, a := range n.Status.Addresses {
			if a.Type == corev1.NodeInternalIP {
				w.byIP[a.Address] = n.Name
			}
		}
		if _, cp := n.Labels["node-role.kubernetes.io/control-plane"]; !cp && w.worker == "" {
			w.worker = n.Name
		}
	}
	if w.worker == "" && len(w.nodes) > 0 {
		w.worker = w.nodes[0].Name
	}
	return w, nil
}

func (w *world) names() []string {
	out := make([]string, len(w.nodes))
	for i, n := range w.nodes {
		out[i] = n.Name
	}
	return out
}

func (w *world) nodeIP(name string) string {
	for ip, n := range w.byIP {
		if n == name {
			return ip
		}
	}
	return ""
}

func (w *world) has(name string) bool {
	for _, n := range w.nodes {
		if n.Name == name {
			return true
		}
	}
	return false
}

// Run traces target from vantage.
func (tr *Tracer) Run(ctx context.Context, target Target, from Vantage) (*Trace, error) {
	start := time.Now()
	w, err := tr.readWorld(ctx)
	if err != nil {
		return nil, err
	}
	// The nodes are read while the API answers the rest.
	factsCh := make(chan map[string]*facts, 1)
	go func() { factsCh <- tr.readNodes(ctx, w.names()) }()
	t := &Trace{Target: target.Raw, From: from.String()}
	src, srcNode, err := tr.vantage(ctx, w, from)
	if err != nil {
		return nil, err
	}
	t.Source = src
	if target.Kind == ToIngress {
		err = tr.ingress(ctx, w, t, target, from, srcNode, factsCh)
	} else {
		err = tr.service(ctx, w, t, target, from, srcNode, factsCh)
	}
	if err != nil {
		return nil, err
	}
	t.ElapsedMS = time.Since(start).Milliseconds()
	return t, nil
}

// vantage resolves where the packet starts: its source address and node.
func (tr *Tracer) vantage(ctx context.Context, w *world, v Vantage) (string, string, error) {
	switch v.Kind {
	case FromNode:
		if !w.has(v.Node) {
			return "", "", i18n.Errorf(msgNoNode, v.Node, strings.Join(w.names(), ", "))
		}
		return w.nodeIP(v.Node), v.Node, nil
	case FromPod:
		p, err := tr.Client.CoreV1().Pods(v.Namespace).Get(ctx, v.Pod, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return "", "", i18n.Errorf(msgNoPod, v.Namespace+"/"+v.Pod)
		}
		if err != nil {
			return "", "", err
		}
		if p.Spec.NodeName == "" || p.Status.PodIP == "" {
			return "", "", i18n.Errorf(msgPodNotRunning, v.Namespace+"/"+v.Pod)
		}
		return p.Status.PodIP, p.Spec.NodeName, nil
	}
	return "", "", nil
}

// service traces a Service address.
func (tr *Tracer) service(ctx context.Context, w *world, t *Trace, target Target, from Vantage, srcNode string, factsCh <-chan map[string]*facts) error {
	svc, sp, via, err := tr.resolve(ctx, w, target)
	if err != nil {
		return err
	}
	t.Service = describeService(svc, sp)
	e := &t.Entry
	e.Via = via
	// From inside the cluster, a client uses the ClusterIP of svc/NAME.
	if target.Kind == ToService && from.Kind != FromHost {
		e.Via = ViaClusterIP
	}
	if target.Kind == ToService && from.Kind == FromHost && e.Via == ViaClusterIP {
		e.Note = NoteClusterIPFromHost
	}
	switch e.Via {
	case ViaLoadBalancer:
		e.Address = hostPortStr(t.Service.LoadBalancerIP, t.Service.Port)
		e.ARP = tr.arp(ctx, svc)
		e.Node = srcNode
		if e.Node == "" && e.ARP != nil {
			e.Node = e.ARP.Node
		}
		if srcNode != "" {
			e.Note = NoteLBInCluster
		}
	case ViaNodePort:
		node := ""
		if target.Kind == ToNodePort {
			node = target.Name
		}
		if node == "" && target.IP.IsValid() {
			node = w.byIP[target.IP.String()]
		}
		if node == "" {
			node = w.worker
		}
		e.Node = node
		e.Address = hostPortStr(w.nodeIP(node), t.Service.NodePort)
	default:
		e.Address = hostPortStr(t.Service.ClusterIP, t.Service.Port)
		e.Node = srcNode
		if e.Node == "" {
			e.Node = w.worker
		}
	}
	if e.Node == "" {
		return i18n.Errorf(msgNoEntryNode, t.Service.Ref())
	}
	all := <-factsCh
	f := all[e.Node]
	if f == nil || f.err != nil {
		return nodeErr(e.Node, f)
	}
	tr.walk(t, f.nat, from.Kind)
	eps := tr.sliceEndpoints(ctx, svc)
	for i := range t.Endpoints {
		ep := &t.Endpoints[i]
		if info, ok := eps[ipOf(ep.Address)]; ok {
			ep.Pod, ep.Node = info.pod, info.node
		}
		if from.Kind == FromPod && ipOf(ep.Address) == t.Source {
			ep.Hairpin = true
		}
		ep.Route = routeTo(w, all, e.Node, ep)
	}
	return nil
}

// walk follows kube-proxy's chains on the entry node.
func (tr *Tracer) walk(t *Trace, nat *iptables.Table, from VantageKind) {
	e, s := &t.Entry, t.Service
	proto := strings.ToLower(s.Protocol)
	var entry iptables.Entry
	var ok bool
	e.Chain = []string{iptables.KubeServices}
	switch e.Via {
	case ViaNodePort:
		entry, ok = nat.LookupNodePort(int(s.NodePort), proto)
		e.Chain = append(e.Chain, iptables.KubeNodePorts)
	case ViaLoadBalancer:
		entry, ok = nat.Lookup(s.LoadBalancerIP, int(s.Port), proto)
	default:
		entry, ok = nat.Lookup(s.ClusterIP, int(s.Port), proto)
	}
	if !ok {
		e.NoRule = true
		return
	}
	chain := entry.Chain
	e.Chain = append(e.Chain, chain)
	if strings.HasPrefix(chain, "KUBE-EXT-") {
		chain = tr.external(e, nat, chain, from)
		if chain == "" {
			e.Note = NoteNoLocalEndpoints
			return
		}
		e.Chain = append(e.Chain, chain)
	} else {
		// A ClusterIP: kube-proxy masquerades what does not come from a pod.
		for _, r := range nat.MasqRules(chain) {
			if src, neg := r.Source(); neg && src != "" {
				e.PodCIDR = src
			}
		}
		if from == FromPod {
			e.Reason = ReasonPodSource
		} else {
			e.Masquerade, e.Reason = true, ReasonOutsidePodCIDR
		}
	}
	for _, ep := range nat.Endpoints(chain) {
		t.Endpoints = append(t.Endpoints, Endpoint{Address: ep.Address, Chain: ep.Chain, Probability: ep.Probability,
			Remainder: ep.Remainder, Share: ep.Share, Packets: ep.Counters.Packets})
	}
}

// external reads a KUBE-EXT chain: whether it masquerades, and which chain
// it hands the packet to for this source.
func (tr *Tracer) external(e *Entry, nat *iptables.Table, chain string, from VantageKind) string {
	local := false
	for _, r := range nat.Jumps(chain) {
		if strings.HasPrefix(r.Target, "KUBE-SVL-") {
			local = true
		}
	}
	if !local && len(nat.MasqRules(chain)) > 0 && !hasSourceRule(nat, chain) {
		// externalTrafficPolicy Cluster: everything from outside is masqueraded.
		e.Masquerade, e.Reason = true, ReasonExternalCluster
		for _, r := range nat.Jumps(chain) {
			return r.Target
		}
		return ""
	}
	// externalTrafficPolicy Local: pods and the node itself go to every
	// endpoint (the node's own traffic masqueraded); others only to this
	// node's endpoints, keeping the client's address.
	for _, r := range nat.Jumps(chain) {
		src, _ := r.Source()
		switch {
		case src != "" && from == FromPod:
			e.PodCIDR, e.Reason = src, ReasonPodSource
			return r.Target
		case r.HasModule("addrtype") && from == FromNode:
			e.Masquerade, e.Reason = true, ReasonLocalFromNode
			return r.Target
		case src == "" && !r.HasModule("addrtype") && from == FromHost:
			e.Reason = ReasonExternalLocal
			return r.Target
		}
	}
	e.Reason = ReasonExternalLocal
	return ""
}

func hasSourceRule(nat *iptables.Table, chain string) bool {
	for _, r := range nat.Jumps(chain) {
		if s, _ := r.Source(); s != "" || r.HasModule("addrtype") {
			return true
		}
	}
	return false
}

func nodeErr(node string, f *facts) error {
	if f == nil {
		return i18n.Errorf(msgNodeUnread, node)
	}
	return i18n.Errorf(msgNodeUnread, node).Wrap(f.err)
}

// resolve finds the Service and port a target names, and how the packet
// enters it.
func (tr *Tracer) resolve(ctx context.Context, w *world, target Target) (*corev1.Service, *corev1.ServicePort, Via, error) {
	switch target.Kind {
	case ToService:
		svc, err := tr.Client.CoreV1().Services(target.Namespace).Get(ctx, target.Name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return nil, nil, "", errNoService(target.Namespace, target.Name)
		}
		if err != nil {
			return nil, nil, "", err
		}
		sp, err := svcport.Pick(svc, target.Port)
		if err != nil {
			return nil, nil, "", portFix(err, "svc/"+target.Name)
		}
		if svc.Spec.ClusterIP == "" || svc.Spec.ClusterIP == corev1.ClusterIPNone {
			return nil, nil, "", i18n.Errorf(msgHeadless, svc.Namespace+"/"+svc.Name)
		}
		switch {
		case svc.Spec.Type == corev1.ServiceTypeLoadBalancer && lbIP(svc) != "":
			return svc, sp, ViaLoadBalancer, nil
		case svc.Spec.Type == corev1.ServiceTypeNodePort || svc.Spec.Type == corev1.ServiceTypeLoadBalancer:
			return svc, sp, ViaNodePort, nil
		}
		return svc, sp, ViaClusterIP, nil
	case ToNodePort, ToAddress:
		list, err := tr.Client.CoreV1().Services("").List(ctx, metav1.ListOptions{})
		if err != nil {
			return nil, nil, "", err
		}
		ip := target.IP.String()
		if target.Kind == ToNodePort {
			if !w.has(target.Name) {
				return nil, nil, "", i18n.Errorf(msgNoNode, target.Name, strings.Join(w.names(), ", "))
			}
			ip = w.nodeIP(target.Name)
		}
		_, isNode := w.byIP[ip]
		for i := range list.Items {
			svc := &list.Items[i]
			if !isNode {
				// the Service's address: its port by the one rule
				var via Via
				switch ip {
				case svc.Spec.ClusterIP:
					via = ViaClusterIP
				case lbIP(svc):
					via = ViaLoadBalancer
				default:
					continue
				}
				sp, err := svcport.Pick(svc, target.Port)
				if err != nil {
					return nil, nil, "", portFix(err, ip)
				}
				return svc, sp, via, nil
			}
			for j := range svc.Spec.Ports {
				sp := &svc.Spec.Ports[j]
				if sp.NodePort != 0 && target.Port == strconv.Itoa(int(sp.NodePort)) {
					return svc, sp, ViaNodePort, nil
				}
			}
		}
		return nil, nil, "", i18n.Errorf(msgNoAddress, target.Raw)
	}
	return nil, nil, "", i18n.Errorf(msgBadTarget, target.Raw)
}

// portFix adds to a port error how to name the port in the target.
func portFix(err error, target string) error {
	var le *i18n.Error
	if errors.As(err, &le) && le.Fix == nil {
		le.WithFix(fixPort, target)
	}
	return err
}

func lbIP(svc *corev1.Service) string {
	for _, in := range svc.Status.LoadBalancer.Ingress {
		if in.IP != "" {
			return in.IP
		}
	}
	return ""
}

func describeService(svc *corev1.Service, sp *corev1.ServicePort) *Service {
	s := &Service{Namespace: svc.Namespace, Name: svc.Name, Type: string(svc.Spec.Type), ClusterIP: svc.Spec.ClusterIP,
		Port: sp.Port, PortName: sp.Name, Protocol: string(sp.Protocol), NodePort: sp.NodePort, LoadBalancerIP: lbIP(svc),
		SessionAffinity: string(svc.Spec.SessionAffinity)}
	if s.Protocol == "" {
		s.Protocol = "TCP"
	}
	if svc.Spec.Type == corev1.ServiceTypeLoadBalancer || svc.Spec.Type == corev1.ServiceTypeNodePort {
		s.ExternalTrafficPolicy = string(svc.Spec.ExternalTrafficPolicy)
	}
	return s
}

func hostPortStr(ip string, port int32) string {
	if ip == "" {
		return "?"
	}
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	return netip.AddrPortFrom(a, uint16(port)).String()
}

func ipOf(addrPort string) string {
	if ap, err := netip.ParseAddrPort(addrPort); err == nil {
		return ap.Addr().String()
	}
	return addrPort
}

type podInfo struct{ pod, node string }

// sliceEndpoints maps each endpoint address of the Service to its pod and node.
func (tr *Tracer) sliceEndpoints(ctx context.Context, svc *corev1.Service) map[string]podInfo {
	out := map[string]podInfo{}
	slices, err := tr.Client.DiscoveryV1().EndpointSlices(svc.Namespace).List(ctx, metav1.ListOptions{
		LabelSelector: labels.SelectorFromSet(labels.Set{discoveryv1.LabelServiceName: svc.Name}).String()})
	if err != nil {
		return out
	}
	for _, s := range slices.Items {
		for _, ep := range s.Endpoints {
			info := podInfo{}
			if ep.TargetRef != nil && ep.TargetRef.Kind == "Pod" {
				info.pod = ep.TargetRef.Name
			}
			if ep.NodeName != nil {
				info.node = *ep.NodeName
			}
			for _, a := range ep.Addresses {
				out[a] = info
			}
		}
	}
	return out
}

// String renders a probability the way the hop list prints it.
func prob(p float64) string { return fmt.Sprintf("%.3f", p) }
