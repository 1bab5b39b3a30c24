//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/labctl/labctl/labs"
)

// testChapter15 is ch15 Cluster network, self-contained in its namespace
// ch15 and on the worker up keeps for its pod limit (tainted: no other
// chapter's pod goes there): up made the outside server and the low limit;
// fresh cluster → every step fails; every starter as labctl apply gives it
// → each step fails at once, naming the mistake; the solution → every
// check passes; reset → every step fails again and the limit is low again.
func testChapter15(t *testing.T) {
	ctx := context.Background()
	c := h.client(t)

	// what up made for this chapter, as status reports it
	r := h.labctl(t, "status", "-o", "json")
	var st struct {
		Outside  string
		PodLimit *struct {
			Node    string
			MaxPods int
		}
	}
	must(t, json.Unmarshal([]byte(r.stdout), &st))
	if st.PodLimit == nil || st.PodLimit.MaxPods != labs.LowMaxPods || !strings.HasPrefix(st.Outside, "http://") {
		t.Fatalf("status: outside %q, pod limit %+v; want an outside server and a worker with maxPods %d\n%s", st.Outside, st.PodLimit, labs.LowMaxPods, r.stdout)
	}
	limited := st.PodLimit.Node
	t.Logf("outside server %s, %s allows %d pods", st.Outside, limited, st.PodLimit.MaxPods)

	negativeControl(t, "ch15")

	// Every starter as labctl apply gives it. The pod-limit starter's
	// Deployment never becomes ready (that is the lesson): its apply gives
	// up waiting, the pods stay Pending.
	start := time.Now()
	for _, step := range stepIDs(t, "ch15") {
		if r := h.labctl(t, "apply", "ch15", "--step", step, "--wait", "20s"); r.code != 0 && step != "max-pods" {
			t.Fatalf("apply the starter of %s:\n%s", step, r)
		}
	}
	eventually(t, 2*time.Minute, func() error {
		for _, p := range []string{"ch15-sandbox", "pod-1", "pod-2", "ch15-client"} {
			pod, err := c.CoreV1().Pods("ch15").Get(ctx, p, metav1.GetOptions{})
			if err != nil || pod.Status.Phase != corev1.PodRunning {
				return fmt.Errorf("pod %s not running: %v", p, err)
			}
		}
		return nil
	})
	t.Logf("starters applied and settled in %s", time.Since(start).Round(time.Second))
	says := map[string]string{
		"docker-network": "is not the kind network's",
		"sandbox":        "does not begin the ID of Pod ch15-sandbox's sandbox",
		"pod-to-pod":     "both run on node",
		"egress":         "is not the source address the outside server saw",
		"max-pods":       "Too many pods",
		"kube-proxy":     "the step asks for 3",
		"cni":            "is not the DaemonSet that installs this cluster's CNI",
	}
	for _, step := range stepIDs(t, "ch15") {
		rep, r := h.check(t, "ch15", "--step", step)
		if r.code != 1 {
			t.Errorf("check of the starter of %s: exit %d, want 1", step, r.code)
		}
		var all []string
		for _, s := range rep.Steps {
			for _, ck := range s.Checks {
				all = append(all, ck.ID+" "+ck.Verdict+": "+ck.Message)
			}
		}
		if want, ok := says[step]; ok && !strings.Contains(strings.Join(all, "\n"), want) {
			t.Errorf("starter of %s does not say %q:\n%s", step, want, strings.Join(all, "\n"))
		}
		t.Logf("starter %s: fail verdict after %s: %s", step, r.took.Round(time.Millisecond), strings.Join(all, " | "))
		if r.took > 10*time.Second {
			t.Errorf("fail verdict for the starter of %s took %s: wrong answers must fail at once", step, r.took)
		}
	}

	// the solution: --force, as pods' affinity cannot change in place
	start = time.Now()
	if r := h.labctl(t, "apply", "ch15", "--solution", "--force"); r.code != 0 {
		t.Fatalf("apply ch15 --solution:\n%s", r)
	}
	t.Logf("labctl apply ch15 --solution: %s", time.Since(start).Round(time.Second))
	rep, r := h.check(t, "ch15")
	for _, s := range rep.Steps {
		for _, ck := range s.Checks {
			if ck.Verdict != "pass" {
				t.Errorf("ch15/%s/%s after the solution: %s: %s %v", s.ID, ck.ID, ck.Verdict, ck.Message, ck.Evidence)
			} else {
				t.Logf("ch15/%s: %s", s.ID, ck.Message)
			}
		}
	}
	if r.code != 0 {
		t.Fatalf("check ch15 after the solution: exit %d", r.code)
	}
	t.Logf("labctl check ch15 after the solution: %s", r.took.Round(time.Millisecond))

	if r := h.labctl(t, "reset", "ch15"); r.code != 0 {
		t.Fatalf("reset:\n%s", r)
	}
	negativeControl(t, "ch15")
	if _, err := c.CoreV1().Namespaces().Get(ctx, "ch15", metav1.GetOptions{}); err == nil {
		t.Error("namespace ch15 left after reset")
	}
	n, err := c.CoreV1().Nodes().Get(ctx, limited, metav1.GetOptions{})
	must(t, err)
	if q := n.Status.Allocatable[corev1.ResourcePods]; q.Value() != labs.LowMaxPods {
		t.Errorf("after reset %s allows %d pods, want %d again", limited, q.Value(), labs.LowMaxPods)
	}
}
