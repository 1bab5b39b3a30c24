package tui

import (
	"context"
	"errors"
	"time"

	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"

	"github.com/labctl/labctl/i18n"
	"github.com/labctl/labctl/internal/view"
)

// upModel is creating or repairing the cluster from inside the TUI: the same
// ProgressModel `labctl up` shows on a terminal, fed by a reporter that
// writes into the operation's channel instead of a running program.
type upModel struct {
	op       opState
	progress ProgressModel
	shown    bool
	err      error
}

type upDoneMsg struct{ err error }

// chanReporter is a view.Reporter that emits the progress view's own
// messages.
type chanReporter struct{ emit func(tea.Msg) }

func (r chanReporter) Start(title string)                    { r.emit(stepStartMsg{title}) }
func (r chanReporter) Progress(detail string)                { r.emit(stepProgressMsg{detail}) }
func (r chanReporter) Done(err error, elapsed time.Duration) { r.emit(stepDoneMsg{err, elapsed}) }
func (r chanReporter) Note(text string)                      { r.emit(noteMsg{text}) }

var _ view.Reporter = chanReporter{}

// start runs the backend's Up.
func (m upModel) start(c *common) (upModel, tea.Cmd) {
	op, ctx := m.op.start(c)
	m = upModel{op: op, shown: true, progress: NewProgressModel(c.lang, c.styles, op.cancel)}
	m.progress.width = c.width
	lang, b := c.lang, c.backend
	cmds := []tea.Cmd{runOp(ownerHome, op.id, func(emit func(tea.Msg)) tea.Msg {
		return upDoneMsg{b.Up(ctx, lang, chanReporter{emit})}
	})}
	if !c.noTimers {
		cmds = append(cmds, m.progress.Init())
	}
	return m, tea.Batch(cmds...)
}

// update follows the operation; it returns an error for the root to show
// when the cluster could not be made ready.
func (m upModel) update(c *common, msg tea.Msg) (upModel, tea.Cmd) {
	switch msg := msg.(type) {
	case opEvent:
		if !m.op.is(msg) {
			return m, msg.wait()
		}
		if done, ok := msg.msg.(upDoneMsg); ok {
			m.op = m.op.finish()
			m.err = done.err
			m.progress, _ = m.progress.Update(opFinishMsg(done))
			cmds := []tea.Cmd{readStatus(c.ctx, c.backend, c.lang, false)}
			if done.err != nil && !cancelled(done.err) {
				cmds = append(cmds, send(errorMsg{upFailure(done.err)}))
			}
			return m, tea.Batch(cmds...)
		}
		var cmd tea.Cmd
		m.progress, cmd = m.progress.Update(msg.msg)
		return m, tea.Batch(cmd, msg.wait())
	case spinner.TickMsg:
		if !m.op.running {
			return m, nil
		}
		var cmd tea.Cmd
		m.progress, cmd = m.progress.Update(msg)
		return m, cmd
	case tea.WindowSizeMsg:
		m.progress, _ = m.progress.Update(msg)
	}
	return m, nil
}

// upFailure is the error screen's text for a failed up: the cluster
// package's own fix when it has one (start Docker, free port 80), else
// where to look next.
func upFailure(err error) error {
	if i18n.FixOf(err, i18n.En) != "" {
		return err
	}
	return i18n.Errorf(msgUpFailed).Wrap(err).WithFix(fixUpFailed)
}

// cancel stops the operation (it cleans up a half-made cluster first).
func (m upModel) cancel() upModel {
	m.op = m.op.stop()
	m.progress = m.progress.Cancel()
	return m
}

// cancelled reports whether err is the student's own Ctrl-C.
func cancelled(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, view.ErrInterrupted)
}
