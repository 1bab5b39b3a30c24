package session

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	dynamicfake "k8s.io/client-go/dynamic/fake"
	kubefake "k8s.io/client-go/kubernetes/fake"
	"k8s.io/client-go/rest"
	k8stesting "k8s.io/client-go/testing"

	"github.com/labctl/labctl/apply"
	"github.com/labctl/labctl/cluster"
	"github.com/labctl/labctl/i18n"
	"github.com/labctl/labctl/internal/svcport"
	"github.com/labctl/labctl/internal/view"
	"github.com/labctl/labctl/labs"
	"github.com/labctl/labctl/proxy"
	"github.com/labctl/labctl/verify"
)

var library = sync.OnceValues(func() (*labs.Library, error) { return labs.Embedded(verify.Validate) })

func chapter(t *testing.T, id string) *labs.Chapter {
	t.Helper()
	lib, err := library()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range lib.Chapters {
		if c.ID == id {
			return c
		}
	}
	t.Fatalf("no chapter %s", id)
	return nil
}

// fakeLab is a lab on client-go's fake clientset: kube-system answers, and
// MetalLB is installed with a controller that is not ready, so the status
// bar has a detail to say.
func fakeLab(objs ...runtime.Object) *cluster.Lab {
	one := int32(1)
	objs = append(objs,
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "kube-system"}},
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "metallb-system"}},
		&corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "lab-control-plane"},
			Status: corev1.NodeStatus{Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue}}}},
		&appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "controller", Namespace: "metallb-system", Generation: 1},
			Spec:   appsv1.DeploymentSpec{Replicas: &one},
			Status: appsv1.DeploymentStatus{ObservedGeneration: 1, Replicas: 1}},
	)
	// The REST config points nowhere: what the status reads through it
	// (the address pool) is simply absent.
	return &cluster.Lab{Name: "lab", REST: &rest.Config{Host: "http://127.0.0.1:1"}, Client: kubefake.NewClientset(objs...)}
}

// fakeApplier applies into client-go's fake dynamic client and remembers
// the appliers it made, to see which language each reported in.
type fakeApplier struct {
	mu   sync.Mutex
	made []*apply.Applier
}

func (f *fakeApplier) new() (*apply.Applier, error) {
	scheme := runtime.NewScheme()
	dyn := dynamicfake.NewSimpleDynamicClientWithCustomListKinds(scheme, map[schema.GroupVersionResource]string{
		{Group: "apps", Version: "v1", Resource: "deployments"}:                "DeploymentList",
		{Group: "", Version: "v1", Resource: "services"}:                       "ServiceList",
		{Group: "", Version: "v1", Resource: "configmaps"}:                     "ConfigMapList",
		{Group: "", Version: "v1", Resource: "secrets"}:                        "SecretList",
		{Group: "", Version: "v1", Resource: "endpoints"}:                      "EndpointsList",
		{Group: "", Version: "v1", Resource: "pods"}:                           "PodList",
		{Group: "discovery.k8s.io", Version: "v1", Resource: "endpointslices"}: "EndpointSliceList",
	})
	dyn.PrependReactor("patch", "*", func(a k8stesting.Action) (bool, runtime.Object, error) {
		pa := a.(k8stesting.PatchAction)
		if pa.GetPatchType() != types.ApplyPatchType {
			return false, nil, nil
		}
		u := &unstructured.Unstructured{}
		_ = u.UnmarshalJSON(pa.GetPatch())
		settle(u)
		gvr, ns := pa.GetResource(), pa.GetNamespace()
		u.SetNamespace(ns)
		if _, err := dyn.Tracker().Get(gvr, ns, u.GetName()); err == nil {
			_ = dyn.Tracker().Update(gvr, u, ns)
		} else {
			_ = dyn.Tracker().Create(gvr, u, ns)
		}
		return true, u, nil
	})
	m := meta.NewDefaultRESTMapper(nil)
	for _, k := range []struct{ g, v, kind, plural string }{
		{"", "v1", "Service", "services"}, {"", "v1", "ConfigMap", "configmaps"}, {"", "v1", "Pod", "pods"},
		{"", "v1", "Endpoints", "endpoints"}, {"", "v1", "Secret", "secrets"},
		{"discovery.k8s.io", "v1", "EndpointSlice", "endpointslices"},
		{"apps", "v1", "Deployment", "deployments"},
	} {
		m.AddSpecific(schema.GroupVersionKind{Group: k.g, Version: k.v, Kind: k.kind},
			schema.GroupVersionResource{Group: k.g, Version: k.v, Resource: k.plural},
			schema.GroupVersionResource{Group: k.g, Version: k.v, Resource: strings.ToLower(k.kind)}, meta.RESTScopeNamespace)
	}
	a := apply.NewWith(dyn, kubefake.NewClientset(), resettable{m})
	a.Poll = time.Millisecond
	f.mu.Lock()
	f.made = append(f.made, a)
	f.mu.Unlock()
	return a, nil
}

// settle gives a workload the status of one whose rollout finished, as the
// fake API server never runs a controller.
func settle(u *unstructured.Unstructured) {
	if u.GetKind() != "Deployment" {
		return
	}
	want, ok, _ := unstructured.NestedInt64(u.Object, "spec", "replicas")
	if !ok {
		want = 1
	}
	_ = unstructured.SetNestedMap(u.Object, map[string]any{
		"replicas": want, "updatedReplicas": want, "availableReplicas": want, "readyReplicas": want,
	}, "status")
}

type resettable struct{ meta.RESTMapper }

func (resettable) Reset() {}

func hangul(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Hangul, r) {
			return true
		}
	}
	return false
}

// newBackend is a Backend whose session and status run on fakeLab.
func newBackend(t *testing.T, lab *cluster.Lab, fa *fakeApplier) *Backend {
	t.Helper()
	store := &labs.Store{Dir: t.TempDir()}
	noGuard := func(ctx context.Context) (context.Context, func() error) { return ctx, func() error { return nil } }
	return &Backend{
		Target: cluster.Target{Name: "lab"},
		Store:  store,
		open: func(_ context.Context, _ cluster.Target, store *labs.Store) (*Session, error) {
			// opened in English, as the TUI's first command may be
			return &Session{Lab: lab, Store: store, lang: i18n.En, applier: fa.new, guard: noGuard}, nil
		},
		openLab: func(context.Context, cluster.Target) (*cluster.Lab, error) { return lab, nil },
	}
}

// A student reading Korean applies a step in the TUI: the rollout details
// of that apply, the status bar read after it and the live view started
// after it all stay Korean, though the shared session was opened in
// English (issue 10: the backend used to write English into the shared
// session on every apply and reset).
func TestKoreanStaysKoreanAfterApply(t *testing.T) {
	ctx := context.Background()
	lab, fa := fakeLab(), &fakeApplier{}
	b := newBackend(t, lab, fa)
	ch := chapter(t, "ch07")

	// The fake never readies a workload: once every object is applied,
	// end the wait (the applier's language is what its rollout details
	// are written in).
	objs, err := ch.SolutionObjects([]int{0})
	if err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	n := 0
	err = b.ApplySolution(wctx, i18n.Ko, ch, []int{0}, func(apply.Object) {
		if n++; n == len(objs) {
			cancel()
		}
	})
	if n != len(objs) {
		t.Fatalf("applied %d of %d objects (%v)", n, len(objs), err)
	}
	if len(fa.made) == 0 {
		t.Fatal("no applier made")
	}
	for _, a := range fa.made {
		if a.Lang != i18n.Ko {
			t.Errorf("an applier reported in %s, want ko", a.Lang)
		}
	}

	info := b.Status(ctx, i18n.Ko)
	if info.Addon != "MetalLB" || !hangul(info.Detail) {
		t.Errorf("status bar after a Korean apply: addon %q detail %q, want MetalLB's detail in Korean", info.Addon, info.Detail)
	}
	if en := b.Status(ctx, i18n.En); hangul(en.Detail) {
		t.Errorf("the status asked in English answers %q", en.Detail)
	}

	// The live view on the kube-proxy step: its Service is not there yet,
	// and the session says so in the language it was asked.
	st := liveStep(t, ch)
	if !b.Has(ch, st) {
		t.Fatal("the scheduler step has no live view")
	}
	if _, err := b.Start(ctx, i18n.Ko, ch, st); err == nil {
		t.Error("a live view on a missing Service started")
	}
	// the session is still the one opened in English: nothing wrote to it
	b.mu.Lock()
	if b.sess == nil || b.sess.Lang() != i18n.En {
		t.Errorf("the shared session changed language")
	}
	b.mu.Unlock()
}

func liveStep(t *testing.T, ch *labs.Chapter) *labs.Step {
	t.Helper()
	for i := range ch.Steps {
		if _, _, _, ok := verify.LiveTarget(&ch.Steps[i]); ok {
			return &ch.Steps[i]
		}
	}
	t.Fatal("no step with a live view")
	return nil
}

// The live view uses the one rule for the port when the check names none
// (the TUI used to assume 80, then took the first port): the Service's
// only TCP port, by name; with several, it refuses and names them.
func TestLivePortFollowsTheRule(t *testing.T) {
	ch := chapter(t, "ch07")
	st := liveStep(t, ch)
	ns, name, port, _ := verify.LiveTarget(st)
	if ns == "" {
		ns = ch.Namespace
	}
	if port != "" {
		t.Skipf("the live step names its port %q", port)
	}
	one := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: corev1.ServiceSpec{Ports: []corev1.ServicePort{{Name: "dns", Port: 53, Protocol: corev1.ProtocolUDP}, {Name: "web", Port: 8080}}}}
	s := &Session{Lab: &cluster.Lab{Client: kubefake.NewSimpleClientset(one)}, Core: proxy.NewCluster(nil, kubefake.NewSimpleClientset(one))}
	defer s.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if _, err := s.Live(ctx, ch, st); err != nil {
		t.Errorf("one TCP port: %v", err)
	}
	two := one.DeepCopy()
	two.Spec.Ports = append(two.Spec.Ports, corev1.ServicePort{Name: "metrics", Port: 9090})
	s2 := &Session{Lab: &cluster.Lab{Client: kubefake.NewSimpleClientset(two)}, Core: proxy.NewCluster(nil, kubefake.NewSimpleClientset(two))}
	defer s2.Close()
	_, err := s2.Live(ctx, ch, st)
	if !errors.Is(err, svcport.ErrPort) || !strings.Contains(i18n.Localize(err, i18n.Ko), "8080 (web), 9090 (metrics)") {
		t.Errorf("two TCP ports: %v; want the ports named", err)
	}
}

var _ view.Reporter = nopReporter{}

type nopReporter struct{}

func (nopReporter) Start(string)              {}
func (nopReporter) Progress(string)           {}
func (nopReporter) Done(error, time.Duration) {}
func (nopReporter) Note(string)               {}
