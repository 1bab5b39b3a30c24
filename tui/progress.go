package tui

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/labctl/labctl/i18n"
	"github.com/labctl/labctl/internal/view"
)

// stepState is where a reported step is.
type stepState int

const (
	stepRunning stepState = iota
	stepOK
	stepFailed
)

type stepLine struct {
	title   string
	detail  string
	state   stepState
	elapsed time.Duration
	started time.Time
}

// Messages the reporter sends into the program.
type (
	stepStartMsg    struct{ title string }
	stepProgressMsg struct{ detail string }
	stepDoneMsg     struct {
		err     error
		elapsed time.Duration
	}
	noteMsg     struct{ text string }
	opFinishMsg struct{ err error }
)

// ProgressModel shows an operation's steps: a spinner on the running one,
// ✓/✗ and the time each took. It is also the "creating the cluster" screen
// inside the TUI.
type ProgressModel struct {
	lang       i18n.Lang
	styles     Styles
	spin       spinner.Model
	lines      []stepLine
	notes      []string
	cancel     context.CancelFunc
	cancelling bool
	done       bool
	err        error
	width      int
}

// NewProgressModel makes the view; cancel is called on the first Ctrl-C.
func NewProgressModel(lang i18n.Lang, styles Styles, cancel context.CancelFunc) ProgressModel {
	return ProgressModel{lang: lang, styles: styles, cancel: cancel,
		spin: spinner.New(spinner.WithSpinner(spinner.Dot), spinner.WithStyle(styles.Accent))}
}

// Init starts the spinner.
func (m ProgressModel) Init() tea.Cmd { return m.spin.Tick }

// Update follows the operation.
func (m ProgressModel) Update(msg tea.Msg) (ProgressModel, tea.Cmd) {
	switch msg := msg.(type) {
	case stepStartMsg:
		m.lines = append(m.lines, stepLine{title: msg.title, started: time.Now()})
	case stepProgressMsg:
		if n := len(m.lines); n > 0 {
			m.lines[n-1].detail = msg.detail
		}
	case stepDoneMsg:
		if n := len(m.lines); n > 0 {
			m.lines[n-1].state, m.lines[n-1].elapsed, m.lines[n-1].detail = stepOK, msg.elapsed, ""
			if msg.err != nil {
				m.lines[n-1].state = stepFailed
			}
		}
	case noteMsg:
		m.notes = append(m.notes, msg.text)
	case opFinishMsg:
		m.done, m.err = true, msg.err
	case tea.WindowSizeMsg:
		m.width = msg.Width
	case spinner.TickMsg:
		var cmd tea.Cmd
		m.spin, cmd = m.spin.Update(msg)
		return m, cmd
	}
	return m, nil
}

// Cancel asks the operation to stop (first Ctrl-C).
func (m ProgressModel) Cancel() ProgressModel {
	if !m.cancelling && m.cancel != nil {
		m.cancel()
	}
	m.cancelling = true
	return m
}

// Done reports whether the operation finished, and how.
func (m ProgressModel) Done() (bool, error) { return m.done, m.err }

// Current is the title of the step running now ("" between steps), for the
// TUI's status bar while the cluster is being created.
func (m ProgressModel) Current() string {
	if n := len(m.lines); n > 0 && m.lines[n-1].state == stepRunning {
		return m.lines[n-1].title
	}
	return ""
}

// View renders the steps.
func (m ProgressModel) View() string {
	var b strings.Builder
	for _, n := range m.notes {
		fmt.Fprintf(&b, "%s %s\n", m.styles.Muted.Render("ℹ"), n)
	}
	for _, l := range m.lines {
		switch l.state {
		case stepRunning:
			fmt.Fprintf(&b, "%s %s %s\n", m.spin.View(), l.title, m.styles.Muted.Render(fmtDur(time.Since(l.started))))
			if l.detail != "" {
				fmt.Fprintf(&b, "    %s\n", m.styles.Muted.Render(truncate(l.detail, m.width-4)))
			}
		case stepOK:
			fmt.Fprintf(&b, "%s %s %s\n", m.styles.Pass.Render("✓"), l.title, m.styles.Muted.Render(fmtDur(l.elapsed)))
		case stepFailed:
			fmt.Fprintf(&b, "%s %s %s\n", m.styles.Fail.Render("✗"), l.title, m.styles.Muted.Render(fmtDur(l.elapsed)))
		}
	}
	if m.cancelling && !m.done {
		fmt.Fprintf(&b, "%s\n", m.styles.Warn.Render(msgCancelling.F(m.lang)))
	}
	return b.String()
}

func fmtDur(d time.Duration) string {
	if d < time.Second {
		return fmt.Sprintf("%dms", d.Milliseconds())
	}
	return d.Round(100 * time.Millisecond).String()
}

// truncate cuts s to w cells; Korean letters take two cells, so runes are
// not the unit.
func truncate(s string, w int) string {
	if w <= 0 {
		return s
	}
	return ansi.Truncate(s, w, "…")
}

// progressProgram is the stand-alone program `labctl up` runs on a terminal.
type progressProgram struct {
	ProgressModel
	forceQuit bool
}

func (p progressProgram) Init() tea.Cmd { return p.ProgressModel.Init() }

func (p progressProgram) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok && k.String() == "ctrl+c" {
		if p.cancelling {
			p.forceQuit = true
			return p, tea.Quit
		}
		p.ProgressModel = p.ProgressModel.Cancel()
		return p, nil
	}
	var cmd tea.Cmd
	p.ProgressModel, cmd = p.ProgressModel.Update(msg)
	if done, _ := p.ProgressModel.Done(); done {
		return p, tea.Quit
	}
	return p, cmd
}

func (p progressProgram) View() tea.View { return tea.NewView(p.ProgressModel.View()) }

// teaReporter forwards cluster progress into a running program.
type teaReporter struct {
	mu sync.Mutex
	p  *tea.Program
}

func (r *teaReporter) send(m tea.Msg) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.p.Send(m)
}

func (r *teaReporter) Start(title string)                    { r.send(stepStartMsg{title}) }
func (r *teaReporter) Progress(detail string)                { r.send(stepProgressMsg{detail}) }
func (r *teaReporter) Done(err error, elapsed time.Duration) { r.send(stepDoneMsg{err, elapsed}) }
func (r *teaReporter) Note(text string)                      { r.send(noteMsg{text}) }

// RunProgress runs op while showing its steps in an inline Bubble Tea view.
// The first Ctrl-C cancels op's context (op cleans up and returns); a second
// one quits at once.
func RunProgress(ctx context.Context, in io.Reader, out io.Writer, lang i18n.Lang, op func(context.Context, view.Reporter) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	model := progressProgram{ProgressModel: NewProgressModel(lang, NewStyles(), cancel)}
	p := tea.NewProgram(model, tea.WithInput(in), tea.WithOutput(out), tea.WithoutSignalHandler())
	rep := &teaReporter{p: p}
	result := make(chan error, 1)
	go func() {
		err := op(ctx, rep)
		result <- err
		p.Send(opFinishMsg{err})
	}()
	final, runErr := p.Run()
	if fp, ok := final.(progressProgram); ok && fp.forceQuit {
		return view.ErrInterrupted
	}
	if runErr != nil {
		cancel()
	}
	return <-result
}
