package tui

import (
	"fmt"
	"regexp"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/glamour/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/labctl/labctl/i18n"
	"github.com/labctl/labctl/internal/mdtext"
	"github.com/labctl/labctl/labs"
)

// mdKey identifies one rendering of markdown: what, for which width,
// language and style. Rendering happens in a command; a result whose key
// is no longer the screen's (the window was resized again, the language
// toggled) is dropped.
type mdKey struct {
	what  string
	width int
	lang  i18n.Lang
	style string
}

// markdownWidth is the word-wrap width for a pane: glamour adds a margin
// of two cells on each side in its standard styles.
func markdownWidth(pane int) int { return max(pane-4, 20) }

// codeWrap is the word-wrap width for YAML: wide enough that glamour does
// not break a line of a manifest (a broken YAML line reads as a different
// document); lines wider than the pane end in "…" instead. Longer lines
// (a certificate in base64) are cut before rendering: glamour pads every
// line to this width, so it cannot be unbounded.
const codeWrap = 240

// renderMarkdown renders md with glamour for a pane of the given width,
// wrapping prose at wrapAt cells.
func renderMarkdown(md string, width, wrapAt int, style string) (string, error) {
	r, err := glamour.NewTermRenderer(mdtext.StyleOption(style), glamour.WithWordWrap(wrapAt))
	if err != nil {
		return "", err
	}
	out, err := r.Render(mdtext.WrapCode(md, wrapAt))
	if err != nil {
		return "", err
	}
	return tidy(out, width), nil
}

// trailing is what glamour pads every line with: spaces, each in its own
// colour sequence.
var trailing = regexp.MustCompile("(\x1b\\[[0-9;]*m| )+$")

// tidy drops glamour's padding (so lines are as long as their text, and a
// pane cuts nothing but text), cuts lines wider than the pane with "…",
// and trims blank lines at both ends.
func tidy(out string, width int) string {
	lines := strings.Split(out, "\n")
	for i, l := range lines {
		t := trailing.ReplaceAllString(l, "")
		if t != l && strings.Contains(t, "\x1b[") {
			t += "\x1b[m"
		}
		if ansi.StringWidth(t) > width {
			t = ansi.Truncate(t, width, "…")
		}
		lines[i] = t
	}
	for len(lines) > 0 && ansi.Strip(lines[0]) == "" {
		lines = lines[1:]
	}
	for len(lines) > 0 && ansi.Strip(lines[len(lines)-1]) == "" {
		lines = lines[:len(lines)-1]
	}
	return strings.Join(lines, "\n")
}

// lessonMsg is a chapter's lesson, rendered.
type lessonMsg struct {
	key mdKey
	out string
	err error
}

// renderLesson reads and renders a chapter's lesson.
func renderLesson(ch *labs.Chapter, key mdKey) tea.Cmd {
	return func() tea.Msg {
		md, err := ch.Lesson(key.lang)
		if err != nil {
			return lessonMsg{key: key, err: err}
		}
		out, err := renderMarkdown(md, key.width, markdownWidth(key.width), key.style)
		return lessonMsg{key: key, out: out, err: err}
	}
}

// stepDoc is a step's text, manifests and solution, rendered.
type stepDoc struct {
	text, manifests, solution string
	// solutionIsGiven is true when the solution is the given manifests
	// applied unchanged, so there is nothing more to reveal.
	solutionIsGiven bool
}

type stepDocMsg struct {
	key mdKey
	doc stepDoc
	err error
}

// renderStep renders a step: its text as markdown, its manifests and its
// solution as YAML code blocks, which glamour highlights with chroma.
func renderStep(ch *labs.Chapter, st *labs.Step, key mdKey) tea.Cmd {
	return func() tea.Msg {
		var doc stepDoc
		var err error
		if doc.text, err = renderMarkdown(st.Text.In(key.lang), key.width, markdownWidth(key.width), key.style); err != nil {
			return stepDocMsg{key: key, err: err}
		}
		man, err := yamlBlocks(ch, st.Manifests)
		if err == nil {
			doc.manifests, err = renderMarkdown(man, key.width, codeWrap, key.style)
		}
		if err != nil {
			return stepDocMsg{key: key, err: err}
		}
		doc.solutionIsGiven = sameFiles(st.Manifests, st.Solution)
		if !doc.solutionIsGiven {
			sol, err := yamlBlocks(ch, st.Solution)
			if err == nil {
				doc.solution, err = renderMarkdown(sol, key.width, codeWrap, key.style)
			}
			if err != nil {
				return stepDocMsg{key: key, err: err}
			}
		}
		return stepDocMsg{key: key, doc: doc}
	}
}

// yamlBlocks is one fenced YAML block per file, titled with its name.
func yamlBlocks(ch *labs.Chapter, files []string) (string, error) {
	var b strings.Builder
	for _, f := range files {
		data, err := ch.ReadFile(f)
		if err != nil {
			return "", fmt.Errorf("read %s: %w", f, err)
		}
		lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
		for i, l := range lines {
			if len(l) > codeWrap-8 {
				lines[i] = ansi.Truncate(l, codeWrap-8, "…")
			}
		}
		fmt.Fprintf(&b, "`%s`\n\n```yaml\n%s\n```\n\n", f, strings.Join(lines, "\n"))
	}
	return b.String(), nil
}

// sameFiles is true when every solution file is also a given manifest.
func sameFiles(manifests, solution []string) bool {
	given := map[string]bool{}
	for _, f := range manifests {
		given[f] = true
	}
	for _, f := range solution {
		if !given[f] {
			return false
		}
	}
	return len(solution) > 0
}
