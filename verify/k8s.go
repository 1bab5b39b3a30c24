package verify

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sort"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/labctl/labctl/i18n"
	"github.com/labctl/labctl/internal/svcport"
)

func (e *Env) ns(override string) string {
	if override != "" {
		return override
	}
	if e.Namespace != "" {
		return e.Namespace
	}
	return metav1.NamespaceDefault
}

// service fetches a Service; a missing one is a final failure that names it.
func service(ctx context.Context, env *Env, ns, name string) (*corev1.Service, *Outcome) {
	svc, err := env.Client.CoreV1().Services(ns).Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		o := Missing(msgSvcMissing, ns+"/"+name)
		return nil, &o
	}
	if err != nil {
		o := Errored(err)
		return nil, &o
	}
	return svc, nil
}

// clusterIPPort fetches a Service that must have a ClusterIP to send
// traffic to, and its port (by name or number).
func clusterIPPort(ctx context.Context, env *Env, ns, name, port string) (*corev1.Service, *corev1.ServicePort, *Outcome) {
	svc, miss := service(ctx, env, ns, name)
	if miss != nil {
		return nil, nil, miss
	}
	if svc.Spec.ClusterIP == "" || svc.Spec.ClusterIP == corev1.ClusterIPNone {
		o := Missing(msgSvcNoClusterIP, svc.Name)
		return nil, nil, &o
	}
	sp, miss := servicePort(svc, port)
	if miss != nil {
		return nil, nil, miss
	}
	return svc, sp, nil
}

// servicePort finds the Service port a check means, by labctl's one rule
// (internal/svcport): by name or number, or, for "", the Service's only
// TCP port. A Service without that port is the student's to fix: the
// outcome is final and lists the Service's ports.
func servicePort(svc *corev1.Service, port string) (*corev1.ServicePort, *Outcome) {
	sp, err := svcport.Pick(svc, port)
	var le *i18n.Error
	if errors.As(err, &le) {
		o := Missing(le.Msg, le.Args...)
		return nil, &o
	}
	return sp, nil
}

func describePorts(svc *corev1.Service) string {
	var out []string
	for _, p := range svc.Spec.Ports {
		s := fmt.Sprintf("%d->%s", p.Port, p.TargetPort.String())
		if p.Name != "" {
			s = p.Name + ":" + s
		}
		if p.NodePort != 0 {
			s += fmt.Sprintf(" (nodePort %d)", p.NodePort)
		}
		out = append(out, s)
	}
	return strings.Join(out, ", ")
}

// endpoint is one ready backend of a Service.
type endpoint struct {
	IP   netip.Addr
	Pod  string
	Node string
}

// readyEndpoints lists the ready addresses of a Service from its
// EndpointSlices (what kube-proxy and CoreDNS use). An address that stands
// for a pod counts only while the pod's own Ready condition is true: a
// Service may publish pods that are not ready (publishNotReadyAddresses)
// or terminating, and those are not ready pods.
func readyEndpoints(ctx context.Context, env *Env, svc *corev1.Service) ([]endpoint, error) {
	slices, err := env.Client.DiscoveryV1().EndpointSlices(svc.Namespace).List(ctx, metav1.ListOptions{
		LabelSelector: labels.SelectorFromSet(labels.Set{discoveryv1.LabelServiceName: svc.Name}).String(),
	})
	if err != nil {
		return nil, err
	}
	var pods map[string]*corev1.Pod
	podReady := func(name string) (bool, error) {
		if pods == nil {
			list, err := env.Client.CoreV1().Pods(svc.Namespace).List(ctx, metav1.ListOptions{})
			if err != nil {
				return false, err
			}
			pods = map[string]*corev1.Pod{}
			for i := range list.Items {
				pods[list.Items[i].Name] = &list.Items[i]
			}
		}
		p := pods[name]
		return p != nil && podIsReady(p), nil
	}
	seen := map[netip.Addr]bool{}
	var out []endpoint
	for _, s := range slices.Items {
		for _, ep := range s.Endpoints {
			if ep.Conditions.Ready != nil && !*ep.Conditions.Ready {
				continue
			}
			if ep.TargetRef != nil && ep.TargetRef.Kind == "Pod" {
				ok, err := podReady(ep.TargetRef.Name)
				if err != nil {
					return nil, err
				}
				if !ok {
					continue
				}
			}
			for _, a := range ep.Addresses {
				ip, err := netip.ParseAddr(a)
				if err != nil || seen[ip] {
					continue
				}
				seen[ip] = true
				e := endpoint{IP: ip}
				if ep.TargetRef != nil && ep.TargetRef.Kind == "Pod" {
					e.Pod = ep.TargetRef.Name
				}
				if ep.NodeName != nil {
					e.Node = *ep.NodeName
				}
				out = append(out, e)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].IP.Less(out[j].IP) })
	return out, nil
}

func podNames(eps []endpoint) map[string]bool {
	m := map[string]bool{}
	for _, e := range eps {
		if e.Pod != "" {
			m[e.Pod] = true
		}
	}
	return m
}

func ips(eps []endpoint) []string {
	out := make([]string, len(eps))
	for i, e := range eps {
		out[i] = e.IP.String()
	}
	return out
}

// selectorDiagnosis explains why a Service selects no pods: the selector,
// and the labels of the pods that exist, so a typo stands out.
func selectorDiagnosis(ctx context.Context, env *Env, svc *corev1.Service) []string {
	if len(svc.Spec.Selector) == 0 {
		return []string{"selector: (none)"}
	}
	sel := labels.SelectorFromSet(svc.Spec.Selector)
	ev := []string{"selector: " + sel.String()}
	pods, err := env.Client.CoreV1().Pods(svc.Namespace).List(ctx, metav1.ListOptions{})
	if err != nil {
		return ev
	}
	matching, others := 0, map[string]int{}
	for _, p := range pods.Items {
		if sel.Matches(labels.Set(p.Labels)) {
			matching++
			continue
		}
		if len(p.Labels) > 0 {
			others[labels.Set(p.Labels).String()] = closeness(svc.Spec.Selector, p.Labels)
		}
	}
	ev = append(ev, env.t(evPodsMatching, matching))
	var ls []string
	for l := range others {
		ls = append(ls, l)
	}
	// the labels nearest the selector first (app=http-go for a selector
	// app=http-og), whatever else runs in the namespace
	sort.Slice(ls, func(i, j int) bool {
		if others[ls[i]] != others[ls[j]] {
			return others[ls[i]] > others[ls[j]]
		}
		return ls[i] < ls[j]
	})
	if len(ls) > 5 {
		ls = ls[:5]
	}
	for _, l := range ls {
		ev = append(ev, env.t(evOtherLabels, l))
	}
	return ev
}

// nodeAddresses returns each node's name and InternalIP.
func nodeAddresses(ctx context.Context, env *Env) ([][2]string, error) {
	nodes, err := env.Client.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, err
	}
	var out [][2]string
	for _, n := range nodes.Items {
		for _, a := range n.Status.Addresses {
			if a.Type == corev1.NodeInternalIP {
				out = append(out, [2]string{n.Name, a.Address})
				break
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0] < out[j][0] })
	return out, nil
}

func hostPort(ip string, port int32) string {
	return net.JoinHostPort(ip, strconv.Itoa(int(port)))
}

func parseIP(s string) netip.Addr {
	a, _ := netip.ParseAddr(s)
	return a
}

func sortStrings(s []string) { sort.Strings(s) }

// closeness scores how near a pod's labels are to a selector: a shared key
// counts, a value a few edits away counts more than a different one.
func closeness(selector, podLabels map[string]string) int {
	score := 0
	for k, v := range selector {
		got, ok := podLabels[k]
		if !ok {
			continue
		}
		score += 100 - min(editDistance(v, got), 90)
	}
	return score
}

// editDistance is the Levenshtein distance between two short strings.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
