package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"

	"charm.land/glamour/v2"
	"charm.land/glamour/v2/styles"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"

	"github.com/labctl/labctl/internal/mdtext"
)

func newShowCommand(g *globals) *cobra.Command {
	var raw bool
	cmd := &cobra.Command{
		Use:   "show CHAPTER",
		Short: g.t(helpShow),
		Args:  cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			return runShow(g.deps(), args[0], raw)
		},
	}
	cmd.Flags().BoolVar(&raw, "raw", false, g.t(flagRaw))
	return cmd
}

// runShow prints a chapter's lesson: rendered and paged on a terminal, the
// Markdown itself otherwise (or with --raw).
func runShow(d deps, ref string, raw bool) error {
	ch, err := d.chapter(ref)
	if err != nil {
		return err
	}
	md, err := ch.Lesson(d.Lang)
	if err != nil {
		return err
	}
	if raw || !isTerminal(d.Out) {
		_, err := fmt.Fprint(d.Out, md)
		return err
	}
	out, err := renderMarkdown(md, terminalWidth(d.Out))
	if err != nil {
		return err
	}
	return page(d.Out, out)
}

// renderMarkdown renders a lesson for a terminal of the given width; with
// NO_COLOR it uses glamour's style without colours.
func renderMarkdown(md string, width int) (string, error) {
	style := styles.DarkStyle
	if !lipgloss.HasDarkBackground(os.Stdin, os.Stdout) {
		style = styles.LightStyle
	}
	if os.Getenv("NO_COLOR") != "" {
		style = styles.NoTTYStyle
	}
	r, err := glamour.NewTermRenderer(mdtext.StyleOption(style), glamour.WithWordWrap(width-2))
	if err != nil {
		return "", err
	}
	return r.Render(mdtext.WrapCode(md, width-2))
}

func terminalWidth(w any) int {
	if f, ok := w.(*os.File); ok {
		if width, _, err := term.GetSize(f.Fd()); err == nil && width > 20 {
			return min(width, 120)
		}
	}
	return 80
}

// page shows text through the student's pager when it is longer than the
// terminal, as git does: $PAGER (LABCTL_PAGER first; "cat" or empty turns
// it off), else less with -R for colours, -F to quit when it fits and -X to
// leave the text on the screen. Without a pager the text is printed.
func page(w io.Writer, text string) error {
	f, ok := w.(*os.File)
	if !ok || !isTerminal(w) || strings.Count(text, "\n") < terminalHeight(f) {
		_, err := io.WriteString(w, text)
		return err
	}
	argv := pagerCommand(os.Getenv("LABCTL_PAGER"), os.Getenv("PAGER"), exec.LookPath)
	if argv == nil {
		_, err := io.WriteString(w, text)
		return err
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = strings.NewReader(text), f, os.Stderr
	if os.Getenv("LESS") == "" {
		cmd.Env = append(os.Environ(), "LESS=FRX")
	}
	if err := cmd.Run(); err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return nil // the student quit the pager
		}
		_, err := io.WriteString(w, text) // the pager could not start
		return err
	}
	return nil
}

// pagerCommand picks the pager: LABCTL_PAGER, then PAGER, then less (or
// more on Windows) when installed; nil for none.
func pagerCommand(labctlPager, pager string, lookPath func(string) (string, error)) []string {
	for _, p := range []string{labctlPager, pager} {
		if f := strings.Fields(p); len(f) > 0 {
			if f[0] == "cat" {
				return nil
			}
			return f
		}
	}
	for _, p := range []string{"less", "more"} {
		if _, err := lookPath(p); err == nil {
			return []string{p}
		}
	}
	return nil
}

func terminalHeight(f *os.File) int {
	if _, h, err := term.GetSize(f.Fd()); err == nil && h > 0 {
		return h
	}
	return 24
}
