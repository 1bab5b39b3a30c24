//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/labctl/labctl/apply"
)

const ch04Dir = "../assets/labs/ch04-controllers"

// testChapter04 is ch04 Controllers, self-contained in its namespace ch04:
// fresh cluster → every step fails; every starter as given → each step
// fails, at once, naming the mistake; the solution (deleting and
// relabelling a pod included) plus the node label step 5 asks for →
// every check passes; reset → every step fails again.
func testChapter04(t *testing.T) {
	ctx := context.Background()
	c := h.client(t)
	// the node label step 5 asks for is the student's; this phase removes it
	node := h.name + "-worker"
	defer func() {
		_, _ = c.CoreV1().Nodes().Patch(ctx, node, types.MergePatchType, []byte(`{"metadata":{"labels":{"disk":null}}}`), metav1.PatchOptions{})
	}()

	negativeControl(t, "ch04")

	// Every starter as given (kubectl apply, no waiting), on a settled cluster.
	start := time.Now()
	applyStarters(t)
	eventually(t, 2*time.Minute, func() error {
		rs, err := c.AppsV1().ReplicaSets("ch04").Get(ctx, "kubia", metav1.GetOptions{})
		if err != nil || rs.Status.ReadyReplicas < 3 {
			return fmt.Errorf("kubia not ready: %v", err)
		}
		ds, err := c.AppsV1().DaemonSets("ch04").Get(ctx, "node-agent", metav1.GetOptions{})
		if err != nil || ds.Status.NumberReady < ds.Status.DesiredNumberScheduled || ds.Status.DesiredNumberScheduled == 0 {
			return fmt.Errorf("node-agent not ready: %v", err)
		}
		return nil
	})
	t.Logf("starters applied and settled in %s", time.Since(start).Round(time.Second))
	rep, r := h.check(t, "ch04")
	t.Logf("labctl check ch04 on the starters (settled cluster): fail verdict after %s", r.took.Round(time.Millisecond))
	if r.code != 1 {
		t.Errorf("check on the starters: exit %d, want 1", r.code)
	}
	// what each starter's failing check must say
	says := map[string]string{
		"liveness":          "has no livenessProbe",
		"self-healing":      "has been deleted yet",
		"relabel":           "has left it",
		"match-expressions": "does not use In, NotIn, Exists",
		"daemonset":         "is not tolerated",
		"job":               "has parallelism 1, the step asks for 2",
		"job-failures":      "has no activeDeadlineSeconds",
		"cronjob":           "which runs every 15m0s",
	}
	for _, s := range rep.Steps {
		if s.Verdict != "fail" {
			t.Errorf("starter of %s: %s, want fail", s.ID, s.Verdict)
		}
		var all []string
		for _, ck := range s.Checks {
			all = append(all, ck.ID+" "+ck.Verdict+": "+ck.Message+" "+strings.Join(ck.Evidence, " | "))
		}
		if !strings.Contains(strings.Join(all, "\n"), says[s.ID]) {
			t.Errorf("starter of %s does not say %q:\n%s", s.ID, says[s.ID], strings.Join(all, "\n"))
		}
		t.Logf("starter %s: %s", s.ID, strings.Join(all, "\n    "))
	}
	if r.took > 10*time.Second {
		t.Errorf("fail verdict on a settled cluster took %s: wrong answers must fail at once", r.took)
	}

	if r := h.labctl(t, "reset", "ch04"); r.code != 0 {
		t.Fatalf("reset:\n%s", r)
	}

	// The solution, and what no manifest can do: the student's hands. The
	// node label of step 5 is the test's; deleting one kubia pod (step 2)
	// and relabelling another (step 3) are the steps' solutions (labctl's
	// PodAction), so apply --solution alone must pass them.
	label(t, node, `{"metadata":{"labels":{"disk":"ssd"}}}`)
	start = time.Now()
	if r := h.labctl(t, "apply", "ch04", "--solution"); r.code != 0 {
		t.Fatalf("apply ch04:\n%s", r)
	}
	t.Logf("labctl apply ch04 (waits for the Jobs to finish or fail): %s", time.Since(start).Round(time.Second))
	rep, r = h.check(t, "ch04")
	for _, s := range rep.Steps {
		for _, ck := range s.Checks {
			if ck.Verdict != "pass" {
				t.Errorf("ch04/%s/%s after the solution: %s: %s %v", s.ID, ck.ID, ck.Verdict, ck.Message, ck.Evidence)
			}
		}
	}
	if r.code != 0 {
		t.Fatalf("check ch04 after the solution: exit %d", r.code)
	}
	t.Logf("labctl check ch04 after the solution (waits for the CronJob's first run): %s", r.took.Round(time.Millisecond))
	// the README's figure: every check on a solved, settled cluster
	text := h.labctl(t, "check", "ch04")
	t.Logf("labctl check ch04 on the solved cluster: %s\n%s", text.took.Round(time.Millisecond), text.stdout)
	if text.code != 0 || text.took > 5*time.Second {
		t.Errorf("check ch04 on the solved cluster: exit %d after %s", text.code, text.took)
	}

	if r := h.labctl(t, "reset", "ch04"); r.code != 0 {
		t.Fatalf("reset:\n%s", r)
	}
	negativeControl(t, "ch04")
	if _, err := c.CoreV1().Namespaces().Get(ctx, "ch04", metav1.GetOptions{}); err == nil {
		t.Error("namespace ch04 left after reset")
	}
}

// applyStarters applies every given manifest of ch04 as a student would
// with kubectl apply -f: as written, without waiting for anything.
func applyStarters(t *testing.T) {
	t.Helper()
	a, err := apply.New(h.restConfig(t))
	must(t, err)
	files, err := filepath.Glob(filepath.Join(ch04Dir, "manifests", "*.yaml"))
	must(t, err)
	sort.Slice(files, func(i, j int) bool {
		return strings.HasSuffix(files[i], "namespace.yaml") && !strings.HasSuffix(files[j], "namespace.yaml")
	})
	var objs []apply.Object
	for _, f := range files {
		data, err := os.ReadFile(f)
		must(t, err)
		o, err := apply.Decode(f, data)
		must(t, err)
		objs = append(objs, o...)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	must(t, a.Apply(ctx, objs))
}

func label(t *testing.T, node, patch string) {
	t.Helper()
	_, err := h.client(t).CoreV1().Nodes().Patch(context.Background(), node, types.MergePatchType, []byte(patch), metav1.PatchOptions{})
	must(t, err)
}
