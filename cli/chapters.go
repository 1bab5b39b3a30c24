package cli

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/spf13/cobra"
)

func init() { extraCommands = append(extraCommands, newChaptersCommand) }

// chapterRow is one line of `labctl chapters` (and its JSON, schema labctl/chapters/v1).
type chapterRow struct {
	ID      string   `json:"id"`
	Title   string   `json:"title"`
	Summary string   `json:"summary"`
	Steps   []string `json:"steps"`
	Passed  int      `json:"passed"`
}

func newChaptersCommand(g *globals) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "chapters",
		Short: g.t(helpChapters),
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			if err := outputFlag(g, output, "text", "json"); err != nil {
				return err
			}
			lib, err := g.library()
			if err != nil {
				return err
			}
			store := g.store()
			var rows []chapterRow
			for _, ch := range lib.Chapters {
				p, _ := store.Chapter(ch.ID)
				rows = append(rows, chapterRow{ID: ch.ID, Title: ch.Title.In(g.lang), Summary: ch.Summary.In(g.lang), Steps: ch.StepIDs(), Passed: p.Done()})
			}
			if output == "json" {
				return writeJSON(g.streams.Out, map[string]any{"schema": "labctl/chapters/v1", "chapters": rows})
			}
			var table [][]string
			for _, r := range rows {
				table = append(table, []string{r.ID, r.Title, fmt.Sprintf("%d/%d", r.Passed, len(r.Steps)), r.Summary})
			}
			for _, line := range alignColumns(table) {
				fmt.Fprintln(g.streams.Out, line)
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "text", g.t(flagOutput, "text|json"))
	return cmd
}

// alignColumns pads every column but the last to its widest cell, by
// display width (a Korean title takes two columns a letter; text/tabwriter
// counts one), two spaces apart.
func alignColumns(rows [][]string) []string {
	var widths []int
	for _, r := range rows {
		for i, c := range r {
			if i == len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], ansi.StringWidth(c))
		}
	}
	out := make([]string, len(rows))
	for n, r := range rows {
		var b strings.Builder
		for i, c := range r {
			b.WriteString(c)
			if i < len(r)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-ansi.StringWidth(c)+2))
			}
		}
		out[n] = b.String()
	}
	return out
}
