package apply

import (
	"context"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	dynamicfake "k8s.io/client-go/dynamic/fake"
	kubefake "k8s.io/client-go/kubernetes/fake"

	"github.com/labctl/labctl/i18n"
)

// A controller waiting for a Job's Secret never reports an image problem
// itself; the Job's pod does. Wait must look at both and fail at once.
func TestWaitFailsFastOnALaterWorkloadsImage(t *testing.T) {
	objs := decode(t, `
apiVersion: apps/v1
kind: Deployment
metadata: {name: controller, namespace: ing}
spec: {replicas: 1, selector: {matchLabels: {app: controller}}}
---
apiVersion: batch/v1
kind: Job
metadata: {name: certgen, namespace: ing}
spec: {selector: {matchLabels: {job: certgen}}}
`)
	inCluster := []runtime.Object{}
	for _, o := range objs {
		u := o.DeepCopy()
		u.SetGeneration(1)
		inCluster = append(inCluster, u)
	}
	dyn := dynamicfake.NewSimpleDynamicClientWithCustomListKinds(runtime.NewScheme(), map[schema.GroupVersionResource]string{
		{Group: "apps", Version: "v1", Resource: "deployments"}: "DeploymentList",
		{Group: "batch", Version: "v1", Resource: "jobs"}:       "JobList",
	}, inCluster...)
	core := kubefake.NewClientset(&corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "certgen-x", Namespace: "ing", Labels: map[string]string{"job": "certgen"}},
		Status: corev1.PodStatus{ContainerStatuses: []corev1.ContainerStatus{{
			Name: "create", Image: "registry.k8s.io/ingress-nginx/kube-webhook-certgen:v1.6.9",
			State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ErrImagePull", Message: "dial tcp: lookup registry.k8s.io: no such host"}},
		}}},
	})
	m := newFakeMapper()
	m.def.AddSpecific(schema.GroupVersionKind{Group: "batch", Version: "v1", Kind: "Job"},
		schema.GroupVersionResource{Group: "batch", Version: "v1", Resource: "jobs"},
		schema.GroupVersionResource{Group: "batch", Version: "v1", Resource: "job"}, meta.RESTScopeNamespace)
	a := NewWith(dyn, core, m)
	a.Poll = time.Millisecond
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	start := time.Now()
	err := a.Wait(ctx, objs)
	if err == nil || !strings.Contains(err.Error(), "kube-webhook-certgen:v1.6.9") {
		t.Fatalf("want an error naming the image, got %v", err)
	}
	if ctx.Err() != nil {
		t.Fatalf("waited for the deadline (%s) instead of failing at once", time.Since(start))
	}
}

// A pod whose readiness probe keeps failing past its budget ends the wait
// with the kubelet's reason, in both languages, when StopOnUnready is set;
// one still within its budget, a failure from before its container
// started, or another pod's failure does not.
func TestUnready(t *testing.T) {
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	pod := func(name string, started time.Time) *corev1.Pod {
		return &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "ch07", UID: "uid-" + types.UID(name)},
			Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", ReadinessProbe: &corev1.Probe{
				PeriodSeconds: 2, ProbeHandler: corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromInt32(8081)}}}}}},
			Status: corev1.PodStatus{Phase: corev1.PodRunning,
				Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionFalse}},
				ContainerStatuses: []corev1.ContainerStatus{{Name: "app",
					State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: metav1.NewTime(started)}}}}},
		}
	}
	event := func(name, pod string, at time.Time, msg string) *corev1.Event {
		return &corev1.Event{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "ch07"},
			InvolvedObject: corev1.ObjectReference{Kind: "Pod", Name: pod, UID: "uid-" + types.UID(pod)},
			Reason:         "Unhealthy", Message: msg, LastTimestamp: metav1.NewTime(at)}
	}
	failing := pod("web-1", now.Add(-25*time.Second))
	young := pod("web-2", now.Add(-10*time.Second))
	old := pod("web-3", now.Add(-25*time.Second))
	core := kubefake.NewClientset(failing, young, old,
		event("e1", "web-1", now.Add(-3*time.Second), "Readiness probe failed: dial tcp 10.244.1.5:8081: connect: connection refused"),
		event("e2", "web-2", now.Add(-3*time.Second), "Readiness probe failed: dial tcp 10.244.1.6:8081: connect: connection refused"),
		event("e3", "web-3", now.Add(-time.Minute), "Readiness probe failed: from an earlier container"))
	a := NewWith(nil, core, newFakeMapper())
	ctx := context.Background()
	err := a.unready(ctx, "Deployment ch07/web", []corev1.Pod{*failing}, now)
	if err == nil {
		t.Fatal("a pod failing its readiness probe for 25 s: no error")
	}
	for _, l := range []i18n.Lang{i18n.En, i18n.Ko} {
		msg := i18n.Localize(err, l) + " / " + i18n.FixOf(err, l)
		for _, want := range []string{"Deployment ch07/web", "web-1", "connection refused", "kubectl describe pod web-1"} {
			if !strings.Contains(msg, want) {
				t.Errorf("%s: %q lacks %q", l, msg, want)
			}
		}
	}
	if err := a.unready(ctx, "Deployment ch07/web", []corev1.Pod{*young, *old}, now); err != nil {
		t.Errorf("a pod within the floor, and one whose only failure predates its container: %v", err)
	}
	ready := failing.DeepCopy()
	ready.Status.Conditions[0].Status = corev1.ConditionTrue
	if err := a.unready(ctx, "Deployment ch07/web", []corev1.Pod{*ready}, now); err != nil {
		t.Errorf("a Ready pod: %v", err)
	}
}

// A bare Pod (ch07's "three bare Pods") is waited for by itself: its
// failing probe ends the wait too, long before the deadline.
func TestWaitStopsOnABarePodsFailingProbe(t *testing.T) {
	objs := decode(t, `
apiVersion: v1
kind: Pod
metadata: {name: web-1, namespace: ch07}
spec: {containers: [{name: app, image: agnhost}]}
`)
	started := time.Now().Add(-time.Minute)
	live := objs[0].DeepCopy()
	live.SetUID("uid-web-1")
	_ = unstructured.SetNestedField(live.Object, "Running", "status", "phase")
	_ = unstructured.SetNestedSlice(live.Object, []any{map[string]any{"type": "Ready", "status": "False"}}, "status", "conditions")
	_ = unstructured.SetNestedSlice(live.Object, []any{map[string]any{"name": "app", "ready": false,
		"state": map[string]any{"running": map[string]any{"startedAt": started.UTC().Format(time.RFC3339)}}}}, "status", "containerStatuses")
	dyn := dynamicfake.NewSimpleDynamicClientWithCustomListKinds(runtime.NewScheme(), map[schema.GroupVersionResource]string{
		{Version: "v1", Resource: "pods"}: "PodList",
	}, live)
	core := kubefake.NewClientset(&corev1.Event{ObjectMeta: metav1.ObjectMeta{Name: "e", Namespace: "ch07"},
		InvolvedObject: corev1.ObjectReference{Kind: "Pod", Name: "web-1", UID: "uid-web-1"}, Reason: "Unhealthy",
		Message: "Readiness probe failed: HTTP probe failed with statuscode: 404", LastTimestamp: metav1.NewTime(time.Now())})
	m := newFakeMapper()
	m.def.AddSpecific(schema.GroupVersionKind{Version: "v1", Kind: "Pod"}, schema.GroupVersionResource{Version: "v1", Resource: "pods"},
		schema.GroupVersionResource{Version: "v1", Resource: "pod"}, meta.RESTScopeNamespace)
	a := NewWith(dyn, core, m)
	a.Poll = time.Millisecond
	a.StopOnUnready = true
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := a.Wait(ctx, objs)
	if err == nil || !strings.Contains(err.Error(), "statuscode: 404") {
		t.Fatalf("want the probe's failure, got %v", err)
	}
	if ctx.Err() != nil {
		t.Fatal("waited for the deadline instead of ending on the failing probe")
	}
}
