package verify

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/labctl/labctl/labs"
)

// fakeNodeShells answers node commands from a table: node → command prefix →
// output.
type fakeNodeShells struct {
	out     map[string]map[string]string
	outside netip.Addr
	calls   []string
}

func (f *fakeNodeShells) RunNode(_ context.Context, node, line string) (string, error) {
	f.calls = append(f.calls, node+": "+line)
	for prefix, out := range f.out[node] {
		if strings.HasPrefix(line, prefix) {
			return out, nil
		}
	}
	return "", errors.New("no such node or command: " + node + ": " + line)
}

func (f *fakeNodeShells) Outside(context.Context) (netip.Addr, error) { return f.outside, nil }

func netNode(name, ip, podCIDR string, lbls map[string]string) *corev1.Node {
	return &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: lbls},
		Spec: corev1.NodeSpec{PodCIDR: podCIDR},
		Status: corev1.NodeStatus{Addresses: []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: ip}},
			Allocatable: corev1.ResourceList{corev1.ResourcePods: resource.MustParse("110")}}}
}

func answers(name string, data map[string]string) *corev1.ConfigMap {
	return &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Data: data}
}

func kindNodeShells() *fakeNodeShells {
	ipOut := func(ip string) string {
		return "2: eth0    inet " + ip + "/16 brd 172.18.255.255 scope global eth0\\       valid_lft forever preferred_lft forever\ndefault via 172.18.0.1 dev eth0"
	}
	return &fakeNodeShells{outside: netip.MustParseAddr("172.18.0.9"), out: map[string]map[string]string{
		"lab-control-plane": {"ip -4 -o addr": ipOut("172.18.0.2"), "ls /etc/cni/net.d": "10-kindnet.conflist"},
		"lab-worker":        {"ip -4 -o addr": ipOut("172.18.0.3"), "ip route get": "10.244.2.4 via 172.18.0.4 dev eth0 src 172.18.0.3 uid 0\n    cache"},
		"lab-worker2":       {"ip -4 -o addr": ipOut("172.18.0.4")},
	}}
}

func networkLab(t *testing.T, objs ...runtime.Object) *lab {
	l := newLab(t, netNode("lab-control-plane", "172.18.0.2", "10.244.0.0/24", nil), netNode("lab-worker", "172.18.0.3", "10.244.1.0/24", nil),
		netNode("lab-worker2", "172.18.0.4", "10.244.2.0/24", map[string]string{labs.MaxPodsNodeKey: labs.MaxPodsNodeValue}))
	l.env.Node = kindNodeShells()
	for _, o := range objs {
		l.add(o)
	}
	return l
}

func TestDockerNetwork(t *testing.T) {
	const p = `{configMap: net}`
	right := map[string]string{"subnet": "172.18.0.0/16", "gateway": "172.18.0.1", "lab-control-plane": "172.18.0.2", "lab-worker": "172.18.0.3/16", "lab-worker2": "172.18.0.4"}
	t.Run("right answers pass", func(t *testing.T) {
		l := networkLab(t, answers("net", right))
		expect(t, l.check("dockerNetwork", p), "pass", msgAnswersOK, "subnet 172.18.0.0/16, gateway 172.18.0.1, 3 nodes", "lab-worker eth0 172.18.0.3/16")
	})
	t.Run("the starter's placeholders: every wrong value named, no right value given away", func(t *testing.T) {
		l := networkLab(t, answers("net", map[string]string{"subnet": "0.0.0.0/0", "gateway": "0.0.0.0", "NODE-NAME": "0.0.0.0"}))
		o := l.check("dockerNetwork", p)
		expect(t, o, "fail (final)", msgAnswersWrong, "subnet 0.0.0.0/0 is not the kind network's", "gateway 0.0.0.0 is not the nodes' gateway",
			"no answer under key lab-worker2", "key NODE-NAME names no node")
		if s := render(o, "en"); strings.Contains(s, "172.18.0.3") {
			t.Errorf("a failing answer gives the right one away:\n%s", s)
		}
	})
	t.Run("one wrong node address", func(t *testing.T) {
		wrong := map[string]string{}
		for k, v := range right {
			wrong[k] = v
		}
		wrong["lab-worker"] = "172.18.0.4"
		expect(t, networkLab(t, answers("net", wrong)).check("dockerNetwork", p), "fail (final)", msgAnswersWrong, "172.18.0.4 is not the address of node lab-worker")
	})
	t.Run("no ConfigMap", func(t *testing.T) {
		expect(t, networkLab(t).check("dockerNetwork", p), "fail (final)", msgAnswersMissing, "default/net")
	})
	t.Run("facts are what passes", func(t *testing.T) {
		l := networkLab(t)
		f, err := DockerNetworkFacts(context.Background(), l.env)
		if err != nil {
			t.Fatal(err)
		}
		l.add(answers("net", f))
		expect(t, l.check("dockerNetwork", p), "pass", msgAnswersOK)
	})
}

func sandboxPod() *corev1.Pod {
	p := pod("sb", "10.244.1.7", "lab-worker", "app=sb")
	p.Spec.Containers = []corev1.Container{{Name: "web"}, {Name: "sidecar"}}
	return running(p, time.Minute)
}

func TestPodSandbox(t *testing.T) {
	const p = `{pod: sb, configMap: sbx}`
	const id = "3f2a9c1d7e5b40aa99887766554433221100ffeeddccbbaa0011223344556677"
	setup := func(t *testing.T, data map[string]string) *lab {
		l := networkLab(t, sandboxPod(), answers("sbx", data))
		l.env.Node.(*fakeNodeShells).out["lab-worker"]["crictl pods"] = id
		l.env.Node.(*fakeNodeShells).out["lab-worker"]["crictl ps --pod '"+id+"'"] = "aaa\nbbb"
		return l
	}
	t.Run("right answers pass", func(t *testing.T) {
		expect(t, setup(t, map[string]string{"node": "lab-worker", "sandbox": "3F2A9C1D7E5B4", "containers": "2"}).check("podSandbox", p), "pass", msgSandboxOK, "3f2a9c1d7e5b4 on node lab-worker", "2 containers")
	})
	t.Run("pause counted as a container, a wrong node, a short ID", func(t *testing.T) {
		o := setup(t, map[string]string{"node": "lab-worker2", "sandbox": "3f2", "containers": "3"}).check("podSandbox", p)
		expect(t, o, "fail (final)", msgAnswersWrong, "Pod sb does not run on lab-worker2", `"3f2" is too short`, "containers: 3 is not how many")
	})
	t.Run("another pod's sandbox", func(t *testing.T) {
		o := setup(t, map[string]string{"node": "lab-worker", "sandbox": "abcdef012", "containers": "2"}).check("podSandbox", p)
		expect(t, o, "fail (final)", msgAnswersWrong, `"abcdef012" does not begin the ID`)
	})
}

func TestPodToPod(t *testing.T) {
	const p = `{from: pod-1, to: pod-2, port: 8080}`
	exec := func(seen string) *fakeExec {
		return &fakeExec{run: func(_, _ string, cmd []string) ExecResult {
			if strings.HasSuffix(cmd[len(cmd)-1], "10.244.2.4:8080/clientip") {
				return ExecResult{Stdout: seen}
			}
			return ExecResult{ExitCode: 7, Stderr: "connection refused"}
		}}
	}
	t.Run("different nodes, the sender's own IP: pass with the route", func(t *testing.T) {
		l := networkLab(t, running(pod("pod-1", "10.244.1.3", "lab-worker", "app=x"), time.Minute), running(pod("pod-2", "10.244.2.4", "lab-worker2", "app=x"), time.Minute))
		l.env.Exec = exec("10.244.1.3:40312")
		expect(t, l.check("podToPod", p), "pass", msgCrossOK, "the receiver saw 10.244.1.3", "10.244.2.4 via 172.18.0.4 dev eth0")
	})
	t.Run("the starter: both on one node, at once", func(t *testing.T) {
		l := networkLab(t, running(pod("pod-1", "10.244.1.3", "lab-worker", "app=x"), time.Minute), running(pod("pod-2", "10.244.1.4", "lab-worker", "app=x"), time.Minute))
		l.env.Exec = exec("")
		expect(t, l.check("podToPod", p), "fail (final)", msgSameNode, "both run on node lab-worker")
	})
	t.Run("NAT between the pods", func(t *testing.T) {
		l := networkLab(t, running(pod("pod-1", "10.244.1.3", "lab-worker", "app=x"), time.Minute), running(pod("pod-2", "10.244.2.4", "lab-worker2", "app=x"), time.Minute))
		l.env.Exec = exec("172.18.0.3:40312")
		expect(t, l.check("podToPod", p), "fail", msgCrossNAT, "from 172.18.0.3, not from Pod pod-1's IP 10.244.1.3")
	})
}

func TestEgressSNAT(t *testing.T) {
	const p = `{pod: client, configMap: egress}`
	setup := func(t *testing.T, data map[string]string) *lab {
		l := networkLab(t, running(pod("client", "10.244.1.8", "lab-worker", "app=c"), time.Minute), answers("egress", data))
		l.env.Exec = &fakeExec{run: func(_, _ string, cmd []string) ExecResult {
			if cmd[len(cmd)-1] == "http://172.18.0.9:8080/clientip" {
				return ExecResult{Stdout: "172.18.0.3:51234"}
			}
			return ExecResult{ExitCode: 28, Stderr: "timeout"}
		}}
		return l
	}
	t.Run("right answers pass: the node's address", func(t *testing.T) {
		expect(t, setup(t, map[string]string{"pod-ip": "10.244.1.8", "outside-saw": "172.18.0.3"}).check("egressSNAT", p), "pass", msgEgressOK, "as 172.18.0.3, the address of its node lab-worker")
	})
	t.Run("believing the outside sees the pod's IP", func(t *testing.T) {
		o := setup(t, map[string]string{"pod-ip": "10.244.1.8", "outside-saw": "10.244.1.8"}).check("egressSNAT", p)
		expect(t, o, "fail (final)", msgAnswersWrong, "outside-saw: 10.244.1.8 is not the source address the outside server saw")
	})
	t.Run("the starter's placeholders", func(t *testing.T) {
		o := setup(t, map[string]string{"pod-ip": "0.0.0.0", "outside-saw": "0.0.0.0"}).check("egressSNAT", p)
		expect(t, o, "fail (final)", msgAnswersWrong, "pod-ip: 0.0.0.0 is not Pod client's IP", "outside-saw: 0.0.0.0")
	})
}

func TestCNIAnswers(t *testing.T) {
	const p = `{configMap: cni}`
	ds := func(name, hostPath string) *appsv1.DaemonSet {
		d := &appsv1.DaemonSet{ObjectMeta: metav1.ObjectMeta{Namespace: "kube-system", Name: name}}
		if hostPath != "" {
			d.Spec.Template.Spec.Volumes = []corev1.Volume{{Name: "cni-cfg", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: hostPath}}}}
		}
		return d
	}
	right := map[string]string{"daemonset": "kube-system/kindnet", "lab-control-plane": "10.244.0.0/24", "lab-worker": "10.244.1.0/24", "lab-worker2": "10.244.2.0/24"}
	t.Run("right answers pass", func(t *testing.T) {
		l := networkLab(t, ds("kube-proxy", ""), ds("kindnet", "/etc/cni/net.d"), answers("cni", right))
		expect(t, l.check("cniAnswers", p), "pass", msgCNIOK, "DaemonSet kube-system/kindnet", "10-kindnet.conflist", "lab-worker 10.244.1.0/24")
	})
	t.Run("the starter: kube-proxy is not the CNI, a placeholder node", func(t *testing.T) {
		l := networkLab(t, ds("kube-proxy", ""), ds("kindnet", "/etc/cni/net.d"), answers("cni", map[string]string{"daemonset": "kube-proxy", "NODE-NAME": "10.0.0.0/24"}))
		expect(t, l.check("cniAnswers", p), "fail (final)", msgAnswersWrong, "daemonset: kube-proxy is not the DaemonSet", "no answer under key lab-worker", "key NODE-NAME names no node")
	})
}

func crowd(replicas int32) *appsv1.Deployment {
	return &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "crowd", Generation: 1},
		Spec:   appsv1.DeploymentSpec{Replicas: &replicas, Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "crowd"}}},
		Status: appsv1.DeploymentStatus{ObservedGeneration: 1, UpdatedReplicas: replicas}}
}

func TestPodLimit(t *testing.T) {
	const p = `{deployment: crowd, replicas: 3}`
	pending := func(name string) *corev1.Pod {
		q := pod(name, "", "", "app=crowd")
		q.Status = corev1.PodStatus{Phase: corev1.PodPending, Conditions: []corev1.PodCondition{{Type: corev1.PodScheduled, Status: corev1.ConditionFalse,
			Reason: corev1.PodReasonUnschedulable, Message: "0/3 nodes are available: 1 Too many pods, 2 node(s) didn't match Pod's node affinity/selector."}}}
		return q
	}
	limit := func(l *lab, n string) {
		nd, _ := l.client.CoreV1().Nodes().Get(context.Background(), "lab-worker2", metav1.GetOptions{})
		nd.Status.Allocatable[corev1.ResourcePods] = resource.MustParse(n)
		if _, err := l.client.CoreV1().Nodes().UpdateStatus(context.Background(), nd, metav1.UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("pods Pending for the limit: the node's limit named", func(t *testing.T) {
		l := networkLab(t, crowd(3), running(pod("c1", "10.244.2.5", "lab-worker2", "app=crowd"), time.Minute), pending("c2"), pending("c3"))
		limit(l, "3")
		expect(t, l.check("podLimit", p), "fail", msgLimitPending, "2 pod(s) of Deployment crowd are Pending", "Too many pods", "Node lab-worker2 allows 3 pods")
	})
	t.Run("all scheduled after the limit is raised", func(t *testing.T) {
		l := networkLab(t, crowd(3))
		for _, n := range []string{"c1", "c2", "c3"} {
			l.add(running(pod(n, "10.244.2.5", "lab-worker2", "app=crowd"), time.Minute))
		}
		limit(l, "30")
		expect(t, l.check("podLimit", p), "pass", msgLimitOK, "all 3 pods", "now allows 30 pods")
	})
	t.Run("scaled down instead", func(t *testing.T) {
		expect(t, networkLab(t, crowd(2)).check("podLimit", p), "fail (final)", msgLimitReplicas, "asks for 2 replicas: the step needs at least 3")
	})
	t.Run("moved off the node", func(t *testing.T) {
		l := networkLab(t, crowd(3), running(pod("c1", "10.244.1.5", "lab-worker", "app=crowd"), time.Minute))
		expect(t, l.check("podLimit", p), "fail (final)", msgLimitElsewhere, "runs on lab-worker, not on lab-worker2")
	})
	t.Run("no low-limit node", func(t *testing.T) {
		l := newLab(t, netNode("lab-worker", "172.18.0.3", "10.244.1.0/24", nil), crowd(3))
		expect(t, l.check("podLimit", p), "fail (final)", msgLimitNoNode, labs.MaxPodsNodeKey)
	})
}

func TestParseNodeNet(t *testing.T) {
	nn, err := parseNodeNet("n", "2: eth0    inet 172.18.0.3/16 brd 172.18.255.255 scope global eth0\ndefault via 172.18.0.1 dev eth0 ")
	if err != nil || nn.Addr.String() != "172.18.0.3/16" || nn.Gateway.String() != "172.18.0.1" {
		t.Errorf("got %+v, %v", nn, err)
	}
	if _, err := parseNodeNet("n", "Device \"eth0\" does not exist."); err == nil {
		t.Error("no address parsed without error")
	}
}
