package cli

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/labctl/labctl/cluster"
	"github.com/labctl/labctl/i18n"
)

// A stopped lab exits 3 whichever command met it, also when the command
// wraps environment errors as usage errors (check's exit 2).
func TestExitCodeStopped(t *testing.T) {
	stopped := i18n.Errorf(i18n.M("test.stopped", "stopped", "멈춤")).Marked(cluster.ErrStopped)
	for name, err := range map[string]error{
		"plain":            stopped,
		"wrapped":          fmt.Errorf("open: %w", stopped),
		"as usage (check)": &usageError{err: stopped},
	} {
		if got := exitCode(context.Background(), err); got != exitStopped {
			t.Errorf("%s: exit %d, want %d", name, got, exitStopped)
		}
	}
	if got := exitCode(context.Background(), &usageError{err: errors.New("bad flag")}); got != exitUsage {
		t.Errorf("usage error: exit %d", got)
	}
}

func TestStopCommandNamesTheLab(t *testing.T) {
	if got := stopCommand("lab"); got != "labctl stop" {
		t.Errorf("default lab: %q", got)
	}
	if got := stopCommand("rs"); got != "labctl stop --name rs" {
		t.Errorf("named lab: %q", got)
	}
}
