package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/labctl/labctl/apply"
	"github.com/labctl/labctl/cluster"
	"github.com/labctl/labctl/i18n"
	"github.com/labctl/labctl/labs"
	"github.com/labctl/labctl/session"
	"github.com/labctl/labctl/verify"
)

// fakeSession stands in for an open lab: it records what the command asked
// and answers as told.
type fakeSession struct {
	report   verify.Report
	gone     error         // what done() says after the work (the lab went away)
	starter  map[int]error // ApplyStarter's error per step
	applyErr error         // ApplySolution's error
	deleted  int           // Reset's count
	resetErr error
	applied  []int // steps whose starter was applied
	solved   []int
	checked  []int
	files    []string // objects applied from the student's files (-f)
	closed   bool
}

func (s *fakeSession) Close() { s.closed = true }
func (s *fakeSession) Guard(ctx context.Context) (context.Context, func() error) {
	return ctx, func() error { return s.gone }
}
func (s *fakeSession) Check(_ context.Context, ch *labs.Chapter, steps []int, _ verify.Options) verify.Report {
	s.checked = steps
	r := s.report
	r.Chapter = ch.ID
	return r
}
func (s *fakeSession) ApplySolution(_ context.Context, _ *labs.Chapter, steps []int, _ bool, applied func(apply.Object)) error {
	s.solved = steps
	applied(object("Service", "http-go-svc"))
	return s.applyErr
}
func (s *fakeSession) ApplyObjects(_ context.Context, _ *labs.Chapter, objs []apply.Object, _ bool, applied func(apply.Object)) error {
	for _, o := range objs {
		s.files = append(s.files, o.Ref())
		applied(o)
	}
	return s.applyErr
}
func (s *fakeSession) ApplyStarter(_ context.Context, _ *labs.Chapter, step int, _ []apply.Object, _ bool, prereq func(session.Prerequisite), applied func(apply.Object)) error {
	s.applied = append(s.applied, step)
	if step > 0 {
		prereq(session.Prerequisite{Object: object("Deployment", "http-go"), Step: 0})
	}
	if err := s.starter[step]; err != nil {
		return err
	}
	applied(object("Service", "http-go-svc"))
	return nil
}
func (s *fakeSession) Reset(context.Context, *labs.Chapter) (int, error) {
	return s.deleted, s.resetErr
}

func object(kind, name string) apply.Object {
	u := &unstructured.Unstructured{}
	u.SetKind(kind)
	u.SetName(name)
	u.SetNamespace("default")
	return apply.Object{Unstructured: u}
}

func embedded() (*labs.Library, error) { return labs.Embedded(verify.Validate) }

// fakeDeps are a command's dependencies with buffers for its streams and s
// as the lab (openErr: the lab cannot be opened).
func fakeDeps(l i18n.Lang, s *fakeSession, openErr error) (deps, *bytes.Buffer, *bytes.Buffer) {
	var out, errOut bytes.Buffer
	return deps{Out: &out, ErrOut: &errOut, Lang: l, Library: embedded,
		OpenSession: func(context.Context) (labSession, error) {
			if openErr != nil {
				return nil, openErr
			}
			return s, nil
		}}, &out, &errOut
}

func marked(sentinel error) error {
	return i18n.Errorf(i18n.M("test.env", "the lab is not there", "실습 클러스터가 없습니다")).Marked(sentinel)
}

func passing(verdict verify.Verdict) verify.Report {
	r := verify.Report{Schema: verify.ReportSchema, Verdict: verdict, Steps: []verify.StepResult{{ID: "clusterip", Number: 1, Title: "A ClusterIP Service", Verdict: verdict,
		Checks: []verify.CheckResult{{Step: "clusterip", ID: "endpoints", Kind: "serviceEndpoints", Title: "three ready pods", Verdict: verdict, Message: "3 ready endpoints"}}}}}
	switch verdict {
	case verify.Pass:
		r.Summary.Pass = 1
	case verify.Fail:
		r.Summary.Fail = 1
	default:
		r.Summary.Error = 1
	}
	return r
}

func TestRunCheck(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		ref     string
		steps   []string
		output  string
		s       *fakeSession
		openErr error
		code    int
		out     string // in stdout
	}{
		{"pass", "ch07", []string{"1"}, "text", &fakeSession{report: passing(verify.Pass)}, nil, exitOK, "three ready pods"},
		{"fail", "7", nil, "text", &fakeSession{report: passing(verify.Fail)}, nil, exitFailure, "3 ready endpoints"},
		{"could not observe", "ch07", nil, "json", &fakeSession{report: passing(verify.Error)}, nil, exitUsage, `"verdict": "error"`},
		{"junit", "ch07", nil, "junit", &fakeSession{report: passing(verify.Pass)}, nil, exitOK, "<testsuite"},
		{"no chapter, json", "ch99", nil, "json", &fakeSession{}, nil, exitUsage, `"message": "invalid usage: no chapter`},
		{"no step", "ch07", []string{"nosuch"}, "text", &fakeSession{}, nil, exitUsage, ""},
		{"no cluster, json", "ch07", nil, "json", nil, marked(cluster.ErrNoCluster), exitUsage, `"message": "the lab is not there"`},
		{"stopped while checking", "ch07", nil, "junit", &fakeSession{report: passing(verify.Pass), gone: marked(cluster.ErrStopped)}, nil, exitStopped, "<error"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, out, _ := fakeDeps(i18n.En, tc.s, tc.openErr)
			err := runCheck(ctx, d, &checkFlags{steps: tc.steps, output: tc.output}, tc.ref)
			if got := exitCode(ctx, err); got != tc.code {
				t.Errorf("exit %d, want %d (%v)", got, tc.code, err)
			}
			if !strings.Contains(out.String(), tc.out) {
				t.Errorf("stdout does not contain %q:\n%s", tc.out, out.String())
			}
			if tc.output == "json" {
				var doc map[string]any
				if err := json.Unmarshal(out.Bytes(), &doc); err != nil || doc["schema"] != verify.ReportSchema {
					t.Errorf("not a labctl/check/v1 document (%v):\n%s", err, out.String())
				}
			}
			if tc.s != nil && tc.s.report.Verdict != "" && !tc.s.closed {
				t.Error("the session was not closed")
			}
		})
	}
	s := &fakeSession{report: passing(verify.Pass)}
	d, _, _ := fakeDeps(i18n.En, s, nil)
	if err := runCheck(ctx, d, &checkFlags{steps: []string{"2,clusterip"}, output: "text"}, "ch07"); err != nil {
		t.Fatal(err)
	}
	if len(s.checked) != 2 || s.checked[0] != 1 || s.checked[1] != 0 {
		t.Errorf("--step 2,clusterip checked %v, want [1 0]", s.checked)
	}
}

func TestRunApply(t *testing.T) {
	ctx := context.Background()
	refused := errors.New("the API server refused it")
	for _, tc := range []struct {
		name     string
		f        applyFlags
		s        *fakeSession
		code     int
		out, err []string // in stdout, in the error / stderr
	}{
		{"one starter", applyFlags{steps: []string{"2"}}, &fakeSession{}, exitOK,
			[]string{"✓ Service default/http-go-svc", "Deployment default/http-go", "labctl check ch07 --step"}, nil},
		{"one starter refused", applyFlags{steps: []string{"2"}}, &fakeSession{starter: map[int]error{1: refused}}, exitFailure,
			nil, []string{"refused"}},
		{"every starter, two refused", applyFlags{}, &fakeSession{starter: map[int]error{0: refused, 2: refused}}, exitFailure,
			[]string{"✓ Service"}, []string{"✗ ch07/"}},
		{"the solution", applyFlags{steps: []string{"1"}, solution: true}, &fakeSession{}, exitOK, []string{"✓ Service default/http-go-svc"}, nil},
		{"the solution refused", applyFlags{solution: true}, &fakeSession{applyErr: refused}, exitFailure, nil, []string{"refused"}},
		{"the lab stopped", applyFlags{steps: []string{"1"}}, &fakeSession{gone: marked(cluster.ErrStopped)}, exitStopped, nil, nil},
		{"the student's own file", applyFlags{files: []string{studentFile(t)}}, &fakeSession{}, exitOK, []string{"✓ KubeletConfig"}, nil},
		{"a file that is not there", applyFlags{files: []string{"/nonexistent/kubelet.yaml"}}, &fakeSession{}, exitFailure, nil, []string{"kubelet.yaml"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, out, errOut := fakeDeps(i18n.En, tc.s, nil)
			tc.f.wait = 1e9
			err := runApply(ctx, d, &tc.f, "ch07")
			if got := exitCode(ctx, err); got != tc.code {
				t.Errorf("exit %d, want %d (%v)", got, tc.code, err)
			}
			for _, w := range tc.out {
				if !strings.Contains(out.String(), w) {
					t.Errorf("stdout does not contain %q:\n%s", w, out.String())
				}
			}
			msg := errOut.String()
			if err != nil {
				msg += i18n.Localize(err, i18n.En)
			}
			for _, w := range tc.err {
				if !strings.Contains(msg, w) {
					t.Errorf("the error does not contain %q:\n%s", w, msg)
				}
			}
			if !tc.s.closed {
				t.Error("the session was not closed")
			}
		})
	}
	s := &fakeSession{}
	d, _, _ := fakeDeps(i18n.En, s, nil)
	if err := runApply(ctx, d, &applyFlags{wait: 1e9}, "ch07"); err != nil {
		t.Fatal(err)
	}
	lib, _ := embedded()
	ch, _ := lib.Chapter("ch07")
	if len(s.applied) != len(ch.Steps) {
		t.Errorf("no --step applied %d starters, want every step's (%d)", len(s.applied), len(ch.Steps))
	}
	d, _, _ = fakeDeps(i18n.En, nil, marked(cluster.ErrUnreachable))
	if err := runApply(ctx, d, &applyFlags{wait: 1e9}, "ch07"); exitCode(ctx, err) != exitUsage {
		t.Errorf("an unreachable lab: %v", err)
	}
}

func TestRunReset(t *testing.T) {
	ctx := context.Background()
	d, out, _ := fakeDeps(i18n.Ko, &fakeSession{deleted: 4}, nil)
	if err := runReset(ctx, d, "ch07", 1e9); err != nil || !strings.Contains(out.String(), "4") || !hasHangul(out.String()) {
		t.Errorf("%v:\n%s", err, out.String())
	}
	d, _, _ = fakeDeps(i18n.En, &fakeSession{resetErr: errors.New("forbidden")}, nil)
	if err := runReset(ctx, d, "ch07", 1e9); exitCode(ctx, err) != exitFailure {
		t.Errorf("a refused delete: %v", err)
	}
	d, _, _ = fakeDeps(i18n.En, &fakeSession{gone: marked(cluster.ErrStopped)}, nil)
	if err := runReset(ctx, d, "ch07", 1e9); exitCode(ctx, err) != exitStopped {
		t.Errorf("a lab stopped during reset: %v", err)
	}
	d, _, _ = fakeDeps(i18n.En, nil, marked(cluster.ErrNoCluster))
	if err := runReset(ctx, d, "ch07", 1e9); exitCode(ctx, err) != exitUsage {
		t.Errorf("no lab: %v", err)
	}
	if err := runReset(ctx, d, "ch99", 1e9); exitCode(ctx, err) != exitUsage {
		t.Errorf("no chapter: %v", err)
	}
}

func TestRunHint(t *testing.T) {
	d, out, _ := fakeDeps(i18n.En, nil, nil)
	if err := runHint(d, "ch07", "1", 1); err != nil || !strings.Contains(out.String(), "hint 1/") || !strings.Contains(out.String(), "-n 2") {
		t.Errorf("%v:\n%s", err, out.String())
	}
	for _, tc := range []struct {
		step string
		n    int
	}{{"", 1}, {"1,2", 1}, {"nosuch", 1}, {"1", 0}, {"1", 99}} {
		if err := runHint(d, "ch07", tc.step, tc.n); exitCode(context.Background(), err) != exitUsage {
			t.Errorf("--step %q -n %d: %v", tc.step, tc.n, err)
		}
	}
}

// chapters shows the progress store's count of passed steps and, apart,
// those solved with help.
func TestRunChapters(t *testing.T) {
	store := &labs.Store{Dir: t.TempDir()}
	lib, _ := embedded()
	ch, _ := lib.Chapter("ch07")
	now := time.Now()
	for _, s := range ch.Steps[:3] {
		if err := store.Record(ch.ID, s.ID, 1, 1, now); err != nil {
			t.Fatal(err)
		}
	}
	if err := store.MarkHelped(ch.ID, ch.Steps[2].ID, now); err != nil {
		t.Fatal(err)
	}
	d, out, _ := fakeDeps(i18n.En, nil, nil)
	if err := runChapters(d, store, "json"); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Schema   string       `json:"schema"`
		Chapters []chapterRow `json:"chapters"`
	}
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil || doc.Schema != "labctl/chapters/v1" {
		t.Fatalf("%v:\n%s", err, out.String())
	}
	found := false
	for _, r := range doc.Chapters {
		if r.ID == "ch07" {
			found = true
			if r.Passed != 3 || r.WithHelp != 1 || len(r.Steps) != len(ch.Steps) {
				t.Errorf("ch07: %+v, want 3 passed, 1 with help", r)
			}
		}
	}
	if !found {
		t.Error("no ch07 row")
	}
	d, out, _ = fakeDeps(i18n.Ko, nil, nil)
	if err := runChapters(d, store, "text"); err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("3/%d %s", len(ch.Steps), msgWithHelp.F(i18n.Ko, 1))
	if !strings.Contains(out.String(), want) {
		t.Errorf("no %q in\n%s", want, out.String())
	}
}

// manifests writes the starters (and with --solution the answers) and
// keeps a file that is already there: it may be the student's work.
func TestRunManifests(t *testing.T) {
	dir := t.TempDir()
	lib, _ := embedded()
	ch, _ := lib.Chapter("ch07")
	mine := filepath.Join(dir, filepath.FromSlash(ch.Steps[0].Manifests[0]))
	if err := os.MkdirAll(filepath.Dir(mine), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(mine, []byte("# mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	d, out, errOut := fakeDeps(i18n.En, nil, nil)
	if err := runManifests(d, "ch07", dir, true); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(mine); string(b) != "# mine\n" {
		t.Errorf("the student's file was overwritten: %q", b)
	}
	if !strings.Contains(errOut.String(), mine) {
		t.Errorf("the kept file is not named:\n%s", errOut.String())
	}
	sol := filepath.Join(dir, filepath.FromSlash(ch.Steps[0].Solution[len(ch.Steps[0].Solution)-1]))
	if _, err := os.Stat(sol); err != nil {
		t.Errorf("--solution did not write %s: %v", sol, err)
	}
	if !strings.Contains(out.String(), "cd "+dir) {
		t.Errorf("no cd line:\n%s", out.String())
	}
	if err := runManifests(d, "ch99", dir, false); exitCode(context.Background(), err) != exitUsage {
		t.Errorf("no chapter: %v", err)
	}
}

// studentFile writes a file a student would apply with -f: labctl's own
// KubeletConfig (ch15), which kubectl does not know.
func studentFile(t *testing.T) string {
	p := filepath.Join(t.TempDir(), "kubelet.yaml")
	y := "apiVersion: labctl.dev/v1\nkind: KubeletConfig\nmetadata:\n  name: max-pods\nspec:\n  nodeSelector:\n    labctl.dev/max-pods-node: ch15\n  maxPods: 30\n"
	if err := os.WriteFile(p, []byte(y), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
