package cluster

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8sruntime "k8s.io/apimachinery/pkg/runtime"
	kubefake "k8s.io/client-go/kubernetes/fake"
	"k8s.io/client-go/rest"

	"github.com/labctl/labctl/cluster/addons"
	"github.com/labctl/labctl/i18n"
	"github.com/labctl/labctl/internal/paths"
)

func hangul(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Hangul, r) {
			return true
		}
	}
	return false
}

func readyNode(name string, ready bool) *corev1.Node {
	st := corev1.ConditionFalse
	if ready {
		st = corev1.ConditionTrue
	}
	return &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name},
		Status: corev1.NodeStatus{Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: st}}}}
}

func deployment(ns, name string, want, available int32) *appsv1.Deployment {
	return &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Generation: 1},
		Spec: appsv1.DeploymentSpec{Replicas: &want},
		Status: appsv1.DeploymentStatus{ObservedGeneration: 1, Replicas: want, UpdatedReplicas: want,
			AvailableReplicas: available, ReadyReplicas: available}}
}

// fakeLab is a lab on client-go's fake clientset; its REST config points
// nowhere, so what status reads through it (the address pool) is absent.
func fakeLab(objs ...k8sruntime.Object) *Lab {
	objs = append(objs, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "kube-system"}})
	return &Lab{Name: "fake", REST: &rest.Config{Host: "http://127.0.0.1:1"}, Client: kubefake.NewClientset(objs...)}
}

// status reads nodes, add-ons and the default IngressClass from the API,
// and names what is not ready in the language asked for.
func TestGetStatusOnAFakeCluster(t *testing.T) {
	lab := fakeLab(
		readyNode("fake-control-plane", true), readyNode("fake-worker", false),
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "metallb-system"}},
		deployment("metallb-system", "controller", 1, 0),
		&networkingv1.IngressClass{ObjectMeta: metav1.ObjectMeta{Name: "traefik",
			Annotations: map[string]string{"ingressclass.kubernetes.io/is-default-class": "true"}}},
	)
	st, err := lab.Status(context.Background(), i18n.Ko)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Nodes) != 2 || st.IngressClass != "traefik" || st.Healthy() || st.Name != "fake" {
		t.Errorf("status %+v", st)
	}
	var metallb AddonStatus
	for _, a := range st.Addons {
		if a.Name == addons.MetalLB.Name {
			metallb = a
		} else if a.Installed {
			t.Errorf("%s installed on the fake", a.Name)
		}
	}
	if !metallb.Installed || metallb.Healthy || !strings.Contains(metallb.Detail, "Deployment/controller") || !hangul(metallb.Detail) {
		t.Errorf("MetalLB %+v", metallb)
	}
	if en, _ := lab.Status(context.Background(), i18n.En); hangul(fmt.Sprint(en.Addons)) {
		t.Errorf("asked in English: %+v", en.Addons)
	}
}

// waitReady ends once the nodes are ready and CoreDNS is available, and
// says what it saw last when time runs out.
func TestWaitReady(t *testing.T) {
	rep := &recorder{}
	env := Env{Lang: i18n.En, Reporter: rep}
	lab := fakeLab(readyNode("a", true), readyNode("b", true), deployment("kube-system", "coredns", 2, 2))
	if err := waitReady(context.Background(), lab, 2, time.Minute, env); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // nothing will change on the fake: give up at the first look
	err := waitReady(ctx, fakeLab(readyNode("a", true), readyNode("b", false)), 2, time.Minute, env)
	if err == nil {
		t.Fatal("waitReady passed with a node not ready")
	}
	if !strings.Contains(strings.Join(rep.progress, "\n"), "1/2") && !strings.Contains(i18n.Localize(err, i18n.En), "1") {
		t.Errorf("no word of the nodes: %v, progress %q", err, rep.progress)
	}
}

type recorder struct {
	steps, progress, notes []string
	errs                   []error
}

func (r *recorder) Start(title string)              { r.steps = append(r.steps, title) }
func (r *recorder) Progress(detail string)          { r.progress = append(r.progress, detail) }
func (r *recorder) Done(err error, _ time.Duration) { r.errs = append(r.errs, err) }
func (r *recorder) Note(text string)                { r.notes = append(r.notes, text) }

// A provisioning step is reported as it starts and ends, with its error.
func TestEnvStepAndNote(t *testing.T) {
	rep := &recorder{}
	env := Env{Lang: i18n.Ko, Reporter: rep}
	boom := errors.New("boom")
	if err := env.step("one", func() error { return boom }); err != boom {
		t.Errorf("step returned %v", err)
	}
	env.note(stepAPIBack)
	if len(rep.steps) != 1 || rep.steps[0] != "one" || len(rep.errs) != 1 || rep.errs[0] != boom || len(rep.notes) != 1 || !hangul(rep.notes[0]) {
		t.Errorf("reported %+v", rep)
	}
}

// kind's log becomes progress, each stage once, and its tail explains a
// failure.
func TestKindLogger(t *testing.T) {
	rep := &recorder{}
	k := &kindLogger{rep: rep}
	k.V(0).Info(" • Preparing nodes 📦 ...")
	k.V(0).Infof(" ✓ Preparing nodes 📦 %s", "")
	k.V(1).Info("debug detail")
	k.Warn("a warning")
	k.Warnf("warned %d", 2)
	k.Error("an error")
	k.Errorf("failed %s", "x")
	if !k.V(1).Enabled() || k.V(2).Enabled() {
		t.Error("verbosity")
	}
	if len(rep.progress) != 1 || !strings.HasPrefix(rep.progress[0], "Preparing nodes") {
		t.Errorf("progress %q", rep.progress)
	}
	if tail := k.Tail(); !strings.Contains(tail, "failed x") || !strings.Contains(tail, "debug detail") {
		t.Errorf("tail %q", tail)
	}
	for i := 0; i < 30; i++ {
		k.Warn(fmt.Sprint("line ", i))
	}
	if n := strings.Count(k.Tail(), "\n") + 1; n != 20 {
		t.Errorf("tail keeps %d lines, want 20", n)
	}
}

// The environment sentinels a front end maps to exit code 2.
func TestEnvironmentErrors(t *testing.T) {
	for _, err := range []error{ErrNoCluster, ErrUnreachable, ErrKubeconfig, fmt.Errorf("x: %w", ErrRuntime)} {
		if !IsEnvironment(err) {
			t.Errorf("%v is not an environment error", err)
		}
	}
	if IsEnvironment(errors.New("forbidden")) {
		t.Error("any error is an environment error")
	}
	if !Gone(fmt.Errorf("x: %w", ErrStopped)) || Gone(ErrUnreachable) {
		t.Error("Gone")
	}
	if (Target{Name: "lab"}).External() || !(Target{Context: "kind-other"}).External() {
		t.Error("External")
	}
}

// Ping asks the API server; the node list is the API's.
func TestPingAndNodeList(t *testing.T) {
	lab := fakeLab(readyNode("a", true))
	if err := lab.Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
	ns, err := lab.NodeList(context.Background())
	if err != nil || len(ns) != 1 || !nodeReady(ns[0]) {
		t.Errorf("nodes %v, %v", ns, err)
	}
	empty := &Lab{Name: "fake", REST: &rest.Config{Host: "http://127.0.0.1:1"}, Client: kubefake.NewClientset()}
	if err := empty.Ping(context.Background()); !errors.Is(err, ErrUnreachable) {
		t.Errorf("ping without kube-system: %v", err)
	}
	if _, err := empty.Nodes(); err == nil {
		t.Error("kind's nodes of a cluster labctl did not make")
	}
}

const testKubeconfig = `apiVersion: v1
kind: Config
clusters:
- name: c
  cluster: {server: "https://127.0.0.1:1"}
users:
- name: u
  user: {token: t}
contexts:
- name: kind-%[1]s
  context: {cluster: c, user: u}
- name: other
  context: {cluster: c, user: u}
current-context: kind-%[1]s
`

// Open reads labctl's kubeconfig for a kind lab, or any kubeconfig and
// context for a cluster made elsewhere, and names an unusable one.
func TestOpen(t *testing.T) {
	home := t.TempDir()
	t.Setenv("LABCTL_HOME", home)
	path := paths.Kubeconfig("lab")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(fmt.Sprintf(testKubeconfig, "lab")), 0o600); err != nil {
		t.Fatal(err)
	}
	lab, err := Open(context.Background(), Target{})
	if err != nil {
		t.Fatal(err)
	}
	if lab.Name != "lab" || lab.Context != "kind-lab" || lab.Client == nil || lab.REST.Host != "https://127.0.0.1:1" {
		t.Errorf("lab %+v", lab)
	}
	if _, err := lab.Applier(); err != nil {
		t.Errorf("applier: %v", err)
	}

	ext, err := Open(context.Background(), Target{Kubeconfig: path, Context: "other"})
	if err != nil || ext.Name != "other" || ext.Provider != nil {
		t.Fatalf("external: %+v, %v", ext, err)
	}
	if _, err := ext.Nodes(); err == nil {
		t.Error("node access on a cluster labctl did not make")
	}
	_, err = Open(context.Background(), Target{Kubeconfig: filepath.Join(home, "missing")})
	if !errors.Is(err, ErrKubeconfig) {
		t.Errorf("missing kubeconfig: %v", err)
	}
	_, err = Open(context.Background(), Target{Kubeconfig: path, Context: "nope"})
	if !errors.Is(err, ErrKubeconfig) || !strings.Contains(i18n.Localize(err, i18n.En), "context nope") {
		t.Errorf("unknown context: %v", err)
	}
	if d := describe("", ""); d != "~/.kube/config" {
		t.Errorf("describe: %q", d)
	}
}

// The wait that starts before its step says nothing until the step shows:
// its progress would otherwise read as the step before it.
func TestHeldProgress(t *testing.T) {
	rep := &recorder{}
	h := &heldProgress{Reporter: rep}
	h.Progress("before its step")
	h.show.Store(true)
	h.Progress("under its step")
	h.Note("a note passes at any time")
	if len(rep.progress) != 1 || rep.progress[0] != "under its step" || len(rep.notes) != 1 {
		t.Errorf("passed on %q and notes %q, want only the progress after show", rep.progress, rep.notes)
	}
}
