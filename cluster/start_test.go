package cluster

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes/fake"
)

// Only labctl's own add-on pods stuck in back-off are deleted (once);
// kube-system's and running ones are left to the kubelet.
func TestKick(t *testing.T) {
	pod := func(ns, name, reason string) *corev1.Pod {
		p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: types.UID("uid-" + ns + name),
			OwnerReferences: []metav1.OwnerReference{{Kind: "ReplicaSet", Name: "x"}}}}
		st := corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}
		if reason != "" {
			st = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: reason}}
		}
		p.Status.ContainerStatuses = []corev1.ContainerStatus{{State: st}}
		return p
	}
	pods := []*corev1.Pod{
		pod(MetalLB.Namespace, "controller-1", "CrashLoopBackOff"),
		pod(MetalLB.Namespace, "speaker-1", ""),
		pod(metav1.NamespaceSystem, "coredns-1", "CrashLoopBackOff"),
	}
	cs := fake.NewSimpleClientset(pods[0], pods[1], pods[2])
	lab := &Lab{Client: cs}
	kicked := map[string]bool{}
	for _, p := range pods {
		kick(context.Background(), lab, *p, kicked)
	}
	left, _ := cs.CoreV1().Pods("").List(context.Background(), metav1.ListOptions{})
	var names []string
	for _, p := range left.Items {
		names = append(names, p.Name)
	}
	if len(names) != 2 || !kicked["uid-"+MetalLB.Namespace+"controller-1"] {
		t.Errorf("left %v, kicked %v; want only MetalLB's crashing controller deleted", names, kicked)
	}
}
