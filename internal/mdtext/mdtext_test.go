package mdtext

import (
	"strings"
	"testing"

	"charm.land/glamour/v2"
	"charm.land/glamour/v2/styles"
	"github.com/mattn/go-runewidth"
)

func TestWrapCodeContinuesCommands(t *testing.T) {
	md := "Run this:\n\n    kubectl create secret tls tls-secret --cert=tls/tls.crt --key=tls/tls.key\n\nand YAML stays:\n\n    metadata: {name: a-very-long-name-that-goes-on-and-on-and-on-and-on-for-ever}\n"
	got := WrapCode(md, 60)
	want := "Run this:\n\n    kubectl create secret tls tls-secret \\\n      --cert=tls/tls.crt --key=tls/tls.key\n\nand YAML stays:\n\n    metadata: {name: a-very-long-name-that-goes-on-and-on-and-on-and-on-for-ever}\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	for _, line := range strings.Split(got, "\n") {
		if strings.Contains(line, "tls/tls.") && !strings.Contains(line, "tls/tls.crt") && !strings.Contains(line, "tls/tls.key") {
			t.Errorf("a token broken: %q", line)
		}
	}
}

// Rendered at 60 and 80 columns, no command is cut inside a token.
func TestRenderedCommandsStayWhole(t *testing.T) {
	md := "```\nlabctl tls cert --cn kube-book.com -o tls && kubectl create secret tls tls-secret --cert=tls/tls.crt --key=tls/tls.key\n```\n"
	for _, width := range []int{60, 80} {
		r, err := glamour.NewTermRenderer(StyleOption(styles.NoTTYStyle), glamour.WithWordWrap(width-4))
		if err != nil {
			t.Fatal(err)
		}
		out, err := r.Render(WrapCode(md, width-4))
		if err != nil {
			t.Fatal(err)
		}
		for _, tok := range []string{"--cert=tls/tls.crt", "--key=tls/tls.key", "kube-book.com"} {
			if !strings.Contains(out, tok) {
				t.Errorf("%d columns: %q broken:\n%s", width, tok, out)
			}
		}
	}
}

func TestPlainStyleWritesNoMarks(t *testing.T) {
	r, err := glamour.NewTermRenderer(StyleOption(styles.NoTTYStyle), glamour.WithWordWrap(60))
	if err != nil {
		t.Fatal(err)
	}
	out, err := r.Render("It is marked **[Changed]** and *new*.")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out, "*") || !strings.Contains(out, "[Changed]") {
		t.Errorf("got %q", out)
	}
}

// A comment is never continued with a backslash (the shell would run the
// next line): it moves above the command.
func TestWrapCodeKeepsCommentsOutOfContinuations(t *testing.T) {
	md := "    labctl apply ch07 --step N             # or: the step's starter as it is, plus the prerequisites\n    echo '#not a comment' \"# nor this\" --and-a-long-flag=value --another-long-flag=value\n"
	got := WrapCode(md, 60)
	want := "    # or: the step's starter as it is, plus the\n    # prerequisites\n    labctl apply ch07 --step N\n" +
		"    echo '#not a comment' \"# nor this\" --and-a-long-flag=value --another-long-flag=value\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	for _, line := range strings.Split(strings.TrimSpace(WrapCode("    kubectl get pods -l app=web -o wide --watch --show-labels # watch them come up one by one, as the scheduler places them\n", 50)), "\n") {
		if runewidth.StringWidth(line) > 50-codeIndent && !strings.HasSuffix(line, "\\") {
			t.Errorf("too wide: %q", line)
		}
		if strings.Contains(line, "#") && strings.HasSuffix(line, "\\") || !strings.Contains(line, "#") && !strings.HasPrefix(strings.TrimSpace(line), "kubectl") && !strings.HasPrefix(line, "      ") {
			t.Errorf("a comment continued, or a piece of it outside a comment: %q", line)
		}
	}
}
