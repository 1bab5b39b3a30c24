package tui

import (
	"context"
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/labctl/labctl/labs"
)

// liveEvery is how often the live view reads the counters: fast enough to
// watch a scheduler alternate, slow enough to cost nothing.
const liveEvery = 500 * time.Millisecond

// liveModel is the per-backend view of traffic through the proxy core (the
// kube-proxy step): one bar per backend, growing as connections arrive.
type liveModel struct {
	on      bool
	id      int
	cancel  context.CancelFunc
	counter Counter
	counts  []BackendCount
	err     error
}

type (
	liveStartedMsg struct {
		id      int
		counter Counter
		err     error
	}
	liveTickMsg   struct{ id int }
	liveCountsMsg struct {
		id     int
		counts []BackendCount
	}
)

// startLive starts the step's live source.
func startLive(c *common, ch *labs.Chapter, st *labs.Step) (liveModel, tea.Cmd) {
	ctx, cancel := context.WithCancel(c.ctx)
	m := liveModel{on: true, id: c.nextOp(), cancel: cancel}
	src, id, lang := c.live, m.id, c.lang
	return m, func() tea.Msg {
		counter, err := src.Start(ctx, lang, ch, st)
		return liveStartedMsg{id: id, counter: counter, err: err}
	}
}

func (m liveModel) stop() {
	if m.cancel != nil {
		m.cancel()
	}
}

func (m liveModel) update(c *common, msg tea.Msg) (liveModel, tea.Cmd) {
	switch msg := msg.(type) {
	case liveStartedMsg:
		if msg.id != m.id || !m.on {
			return m, nil
		}
		m.counter, m.err = msg.counter, msg.err
		if m.err != nil || m.counter == nil {
			return m, nil
		}
		return m, readCounts(m.id, m.counter)
	case liveTickMsg:
		if msg.id == m.id && m.on && m.counter != nil {
			return m, readCounts(m.id, m.counter)
		}
	case liveCountsMsg:
		if msg.id == m.id && m.on {
			m.counts = msg.counts
			return m, c.every(liveEvery, liveTickMsg{m.id})
		}
	}
	return m, nil
}

func readCounts(id int, counter Counter) tea.Cmd {
	return func() tea.Msg { return liveCountsMsg{id: id, counts: counter()} }
}

func (m liveModel) view(c *common, width int) string {
	switch {
	case m.err != nil:
		return errorText(c, m.err, width)
	case m.counter == nil:
		return "  " + c.styles.Muted.Render(c.t(msgLiveStarting))
	}
	return backendBars(c, m.counts, width)
}

// backendBars draws one bar per backend, scaled to the busiest, with its
// connection count and how many are open now. A backend that left the
// Service keeps its bar, marked, so the student sees where traffic went.
func backendBars(c *common, counts []BackendCount, width int) string {
	st := c.styles
	var b strings.Builder
	b.WriteString("  " + st.Muted.Render(c.t(msgLiveHeader)) + "\n")
	var most uint64
	nameW := 0
	for _, bc := range counts {
		most = max(most, bc.Conns)
		nameW = max(nameW, displayWidth(bc.Name))
	}
	if most == 0 {
		b.WriteString("  " + st.Muted.Render(c.t(msgLiveNoTraffic)) + "\n")
	}
	nameW = min(nameW, max(width/3, 8))
	barW := max(width-nameW-24, 4)
	for _, bc := range counts {
		name := clip(bc.Name, nameW)
		name += strings.Repeat(" ", max(nameW-displayWidth(name), 0))
		full := 0
		if most > 0 {
			full = int(bc.Conns * uint64(barW) / most)
		}
		line := fmt.Sprintf("  %s %s %6d", name,
			st.BarFull.Render(strings.Repeat("█", full))+st.BarEmpty.Render(strings.Repeat("·", barW-full)), bc.Conns)
		if bc.Active > 0 {
			line += st.Accent.Render(fmt.Sprintf("  ↔%d", bc.Active))
		}
		if !bc.Ready {
			line += "  " + st.Muted.Render(c.t(msgLiveGone))
		}
		b.WriteString(line + "\n")
	}
	return strings.TrimSuffix(b.String(), "\n")
}
