package tui

import (
	"fmt"
	"strings"

	"github.com/labctl/labctl/labs"
)

// refresh rebuilds the pane's content: called after every change, because
// the viewport needs the content to scroll within it.
func (m stepModel) refresh() stepModel {
	content, act, hints, sol, tr := m.content()
	m.actLine, m.hintLine, m.solLine, m.traceLine = act, hints, sol, tr
	m.vp.SetContent(content)
	return m
}

// content is the step's pane from top to bottom: text, what is happening
// now, hints, the live view, the manifest, and the solution once earned or
// asked for.
func (m stepModel) content() (string, int, int, int, int) {
	c, st, w := m.c, m.c.styles, m.c.width
	var b strings.Builder
	lines := func() int { return strings.Count(b.String(), "\n") }
	section := func(title string) {
		b.WriteString("\n " + st.Section.Render(title) + "\n")
	}
	switch {
	case m.docErr != nil:
		b.WriteString(errorText(c, m.docErr, w))
	case m.shown == (mdKey{}):
		b.WriteString("  " + st.Muted.Render(c.t(msgRendering)) + "\n")
	default:
		b.WriteString(m.doc.text + "\n")
	}
	actLine := lines()
	b.WriteString(m.activity(w))
	hintLine := lines()
	if all := m.hintTexts(); m.hints > 0 {
		section(c.t(msgSecHints, m.hints, len(all)))
		for i := 0; i < m.hints && i < len(all); i++ {
			b.WriteString(indent(wrap(fmt.Sprintf("%d. %s", i+1, all[i]), w-4), "  ") + "\n")
		}
	}
	if m.live.on {
		section(c.t(msgSecLive))
		b.WriteString(m.live.view(c, w-2) + "\n")
	}
	traceLine := lines()
	if m.trace.on {
		section(c.t(msgSecTrace))
		b.WriteString(m.trace.view(c, w-2) + "\n")
	}
	if m.shown != (mdKey{}) && len(m.st.Manifests) > 0 {
		section(c.t(msgSecManifest))
		b.WriteString(m.doc.manifests + "\n")
	}
	solLine := lines()
	if m.shown != (mdKey{}) && (m.reveal || m.passed()) {
		section(c.t(msgSecSolution))
		if m.doc.solutionIsGiven {
			b.WriteString("  " + c.t(msgSolutionIsGiven) + "\n")
		} else {
			b.WriteString(m.doc.solution + "\n")
		}
	}
	return b.String(), actLine, hintLine, solLine, traceLine
}

// activity is the part of the pane that shows the last thing done.
func (m stepModel) activity(w int) string {
	c, st := m.c, m.c.styles
	var b strings.Builder
	switch m.act {
	case actNone:
		b.WriteString("\n" + indent(st.Muted.Render(wrap(c.t(msgStepIntro, m.ch.ID, m.ch.ID), w-4)), "  ") + "\n")
	case actCheck:
		b.WriteString("\n " + st.Section.Render(c.t(msgSecChecks)) + "\n")
		b.WriteString(indent(m.checks.view(c, m.spin.View(), w-2, c.now()), " "))
		if m.checks.allPassed() {
			done := msgStepPassed
			if m.idx == len(m.ch.Steps)-1 {
				done = msgStepLastPassed
			}
			b.WriteString("\n " + st.Pass.Render("★ "+c.t(done)) + "\n")
		}
	case actApply, actApplyStarter, actApplyEdited:
		title := msgSecApply
		switch m.act {
		case actApplyEdited:
			title = msgSecApplyEdited
		case actApplyStarter:
			title = msgSecApplyStarter
		}
		b.WriteString("\n " + st.Section.Render(c.t(title)) + "\n")
		b.WriteString(m.applyView(w - 2))
	case actReset:
		if m.op.running {
			b.WriteString("\n " + m.spin.View() + " " + c.t(msgResetting, m.ch.ID) + "\n")
		}
	}
	for _, warn := range m.warnings {
		b.WriteString(hang("  ", st.Warn.Render("⚠ "), warn, w) + "\n")
	}
	return b.String()
}

func (m stepModel) applyView(w int) string {
	c, st := m.c, m.c.styles
	var b strings.Builder
	for _, p := range m.apply.pre {
		b.WriteString("  " + st.Muted.Render("↳ "+clip(c.t(msgPrereqApplied, p.ref, p.step+1), w-4)) + "\n")
	}
	for _, r := range m.apply.refs {
		b.WriteString("  " + st.Pass.Render("✓") + " " + clip(r, w-4) + "\n")
	}
	switch {
	case m.op.running && len(m.apply.refs) > 0:
		b.WriteString("  " + m.spin.View() + " " + c.t(msgWaitWorkloads) + "\n")
	case m.op.running:
		b.WriteString("  " + m.spin.View() + "\n")
	case m.apply.err != nil:
		b.WriteString(indent(st.Fail.Render(c.t(msgApplyFailed)), "  ") + "\n")
		b.WriteString(indent(errorText(c, m.apply.err, w-2), "  "))
	case m.apply.done:
		b.WriteString("  " + st.Pass.Render(c.t(msgApplied, m.apply.n, fmtDur(m.apply.took))) + "\n")
	}
	if m.act == actApplyEdited && m.editCopy() != "" && !m.op.running {
		b.WriteString(indent(st.Muted.Render(wrap(c.t(msgEditKept, m.editCopy()), w-4)), "  ") + "\n")
	}
	return b.String()
}

// prompt is the bottom line: a question, the running operation, or a note.
func (m stepModel) prompt() string {
	c := m.c
	switch {
	case m.confirm == confirmReset && hasEdits(c, m.ch):
		return confirmLine(c, c.t(msgConfirmResetEdits, m.ch.ID))
	case m.confirm == confirmReset:
		return confirmLine(c, c.t(msgConfirmReset, m.ch.ID))
	case m.confirm == confirmApplySolution:
		return confirmLine(c, c.t(msgConfirmApplySolution))
	case m.confirm == confirmSolution:
		return confirmLine(c, c.t(msgConfirmSolution))
	case m.op.cancelling:
		return c.styles.Warn.Render(c.t(msgCancelling))
	case m.op.running:
		return c.styles.Warn.Render(c.t(msgBusyCancelKey))
	}
	return m.note
}

// view draws the step in width×height cells.
func (m stepModel) view(width, height int) string {
	c, st := m.c, m.c.styles
	state := c.stepState(m.ch, m.st.ID).State
	label := c.t(msgStateNew)
	switch {
	case c.stepState(m.ch, m.st.ID).SolvedWithHelp():
		label = c.t(msgStateHelped)
	case state == labs.Passed:
		label = c.t(msgStatePassed)
	case state == labs.Failed:
		label = c.t(msgStateFailed)
	}
	title := st.Muted.Render(m.ch.ID+" › "+c.t(msgStepOf, m.idx+1, len(m.ch.Steps))) + "  " +
		st.Title.Render(m.st.Title.In(c.lang)) + "  " + stateMark(st, state) + " " + st.Muted.Render(label)
	return fit(header(c, title, width)+"\n"+m.vp.View(), width, height)
}
