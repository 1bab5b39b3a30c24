//go:build e2e

package e2e

import (
	"context"
	"encoding/xml"
	"io"
	"net/http"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"k8s.io/client-go/tools/portforward"
	"k8s.io/client-go/transport/spdy"

	"github.com/labctl/labctl/apply"
)

// ch03Dir is the chapter as the student gets it.
const ch03Dir = "../assets/labs/ch03-pods/"

// testChapter03 is ch03 from a fresh cluster to a reset one. It touches
// only the chapter's own namespaces (ch03, ch03-team-b), so it can run
// beside the other chapters.
func testChapter03(t *testing.T) {
	for _, lang := range []string{"C.UTF-8", "ko_KR.UTF-8"} {
		r := h.run(t, time.Minute, []string{"LANG=" + lang}, "chapters")
		mustContain(t, "chapters "+lang, r.stdout, "ch03")
		mustContain(t, "chapters "+lang, r.stdout, map[string]string{"C.UTF-8": "Pods", "ko_KR.UTF-8": "파드"}[lang])
	}

	// fresh: every step fails, at once (nothing of the chapter exists)
	start := time.Now()
	negativeControl(t, "ch03")
	t.Logf("ch03 negative control on a fresh cluster: %s", time.Since(start).Round(time.Millisecond))

	// each step's starter, applied as given, fails a check naming the mistake
	applyStarter(t, "manifests/http-go.yaml")
	expectFail(t, "ch03", "pod", "answers", "nothing listens on port 8080", "--http-port=80")
	applyStarter(t, "manifests/two-containers.yaml")
	expectFail(t, "ch03", "two-containers", "localhost", "CrashLoopBackOff", "address already in use")
	applyStarter(t, "manifests/labels.yaml")
	expectFail(t, "ch03", "labels", "set-based", "selects http-go-dev, want http-go-debug, http-go-dev", "labels of http-go-debug: app=http-go")
	expectFail(t, "ch03", "labels", "annotation", "no annotation example.com/owner")
	if err := tryApply(t, "manifests/team-b.yaml"); err == nil || !strings.Contains(err.Error(), `namespaces "ch03-team-b" not found`) {
		t.Errorf("the namespaces starter without its namespace: %v, want namespaces \"ch03-team-b\" not found", err)
	}
	expectFail(t, "ch03", "namespaces", "same-name", "ch03-team-b/http-go does not exist")
	applyStarter(t, "manifests/http-go-logs.yaml")
	expectFail(t, "ch03", "logs", "runs", "CrashLoopBackOff", "unknown flag: --port")
	expectFail(t, "ch03", "port-forward", "localhost-8888", "nothing listens on localhost:8888")

	// time to a fail verdict on a settled cluster: the starters have settled
	// into their wrong states (crash loops, a wrong port, missing labels)
	var took []time.Duration
	for i := 0; i < 3; i++ {
		r := h.labctl(t, "check", "ch03")
		if r.code != 1 {
			t.Errorf("check ch03 on the starters: exit %d, want 1\n%s", r.code, r)
		}
		took = append(took, r.took)
	}
	sort.Slice(took, func(i, j int) bool { return took[i] < took[j] })
	t.Logf("labctl check ch03 to a fail verdict on the settled starters: median %s (runs %v)", took[1].Round(time.Millisecond), took)

	// a Pod's arguments are immutable: start the solution from a clean slate
	if r := h.labctl(t, "reset", "ch03"); r.code != 0 {
		t.Fatalf("reset after the starters:\n%s", r)
	}
	if r := h.labctl(t, "apply", "ch03", "--solution"); r.code != 0 {
		t.Fatalf("apply ch03:\n%s", r)
	}
	stop := portForward(t, "ch03", "http-go", "8888:8080")
	solved(t, "ch03")
	took = took[:0]
	for i := 0; i < 3; i++ {
		r := h.labctl(t, "check", "ch03")
		if r.code != 0 {
			t.Errorf("check ch03 solved: exit %d\n%s", r.code, r)
		}
		took = append(took, r.took)
	}
	sort.Slice(took, func(i, j int) bool { return took[i] < took[j] })
	t.Logf("labctl check ch03 on the solved cluster: median %s (runs %v)", took[1].Round(time.Millisecond), took)

	// headless output for graders
	r := h.labctl(t, "check", "ch03", "-o", "junit")
	var suites struct {
		XMLName xml.Name `xml:"testsuites"`
	}
	if err := xml.Unmarshal([]byte(r.stdout), &suites); err != nil || r.code != 0 {
		t.Errorf("check ch03 -o junit: exit %d, %v\n%s", r.code, err, r.stdout)
	}

	// the forward ends: the step fails again, at once
	close(stop)
	expectFail(t, "ch03", "port-forward", "localhost-8888", "nothing listens on localhost:8888")

	if r := h.labctl(t, "reset", "ch03"); r.code != 0 {
		t.Fatalf("reset:\n%s", r)
	}
	negativeControl(t, "ch03")
}

// tryApply applies one of the chapter's files as kubectl apply would (no
// waiting: a starter's pods may never become ready).
func tryApply(t *testing.T, file string) error {
	t.Helper()
	data, err := os.ReadFile(ch03Dir + file)
	must(t, err)
	objs, err := apply.Decode(file, data)
	must(t, err)
	a, err := apply.New(h.restConfig(t))
	must(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	return a.Apply(ctx, objs)
}

func applyStarter(t *testing.T, file string) {
	t.Helper()
	if err := tryApply(t, file); err != nil {
		t.Fatalf("apply %s: %v", file, err)
	}
}

// portForward is the student's `kubectl port-forward -n NS pod/POD PORTS`,
// with client-go's own port-forwarder (what kubectl runs); closing the
// returned channel ends it.
func portForward(t *testing.T, ns, pod, ports string) chan struct{} {
	t.Helper()
	cfg := h.restConfig(t)
	rt, upgrader, err := spdy.RoundTripperFor(cfg)
	must(t, err)
	url := h.client(t).CoreV1().RESTClient().Post().Resource("pods").Namespace(ns).Name(pod).SubResource("portforward").URL()
	dialer := spdy.NewDialer(upgrader, &http.Client{Transport: rt}, http.MethodPost, url)
	stop, ready := make(chan struct{}), make(chan struct{})
	fw, err := portforward.NewOnAddresses(dialer, []string{"127.0.0.1"}, []string{ports}, stop, ready, io.Discard, io.Discard)
	must(t, err)
	errc := make(chan error, 1)
	go func() { errc <- fw.ForwardPorts() }()
	select {
	case <-ready:
	case err := <-errc:
		t.Fatalf("port-forward %s/%s %s: %v", ns, pod, ports, err)
	case <-time.After(30 * time.Second):
		t.Fatal("port-forward not ready after 30s")
	}
	t.Cleanup(func() {
		select {
		case <-stop:
		default:
			close(stop)
		}
	})
	return stop
}
