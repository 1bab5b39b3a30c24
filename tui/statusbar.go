package tui

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/labctl/labctl/i18n"
	"github.com/labctl/labctl/labs"
)

// How often the TUI looks at the cluster and at the progress store. The
// store is a directory listing, cheap enough to read every second so a
// `labctl check` in another terminal shows up at once; the cluster costs a
// few API calls, so every few seconds.
const (
	statusEvery   = 5 * time.Second
	statusTimeout = 8 * time.Second
	progressEvery = time.Second
)

type (
	// statusMsg is a reading of the cluster; poll is true for the periodic
	// reads, which schedule the next (one chain of polls, however many
	// one-off reads happen).
	statusMsg struct {
		info ClusterInfo
		poll bool
	}
	statusTickMsg   struct{}
	progressTickMsg struct{}
	// progressMsg is the store read again (progress is nil when it did not
	// change); poll is true for the periodic reads, which schedule the next.
	progressMsg struct {
		mod      time.Time
		progress map[string]labs.ChapterProgress
		poll     bool
	}
)

// readStatus asks the backend for the cluster's state.
func readStatus(ctx context.Context, b Backend, lang i18n.Lang, poll bool) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, statusTimeout)
		defer cancel()
		return statusMsg{info: b.Status(ctx, lang), poll: poll}
	}
}

// readProgress reads every chapter's progress when the store changed since
// seen (always when force), and nothing otherwise.
func readProgress(store Progress, lib *labs.Library, seen time.Time, force, poll bool) tea.Cmd {
	if store == nil || lib == nil {
		return nil
	}
	return func() tea.Msg {
		mod := store.ModTime()
		if !force && mod.Equal(seen) {
			return progressMsg{mod: mod, poll: poll}
		}
		out := make(map[string]labs.ChapterProgress, len(lib.Chapters))
		for _, ch := range lib.Chapters {
			if p, err := store.Chapter(ch.ID); err == nil {
				out[ch.ID] = p
			}
		}
		return progressMsg{mod: mod, progress: out, poll: poll}
	}
}

// statusLine is the status bar: the cluster's state in one line, with the
// key that fixes it when something is missing.
func statusLine(c *common, upStep string) string {
	st, l := c.styles, c.lang
	info := c.cluster
	name := c.name
	if info.Name != "" {
		name = info.Name
	}
	switch {
	case upStep != "" || info.State == ClusterCreating:
		return st.Accent.Render("◐") + " " + st.Status.Render(msgStCreating.F(l, name, upStep))
	case info.State == ClusterChecking:
		return st.Muted.Render("◌") + " " + st.Status.Render(msgStChecking.F(l, name))
	case info.State == ClusterNone:
		return st.Warn.Render("○") + " " + st.Warn.Render(msgStNone.F(l, name))
	case info.State == ClusterStopped:
		return st.Warn.Render("■") + " " + st.Warn.Render(msgStStopped.F(l, name, info.Detail))
	case info.State == ClusterReady:
		ing := info.Ingress
		if ing == "" {
			ing = msgStNoIngress.F(l)
		}
		return st.Pass.Render("●") + " " + st.Status.Render(msgStReady.F(l, name, info.Version, info.Nodes, ing))
	case info.State == ClusterUnhealthy:
		problem := msgStNodes.F(l, info.ReadyNodes, info.Nodes)
		if info.Addon != "" && info.ReadyNodes == info.Nodes {
			problem = msgStAddon.F(l, info.Addon)
			if info.Detail != "" {
				problem += ": " + info.Detail
			}
		}
		return st.Warn.Render("▲") + " " + st.Warn.Render(msgStUnhealthy.F(l, name, problem))
	default:
		why := ""
		if info.Err != nil {
			why = firstLine(i18n.Localize(info.Err, l))
			if fix := i18n.FixOf(info.Err, l); fix != "" {
				why = fix
			}
		}
		return st.Fail.Render("✗") + " " + st.Fail.Render(msgStUnreachable.F(l, name, why))
	}
}

func firstLine(s string) string {
	for i, r := range s {
		if r == '\n' {
			return s[:i]
		}
	}
	return s
}
