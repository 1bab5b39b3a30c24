//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// testTUI drives the real binary in a real terminal (tmux), as a student
// would: open ch07, reset it, check step 1 (fails), apply its solution
// after confirming (passes, "solved with help"); then do the headless step
// the student's way: e opens the starter in $EDITOR, first quit without
// saving (nothing is applied), then a scripted editor makes the fix, saving
// applies it with the pods it builds on, and the check passes.
func testTUI(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Fatal("tmux is not installed (.ci/run installs it)")
	}
	tm := &tmux{t: t, name: fmt.Sprintf("labctl-e2e-%d", os.Getpid())}
	// The student's editor: quits without saving while the mode file says
	// so, otherwise makes the headless step's fix and saves.
	dir := t.TempDir()
	mode := dir + "/mode"
	must(t, os.WriteFile(mode, []byte("quit"), 0o644))
	editor := dir + "/editor.sh"
	must(t, os.WriteFile(editor, []byte("#!/bin/sh\n"+
		"echo \"$1\" >> "+dir+"/opened\n"+
		"[ \"$(cat "+mode+")\" = quit ] && exit 0\n"+
		"exec sed -i 's/^  # TODO: make this Service headless.*$/  clusterIP: None/' \"$1\"\n"), 0o755))
	// a tmux server keeps the environment it started with: pass ours explicitly
	env := []string{shellQuote("EDITOR=" + editor), "VISUAL="}
	for _, kv := range h.env() {
		if k, _, _ := strings.Cut(kv, "="); k == "LABCTL_HOME" || k == "LANG" || k == "NO_COLOR" || k == "KUBECONFIG" || k == "PATH" || k == "HOME" {
			env = append(env, shellQuote(kv))
		}
	}
	tm.start(100, 30, fmt.Sprintf("env %s %s --name %s --lang en; echo LABCTL-EXIT=$?; sleep 60", strings.Join(env, " "), h.bin, h.name))
	defer tm.kill()

	tm.waitFor(10*time.Second, "Chapters", "cluster "+h.name+" ready")
	tm.keys("j", "j", "Enter") // ch03, ch04, then ch07
	tm.waitFor(10*time.Second, "ch07 · Services", "Lesson")
	tm.keys("r")
	tm.waitFor(5*time.Second, "Reset chapter ch07?")
	tm.keys("y")
	tm.waitFor(3*time.Minute, "chapter ch07 reset")
	tm.keys("g", "Enter")
	tm.waitFor(10*time.Second, "step 1/9", "A ClusterIP Service")
	tm.keys("c")
	tm.waitFor(2*time.Minute, "checks passed", "✗ three ready pods behind http-go-svc")
	tm.waitAbsent("3 of 3 checks passed")
	tm.keys("A")
	tm.waitFor(5*time.Second, "Apply the solution?")
	tm.keys("y")
	tm.waitFor(4*time.Minute, "objects applied: 2")
	tm.keys("c")
	tm.waitFor(2*time.Minute, "3 of 3 checks passed", "solved with help")
	tm.keys("Escape")
	tm.waitFor(10*time.Second, "✓ 1 A ClusterIP Service (solve") // the list pane cuts the rest at 100 columns

	// the headless step: step 1 again, then n to step 8
	tm.keys("g", "Enter")
	tm.waitFor(10*time.Second, "step 1/9")
	tm.keys("n", "n", "n", "n", "n", "n", "n")
	tm.waitFor(10*time.Second, "step 8/9", "A headless Service and DNS")
	tm.keys("e")
	tm.waitFor(30*time.Second, "closed without saving: nothing was applied")
	if _, err := h.client(t).CoreV1().Services("default").Get(context.Background(), "http-go-headless", metav1.GetOptions{}); err == nil {
		t.Error("http-go-headless exists after the editor quit without saving")
	}
	must(t, os.WriteFile(mode, []byte("fix"), 0o644))
	tm.keys("e")
	tm.waitFor(4*time.Minute, "Applying your manifest", "↳ Deployment default/http-go (applied for you: step 1", "objects applied: 1")
	if svc, err := h.client(t).CoreV1().Services("default").Get(context.Background(), "http-go-headless", metav1.GetOptions{}); err != nil {
		t.Errorf("after the scripted edit: %v", err)
	} else if svc.Spec.ClusterIP != "None" {
		t.Errorf("after the scripted edit: clusterIP %q, want None", svc.Spec.ClusterIP)
	}
	tm.keys("c")
	tm.waitFor(2*time.Minute, "1 of 1 checks passed", "✓ passed")
	opened, _ := os.ReadFile(dir + "/opened")
	t.Logf("the editor opened: %s", opened)
	tm.keys("Escape")
	tm.waitFor(10*time.Second, "✓ 8 A headless Service and DNS")
	tm.keys("Escape")
	tm.waitFor(10*time.Second, "Chapters", "2/9 steps")
	t.Logf("home after the round trip:\n%s", tm.screen())
	tm.keys("q")
	tm.waitFor(10*time.Second, "LABCTL-EXIT=0")
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

type tmux struct {
	t    *testing.T
	name string
}

func (x *tmux) run(args ...string) string {
	x.t.Helper()
	out, err := exec.Command("tmux", args...).CombinedOutput()
	if err != nil {
		x.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func (x *tmux) start(w, h int, command string) {
	x.run("new-session", "-d", "-s", x.name, "-x", fmt.Sprint(w), "-y", fmt.Sprint(h), command)
}

func (x *tmux) kill() { _ = exec.Command("tmux", "kill-session", "-t", x.name).Run() }

// keys presses keys one at a time: two escapes sent together read as
// alt+esc, as in any terminal.
func (x *tmux) keys(keys ...string) {
	for _, k := range keys {
		x.run("send-keys", "-t", x.name, k)
		time.Sleep(150 * time.Millisecond)
	}
}

func (x *tmux) screen() string { return x.run("capture-pane", "-p", "-t", x.name) }

// waitFor waits until the screen shows every part.
func (x *tmux) waitFor(d time.Duration, parts ...string) {
	x.t.Helper()
	deadline := time.Now().Add(d)
	for {
		s := x.screen()
		missing := ""
		for _, p := range parts {
			if !strings.Contains(s, p) {
				missing = p
				break
			}
		}
		if missing == "" {
			return
		}
		if time.Now().After(deadline) {
			x.t.Fatalf("after %s the screen still lacks %q:\n%s", d, missing, s)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func (x *tmux) waitAbsent(part string) {
	x.t.Helper()
	if s := x.screen(); strings.Contains(s, part) {
		x.t.Fatalf("the screen shows %q:\n%s", part, s)
	}
}
