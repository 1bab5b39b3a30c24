package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/labctl/labctl/i18n"
	"github.com/labctl/labctl/labs"
	"github.com/labctl/labctl/verify"
)

// checkRowState is where one check is in a live run.
type checkRowState int

const (
	checkWaiting checkRowState = iota
	checkRunning
	checkDone
)

// checksModel is a step's checks during and after a run: each one waits,
// then spins, then shows ✓ or ✗ with what it saw. Results arrive as the
// verifier's OnStart and OnResult fire, in whatever order the checks end.
type checksModel struct {
	spec    []labs.CheckSpec
	rows    []checkRow
	done    bool
	elapsed time.Duration
	err     error // the run could not start (no cluster)
}

type checkRow struct {
	state   checkRowState
	started time.Time
	res     verify.CheckResult
}

// Messages a check run sends.
type (
	checkStartMsg  struct{ check string }
	checkResultMsg struct{ res verify.CheckResult }
	checkDoneMsg   struct {
		rep verify.Report
		err error
	}
)

func newChecks(st *labs.Step) checksModel {
	return checksModel{spec: st.Checks, rows: make([]checkRow, len(st.Checks))}
}

func (m checksModel) index(id string) int {
	for i, s := range m.spec {
		if s.Name() == id {
			return i
		}
	}
	return -1
}

// update follows a run.
func (m checksModel) update(msg any, now time.Time) checksModel {
	switch msg := msg.(type) {
	case checkStartMsg:
		if i := m.index(msg.check); i >= 0 {
			m.rows = append([]checkRow(nil), m.rows...)
			m.rows[i] = checkRow{state: checkRunning, started: now}
		}
	case checkResultMsg:
		if i := m.index(msg.res.ID); i >= 0 {
			m.rows = append([]checkRow(nil), m.rows...)
			m.rows[i] = checkRow{state: checkDone, res: msg.res}
		}
	case checkDoneMsg:
		m.done, m.err = true, msg.err
		m.elapsed = time.Duration(msg.rep.Elapsed)
		// The report is the truth: it holds every result even if a live
		// message was missed.
		for _, st := range msg.rep.Steps {
			for _, r := range st.Checks {
				if i := m.index(r.ID); i >= 0 {
					m.rows[i] = checkRow{state: checkDone, res: r}
				}
			}
		}
	}
	return m
}

// passed counts passing checks.
func (m checksModel) passed() int {
	n := 0
	for _, r := range m.rows {
		if r.state == checkDone && r.res.Verdict == verify.Pass {
			n++
		}
	}
	return n
}

// allPassed is true once a finished run passed every check.
func (m checksModel) allPassed() bool {
	return m.done && m.err == nil && len(m.rows) > 0 && m.passed() == len(m.rows)
}

// view draws the rows; spin is the spinner's current frame.
func (m checksModel) view(c *common, spin string, width int, now time.Time) string {
	st, l := c.styles, c.lang
	var b strings.Builder
	for i, r := range m.rows {
		title := m.spec[i].Title.In(l)
		var mark, took string
		switch {
		case r.state == checkWaiting && m.done:
			mark = st.Muted.Render("-")
		case r.state == checkWaiting:
			mark = st.Muted.Render("·")
		case r.state == checkRunning:
			mark, took = spin, fmtDur(now.Sub(r.started))
		case r.res.Verdict == verify.Pass:
			mark, took = st.Pass.Render("✓"), r.res.Elapsed.String()
		case r.res.Verdict == verify.Fail:
			mark, took = st.Fail.Render("✗"), r.res.Elapsed.String()
		default:
			mark, took = st.Warn.Render("!"), r.res.Elapsed.String()
		}
		line := mark + " " + clip(title, width-12)
		if took != "" {
			pad := width - 2 - len(took) - displayWidth(line)
			line += strings.Repeat(" ", max(pad, 1)) + st.Muted.Render(took)
		}
		b.WriteString(line + "\n")
		if r.state == checkDone {
			b.WriteString(resultDetail(c, r.res, width))
		}
	}
	if m.done && m.err == nil {
		b.WriteString(st.Muted.Render(msgChecksSummary.F(l, m.passed(), len(m.rows), verify.Seconds(m.elapsed).String())) + "\n")
	}
	if m.err != nil {
		b.WriteString(errorText(c, m.err, width))
	}
	return b.String()
}

// maxEvidence bounds the evidence lines under a check: enough to see what
// was observed, not so many that the manifest scrolls away.
const maxEvidence = 6

// resultDetail is a finished check's message, evidence and hint.
func resultDetail(c *common, r verify.CheckResult, width int) string {
	st := c.styles
	var b strings.Builder
	w := width - 4
	if r.Message != "" {
		msgStyle := st.Muted
		if r.Verdict != verify.Pass {
			msgStyle = st.Warn
		}
		b.WriteString(indent(msgStyle.Render(wrap(r.Message, w)), "    ") + "\n")
	}
	if r.Verdict != verify.Pass {
		for i, e := range r.Evidence {
			if i == maxEvidence {
				b.WriteString(st.Muted.Render(fmt.Sprintf("    … +%d", len(r.Evidence)-maxEvidence)) + "\n")
				break
			}
			b.WriteString(st.Muted.Render("    │ "+clip(e, w-2)) + "\n")
		}
		if r.Note != "" { // why it did not wait for the deadline
			b.WriteString(st.Muted.Render("    "+clip(r.Note, w)) + "\n")
		}
		if r.Hint != "" {
			b.WriteString(hang("    ", st.Accent.Render("→ "+msgHintLabel.F(c.lang)+": "), r.Hint, width) + "\n")
		}
	}
	return b.String()
}

// hang writes text after a label, wrapped to width, with the lines after
// the first aligned under the text rather than under the label.
func hang(margin, label, text string, width int) string {
	lw := displayWidth(margin) + displayWidth(label)
	lines := strings.Split(wrap(text, width-lw), "\n")
	for i := 1; i < len(lines); i++ {
		lines[i] = strings.Repeat(" ", lw) + lines[i]
	}
	return margin + label + strings.Join(lines, "\n")
}

// errorText is an error in place: the message and the fix, in the
// student's language.
func errorText(c *common, err error, width int) string {
	st := c.styles
	text := hang("", st.Fail.Render("✗ "), i18n.Localize(err, c.lang), width)
	if fix := i18n.FixOf(err, c.lang); fix != "" {
		text += "\n" + hang("", st.Accent.Render("  → "), fix, width)
	}
	return text + "\n"
}
