package tui

import (
	tea "charm.land/bubbletea/v2"

	"github.com/labctl/labctl/labs"
)

// resetDoneMsg ends a chapter reset.
type resetDoneMsg struct {
	n   int
	err error
}

// refreshProgressMsg asks the root to read the progress store now rather
// than at the next poll (after this TUI checked or reset something).
type refreshProgressMsg struct{}

// startReset resets a chapter: the chapter and step screens both offer it,
// behind the same confirmation.
func startReset(c *common, o owner, op opState, ch *labs.Chapter) (opState, tea.Cmd) {
	op, ctx := op.start(c)
	b, lang := c.backend, c.lang
	return op, runOp(o, op.id, func(func(tea.Msg)) tea.Msg {
		n, err := b.Reset(ctx, lang, ch)
		return resetDoneMsg{n: n, err: err}
	})
}

// resetNote is what a finished reset leaves on screen.
func resetNote(c *common, ch *labs.Chapter, done resetDoneMsg) (note string, err error) {
	switch {
	case done.err != nil && cancelled(done.err):
		return c.styles.Warn.Render(c.t(msgCancelled)), nil
	case done.err != nil:
		return "", done.err
	}
	return c.styles.Pass.Render("✓ " + c.t(msgResetDone, ch.ID, done.n)), nil
}

// confirmLine is a question waiting for y or n, for the bottom line: the
// question is shortened if it must be, never the answer it waits for.
func confirmLine(c *common, question string) string {
	yn := c.t(msgYesNo)
	question = clip("? "+question, c.width-displayWidth(yn)-1)
	return c.styles.Prompt.Render(question) + " " + c.styles.Key.Render(yn)
}
