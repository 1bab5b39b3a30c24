package trace

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/intstr"
	dynamicfake "k8s.io/client-go/dynamic/fake"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/labctl/labctl/i18n"
	"github.com/labctl/labctl/internal/svcport"
)

// testdata/node-*.txt is what nodeLine printed on the three nodes of a kind
// cluster (recorded with hack/nodecmd): namespace rec holds Deployment web
// (10.244.1.3 on trace-worker2, 10.244.2.2 and 10.244.2.3 on trace-worker)
// behind web (ClusterIP 10.96.64.126, port http 80 → 8080), web-np
// (NodePort 30080), web-lb (LoadBalancer 172.18.254.201, nodePort 30342),
// web-local (LoadBalancer 172.18.254.202:8081, externalTrafficPolicy
// Local); Traefik (10.244.0.5) holds host port 80 on trace-control-plane.
// The objects below restate that cluster for the fake clientset.

type recordedNodes map[string]string

func (r recordedNodes) Run(_ context.Context, node, line string) (string, error) {
	out, ok := r[node]
	if !ok {
		return "", errors.New("no node " + node)
	}
	if line == "iptables-save -c -t nat" {
		out, _, _ = strings.Cut(out, sep)
	}
	return out, nil
}

func loadNodes(t *testing.T) recordedNodes {
	t.Helper()
	r := recordedNodes{}
	for _, n := range []string{"trace-control-plane", "trace-worker", "trace-worker2"} {
		b, err := os.ReadFile(filepath.Join("testdata", "node-"+n+".txt"))
		if err != nil {
			t.Fatal(err)
		}
		r[n] = string(b)
	}
	return r
}

func node(name, ip string, cp bool) *corev1.Node {
	n := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{}},
		Status: corev1.NodeStatus{Addresses: []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: ip}}}}
	if cp {
		n.Labels["node-role.kubernetes.io/control-plane"] = ""
	}
	return n
}

func pod(ns, name, ip, nodeName string, hostPort int32) *corev1.Pod {
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec:   corev1.PodSpec{NodeName: nodeName, Containers: []corev1.Container{{Name: "c"}}},
		Status: corev1.PodStatus{Phase: corev1.PodRunning, PodIP: ip}}
	if hostPort != 0 {
		p.Spec.Containers[0].Ports = []corev1.ContainerPort{{ContainerPort: 8000, HostPort: hostPort}}
	}
	return p
}

func svc(name, ip string, typ corev1.ServiceType, port, nodePort int32, portName, lb string, local bool) *corev1.Service {
	s := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: "rec", Name: name},
		Spec: corev1.ServiceSpec{Type: typ, ClusterIP: ip, Ports: []corev1.ServicePort{{Name: portName, Port: port, NodePort: nodePort,
			Protocol: corev1.ProtocolTCP, TargetPort: intstr.FromInt32(8080)}}}}
	if typ != corev1.ServiceTypeClusterIP {
		s.Spec.ExternalTrafficPolicy = corev1.ServiceExternalTrafficPolicyCluster
		if local {
			s.Spec.ExternalTrafficPolicy = corev1.ServiceExternalTrafficPolicyLocal
		}
	}
	if lb != "" {
		s.Status.LoadBalancer.Ingress = []corev1.LoadBalancerIngress{{IP: lb}}
	}
	return s
}

var webPods = []struct{ name, ip, node string }{
	{"web-a", "10.244.1.3", "trace-worker2"}, {"web-b", "10.244.2.2", "trace-worker"}, {"web-c", "10.244.2.3", "trace-worker"},
}

func slice(svcName, portName string) *discoveryv1.EndpointSlice {
	ready := true
	port := int32(8080)
	var pn *string
	if portName != "" {
		pn = &portName
	}
	s := &discoveryv1.EndpointSlice{ObjectMeta: metav1.ObjectMeta{Namespace: "rec", Name: svcName + "-x",
		Labels: map[string]string{discoveryv1.LabelServiceName: svcName}}, AddressType: discoveryv1.AddressTypeIPv4,
		Ports: []discoveryv1.EndpointPort{{Name: pn, Port: &port}}}
	for _, p := range webPods {
		n := p.node
		s.Endpoints = append(s.Endpoints, discoveryv1.Endpoint{Addresses: []string{p.ip}, NodeName: &n,
			Conditions: discoveryv1.EndpointConditions{Ready: &ready}, TargetRef: &corev1.ObjectReference{Kind: "Pod", Name: p.name}})
	}
	return s
}

func l2Status(svcName, nodeName string) *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "metallb.io/v1beta1", "kind": "ServiceL2Status",
		"metadata": map[string]any{"name": "l2-" + svcName, "namespace": "metallb-system"},
		"status":   map[string]any{"node": nodeName, "serviceName": svcName, "serviceNamespace": "rec"},
	}}
}

func newTracer(t *testing.T, withL2 bool, extra ...runtime.Object) *Tracer {
	t.Helper()
	objs := []runtime.Object{
		node("trace-control-plane", "172.18.0.5", true), node("trace-worker", "172.18.0.7", false), node("trace-worker2", "172.18.0.6", false),
		svc("web", "10.96.64.126", corev1.ServiceTypeClusterIP, 80, 0, "http", "", false),
		svc("web-np", "10.96.14.108", corev1.ServiceTypeNodePort, 80, 30080, "", "", false),
		svc("web-lb", "10.96.79.107", corev1.ServiceTypeLoadBalancer, 80, 30342, "http", "172.18.254.201", false),
		svc("web-local", "10.96.20.73", corev1.ServiceTypeLoadBalancer, 8081, 32300, "http", "172.18.254.202", true),
		slice("web", "http"), slice("web-np", ""), slice("web-lb", "http"), slice("web-local", "http"),
		pod("traefik", "traefik-abc", "10.244.0.5", "trace-control-plane", 80),
	}
	for _, p := range webPods {
		objs = append(objs, pod("rec", p.name, p.ip, p.node, 0))
	}
	prefix := networkingv1.PathTypePrefix
	objs = append(objs, &networkingv1.Ingress{ObjectMeta: metav1.ObjectMeta{Namespace: "rec", Name: "web"},
		Spec: networkingv1.IngressSpec{Rules: []networkingv1.IngressRule{{Host: "web.example.com",
			IngressRuleValue: networkingv1.IngressRuleValue{HTTP: &networkingv1.HTTPIngressRuleValue{Paths: []networkingv1.HTTPIngressPath{{
				Path: "/", PathType: &prefix, Backend: networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{
					Name: "web", Port: networkingv1.ServiceBackendPort{Number: 80}}}}}}}}}}})
	objs = append(objs, extra...)
	var dynObjs []runtime.Object
	if withL2 {
		dynObjs = append(dynObjs, l2Status("web-lb", "trace-worker"), l2Status("web-local", "trace-worker"))
	}
	dynObjs = append(dynObjs, &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
		"metadata": map[string]any{"name": "web-route", "namespace": "rec"},
		"spec": map[string]any{"hostnames": []any{"route.example.com"}, "rules": []any{
			map[string]any{"matches": []any{map[string]any{"path": map[string]any{"type": "PathPrefix", "value": "/"}}},
				"backendRefs": []any{map[string]any{"name": "web-np", "port": int64(80)}}},
			map[string]any{"matches": []any{map[string]any{"path": map[string]any{"type": "PathPrefix", "value": "/api"}}},
				"backendRefs": []any{map[string]any{"name": "web", "port": int64(80)}, map[string]any{"name": "web-np", "port": int64(80)}}},
		}},
	}})
	dyn := dynamicfake.NewSimpleDynamicClientWithCustomListKinds(runtime.NewScheme(),
		map[schema.GroupVersionResource]string{l2StatusGVR: "ServiceL2StatusList", httpRouteGVR: "HTTPRouteList"}, dynObjs...)
	return &Tracer{Client: fake.NewClientset(objs...), Dynamic: dyn, Nodes: loadNodes(t)}
}

func run(t *testing.T, tr *Tracer, target, from string) *Trace {
	t.Helper()
	tg, err := ParseTarget(target, "rec")
	if err != nil {
		t.Fatal(err)
	}
	v, err := ParseVantage(from, "rec")
	if err != nil {
		t.Fatal(err)
	}
	out, err := tr.Run(context.Background(), tg, v)
	if err != nil {
		t.Fatalf("trace %s from %s: %v", target, from, err)
	}
	return out
}

func addrs(eps []Endpoint) string {
	var s []string
	for _, e := range eps {
		s = append(s, fmt.Sprintf("%s p=%s %s", e.Address, prob(e.Probability), e.Node))
	}
	return strings.Join(s, ", ")
}

func TestLoadBalancerFromHost(t *testing.T) {
	tr := run(t, newTracer(t, true), "svc/web-lb", "host")
	e := tr.Entry
	if e.Via != ViaLoadBalancer || e.Address != "172.18.254.201:80" || e.Node != "trace-worker" {
		t.Errorf("entry %+v", e)
	}
	if e.ARP == nil || e.ARP.Node != "trace-worker" || e.ARP.Source != "ServiceL2Status" {
		t.Errorf("ARP %+v", e.ARP)
	}
	if got := strings.Join(e.Chain, " → "); got != "KUBE-SERVICES → KUBE-EXT-35THLALRQ56X6EIK → KUBE-SVC-35THLALRQ56X6EIK" {
		t.Errorf("chain %s", got)
	}
	if !e.Masquerade || e.Reason != ReasonExternalCluster {
		t.Errorf("masquerade %v %s", e.Masquerade, e.Reason)
	}
	want := "10.244.1.3:8080 p=0.333 trace-worker2, 10.244.2.2:8080 p=0.500 trace-worker, 10.244.2.3:8080 p=1.000 trace-worker"
	if got := addrs(tr.Endpoints); got != want {
		t.Errorf("endpoints\n got %s\nwant %s", got, want)
	}
	r := tr.Endpoints[0].Route
	if r.Local || r.Via != "172.18.0.6" || r.ViaNode != "trace-worker2" || r.Dev != "eth0" || r.Veth != "vethdd86491e" {
		t.Errorf("route to the other node %+v", r)
	}
	if r := tr.Endpoints[1].Route; !r.Local || r.Veth != "veth355c8fce" || r.Via != "" {
		t.Errorf("local route %+v", r)
	}
	if tr.Endpoints[0].Pod != "web-a" {
		t.Errorf("pod %q", tr.Endpoints[0].Pod)
	}
}

func TestARPFromSpeakerEvent(t *testing.T) {
	ev := &corev1.Event{ObjectMeta: metav1.ObjectMeta{Namespace: "rec", Name: "web-lb.1"},
		InvolvedObject: corev1.ObjectReference{Kind: "Service", Namespace: "rec", Name: "web-lb"},
		Reason:         "nodeAssigned", Message: `announcing from node "trace-worker2" with protocol "layer2"`}
	tr := run(t, newTracer(t, false, ev), "172.18.254.201", "host")
	if a := tr.Entry.ARP; a == nil || a.Node != "trace-worker2" || a.Source != "event" || tr.Entry.Node != "trace-worker2" {
		t.Errorf("ARP from the event: %+v, entry %s", a, tr.Entry.Node)
	}
}

func TestClusterIPFromPod(t *testing.T) {
	tr := run(t, newTracer(t, true), "svc/web:http", "pod/rec/web-b")
	e := tr.Entry
	if e.Via != ViaClusterIP || e.Node != "trace-worker" || e.Masquerade || e.Reason != ReasonPodSource || tr.Source != "10.244.2.2" {
		t.Errorf("entry %+v source %s", e, tr.Source)
	}
	if got := strings.Join(e.Chain, " → "); got != "KUBE-SERVICES → KUBE-SVC-OMB5HUWPYUBKQIVF" {
		t.Errorf("chain %s", got)
	}
	for _, ep := range tr.Endpoints {
		if ep.Hairpin != (ep.Address == "10.244.2.2:8080") {
			t.Errorf("%s hairpin %v", ep.Address, ep.Hairpin)
		}
	}
	// From the host, a ClusterIP is traced from a worker, masqueraded.
	h := run(t, newTracer(t, true), "svc/web", "host")
	if h.Entry.Note != NoteClusterIPFromHost || !h.Entry.Masquerade || h.Entry.PodCIDR != "10.244.0.0/16" {
		t.Errorf("from host %+v", h.Entry)
	}
}

func TestLocalPolicy(t *testing.T) {
	tr := run(t, newTracer(t, true), "172.18.254.202:8081", "host")
	e := tr.Entry
	if e.Masquerade || e.Reason != ReasonExternalLocal || e.Chain[len(e.Chain)-1] != "KUBE-SVL-VFTIEXZF3WTT4T2G" {
		t.Errorf("entry %+v", e)
	}
	if got := addrs(tr.Endpoints); got != "10.244.2.2:8080 p=0.500 trace-worker, 10.244.2.3:8080 p=1.000 trace-worker" {
		t.Errorf("only the entry node's endpoints: %s", got)
	}
	// The node itself is masqueraded and sent to every endpoint.
	n := run(t, newTracer(t, true), "172.18.254.202:8081", "node/trace-worker2")
	if !n.Entry.Masquerade || n.Entry.Reason != ReasonLocalFromNode || len(n.Endpoints) != 3 || n.Entry.Note != NoteLBInCluster {
		t.Errorf("from a node %+v %s", n.Entry, addrs(n.Endpoints))
	}
	// A node without local endpoints drops external traffic.
	if cp := run(t, newTracer(t, true), "node/trace-control-plane:32300", "host"); cp.Entry.Note != NoteNoLocalEndpoints || len(cp.Endpoints) != 0 {
		t.Errorf("no local endpoints %+v", cp.Entry)
	}
}

func TestNodePort(t *testing.T) {
	for _, target := range []string{"node/trace-worker2:30080", "172.18.0.6:30080"} {
		tr := run(t, newTracer(t, true), target, "host")
		e := tr.Entry
		if e.Via != ViaNodePort || e.Node != "trace-worker2" || e.Address != "172.18.0.6:30080" || tr.Service.Name != "web-np" {
			t.Errorf("%s: entry %+v", target, e)
		}
		if got := strings.Join(e.Chain, " → "); got != "KUBE-SERVICES → KUBE-NODEPORTS → KUBE-EXT-HNIQGKRDCROEUJV6 → KUBE-SVC-HNIQGKRDCROEUJV6" {
			t.Errorf("chain %s", got)
		}
		if r := tr.Endpoints[0].Route; !r.Local || r.Veth != "vethdd86491e" {
			t.Errorf("10.244.1.3 is local to trace-worker2: %+v", r)
		}
	}
}

func TestIngressHost(t *testing.T) {
	for _, target := range []string{"http://web.example.com/x", "ingress/web.example.com"} {
		tracer := newTracer(t, true)
		tracer.Published = func(_ context.Context, port int) string { return fmt.Sprintf("127.0.0.1:1%d", port) }
		tr := run(t, tracer, target, "host")
		h := tr.Ingress
		if h != nil && h.Published != "127.0.0.1:180" {
			t.Errorf("published %q", h.Published)
		}
		if h == nil || h.Kind != "Ingress" || h.Controller != "traefik/traefik-abc" || h.ControllerNode != "trace-control-plane" || h.Ingress != "rec/web" || h.Backend.Name != "web" {
			t.Fatalf("%s: ingress %+v", target, h)
		}
		if tr.Entry.Via != ViaHostPort || len(tr.Endpoints) != 1 || tr.Endpoints[0].Address != "10.244.0.5:8000" {
			t.Errorf("host port DNAT %+v %+v", tr.Entry, tr.Endpoints)
		}
		if len(h.Endpoints) != 3 || h.Endpoints[0].Route.ViaNode != "trace-worker2" {
			t.Errorf("backends %+v", h.Endpoints)
		}
	}
	// No Ingress rule: an HTTPRoute's, the longest path.
	rt := run(t, newTracer(t, true), "http://route.example.com/api/v1", "host")
	if h := rt.Ingress; h == nil || h.Kind != "HTTPRoute" || h.Ingress != "rec/web-route" || h.Backend.Name != "web" ||
		h.Rule != "route.example.com /api (PathPrefix) +1" || len(h.Endpoints) != 3 {
		t.Errorf("HTTPRoute hop %+v", rt.Ingress)
	}
	if rt := run(t, newTracer(t, true), "http://route.example.com/", "host"); rt.Ingress.Backend.Name != "web-np" {
		t.Errorf("/ goes to web-np: %+v", rt.Ingress)
	}
	tg, _ := ParseTarget("http://other.example.com/", "rec")
	if _, err := newTracer(t, true).Run(context.Background(), tg, Vantage{Kind: FromHost}); err == nil {
		t.Error("no rule matches another host")
	}
}

func TestTraceErrors(t *testing.T) {
	tr := newTracer(t, true)
	for target, from := range map[string]string{
		"svc/nope": "host", "svc/web:9999": "host", "10.1.2.3": "host", "node/nope:30080": "host",
		"svc/web": "pod/rec/nope",
	} {
		tg, _ := ParseTarget(target, "rec")
		v, _ := ParseVantage(from, "rec")
		_, err := tr.Run(context.Background(), tg, v)
		var ie *i18n.Error
		if !errors.As(err, &ie) {
			t.Errorf("%s from %s: want a message the student reads, got %v", target, from, err)
		}
	}
}

func TestParseTarget(t *testing.T) {
	for in, want := range map[string]string{
		"svc/web":                  "service rec/web ",
		"service/web:http":         "service rec/web http",
		"10.96.0.10":               "address 10.96.0.10 ",
		"172.18.254.200:80":        "address 172.18.254.200 80",
		"node/lab-worker:30001":    "nodeport lab-worker 30001",
		"http://a.example.com/x/y": "ingress a.example.com /x/y",
		"ingress/a.example.com":    "ingress a.example.com /",
	} {
		tg, err := ParseTarget(in, "rec")
		if err != nil {
			t.Errorf("%s: %v", in, err)
			continue
		}
		var got string
		switch tg.Kind {
		case ToService:
			got = fmt.Sprintf("%s %s/%s %s", tg.Kind, tg.Namespace, tg.Name, tg.Port)
		case ToAddress:
			got = fmt.Sprintf("%s %s %s", tg.Kind, tg.IP, tg.Port)
		case ToNodePort:
			got = fmt.Sprintf("%s %s %s", tg.Kind, tg.Name, tg.Port)
		case ToIngress:
			got = fmt.Sprintf("%s %s %s", tg.Kind, tg.Host, tg.Path)
		}
		if got != want {
			t.Errorf("%s: %q, want %q", in, got, want)
		}
	}
	for _, bad := range []string{"", "web", "svc/", "svc/web:", "node/x", "node/x:0", "http://", "ingress/"} {
		if _, err := ParseTarget(bad, ""); err == nil {
			t.Errorf("%q: want an error", bad)
		}
	}
	for in, want := range map[string]string{"": "host", "node/w": "node/w", "pod/p": "pod/rec/p", "pod/ns/p": "pod/ns/p"} {
		if v, err := ParseVantage(in, "rec"); err != nil || v.String() != want {
			t.Errorf("--from %q: %v %v", in, v, err)
		}
	}
	for _, bad := range []string{"pod/", "pod/a/b/c", "node/", "somewhere"} {
		if _, err := ParseVantage(bad, ""); err == nil {
			t.Errorf("--from %q: want an error", bad)
		}
	}
}

func TestRenderAlignsKorean(t *testing.T) {
	tr := run(t, newTracer(t, true), "svc/web-lb", "host")
	for _, lang := range i18n.Langs {
		lines := Render(tr, lang, Styles{})
		text := strings.Join(lines, "\n")
		for _, w := range []string{"172.18.254.201:80", "rec/web-lb", "trace-worker", "KUBE-EXT-35THLALRQ56X6EIK", "p=0.333", "vethdd86491e", "172.18.0.6"} {
			if !strings.Contains(text, w) {
				t.Errorf("%s: %q not in\n%s", lang, w, text)
			}
		}
		// The endpoint rows' columns start at the same display column.
		var cols []int
		for _, l := range lines {
			if i := strings.Index(l, "web-"); strings.HasPrefix(strings.TrimSpace(l), "10.244.") && i > 0 {
				cols = append(cols, Width(l[:i]))
			}
		}
		if len(cols) != 3 || cols[0] != cols[1] || cols[1] != cols[2] {
			t.Errorf("%s: pod column at %v\n%s", lang, cols, text)
		}
	}
	if ko := strings.Join(Render(tr, i18n.Ko, Styles{}), "\n"); !strings.Contains(ko, "마스커레이드: 예") || !strings.Contains(ko, "p=1 (나머지)") {
		t.Errorf("Korean:\n%s", ko)
	}
}

func TestWatchCountsDeltas(t *testing.T) {
	tracer := newTracer(t, true)
	tr := run(t, tracer, "svc/web", "node/trace-control-plane")
	nodes := tracer.Nodes.(recordedNodes)
	// Two readings: as recorded, then with 5 more connections to the first
	// endpoint's DNAT rule.
	first := tr.Endpoints[0]
	var samples []Sample
	err := tracer.Watch(context.Background(), tr, 1, func(s Sample) bool {
		samples = append(samples, s)
		if len(samples) == 1 {
			old := fmt.Sprintf("[%d:", first.Packets)
			nodes["trace-control-plane"] = replaceRule(nodes["trace-control-plane"], first.Chain, old, fmt.Sprintf("[%d:", first.Packets+5))
		}
		return len(samples) < 2
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(samples) != 2 || samples[0].Counts[0].Delta != 0 || samples[1].Counts[0].Delta != 5 || samples[1].Counts[1].Delta != 0 {
		t.Errorf("samples %+v", samples)
	}
	bars := RenderSample(samples[1], i18n.En, 80, Styles{})
	if !strings.Contains(bars[0], "5 in all") || !strings.Contains(bars[1], "█") || strings.Contains(bars[2], "█") {
		t.Errorf("bars\n%s", strings.Join(bars, "\n"))
	}
	if err := tracer.Watch(context.Background(), &Trace{}, 1, func(Sample) bool { return false }); err == nil {
		t.Error("watch needs a Service trace")
	}
}

// replaceRule rewrites the counters of the DNAT rule of a KUBE-SEP chain.
func replaceRule(text, chain, old, repl string) string {
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		if strings.Contains(l, "-A "+chain+" ") && strings.Contains(l, "DNAT") {
			lines[i] = strings.Replace(l, old, repl, 1)
		}
	}
	return strings.Join(lines, "\n")
}

// The port when none is given is the one rule's (internal/svcport), for
// svc/NAME and for the Service's address alike: on a Service with two TCP
// ports labctl trace asks which, naming them, rather than take the first.
func TestTracePortRule(t *testing.T) {
	two := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: "rec", Name: "web-two"},
		Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeClusterIP, ClusterIP: "10.96.50.50", Selector: map[string]string{"app": "web"},
			Ports: []corev1.ServicePort{{Name: "metrics", Port: 9090}, {Name: "http", Port: 80}}}}
	tr := newTracer(t, true, two)
	for _, tc := range []struct {
		target string
		which  bool // refused: say which port
	}{
		{"svc/web-two", true}, {"10.96.50.50", true},
		{"svc/web-two:http", false}, {"svc/web-two:9090", false}, {"10.96.50.50:80", false},
	} {
		tg, err := ParseTarget(tc.target, "rec")
		if err != nil {
			t.Fatal(err)
		}
		v, _ := ParseVantage("host", "rec")
		_, err = tr.Run(context.Background(), tg, v)
		var le *i18n.Error
		got := errors.As(err, &le) && le.Msg.ID == svcport.MsgWhichPort.ID
		if got != tc.which {
			t.Errorf("%s: %v; want refused for the port: %v", tc.target, err, tc.which)
		}
		if tc.which && !strings.Contains(i18n.Localize(err, i18n.Ko), "9090 (metrics), 80 (http)") {
			t.Errorf("%s: %q does not name the ports", tc.target, i18n.Localize(err, i18n.Ko))
		}
		if fix := i18n.FixOf(err, i18n.En); tc.which && !strings.Contains(fix, ":PORT") {
			t.Errorf("%s: the fix %q does not say how to name the port", tc.target, fix)
		}
		if !tc.which && errors.Is(err, svcport.ErrPort) {
			t.Errorf("%s: %v", tc.target, err)
		}
	}
}
