package tui

import (
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/labctl/labctl/i18n"
	"github.com/labctl/labctl/labs"
)

// screen is which screen is in front.
type screen int

const (
	screenHome screen = iota
	screenChapter
	screenStep
)

// Model is the root: it owns the screens, routes messages to them, keeps
// the shared readings (cluster, progress) fresh and draws the frame. The
// screens do the work.
type Model struct {
	c        *common
	loadLib  func() (*labs.Library, error)
	saveLang func(i18n.Lang) error

	screen  screen
	home    homeModel
	chapter chapterModel
	step    stepModel
	help    helpModel
	errv    *errorModel
	short   help.Model
	seenMod time.Time
}

type (
	libraryMsg struct {
		lib *labs.Library
		err error
	}
	langSavedMsg struct{ err error }
)

// Init reads the chapters and the cluster; the frame shows at once.
func (m Model) Init() tea.Cmd {
	load := m.loadLib
	return tea.Batch(
		func() tea.Msg {
			if load == nil {
				return libraryMsg{}
			}
			lib, err := load()
			return libraryMsg{lib, err}
		},
		readStatus(m.c.ctx, m.c.backend, m.c.lang, true),
		tea.RequestBackgroundColor,
	)
}

// Update routes a message to whoever it is for.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	c := m.c
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		return m.key(msg)
	case tea.WindowSizeMsg:
		c.width, c.height = msg.Width, msg.Height
		return m.relayout(msg)
	case tea.BackgroundColorMsg:
		if c.mdStyle != "notty" {
			c.mdStyle = map[bool]string{true: "dark", false: "light"}[msg.IsDark()]
		}
		return m.relayout(nil)
	case tea.ColorProfileMsg:
		if msg.Profile <= colorprofile.ASCII && msg.Profile != colorprofile.Unknown {
			c.mdStyle = "notty" // NO_COLOR or not a terminal: markdown marks instead of colours
		}
		return m.relayout(nil)
	case libraryMsg:
		if msg.err != nil {
			c.libErr = msg.err
			e := newError(c, msg.err)
			m.errv = &e
			return m, nil
		}
		c.lib = msg.lib
		return m, readProgress(c.store, c.lib, m.seenMod, true, true)
	case statusMsg:
		c.cluster = msg.info
		if !msg.poll {
			return m, nil
		}
		return m, c.every(statusEvery, statusTickMsg{})
	case statusTickMsg:
		if m.home.busy() {
			return m, c.every(statusEvery, statusTickMsg{})
		}
		return m, readStatus(c.ctx, c.backend, c.lang, true)
	case progressTickMsg:
		return m, readProgress(c.store, c.lib, m.seenMod, false, true)
	case progressMsg:
		if msg.progress != nil {
			c.progress, m.seenMod = msg.progress, msg.mod
		}
		if msg.poll {
			return m, c.every(progressEvery, progressTickMsg{})
		}
		return m, nil
	case refreshProgressMsg:
		// read now, outside the poll's chain (which goes on by itself)
		return m, readProgress(c.store, c.lib, m.seenMod, true, false)
	case apiWarningMsg:
		switch {
		case m.screen == screenStep:
			return m.route(ownerStep, msg)
		case m.screen == screenChapter:
			return m.route(ownerChapter, msg)
		}
		return m.route(ownerHome, msg)
	case langSavedMsg, closeHelpMsg:
		return m, nil
	case closeErrorMsg:
		m.errv = nil
		return m, nil
	case errorMsg:
		e := newError(c, msg.err)
		m.errv = &e
		return m, nil
	case openChapterMsg, openStepMsg, backMsg:
		return m.navigate(msg)
	case opEvent:
		return m.route(msg.owner, msg)
	case spinner.TickMsg:
		var c1, c2 tea.Cmd
		m.home, c1 = m.home.update(msg)
		m.step, c2 = m.step.update(msg)
		return m, tea.Batch(c1, c2)
	case lessonMsg:
		return m.route(ownerChapter, msg)
	case renderLessonMsg:
		var c1, c2 tea.Cmd
		m.chapter, c1 = m.chapter.update(msg)
		m.step, c2 = m.step.update(msg)
		return m, tea.Batch(c1, c2)
	case stepDocMsg, editReadyMsg, editedMsg, liveStartedMsg, liveCountsMsg, traceDoneMsg:
		return m.route(ownerStep, msg)
	}
	return m, nil
}

// route gives a message to one screen's model.
func (m Model) route(o owner, msg tea.Msg) (tea.Model, tea.Cmd) {
	var cmd tea.Cmd
	switch o {
	case ownerHome:
		m.home, cmd = m.home.update(msg)
	case ownerChapter:
		if m.chapter.ch != nil {
			m.chapter, cmd = m.chapter.update(msg)
		}
	case ownerStep:
		if m.step.ch != nil {
			m.step, cmd = m.step.update(msg)
		}
	}
	return m, cmd
}

// key handles the keys that work everywhere, then gives the key to the
// screen in front.
func (m Model) key(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	c := m.c
	if msg.String() == "ctrl+c" || (key.Matches(msg, c.keys.Quit) && m.errv == nil && !m.help.open && !m.prompting()) {
		if stopped, ok := m.cancelRunning(); ok {
			return stopped, nil
		}
		return m, tea.Quit
	}
	switch {
	case m.errv != nil:
		var cmd tea.Cmd
		*m.errv, cmd = m.errv.update(c, msg)
		return m, cmd
	case m.help.open:
		var cmd tea.Cmd
		m.help, cmd = m.help.update(c, msg)
		return m, cmd
	case !m.prompting() && key.Matches(msg, c.keys.Help):
		m.help.open = true
		return m, nil
	case !m.prompting() && key.Matches(msg, c.keys.Lang):
		return m.toggleLang()
	}
	return m.route(owner(m.screen), msg)
}

// prompting is true while the screen in front waits for y or n: then every
// key is its answer.
func (m Model) prompting() bool {
	switch m.screen {
	case screenChapter:
		return m.chapter.confirmReset
	case screenStep:
		return m.step.confirm != confirmNone
	}
	return false
}

// cancelRunning stops the operation in front, else creating the cluster.
// It reports false when nothing was left to cancel: then Ctrl-C quits.
func (m Model) cancelRunning() (Model, bool) {
	switch {
	case m.screen == screenStep && m.step.op.running && !m.step.op.cancelling:
		m.step = m.step.cancel()
	case m.screen == screenChapter && m.chapter.op.running && !m.chapter.op.cancelling:
		m.chapter = m.chapter.cancel()
	case m.home.up.op.running && !m.home.up.op.cancelling:
		m.home = m.home.cancel()
	default:
		return m, false
	}
	return m, true
}

func (m Model) toggleLang() (tea.Model, tea.Cmd) {
	c := m.c
	if c.lang == i18n.Ko {
		c.lang = i18n.En
	} else {
		c.lang = i18n.Ko
	}
	c.keys = NewKeyMap(c.lang)
	m2, cmd := m.relayout(nil)
	// The status bar's details come from the cluster in the language asked
	// for: ask again in the new one rather than wait for the next poll.
	cmd = tea.Batch(cmd, readStatus(c.ctx, c.backend, c.lang, false))
	save, lang := m.saveLang, c.lang
	if save == nil {
		return m2, cmd
	}
	return m2, tea.Batch(cmd, func() tea.Msg { return langSavedMsg{save(lang)} })
}
