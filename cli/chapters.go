package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/labctl/labctl/labs"
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
			return runChapters(g.deps(), g.store(), output)
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "text", g.t(flagOutput, "text|json"))
	return cmd
}

// runChapters lists the chapters with the progress store says.
func runChapters(d deps, store *labs.Store, output string) error {
	lib, err := d.Library()
	if err != nil {
		return err
	}
	var rows []chapterRow
	for _, ch := range lib.Chapters {
		p, _ := store.Chapter(ch.ID)
		rows = append(rows, chapterRow{ID: ch.ID, Title: ch.Title.In(d.Lang), Summary: ch.Summary.In(d.Lang), Steps: ch.StepIDs(), Passed: p.Done(), WithHelp: p.WithHelp()})
	}
	if output == "json" {
		return writeJSON(d.Out, map[string]any{"schema": "labctl/chapters/v1", "chapters": rows})
	}
	tw := newTable(d.Out)
	for _, r := range rows {
		done := fmt.Sprintf("%d/%d", r.Passed, len(r.Steps))
		if r.WithHelp > 0 {
			done += " " + d.t(msgWithHelp, r.WithHelp)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.ID, r.Title, done, r.Summary)
	}
	return tw.Flush()
}
