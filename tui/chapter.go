package tui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/labctl/labctl/labs"
)

// chapterModel is a chapter: its lesson rendered with glamour in a
// scrollable pane beside the list of steps (above it on a narrow terminal).
type chapterModel struct {
	c            *common
	ch           *labs.Chapter
	cursor       int
	focusLesson  bool
	vp           viewport.Model
	want, shown  mdKey // the rendering the screen needs, and the one it has
	lessonErr    error
	confirmReset bool
	op           opState
	note         string
}

// renderLessonMsg asks for the lesson to be rendered once resizing settles.
type renderLessonMsg struct{ key mdKey }

// resizeSettle is how long a chapter waits after a resize before rendering
// the lesson again: dragging a window sends dozens of sizes.
const resizeSettle = 120 * time.Millisecond

func newChapter(c *common, ch *labs.Chapter, cursor int) (chapterModel, tea.Cmd) {
	vp := viewport.New()
	vp.KeyMap = viewport.KeyMap{} // the screen's own keys scroll it
	m := chapterModel{c: c, ch: ch, cursor: cursor, vp: vp}
	m = m.layout()
	return m, renderLesson(ch, m.want)
}

// chapterLayout is where a chapter's parts go for a window size.
type chapterLayout struct {
	wide         bool
	listW, listH int
	paneW, paneH int
}

// wideAt is the width from which the lesson goes beside the steps.
const wideAt = 100

func (m chapterModel) dims() chapterLayout {
	w, h := m.c.width, m.c.height-2
	if w >= wideAt {
		listW := min(44, w/3)
		return chapterLayout{wide: true, listW: listW, listH: h - 3, paneW: w - listW - 1, paneH: h - 3}
	}
	listH := min(len(m.ch.Steps), max(3, h/3))
	return chapterLayout{listW: w, listH: listH, paneW: w, paneH: max(h-listH-2, 1)}
}

// layout sizes the pane and says which rendering it needs.
func (m chapterModel) layout() chapterModel {
	d := m.dims()
	m.vp.SetWidth(d.paneW)
	m.vp.SetHeight(d.paneH)
	m.want = mdKey{what: m.ch.ID, width: d.paneW, lang: m.c.lang, style: m.c.mdStyle}
	return m
}

// relayout follows a resize or a language change: the lesson is rendered
// again once the size settles.
func (m chapterModel) relayout() (chapterModel, tea.Cmd) {
	m = m.layout()
	if m.want == m.shown {
		return m, nil
	}
	if m.want.lang != m.shown.lang || m.want.style != m.shown.style {
		return m, renderLesson(m.ch, m.want)
	}
	return m, m.c.after(resizeSettle, renderLessonMsg{m.want})
}

func (m chapterModel) cancel() chapterModel {
	m.op = m.op.stop()
	return m
}

func (m chapterModel) update(msg tea.Msg) (chapterModel, tea.Cmd) {
	switch msg := msg.(type) {
	case lessonMsg:
		if msg.key != m.want {
			return m, nil
		}
		m.shown, m.lessonErr = msg.key, msg.err
		off := m.vp.YOffset()
		m.vp.SetContent(msg.out)
		m.vp.SetYOffset(off)
	case renderLessonMsg:
		if msg.key == m.want && m.want != m.shown {
			return m, renderLesson(m.ch, m.want)
		}
	case opEvent:
		if !m.op.is(msg) {
			return m, msg.wait()
		}
		if done, ok := msg.msg.(resetDoneMsg); ok {
			m.op = m.op.finish()
			note, err := resetNote(m.c, m.ch, done)
			m.note = note
			if err != nil {
				return m, tea.Batch(send(errorMsg{err}), send(refreshProgressMsg{}))
			}
			return m, send(refreshProgressMsg{})
		}
		return m, msg.wait()
	case apiWarningMsg:
		m.note = m.c.styles.Warn.Render("⚠ " + msg.text)
	case tea.KeyPressMsg:
		return m.key(msg)
	}
	return m, nil
}

func (m chapterModel) key(msg tea.KeyPressMsg) (chapterModel, tea.Cmd) {
	k := m.c.keys
	if m.confirmReset {
		m.confirmReset = false
		if key.Matches(msg, k.Yes) {
			m.note = ""
			var cmd tea.Cmd
			discardEdits(m.c, m.ch)
			m.op, cmd = startReset(m.c, ownerChapter, m.op, m.ch)
			return m, cmd
		}
		return m, nil
	}
	if m.op.running {
		if key.Matches(msg, k.Back) {
			m = m.cancel()
		}
		return m, nil
	}
	switch {
	case key.Matches(msg, k.Back):
		return m, send(backMsg{})
	case key.Matches(msg, k.Focus):
		m.focusLesson = !m.focusLesson
	case key.Matches(msg, k.Open):
		return m, send(openStepMsg{m.ch, m.cursor})
	case key.Matches(msg, k.Reset):
		m.confirmReset = true
	case key.Matches(msg, k.Up) && !m.focusLesson:
		m.cursor = max(m.cursor-1, 0)
	case key.Matches(msg, k.Down) && !m.focusLesson:
		m.cursor = min(m.cursor+1, len(m.ch.Steps)-1)
	case key.Matches(msg, k.Top) && !m.focusLesson:
		m.cursor = 0
	case key.Matches(msg, k.Bottom) && !m.focusLesson:
		m.cursor = len(m.ch.Steps) - 1
	default:
		m.vp = scroll(m.c.keys, m.vp, msg)
	}
	return m, nil
}

// scroll moves a pane for the line and page keys every pane shares.
func scroll(k KeyMap, vp viewport.Model, msg tea.KeyPressMsg) viewport.Model {
	switch {
	case key.Matches(msg, k.Up):
		vp.ScrollUp(1)
	case key.Matches(msg, k.Down):
		vp.ScrollDown(1)
	case key.Matches(msg, k.PageUp):
		vp.PageUp()
	case key.Matches(msg, k.PageDown):
		vp.PageDown()
	case key.Matches(msg, k.Top):
		vp.GotoTop()
	case key.Matches(msg, k.Bottom):
		vp.GotoBottom()
	}
	return vp
}

// prompt is the question on the bottom line, if one waits.
func (m chapterModel) prompt() string {
	if m.confirmReset {
		if hasEdits(m.c, m.ch) {
			return confirmLine(m.c, m.c.t(msgConfirmResetEdits, m.ch.ID))
		}
		return confirmLine(m.c, m.c.t(msgConfirmReset, m.ch.ID))
	}
	if m.op.running {
		return m.c.styles.Warn.Render(m.c.t(msgResetting, m.ch.ID) + "  " + m.c.t(msgBusyCancelKey))
	}
	return m.note
}

func (m chapterModel) shortHelp() []key.Binding {
	k := m.c.keys
	return []key.Binding{k.Up, k.Down, k.Open, k.Focus, k.PageDown, k.Reset, k.Back, k.Help}
}

func (m chapterModel) fullHelp() [][]key.Binding {
	k := m.c.keys
	return [][]key.Binding{{k.Open, k.Focus, k.Reset, k.Back}, {k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}}
}

// view draws the chapter in width×height cells.
func (m chapterModel) view(width, height int) string {
	c, st := m.c, m.c.styles
	d := m.dims()
	done := c.t(msgStepsDone, c.done(m.ch), len(m.ch.Steps))
	head := header(c, st.Title.Render(m.ch.ID+" · "+m.ch.Title.In(c.lang))+"  "+st.Muted.Render(done), width)
	steps := m.stepList(d.listW, d.listH)
	pane := m.pane()
	if d.wide {
		left := fit("  "+st.Section.Render(c.t(msgSteps))+"\n"+steps, d.listW, height-2)
		sep := strings.TrimSuffix(strings.Repeat(st.Muted.Render("│")+"\n", height-2), "\n")
		return fit(head+"\n\n"+lipgloss.JoinHorizontal(lipgloss.Top, left, sep, fit(pane, d.paneW, height-2)), width, height)
	}
	out := head + "\n" + fit(steps, width, d.listH) + "\n" + pane
	return fit(out, width, height)
}

// pane is the lesson with its title line.
func (m chapterModel) pane() string {
	c, st := m.c, m.c.styles
	title := " " + st.Section.Render(c.t(msgLesson))
	if m.focusLesson {
		title = st.Selected.Render(" ▸ ") + st.Section.Render(c.t(msgLesson))
	}
	switch {
	case m.lessonErr != nil:
		return title + "\n" + errorText(c, m.lessonErr, m.vp.Width())
	case m.shown == (mdKey{}):
		return title + "\n  " + st.Muted.Render(c.t(msgRendering))
	}
	pct := fmt.Sprintf("%3.0f%%", m.vp.ScrollPercent()*100)
	return title + "  " + st.Muted.Render(pct) + "\n" + m.vp.View()
}

// stepList is one line per step: its state and title, the cursor's row
// kept in view.
func (m chapterModel) stepList(width, height int) string {
	c, st := m.c, m.c.styles
	first := 0
	if m.cursor >= height {
		first = m.cursor - height + 1
	}
	var b strings.Builder
	for i := first; i < len(m.ch.Steps) && i < first+height; i++ {
		s := m.ch.Steps[i]
		mark := stateMark(st, c.stepState(m.ch, s.ID).State)
		title := fmt.Sprintf("%d %s", i+1, s.Title.In(c.lang))
		cursor := "  "
		if i == m.cursor {
			cursor = "▸ "
			if !m.focusLesson {
				cursor, title = st.Selected.Render(cursor), st.Selected.Render(title)
			}
		}
		helped := ""
		if c.stepState(m.ch, s.ID).SolvedWithHelp() {
			helped = " " + st.Muted.Render("("+c.t(msgStateHelped)+")")
		}
		b.WriteString(clip(cursor+mark+" "+title+helped, width) + "\n")
	}
	return b.String()
}

// stateMark is a step's state as a symbol that reads without colour.
func stateMark(st Styles, s labs.StepState) string {
	switch s {
	case labs.Passed:
		return st.Pass.Render("✓")
	case labs.Failed:
		return st.Fail.Render("✗")
	}
	return st.Muted.Render("·")
}
