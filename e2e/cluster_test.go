//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

func (h *harness) upArgs(ingress string) []string {
	args := []string{"up", "--http-port", strconv.Itoa(h.httpPort), "--https-port", strconv.Itoa(h.httpsPort), "--wait", "4m"}
	if ingress != "" {
		args = append(args, "--ingress", ingress)
	}
	return args
}

// The suite's cluster is made as a student makes it: labctl up with no
// flags but the ports (Traefik with the Gateway API CRDs and the lab Gateway).
func testUpDefault(t *testing.T) {
	r := h.labctl(t, h.upArgs("")...)
	t.Logf("up (default) in %s:\n%s", r.took.Round(time.Second), r)
	if r.code != 0 {
		t.Fatalf("up failed:\n%s", r)
	}
	mustContain(t, "default up", r.stderr, "Installing Traefik v3.6.12 (Ingress and Gateway API v1.4.1, Gateway traefik/lab-gateway)")
	if strings.Contains(r.stderr, "Installing ingress-nginx") {
		t.Error("the default installed ingress-nginx")
	}
}

// ingress-nginx's image cannot exist on a machine with no registry: up must
// fail on its step, soon, naming the image (and keep the cluster to retry).
func testNginxImageMissing(t *testing.T) {
	if os.Getenv("LABCTL_E2E_NGINX_PULLABLE") != "" {
		t.Skip("this machine can pull ingress-nginx")
	}
	r := h.labctl(t, h.upArgs("nginx")...)
	t.Logf("up --ingress nginx:\n%s", r)
	if r.code == 0 {
		t.Fatal("up succeeded without the ingress-nginx image")
	}
	mustContain(t, "nginx failure", r.stderr, "Removing Traefik", "✗ Installing ingress-nginx v1.15.1", "registry.k8s.io/ingress-nginx/", "cannot be pulled",
		"labctl images load", "retired")
	if n := len(kindContainers(t, h.name)); n != 3 {
		t.Errorf("%d containers after a failed add-on; the cluster should be kept for a retry", n)
	}
	gatewayNeedsTraefik(t)
}

func testUpTraefik(t *testing.T) {
	// a user kubeconfig with its own current context: --merge-kubeconfig must add the lab, not switch to it
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["work"] = &clientcmdapi.Cluster{Server: "https://work.example.com"}
	cfg.AuthInfos["work"] = &clientcmdapi.AuthInfo{Token: "t"}
	cfg.Contexts["work"] = &clientcmdapi.Context{Cluster: "work", AuthInfo: "work"}
	cfg.CurrentContext = "work"
	must(t, clientcmd.WriteToFile(*cfg, h.userKube))

	r := h.labctl(t, append(h.upArgs("traefik"), "--merge-kubeconfig")...)
	t.Logf("up --ingress traefik:\n%s", r)
	if r.code != 0 {
		t.Fatalf("up failed:\n%s", r)
	}
	mustContain(t, "switch to traefik", r.stderr, "Removing ingress-nginx", "Installing Traefik v3.6.12")
	got, err := clientcmd.LoadFromFile(h.userKube)
	must(t, err)
	if got.CurrentContext != "work" {
		t.Errorf("--merge-kubeconfig switched the current context to %q", got.CurrentContext)
	}
	if got.Contexts["kind-"+h.name] == nil {
		t.Error("--merge-kubeconfig did not add the lab's context")
	}
}

// snapshot is every object of the add-ons, by resource version.
func snapshot(t *testing.T) map[string]string {
	t.Helper()
	dyn := dynamic.NewForConfigOrDie(h.restConfig(t))
	out := map[string]string{}
	for _, r := range []struct {
		gvr schema.GroupVersionResource
		ns  string
	}{
		{schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}, "metallb-system"},
		{schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "daemonsets"}, "metallb-system"},
		{schema.GroupVersionResource{Group: "metallb.io", Version: "v1beta1", Resource: "ipaddresspools"}, "metallb-system"},
		{schema.GroupVersionResource{Group: "metallb.io", Version: "v1beta1", Resource: "l2advertisements"}, "metallb-system"},
		{schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}, "traefik"},
		{schema.GroupVersionResource{Version: "v1", Resource: "services"}, "traefik"},
		{schema.GroupVersionResource{Group: "networking.k8s.io", Version: "v1", Resource: "ingressclasses"}, ""},
		{schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}, ""},
	} {
		list, err := dyn.Resource(r.gvr).Namespace(r.ns).List(context.Background(), metav1.ListOptions{})
		must(t, err)
		for _, o := range list.Items {
			out[r.gvr.Resource+"/"+o.GetNamespace()+"/"+o.GetName()] = o.GetResourceVersion()
		}
	}
	return out
}

func testUpIdempotent(t *testing.T) {
	before := snapshot(t)
	r := h.labctl(t, "up")
	if r.code != 0 {
		t.Fatalf("second up failed:\n%s", r)
	}
	after := snapshot(t)
	var changed []string
	for k, v := range after {
		if before[k] != v {
			changed = append(changed, k)
		}
	}
	sort.Strings(changed)
	if len(changed) > 0 || len(after) != len(before) {
		t.Errorf("second up changed %v (objects %d -> %d)", changed, len(before), len(after))
	}
	pools := 0
	for k := range after {
		if strings.HasPrefix(k, "ipaddresspools/") {
			pools++
		}
	}
	if pools != 1 {
		t.Errorf("%d address pools, want 1", pools)
	}
	t.Logf("second up: %d add-on objects unchanged (%s)", len(after), r.took.Round(time.Millisecond))
}

type statusJSON struct {
	State string
	Nodes []struct {
		Name  string
		Role  string
		Ready bool
	}
	Addons []struct {
		Name               string
		Installed, Healthy bool
	}
	LoadBalancerPool    string
	DefaultIngressClass string
	HTTPPort            int
	GatewayAPI          *struct {
		CRDVersion           string
		GatewayClassAccepted bool
		Programmed           bool
		Addresses            []string
	}
}

func (h *harness) status(t *testing.T) statusJSON {
	r := h.labctl(t, "status", "-o", "json")
	if r.code != 0 {
		t.Fatalf("status:\n%s", r)
	}
	var st statusJSON
	must(t, json.Unmarshal([]byte(r.stdout), &st))
	return st
}

func testStatus(t *testing.T) {
	st := h.status(t)
	ready := 0
	for _, n := range st.Nodes {
		t.Logf("node %s (%s) ready=%v", n.Name, n.Role, n.Ready)
		if n.Ready {
			ready++
		}
	}
	if ready != 3 || len(st.Nodes) != 3 {
		t.Errorf("%d of %d nodes Ready, want 3 of 3", ready, len(st.Nodes))
	}
	for _, a := range st.Addons {
		if a.Installed && !a.Healthy {
			t.Errorf("add-on %s unhealthy", a.Name)
		}
	}
	if st.DefaultIngressClass != "traefik" || st.HTTPPort != h.httpPort || st.LoadBalancerPool == "" {
		t.Errorf("status %+v", st)
	}
	if g := st.GatewayAPI; g == nil || g.CRDVersion != "v1.4.1" || !g.GatewayClassAccepted || !g.Programmed || len(g.Addresses) == 0 {
		t.Errorf("status gatewayAPI %+v", st.GatewayAPI)
	}
	r := h.labctl(t, "status")
	if r.code != 0 || !strings.Contains(r.stdout, "✓ Traefik") || !strings.Contains(r.stdout, "✓ GatewayClass traefik") || !strings.Contains(r.stdout, "✓ Gateway traefik/lab-gateway") {
		t.Errorf("status text:\n%s", r)
	}
	t.Logf("status:\n%s", r.stdout)
}

// A LoadBalancer Service gets an address from the pool and answers HTTP
// from this computer (Linux reaches the kind network) and from a node.
func testLoadBalancer(t *testing.T) {
	c := h.client(t)
	ctx := context.Background()
	ns := "e2e-lb"
	_, err := c.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{})
	must(t, err)
	labels := map[string]string{"app": "echo"}
	replicas := int32(2)
	_, err = c.AppsV1().Deployments(ns).Create(ctx, &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "echo"},
		Spec: appsv1.DeploymentSpec{Replicas: &replicas, Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: corev1.PodSpec{Containers: []corev1.Container{{
				Name: "echo", Image: "registry.k8s.io/e2e-test-images/agnhost:2.56", Args: []string{"serve-hostname", "--port=8080"},
			}}}}},
	}, metav1.CreateOptions{})
	must(t, err)
	_, err = c.CoreV1().Services(ns).Create(ctx, &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "echo"},
		Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer, Selector: labels,
			Ports: []corev1.ServicePort{{Port: 80, TargetPort: intstr.FromInt32(8080)}}},
	}, metav1.CreateOptions{})
	must(t, err)
	defer c.CoreV1().Namespaces().Delete(ctx, ns, metav1.DeleteOptions{})

	var ip string
	eventually(t, 2*time.Minute, func() error {
		svc, err := c.CoreV1().Services(ns).Get(ctx, "echo", metav1.GetOptions{})
		if err != nil {
			return err
		}
		if len(svc.Status.LoadBalancer.Ingress) == 0 {
			return fmt.Errorf("no EXTERNAL-IP yet")
		}
		ip = svc.Status.LoadBalancer.Ingress[0].IP
		return nil
	})
	pool := h.status(t).LoadBalancerPool
	first, last, _ := strings.Cut(pool, "-")
	a := netip.MustParseAddr(ip)
	if a.Compare(netip.MustParseAddr(first)) < 0 || a.Compare(netip.MustParseAddr(last)) > 0 {
		t.Errorf("EXTERNAL-IP %s outside the pool %s", ip, pool)
	}
	var body string
	eventually(t, 2*time.Minute, func() error {
		resp, err := (&http.Client{Timeout: 3 * time.Second}).Get("http://" + ip + "/")
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		body = string(b)
		if !strings.HasPrefix(body, "echo-") {
			return fmt.Errorf("answer %q is not a pod name", body)
		}
		return nil
	})
	t.Logf("LoadBalancer %s (pool %s) answers from this computer: %s", ip, pool, body)
	fromNode := docker(t, "exec", h.name+"-worker", "curl", "-s", "-m", "3", "http://"+ip+"/")
	if !strings.HasPrefix(fromNode, "echo-") {
		t.Errorf("from a node: %q", fromNode)
	}
	t.Logf("LoadBalancer %s answers from node %s-worker: %s", ip, h.name, fromNode)
}

func eventually(t *testing.T, d time.Duration, f func() error) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		err := f()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %s: %v", d, err)
		}
		time.Sleep(time.Second)
	}
}

func testDown(t *testing.T) {
	if os.Getenv("LABCTL_E2E_KEEP") != "" {
		t.Skip("LABCTL_E2E_KEEP is set")
	}
	r := h.labctl(t, "down")
	t.Logf("down: %s", r.took.Round(time.Millisecond))
	if r.code != 0 {
		t.Fatalf("down:\n%s", r)
	}
	if c := kindContainers(t, h.name); len(c) > 0 {
		t.Errorf("containers left: %v", c)
	}
	if _, err := os.Stat(h.kubeconfig()); err == nil {
		t.Error("kubeconfig left")
	}
	// The user's kubeconfig exists once the merge phase ran; a run of a
	// few phases (-run) may have skipped it.
	if _, err := os.Stat(h.userKube); err == nil {
		got, err := clientcmd.LoadFromFile(h.userKube)
		must(t, err)
		if got.Contexts["kind-"+h.name] != nil || got.Clusters["kind-"+h.name] != nil {
			t.Error("merged context left in the user's kubeconfig")
		}
		if got.Contexts["work"] == nil || got.CurrentContext != "work" {
			t.Error("down touched the user's own context")
		}
	}
	// kind's network goes too, unless another kind cluster still uses it
	if others := docker(t, "ps", "-a", "--filter", "label=io.x-k8s.kind.cluster", "--format", "{{.Names}}"); others == "" {
		if out := docker(t, "network", "ls", "--filter", "name=^kind$", "--format", "{{.Name}}"); out != "" {
			t.Errorf("network %q left", out)
		}
	}
	// down is idempotent
	if r := h.labctl(t, "down"); r.code != 0 {
		t.Errorf("second down:\n%s", r)
	}
}
