//go:build e2e

package e2e

import (
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestLabctl is the whole suite, in the order a student meets things: bad
// input and a broken environment first (nothing may be created), then the
// cluster, the chapters, and down. Later phases need the earlier ones, so
// they run in sequence and stop at the first phase that fails.
func TestLabctl(t *testing.T) {
	phases := []struct {
		name string
		run  func(*testing.T)
	}{
		{"bad input", testBadInput},
		{"runtime unreachable", testRuntimeUnreachable},
		{"port taken", testPortTaken},
		{"interrupted up", testInterruptedUp},
		{"up with the default controller", testUpDefault},
		{"up with ingress-nginx fails naming the image", testNginxImageMissing},
		{"back to traefik", testUpTraefik},
		{"up again changes nothing", testUpIdempotent},
		{"status", testStatus},
		{"loadbalancer answers", testLoadBalancer},
		{"chapters side by side", testChapters},
		{"restart", testRestart},
		{"tui in tmux", testTUI},
		{"down", testDown},
	}
	for _, p := range phases {
		if !t.Run(p.name, p.run) {
			t.Fatalf("phase %q failed; later phases need it", p.name)
		}
	}
}

// testChapters proves every chapter on the one cluster at once, as a class
// shares nothing between chapters: each group runs in parallel with the
// others. Within a group things run in order: ch08's Ingress steps, its
// Gateway API steps and the student attempts use the same host names
// (gasbugs.com, kube-book.com), which one controller routes for all
// namespaces alike. ch08's phase proves its Gateway API steps with the
// others (negative control, exercises, solution, reset); testGatewaySteps
// is the same proof for those steps alone, for working on them.
func testChapters(t *testing.T) {
	groups := []struct {
		name string
		run  []func(*testing.T)
	}{
		{"ch07", []func(*testing.T){testChapter07}},
		{"ch08 and the student attempts", []func(*testing.T){testChapter08, testAttempts}},
		{"ch03", []func(*testing.T){testChapter03}},
		{"ch04", []func(*testing.T){testChapter04}},
		{"trace", []func(*testing.T){testTrace}},
		{"ch15", []func(*testing.T){testChapter15}},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			t.Parallel()
			for _, run := range g.run {
				if t.Failed() {
					return
				}
				run(t)
			}
		})
	}
}

func testBadInput(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		says []string
	}{
		{[]string{"up", "--ingress", "haproxy"}, 2, []string{"haproxy", "labctl up --help"}},
		{[]string{"up", "--workers", "-1"}, 2, []string{"--workers"}},
		{[]string{"check", "ch99"}, 2, []string{`no chapter "ch99"`, "ch07"}},
		{[]string{"check", "ch07", "--step", "nope"}, 2, []string{`no step "nope"`, "clusterip"}},
		{[]string{"check", "ch07", "-o", "yaml"}, 2, []string{"-o"}},
		{[]string{"check", "ch07", "--name", "nosuch"}, 2, []string{`no lab cluster named "nosuch"`, "labctl up"}},
		{[]string{"status", "--name", "nosuch"}, 2, []string{`no lab cluster named "nosuch"`}},
		{[]string{"check", "ch07", "--kubeconfig", "/nonexistent/kubeconfig"}, 2, []string{"/nonexistent/kubeconfig"}},
		{[]string{"frobnicate"}, 2, []string{`no command "frobnicate"`}},
	} {
		r := h.run(t, time.Minute, nil, tc.args...)
		if r.code != tc.code {
			t.Errorf("labctl %s: exit %d, want %d\n%s", strings.Join(tc.args, " "), r.code, tc.code, r)
		}
		mustContain(t, "labctl "+strings.Join(tc.args, " "), r.stderr, tc.says...)
		if strings.Contains(r.stderr, "goroutine ") || strings.Contains(r.stderr, "panic:") {
			t.Errorf("stack trace:\n%s", r)
		}
	}
	// Korean, as a student with a Korean locale sees it.
	r := h.run(t, time.Minute, []string{"LANG=ko_KR.UTF-8"}, "check", "ch99")
	mustContain(t, "Korean error", r.stderr, "오류:", "챕터가 없습니다")

	// An instructor's chapter with mistakes: every problem, with file and line.
	dir := t.TempDir()
	must(t, os.MkdirAll(dir+"/ch42/manifests", 0o755))
	must(t, os.WriteFile(dir+"/ch42/lab.yaml", []byte("id: ch42\norder: 42\ntitle: {en: Mine}\nsummary: {ko: 요약, en: Summary}\nsteps:\n- id: one\n  title: {ko: 하나, en: One}\n  text: {ko: 본문, en: Text}\n  solution: [manifests/x.yaml]\n  checks:\n  - kind: serviceEndpoints\n    title: {ko: 확인, en: check}\n    params: {servce: web}\nformat: labctl/lab/v1\n"), 0o644))
	must(t, os.WriteFile(dir+"/ch42/manifests/x.yaml", []byte("apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  prots: []\n"), 0o644))
	r = h.run(t, time.Minute, nil, "chapters", "--labs", dir)
	if r.code == 0 {
		t.Errorf("broken chapter accepted:\n%s", r)
	}
	mustContain(t, "instructor chapter errors", r.stderr, "ch42/lab.yaml: title has no ko text", "line 11", "field servce not found",
		"ch42/manifests/x.yaml: line 1", "spec.prots", "lesson.ko.md is missing")
}

func testRuntimeUnreachable(t *testing.T) {
	env := []string{"DOCKER_HOST=unix:///nonexistent/docker.sock"}
	r := h.run(t, time.Minute, env, "up", "--name", h.name+"-nodocker")
	if r.code == 0 {
		t.Fatalf("up without a runtime succeeded:\n%s", r)
	}
	mustContain(t, "up without docker", r.stderr, "cannot reach the docker engine", "is Docker running?")
	r = h.run(t, time.Minute, env, "doctor")
	if r.code != 1 {
		t.Errorf("doctor without a runtime: exit %d, want 1\n%s", r.code, r)
	}
	mustContain(t, "doctor without docker", r.stdout, "✗ Container runtime", "Docker Desktop")
	if c := kindContainers(t, h.name+"-nodocker"); len(c) > 0 {
		t.Errorf("containers created: %v", c)
	}
}

func testPortTaken(t *testing.T) {
	l, err := netListen()
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := strconv.Itoa(l.Port())
	r := h.run(t, 2*time.Minute, nil, "up", "--name", h.name+"-port", "--http-port", port, "--https-port", strconv.Itoa(freePort()))
	if r.code == 0 {
		t.Fatalf("up with port %s taken succeeded:\n%s", port, r)
	}
	mustContain(t, "port taken", r.stderr, "port "+port, "--http-port")
	if c := kindContainers(t, h.name+"-port"); len(c) > 0 {
		t.Errorf("containers created before the port check: %v", c)
	}
	if _, err := os.Stat(h.home + "/config/kubeconfig-e2e-port.yaml"); err == nil {
		t.Error("kubeconfig written for a cluster that was never created")
	}
}

func testInterruptedUp(t *testing.T) {
	cmd := h.command("up", "--name", h.name+"-int", "--ingress", "none", "--workers", "0")
	var stderr lockedBuffer
	cmd.Stderr = &stderr
	must(t, cmd.Start())
	// interrupt once kind is creating the nodes
	deadline := time.Now().Add(3 * time.Minute)
	for !strings.Contains(stderr.String(), "Preparing nodes") && !strings.Contains(stderr.String(), "Writing configuration") {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("kind never started creating nodes:\n%s", stderr.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
	time.Sleep(2 * time.Second)
	must(t, cmd.Process.Signal(syscall.SIGINT))
	err := waitTimeout(cmd, 3*time.Minute)
	code := exitCode(err)
	t.Logf("interrupted up:\n%s", stderr.String())
	if code != 130 {
		t.Errorf("exit %d after Ctrl-C, want 130", code)
	}
	mustContain(t, "interrupted up", stderr.String(), "Deleting the half-made cluster", "interrupted")
	if c := kindContainers(t, h.name+"-int"); len(c) > 0 {
		t.Errorf("half-made cluster left behind: %v", c)
	}
	if _, err := os.Stat(h.home + "/config/kubeconfig-e2e-int.yaml"); err == nil {
		t.Error("kubeconfig of the interrupted cluster left behind")
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
