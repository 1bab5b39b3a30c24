package cluster

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/labctl/labctl/cluster/internal/runtime"
	"github.com/labctl/labctl/i18n"
)

// A stopped lab is ErrStopped, says which nodes, and names the one command
// that starts it, with the lab's name when it is not the default.
func TestRequireRunningStopped(t *testing.T) {
	rt := runtime.FakeNodes(map[string]string{"rs-control-plane": "exited", "rs-worker": "exited"})
	err := requireRunning(context.Background(), rt, "rs")
	if !errors.Is(err, ErrStopped) {
		t.Fatalf("err = %v, want ErrStopped", err)
	}
	for _, l := range []i18n.Lang{i18n.En, i18n.Ko} {
		msg, fix := i18n.Localize(err, l), i18n.FixOf(err, l)
		if !strings.Contains(msg, "rs-worker") || !strings.Contains(fix, "labctl start --name rs") {
			t.Errorf("%s: %q / %q", l, msg, fix)
		}
	}
	if err := requireRunning(context.Background(), runtime.FakeNodes(map[string]string{}), "rs"); !errors.Is(err, ErrNoCluster) {
		t.Errorf("no nodes: %v, want ErrNoCluster", err)
	}
	if err := requireRunning(context.Background(), runtime.FakeNodes(map[string]string{"lab-control-plane": "running"}), "lab"); err != nil {
		t.Errorf("running: %v", err)
	}
}

// A pod is back once every container was started after the lab's start and
// is ready; what the API kept from before the stop does not count.
func TestPodBack(t *testing.T) {
	since := metav1.Now()
	before := metav1.NewTime(since.Add(-time.Hour))
	pod := func(started metav1.Time, ready bool) corev1.Pod {
		cond := corev1.ConditionFalse
		if ready {
			cond = corev1.ConditionTrue
		}
		return corev1.Pod{Status: corev1.PodStatus{
			Conditions:        []corev1.PodCondition{{Type: corev1.PodReady, Status: cond, LastTransitionTime: before}},
			ContainerStatuses: []corev1.ContainerStatus{{Ready: ready, State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: started}}}},
		}}
	}
	fresh := func(t metav1.Time) bool { return !t.Time.Before(since.Time) }
	if podBack(pod(before, true), fresh) {
		t.Error("a pod Ready from before the stop counted as back")
	}
	if podBack(pod(since, false), fresh) {
		t.Error("a restarted pod that is not ready counted as back")
	}
	if !podBack(pod(since, true), fresh) {
		t.Error("a restarted, ready pod is not back")
	}
}
