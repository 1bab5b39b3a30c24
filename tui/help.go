package tui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// helpModel is the full list of keys for the screen it covers, opened
// with ? and closed with ?, esc or q. On a window too short for it, the
// arrows and page keys scroll it.
type helpModel struct {
	open   bool
	offset int // first line shown below the title
}

type closeHelpMsg struct{}

func (m helpModel) update(c *common, msg tea.Msg) (helpModel, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(k, c.keys.Help, c.keys.Back, c.keys.Quit):
			m.open, m.offset = false, 0
			return m, send(closeHelpMsg{})
		case key.Matches(k, c.keys.Down):
			m.offset++
		case key.Matches(k, c.keys.PageDown):
			m.offset += 10
		case key.Matches(k, c.keys.Up):
			m.offset = max(m.offset-1, 0)
		case key.Matches(k, c.keys.PageUp):
			m.offset = max(m.offset-10, 0)
		case key.Matches(k, c.keys.Top):
			m.offset = 0
		case key.Matches(k, c.keys.Bottom):
			m.offset = 1 << 20 // the view stops at the last line
		}
	}
	return m, nil
}

// view lists every key of the screen (its actions, then how to move), and
// the keys that work everywhere. Two columns from 70 cells, one below.
func (m helpModel) view(c *common, groups [][]key.Binding, width, height int) string {
	st := c.styles
	var actions, moving []key.Binding
	if len(groups) > 0 {
		actions = groups[0]
	}
	for _, g := range groups[min(1, len(groups)):] {
		moving = append(moving, g...)
	}
	left := helpGroup(c, c.t(msgHelpScreen), actions) + "\n" + helpGroup(c, c.t(msgHelpGlobal), c.keys.Global())
	right := helpGroup(c, c.t(msgHelpMove), moving)
	var body string
	if width >= 70 {
		colW := width/2 - 1
		body = lipgloss.JoinHorizontal(lipgloss.Top, fit(left, colW, lipgloss.Height(left)), "  ", right)
	} else {
		body = left + "\n" + right
	}
	note := indent(st.Muted.Render(wrap(c.t(msgHelpCancel), width-4)), "  ")
	lines := strings.Split(strings.TrimRight(body+"\n"+note, "\n"), "\n")
	room := height - 2 // the title and the blank line under it
	if len(lines) > room && room > 1 {
		// scroll: the last line of the pane says there is more
		offset := min(m.offset, len(lines)-(room-1))
		shown := append(lines[offset:offset+room-1:offset+room-1], indent(st.Muted.Render(c.t(msgHelpMore, offset+room-1, len(lines))), "  "))
		lines = shown
	}
	out := header(c, st.Title.Render(c.t(msgHelpTitle)), width) + "\n\n" + strings.Join(lines, "\n")
	return fit(out, width, height)
}

// helpGroup is a titled list of keys and what they do.
func helpGroup(c *common, title string, keys []key.Binding) string {
	st := c.styles
	w := 0
	for _, k := range keys {
		w = max(w, displayWidth(k.Help().Key))
	}
	var b strings.Builder
	b.WriteString("  " + st.Section.Render(title) + "\n")
	for _, k := range keys {
		if !k.Enabled() {
			continue
		}
		h := k.Help()
		b.WriteString("  " + st.Key.Render(h.Key) + strings.Repeat(" ", w-displayWidth(h.Key)+2) + h.Desc + "\n")
	}
	return b.String()
}
