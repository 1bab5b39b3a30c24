package cluster

import (
	"context"
	"sort"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/labctl/labctl/cluster/addons"
)

// Only labctl's own add-on pods and CoreDNS are replaced (once); the
// control plane, kube-proxy, the CNI and the student's pods are left to the
// kubelet.
func TestKick(t *testing.T) {
	pod := func(ns, name, owner string, labels map[string]string) *corev1.Pod {
		p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: types.UID("uid-" + ns + name), Labels: labels}}
		if owner != "" {
			p.OwnerReferences = []metav1.OwnerReference{{Kind: owner, Name: "x"}}
		}
		return p
	}
	pods := []*corev1.Pod{
		pod(addons.MetalLB.Namespace, "controller-1", "ReplicaSet", nil),
		pod(addons.MetalLB.Namespace, "speaker-1", "DaemonSet", nil),
		pod(metav1.NamespaceSystem, "coredns-1", "ReplicaSet", map[string]string{"k8s-app": "kube-dns"}),
		pod(metav1.NamespaceSystem, "kube-proxy-1", "DaemonSet", map[string]string{"k8s-app": "kube-proxy"}),
		pod(metav1.NamespaceSystem, "kube-apiserver-cp", "Node", map[string]string{"component": "kube-apiserver"}),
		pod("ch07", "http-go-1", "ReplicaSet", nil),
	}
	cs := fake.NewSimpleClientset()
	for _, p := range pods {
		_, _ = cs.CoreV1().Pods(p.Namespace).Create(context.Background(), p, metav1.CreateOptions{})
	}
	lab := &Lab{Client: cs}
	kicked := map[string]int{}
	for _, p := range pods {
		kick(context.Background(), lab, *p, kicked)
	}
	left, _ := cs.CoreV1().Pods("").List(context.Background(), metav1.ListOptions{})
	var names []string
	for _, p := range left.Items {
		names = append(names, p.Name)
	}
	sort.Strings(names)
	if want := "http-go-1 kube-apiserver-cp kube-proxy-1"; strings.Join(names, " ") != want {
		t.Errorf("left %v; want %s", names, want)
	}
}

// A pod is replaced when it is in back-off, or when it started before its
// node's Service rules were back and stayed unready past the grace period;
// never one started after the rules, nor before the grace period ends.
func TestStuck(t *testing.T) {
	t0 := time.Date(2026, 12, 7, 3, 52, 0, 0, time.UTC)
	rules := t0.Add(10 * time.Second)
	running := func(started time.Time, ready bool) corev1.Pod {
		return corev1.Pod{Status: corev1.PodStatus{ContainerStatuses: []corev1.ContainerStatus{{
			Ready: ready, State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: metav1.NewTime(started)}}}}}}
	}
	backoff := corev1.Pod{Status: corev1.PodStatus{ContainerStatuses: []corev1.ContainerStatus{{
		State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff"}}}}}}
	late := rules.Add(rulesGrace + time.Second)
	for _, tc := range []struct {
		name  string
		pod   corev1.Pod
		rules time.Time
		now   time.Time
		want  bool
	}{
		{"back-off, rules not back yet", backoff, time.Time{}, t0, true},
		{"unready, started before the rules, past grace", running(t0, false), rules, late, true},
		{"unready, started before the rules, within grace", running(t0, false), rules, rules.Add(time.Second), false},
		{"unready, started after the rules, within slowStart", running(rules.Add(time.Second), false), rules, late, false},
		{"unready, started after the rules, past slowStart", running(rules.Add(time.Second), false), rules, rules.Add(time.Second + slowStart), true},
		{"ready, started after the rules, past slowStart", running(rules.Add(time.Second), true), rules, rules.Add(time.Second + slowStart), false},
		{"ready, started before the rules", running(t0, true), rules, late, false},
		{"unready, node's rules not back", running(t0, false), time.Time{}, late, false},
	} {
		if got := stuck(tc.pod, tc.rules, tc.now); got != tc.want {
			t.Errorf("%s: stuck = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// rulesBack takes a node's rules as back rulesSettle after its kube-proxy
// started again, and ignores a kube-proxy still from before the restart.
func TestRulesBack(t *testing.T) {
	since := time.Date(2026, 12, 7, 3, 52, 0, 0, time.UTC)
	fresh := func(t metav1.Time) bool { return !t.Time.Before(since) }
	proxy := func(node string, started time.Time) corev1.Pod {
		return corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Namespace: metav1.NamespaceSystem, Labels: map[string]string{"k8s-app": "kube-proxy"}},
			Spec:       corev1.PodSpec{NodeName: node},
			Status: corev1.PodStatus{
				Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}},
				ContainerStatuses: []corev1.ContainerStatus{{Ready: true,
					State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: metav1.NewTime(started)}}}}},
		}
	}
	synced := since.Add(7 * time.Second)
	answers := map[string]time.Time{"w3": synced, "w4": {}}
	got := rulesBack([]corev1.Pod{
		proxy("w1", since.Add(5*time.Second)), proxy("w2", since.Add(-time.Hour)),
		proxy("w3", since.Add(5*time.Second)), proxy("w4", since.Add(5*time.Second)),
	}, fresh, func(node string) (time.Time, bool) {
		t, ok := answers[node]
		return t, ok
	})
	if want := since.Add(5*time.Second + rulesSettle); !got["w1"].Equal(want) {
		t.Errorf("w1 (kube-proxy cannot say): %v, want the guess %v", got["w1"], want)
	}
	if _, ok := got["w2"]; ok {
		t.Errorf("w2's kube-proxy runs from before the restart, yet its rules count as back: %v", got["w2"])
	}
	if !got["w3"].Equal(synced) {
		t.Errorf("w3 (kube-proxy synced at %v): %v", synced, got["w3"])
	}
	if _, ok := got["w4"]; ok {
		t.Errorf("w4's kube-proxy says it has not synced yet, yet its rules count as back: %v", got["w4"])
	}
}

// kube-proxy's healthz answers, as kube-proxy 1.34 in a kind node gives them
// (per-family status) and as older ones did (one lastUpdated).
func TestParseProxyHealth(t *testing.T) {
	at := func(s string) time.Time { v, _ := time.Parse(time.RFC3339Nano, s); return v }
	for _, tc := range []struct {
		name, body string
		want       time.Time
		known      bool
	}{
		{"per family", `{"lastUpdated":"2026-12-07T12:01:22.092101208Z","currentTime":"2026-12-07T12:01:22.091581085Z","nodeEligible":true,"healthy":true,"status":{"IPv4":{"lastUpdated":"2026-12-07T11:59:44.695869103Z","healthy":true},"IPv6":{"lastUpdated":"2026-12-07T11:59:32.635255894Z","healthy":true}}}`,
			at("2026-12-07T11:59:44.695869103Z"), true},
		{"per family, IPv4 not synced yet", `{"lastUpdated":"2026-12-07T12:01:22Z","currentTime":"2026-12-07T12:01:22Z","healthy":false,"status":{"IPv6":{"lastUpdated":"2026-12-07T11:59:32Z","healthy":true}}}`,
			time.Time{}, true},
		{"one lastUpdated", `{"lastUpdated": "2024-05-01 10:00:00 +0000 UTC","currentTime": "2024-05-01 10:00:05 +0000 UTC"}`, time.Time{}, false},
		{"one lastUpdated, RFC 3339", `{"lastUpdated":"2024-05-01T10:00:00Z","currentTime":"2024-05-01T10:00:05Z"}`, at("2024-05-01T10:00:00Z"), true},
		{"not kube-proxy", `Error trying to reach service: dial tcp 172.18.0.3:10256: connect: connection refused`, time.Time{}, false},
		{"nothing", ``, time.Time{}, false},
	} {
		got, known := parseProxyHealth([]byte(tc.body))
		if !got.Equal(tc.want) || known != tc.known {
			t.Errorf("%s: (%v, %v), want (%v, %v)", tc.name, got, known, tc.want, tc.known)
		}
	}
}

// A workload's pods on one node are replaced at most maxKicks times in one
// start: on a node too busy for any pod to be Ready soon, the successors
// are waited for, not replaced again and again.
func TestKickBounded(t *testing.T) {
	cs := fake.NewSimpleClientset()
	lab := &Lab{Client: cs}
	kicked := map[string]int{}
	deleted := 0
	for i := range maxKicks + 2 {
		p := &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Namespace: addons.MetalLB.Namespace, Name: "controller-" + string(rune('a'+i)),
				UID: types.UID("uid-" + string(rune('a'+i))), OwnerReferences: []metav1.OwnerReference{{Kind: "ReplicaSet", Name: "controller-rs"}}},
			Spec: corev1.PodSpec{NodeName: "w1"},
		}
		_, _ = cs.CoreV1().Pods(p.Namespace).Create(context.Background(), p, metav1.CreateOptions{})
		if kick(context.Background(), lab, *p, kicked) {
			deleted++
		}
	}
	if deleted != maxKicks {
		t.Errorf("replaced %d successive pods of one workload on one node, want %d", deleted, maxKicks)
	}
	// another node's pod of the same workload is its own count
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: addons.MetalLB.Namespace, Name: "controller-w2", UID: "uid-w2",
		OwnerReferences: []metav1.OwnerReference{{Kind: "ReplicaSet", Name: "controller-rs"}}}, Spec: corev1.PodSpec{NodeName: "w2"}}
	_, _ = cs.CoreV1().Pods(p.Namespace).Create(context.Background(), p, metav1.CreateOptions{})
	if !kick(context.Background(), lab, *p, kicked) {
		t.Error("a pod on another node was not replaced")
	}
}
