package cluster

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/labctl/labctl/cluster/internal/runtime"
	"github.com/labctl/labctl/i18n"
)

// fakeNodes answers `ps` and `inspect` like docker does for a lab's nodes
// (states by name; "" means the lab has no node).
func fakeNodes(states map[string]string) runtime.Runtime {
	return runtime.Runtime{Name: "docker", Bin: "docker", Exec: func(_ context.Context, _ io.Reader, stdout, _ io.Writer, args ...string) error {
		switch args[0] {
		case "info":
			fmt.Fprint(stdout, `{"ServerVersion":"28.2.2","CgroupVersion":"2"}`)
		case "ps":
			for n := range states {
				fmt.Fprintln(stdout, n)
			}
		case "inspect":
			for _, n := range args[3:] {
				role := "worker"
				if strings.HasSuffix(n, "control-plane") {
					role = "control-plane"
				}
				ip := ""
				if states[n] == "running" {
					ip = "172.18.0.9 "
				}
				fmt.Fprintf(stdout, "/%s\t%s\t%s\t%s\n", n, states[n], role, ip)
			}
		default:
			return fmt.Errorf("unexpected %v", args)
		}
		return nil
	}}
}

// A stopped lab is ErrStopped, says which nodes, and names the one command
// that starts it, with the lab's name when it is not the default.
func TestRequireRunningStopped(t *testing.T) {
	rt := fakeNodes(map[string]string{"rs-control-plane": "exited", "rs-worker": "exited"})
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
	if err := requireRunning(context.Background(), fakeNodes(map[string]string{}), "rs"); !errors.Is(err, ErrNoCluster) {
		t.Errorf("no nodes: %v, want ErrNoCluster", err)
	}
	if err := requireRunning(context.Background(), fakeNodes(map[string]string{"lab-control-plane": "running"}), "lab"); err != nil {
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
