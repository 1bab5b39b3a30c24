package trace

import (
	"context"
	"sort"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/labctl/labctl/i18n"
	"github.com/labctl/labctl/internal/svcport"
	"github.com/labctl/labctl/trace/iptables"
)

// IngressHop is what the ingress controller does with the request: which
// rule matched and the backend Service's pods it proxies to (directly, by
// pod address: the controller does not go through kube-proxy).
type IngressHop struct {
	Host string `json:"host"`
	Path string `json:"path"`
	// Published is this computer's address for the controller's host
	// port (kind publishes it), when the trace starts here.
	Published      string `json:"published,omitempty"`
	Controller     string `json:"controller"`
	ControllerNode string `json:"controllerNode"`
	// Kind is "Ingress" or "HTTPRoute": what matched; Ingress names it.
	Kind      string     `json:"kind"`
	Ingress   string     `json:"ingress"`
	Rule      string     `json:"rule"`
	Backend   *Service   `json:"backend"`
	Endpoints []Endpoint `json:"endpoints"`
}

// ingress traces http://HOST/PATH: the host port of the controller's pod
// (how labctl's published ports reach it), the Ingress rule that matches,
// and the backend's ready pods.
func (tr *Tracer) ingress(ctx context.Context, w *world, t *Trace, target Target, _ Vantage, _ string, factsCh <-chan map[string]*facts) error {
	port := 80
	if strings.HasPrefix(target.Raw, "https://") {
		port = 443
	}
	mt, err := tr.matchIngress(ctx, target.Host, target.Path)
	if err != nil {
		rt, rerr := tr.matchRoute(ctx, target.Host, target.Path)
		if rerr != nil || rt == nil {
			return err
		}
		mt = rt
	}
	ctrl, err := tr.controllerPod(ctx, int32(port))
	if err != nil {
		return err
	}
	svc, err := tr.Client.CoreV1().Services(mt.namespace).Get(ctx, mt.service, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return errNoService(mt.namespace, mt.service)
	}
	if err != nil {
		return err
	}
	sp, err := svcport.Pick(svc, mt.port)
	if err != nil {
		return err
	}
	h := &IngressHop{Host: target.Host, Path: target.Path, Controller: ctrl.Namespace + "/" + ctrl.Name,
		ControllerNode: ctrl.Spec.NodeName, Kind: mt.kind, Ingress: mt.namespace + "/" + mt.name, Rule: mt.rule,
		Backend: describeService(svc, sp)}
	t.Ingress = h
	if tr.Published != nil && t.From == "host" {
		h.Published = tr.Published(ctx, port)
	}
	e := &t.Entry
	e.Via, e.Node = ViaHostPort, ctrl.Spec.NodeName
	e.Address = hostPortStr(w.nodeIP(e.Node), int32(port))
	e.Reason = ReasonHostPort
	all := <-factsCh
	f := all[e.Node]
	if f == nil || f.err != nil {
		return nodeErr(e.Node, f)
	}
	e.Chain = []string{"CNI-HOSTPORT-DNAT"}
	if chain, dnat, ok := hostPortRule(f.nat, port, ctrl.Status.PodIP); ok {
		e.Chain = append(e.Chain, chain)
		t.Endpoints = []Endpoint{{Address: dnat.ToDestination(), Pod: ctrl.Name, Node: ctrl.Spec.NodeName, Chain: chain,
			Probability: 1, Remainder: true, Share: 1, Packets: dnat.Counters.Packets}}
	} else {
		e.NoRule = true
	}
	for i := range t.Endpoints {
		t.Endpoints[i].Route = routeTo(w, all, e.Node, &t.Endpoints[i])
	}
	for _, b := range tr.readyBackends(ctx, svc, sp) {
		b.Route = routeTo(w, all, e.Node, &b)
		h.Endpoints = append(h.Endpoints, b)
	}
	return nil
}

// hostPortRule finds the CNI portmap DNAT of the node's port to the pod.
func hostPortRule(nat *iptables.Table, port int, podIP string) (string, *iptables.Rule, bool) {
	for _, c := range nat.Chains {
		if !strings.HasPrefix(c.Name, "CNI-DN-") {
			continue
		}
		for _, r := range c.Rules {
			if r.Target == "DNAT" && r.DPort() == strconv.Itoa(port) && ipOf(r.ToDestination()) == podIP {
				return c.Name, r, true
			}
		}
	}
	return "", nil, false
}

// matchIngress finds the Ingress rule a request for host and path follows:
// an exact host before a wildcard before a rule without host, then the
// longest matching path.
// match is the routing rule a request follows and its backend.
type match struct {
	kind, namespace, name, rule string
	service, port               string
}

func (tr *Tracer) matchIngress(ctx context.Context, host, path string) (*match, error) {
	list, err := tr.Client.NetworkingV1().Ingresses("").List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, err
	}
	type cand struct {
		ing       *networkingv1.Ingress
		hostScore int
		pathLen   int
		rule      string
		backend   *networkingv1.IngressServiceBackend
	}
	var best *cand
	for i := range list.Items {
		ing := &list.Items[i]
		for _, r := range ing.Spec.Rules {
			hs := hostScore(r.Host, host)
			if hs == 0 || r.HTTP == nil {
				continue
			}
			for _, p := range r.HTTP.Paths {
				pt := networkingv1.PathTypePrefix
				if p.PathType != nil {
					pt = *p.PathType
				}
				if !pathMatches(pt, p.Path, path) || p.Backend.Service == nil {
					continue
				}
				c := &cand{ing: ing, hostScore: hs, pathLen: len(p.Path), backend: p.Backend.Service,
					rule: strings.TrimSpace(r.Host+" "+p.Path) + " (" + string(pt) + ")"}
				if best == nil || c.hostScore > best.hostScore || c.hostScore == best.hostScore && c.pathLen > best.pathLen {
					best = c
				}
			}
		}
	}
	if best == nil {
		return nil, i18n.Errorf(msgNoIngress, host+path)
	}
	port := best.backend.Port.Name
	if best.backend.Port.Number != 0 {
		port = strconv.Itoa(int(best.backend.Port.Number))
	}
	return &match{kind: "Ingress", namespace: best.ing.Namespace, name: best.ing.Name, rule: best.rule,
		service: best.backend.Name, port: port}, nil
}

func hostScore(rule, host string) int {
	switch {
	case rule == host:
		return 3
	case strings.HasPrefix(rule, "*.") && strings.HasSuffix(host, rule[1:]) && !strings.Contains(strings.TrimSuffix(host, rule[1:]), "."):
		return 2
	case rule == "":
		return 1
	}
	return 0
}

func pathMatches(pt networkingv1.PathType, rule, path string) bool {
	switch pt {
	case networkingv1.PathTypeExact:
		return rule == path
	case networkingv1.PathTypePrefix:
		if rule == "/" {
			return true
		}
		r := strings.TrimSuffix(rule, "/")
		return path == r || strings.HasPrefix(path, r+"/")
	}
	return strings.HasPrefix(path, rule)
}

// controllerPod is the running ingress controller pod that holds the host
// port (labctl installs Traefik or ingress-nginx with hostPort 80/443).
func (tr *Tracer) controllerPod(ctx context.Context, port int32) (*corev1.Pod, error) {
	pods, err := tr.Client.CoreV1().Pods("").List(ctx, metav1.ListOptions{FieldSelector: "status.phase=Running"})
	if err != nil {
		return nil, err
	}
	var found []*corev1.Pod
	for i := range pods.Items {
		p := &pods.Items[i]
		for _, c := range p.Spec.Containers {
			for _, cp := range c.Ports {
				if cp.HostPort == port && p.Status.PodIP != "" {
					found = append(found, p)
				}
			}
		}
	}
	if len(found) == 0 {
		return nil, i18n.Errorf(msgNoController, port)
	}
	sort.Slice(found, func(i, j int) bool { return found[i].Name < found[j].Name })
	return found[0], nil
}

// readyBackends are the Service port's ready endpoints (IP:port, pod, node).
func (tr *Tracer) readyBackends(ctx context.Context, svc *corev1.Service, sp *corev1.ServicePort) []Endpoint {
	slices, err := tr.Client.DiscoveryV1().EndpointSlices(svc.Namespace).List(ctx, metav1.ListOptions{
		LabelSelector: labels.SelectorFromSet(labels.Set{discoveryv1.LabelServiceName: svc.Name}).String()})
	if err != nil {
		return nil
	}
	var out []Endpoint
	for _, s := range slices.Items {
		port := int32(sp.TargetPort.IntValue())
		for _, p := range s.Ports {
			if p.Port != nil && (p.Name == nil && sp.Name == "" || p.Name != nil && *p.Name == sp.Name) {
				port = *p.Port
			}
		}
		for _, ep := range s.Endpoints {
			if ep.Conditions.Ready != nil && !*ep.Conditions.Ready {
				continue
			}
			for _, a := range ep.Addresses {
				e := Endpoint{Address: hostPortStr(a, port)}
				if ep.TargetRef != nil {
					e.Pod = ep.TargetRef.Name
				}
				if ep.NodeName != nil {
					e.Node = *ep.NodeName
				}
				out = append(out, e)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Address < out[j].Address })
	return out
}
