package cluster

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8sruntime "k8s.io/apimachinery/pkg/runtime"
	kubefake "k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
	kindcluster "sigs.k8s.io/kind/pkg/cluster"

	"github.com/labctl/labctl/apply"
	"github.com/labctl/labctl/cluster/addons"
	"github.com/labctl/labctl/cluster/internal/runtime"
	"github.com/labctl/labctl/i18n"
	"github.com/labctl/labctl/labs"
)

// sideload saves each image the runtime has once and imports it only into
// the nodes whose role needs it and that lack it; images the runtime lacks
// are left for the nodes to pull.
func TestSideload(t *testing.T) {
	dir := fakeDocker(t, twoNodes...)
	writeState(t, dir, "nodeimages", "lab-control-plane coredns:1")
	plan := apply.ImagePlan{}
	plan.Add(apply.Placement{Workers: true}, "agnhost:1")
	plan.Add(apply.Placement{ControlPlane: true, Workers: true}, "absent:1")
	plan.Add(apply.Placement{ControlPlane: true}, "coredns:1")
	rep := &recorder{}
	if err := sideload(context.Background(), kindLab(), plan, Env{Lang: i18n.En, Reporter: rep}); err != nil {
		t.Fatal(err)
	}
	log := dockerLog(t, dir)
	if n := strings.Count(log, "\nsave "); n != 1 || !strings.Contains(log, "save agnhost:1\n") {
		t.Errorf("saves (want agnhost:1 once): %q", log)
	}
	if !strings.Contains(log, "exec --privileged -i lab-worker ctr --namespace=k8s.io images import") ||
		strings.Contains(log, "-i lab-control-plane ctr") {
		t.Errorf("imports (want the worker only): %q", log)
	}
	if len(rep.steps) != 1 || !strings.Contains(rep.steps[0], "1") || rep.errs[0] != nil {
		t.Errorf("reported %+v", rep)
	}

	// Everything in place: no step at all.
	writeState(t, dir, "nodeimages", "lab-worker agnhost:1")
	os.Remove(filepath.Join(dir, "log"))
	rep = &recorder{}
	plan = apply.ImagePlan{}
	plan.Add(apply.Placement{Workers: true}, "agnhost:1")
	if err := sideload(context.Background(), kindLab(), plan, Env{Lang: i18n.En, Reporter: rep}); err != nil || len(rep.steps) != 0 {
		t.Errorf("nothing to load: %v, steps %q", err, rep.steps)
	}
}

// While kind bootstraps, the images go into the nodes as soon as all of
// them exist and their containerd answers.
func TestEarlySideload(t *testing.T) {
	dir := fakeDocker(t, twoNodes...)
	forAddons, chapters := apply.ImagePlan{}, apply.ImagePlan{}
	forAddons.Add(apply.Placement{ControlPlane: true, Workers: true}, "agnhost:1")
	chapters.Add(apply.Placement{Workers: true}, "dnsutils:1")
	p := kindcluster.NewProvider(kindcluster.ProviderWithDocker())
	done := earlySideload(context.Background(), runtime.New("docker"), p, Options{Name: "lab", Workers: 1}, &recorder{}, forAddons, chapters)
	<-done[0]
	log := dockerLog(t, dir)
	if !strings.Contains(log, "ctr --namespace=k8s.io version") || strings.Count(log, "images import") < 2 {
		t.Errorf("early sideload, the add-ons' images: %q", log)
	}
	<-done[1]
	// then the chapters' image, into the worker only
	log = dockerLog(t, dir)
	if strings.Count(log, "images import") != 3 || strings.Index(log, "agnhost:1") > strings.Index(log, "dnsutils:1") {
		t.Errorf("early sideload, then the chapters' images: %q", log)
	}
}

// A bundle holds every image under its tag, pulled when missing; loading
// it feeds the runtime and then the lab's nodes.
func TestBundles(t *testing.T) {
	dir := fakeDocker(t, twoNodes...)
	rt := runtime.New("docker")
	path := filepath.Join(dir, "bundle.tar")
	rep := &recorder{}
	if err := saveBundle(context.Background(), rt, []string{"agnhost:1", "absent:2@sha256:abc"}, path, rep, i18n.En); err != nil {
		t.Fatal(err)
	}
	log := dockerLog(t, dir)
	for _, want := range []string{"pull absent:2@sha256:abc", "tag absent:2@sha256:abc absent:2", "save agnhost:1 absent:2\n"} {
		if !strings.Contains(log, want) {
			t.Errorf("save bundle did not run %q: %q", want, log)
		}
	}
	if b, _ := os.ReadFile(path); string(b) != "ARCHIVE save agnhost:1 absent:2\n" {
		t.Errorf("archive %q", b)
	}
	if strings.Contains(log, "pull agnhost") || len(rep.steps) != 2 {
		t.Errorf("pulled an image the runtime has, or steps %q", rep.steps)
	}

	var calls []string
	refusing := runtime.Fake(map[string]string{"image inspect": "ERR Error: No such image: x", "pull ": "ERR denied"}, &calls)
	err := saveBundle(context.Background(), refusing, []string{"x:1"}, filepath.Join(dir, "b2.tar"), &recorder{}, i18n.En)
	if msg := i18n.Localize(err, i18n.En); err == nil || !strings.Contains(msg, "x:1") || !strings.Contains(msg, "denied") {
		t.Errorf("a pull that fails: %q", msg)
	}
	saveFails := runtime.Fake(map[string]string{"image inspect": "sha256:x", "save": "ERR no space"}, &calls)
	b3 := filepath.Join(dir, "b3.tar")
	if err := saveBundle(context.Background(), saveFails, []string{"x:1"}, b3, &recorder{}, i18n.En); err == nil {
		t.Error("a failed save passed")
	}
	if _, err := os.Stat(b3); !os.IsNotExist(err) {
		t.Errorf("a failed save left %s", b3)
	}

	os.Remove(filepath.Join(dir, "log"))
	if err := loadBundle(context.Background(), rt, path, nil, []string{"agnhost:1"}, Env{Lang: i18n.En, Reporter: &recorder{}}); err != nil {
		t.Fatal(err)
	}
	if log := dockerLog(t, dir); log != "load\n" {
		t.Errorf("no lab: only the runtime loads, ran %q", log)
	}
	if err := loadBundle(context.Background(), rt, path, kindLab(), []string{"agnhost:1"}, Env{Lang: i18n.En, Reporter: &recorder{}}); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(dockerLog(t, dir), "images import"); n != 2 {
		t.Errorf("imports into the lab's two nodes: %d", n)
	}
	if err := loadBundle(context.Background(), rt, filepath.Join(dir, "none.tar"), nil, nil, Env{Lang: i18n.En, Reporter: &recorder{}}); !os.IsNotExist(err) {
		t.Errorf("missing bundle: %v", err)
	}
}

func podsNode(name string, maxPods int64, labels map[string]string, taints ...corev1.Taint) *corev1.Node {
	n := readyNode(name, true)
	n.Labels = labels
	n.Spec.Taints = taints
	n.Status.Allocatable = corev1.ResourceList{corev1.ResourcePods: *resource.NewQuantity(maxPods, resource.DecimalSI)}
	return n
}

// The last worker of a lab with two becomes the low-limit worker: tainted
// (its other taints kept), then labelled; a lab that has one keeps it, and
// a lab with one worker gets none.
func TestEnsureMaxPodsNode(t *testing.T) {
	dir := fakeDocker(t, append(twoNodes, "lab-worker2 running worker 172.18.0.4")...)
	other := corev1.Taint{Key: "example.com/x", Value: "y", Effect: corev1.TaintEffectNoExecute}
	lab := kindLab()
	lab.Client = kubefake.NewClientset(
		podsNode("lab-control-plane", 110, map[string]string{"node-role.kubernetes.io/control-plane": ""}),
		podsNode("lab-worker", 110, nil), podsNode("lab-worker2", labs.LowMaxPods, nil, other))
	ctx := context.Background()
	finish, err := ensureMaxPodsNode(ctx, lab, 0)
	if err != nil || finish == nil {
		t.Fatalf("ensureMaxPodsNode: %v, finish %v", err, finish != nil)
	}
	// tainted at once, named (labelled) only once the limit is set
	if n, _ := lab.Client.CoreV1().Nodes().Get(ctx, "lab-worker2", metav1.GetOptions{}); len(n.Spec.Taints) != 2 || n.Labels[labs.MaxPodsNodeKey] != "" {
		t.Errorf("before finish: taints %+v, labels %v", n.Spec.Taints, n.Labels)
	}
	if err := finish(); err != nil {
		t.Fatal(err)
	}
	n, err := maxPodsNode(ctx, lab)
	if err != nil || n == nil || n.Name != "lab-worker2" {
		t.Fatalf("low-limit worker %v, %v", n, err)
	}
	if len(n.Spec.Taints) != 2 || n.Spec.Taints[0] != other || n.Spec.Taints[1].Key != labs.MaxPodsNodeKey || n.Spec.Taints[1].Effect != corev1.TaintEffectNoSchedule {
		t.Errorf("taints %+v", n.Spec.Taints)
	}
	if strings.Contains(dockerLog(t, dir), "maxPods") {
		t.Error("a kubelet that has the limit already was restarted")
	}
	if finish, err := ensureMaxPodsNode(ctx, lab, 0); err != nil || finish != nil {
		t.Errorf("second run: %v, work left %v", err, finish != nil)
	}

	one := kindLab()
	one.Client = kubefake.NewClientset(podsNode("lab-worker", 110, nil))
	if finish, err := ensureMaxPodsNode(ctx, one, 0); err != nil || finish != nil {
		t.Fatalf("one worker: %v, work left %v", err, finish != nil)
	}
	if n, _ := maxPodsNode(ctx, one); n != nil {
		t.Errorf("a lab with one worker got a low-limit worker: %s", n.Name)
	}
}

// SetMaxPods rewrites the kubelet's configuration in the node and waits
// until the node reports the new limit; a limit the node has is left, and
// one below 1 is refused.
func TestSetMaxPods(t *testing.T) {
	dir := fakeDocker(t, twoNodes...)
	ready := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "web"}, Spec: corev1.PodSpec{NodeName: "lab-worker"},
		Status: corev1.PodStatus{Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}}}}
	cs := kubefake.NewClientset(podsNode("lab-worker", 8, nil), ready)
	// The node reports the new limit once the script has run in it.
	cs.PrependReactor("get", "nodes", func(k8stesting.Action) (bool, k8sruntime.Object, error) {
		if !strings.Contains(dockerLog(t, dir), "maxPods: 20") {
			return false, nil, nil
		}
		return true, podsNode("lab-worker", 20, nil), nil
	})
	lab := kindLab()
	lab.Client = cs
	ctx := context.Background()
	if err := lab.SetMaxPods(ctx, "lab-worker", 8, 0); err != nil || strings.Contains(dockerLog(t, dir), "exec") {
		t.Errorf("unchanged limit: %v, log %q", err, dockerLog(t, dir))
	}
	if err := lab.SetMaxPods(ctx, "lab-worker", 20, 0); err != nil {
		t.Fatal(err)
	}
	if log := dockerLog(t, dir); !strings.Contains(log, "exec --privileged lab-worker sh -c") || !strings.Contains(log, "systemctl restart kubelet") {
		t.Errorf("script not run in the node: %q", log)
	}
	if err := lab.SetMaxPods(ctx, "lab-worker", 0, 0); err == nil {
		t.Error("maxPods 0 accepted")
	}
	if err := lab.SetMaxPods(ctx, "lab-nope", 20, 0); err == nil || !strings.Contains(err.Error(), "lab-nope") {
		t.Errorf("unknown node: %v", err)
	}
}

// On a kind lab, status adds what the runtime knows: a stopped worker is
// not Ready and says its container state, the host ports, the outside
// server and the pod limit.
func TestGetStatusOfAKindLab(t *testing.T) {
	dir := fakeDocker(t, "lab-control-plane running control-plane 172.18.0.2", "lab-worker exited worker")
	writeState(t, dir, "outside", "lab-outside running")
	lab := kindLab()
	lab.Client = kubefake.NewClientset(&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "kube-system"}},
		readyNode("lab-control-plane", true), podsNode("lab-worker", 8, map[string]string{labs.MaxPodsNodeKey: labs.MaxPodsNodeValue}))
	st, err := lab.Status(context.Background(), i18n.En)
	if err != nil {
		t.Fatal(err)
	}
	if st.State != LabPartlyStopped || st.Healthy() || st.HTTPPort != 8080 || st.HTTPSPort != 8443 || st.Outside != "http://172.18.0.50:8080" {
		t.Errorf("status %+v", st)
	}
	if st.PodLimit == nil || *st.PodLimit != (PodLimit{Node: "lab-worker", MaxPods: 8}) {
		t.Errorf("pod limit %+v", st.PodLimit)
	}
	for _, n := range st.Nodes {
		if n.Name == "lab-worker" && (n.Ready || n.Container != "exited") {
			t.Errorf("stopped worker %+v", n)
		}
	}
}

// The ingress controller: the one named, else the one the lab runs, else
// none for start and the default for up.
func TestChooseIngress(t *testing.T) {
	ctx := context.Background()
	traefik := fakeLab(&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: addons.Traefik.Namespace}})
	tests := []struct {
		name string
		lab  *Lab
		o    Options
		want Ingress
	}{
		{"named", traefik, Options{Ingress: IngressNone, IngressExplicit: true}, IngressNone},
		{"installed", traefik, Options{Ingress: IngressNginx}, IngressTraefik},
		{"start of a lab without one", fakeLab(), Options{Ingress: IngressTraefik, StartOnly: true}, IngressNone},
		{"up of a lab without one", fakeLab(), Options{Ingress: IngressTraefik}, IngressTraefik},
	}
	for _, tt := range tests {
		if got, err := chooseIngress(ctx, tt.lab, tt.o); err != nil || got != tt.want {
			t.Errorf("%s: %q, %v, want %q", tt.name, got, err, tt.want)
		}
	}
	// The one wanted is the one installed: nothing to uninstall.
	rep := &recorder{}
	if err := uninstallOtherIngress(ctx, traefik, IngressTraefik, 0, Env{Lang: i18n.En, Reporter: rep}); err != nil || len(rep.steps) != 0 {
		t.Errorf("uninstall: %v, steps %q", err, rep.steps)
	}
}

// The lab Gateway's certificate is a TLS Secret whose key matches its
// certificate; the pool objects name the pool; add-ons list their images.
func TestAddonObjects(t *testing.T) {
	sec, err := labGatewayCert()
	if err != nil {
		t.Fatal(err)
	}
	data := sec.Object["data"].(map[string]any)
	crt, _ := data[corev1.TLSCertKey].(string)
	key, _ := data[corev1.TLSPrivateKeyKey].(string)
	if sec.GetKind() != "Secret" || sec.GetName() != labGatewaySecret || crt == "" || key == "" {
		t.Fatalf("secret %v", sec.Object)
	}
	if _, err := tls.X509KeyPair(b64(t, crt), b64(t, key)); err != nil {
		t.Errorf("key and certificate do not match: %v", err)
	}
	p, err := carvePool([]netip.Prefix{netip.MustParsePrefix("172.18.0.0/16")}, 0)
	if err != nil {
		t.Fatal(err)
	}
	objs := poolObjects(p)
	if len(objs) != 2 || objs[0].GetKind() != "IPAddressPool" || objs[0].GetName() != poolName || objs[1].GetKind() != "L2Advertisement" {
		t.Errorf("pool objects %v", objs)
	}
	if imgs := addons.Traefik.Images(); len(imgs) == 0 || !strings.Contains(strings.Join(imgs, " "), "traefik") {
		t.Errorf("Traefik's images %q", imgs)
	}
	t.Setenv("KIND_EXPERIMENTAL_DOCKER_NETWORK", "other")
	if kindNetwork() != "other" {
		t.Error("KIND_EXPERIMENTAL_DOCKER_NETWORK ignored")
	}
}

func b64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The public bundle commands find the runtime themselves, and load only
// into the runtime when there is no lab to side-load into.
func TestBundlesThroughTheTarget(t *testing.T) {
	dir := fakeDocker(t)
	path := filepath.Join(dir, "bundle.tar")
	env := Env{Lang: i18n.En, Reporter: &recorder{}}
	if err := SaveBundle(context.Background(), []string{"agnhost:1"}, path, env); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(dir, "log"))
	if err := LoadBundle(context.Background(), Target{Name: "lab"}, path, []string{"agnhost:1"}, env); err != nil {
		t.Fatal(err)
	}
	if log := dockerLog(t, dir); !strings.Contains(log, "load\n") || strings.Contains(log, "images import") {
		t.Errorf("no lab: only the runtime loads, ran %q", log)
	}
	if err := LoadBundle(context.Background(), Target{Runtime: "rkt"}, path, nil, Env{Lang: i18n.En, Reporter: &recorder{}}); err == nil {
		t.Error("an unknown runtime loaded a bundle")
	}
}
