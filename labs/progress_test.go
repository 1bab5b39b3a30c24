package labs_test

import (
	"testing"
	"time"

	"github.com/labctl/labctl/labs"
)

// A step whose solution was applied for the student stays "solved with
// help" after it passes, and until the chapter is reset.
func TestSolvedWithHelp(t *testing.T) {
	s := &labs.Store{Dir: t.TempDir()}
	now := time.Date(2026, 12, 7, 1, 0, 0, 0, time.UTC)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.Record("ch07", "clusterip", 3, 3, now))
	must(s.MarkHelped("ch07", "headless", now))
	p, err := s.Chapter("ch07")
	must(err)
	if p.WithHelp() != 0 {
		t.Errorf("a helped step that has not passed counts as solved with help")
	}
	must(s.Record("ch07", "headless", 1, 1, now))
	p, _ = s.Chapter("ch07")
	if p.Done() != 2 || p.WithHelp() != 1 || !p.Steps["headless"].SolvedWithHelp() || p.Steps["clusterip"].SolvedWithHelp() {
		t.Errorf("done %d, with help %d: %+v", p.Done(), p.WithHelp(), p.Steps)
	}
	must(s.Reset("ch07"))
	p, _ = s.Chapter("ch07")
	if p.WithHelp() != 0 || len(p.Steps) != 0 {
		t.Errorf("reset kept %+v", p.Steps)
	}
}
