package tui

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/labctl/labctl/apply"
	"github.com/labctl/labctl/i18n"
	"github.com/labctl/labctl/internal/view"
	"github.com/labctl/labctl/labs"
	"github.com/labctl/labctl/session"
	"github.com/labctl/labctl/verify"
)

// fullLibrary is the embedded chapters, loaded once: the views are tested
// with the real content a student reads.
var fullLibrary = sync.OnceValues(func() (*labs.Library, error) { return labs.Embedded(verify.Validate) })

// library is the chapters the key sequences and golden screens walk
// through (ch07 first, then ch08), so a chapter added before them does not
// move the cursor under every test; TestEveryChapterShows covers the rest.
var library = sync.OnceValues(func() (*labs.Library, error) {
	lib, err := fullLibrary()
	if err != nil {
		return nil, err
	}
	out := &labs.Library{}
	for _, c := range lib.Chapters {
		if c.ID == "ch07" || c.ID == "ch08" {
			out.Chapters = append(out.Chapters, c)
		}
	}
	return out, nil
})

// fakeBackend stands in for the cluster. A step's checks fail until its
// solution (or an edited manifest) was applied, as on a fresh cluster; it
// records progress in a real store, as the session does.
type fakeBackend struct {
	mu     sync.Mutex
	store  *labs.Store
	status ClusterInfo
	// statusIn, when set, reads the status in the language asked for, as
	// the session does.
	statusIn func(i18n.Lang) ClusterInfo
	applied  map[string]bool // step ID → its objects exist
	calls    []string
	edited   []apply.Object

	checkBlocks bool              // Check waits until cancelled
	parked      []context.Context // the contexts of Checks waiting for it
	applyErr    error             // ApplySolution fails
	upErr       error
	resetN      int
}

func newFake(store *labs.Store) *fakeBackend {
	return &fakeBackend{store: store, applied: map[string]bool{},
		status: ClusterInfo{State: ClusterReady, Name: "lab", Version: "v1.35.8", Nodes: 3, ReadyNodes: 3, Ingress: "nginx"}}
}

// waiting counts the Checks parked until a cancellation that has not come:
// a context's Err is set the moment it is cancelled, so a test that cancels
// sees the count drop before the check's goroutine has even woken.
func (f *fakeBackend) waiting() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, ctx := range f.parked {
		if ctx.Err() == nil {
			n++
		}
	}
	return n
}

func (f *fakeBackend) call(s string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, s)
}

func (f *fakeBackend) called() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return strings.Join(f.calls, " ")
}

func (f *fakeBackend) Status(_ context.Context, lang i18n.Lang) ClusterInfo {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.statusIn != nil {
		return f.statusIn(lang)
	}
	return f.status
}

func (f *fakeBackend) Up(ctx context.Context, _ i18n.Lang, rep view.Reporter) error {
	f.call("up")
	for _, s := range []string{"container runtime", "create cluster lab", "MetalLB"} {
		rep.Start(s)
		rep.Done(nil, 1500*time.Millisecond)
	}
	if f.upErr != nil {
		rep.Start("ingress-nginx")
		rep.Done(f.upErr, 2*time.Second)
		return f.upErr
	}
	f.mu.Lock()
	f.status.State = ClusterReady
	f.mu.Unlock()
	return nil
}

func (f *fakeBackend) Check(ctx context.Context, lang i18n.Lang, ch *labs.Chapter, steps []int, o verify.Options) (verify.Report, error) {
	f.call("check")
	rep := verify.Report{Chapter: ch.ID, Elapsed: verify.Seconds(1200 * time.Millisecond)}
	for _, i := range steps {
		st := ch.Steps[i]
		f.mu.Lock()
		pass := f.applied[st.ID]
		f.mu.Unlock()
		sr := verify.StepResult{ID: st.ID, Number: i + 1, Title: st.Title.In(lang), Verdict: verify.Pass}
		for _, spec := range st.Checks {
			if o.OnStart != nil {
				o.OnStart(st.ID, spec.Name())
			}
			if f.checkBlocks {
				f.mu.Lock()
				f.parked = append(f.parked, ctx)
				f.mu.Unlock()
				<-ctx.Done()
			}
			res := verify.CheckResult{Step: st.ID, ID: spec.Name(), Kind: spec.Kind, Title: spec.Title.In(lang),
				Verdict: verify.Pass, Message: "observed what the step asks for", Elapsed: verify.Seconds(300 * time.Millisecond)}
			switch {
			case ctx.Err() != nil:
				res.Verdict, res.Message = verify.Error, ctx.Err().Error()
			case !pass:
				res.Verdict, res.Message = verify.Fail, "Service http-go-svc not found in namespace default"
				res.Evidence = []string{"kubectl get svc http-go-svc: NotFound"}
				res.Hint = spec.Hint.In(lang)
			}
			if res.Verdict != verify.Pass {
				sr.Verdict = verify.Fail
			}
			if o.OnResult != nil {
				o.OnResult(res)
			}
			sr.Checks = append(sr.Checks, res)
		}
		rep.Steps = append(rep.Steps, sr)
	}
	if ctx.Err() == nil {
		session.Record(f.store, ch, rep)
	}
	return rep, nil
}

func (f *fakeBackend) ApplySolution(ctx context.Context, _ i18n.Lang, ch *labs.Chapter, steps []int, applied func(apply.Object)) error {
	f.call("apply")
	if f.applyErr != nil {
		return f.applyErr
	}
	objs, err := ch.SolutionObjects(steps)
	if err != nil {
		return err
	}
	for _, o := range objs {
		applied(o)
	}
	session.MarkHelped(f.store, ch, steps)
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, i := range steps {
		f.applied[ch.Steps[i].ID] = true
	}
	return nil
}

func (f *fakeBackend) ApplyStarter(ctx context.Context, _ i18n.Lang, ch *labs.Chapter, step int, mine []apply.Object, prereq func(apply.Object, int), applied func(apply.Object)) error {
	pre, err := ch.PrerequisiteObjects(step)
	if err != nil {
		return err
	}
	for _, o := range pre {
		prereq(o, ch.SolvedBy(strings.TrimPrefix(o.Source, ch.Dir+"/")))
	}
	objs := mine
	if mine == nil {
		f.call("apply-starter")
		if objs, err = ch.StarterObjects(step); err != nil {
			return err
		}
	} else {
		f.call("apply-edited")
	}
	for _, o := range objs {
		applied(o)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if mine != nil {
		f.edited = objs
	}
	return nil
}

func (f *fakeBackend) Reset(ctx context.Context, _ i18n.Lang, ch *labs.Chapter) (int, error) {
	f.call("reset")
	f.mu.Lock()
	f.applied = map[string]bool{}
	f.mu.Unlock()
	return f.resetN, f.store.Reset(ch.ID)
}

// harness drives the root model as Bubble Tea would, but synchronously
// enough to assert on: every command runs in a goroutine, and after each
// message the harness waits until no command is left or none answered for
// a moment (a fake blocked on purpose).
type harness struct {
	t        *testing.T
	m        Model
	fake     *fakeBackend
	store    *labs.Store
	pending  chan tea.Msg
	inflight int
	quit     bool
	saved    []i18n.Lang
	execs    []string
	// editWith is what the fake editor writes into the file it is given;
	// editKeep makes it quit without saving.
	editWith string
	editKeep bool
	tempDir  string
}

func newHarness(t *testing.T, lang i18n.Lang, w, h int) *harness {
	t.Helper()
	return newHarnessWith(t, library, lang, w, h)
}

func newHarnessWith(t *testing.T, library func() (*labs.Library, error), lang i18n.Lang, w, h int) *harness {
	t.Helper()
	lib, err := library()
	if err != nil {
		t.Fatal(err)
	}
	store := &labs.Store{Dir: t.TempDir()}
	hs := &harness{t: t, store: store, fake: newFake(store), pending: make(chan tea.Msg, 64)}
	hs.m = New(context.Background(), Options{
		Lang: lang, Library: func() (*labs.Library, error) { return lib, nil },
		Backend: hs.fake, Progress: store, Cluster: "lab",
		SaveLang: func(l i18n.Lang) error { hs.saved = append(hs.saved, l); return nil },
		Editor:   []string{"fake-editor"}, TempDir: t.TempDir(),
	})
	hs.tempDir = hs.m.c.tempDir
	hs.m.c.noTimers = true
	hs.m.c.now = func() time.Time { return time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC) }
	hs.m.c.exec = hs.fakeExec
	hs.run(hs.m.Init())
	hs.send(tea.WindowSizeMsg{Width: w, Height: h})
	// The tests walk through ch07 (the chapter with every kind of step),
	// whichever chapters come before it in the list.
	for i, ch := range lib.Chapters {
		if ch.ID == "ch07" {
			hs.m.home.cursor = i
		}
	}
	return hs
}

// fakeExec plays the editor: it writes editWith into the file.
func (h *harness) fakeExec(cmd *exec.Cmd, done tea.ExecCallback) tea.Cmd {
	path := cmd.Args[len(cmd.Args)-1]
	h.execs = append(h.execs, strings.Join(cmd.Args, " "))
	keep := h.editKeep
	return func() tea.Msg {
		if keep {
			return done(nil)
		}
		if h.editWith == "" {
			return done(errors.New("exit status 1"))
		}
		return done(os.WriteFile(path, []byte(h.editWith), 0o644))
	}
}

func (h *harness) run(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	h.inflight++
	go func() { h.pending <- cmd() }()
}

func (h *harness) update(msg tea.Msg) {
	switch msg := msg.(type) {
	case nil:
		return
	case tea.BatchMsg:
		for _, c := range msg {
			h.run(c)
		}
		return
	case tea.QuitMsg:
		h.quit = true
		return
	}
	m, cmd := h.m.Update(msg)
	h.m = m.(Model)
	h.run(cmd)
}

// settleLimit bounds how long send waits for the commands a message
// started; past it the test fails rather than compare a half-drawn screen.
// It is a hang detector, not a speed requirement: glamour under the race
// detector on a loaded machine takes seconds.
const settleLimit = time.Minute

// send delivers msg and waits until everything it started has finished,
// except the fake's checks parked until cancelled (a test of cancelling).
func (h *harness) send(msg tea.Msg) {
	h.t.Helper()
	h.update(msg)
	deadline := time.After(settleLimit)
	for h.inflight > h.fake.waiting() {
		select {
		case msg := <-h.pending:
			h.inflight--
			h.update(msg)
		case <-time.After(10 * time.Millisecond): // a check may just have parked
		case <-deadline:
			h.t.Fatalf("still busy %s after %T: %d commands in flight", settleLimit, msg, h.inflight)
		}
	}
}

// keys presses keys by name: "enter", "esc", "ctrl+c", "up", or text.
func (h *harness) keys(names ...string) {
	h.t.Helper()
	for _, n := range names {
		h.send(keyPress(n))
	}
}

func keyPress(n string) tea.KeyPressMsg {
	special := map[string]rune{"enter": tea.KeyEnter, "esc": tea.KeyEscape, "up": tea.KeyUp, "down": tea.KeyDown,
		"tab": tea.KeyTab, "pgdown": tea.KeyPgDown, "pgup": tea.KeyPgUp}
	if r, ok := special[n]; ok {
		return tea.KeyPressMsg{Code: r}
	}
	if n == "ctrl+c" {
		return tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	}
	r := []rune(n)[0]
	return tea.KeyPressMsg{Code: r, Text: n}
}

// screen is the frame as the student sees it: no colours, no padding.
func (h *harness) screen() string { return stripTrailing(h.m.View().Content) }

// stripTrailing drops colours and the spaces that pad lines.
func stripTrailing(s string) string {
	lines := strings.Split(ansi.Strip(s), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n")
}

// wantScreen checks the frame and, on a step, the whole scrollable pane.
func (h *harness) wantScreen(parts ...string) {
	h.t.Helper()
	s := h.screen()
	if h.m.screen == screenStep {
		s += "\n--- pane ---\n" + ansi.Strip(h.m.step.vp.GetContent())
	}
	for _, p := range parts {
		if !strings.Contains(s, p) {
			h.t.Errorf("screen lacks %q:\n%s", p, s)
		}
	}
}
