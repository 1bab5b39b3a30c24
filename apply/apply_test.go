package apply

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	dynamicfake "k8s.io/client-go/dynamic/fake"
	kubefake "k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"

	"github.com/labctl/labctl/i18n"
)

// fakeMapper knows a fixed set of kinds; a CRD "appears" after Reset once the
// test says it is installed.
type fakeMapper struct {
	meta.RESTMapper
	mu      sync.Mutex
	resets  int
	pending []schema.GroupVersionKind
	def     *meta.DefaultRESTMapper
}

func newFakeMapper() *fakeMapper {
	def := meta.NewDefaultRESTMapper(nil)
	add := func(g, v, k, plural string, scope meta.RESTScope) {
		def.AddSpecific(schema.GroupVersionKind{Group: g, Version: v, Kind: k},
			schema.GroupVersionResource{Group: g, Version: v, Resource: plural},
			schema.GroupVersionResource{Group: g, Version: v, Resource: strings.ToLower(k)}, scope)
	}
	add("", "v1", "Namespace", "namespaces", meta.RESTScopeRoot)
	add("", "v1", "Service", "services", meta.RESTScopeNamespace)
	add("", "v1", "ConfigMap", "configmaps", meta.RESTScopeNamespace)
	add("apps", "v1", "Deployment", "deployments", meta.RESTScopeNamespace)
	add("apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions", meta.RESTScopeRoot)
	return &fakeMapper{RESTMapper: def, def: def}
}

func (m *fakeMapper) Reset() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.resets++
	for _, gvk := range m.pending {
		m.def.AddSpecific(gvk, schema.GroupVersionResource{Group: gvk.Group, Version: gvk.Version, Resource: strings.ToLower(gvk.Kind) + "s"},
			schema.GroupVersionResource{Group: gvk.Group, Version: gvk.Version, Resource: strings.ToLower(gvk.Kind)}, meta.RESTScopeNamespace)
	}
	m.pending = nil
}

type applied struct{ resource, ns, name, manager string }

func newApplier(t *testing.T, objs ...runtime.Object) (*Applier, *dynamicfake.FakeDynamicClient, *fakeMapper, *[]applied) {
	t.Helper()
	scheme := runtime.NewScheme()
	dyn := dynamicfake.NewSimpleDynamicClientWithCustomListKinds(scheme, map[schema.GroupVersionResource]string{
		{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}: "CustomResourceDefinitionList",
		{Group: "apps", Version: "v1", Resource: "deployments"}:                               "DeploymentList",
	}, objs...)
	var mu sync.Mutex
	var log []applied
	dyn.PrependReactor("patch", "*", func(a k8stesting.Action) (bool, runtime.Object, error) {
		pa := a.(k8stesting.PatchAction)
		if pa.GetPatchType() != types.ApplyPatchType {
			t.Errorf("patch type %s, want apply", pa.GetPatchType())
		}
		mu.Lock()
		log = append(log, applied{pa.GetResource().Resource, pa.GetNamespace(), pa.GetName(), FieldManager})
		mu.Unlock()
		u := &unstructured.Unstructured{}
		_ = u.UnmarshalJSON(pa.GetPatch())
		return true, u, nil
	})
	m := newFakeMapper()
	a := NewWith(dyn, kubefake.NewClientset(), m)
	a.Poll = time.Millisecond
	return a, dyn, m, &log
}

func decode(t *testing.T, s string) []Object {
	t.Helper()
	objs, err := Decode("test.yaml", []byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return objs
}

func TestApplyOrderAndNamespaceDefault(t *testing.T) {
	a, _, _, log := newApplier(t)
	a.Namespace = "student"
	err := a.Apply(context.Background(), decode(t, `
apiVersion: v1
kind: Namespace
metadata: {name: lab}
---
apiVersion: v1
kind: Service
metadata: {name: web}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: lab}
`))
	if err != nil {
		t.Fatal(err)
	}
	want := []applied{{"namespaces", "", "lab", "labctl"}, {"services", "student", "web", "labctl"}, {"deployments", "lab", "web", "labctl"}}
	if len(*log) != len(want) {
		t.Fatalf("applied %v, want %v", *log, want)
	}
	for i := range want {
		if (*log)[i] != want[i] {
			t.Errorf("apply %d = %v, want %v", i, (*log)[i], want[i])
		}
	}
}

func TestApplyUnknownKindNamesFileAndLine(t *testing.T) {
	a, _, m, _ := newApplier(t)
	err := a.Apply(context.Background(), decode(t, "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\napiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n"))
	if err == nil {
		t.Fatal("unknown kind applied")
	}
	for _, want := range []string{"Widget", "test.yaml:5", "example.com/v1"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	if m.resets == 0 {
		t.Error("discovery was not refreshed before giving up on an unknown kind")
	}
}

func TestApplyRetriesWebhookUntilItServes(t *testing.T) {
	a, dyn, _, _ := newApplier(t)
	calls := 0
	dyn.PrependReactor("patch", "configmaps", func(k8stesting.Action) (bool, runtime.Object, error) {
		calls++
		if calls < 3 {
			return true, nil, apierrors.NewInternalError(errors.New(`failed calling webhook "validate.example.com": dial tcp 10.96.0.10:443: connect: connection refused`))
		}
		return false, nil, nil
	})
	if err := a.Apply(context.Background(), decode(t, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n")); err != nil {
		t.Fatal(err)
	}
	if calls != 3 {
		t.Errorf("applied %d times, want 3 (two webhook failures, then success)", calls)
	}
}

func TestApplyGivesUpOnRealErrorsAtOnce(t *testing.T) {
	a, dyn, _, _ := newApplier(t)
	calls := 0
	dyn.PrependReactor("patch", "configmaps", func(k8stesting.Action) (bool, runtime.Object, error) {
		calls++
		return true, nil, apierrors.NewInvalid(schema.GroupKind{Kind: "ConfigMap"}, "c", nil)
	})
	err := a.Apply(context.Background(), decode(t, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"))
	if err == nil || calls != 1 {
		t.Fatalf("err=%v calls=%d; want one failed attempt", err, calls)
	}
	if !strings.Contains(err.Error(), "ConfigMap default/c") || !strings.Contains(err.Error(), "test.yaml:1") {
		t.Errorf("error does not name object and source: %v", err)
	}
}

func TestApplyRetryStopsAtDeadline(t *testing.T) {
	a, dyn, _, _ := newApplier(t)
	dyn.PrependReactor("patch", "configmaps", func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewServiceUnavailable("webhook down")
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	err := a.Apply(ctx, decode(t, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"))
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "webhook down") {
		t.Fatalf("want deadline error with last reason, got %v", err)
	}
}

func TestApplyCRDThenCustomResource(t *testing.T) {
	crd := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
		"metadata": map[string]any{"name": "widgets.example.com"},
		"status":   map[string]any{"conditions": []any{map[string]any{"type": "Established", "status": "True"}}},
	}}
	a, _, m, log := newApplier(t, crd)
	m.pending = []schema.GroupVersionKind{{Group: "example.com", Version: "v1", Kind: "Widget"}}
	err := a.Apply(context.Background(), decode(t, `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: w, namespace: lab}
`))
	if err != nil {
		t.Fatal(err)
	}
	if len(*log) != 2 || (*log)[1].resource != "widgets" {
		t.Errorf("applied %v", *log)
	}
}

func TestDeleteReverseOrderIgnoresMissing(t *testing.T) {
	a, dyn, _, _ := newApplier(t)
	var order []string
	dyn.PrependReactor("delete", "*", func(act k8stesting.Action) (bool, runtime.Object, error) {
		d := act.(k8stesting.DeleteAction)
		order = append(order, d.GetResource().Resource+"/"+d.GetName())
		return true, nil, apierrors.NewNotFound(schema.GroupResource{Resource: d.GetResource().Resource}, d.GetName())
	})
	err := a.Delete(context.Background(), decode(t, `
apiVersion: v1
kind: Namespace
metadata: {name: lab}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: lab}
---
apiVersion: example.com/v1
kind: Gone
metadata: {name: g}
`))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(order, ",") != "services/web,namespaces/lab" {
		t.Errorf("delete order %v", order)
	}
}

func TestPodProblemNamesImage(t *testing.T) {
	pods := []corev1.Pod{{
		ObjectMeta: metav1.ObjectMeta{Name: "p"},
		Status: corev1.PodStatus{ContainerStatuses: []corev1.ContainerStatus{{
			Name: "c", Image: "registry.k8s.io/ingress-nginx/controller:v1.15.1",
			State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ImagePullBackOff", Message: "Back-off pulling image"}},
		}}},
	}}
	err := PodProblem("Deployment ingress-nginx/ingress-nginx-controller", pods)
	if err == nil || !strings.Contains(err.Error(), "registry.k8s.io/ingress-nginx/controller:v1.15.1") {
		t.Fatalf("got %v", err)
	}
	pods[0].Status.ContainerStatuses[0].State.Waiting.Reason = "ContainerCreating"
	if err := PodProblem("x", pods); err != nil {
		t.Errorf("ContainerCreating reported as a problem: %v", err)
	}
}

func TestApplyRecreatesOnlyWhenAsked(t *testing.T) {
	existing := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "c", "namespace": "default"},
	}}
	for _, recreate := range []bool{false, true} {
		a, dyn, _, _ := newApplier(t, existing.DeepCopy())
		applies, deletes := 0, 0
		dyn.PrependReactor("patch", "configmaps", func(k8stesting.Action) (bool, runtime.Object, error) {
			applies++
			if applies == 1 {
				return true, nil, apierrors.NewInvalid(schema.GroupKind{Kind: "ConfigMap"}, "c", nil)
			}
			return false, nil, nil
		})
		dyn.PrependReactor("delete", "configmaps", func(k8stesting.Action) (bool, runtime.Object, error) {
			deletes++
			return false, nil, nil
		})
		a.Recreate = recreate
		err := a.Apply(context.Background(), decode(t, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"))
		if !recreate {
			if err == nil || deletes != 0 || !strings.Contains(i18nFix(err), "--force") {
				t.Errorf("without --force: err=%v deletes=%d", err, deletes)
			}
			continue
		}
		if err != nil || deletes != 1 || applies != 2 {
			t.Errorf("with --force: err=%v deletes=%d applies=%d", err, deletes, applies)
		}
	}
}

func i18nFix(err error) string { return i18n.FixOf(err, i18n.En) }

// A YAML mistake is reported at the line of the file, once: not the
// document's first line followed by the parser's count within it.
func TestDecodeErrorNamesTheFileLine(t *testing.T) {
	data := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n# the Service\n\napiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  ports: [80\n"
	_, err := Decode("x.yaml", []byte(data))
	var de *DecodeError
	if !errors.As(err, &de) {
		t.Fatalf("got %v", err)
	}
	if de.Line < 11 || de.Line > 12 || strings.Contains(de.Err.Error(), "line") {
		t.Errorf("line %d: %v; want the file's line 11 or 12 and no second line number", de.Line, de.Err)
	}
}

// contains is what InPlace compares: every field the manifest sets, with
// the same value; fields the cluster added do not matter, any other value
// or a missing field does.
func TestContains(t *testing.T) {
	live := map[string]any{
		"addresses":     []any{"172.18.255.200-172.18.255.250"},
		"autoAssign":    true,
		"avoidBuggyIPs": false,
		"port":          int64(80),
	}
	for _, tc := range []struct {
		name string
		want any
		ok   bool
	}{
		{"the manifest's fields, the cluster added others", map[string]any{"addresses": []any{"172.18.255.200-172.18.255.250"}}, true},
		{"a number decoded as float", map[string]any{"port": float64(80)}, true},
		{"another pool", map[string]any{"addresses": []any{"172.18.255.100-172.18.255.150"}}, false},
		{"one more address range", map[string]any{"addresses": []any{"172.18.255.200-172.18.255.250", "10.0.0.1/32"}}, false},
		{"a field the cluster does not have", map[string]any{"serviceAllocation": map[string]any{"priority": int64(1)}}, false},
		{"a boolean that differs", map[string]any{"autoAssign": false}, false},
		{"a number that differs", map[string]any{"port": int64(81)}, false},
	} {
		if got := contains(live, tc.want); got != tc.ok {
			t.Errorf("%s: contains = %v, want %v", tc.name, got, tc.ok)
		}
	}
}
