package tui

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/labctl/labctl/i18n"
)

// The screens as a student sees them, colours stripped, at the smallest
// size the TUI promises (80×24) and a comfortable one (120×40), in both
// languages, with the embedded chapters. Update with:
//
//	go test ./tui/ -run TestGolden -update
func TestGolden(t *testing.T) {
	screens := []struct {
		name  string
		setup func(h *harness)
	}{
		{"home", func(h *harness) {}},
		{"chapter", func(h *harness) { h.keys("enter") }},
		{"step", func(h *harness) { h.keys("enter", "enter") }},
		{"checks-failed", func(h *harness) { h.keys("enter", "enter", "c") }},
		{"checks-passed", func(h *harness) { h.keys("enter", "enter", "A", "y", "c") }},
		{"confirm-reset", func(h *harness) { h.keys("enter", "enter", "r") }},
		{"cluster-none", func(h *harness) { h.send(statusMsg{info: ClusterInfo{State: ClusterNone}}) }},
		{"cluster-stopped", func(h *harness) {
			// the session reads the state in the language asked for
			detail := map[i18n.Lang]string{i18n.En: "stopped", i18n.Ko: "멈춤"}[h.m.c.lang]
			h.send(statusMsg{info: ClusterInfo{State: ClusterStopped, Detail: detail}})
		}},
		{"error", func(h *harness) {
			h.send(errorMsg{upFailure(errors.New("create cluster lab: host port 80 is already used by another program"))})
		}},
		{"help-home", func(h *harness) { h.keys("?") }},
		{"help-step", func(h *harness) { h.keys("enter", "enter", "?") }},
	}
	for _, sc := range screens {
		for _, size := range [][2]int{{80, 24}, {120, 40}} {
			for _, lang := range []i18n.Lang{i18n.En, i18n.Ko} {
				t.Run(fmt.Sprintf("%s/%dx%d/%s", sc.name, size[0], size[1], lang), func(t *testing.T) {
					h := newHarness(t, lang, size[0], size[1])
					// some progress, as a student half-way through ch07 has
					for _, s := range []struct {
						id            string
						passed, total int
					}{{"clusterip", 3, 3}, {"session-affinity", 2, 2}, {"multi-port", 0, 1}} {
						if err := h.store.Record("ch07", s.id, s.passed, s.total, time.Now()); err != nil {
							t.Fatal(err)
						}
					}
					h.send(refreshProgressMsg{})
					sc.setup(h)
					golden.RequireEqual(t, h.screen())
				})
			}
		}
	}
}

// The live view's bars, at a typical moment of round robin with one
// backend gone.
func TestGoldenLiveBars(t *testing.T) {
	for _, lang := range []i18n.Lang{i18n.En, i18n.Ko} {
		t.Run(string(lang), func(t *testing.T) {
			h := newHarness(t, lang, 80, 24)
			counts := []BackendCount{
				{Name: "http-go-7dff6cf597-2c7h4", Conns: 40, Active: 2, Ready: true},
				{Name: "http-go-7dff6cf597-xhssl", Conns: 39, Ready: true},
				{Name: "http-go-7dff6cf597-k8f2q", Conns: 12, Ready: false},
			}
			out := backendBars(h.m.c, counts, 76) + "\n" + backendBars(h.m.c, nil, 76)
			golden.RequireEqual(t, stripTrailing(out))
		})
	}
}
