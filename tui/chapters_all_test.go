package tui

import (
	"strings"
	"testing"

	"github.com/labctl/labctl/i18n"
)

// Every embedded chapter is on the home screen in both languages, and each
// opens on its own steps (the other tests walk ch07 and ch08 only).
func TestEveryChapterShows(t *testing.T) {
	lib, err := fullLibrary()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range i18n.Langs {
		t.Run(string(lang), func(t *testing.T) {
			home := newHarnessWith(t, fullLibrary, lang, 120, 40).screen()
			for _, c := range lib.Chapters {
				found := false
				for _, line := range strings.Split(home, "\n") {
					if strings.Contains(line, c.ID+" ") && strings.Contains(line, c.Title.In(lang)) {
						found = true
					}
				}
				if !found {
					t.Errorf("home lacks %s %s:\n%s", c.ID, c.Title.In(lang), home)
				}
			}
			for i, c := range lib.Chapters {
				h := newHarnessWith(t, fullLibrary, lang, 120, 40)
				h.m.home.cursor = 0 // the harness starts on ch07; walk from the top
				for range i {
					h.keys("down")
				}
				h.keys("enter")
				first := []rune(c.Steps[0].Title.In(lang))
				if got := h.screen(); !strings.Contains(got, c.ID+" · "+c.Title.In(lang)) || !strings.Contains(got, string(first[:min(12, len(first))])) {
					t.Errorf("%s opens without its steps:\n%s", c.ID, got)
				}
			}
		})
	}
}
