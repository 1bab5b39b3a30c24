package apply

import (
	"context"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	dynamicfake "k8s.io/client-go/dynamic/fake"
	kubefake "k8s.io/client-go/kubernetes/fake"
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
