package cluster

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8sruntime "k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"

	"github.com/labctl/labctl/cluster/internal/runtime"
	"github.com/labctl/labctl/i18n"
)

// lifecycleEngine is fakeNodes that also takes start, stop and unpause
// (recorded in calls); a container called "broken" refuses to start.
func lifecycleEngine(states map[string]string, calls *[]string) runtime.Runtime {
	rt := runtime.FakeNodes(states)
	inner := rt.Exec
	var mu sync.Mutex // the workers start at the same time
	rt.Exec = func(ctx context.Context, stdin io.Reader, stdout, stderr io.Writer, args ...string) error {
		switch args[0] {
		case "start", "stop", "unpause":
			mu.Lock()
			*calls = append(*calls, strings.Join(args, " "))
			mu.Unlock()
			if strings.Contains(strings.Join(args, " "), "broken") {
				fmt.Fprint(stderr, "Error: cannot start broken")
				return errors.New("exit status 1")
			}
			return nil
		}
		return inner(ctx, stdin, stdout, stderr, args...)
	}
	return rt
}

// Stop stops the running nodes in one call, workers before the
// control-plane, and tells how to start again; a stopped lab is left as it
// is and a missing one is "no cluster".
func TestStop(t *testing.T) {
	tests := []struct {
		name      string
		states    map[string]string
		wantCalls []string
		wantErr   error
		wantNote  string
	}{
		{"running", map[string]string{"lab-control-plane": "running", "lab-worker": "running", "lab-worker2": "exited"},
			[]string{"stop --time 10 lab-worker lab-control-plane"}, nil, runtime.StartCommand("lab")},
		{"stopped", map[string]string{"lab-control-plane": "exited", "lab-worker": "exited"}, nil, nil, "lab"},
		{"missing", map[string]string{}, nil, ErrNoCluster, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls []string
			rep := &recorder{}
			err := Stop(context.Background(), "", Env{Lang: i18n.En, Reporter: rep, rt: lifecycleEngine(tt.states, &calls)})
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("Stop: %v, want %v", err, tt.wantErr)
			}
			if strings.Join(calls, "|") != strings.Join(tt.wantCalls, "|") {
				t.Errorf("runtime calls %q, want %q", calls, tt.wantCalls)
			}
			if tt.wantNote != "" && (len(rep.notes) != 1 || !strings.Contains(rep.notes[0], tt.wantNote)) {
				t.Errorf("notes %q, want one with %q", rep.notes, tt.wantNote)
			}
		})
	}
	var calls []string
	err := Stop(context.Background(), "lab", Env{Lang: i18n.En, Reporter: &recorder{},
		rt: lifecycleEngine(map[string]string{"lab-control-plane": "running", "lab-broken": "running"}, &calls)})
	if err == nil || !strings.Contains(i18n.Localize(err, i18n.En), "docker") {
		t.Errorf("a stop the runtime refuses: %v", err)
	}
}

// startStopped starts exited nodes and unpauses paused ones, control-plane
// first (the others after it, at the same time), and remembers only the
// started ones (a paused node's pods never restarted); a running lab is not
// touched; a refusal names the node.
func TestStartStopped(t *testing.T) {
	var calls []string
	rt := lifecycleEngine(map[string]string{"lab-control-plane": "exited", "lab-worker": "paused", "lab-worker2": "running", "lab-worker3": "exited"}, &calls)
	before := time.Now()
	back, err := startStopped(context.Background(), rt, Options{Name: "lab"}, Env{Lang: i18n.En, Reporter: &recorder{}})
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) > 0 {
		slices.Sort(calls[1:])
	}
	if want := "start lab-control-plane|start lab-worker3|unpause lab-worker"; strings.Join(calls, "|") != want {
		t.Errorf("calls %q, want %q", calls, want)
	}
	if len(back.started) != 2 || !back.started["lab-control-plane"] || !back.started["lab-worker3"] || back.since.Before(before) {
		t.Errorf("restart %+v", back)
	}

	calls = nil
	back, err = startStopped(context.Background(), lifecycleEngine(map[string]string{"lab-control-plane": "running"}, &calls),
		Options{Name: "lab"}, Env{Lang: i18n.En, Reporter: &recorder{}})
	if err != nil || back.started != nil || len(calls) != 0 {
		t.Errorf("running lab: %+v, %v, calls %q", back, err, calls)
	}

	err = startNodes(context.Background(), lifecycleEngine(nil, &calls), []runtime.NodeContainer{{Name: "lab-broken", State: "exited"}})
	if msg := i18n.Localize(err, i18n.En); err == nil || !strings.Contains(msg, "lab-broken") {
		t.Errorf("a refused start: %q", msg)
	}
}

// expired is a context whose deadline has passed: a wait looks once and
// then reports what it saw as a timeout.
func expired(t *testing.T) context.Context {
	ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	t.Cleanup(cancel)
	return ctx
}

func heartbeatNode(name string, beat time.Time, ip string) *corev1.Node {
	n := readyNode(name, true)
	n.Status.Conditions[0].LastHeartbeatTime = metav1.NewTime(beat)
	n.Status.Addresses = []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: ip}}
	return n
}

// addonPod is a pod of a ReplicaSet on node, its one container started at
// started; ready says whether it and the pod are Ready.
func addonPod(ns, name, node string, started time.Time, ready bool) *corev1.Pod {
	st := corev1.ConditionFalse
	if ready {
		st = corev1.ConditionTrue
	}
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: types.UID("uid-" + name), Labels: map[string]string{},
			OwnerReferences: []metav1.OwnerReference{{Kind: "ReplicaSet", Name: name + "-rs"}}},
		Spec: corev1.PodSpec{NodeName: node},
		Status: corev1.PodStatus{Phase: corev1.PodRunning,
			Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: st}},
			ContainerStatuses: []corev1.ContainerStatus{{Name: "c", Ready: ready,
				State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: metav1.NewTime(started)}}}}},
	}
}

// waitBack ends once the started nodes have a fresh heartbeat and their
// system and add-on pods run again since the start; until then it says
// which, and it replaces an add-on pod in back-off.
func TestWaitBack(t *testing.T) {
	env := Env{Lang: i18n.En, Reporter: &recorder{}}
	since := time.Now().Add(-time.Minute)
	after, before := since.Add(10*time.Second), since.Add(-time.Hour)
	started := map[string]bool{"lab-worker": true}

	// a static control-plane pod that runs again counts as back before
	// its startup probe makes it Ready
	static := addonPod("kube-system", "kube-scheduler-lab-worker", "lab-worker", after, false)
	static.OwnerReferences = nil
	static.Annotations = map[string]string{corev1.MirrorPodAnnotationKey: "hash"}
	lab := fakeLab(append(metalLBWorkloads(), heartbeatNode("lab-worker", after, "172.18.0.3"), heartbeatNode("lab-control-plane", before, "172.18.0.2"),
		labelled(addonPod("metallb-system", "controller-1", "lab-worker", after, true), "controller"),
		labelled(addonPod("metallb-system", "speaker-1", "lab-worker", after, true), "speaker"),
		addonPod("kube-system", "old-elsewhere", "lab-control-plane", before, false), static)...)
	if err := waitBack(context.Background(), lab, started, since, time.Minute, env); err != nil {
		t.Fatalf("everything back: %v", err)
	}
	// the same static pod still from before the restart is waited for
	oldStatic := static.DeepCopy()
	oldStatic.Status.ContainerStatuses[0].State.Running.StartedAt = metav1.NewTime(before)
	staleStatic := fakeLab(append(metalLBWorkloads(), heartbeatNode("lab-worker", after, "172.18.0.3"),
		labelled(addonPod("metallb-system", "controller-1", "lab-worker", after, true), "controller"),
		labelled(addonPod("metallb-system", "speaker-1", "lab-worker", after, true), "speaker"), oldStatic)...)
	if err := waitBack(expired(t), staleStatic, started, since, time.Minute, env); err == nil || !strings.Contains(i18n.Localize(err, i18n.En), "kube-scheduler-lab-worker") {
		t.Errorf("a static pod from before the restart: %v", err)
	}

	// every pod listed is back, but MetalLB's controller was just replaced
	// and its successor is not made yet (the controller manager is not
	// back either): the Deployment's pods are counted, not its stale status
	replacedLab := fakeLab(append(metalLBWorkloads(), heartbeatNode("lab-worker", after, "172.18.0.3"),
		labelled(addonPod("metallb-system", "speaker-2", "lab-worker", after, true), "speaker"))...)
	err := waitBack(expired(t), replacedLab, started, since, time.Minute, env)
	if msg := i18n.Localize(err, i18n.En); err == nil || !strings.Contains(msg, "MetalLB not running again yet: Deployment/controller 0/1") {
		t.Errorf("a replaced controller without its successor: %q", msg)
	}

	// every MetalLB pod was replaced (the speakers and the controller all
	// started before their node's Service rules) and none has a successor
	// yet: MetalLB has no pod at all, and it is still the one not back
	// (the wait once took the add-ons from the pods it saw, and ended here)
	emptyLab := fakeLab(append(metalLBWorkloads(), heartbeatNode("lab-worker", after, "172.18.0.3"))...)
	if err := waitBack(expired(t), emptyLab, started, since, time.Minute, env); err == nil {
		t.Error("MetalLB with every pod replaced and no successor yet: the wait ended")
	} else if msg := i18n.Localize(err, i18n.En); !strings.Contains(msg, "MetalLB not running again yet: Deployment/controller 0/1") {
		t.Errorf("MetalLB with every pod replaced and no successor yet: %q", msg)
	}

	// the pods run again, but the Deployment's status (what labctl status
	// reads) is not rewritten yet: the controller manager is not back
	staleObjs := metalLBWorkloads()
	staleObjs[0].(*appsv1.Deployment).Status.AvailableReplicas = 0
	staleLab := fakeLab(append(staleObjs, heartbeatNode("lab-worker", after, "172.18.0.3"),
		labelled(addonPod("metallb-system", "controller-2", "lab-worker", after, true), "controller"),
		labelled(addonPod("metallb-system", "speaker-3", "lab-worker", after, true), "speaker"))...)
	if err := waitBack(expired(t), staleLab, started, since, time.Minute, env); err == nil || !strings.Contains(i18n.Localize(err, i18n.En), "MetalLB not running again yet") {
		t.Errorf("a Deployment whose status is not rewritten yet: %v", err)
	}

	gone := expired(t) // nothing changes on the fake: one look, then the verdict
	stale := fakeLab(heartbeatNode("lab-worker", before, "172.18.0.3"))
	err = waitBack(gone, stale, started, since, time.Minute, env)
	if msg := i18n.Localize(err, i18n.En); err == nil || !strings.Contains(msg, "0/1") {
		t.Errorf("a node without a fresh heartbeat: %q", msg)
	}

	crashing := addonPod("metallb-system", "speaker-1", "lab-worker", after, false)
	crashing.Status.ContainerStatuses[0].State = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff"}}
	stuckLab := fakeLab(heartbeatNode("lab-worker", after, "172.18.0.3"), crashing)
	err = waitBack(gone, stuckLab, started, since, time.Minute, env)
	if msg := i18n.Localize(err, i18n.En); err == nil || !strings.Contains(msg, "metallb-system/speaker-1") {
		t.Errorf("a pod not back: %q", msg)
	}
	if _, err := stuckLab.Client.CoreV1().Pods("metallb-system").Get(context.Background(), "speaker-1", metav1.GetOptions{}); err == nil {
		t.Error("the pod in back-off was not replaced")
	}
}

// waitAPI ends when kube-system can be read, and gives up with the last
// error otherwise.
func TestWaitAPI(t *testing.T) {
	env := Env{Lang: i18n.En, Reporter: &recorder{}}
	if err := waitAPI(context.Background(), fakeLab(), time.Minute, env); err != nil {
		t.Errorf("API answers: %v", err)
	}
	gone := expired(t)
	empty := fakeLab()
	_ = empty.Client.CoreV1().Namespaces().Delete(context.Background(), "kube-system", metav1.DeleteOptions{})
	if err := waitAPI(gone, empty, time.Minute, env); err == nil || !strings.Contains(i18n.Localize(err, i18n.En), "kube-system") {
		t.Errorf("API without kube-system: %v", err)
	}
}

// checkAddresses passes when Kubernetes knows each node by the address the
// runtime gave it, and names a node known by an old one, with the fix.
func TestCheckAddresses(t *testing.T) {
	rt := runtime.FakeNodes(map[string]string{"lab-control-plane": "running"}) // 172.18.0.9
	env := Env{Lang: i18n.En, Reporter: &recorder{}}
	same := fakeLab(heartbeatNode("lab-control-plane", time.Now(), "172.18.0.9"))
	same.Name, same.rt = "lab", rt
	if err := checkAddresses(context.Background(), same, env); err != nil {
		t.Errorf("same address: %v", err)
	}
	moved := fakeLab(heartbeatNode("lab-control-plane", time.Now(), "172.18.0.4"))
	moved.Name, moved.rt = "lab", rt
	err := checkAddresses(context.Background(), moved, env)
	if msg := i18n.Localize(err, i18n.En); err == nil || !strings.Contains(msg, "172.18.0.4") || !strings.Contains(msg, "172.18.0.9") {
		t.Errorf("moved address: %q", msg)
	}
}

// metalLBWorkloads are MetalLB's controller Deployment (one replica) and
// speaker DaemonSet (one node), with the status they had before the stop
// (all available): stale after a restart.
func metalLBWorkloads() []k8sruntime.Object {
	one := int32(1)
	sel := func(c string) *metav1.LabelSelector {
		return &metav1.LabelSelector{MatchLabels: map[string]string{"component": c}}
	}
	return []k8sruntime.Object{
		&appsv1.Deployment{
			ObjectMeta: metav1.ObjectMeta{Namespace: "metallb-system", Name: "controller"},
			Spec:       appsv1.DeploymentSpec{Replicas: &one, Selector: sel("controller")},
			Status:     appsv1.DeploymentStatus{Replicas: 1, UpdatedReplicas: 1, AvailableReplicas: 1},
		},
		&appsv1.DaemonSet{
			ObjectMeta: metav1.ObjectMeta{Namespace: "metallb-system", Name: "speaker"},
			Spec:       appsv1.DaemonSetSpec{Selector: sel("speaker")},
			Status:     appsv1.DaemonSetStatus{DesiredNumberScheduled: 1, UpdatedNumberScheduled: 1, NumberAvailable: 1},
		},
	}
}

func labelled(p *corev1.Pod, component string) *corev1.Pod {
	p.Labels["component"] = component
	return p
}

// freeStaleLeases deletes a control-plane lease only when its holder is
// gone: it ran on a node this start restarted and renewed it last before
// the start, or the component's static pod there started after the last
// renewal (the holder crashed since).
func TestFreeStaleLeases(t *testing.T) {
	since := time.Now().Add(-time.Minute)
	lease := func(name, holder string, renewed time.Time) *coordinationv1.Lease {
		rt := metav1.NewMicroTime(renewed)
		return &coordinationv1.Lease{ObjectMeta: metav1.ObjectMeta{Namespace: "kube-system", Name: name},
			Spec: coordinationv1.LeaseSpec{HolderIdentity: &holder, RenewTime: &rt}}
	}
	static := func(started time.Time) *corev1.Pod {
		p := addonPod("kube-system", "kube-controller-manager-lab-control-plane", "lab-control-plane", started, true)
		p.OwnerReferences = nil
		p.Annotations = map[string]string{corev1.MirrorPodAnnotationKey: "hash"}
		return p
	}
	cases := []struct {
		name    string
		holder  string
		renewed time.Time
		pod     *corev1.Pod
		deleted bool
	}{
		{"held before the stop by a restarted node's process", "lab-control-plane_0af6", since.Add(-time.Hour), nil, true},
		{"taken since the start by the process that runs", "lab-control-plane_d7c8", since.Add(5 * time.Second), static(since.Add(2 * time.Second)), false},
		{"taken since the start, its process restarted after it last renewed", "lab-control-plane_d7c8", since.Add(5 * time.Second), static(since.Add(30 * time.Second)), true},
		{"taken since the start, no static pod to say", "lab-control-plane_d7c8", since.Add(5 * time.Second), nil, false},
		{"held by a node that kept running (or resumes from pause)", "lab-control-plane2_11aa", since.Add(-time.Hour), nil, false},
	}
	for _, c := range cases {
		objs := []k8sruntime.Object{lease("kube-controller-manager", c.holder, c.renewed)}
		if c.pod != nil {
			objs = append(objs, c.pod)
		}
		lab := fakeLab(objs...)
		freeStaleLeases(context.Background(), lab, map[string]bool{"lab-control-plane": true, "lab-worker": true}, since)
		_, err := lab.Client.CoordinationV1().Leases("kube-system").Get(context.Background(), "kube-controller-manager", metav1.GetOptions{})
		if gone := err != nil; gone != c.deleted {
			t.Errorf("%s: deleted %v, want %v", c.name, gone, c.deleted)
		}
	}
}
