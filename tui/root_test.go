package tui

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/labctl/labctl/i18n"
	"github.com/labctl/labctl/labs"
)

// Key sequences and where they leave the TUI: the screen in front, what the
// backend was asked to do, and what the student reads.
func TestKeySequences(t *testing.T) {
	tests := []struct {
		name      string
		setup     func(h *harness)
		keys      []string
		screen    screen
		calls     string
		want      []string
		wantQuit  bool
		checkSelf func(t *testing.T, h *harness)
	}{
		{name: "open the second chapter", keys: []string{"down", "enter"}, screen: screenChapter,
			want: []string{"ch08 · Ingress", "1 "}},
		{name: "home keys with a Korean input method", keys: []string{"ㅓ", "enter"}, screen: screenChapter,
			want: []string{"ch08"}},
		{name: "a step and back twice", keys: []string{"enter", "enter", "esc", "esc"}, screen: screenHome},
		{name: "check fails on a fresh cluster", keys: []string{"enter", "enter", "c"}, screen: screenStep,
			calls: "check", want: []string{"✗ three ready pods behind http-go-svc", "0 of 3 checks passed", "✗ failed"}},
		{name: "applying the solution asks first, then check passes with help", keys: []string{"enter", "enter", "c", "A", "y", "c"}, screen: screenStep,
			calls: "check apply check", want: []string{"✓ three ready pods", "3 of 3 checks passed", "Step passed", "solved with help", "Solution"}},
		{name: "applying the solution: n applies nothing", keys: []string{"enter", "enter", "A", "n"}, screen: screenStep, calls: ""},
		{name: "progress shows at home", keys: []string{"enter", "enter", "A", "y", "c", "esc", "esc"}, screen: screenHome,
			calls: "apply check", want: []string{"1/9 steps"}},
		{name: "a applies the starter", keys: []string{"enter", "enter", "a"}, screen: screenStep, calls: "apply-starter",
			want: []string{"Applying the starter", "✓ Deployment http-go", "✓ Service http-go-svc", "objects applied: 2"}},
		{name: "a applies what the step builds on, saying so", keys: []string{"enter", "enter", "n", "a"}, screen: screenStep, calls: "apply-starter",
			want: []string{"↳ Deployment http-go (applied for you: step 1's solution", "↳ Service http-go-svc", "✓ Service http-go-affinity", "objects applied: 1"}},
		{name: "a after an edit applies the student's copy", setup: func(h *harness) { h.editWith = editedService },
			keys: []string{"enter", "enter", "e", "a"}, screen: screenStep, calls: "apply-edited apply-edited",
			want: []string{"Applying your manifest", "✓ Service default/mine"}},
		{name: "apply error in place", setup: func(h *harness) { h.fake.applyErr = errors.New("the server could not find the requested resource") },
			keys: []string{"enter", "enter", "A", "y"}, screen: screenStep, calls: "apply",
			want: []string{"apply failed", "could not find the requested resource"}},
		{name: "reset asks first, n keeps", keys: []string{"enter", "enter", "r", "n"}, screen: screenStep, calls: ""},
		{name: "reset asks first, y resets", keys: []string{"enter", "enter", "r", "y"}, screen: screenStep, calls: "reset",
			want: []string{"chapter ch07 reset; objects deleted: 0"}},
		{name: "reset from the chapter", keys: []string{"enter", "r", "y"}, screen: screenChapter, calls: "reset"},
		{name: "solution asks before a pass", keys: []string{"enter", "enter", "s"}, screen: screenStep,
			want: []string{"Show the solution before passing?"}},
		{name: "solution shown on yes", keys: []string{"enter", "enter", "n", "s", "y"}, screen: screenStep,
			want: []string{"Solution", "http-go-affinity.yaml"}},
		{name: "solution of a passed step needs no question", keys: []string{"enter", "enter", "A", "y", "c", "s", "s"}, screen: screenStep,
			calls: "apply check", want: []string{"Solution", "solution/http-go.yaml"}},
		{name: "hints one at a time", keys: []string{"enter", "enter", "h"}, screen: screenStep,
			want: []string{"Hints 1/4", "1. " + mustChapter(t, "ch07").Steps[0].Hints[0].En[:20]},
			checkSelf: func(t *testing.T, h *harness) {
				if strings.Contains(h.screen(), "2. ") {
					t.Error("second hint shown after one h")
				}
			}},
		{name: "no more hints", keys: []string{"enter", "enter", "h", "h", "h", "h", "h"}, screen: screenStep,
			want: []string{"Hints 4/4", "no more hints"}},
		{name: "next and previous step", keys: []string{"enter", "enter", "n", "n", "p"}, screen: screenStep,
			want: []string{"step 2/9", "Session affinity"}},
		{name: "help opens and closes", keys: []string{"?"}, screen: screenHome, want: []string{"Keys", "Everywhere", "set up cluster"}},
		{name: "q closes help without quitting", keys: []string{"?", "q"}, screen: screenHome, want: []string{"Chapters"}},
		{name: "q quits at home", keys: []string{"q"}, wantQuit: true},
		{name: "ctrl+c quits when nothing runs", keys: []string{"enter", "ctrl+c"}, screen: screenChapter, wantQuit: true},
		{name: "ctrl+c cancels a running check first", setup: func(h *harness) { h.fake.checkBlocks = true },
			keys: []string{"enter", "enter", "c", "ctrl+c"}, screen: screenStep, calls: "check",
			want: []string{"cancelled"},
			checkSelf: func(t *testing.T, h *harness) {
				if h.quit {
					t.Error("first Ctrl-C quit instead of cancelling")
				}
			}},
		{name: "esc cancels a running check, then leaves", setup: func(h *harness) { h.fake.checkBlocks = true },
			keys: []string{"enter", "enter", "c", "esc", "esc"}, screen: screenChapter, calls: "check"},
		{name: "up failure is a screen left with esc", setup: func(h *harness) {
			h.fake.upErr = errors.New("port 80 is taken")
		}, keys: []string{"u"}, screen: screenHome, calls: "up", want: []string{"Something went wrong", "port 80 is taken", "labctl doctor says", "Press esc"},
			checkSelf: func(t *testing.T, h *harness) {
				h.keys("esc")
				h.wantScreen("Chapters", "✗ the cluster could not be made ready")
			}},
		{name: "up shows its steps", keys: []string{"u"}, screen: screenHome, calls: "up",
			want: []string{"✓ create cluster lab", "✓ cluster lab is ready"}},
		{name: "language toggles and is remembered", keys: []string{"L"}, screen: screenHome,
			want: []string{"쿠버네티스 네트워킹 실습", "챕터"},
			checkSelf: func(t *testing.T, h *harness) {
				if len(h.saved) != 1 || h.saved[0] != i18n.Ko {
					t.Errorf("saved %v, want [ko]", h.saved)
				}
			}},
		{name: "edit applies the edited copy", setup: func(h *harness) { h.editWith = editedService },
			keys: []string{"enter", "enter", "e"}, screen: screenStep, calls: "apply-edited",
			want: []string{"Applying your manifest", "✓ Service default/mine", "press e to edit it again"}},
		{name: "edit with malformed YAML says where", setup: func(h *harness) { h.editWith = "apiVersion: v1\nkind: [\n" },
			keys: []string{"enter", "enter", "e"}, screen: screenStep, calls: "",
			want: []string{"mistake at line 2"}},
		{name: "editor failing applies nothing", keys: []string{"enter", "enter", "e"}, screen: screenStep, calls: "",
			want: []string{"did not finish cleanly"}},
		{name: "editor quit without saving applies nothing and leaves no copy", setup: func(h *harness) { h.editKeep = true },
			keys: []string{"enter", "enter", "e"}, screen: screenStep, calls: "",
			want: []string{"closed without saving: nothing was applied"},
			checkSelf: func(t *testing.T, h *harness) {
				if left, _ := filepath.Glob(filepath.Join(h.tempDir, "*")); len(left) > 0 {
					t.Errorf("copies left behind: %v", left)
				}
				if len(h.m.c.edits) != 0 {
					t.Errorf("edits remembered: %v", h.m.c.edits)
				}
			}},
		{name: "a second e continues the student's copy, even after leaving the step", setup: func(h *harness) { h.editWith = editedService },
			keys: []string{"enter", "enter", "e", "esc", "enter", "e"}, screen: screenStep, calls: "apply-edited apply-edited",
			checkSelf: func(t *testing.T, h *harness) {
				if len(h.execs) != 2 || h.execs[0] != h.execs[1] {
					t.Errorf("editor runs %v, want the same copy twice", h.execs)
				}
			}},
		{name: "quitting a second edit without saving keeps the copy", setup: func(h *harness) { h.editWith = editedService },
			keys: []string{"enter", "enter", "e"}, screen: screenStep, calls: "apply-edited",
			checkSelf: func(t *testing.T, h *harness) {
				h.editKeep = true
				h.keys("e")
				h.wantScreen("closed without saving")
				if len(h.m.c.edits) != 1 {
					t.Errorf("the student's copy was forgotten: %v", h.m.c.edits)
				}
			}},
		{name: "reset offers to discard the edited copy", setup: func(h *harness) { h.editWith = editedService },
			keys: []string{"enter", "enter", "e", "r"}, screen: screenStep, calls: "apply-edited",
			want: []string{"your edited copies are deleted"},
			checkSelf: func(t *testing.T, h *harness) {
				h.keys("y")
				if len(h.m.c.edits) != 0 {
					t.Errorf("edits kept after reset: %v", h.m.c.edits)
				}
				if left, _ := filepath.Glob(filepath.Join(h.tempDir, "*")); len(left) > 0 {
					t.Errorf("copies left behind: %v", left)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, i18n.En, 100, 40)
			if tt.setup != nil {
				tt.setup(h)
			}
			h.keys(tt.keys...)
			if h.quit != tt.wantQuit {
				t.Fatalf("quit = %v, want %v", h.quit, tt.wantQuit)
			}
			if tt.wantQuit {
				return
			}
			if h.m.screen != tt.screen {
				t.Errorf("screen = %d, want %d", h.m.screen, tt.screen)
			}
			if got := h.fake.called(); got != tt.calls {
				t.Errorf("backend calls = %q, want %q", got, tt.calls)
			}
			h.wantScreen(tt.want...)
			if tt.checkSelf != nil {
				tt.checkSelf(t, h)
			}
		})
	}
}

const editedService = `apiVersion: v1
kind: Service
metadata:
  name: mine
  namespace: default
spec:
  selector: {app: http-go}
  ports: [{port: 80, targetPort: 8080}]
`

// A check made in another terminal shows up at the next poll.
func TestProgressFromAnotherTerminal(t *testing.T) {
	h := newHarness(t, i18n.En, 80, 24)
	h.wantScreen("0/9 steps")
	lib, _ := library()
	ch, _ := lib.Chapter("ch07")
	for _, s := range ch.Steps[:3] {
		if err := h.store.Record("ch07", s.ID, 1, 1, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	h.send(progressTickMsg{})
	h.wantScreen("3/9 steps")
	h.keys("enter")
	h.wantScreen("✓ 1 A ClusterIP Service", "· 4 NodePort")
}

// Second Ctrl-C quits while the first one's cancellation is still cleaning up.
func TestSecondCtrlCQuits(t *testing.T) {
	h := newHarness(t, i18n.En, 80, 24)
	h.fake.checkBlocks = true
	h.keys("enter", "enter")
	h.m.step.op.running = true // a cancellation still in progress
	h.m.step.op.cancelling = true
	h.keys("ctrl+c")
	if !h.quit {
		t.Fatal("second Ctrl-C did not quit")
	}
}

// The status bar says what the cluster is and which key fixes it.
func TestStatusBar(t *testing.T) {
	tests := []struct {
		info ClusterInfo
		want string
	}{
		{ClusterInfo{State: ClusterNone}, "○ no cluster lab yet: press u to create it"},
		{ClusterInfo{State: ClusterChecking}, "◌ cluster lab: checking…"},
		{ClusterInfo{State: ClusterReady, Name: "lab", Version: "v1.35.8", Nodes: 3, ReadyNodes: 3, Ingress: "traefik"},
			"● cluster lab ready · Kubernetes v1.35.8 · 3 nodes · ingress traefik"},
		{ClusterInfo{State: ClusterUnhealthy, Nodes: 3, ReadyNodes: 3, Addon: "MetalLB", Detail: "controller 0/1 ready"},
			"▲ cluster lab: MetalLB not healthy: controller 0/1 ready (press u to repair)"},
		{ClusterInfo{State: ClusterUnhealthy, Nodes: 3, ReadyNodes: 2}, "▲ cluster lab: 2 of 3 nodes ready"},
		{ClusterInfo{State: ClusterStopped, Detail: "stopped"}, "■ cluster lab is stopped: press u to start it (everything you made is kept)"},
		{ClusterInfo{State: ClusterStopped, Detail: "partly stopped"}, "■ cluster lab is partly stopped: press u to start it"},
		{ClusterInfo{State: ClusterUnreachable, Err: i18n.Errorf(msgUpFailed).WithFix(msgEditCancelled)}, "✗ cluster lab does not answer: the editor closed"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			h := newHarness(t, i18n.En, 120, 24)
			h.send(statusMsg{info: tt.info})
			h.wantScreen(tt.want)
		})
	}
}

// The status bar's details are read in the language the student reads:
// toggling it reads them again at once, and they follow (issue 10).
func TestStatusBarFollowsTheLanguage(t *testing.T) {
	h := newHarness(t, i18n.Ko, 120, 24)
	h.fake.mu.Lock()
	h.fake.statusIn = func(l i18n.Lang) ClusterInfo {
		detail := map[i18n.Lang]string{i18n.En: "stopped", i18n.Ko: "멈춤"}[l]
		return ClusterInfo{State: ClusterStopped, Name: "lab", Detail: detail}
	}
	h.fake.mu.Unlock()
	h.send(statusTickMsg{})
	h.wantScreen("멈춤")
	h.keys("L")
	h.wantScreen("cluster lab is stopped")
	if strings.Contains(h.screen(), "멈춤") {
		t.Errorf("the status bar kept Korean after the toggle:\n%s", h.screen())
	}
}

// Every size from tiny to wide draws exactly the window, never more.
func TestEverySizeFits(t *testing.T) {
	for _, size := range [][2]int{{20, 6}, {40, 10}, {80, 24}, {99, 30}, {100, 30}, {200, 60}} {
		h := newHarness(t, i18n.Ko, size[0], size[1])
		for _, keys := range [][]string{nil, {"enter"}, {"enter"}, {"c"}, {"?"}} {
			h.keys(keys...)
			lines := strings.Split(h.m.View().Content, "\n")
			if len(lines) != size[1] {
				t.Errorf("%dx%d after %v: %d lines", size[0], size[1], keys, len(lines))
			}
			for i, l := range lines {
				if w := displayWidth(l); w > size[0] {
					t.Errorf("%dx%d after %v: line %d is %d wide", size[0], size[1], keys, i, w)
				}
			}
		}
	}
}

// The steps list and the lesson sit side by side only on a wide window.
func TestChapterLayout(t *testing.T) {
	h := newHarness(t, i18n.En, 80, 24)
	h.keys("enter")
	if h.m.chapter.dims().wide {
		t.Error("80 columns: lesson beside the steps")
	}
	h.send(tea.WindowSizeMsg{Width: 120, Height: 40})
	if !h.m.chapter.dims().wide {
		t.Error("120 columns: lesson not beside the steps")
	}
	if h.m.chapter.shown.width != h.m.chapter.dims().paneW {
		t.Errorf("lesson rendered for %d cells, pane is %d", h.m.chapter.shown.width, h.m.chapter.dims().paneW)
	}
}

// stepStates reads what the chapter list shows for each step.
func TestStepStatesFromStore(t *testing.T) {
	h := newHarness(t, i18n.En, 80, 24)
	_ = h.store.Record("ch07", "clusterip", 3, 3, time.Now())
	_ = h.store.Record("ch07", "session-affinity", 1, 2, time.Now())
	h.send(refreshProgressMsg{})
	if got := h.m.c.stepState(mustChapter(t, "ch07"), "session-affinity").State; got != labs.Failed {
		t.Errorf("state = %q", got)
	}
	h.keys("enter")
	h.wantScreen("✓ 1 A ClusterIP", "✗ 2 Session affinity", "· 3 A multi-port")
}

func mustChapter(t *testing.T, id string) *labs.Chapter {
	t.Helper()
	lib, err := library()
	if err != nil {
		t.Fatal(err)
	}
	ch, ok := lib.Chapter(id)
	if !ok {
		t.Fatalf("no chapter %s", id)
	}
	return ch
}

func TestWrap(t *testing.T) {
	tests := []struct {
		in   string
		w    int
		want string
	}{
		{"kubectl get pods --show-labels", 20, "kubectl get pods\n--show-labels"},
		{"a b c", 80, "a b c"},
		{"첫째 둘째 셋째", 9, "첫째 둘째\n셋째"},
		{"abcdefghij", 5, "abcde\nfghij"},
		{"one\ntwo three", 5, "one\ntwo\nthree"},
	}
	for _, tt := range tests {
		if got := wrap(tt.in, tt.w); got != tt.want {
			t.Errorf("wrap(%q, %d) = %q, want %q", tt.in, tt.w, got, tt.want)
		}
	}
}

// fakeLive gives ch07's first step a live view fed by fixed counts.
type fakeLive struct{ stopped chan struct{} }

func (f *fakeLive) Has(ch *labs.Chapter, st *labs.Step) bool { return st.ID == "clusterip" }

func (f *fakeLive) Start(ctx context.Context, _ i18n.Lang, ch *labs.Chapter, st *labs.Step) (LiveFeed, error) {
	go func() {
		<-ctx.Done()
		close(f.stopped)
	}()
	// one reading, then the feed ends (the harness waits for every
	// command to finish; the counts stay drawn)
	feed := make(chan []BackendCount, 1)
	feed <- []BackendCount{{Name: "http-go-a", Conns: 10, Ready: true}, {Name: "http-go-b", Conns: 5, Active: 1, Ready: true}}
	close(feed)
	return feed, nil
}

// The live view starts on v, shows the feed's bars, and stops its
// source on v again or when the student leaves the step.
func TestLiveView(t *testing.T) {
	for _, leave := range []string{"v", "esc"} {
		t.Run("stop with "+leave, func(t *testing.T) {
			h := newHarness(t, i18n.En, 100, 40)
			live := &fakeLive{stopped: make(chan struct{})}
			h.m.c.live = live
			h.keys("enter", "enter")
			h.keys("v")
			h.wantScreen("Live traffic", "http-go-a", "10", "http-go-b", "↔1")
			h.keys(leave)
			select {
			case <-live.stopped:
			case <-time.After(2 * time.Second):
				t.Fatal("the live source was not stopped")
			}
		})
	}
	h := newHarness(t, i18n.En, 100, 40)
	h.m.c.live = &fakeLive{stopped: make(chan struct{})}
	h.keys("enter", "enter", "n", "v")
	h.wantScreen("this step has no live view")
}

// On a window too short for every key, the help screen scrolls to the
// last one instead of cutting it off.
func TestHelpScrollsOnASmallWindow(t *testing.T) {
	for _, lang := range i18n.Langs {
		h := newHarness(t, lang, 60, 20)
		h.keys("enter", "enter", "?")
		first := h.screen()
		if !strings.Contains(first, "pgdn/pgup") {
			t.Fatalf("%s: a help screen longer than 20 lines does not say it scrolls:\n%s", lang, first)
		}
		h.keys("end")
		last := h.screen()
		want := h.m.c.t(msgHelpCancel)
		if !strings.Contains(strings.Join(strings.Fields(last), " "), strings.Join(strings.Fields(want), " ")[:20]) {
			t.Errorf("%s: the end of the help is not reachable:\n%s", lang, last)
		}
		if n := strings.Count(last, "\n") + 1; n != 20 {
			t.Errorf("%s: %d lines on a 20-line window", lang, n)
		}
	}
}
