//go:build e2e

package e2e

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// exercises proves the exercise rule (rustlings' `dev check`) for every step
// of a chapter on the real cluster, in step order as a student meets them:
// the step's starter applied as given → at least one of its checks fails;
// its solution applied → every check passes. It touches only what the
// chapter's own manifests name (through labctl apply and check of ch), so
// chapters can run it side by side on one cluster.
//
// A starter the API server rejects is allowed (the notes' removed Ingress
// API, an unnamed port in a multi-port Service: rejecting it is the
// lesson), as long as the checks then fail.
func exercises(t *testing.T, ch string) {
	t.Helper()
	start := time.Now()
	for _, step := range stepIDs(t, ch) {
		t.Run(step, func(t *testing.T) {
			t.Helper()
			stepStart := time.Now()
			r := h.labctl(t, "apply", ch, "--step", step)
			if r.code != 0 {
				t.Logf("%s/%s: the starter was rejected (allowed when that is the task):\n%s", ch, step, r.stderr)
			}
			rep, cr := h.check(t, ch, "--step", step, "--timeout", "30s")
			if cr.code != 1 {
				t.Errorf("%s/%s: check after the starter: exit %d, want 1", ch, step, cr.code)
			}
			var failed []string
			for _, s := range rep.Steps {
				for _, c := range s.Checks {
					if c.Verdict == "fail" {
						failed = append(failed, c.ID+": "+c.Message)
					}
				}
			}
			if len(failed) == 0 {
				t.Errorf("%s/%s: the starter passes every check: the step is not an exercise\n%s", ch, step, cr.stdout)
			} else {
				t.Logf("%s/%s starter fails as it should: %s", ch, step, strings.Join(failed, " | "))
			}

			// --force: some fixes cannot be made in place (a Service made
			// headless), and the student is told to re-create.
			if r := h.labctl(t, "apply", ch, "--step", step, "--solution", "--force"); r.code != 0 {
				t.Fatalf("%s/%s: apply --solution:\n%s", ch, step, r)
			}
			rep, cr = h.check(t, ch, "--step", step)
			for _, s := range rep.Steps {
				for _, c := range s.Checks {
					if c.Verdict != "pass" {
						t.Errorf("%s/%s/%s after the solution: %s: %s %v", ch, step, c.ID, c.Verdict, c.Message, c.Evidence)
					}
				}
			}
			if cr.code != 0 {
				t.Errorf("%s/%s: check after the solution: exit %d", ch, step, cr.code)
			}
			t.Logf("%s/%s: starter fails, solution passes (%s)", ch, step, time.Since(stepStart).Round(time.Second))
		})
	}
	// the solution was applied for every step: progress says so
	if p := chapterRow(t, ch); p.Passed != len(p.Steps) || p.WithHelp != len(p.Steps) {
		t.Errorf("%s progress after every solution: %d passed, %d solved with help, of %d", ch, p.Passed, p.WithHelp, len(p.Steps))
	}
	t.Logf("%s: every step's starter fails and its solution passes (%s)", ch, time.Since(start).Round(time.Second))
}

type chapterProgress struct {
	ID       string
	Steps    []string
	Passed   int
	WithHelp int `json:"solvedWithHelp"`
}

// chapterRow is a chapter's line of `labctl chapters -o json`.
func chapterRow(t *testing.T, ch string) chapterProgress {
	t.Helper()
	r := h.labctl(t, "chapters", "-o", "json")
	var out struct{ Chapters []chapterProgress }
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("chapters -o json: %v\n%s", err, r)
	}
	for _, c := range out.Chapters {
		if c.ID == ch {
			return c
		}
	}
	t.Fatalf("no chapter %s in labctl chapters", ch)
	return chapterProgress{}
}

// stepIDs lists a chapter's steps, from labctl itself.
func stepIDs(t *testing.T, ch string) []string {
	t.Helper()
	steps := chapterRow(t, ch).Steps
	if len(steps) == 0 {
		t.Fatalf("%s has no steps", ch)
	}
	return steps
}
