package verify

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/labctl/labctl/i18n"
)

// clientIP asks agnhost netexec's /clientip from inside a pod: it answers
// with the source address:port it saw.
func clientIP(ctx context.Context, env *Env, from *corev1.Pod, url string) (netip.Addr, string, *Outcome) {
	body, failure, o := fetchIn(ctx, env, from, "", url)
	if o != nil {
		return netip.Addr{}, "", o
	}
	if failure != "" {
		return netip.Addr{}, failure, nil
	}
	body = strings.TrimSpace(body)
	host, _, err := net.SplitHostPort(body)
	if err != nil {
		host = body
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}, "", nil
	}
	return a.Unmap(), "", nil
}

// podToPod proves two pods on different nodes talk without NAT: from the
// sender, the receiver's agnhost netexec says which source address it saw.
type podToPod struct {
	From      string `yaml:"from"`
	To        string `yaml:"to"`
	Port      int    `yaml:"port"`
	Namespace string `yaml:"namespace"`
}

func init() {
	register("podToPod", func(p podToPod) (Checker, error) {
		if p.From == "" || p.To == "" {
			return nil, errors.New("params.from and params.to are required")
		}
		if p.Port == 0 {
			p.Port = 8080
		}
		return p, nil
	})
}

func (p podToPod) DependsOn(env *Env) Dependencies {
	ns := env.ns(p.Namespace)
	return Dependencies{Objects: []ObjectRef{{Kind: "Pod", Namespace: ns, Name: p.From}, {Kind: "Pod", Namespace: ns, Name: p.To}}}
}

func (p podToPod) Check(ctx context.Context, env *Env) Outcome {
	ns := env.ns(p.Namespace)
	from, o := runningPod(ctx, env, ns, p.From)
	if o != nil {
		return *o
	}
	to, o := runningPod(ctx, env, ns, p.To)
	if o != nil {
		return *o
	}
	ev := []string{
		fmt.Sprintf("%s %s on %s", from.Name, from.Status.PodIP, from.Spec.NodeName),
		fmt.Sprintf("%s %s on %s", to.Name, to.Status.PodIP, to.Spec.NodeName),
	}
	if from.Spec.NodeName == to.Spec.NodeName {
		return Missing(msgSameNode, p.From, p.To, from.Spec.NodeName).With(ev...)
	}
	target := net.JoinHostPort(to.Status.PodIP, fmt.Sprint(p.Port))
	seen, failure, o := clientIP(ctx, env, from, "http://"+target+"/clientip")
	if o != nil {
		return *o
	}
	if failure != "" {
		return Failed(msgCrossNoReach, p.From, p.To, target, failure).With(ev...)
	}
	if !seen.IsValid() {
		return Missing(msgBadClientIP, p.To, "").With(ev...)
	}
	own, _ := netip.ParseAddr(from.Status.PodIP)
	if seen != own {
		return Failed(msgCrossNAT, p.To, seen.String(), p.From, from.Status.PodIP).With(ev...)
	}
	route := "?"
	if env.Node != nil {
		if out, err := env.Node.RunNode(ctx, from.Spec.NodeName, "ip route get "+to.Status.PodIP); err == nil {
			route = firstLine(strings.TrimSpace(out))
		}
	}
	return Passed(msgCrossOK, p.From, from.Status.PodIP, from.Spec.NodeName, p.To, to.Status.PodIP, to.Spec.NodeName,
		seen.String(), from.Spec.NodeName, route).With(ev...)
}

// egress is what the outside server saw of a pod.
type egress struct {
	Pod     *corev1.Pod
	Outside netip.Addr
	Seen    netip.Addr
	NodeIP  netip.Addr
}

// readEgress asks the outside server, from inside the pod, which address
// it sees. The outcome is set when the pod cannot ask.
func readEgress(ctx context.Context, env *Env, ns, pod string) (*egress, *Outcome) {
	if env.Node == nil {
		o := Errored(i18n.Errorf(msgNoNodeRunner))
		return nil, &o
	}
	p, o := runningPod(ctx, env, ns, pod)
	if o != nil {
		return nil, o
	}
	out, err := env.Node.Outside(ctx)
	if err != nil {
		o := Errored(err)
		return nil, &o
	}
	url := fmt.Sprintf("http://%s/clientip", net.JoinHostPort(out.String(), "8080"))
	seen, failure, o := clientIP(ctx, env, p, url)
	if o != nil {
		return nil, o
	}
	if failure != "" || !seen.IsValid() {
		if failure == "" {
			failure = "no address in the answer"
		}
		f := Failed(msgEgressNoReach, pod, url, failure)
		return nil, &f
	}
	e := &egress{Pod: p, Outside: out, Seen: seen}
	if n, err := env.Client.CoreV1().Nodes().Get(ctx, p.Spec.NodeName, metav1.GetOptions{}); err == nil {
		for _, a := range n.Status.Addresses {
			if a.Type == corev1.NodeInternalIP {
				if ip, err := netip.ParseAddr(a.Address); err == nil && ip.Is4() {
					e.NodeIP = ip
				}
			}
		}
	}
	return e, nil
}

// EgressFacts are the answers of the egress step for a pod: its own IP and
// the address the outside server saw.
func EgressFacts(ctx context.Context, env *Env, ns, pod string) (map[string]string, error) {
	e, o := readEgress(ctx, env, ns, pod)
	if o != nil {
		if o.Err != nil {
			return nil, o.Err
		}
		return nil, errors.New(env.t(o.Msg, o.Args...))
	}
	return map[string]string{"pod-ip": e.Pod.Status.PodIP, "outside-saw": e.Seen.String()}, nil
}

// egressSNAT proves the student saw a pod's traffic leave the pod network
// with its node's address: their answers (the pod's IP, what the outside
// saw) are compared with the outside server's own answer.
type egressSNAT struct {
	answersAt `yaml:",inline"`
}

func init() {
	register("egressSNAT", func(p egressSNAT) (Checker, error) {
		return p, p.validate(true)
	})
}

func (p egressSNAT) Check(ctx context.Context, env *Env) Outcome {
	ns := env.ns(p.Namespace)
	e, o := readEgress(ctx, env, ns, p.Pod)
	if o != nil {
		return *o
	}
	a, o := p.read(ctx, env)
	if o != nil {
		return *o
	}
	podIP, _ := netip.ParseAddr(e.Pod.Status.PodIP)
	a.addr(env, "pod-ip", podIP, mistakePodIP, p.Pod)
	a.addr(env, "outside-saw", e.Seen, mistakeSeen, p.Pod, "-n "+ns+" "+p.Pod)
	ev := []string{fmt.Sprintf("%s %s on %s (%s)", p.Pod, podIP, e.Pod.Spec.NodeName, e.NodeIP), "outside " + e.Outside.String()}
	if o := a.verdict(env); o != nil {
		return o.With(ev...)
	}
	if e.Seen != e.NodeIP {
		return Passed(msgEgressNoSNAT, p.Pod, podIP.String(), e.Outside.String(), e.Seen.String()).With(ev...)
	}
	return Passed(msgEgressOK, p.Pod, podIP.String(), e.Outside.String(), e.Seen.String(), e.Pod.Spec.NodeName).With(ev...)
}

// cniDaemonSet finds the DaemonSet that installs the cluster's CNI: the one
// in kube-system whose pods mount the host's /etc/cni/net.d.
func cniDaemonSet(ctx context.Context, env *Env) (string, error) {
	list, err := env.Client.AppsV1().DaemonSets("kube-system").List(ctx, metav1.ListOptions{})
	if err != nil {
		return "", err
	}
	for _, ds := range list.Items {
		for _, v := range ds.Spec.Template.Spec.Volumes {
			if v.HostPath != nil && strings.TrimRight(v.HostPath.Path, "/") == "/etc/cni/net.d" {
				return ds.Name, nil
			}
		}
	}
	return "", nil
}

// CNIFacts are the answers of the CNI step: the CNI's DaemonSet and every
// node's pod CIDR.
func CNIFacts(ctx context.Context, env *Env) (map[string]string, error) {
	ds, err := cniDaemonSet(ctx, env)
	if err != nil {
		return nil, err
	}
	out := map[string]string{"daemonset": ds}
	list, err := env.Client.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, err
	}
	for _, n := range list.Items {
		out[n.Name] = n.Spec.PodCIDR
	}
	return out, nil
}

// cniAnswers proves the student found which CNI the cluster runs (its
// DaemonSet) and the pod CIDR the CNI gives each node.
type cniAnswers struct {
	answersAt `yaml:",inline"`
}

func init() {
	register("cniAnswers", func(p cniAnswers) (Checker, error) {
		return p, p.validate(false)
	})
}

func (p cniAnswers) Check(ctx context.Context, env *Env) Outcome {
	a, o := p.read(ctx, env)
	if o != nil {
		return *o
	}
	ds, err := cniDaemonSet(ctx, env)
	if err != nil {
		return Errored(err)
	}
	if v, ok := a.value(env, "daemonset"); ok {
		name := v[strings.LastIndex(v, "/")+1:]
		if name != ds {
			a.wrong(env, mistakeCNI, v)
		}
	}
	list, err := env.Client.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return Errored(err)
	}
	names := map[string]bool{"daemonset": true}
	var all, cidrs []string
	for _, n := range list.Items {
		names[n.Name] = true
		all = append(all, n.Name)
		cidrs = append(cidrs, n.Name+" "+n.Spec.PodCIDR)
		if want, err := netip.ParsePrefix(n.Spec.PodCIDR); err == nil {
			a.prefix(env, n.Name, want, mistakePodCIDR, n.Name, n.Name)
		}
	}
	sort.Strings(all)
	sort.Strings(cidrs)
	for _, k := range sortedKeys(a.data) {
		if !names[k] {
			a.wrong(env, mistakeNotNode, k, strings.Join(all, ", "))
		}
	}
	if o := a.verdict(env); o != nil {
		return *o
	}
	conf := "?"
	if env.Node != nil && len(all) > 0 {
		if out, err := env.Node.RunNode(ctx, all[0], "ls /etc/cni/net.d"); err == nil {
			conf = strings.Join(strings.Fields(out), ", ")
		}
	}
	return Passed(msgCNIOK, "kube-system/"+ds, conf, strings.Join(cidrs, ", "))
}
