package tui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// View draws the frame: the screen in front, the status bar, and the
// bottom line (a question, a note, or the screen's keys).
func (m Model) View() tea.View {
	v := tea.NewView(m.frame())
	v.AltScreen = true
	v.WindowTitle = "labctl"
	return v
}

func (m Model) frame() string {
	c := m.c
	w, h := c.width, c.height
	bodyH := max(h-2, 1)
	var body, bottom string
	switch {
	case m.errv != nil:
		body = m.errv.view(c, w, bodyH)
		bottom = m.short.ShortHelpView([]key.Binding{c.keys.Back})
	case m.help.open:
		body = m.help.view(c, m.fullHelp(), w, bodyH)
		bottom = m.short.ShortHelpView([]key.Binding{c.keys.Back})
	default:
		body = m.body(w, bodyH)
		bottom = m.prompt()
		if bottom == "" {
			bottom = m.shortLine(m.shortHelp(), w)
		}
	}
	upStep := ""
	if m.home.busy() {
		upStep = m.home.up.progress.Current()
	}
	return body + "\n" + fit(statusLine(c, upStep), w, 1) + "\n" + fit(bottom, w, 1)
}

// shortLine is the screen's keys on one line. When they do not all fit,
// the screen's own keys are dropped from the end first; the keys a student
// needs most — the language, quit, "? help" (which leads to the rest) —
// stay, in their places, as long as anything fits.
func (m Model) shortLine(keys []key.Binding, w int) string {
	k := m.c.keys
	var own []key.Binding // every key but help, which always goes last
	for _, b := range keys {
		if !sameKeys(b, k.Help) {
			own = append(own, b)
		}
	}
	// The order keys are given up in: arrows first (every TUI has them),
	// then the screen's own keys from the end; language and quit never.
	var arrows []int
	for i, b := range own {
		if sameKeys(b, k.Up) || sameKeys(b, k.Down) {
			arrows = append(arrows, i)
		}
	}
	drop := [][]int{arrows} // the arrows go together
	for i := len(own) - 1; i >= 0; i-- {
		b := own[i]
		if !sameKeys(b, k.Up) && !sameKeys(b, k.Down) && !sameKeys(b, k.Quit) && !sameKeys(b, k.Lang) {
			drop = append(drop, []int{i})
		}
	}
	for n := 0; n <= len(drop); n++ {
		gone := map[int]bool{}
		for _, group := range drop[:n] {
			for _, i := range group {
				gone[i] = true
			}
		}
		var line []key.Binding
		for i, b := range own {
			if !gone[i] {
				line = append(line, b)
			}
		}
		if s := m.short.ShortHelpView(append(line, k.Help)); displayWidth(s) <= w {
			return s
		}
	}
	return m.short.ShortHelpView([]key.Binding{k.Help})
}

// sameKeys tells whether two bindings are for the same keys.
func sameKeys(a, b key.Binding) bool {
	return strings.Join(a.Keys(), " ") == strings.Join(b.Keys(), " ")
}

func (m Model) body(w, h int) string {
	switch m.screen {
	case screenChapter:
		return m.chapter.view(w, h)
	case screenStep:
		return m.step.view(w, h)
	}
	return m.home.view(w, h)
}

func (m Model) prompt() string {
	switch m.screen {
	case screenChapter:
		return m.chapter.prompt()
	case screenStep:
		return m.step.prompt()
	}
	if m.home.busy() && m.home.up.op.cancelling {
		return m.c.styles.Warn.Render(m.c.t(msgCancelling))
	}
	return ""
}

func (m Model) shortHelp() []key.Binding {
	switch m.screen {
	case screenChapter:
		return m.chapter.shortHelp()
	case screenStep:
		return m.step.shortHelp()
	}
	return m.home.shortHelp()
}

func (m Model) fullHelp() [][]key.Binding {
	switch m.screen {
	case screenChapter:
		return m.chapter.fullHelp()
	case screenStep:
		return m.step.fullHelp()
	}
	return m.home.fullHelp()
}

// relayout tells every screen about a new size, language or style.
func (m Model) relayout(size tea.Msg) (tea.Model, tea.Cmd) {
	var cmds []tea.Cmd
	var cmd tea.Cmd
	if size != nil {
		m.home, cmd = m.home.update(size)
		cmds = append(cmds, cmd)
	}
	if m.chapter.ch != nil {
		m.chapter, cmd = m.chapter.relayout()
		cmds = append(cmds, cmd)
	}
	if m.step.ch != nil {
		m.step, cmd = m.step.relayout()
		cmds = append(cmds, cmd)
	}
	if m.errv != nil {
		e := m.errv.resize(m.c)
		m.errv = &e
	}
	return m, tea.Batch(cmds...)
}

// navigate moves between screens.
func (m Model) navigate(msg tea.Msg) (tea.Model, tea.Cmd) {
	var cmd tea.Cmd
	switch msg := msg.(type) {
	case openChapterMsg:
		m.chapter, cmd = newChapter(m.c, msg.ch, min(nextStep(m.c, msg.ch), len(msg.ch.Steps)-1))
		m.screen = screenChapter
	case openStepMsg:
		m.step.close()
		m.step, cmd = newStep(m.c, msg.ch, msg.idx)
		m.chapter.cursor = msg.idx
		m.screen = screenStep
	case backMsg:
		switch m.screen {
		case screenStep:
			m.step.close()
			m.step = stepModel{}
			m.screen = screenChapter
		case screenChapter:
			m.screen = screenHome
		}
	}
	return m, cmd
}
