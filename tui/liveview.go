package tui

import (
	"context"
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/labctl/labctl/labs"
)

// liveModel is the per-backend view of traffic through the proxy core (the
// kube-proxy step): one bar per backend, growing as connections arrive.
// It has no timer of its own: it draws each reading the session's refresh
// loop (session.Watch, shared with `labctl proxy`) puts in the feed.
type liveModel struct {
	on     bool
	id     int
	cancel context.CancelFunc
	feed   LiveFeed
	counts []BackendCount
	err    error
}

type (
	liveStartedMsg struct {
		id   int
		feed LiveFeed
		err  error
	}
	liveCountsMsg struct {
		id     int
		counts []BackendCount
		ended  bool
	}
)

// startLive starts the step's live source.
func startLive(c *common, ch *labs.Chapter, st *labs.Step) (liveModel, tea.Cmd) {
	ctx, cancel := context.WithCancel(c.ctx)
	m := liveModel{on: true, id: c.nextOp(), cancel: cancel}
	src, id, lang := c.live, m.id, c.lang
	return m, func() tea.Msg {
		feed, err := src.Start(ctx, lang, ch, st)
		return liveStartedMsg{id: id, feed: feed, err: err}
	}
}

func (m liveModel) stop() {
	if m.cancel != nil {
		m.cancel()
	}
}

func (m liveModel) update(_ *common, msg tea.Msg) (liveModel, tea.Cmd) {
	switch msg := msg.(type) {
	case liveStartedMsg:
		if msg.id != m.id || !m.on {
			return m, nil
		}
		m.feed, m.err = msg.feed, msg.err
		if m.err != nil || m.feed == nil {
			return m, nil
		}
		return m, nextCounts(m.id, m.feed)
	case liveCountsMsg:
		if msg.id != m.id || !m.on {
			return m, nil
		}
		if msg.ended { // the source stopped: the last counts stay drawn
			return m, nil
		}
		m.counts = msg.counts
		return m, nextCounts(m.id, m.feed)
	}
	return m, nil
}

// nextCounts waits for the feed's next reading.
func nextCounts(id int, feed LiveFeed) tea.Cmd {
	return func() tea.Msg {
		counts, ok := <-feed
		return liveCountsMsg{id: id, counts: counts, ended: !ok}
	}
}

func (m liveModel) view(c *common, width int) string {
	switch {
	case m.err != nil:
		return errorText(c, m.err, width)
	case m.feed == nil:
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
