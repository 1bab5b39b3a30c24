package tui

import (
	"context"
	"errors"
	"io"
	"os"
	"time"

	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/term"

	"github.com/labctl/labctl/i18n"
	"github.com/labctl/labctl/labs"
)

// Options are the TUI's dependencies: the real ones in labctl, fakes in
// tests.
type Options struct {
	Lang i18n.Lang
	// Library loads the chapters; it runs in a command so the first frame
	// does not wait for the content to be validated.
	Library  func() (*labs.Library, error)
	Backend  Backend
	Progress Progress
	// Live is optional: the steps with a live proxy view.
	Live LiveView
	// Trace is optional: the trace view (t) of steps with a Service or Ingress.
	Trace TraceView
	// Cluster names the lab cluster in the status bar.
	Cluster string
	// SaveLang remembers the language the student toggled to.
	SaveLang func(i18n.Lang) error
	// Editor edits a manifest (default: Editor()); TempDir holds the copies.
	Editor  []string
	TempDir string
	In      io.Reader
	Out     io.Writer
	// Log receives what libraries would otherwise print over the screen
	// (klog); nil discards it.
	Log io.Writer
}

// New builds the root model.
func New(ctx context.Context, o Options) Model {
	if o.Lang == "" {
		o.Lang = i18n.En
	}
	if len(o.Editor) == 0 {
		o.Editor = Editor()
	}
	if o.TempDir == "" {
		o.TempDir = os.TempDir()
	}
	c := &common{
		ctx: ctx, lang: o.Lang, styles: NewStyles(), keys: NewKeyMap(o.Lang),
		backend: o.Backend, store: o.Progress, live: o.Live, tracer: o.Trace, name: o.Cluster,
		width: 80, height: 24, mdStyle: "dark",
		progress: map[string]labs.ChapterProgress{},
		now:      time.Now, exec: tea.ExecProcess, editor: o.Editor, tempDir: o.TempDir, edits: map[string]string{},
	}
	short := help.New()
	short.Styles = help.Styles{ShortKey: c.styles.Key, ShortDesc: c.styles.Muted, ShortSeparator: c.styles.Muted,
		Ellipsis: c.styles.Muted, FullKey: c.styles.Key, FullDesc: c.styles.Muted, FullSeparator: c.styles.Muted}
	return Model{c: c, loadLib: o.Library, saveLang: o.SaveLang, home: newHome(c), short: short}
}

// Run shows the TUI until the student quits. The terminal is restored
// however it ends: quit, a cancelled context, or a panic (Bubble Tea
// catches it and restores the terminal before returning it as an error).
func Run(ctx context.Context, o Options) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // stops whatever an operation still runs
	in, out, closeTTY, err := terminal(o.In, o.Out)
	if err != nil {
		return err
	}
	defer closeTTY()
	opts := []tea.ProgramOption{tea.WithContext(ctx)}
	if in != nil {
		opts = append(opts, tea.WithInput(in))
	}
	if out != nil {
		opts = append(opts, tea.WithOutput(out))
	}
	p := tea.NewProgram(New(ctx, o), opts...)
	defer quietLibraries(p, o.Log)()
	_, err = p.Run()
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// terminal finds where to draw and read keys: the given streams when they
// are a terminal, else the process's terminal (as with `labctl | less`),
// else an error that says the TUI needs one.
func terminal(in io.Reader, out io.Writer) (io.Reader, io.Writer, func(), error) {
	inTTY, outTTY := isTerminal(in), isTerminal(out)
	if inTTY && outTTY {
		return in, out, func() {}, nil
	}
	ttyIn, ttyOut, err := tea.OpenTTY()
	if err != nil {
		return nil, nil, nil, i18n.Errorf(msgNeedTerminal).Wrap(err).WithFix(fixNeedTerminal)
	}
	closeTTY := func() {
		ttyIn.Close()
		ttyOut.Close()
	}
	if !inTTY {
		in = ttyIn
	}
	if !outTTY {
		out = ttyOut
	}
	return in, out, closeTTY, nil
}

func isTerminal(v any) bool {
	f, ok := v.(*os.File)
	return ok && term.IsTerminal(f.Fd())
}
