package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/charmbracelet/x/term"

	"github.com/labctl/labctl/cluster"
	"github.com/labctl/labctl/tui"
)

// lineReporter prints one line when a step starts and one when it ends: what
// CI logs and pipes get.
type lineReporter struct {
	mu     sync.Mutex
	w      io.Writer
	title  string
	detail string
}

func (r *lineReporter) Start(title string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.title, r.detail = title, ""
	fmt.Fprintf(r.w, "• %s ...\n", title)
}

func (r *lineReporter) Progress(detail string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if detail == r.detail {
		return
	}
	r.detail = detail
	fmt.Fprintf(r.w, "    %s\n", detail)
}

func (r *lineReporter) Done(err error, elapsed time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	mark := "✓"
	if err != nil {
		mark = "✗"
	}
	fmt.Fprintf(r.w, "%s %s (%s)\n", mark, r.title, elapsed.Round(100*time.Millisecond))
}

func (r *lineReporter) Note(text string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	fmt.Fprintf(r.w, "  ℹ %s\n", text)
}

// isTerminal reports whether w is an interactive terminal (and NO_COLOR-free
// environments still get the interactive view; NO_COLOR only drops colour).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(f.Fd()) && os.Getenv("TERM") != "dumb"
}

// withProgress runs op with a progress display: Bubble Tea on a terminal,
// plain lines otherwise. Ctrl-C in the interactive view cancels op's context.
func withProgress(ctx context.Context, d deps, op func(ctx context.Context, rep cluster.Reporter) error) error {
	out := d.ErrOut
	if isTerminal(out) {
		return tui.RunProgress(ctx, d.In, out, d.Lang, op)
	}
	return op(ctx, &lineReporter{w: out})
}
