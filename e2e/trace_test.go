//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"

	"github.com/labctl/labctl/trace"
)

// testTrace proves labctl trace against the API's own objects, in its own
// namespace: an agnhost Deployment (3 replicas over the workers) behind a
// ClusterIP, a NodePort and a LoadBalancer Service and an Ingress host.
func testTrace(t *testing.T) {
	const ns, host = "trace-e2e", "trace-e2e.example.com"
	c := h.client(t)
	ctx := context.Background()
	traceObjects(t, c, ns, host)
	t.Cleanup(func() { _ = c.CoreV1().Namespaces().Delete(context.Background(), ns, metav1.DeleteOptions{}) })

	var want []string
	var lbIP string
	eventually(t, 3*time.Minute, func() error {
		want = readyEndpoints(ctx, c, ns, "web")
		if len(want) != 3 {
			return fmt.Errorf("%d ready endpoints", len(want))
		}
		svc, err := c.CoreV1().Services(ns).Get(ctx, "web-lb", metav1.GetOptions{})
		if err != nil || len(svc.Status.LoadBalancer.Ingress) == 0 {
			return fmt.Errorf("no EXTERNAL-IP yet (%v)", err)
		}
		lbIP = svc.Status.LoadBalancer.Ingress[0].IP
		if arpNode(ctx, t, ns, "web-lb") == "" {
			return fmt.Errorf("no ServiceL2Status for web-lb yet")
		}
		return nil
	})
	// kube-proxy follows within its sync period; wait until it has.
	var lb *trace.Trace
	eventually(t, time.Minute, func() error {
		lb = traceJSON(t, "svc/web-lb", "-n", ns)
		if got := traceAddrs(lb.Endpoints); got != strings.Join(want, ",") {
			return fmt.Errorf("DNAT targets %s, ready endpoints %s", got, strings.Join(want, ","))
		}
		return nil
	})

	t.Run("loadbalancer", func(t *testing.T) {
		r := h.labctl(t, "trace", "svc/web-lb", "-n", ns)
		t.Logf("labctl trace svc/web-lb (%s):\n%s", r.took.Round(time.Millisecond), r.stdout)
		if r.code != 0 {
			t.Fatalf("trace:\n%s", r)
		}
		mustContain(t, "LoadBalancer trace", r.stdout, lbIP+":80", "LoadBalancer "+ns+"/web-lb", "KUBE-EXT-", "KUBE-SVC-", "p=0.333", "p=0.500")
		arp := arpNode(ctx, t, ns, "web-lb")
		if lb.Entry.ARP == nil || lb.Entry.ARP.Node != arp || lb.Entry.Node != arp {
			t.Errorf("ARP node %+v, entry %s; MetalLB reports %s", lb.Entry.ARP, lb.Entry.Node, arp)
		}
		checkProbabilities(t, lb.Endpoints)
		if !lb.Entry.Masquerade || lb.Entry.Reason != trace.ReasonExternalCluster {
			t.Errorf("masquerade %v (%s), want yes for externalTrafficPolicy Cluster", lb.Entry.Masquerade, lb.Entry.Reason)
		}
		for _, ep := range lb.Endpoints {
			if ep.Pod == "" || ep.Node == "" || (!ep.Route.Local && ep.Route.ViaNode != ep.Node) || ep.Route.Veth == "" {
				t.Errorf("endpoint %s: pod %q node %q route %+v", ep.Address, ep.Pod, ep.Node, ep.Route)
			}
		}
	})
	t.Run("nodeport", func(t *testing.T) {
		np := traceJSON(t, "svc/web-np", "-n", ns)
		if np.Entry.Via != trace.ViaNodePort || !contains(np.Entry.Chain, "KUBE-NODEPORTS") {
			t.Errorf("entry %+v", np.Entry)
		}
		if got := traceAddrs(np.Endpoints); got != strings.Join(want, ",") {
			t.Errorf("DNAT targets %s, ready endpoints %s", got, strings.Join(want, ","))
		}
		checkProbabilities(t, np.Endpoints)
	})
	t.Run("from a pod", func(t *testing.T) {
		pods, err := c.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "app=web"})
		must(t, err)
		p := pods.Items[0]
		tr := traceJSON(t, "svc/web", "-n", ns, "--from", "pod/"+ns+"/"+p.Name)
		if tr.Source != p.Status.PodIP || tr.Entry.Node != p.Spec.NodeName || tr.Entry.Masquerade || tr.Entry.Via != trace.ViaClusterIP {
			t.Errorf("from pod %s (%s on %s): %+v", p.Name, p.Status.PodIP, p.Spec.NodeName, tr.Entry)
		}
		hairpins := 0
		for _, ep := range tr.Endpoints {
			if ep.Hairpin {
				hairpins++
			}
		}
		if hairpins != 1 || traceAddrs(tr.Endpoints) != strings.Join(want, ",") {
			t.Errorf("endpoints %+v (want one hairpin)", tr.Endpoints)
		}
	})
	t.Run("ingress host", func(t *testing.T) {
		tr := traceJSON(t, "http://"+host+"/")
		if tr.Ingress == nil {
			t.Fatal("no ingress hop")
		}
		pns, pname, _ := strings.Cut(tr.Ingress.Controller, "/")
		p, err := c.CoreV1().Pods(pns).Get(ctx, pname, metav1.GetOptions{})
		if err != nil || p.Status.Phase != corev1.PodRunning || p.Spec.NodeName != tr.Ingress.ControllerNode {
			t.Errorf("controller %s on %s: %v", tr.Ingress.Controller, tr.Ingress.ControllerNode, err)
		}
		if tr.Ingress.Ingress != ns+"/web" || tr.Ingress.Backend.Name != "web" || traceAddrs(tr.Ingress.Endpoints) != strings.Join(want, ",") {
			t.Errorf("ingress hop %+v", tr.Ingress)
		}
	})
	t.Run("watch counters rise under traffic", func(t *testing.T) {
		cmd := h.command("trace", "svc/web-lb", "-n", ns, "--watch", "--duration", "8s", "--interval", "500ms", "-o", "json", "--name", h.name)
		var out lockedBuffer
		cmd.Stdout = &out
		must(t, cmd.Start())
		time.Sleep(2 * time.Second)
		client := &http.Client{Timeout: 3 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
		sent := 0
		for i := 0; i < 60; i++ {
			if resp, err := client.Get("http://" + lbIP + "/"); err == nil {
				resp.Body.Close()
				sent++
			}
		}
		if err := waitTimeout(cmd, 30*time.Second); err != nil {
			t.Fatalf("watch: %v\n%s", err, out.String())
		}
		lines := strings.Split(strings.TrimSpace(out.String()), "\n")
		var last trace.Sample
		if err := json.Unmarshal([]byte(lines[len(lines)-1]), &last); err != nil {
			t.Fatalf("last line %q: %v", lines[len(lines)-1], err)
		}
		var total uint64
		moved := 0
		for _, c := range last.Counts {
			total += c.Delta
			if c.Delta > 0 {
				moved++
			}
		}
		t.Logf("%d requests sent; %d samples; last: %+v", sent, len(lines)-1, last.Counts)
		if sent < 50 || total < uint64(sent) || moved < 2 {
			t.Errorf("counters rose by %d over %d endpoints for %d requests", total, moved, sent)
		}
	})
}

func traceJSON(t *testing.T, args ...string) *trace.Trace {
	t.Helper()
	r := h.labctl(t, append([]string{"trace", "-o", "json"}, args...)...)
	if r.code != 0 {
		t.Fatalf("labctl trace %v:\n%s", args, r)
	}
	var tr trace.Trace
	if err := json.Unmarshal([]byte(r.stdout), &tr); err != nil {
		t.Fatalf("-o json does not parse: %v\n%s", err, r.stdout)
	}
	return &tr
}

func traceAddrs(eps []trace.Endpoint) string {
	var s []string
	for _, e := range eps {
		s = append(s, e.Address)
	}
	sort.Strings(s)
	return strings.Join(s, ",")
}

func contains(s []string, x string) bool {
	for _, v := range s {
		if v == x {
			return true
		}
	}
	return false
}

// checkProbabilities: kube-proxy splits evenly, 1/3 then 1/2 then the rest.
func checkProbabilities(t *testing.T, eps []trace.Endpoint) {
	t.Helper()
	want := []float64{1.0 / 3, 0.5, 1}
	for i, ep := range eps {
		if i >= len(want) || math.Abs(ep.Probability-want[i]) > 1e-4 || (i == len(want)-1) != ep.Remainder {
			t.Errorf("endpoint %d %s: probability %v remainder %v", i, ep.Address, ep.Probability, ep.Remainder)
		}
	}
}

// readyEndpoints are the Service's ready IP:port pairs, from its EndpointSlices.
func readyEndpoints(ctx context.Context, c kubernetes.Interface, ns, svc string) []string {
	slices, err := c.DiscoveryV1().EndpointSlices(ns).List(ctx, metav1.ListOptions{LabelSelector: discoveryv1.LabelServiceName + "=" + svc})
	if err != nil {
		return nil
	}
	var out []string
	for _, s := range slices.Items {
		for _, ep := range s.Endpoints {
			if ep.Conditions.Ready == nil || !*ep.Conditions.Ready || len(s.Ports) == 0 {
				continue
			}
			for _, a := range ep.Addresses {
				out = append(out, fmt.Sprintf("%s:%d", a, *s.Ports[0].Port))
			}
		}
	}
	sort.Strings(out)
	return out
}

// arpNode is the node MetalLB says announces the Service.
func arpNode(ctx context.Context, t *testing.T, ns, svc string) string {
	dyn := dynamic.NewForConfigOrDie(h.restConfig(t))
	list, err := dyn.Resource(schema.GroupVersionResource{Group: "metallb.io", Version: "v1beta1", Resource: "servicel2statuses"}).
		Namespace("").List(ctx, metav1.ListOptions{})
	if err != nil {
		return ""
	}
	for _, it := range list.Items {
		st, _ := it.Object["status"].(map[string]any)
		if st["serviceName"] == svc && st["serviceNamespace"] == ns {
			n, _ := st["node"].(string)
			return n
		}
	}
	return ""
}

func traceObjects(t *testing.T, c kubernetes.Interface, ns, host string) {
	ctx := context.Background()
	_, err := c.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{})
	must(t, err)
	labels := map[string]string{"app": "web"}
	replicas := int32(3)
	_, err = c.AppsV1().Deployments(ns).Create(ctx, &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "web"},
		Spec: appsv1.DeploymentSpec{Replicas: &replicas, Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: corev1.PodSpec{
				TopologySpreadConstraints: []corev1.TopologySpreadConstraint{{MaxSkew: 1, TopologyKey: "kubernetes.io/hostname",
					WhenUnsatisfiable: corev1.ScheduleAnyway, LabelSelector: &metav1.LabelSelector{MatchLabels: labels}}},
				Containers: []corev1.Container{{Name: "agnhost", Image: "registry.k8s.io/e2e-test-images/agnhost:2.56",
					Args: []string{"serve-hostname", "--port=8080"}, Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: 8080}}}},
			}}},
	}, metav1.CreateOptions{})
	must(t, err)
	for _, s := range []struct {
		name string
		typ  corev1.ServiceType
	}{{"web", corev1.ServiceTypeClusterIP}, {"web-np", corev1.ServiceTypeNodePort}, {"web-lb", corev1.ServiceTypeLoadBalancer}} {
		_, err = c.CoreV1().Services(ns).Create(ctx, &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: s.name},
			Spec: corev1.ServiceSpec{Type: s.typ, Selector: labels,
				Ports: []corev1.ServicePort{{Name: "http", Port: 80, TargetPort: intstr.FromString("http")}}}}, metav1.CreateOptions{})
		must(t, err)
	}
	prefix := networkingv1.PathTypePrefix
	_, err = c.NetworkingV1().Ingresses(ns).Create(ctx, &networkingv1.Ingress{ObjectMeta: metav1.ObjectMeta{Name: "web"},
		Spec: networkingv1.IngressSpec{Rules: []networkingv1.IngressRule{{Host: host, IngressRuleValue: networkingv1.IngressRuleValue{
			HTTP: &networkingv1.HTTPIngressRuleValue{Paths: []networkingv1.HTTPIngressPath{{Path: "/", PathType: &prefix,
				Backend: networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{Name: "web",
					Port: networkingv1.ServiceBackendPort{Number: 80}}}}}}}}}}}, metav1.CreateOptions{})
	must(t, err)
}
