package verify

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labctl/labctl/i18n"
	"github.com/labctl/labctl/labs"
)

// Test kinds, registered only in the test binary. testScript plays a list
// of outcomes, one per attempt (the last repeats):
//
//	pass, fail, missing, error: that outcome
//	block: wait for the deadline, then return what a cut-short network call returns
//	cancel: cancel the run's context (see cancels), then fail
//	barrier: wait until `barrier` checks of the same key are inside Check together
var (
	msgTestAttempt = i18n.M("test.verify.attempt", "attempt %d: %s", "시도 %d: %s")
	testKinds      = map[string]bool{"testScript": true}

	cancelsMu sync.Mutex
	cancels   = map[string]context.CancelFunc{}

	barriersMu sync.Mutex
	barriers   = map[string]*barrier{}
)

type scripted struct {
	Steps   []string `yaml:"steps"`
	Key     string   `yaml:"key"`
	Barrier int      `yaml:"barrier"`
	n       int
}

func init() {
	register("testScript", func(p scripted) (Checker, error) {
		if len(p.Steps) == 0 {
			return nil, errors.New("params.steps is required")
		}
		return &p, nil
	})
}

func (s *scripted) Check(ctx context.Context, _ *Env) Outcome {
	s.n++
	step := s.Steps[min(s.n, len(s.Steps))-1]
	switch step {
	case "pass":
		return Passed(msgTestAttempt, s.n, "pass").With(fmt.Sprintf("attempt %d", s.n))
	case "fail":
		return Failed(msgTestAttempt, s.n, "fail").With(fmt.Sprintf("attempt %d", s.n))
	case "missing":
		return Missing(msgTestAttempt, s.n, "missing")
	case "error":
		return Errored(fmt.Errorf("attempt %d: the API server did not answer", s.n))
	case "block":
		<-ctx.Done()
		return Errored(ctx.Err())
	case "cancel":
		cancelsMu.Lock()
		cancels[s.Key]()
		cancelsMu.Unlock()
		return Failed(msgTestAttempt, s.n, "fail")
	case "barrier":
		if barrierFor(s.Key, s.Barrier).wait(ctx) {
			return Passed(msgTestAttempt, s.n, "met")
		}
		return Errored(errors.New("the other checks never ran alongside"))
	}
	panic("unknown step " + step)
}

// barrier lets groups of n checks through once n are waiting, and records
// how many were inside at once.
type barrier struct {
	mu           sync.Mutex
	n, waiting   int
	inside, most int
	ch           chan struct{}
}

func barrierFor(key string, n int) *barrier {
	barriersMu.Lock()
	defer barriersMu.Unlock()
	if barriers[key] == nil {
		barriers[key] = &barrier{n: n}
	}
	return barriers[key]
}

func (b *barrier) wait(ctx context.Context) bool {
	b.mu.Lock()
	b.inside++
	b.most = max(b.most, b.inside)
	if b.ch == nil {
		b.ch = make(chan struct{})
	}
	ch := b.ch
	if b.waiting++; b.waiting == b.n {
		close(b.ch)
		b.ch, b.waiting = nil, 0
	}
	b.mu.Unlock()
	defer func() { b.mu.Lock(); b.inside--; b.mu.Unlock() }()
	select {
	case <-ch:
		return true
	case <-ctx.Done():
		return false
	}
}

// spec is a check of a test chapter.
func spec(t testing.TB, id, kind, p string) labs.CheckSpec {
	return labs.CheckSpec{Kind: kind, ID: id, Params: *params(t, p),
		Title: i18n.Text{En: "check " + id, Ko: "검사 " + id},
		Hint:  i18n.Text{En: "hint for " + id, Ko: id + " 힌트"}}
}

func chapter(steps ...labs.Step) *labs.Chapter {
	for i := range steps {
		if steps[i].ID == "" {
			steps[i].ID = fmt.Sprintf("step%d", i+1)
		}
		steps[i].Title = i18n.Text{En: "Step " + steps[i].ID, Ko: steps[i].ID + " 단계"}
	}
	return &labs.Chapter{ID: "ch99", Title: i18n.Text{En: "Runner", Ko: "러너"}, Steps: steps}
}

func step(checks ...labs.CheckSpec) labs.Step { return labs.Step{Checks: checks} }

func script(t testing.TB, id string, steps ...string) labs.CheckSpec {
	return spec(t, id, "testScript", fmt.Sprintf("{steps: [%s]}", strings.Join(steps, ", ")))
}

var fast = Options{Poll: time.Millisecond, Timeout: 50 * time.Millisecond}

func runOne(t *testing.T, c labs.CheckSpec, o Options) CheckResult {
	t.Helper()
	rep := Run(context.Background(), &Env{Lang: i18n.En}, chapter(step(c)), nil, o)
	return rep.Steps[0].Checks[0]
}

func TestRunCheck(t *testing.T) {
	t.Run("polls until the check passes", func(t *testing.T) {
		r := runOne(t, script(t, "c", "fail", "fail", "pass"), Options{Poll: time.Millisecond, Timeout: time.Minute})
		if r.Verdict != Pass || r.Attempts != 3 || r.Waited || r.Message != "attempt 3: pass" || r.Hint != "" {
			t.Errorf("%+v", r)
		}
		if len(r.Evidence) != 1 || r.Evidence[0] != "attempt 3" {
			t.Errorf("evidence %v", r.Evidence)
		}
	})
	t.Run("errors are retried too", func(t *testing.T) {
		r := runOne(t, script(t, "c", "error", "pass"), Options{Poll: time.Millisecond, Timeout: time.Minute})
		if r.Verdict != Pass || r.Attempts != 2 {
			t.Errorf("%+v", r)
		}
	})
	t.Run("Missing fails at once", func(t *testing.T) {
		r := runOne(t, script(t, "c", "missing", "pass"), Options{Poll: time.Millisecond, Timeout: time.Minute})
		if r.Verdict != Fail || r.Attempts != 1 || r.Waited || r.Message != "attempt 1: missing" || r.Hint != "hint for c" {
			t.Errorf("%+v", r)
		}
	})
	t.Run("deadline: fail, having waited", func(t *testing.T) {
		r := runOne(t, script(t, "c", "fail"), fast)
		if r.Verdict != Fail || !r.Waited || r.Attempts < 1 || !strings.HasSuffix(r.Message, ": fail") || r.Hint != "hint for c" {
			t.Errorf("%+v", r)
		}
		if len(r.Evidence) != 1 || r.Evidence[0] != fmt.Sprintf("attempt %d", r.Attempts) {
			t.Errorf("evidence is not the last attempt's: %v (attempts %d)", r.Evidence, r.Attempts)
		}
	})
	t.Run("the check's own timeout", func(t *testing.T) {
		c := script(t, "c", "fail")
		c.Timeout = labs.Duration(20 * time.Millisecond)
		r := runOne(t, c, Options{Poll: time.Millisecond})
		if r.Verdict != Fail || !r.Waited {
			t.Errorf("%+v", r)
		}
	})
	t.Run("Err until the deadline: error", func(t *testing.T) {
		r := runOne(t, script(t, "c", "error"), fast)
		if r.Verdict != Error || !strings.Contains(r.Message, "the API server did not answer") || r.Hint != "hint for c" {
			t.Errorf("%+v", r)
		}
	})
	t.Run("an attempt cut short by the deadline does not hide the last answer", func(t *testing.T) {
		// the second attempt is inside a network call when the deadline
		// comes: the student must read the first attempt's failure, not
		// "context deadline exceeded"
		r := runOne(t, script(t, "c", "fail", "block"), Options{Poll: time.Millisecond, Timeout: 500 * time.Millisecond})
		if r.Verdict != Fail || !r.Waited || r.Message != "attempt 1: fail" || r.Attempts != 2 {
			t.Errorf("%+v", r)
		}
	})
	t.Run("a first attempt cut short is an error", func(t *testing.T) {
		r := runOne(t, script(t, "c", "block"), fast)
		if r.Verdict != Error || !strings.Contains(r.Message, "deadline exceeded") {
			t.Errorf("%+v", r)
		}
	})
	t.Run("cancel: error", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		cancelsMu.Lock()
		cancels["cancel-run"] = cancel
		cancelsMu.Unlock()
		c := spec(t, "c", "testScript", `{steps: [fail, fail, cancel, fail], key: cancel-run}`)
		rep := Run(ctx, &Env{Lang: i18n.En}, chapter(step(c)), nil, Options{Poll: time.Millisecond, Timeout: time.Minute})
		r := rep.Steps[0].Checks[0]
		if r.Verdict != Error || r.Message != "context canceled" || r.Attempts != 3 || rep.Verdict != Error {
			t.Errorf("%+v", r)
		}
	})
	t.Run("a cancelled run", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		rep := Run(ctx, &Env{Lang: i18n.En}, chapter(step(script(t, "c", "fail"))), nil, Options{Poll: time.Millisecond, Timeout: time.Minute})
		if r := rep.Steps[0].Checks[0]; r.Verdict != Error || r.Message != "context canceled" {
			t.Errorf("%+v", r)
		}
	})
	t.Run("unknown kind and bad params: error, no attempt", func(t *testing.T) {
		r := runOne(t, spec(t, "c", "noSuchKind", `{}`), fast)
		if r.Verdict != Error || r.Attempts != 0 || !strings.Contains(r.Message, `unknown check kind "noSuchKind"`) {
			t.Errorf("%+v", r)
		}
		r = runOne(t, spec(t, "c", "serviceEndpoints", `{service: x, bogus: 1}`), fast)
		if r.Verdict != Error || !strings.Contains(r.Message, "bogus") {
			t.Errorf("%+v", r)
		}
	})
	t.Run("the check's ID defaults to its kind", func(t *testing.T) {
		c := script(t, "", "pass")
		r := runOne(t, c, fast)
		if r.ID != "testScript" || r.Kind != "testScript" || r.Step != "step1" || r.Title != "check " {
			t.Errorf("%+v", r)
		}
	})
	t.Run("Korean", func(t *testing.T) {
		rep := Run(context.Background(), &Env{Lang: i18n.Ko}, chapter(step(script(t, "c", "missing"))), nil, fast)
		r := rep.Steps[0].Checks[0]
		if rep.Title != "러너" || rep.Lang != i18n.Ko || rep.Steps[0].Title != "step1 단계" || r.Title != "검사 c" ||
			r.Message != "시도 1: missing" || r.Hint != "c 힌트" {
			t.Errorf("%+v %+v", rep, r)
		}
	})
}

func TestRun(t *testing.T) {
	t.Run("verdicts combine per step and per report", func(t *testing.T) {
		ch := chapter(
			step(script(t, "a", "pass"), script(t, "b", "pass")),
			step(script(t, "a", "pass"), script(t, "b", "error")),
			step(script(t, "a", "error"), script(t, "b", "missing"), script(t, "c", "pass")),
		)
		rep := Run(context.Background(), &Env{Lang: i18n.En}, ch, nil, fast)
		var got []Verdict
		for _, s := range rep.Steps {
			got = append(got, s.Verdict)
		}
		if fmt.Sprint(got) != "[pass error fail]" || rep.Verdict != Fail {
			t.Errorf("steps %v, report %s", got, rep.Verdict)
		}
		if rep.Summary.Pass != 4 || rep.Summary.Fail != 1 || rep.Summary.Error != 2 {
			t.Errorf("summary %+v", rep.Summary)
		}
		if rep.Schema != ReportSchema || rep.Chapter != "ch99" || rep.Title != "Runner" || rep.Started.Location() != time.UTC {
			t.Errorf("%+v", rep)
		}
		for i, s := range rep.Steps {
			if s.Number != i+1 || s.ID != fmt.Sprintf("step%d", i+1) {
				t.Errorf("step %d: %+v", i, s)
			}
			for j, c := range s.Checks { // in the chapter's order, whatever order they finished in
				if c.ID != ch.Steps[i].Checks[j].ID || c.Step != s.ID {
					t.Errorf("step %d check %d: %+v", i, j, c)
				}
			}
		}
		rep = Run(context.Background(), &Env{Lang: i18n.En}, chapter(step(script(t, "a", "pass")), step(script(t, "b", "error"))), nil, fast)
		if rep.Verdict != Error {
			t.Errorf("pass + error = %s, want error", rep.Verdict)
		}
		rep = Run(context.Background(), &Env{Lang: i18n.En}, chapter(step(script(t, "a", "pass")), step(script(t, "b", "pass"))), nil, fast)
		if rep.Verdict != Pass {
			t.Errorf("pass + pass = %s", rep.Verdict)
		}
	})
	t.Run("selected steps only, numbered as in the chapter", func(t *testing.T) {
		ch := chapter(step(script(t, "a", "fail")), step(script(t, "b", "pass")), step(script(t, "c", "fail")))
		rep := Run(context.Background(), &Env{Lang: i18n.En}, ch, []int{1}, fast)
		if len(rep.Steps) != 1 || rep.Steps[0].Number != 2 || rep.Steps[0].ID != "step2" || rep.Verdict != Pass {
			t.Errorf("%+v", rep)
		}
	})
	t.Run("every check of every step runs at once", func(t *testing.T) {
		// each check waits until all five are inside Check: run one after
		// another, they would all time out
		key := t.Name()
		c := func(id string) labs.CheckSpec {
			return spec(t, id, "testScript", fmt.Sprintf("{steps: [barrier], key: %q, barrier: 5}", key))
		}
		ch := chapter(step(c("a"), c("b")), step(c("c")), step(c("d"), c("e")))
		rep := Run(context.Background(), &Env{Lang: i18n.En}, ch, nil, Options{Poll: time.Millisecond, Timeout: 10 * time.Second})
		if rep.Verdict != Pass || rep.Summary.Pass != 5 {
			t.Errorf("%+v", rep)
		}
	})
	t.Run("Parallel bounds how many run at once", func(t *testing.T) {
		key := t.Name()
		var cs []labs.CheckSpec
		for i := range 6 {
			cs = append(cs, spec(t, fmt.Sprint(i), "testScript", fmt.Sprintf("{steps: [barrier], key: %q, barrier: 2}", key)))
		}
		rep := Run(context.Background(), &Env{Lang: i18n.En}, chapter(step(cs[:3]...), step(cs[3:]...)), nil,
			Options{Poll: time.Millisecond, Timeout: 10 * time.Second, Parallel: 2})
		if rep.Verdict != Pass {
			t.Errorf("%+v", rep)
		}
		if b := barrierFor(key, 2); b.most != 2 {
			t.Errorf("%d checks ran at once, want 2", b.most)
		}
	})
	t.Run("OnStart and OnResult follow every check", func(t *testing.T) {
		var mu sync.Mutex
		var started, results []string
		o := fast
		o.OnStart = func(step, check string) { mu.Lock(); started = append(started, step+"/"+check); mu.Unlock() }
		o.OnResult = func(r CheckResult) {
			mu.Lock()
			results = append(results, r.Step+"/"+r.ID+"="+string(r.Verdict))
			mu.Unlock()
		}
		ch := chapter(step(script(t, "a", "pass"), script(t, "b", "missing")), step(script(t, "c", "error")))
		rep := Run(context.Background(), &Env{Lang: i18n.En}, ch, nil, o)
		sort.Strings(started)
		sort.Strings(results)
		if fmt.Sprint(started) != "[step1/a step1/b step2/c]" {
			t.Errorf("OnStart %v", started)
		}
		if fmt.Sprint(results) != "[step1/a=pass step1/b=fail step2/c=error]" {
			t.Errorf("OnResult %v", results)
		}
		if rep.Summary.Pass+rep.Summary.Fail+rep.Summary.Error != 3 {
			t.Errorf("%+v", rep.Summary)
		}
	})
}
