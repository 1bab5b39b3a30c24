package tui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"

	"github.com/labctl/labctl/i18n"
)

// errorModel is an error as a screen: what went wrong and how to fix it,
// in the student's language, scrollable when the cause is long (kind's
// last lines), and left with esc. The TUI never crashes on an error.
type errorModel struct {
	err error
	vp  viewport.Model
}

type closeErrorMsg struct{}

func newError(c *common, err error) errorModel {
	vp := viewport.New()
	vp.KeyMap = viewport.KeyMap{}
	return errorModel{err: err, vp: vp}.resize(c)
}

// resize fits the text to the window; it is wrapped again for the width.
func (m errorModel) resize(c *common) errorModel {
	w := c.width
	m.vp.SetWidth(w)
	m.vp.SetHeight(max(c.height-6, 1))
	st := c.styles
	var b strings.Builder
	b.WriteString(indent(wrap(i18n.Localize(m.err, c.lang), w-4), "  ") + "\n")
	if fix := i18n.FixOf(m.err, c.lang); fix != "" {
		b.WriteString("\n" + hang("  ", st.Accent.Render("→ "), fix, w-2) + "\n")
	}
	m.vp.SetContent(b.String())
	return m
}

func (m errorModel) update(c *common, msg tea.Msg) (errorModel, tea.Cmd) {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return m, nil
	}
	switch {
	case key.Matches(k, c.keys.Back, c.keys.Open, c.keys.Quit):
		return m, send(closeErrorMsg{})
	default:
		m.vp = scroll(c.keys, m.vp, k)
	}
	return m, nil
}

func (m errorModel) view(c *common, width, height int) string {
	st := c.styles
	out := header(c, st.Fail.Render("✗ "+c.t(msgErrTitle)), width) + "\n\n" + m.vp.View() + "\n\n" +
		"  " + st.Muted.Render(c.t(msgErrLeave))
	return fit(out, width, height)
}
