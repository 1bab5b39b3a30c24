package labs

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/labctl/labctl/internal/paths"
)

// StepState is a step's recorded outcome.
type StepState string

// Step states. A step never checked has no record.
const (
	Passed StepState = "passed"
	Failed StepState = "failed"
)

// StepProgress is what was last seen of a step.
type StepProgress struct {
	State  StepState `json:"state"`
	At     time.Time `json:"at"`
	Passed int       `json:"passed"`
	Total  int       `json:"total"`
	// Ever is true once the step has passed at least once.
	Ever bool `json:"everPassed"`
	// Helped is true once the student applied the step's solution (labctl
	// apply --solution, or the TUI's solution): a pass after that is
	// "solved with help".
	Helped bool `json:"solvedWithHelp,omitempty"`
}

// SolvedWithHelp is true when the step passes and its solution was applied
// for the student.
func (p StepProgress) SolvedWithHelp() bool { return p.State == Passed && p.Helped }

// ChapterProgress is one chapter's steps, by step ID.
type ChapterProgress struct {
	Schema string                  `json:"schema"`
	Steps  map[string]StepProgress `json:"steps"`
}

// Done counts steps whose last check passed.
func (p ChapterProgress) Done() int {
	n := 0
	for _, s := range p.Steps {
		if s.State == Passed {
			n++
		}
	}
	return n
}

// WithHelp counts steps that pass after their solution was applied.
func (p ChapterProgress) WithHelp() int {
	n := 0
	for _, s := range p.Steps {
		if s.SolvedWithHelp() {
			n++
		}
	}
	return n
}

// Store keeps progress per cluster and chapter under the user's state
// directory, one small JSON file per chapter written atomically, so the TUI
// sees what `labctl check` in another terminal recorded.
type Store struct {
	Dir string
}

// DefaultStore is the store for a cluster name.
func DefaultStore(cluster string) *Store {
	return &Store{Dir: filepath.Join(paths.StateDir(), "progress", cluster)}
}

func (s *Store) file(chapter string) string { return filepath.Join(s.Dir, chapter+".json") }

// Chapter reads a chapter's progress (empty when never checked).
func (s *Store) Chapter(chapter string) (ChapterProgress, error) {
	p := ChapterProgress{Schema: "labctl/progress/v1", Steps: map[string]StepProgress{}}
	b, err := os.ReadFile(s.file(chapter))
	if errors.Is(err, fs.ErrNotExist) {
		return p, nil
	}
	if err != nil {
		return p, err
	}
	if err := json.Unmarshal(b, &p); err != nil {
		// a damaged file is not worth failing a check over: start again
		return ChapterProgress{Schema: "labctl/progress/v1", Steps: map[string]StepProgress{}}, nil
	}
	if p.Steps == nil {
		p.Steps = map[string]StepProgress{}
	}
	return p, nil
}

// Record stores the outcome of checking one step.
func (s *Store) Record(chapter, step string, passed, total int, at time.Time) error {
	p, err := s.Chapter(chapter)
	if err != nil {
		return err
	}
	sp := p.Steps[step]
	sp.Passed, sp.Total, sp.At = passed, total, at.UTC()
	sp.State = Failed
	if passed == total && total > 0 {
		sp.State, sp.Ever = Passed, true
	}
	p.Steps[step] = sp
	return s.write(chapter, p)
}

// MarkHelped records that a step's solution was applied for the student.
// It stays until the chapter is reset: checking again after the solution
// does not make the step one's own work.
func (s *Store) MarkHelped(chapter, step string, at time.Time) error {
	p, err := s.Chapter(chapter)
	if err != nil {
		return err
	}
	sp := p.Steps[step]
	sp.Helped = true
	if sp.At.IsZero() {
		sp.At = at.UTC()
	}
	p.Steps[step] = sp
	return s.write(chapter, p)
}

func (s *Store) write(chapter string, p ChapterProgress) error {
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return err
	}
	return paths.WriteFileAtomic(s.file(chapter), b, 0o644)
}

// Reset forgets a chapter's progress.
func (s *Store) Reset(chapter string) error {
	err := os.Remove(s.file(chapter))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// ModTime is when any chapter's progress last changed (the TUI polls it).
func (s *Store) ModTime() time.Time {
	var latest time.Time
	entries, _ := os.ReadDir(s.Dir)
	for _, e := range entries {
		if info, err := e.Info(); err == nil && info.ModTime().After(latest) {
			latest = info.ModTime()
		}
	}
	return latest
}
