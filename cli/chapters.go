package cli

import (
	"fmt"

	"github.com/spf13/cobra"
)

// chapterRow is one line of `labctl chapters` (and its JSON, schema labctl/chapters/v1).
type chapterRow struct {
	ID      string   `json:"id"`
	Title   string   `json:"title"`
	Summary string   `json:"summary"`
	Steps   []string `json:"steps"`
	Passed  int      `json:"passed"`
	// WithHelp counts passing steps whose solution was applied for the
	// student (labctl apply --solution).
	WithHelp int `json:"solvedWithHelp"`
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
				rows = append(rows, chapterRow{ID: ch.ID, Title: ch.Title.In(g.lang), Summary: ch.Summary.In(g.lang), Steps: ch.StepIDs(), Passed: p.Done(), WithHelp: p.WithHelp()})
			}
			if output == "json" {
				return writeJSON(g.streams.Out, map[string]any{"schema": "labctl/chapters/v1", "chapters": rows})
			}
			tw := newTable(g.streams.Out)
			for _, r := range rows {
				done := fmt.Sprintf("%d/%d", r.Passed, len(r.Steps))
				if r.WithHelp > 0 {
					done += " " + g.t(msgWithHelp, r.WithHelp)
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.ID, r.Title, done, r.Summary)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "text", g.t(flagOutput, "text|json"))
	return cmd
}
