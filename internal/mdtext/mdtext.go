// Package mdtext prepares a lesson's markdown for glamour the same way for
// the TUI and `labctl show`: code lines that would not fit are continued
// with a shell backslash instead of being broken inside a token, and the
// colourless style writes no markdown marks.
package mdtext

import (
	"strings"

	"charm.land/glamour/v2"
	"charm.land/glamour/v2/ansi"
	"charm.land/glamour/v2/styles"
	"github.com/mattn/go-runewidth"
)

// codeIndent is what glamour adds before a code line: the document's margin
// and the code block's own, plus room for the " \" that continues a line.
const codeIndent = 6

// WrapCode rewrites code lines (indented by four spaces, or inside a ```
// fence) wider than width so that each piece fits: broken at spaces, every
// piece but the last ending in " \", the next indented two more. A student
// copying the command gets one command that a shell reads as written; a
// token longer than the line is left whole (the viewer cuts it with "…").
func WrapCode(md string, width int) string {
	limit := width - codeIndent
	if limit < 20 {
		return md
	}
	var out []string
	fenced := false
	for _, line := range strings.Split(md, "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~") {
			fenced = !fenced
			out = append(out, line)
			continue
		}
		indented := strings.HasPrefix(line, "    ") || strings.HasPrefix(line, "\t")
		if (!fenced && !indented) || runewidth.StringWidth(line) <= limit || !isShell(trimmed) {
			out = append(out, line)
			continue
		}
		out = append(out, continueLine(line, limit)...)
	}
	return strings.Join(out, "\n")
}

// isShell tells a command line from YAML or program output, which a
// backslash would change: only commands are continued.
func isShell(s string) bool {
	for _, p := range []string{"labctl ", "kubectl ", "docker ", "curl ", "openssl ", "for ", "dig ", "nslookup ", "helm ", "kind "} {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

func continueLine(line string, limit int) []string {
	indent := line[:len(line)-len(strings.TrimLeft(line, " \t"))]
	command, comment := splitComment(strings.TrimSpace(line))
	var out []string
	if comment != "" {
		// A backslash does not continue a comment: the comment goes on a
		// line of its own above the command, which is then continued.
		out = append(out, wrapComment(indent, comment, limit)...)
		if runewidth.StringWidth(indent+command) <= limit {
			return append(out, indent+command)
		}
	}
	cur := indent
	for _, w := range strings.Fields(command) {
		next := cur + w
		if cur != indent && cur != indent+"  " && runewidth.StringWidth(next)+2 > limit {
			out = append(out, strings.TrimRight(cur, " ")+" \\")
			cur = indent + "  " + w + " "
			continue
		}
		cur = next + " "
	}
	return append(out, strings.TrimRight(cur, " "))
}

// wrapComment word-wraps a comment into lines that each start with "# ",
// so no piece of it reads as a command.
func wrapComment(indent, comment string, limit int) []string {
	words := strings.Fields(strings.TrimLeft(comment, "# "))
	var out []string
	cur := indent + "#"
	for _, w := range words {
		if cur != indent+"#" && runewidth.StringWidth(cur+" "+w) > limit {
			out = append(out, cur)
			cur = indent + "#"
		}
		cur += " " + w
	}
	return append(out, cur)
}

// splitComment cuts a shell line at its comment: a # that starts a word
// and is not inside quotes.
func splitComment(s string) (command, comment string) {
	var quote rune
	for i, r := range s {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			}
		case r == '\'' || r == '"':
			quote = r
		case r == '#' && (i == 0 || s[i-1] == ' ' || s[i-1] == '\t'):
			return strings.TrimSpace(s[:i]), s[i:]
		}
	}
	return s, ""
}

// Plain is glamour's ASCII style without markdown's marks around emphasis:
// for NO_COLOR and terminals without colour, where **[Changed]** came out
// as **[****Changed]**.
func Plain() ansi.StyleConfig {
	c := styles.ASCIIStyleConfig
	c.Emph.BlockPrefix, c.Emph.BlockSuffix = "", ""
	c.Strong.BlockPrefix, c.Strong.BlockSuffix = "", ""
	return c
}

// StyleOption is glamour's option for a style name as labctl uses them:
// "dark", "light", or "notty" for no colour.
func StyleOption(name string) glamour.TermRendererOption {
	if name == styles.NoTTYStyle {
		return glamour.WithStyles(Plain())
	}
	return glamour.WithStandardStyle(name)
}
