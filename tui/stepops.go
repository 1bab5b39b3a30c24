package tui

import (
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/labctl/labctl/apply"
	"github.com/labctl/labctl/verify"
)

// activity is what a step screen last did: it decides which part of the
// screen shows live progress.
type activity int

const (
	actNone activity = iota
	actCheck
	actApply // the solution
	actApplyStarter
	actApplyEdited
	actReset
)

type (
	appliedMsg struct{ ref string }
	// prereqMsg: an object the step builds on was applied for the student.
	prereqMsg struct {
		ref  string
		step int
	}
	applyDoneMsg struct {
		n       int
		err     error
		elapsed time.Duration
	}
)

// applyLog is an apply in progress or finished.
type applyLog struct {
	pre  []prereqMsg
	refs []string
	done bool
	n    int
	took time.Duration
	err  error
}

// startCheck runs the step's checks, each one reported as it starts and
// ends.
func (m stepModel) startCheck() (stepModel, tea.Cmd) {
	op, ctx := m.op.start(m.c)
	m.op, m.act, m.note, m.checks, m.warnings = op, actCheck, "", newChecks(m.st), nil
	b, lang, ch, idx := m.c.backend, m.c.lang, m.ch, m.idx
	run := runOp(ownerStep, op.id, func(emit func(tea.Msg)) tea.Msg {
		rep, err := b.Check(ctx, lang, ch, []int{idx}, verify.Options{
			OnStart:  func(_, check string) { emit(checkStartMsg{check}) },
			OnResult: func(r verify.CheckResult) { emit(checkResultMsg{r}) },
		})
		return checkDoneMsg{rep: rep, err: err}
	})
	return m, tea.Batch(run, m.spinStart())
}

// startApplySolution applies the step's solution (the session records
// the step as solved with help).
func (m stepModel) startApplySolution() (stepModel, tea.Cmd) {
	op, ctx := m.op.start(m.c)
	m.op, m.act, m.note, m.apply, m.warnings = op, actApply, "", applyLog{}, nil
	b, ch, idx, lang := m.c.backend, m.ch, m.idx, m.c.lang
	run := runOp(ownerStep, op.id, func(emit func(tea.Msg)) tea.Msg {
		start, n := time.Now(), 0
		err := b.ApplySolution(ctx, lang, ch, []int{idx}, func(o apply.Object) {
			n++
			emit(appliedMsg{o.Ref()})
		})
		return applyDoneMsg{n: n, err: err, elapsed: time.Since(start)}
	})
	return m, tea.Batch(run, m.spinStart())
}

// startApplyStarter applies what the step builds on, then the student's
// edited copy at path or, when path is "", the starter as given.
func (m stepModel) startApplyStarter(path string) (stepModel, tea.Cmd) {
	op, ctx := m.op.start(m.c)
	act := actApplyStarter
	if path != "" {
		act = actApplyEdited
	}
	m.op, m.act, m.note, m.apply, m.warnings = op, act, "", applyLog{}, nil
	b, ch, idx, lang := m.c.backend, m.ch, m.idx, m.c.lang
	run := runOp(ownerStep, op.id, func(emit func(tea.Msg)) tea.Msg {
		start, n := time.Now(), 0
		var mine []apply.Object
		if path != "" {
			objs, err := readEdited(path)
			if err != nil {
				return applyDoneMsg{err: err}
			}
			mine = objs
		}
		err := b.ApplyStarter(ctx, lang, ch, idx, mine, func(o apply.Object, step int) {
			emit(prereqMsg{ref: o.Ref(), step: step})
		}, func(o apply.Object) {
			n++
			emit(appliedMsg{o.Ref()})
		})
		return applyDoneMsg{n: n, err: err, elapsed: time.Since(start)}
	})
	return m, tea.Batch(run, m.spinStart())
}

// spinStart starts the spinner's ticks (not in tests: they never stop).
func (m stepModel) spinStart() tea.Cmd {
	if m.c.noTimers {
		return nil
	}
	return m.spin.Tick
}

// finish handles an operation's last message.
func (m stepModel) finish(msg tea.Msg) (stepModel, tea.Cmd) {
	wasCancelled := m.op.cancelling
	m.op = m.op.finish()
	switch msg := msg.(type) {
	case checkDoneMsg:
		m.checks = m.checks.update(msg, m.c.now())
		if wasCancelled {
			m.note = m.c.styles.Warn.Render(m.c.t(msgCancelled))
		}
		return m.refresh(), send(refreshProgressMsg{})
	case applyDoneMsg:
		m.apply.done, m.apply.n, m.apply.took, m.apply.err = true, msg.n, msg.elapsed, msg.err
		if msg.err != nil && cancelled(msg.err) {
			m.apply.err, m.note = nil, m.c.styles.Warn.Render(m.c.t(msgCancelled))
		}
		return m.refresh(), nil
	case resetDoneMsg:
		note, err := resetNote(m.c, m.ch, msg)
		m.note, m.checks, m.apply = note, checksModel{}, applyLog{}
		m.act = actReset
		if err != nil {
			return m.refresh(), tea.Batch(send(errorMsg{err}), send(refreshProgressMsg{}))
		}
		return m.refresh(), send(refreshProgressMsg{})
	}
	return m.refresh(), nil
}
