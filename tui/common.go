package tui

import (
	"context"
	"os/exec"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/labctl/labctl/i18n"
	"github.com/labctl/labctl/labs"
)

// common is what every screen shares: set up once, changed only by the
// root (size, language, the latest readings of the cluster and progress).
// Screens read it; commands copy what they need before they run.
type common struct {
	ctx     context.Context
	lang    i18n.Lang
	styles  Styles
	keys    KeyMap
	lib     *labs.Library
	backend Backend
	store   Progress
	live    LiveView
	tracer  TraceView
	name    string // the cluster's name, for the status bar

	width, height int
	// mdStyle is glamour's style: dark, light, or notty without colour.
	mdStyle string

	libErr   error // the chapters could not be loaded
	cluster  ClusterInfo
	progress map[string]labs.ChapterProgress

	// opSeq numbers operations, so a late message from an operation that
	// was cancelled or replaced is recognised and dropped.
	opSeq int

	// Seams for tests: timers off, the editor and the temp directory
	// replaceable, so update functions are driven synchronously.
	noTimers bool
	now      func() time.Time
	exec     func(*exec.Cmd, tea.ExecCallback) tea.Cmd
	editor   []string
	tempDir  string

	// edits are the student's edited copies, by chapter/step: kept while
	// the TUI runs, so leaving a step and coming back continues the work.
	edits map[string]string
}

func (c *common) t(m i18n.Message, args ...any) string { return m.F(c.lang, args...) }

// every schedules msg after d; periodic work (polls, spinners) is off in
// tests.
func (c *common) every(d time.Duration, msg tea.Msg) tea.Cmd {
	if c.noTimers {
		return nil
	}
	return tea.Tick(d, func(time.Time) tea.Msg { return msg })
}

// after delivers msg after d, or at once in tests (debounces that must
// still happen).
func (c *common) after(d time.Duration, msg tea.Msg) tea.Cmd {
	if c.noTimers {
		return func() tea.Msg { return msg }
	}
	return tea.Tick(d, func(time.Time) tea.Msg { return msg })
}

func (c *common) nextOp() int {
	c.opSeq++
	return c.opSeq
}

// stepState is a step's recorded state.
func (c *common) stepState(ch *labs.Chapter, step string) labs.StepProgress {
	return c.progress[ch.ID].Steps[step]
}

// done counts a chapter's passed steps that still exist in it.
func (c *common) done(ch *labs.Chapter) int {
	n := 0
	for _, s := range ch.Steps {
		if c.stepState(ch, s.ID).State == labs.Passed {
			n++
		}
	}
	return n
}

// fit cuts s to exactly h lines of at most w cells, so a screen never
// scrolls the terminal or wraps, whatever the window's size.
func fit(s string, w, h int) string {
	if h <= 0 {
		return ""
	}
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for i, l := range lines {
		if w > 0 && ansi.StringWidth(l) > w {
			lines[i] = ansi.Truncate(l, w, "…")
		}
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

// clip shortens one line of plain text to w cells.
func clip(s string, w int) string {
	if w <= 0 {
		return ""
	}
	return ansi.Truncate(s, w, "…")
}

// wrap breaks plain text into lines of at most w cells, at spaces only:
// "kubectl get pods --show-labels" must not break at its hyphens. A word
// longer than a line is cut where it must be.
func wrap(s string, w int) string {
	if w <= 4 {
		return s
	}
	var out []string
	for _, para := range strings.Split(s, "\n") {
		line, lw := "", 0
		for _, word := range strings.Fields(para) {
			ww := displayWidth(word)
			switch {
			case lw == 0:
				line, lw = word, ww
			case lw+1+ww <= w:
				line, lw = line+" "+word, lw+1+ww
			default:
				out = append(out, line)
				line, lw = word, ww
			}
			for lw > w {
				out = append(out, ansi.Truncate(line, w, ""))
				line = ansi.TruncateLeft(line, w, "")
				lw = displayWidth(line)
			}
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

// indent prefixes every line of s.
func indent(s, prefix string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = prefix + l
		}
	}
	return strings.Join(lines, "\n")
}

// navigation messages: screens ask the root to move; they do not know each
// other.
type (
	openChapterMsg struct{ ch *labs.Chapter }
	openStepMsg    struct {
		ch  *labs.Chapter
		idx int
	}
	backMsg  struct{}
	errorMsg struct{ err error }
)

func send(msg tea.Msg) tea.Cmd { return func() tea.Msg { return msg } }

// displayWidth is how many cells s takes (Korean letters take two).
func displayWidth(s string) int { return ansi.StringWidth(s) }
