package tui

import (
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"

	"github.com/labctl/labctl/i18n"
	"github.com/labctl/labctl/labs"
)

// confirmKind is the question a step waits on.
type confirmKind int

const (
	confirmNone confirmKind = iota
	confirmReset
	confirmSolution
	confirmApplySolution
)

// stepModel is one step: its text, the manifest with YAML highlighting, and
// what the student does with it (apply, check, edit, hints, solution), the
// progress of each shown in place.
type stepModel struct {
	c   *common
	ch  *labs.Chapter
	idx int
	st  *labs.Step

	vp          viewport.Model
	want, shown mdKey
	doc         stepDoc
	docErr      error
	// lines where the activity, the hints and the solution start in the
	// pane, to bring them into view when they change.
	actLine, hintLine, solLine int
	traceLine                  int

	op       opState
	act      activity
	checks   checksModel
	apply    applyLog
	note     string
	hints    int
	reveal   bool
	confirm  confirmKind
	warnings []string // the API server's warnings during this visit
	live     liveModel
	trace    traceModel
	spin     spinner.Model
}

func newStep(c *common, ch *labs.Chapter, idx int) (stepModel, tea.Cmd) {
	vp := viewport.New()
	vp.KeyMap = viewport.KeyMap{}
	m := stepModel{c: c, ch: ch, idx: idx, st: &ch.Steps[idx], vp: vp,
		spin: spinner.New(spinner.WithSpinner(spinner.MiniDot), spinner.WithStyle(c.styles.Accent))}
	m = m.layout().refresh()
	return m, renderStep(ch, m.st, m.want)
}

func (m stepModel) layout() stepModel {
	m.vp.SetWidth(m.c.width)
	m.vp.SetHeight(max(m.c.height-3, 1))
	m.want = mdKey{what: m.ch.ID + "/" + m.st.ID, width: m.c.width, lang: m.c.lang, style: m.c.mdStyle}
	return m
}

// relayout follows a resize or a language change.
func (m stepModel) relayout() (stepModel, tea.Cmd) {
	m = m.layout().refresh()
	if m.want == m.shown {
		return m, nil
	}
	if m.want.lang != m.shown.lang || m.want.style != m.shown.style {
		return m, renderStep(m.ch, m.st, m.want)
	}
	return m, m.c.after(resizeSettle, renderLessonMsg{m.want})
}

func (m stepModel) cancel() stepModel {
	m.op = m.op.stop()
	return m.refresh()
}

// close stops what the step started that outlives a keypress (the live view).
func (m stepModel) close() { m.live.stop(); m.trace.stop() }

func (m stepModel) update(msg tea.Msg) (stepModel, tea.Cmd) {
	switch msg := msg.(type) {
	case stepDocMsg:
		if msg.key == m.want {
			m.shown, m.doc, m.docErr = msg.key, msg.doc, msg.err
		}
		return m.refresh(), nil
	case renderLessonMsg:
		if msg.key == m.want && m.want != m.shown {
			return m, renderStep(m.ch, m.st, m.want)
		}
		return m, nil
	case opEvent:
		if !m.op.is(msg) {
			return m, msg.wait()
		}
		if msg.done {
			return m.finish(msg.msg)
		}
		switch inner := msg.msg.(type) {
		case checkStartMsg, checkResultMsg:
			m.checks = m.checks.update(inner, m.c.now())
		case appliedMsg:
			m.apply.refs = append(m.apply.refs, inner.ref)
		case prereqMsg:
			m.apply.pre = append(m.apply.pre, inner)
		}
		return m.refresh(), msg.wait()
	case spinner.TickMsg:
		if !m.op.running {
			return m, nil
		}
		var cmd tea.Cmd
		m.spin, cmd = m.spin.Update(msg)
		return m.refresh(), cmd
	case editReadyMsg:
		if msg.err != nil {
			return m, send(errorMsg{msg.err})
		}
		return m, openEditor(m.c, msg.edit)
	case editedMsg:
		return m.edited(msg)
	case apiWarningMsg:
		m.warnings = append(m.warnings, msg.text)
		return m.refresh(), nil
	case liveStartedMsg, liveCountsMsg:
		var cmd tea.Cmd
		m.live, cmd = m.live.update(m.c, msg)
		return m.refresh(), cmd
	case traceDoneMsg:
		m.trace = m.trace.update(msg)
		return m.showTrace(), nil
	case tea.KeyPressMsg:
		m, cmd := m.key(msg)
		return m.refresh(), cmd
	}
	return m, nil
}

func (m stepModel) key(msg tea.KeyPressMsg) (stepModel, tea.Cmd) {
	k := m.c.keys
	if m.confirm != confirmNone {
		asked := m.confirm
		m.confirm = confirmNone
		if !key.Matches(msg, k.Yes) {
			return m, nil
		}
		switch asked {
		case confirmReset:
			var cmd tea.Cmd
			discardEdits(m.c, m.ch)
			m.note, m.act, m.warnings = "", actReset, nil
			m.op, cmd = startReset(m.c, ownerStep, m.op, m.ch)
			return m, tea.Batch(cmd, m.spinStart())
		case confirmApplySolution:
			m.reveal = true
			m, cmd := m.startApplySolution()
			return m.refresh().scrollTo(m.actLine), cmd
		}
		m.reveal = true
		m = m.refresh()
		return m.scrollTo(m.solLine), nil
	}
	if m.op.running {
		switch {
		case key.Matches(msg, k.Back):
			return m.cancel(), nil
		default:
			m.vp = scroll(k, m.vp, msg)
		}
		return m, nil
	}
	if tm, cmd, ok := m.trace.key(m.c, msg); ok {
		m.trace = tm
		return m, cmd
	}
	switch {
	case key.Matches(msg, k.Back):
		return m, send(backMsg{})
	case key.Matches(msg, k.Trace):
		return m.toggleTrace()
	case key.Matches(msg, k.Check):
		m, cmd := m.startCheck()
		return m.refresh().scrollTo(m.actLine), cmd
	case key.Matches(msg, k.Apply):
		m, cmd := m.startApplyStarter(m.editCopy())
		return m.refresh().scrollTo(m.actLine), cmd
	case key.Matches(msg, k.ApplySolution):
		if m.passed() {
			m, cmd := m.startApplySolution()
			return m.refresh().scrollTo(m.actLine), cmd
		}
		m.confirm = confirmApplySolution
	case key.Matches(msg, k.Edit):
		if len(m.st.Manifests) == 0 {
			m.note = m.c.styles.Warn.Render(m.c.t(msgNoManifest))
			return m, nil
		}
		return m, prepareEdit(m.c, m.ch, m.st, m.editCopy())
	case key.Matches(msg, k.Hint):
		return m.nextHint(), nil
	case key.Matches(msg, k.Reset):
		m.confirm = confirmReset
	case key.Matches(msg, k.Solution):
		if m.passed() {
			m.reveal = !m.reveal
			if m.reveal {
				m = m.refresh()
				return m.scrollTo(m.solLine), nil
			}
		} else {
			m.confirm = confirmSolution
		}
	case key.Matches(msg, k.Live):
		return m.toggleLive()
	case key.Matches(msg, k.Next) && m.idx+1 < len(m.ch.Steps):
		return m, send(openStepMsg{m.ch, m.idx + 1})
	case key.Matches(msg, k.Prev) && m.idx > 0:
		return m, send(openStepMsg{m.ch, m.idx - 1})
	default:
		m.vp = scroll(k, m.vp, msg)
	}
	return m, nil
}

// editCopy is the student's edited copy of this step's starter, if any.
func (m stepModel) editCopy() string { return m.c.edits[editKey(m.ch, m.st)] }

// edited follows the editor's exit: saved → the copy is kept for the step
// and applied; quit without saving → nothing is applied (and a copy made
// for this run is removed); the editor failing → nothing is applied.
func (m stepModel) edited(msg editedMsg) (stepModel, tea.Cmd) {
	if msg.err != nil {
		if msg.edit.discard() {
			delete(m.c.edits, editKey(m.ch, m.st))
		}
		m.act, m.apply = actApplyEdited, applyLog{done: true, err: i18n.Errorf(msgEditorFailed, m.c.editor[0]).Wrap(msg.err)}
		return m.refresh(), nil
	}
	if !msg.edit.saved() {
		if msg.edit.discard() {
			delete(m.c.edits, editKey(m.ch, m.st))
		}
		m.note = m.c.styles.Warn.Render(m.c.t(msgEditCancelled))
		return m.refresh(), nil
	}
	m.c.edits[editKey(m.ch, m.st)] = msg.edit.path
	m, cmd := m.startApplyStarter(msg.edit.path)
	return m.refresh().scrollTo(m.actLine), cmd
}

// hintTexts are the step's hints, then its checks' hints, as
// `labctl hint` numbers them.
func (m stepModel) hintTexts() []string {
	var out []string
	for _, h := range m.st.Hints {
		out = append(out, h.In(m.c.lang))
	}
	for _, c := range m.st.Checks {
		if h := c.Hint.In(m.c.lang); h != "" {
			out = append(out, h)
		}
	}
	return out
}

func (m stepModel) nextHint() stepModel {
	all := m.hintTexts()
	switch {
	case len(all) == 0:
		m.note = m.c.styles.Muted.Render(m.c.t(msgNoHints))
	case m.hints >= len(all):
		m.note = m.c.styles.Muted.Render(m.c.t(msgNoMoreHints))
	default:
		m.hints++
		m.note = ""
		m = m.refresh()
		return m.scrollTo(m.hintLine)
	}
	return m
}

// passed is true once the step has passed, here or in another terminal:
// then the solution is no secret any more.
func (m stepModel) passed() bool {
	return m.checks.allPassed() || m.c.stepState(m.ch, m.st.ID).Ever
}

// scrollTo brings a line of the pane into view if it is not.
func (m stepModel) scrollTo(line int) stepModel {
	top := m.vp.YOffset()
	if line < top || line >= top+m.vp.Height()-2 {
		m.vp.SetYOffset(max(line-1, 0))
	}
	return m
}

func (m stepModel) toggleLive() (stepModel, tea.Cmd) {
	if m.c.live == nil || !m.c.live.Has(m.ch, m.st) {
		m.note = m.c.styles.Muted.Render(m.c.t(msgLiveNotAvailable))
		return m, nil
	}
	if m.live.on {
		m.live.stop()
		m.live = liveModel{}
		return m, nil
	}
	var cmd tea.Cmd
	m.live, cmd = startLive(m.c, m.ch, m.st)
	return m, cmd
}

func (m stepModel) shortHelp() []key.Binding {
	k := m.c.keys
	if m.op.running {
		return []key.Binding{cancelBinding(m.c), k.PageDown, k.Help}
	}
	keys := []key.Binding{k.Edit, k.Check, k.Apply, k.Hint, k.Solution, k.Reset}
	if m.c.live != nil && m.c.live.Has(m.ch, m.st) {
		keys = append(keys, k.Live)
	}
	if m.hasTrace() {
		keys = append(keys, k.Trace)
	}
	return append(keys, k.Next, k.Back, k.Help)
}

func (m stepModel) fullHelp() [][]key.Binding {
	k := m.c.keys
	work := []key.Binding{k.Edit, k.Check, k.Apply, k.Hint, k.Solution, k.ApplySolution, k.Reset}
	if m.c.live != nil && m.c.live.Has(m.ch, m.st) {
		work = append(work, k.Live)
	}
	if m.hasTrace() {
		work = append(work, k.Trace)
	}
	return [][]key.Binding{work, {k.Next, k.Prev, k.Back, k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}}
}

// cancelBinding describes esc and Ctrl-C while something runs.
func cancelBinding(c *common) key.Binding {
	return key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc/ctrl+c", c.t(msgKeyCancel)))
}
