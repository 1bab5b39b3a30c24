package cli

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/labctl/labctl/i18n"
	"github.com/labctl/labctl/verify"
)

func init() { extraCommands = append(extraCommands, newCheckCommand, newHintCommand) }

type checkFlags struct {
	steps   []string
	output  string
	timeout time.Duration
}

func newCheckCommand(g *globals) *cobra.Command {
	f := &checkFlags{}
	cmd := &cobra.Command{
		Use:   "check CHAPTER [--step N]",
		Short: g.t(helpCheck),
		Long:  g.t(helpCheckLong),
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := outputFlag(g, f.output, "text", "json", "junit"); err != nil {
				return err
			}
			// -o json and -o junit always print a document, even when
			// nothing could be checked: grading scripts read stdout.
			// The exit code is the error's: 2 for a chapter or step that
			// does not exist or an environment problem, 3 for a stopped lab.
			failed := func(chapter string, err error) error {
				if f.output != "text" {
					if werr := writeReport(g, verify.ErrorReport(chapter, g.lang, i18n.Localize(err, g.lang)), f.output); werr != nil {
						return werr
					}
				}
				return err // exitCode decides by the error's mark
			}
			ch, idx, err := g.chapterSteps(args[0], f.steps)
			if err != nil {
				return failed(args[0], err)
			}
			s, err := g.session(cmd.Context())
			if err != nil {
				return failed(ch.ID, err)
			}
			defer s.Close()
			ctx, done := s.Guard(cmd.Context())
			rep := s.Check(ctx, ch, idx, verify.Options{Timeout: f.timeout})
			if err := done(); err != nil {
				return failed(ch.ID, err) // the lab went away while checking
			}
			if err := writeReport(g, rep, f.output); err != nil {
				return err
			}
			if cmd.Context().Err() != nil {
				return cmd.Context().Err()
			}
			switch rep.Verdict {
			case verify.Fail:
				return &silentError{code: exitFailure}
			case verify.Error:
				return &silentError{code: exitUsage}
			}
			return nil
		},
	}
	cmd.Flags().StringSliceVar(&f.steps, "step", nil, g.t(flagStep))
	cmd.Flags().StringVarP(&f.output, "output", "o", "text", g.t(flagOutput, "text|json|junit"))
	cmd.Flags().DurationVar(&f.timeout, "timeout", 0, g.t(flagCheckTimeout))
	return cmd
}

func writeReport(g *globals, rep verify.Report, output string) error {
	switch output {
	case "json":
		return rep.WriteJSON(g.streams.Out)
	case "junit":
		return rep.WriteJUnit(g.streams.Out)
	}
	return rep.WriteText(g.streams.Out)
}

func newHintCommand(g *globals) *cobra.Command {
	var step string
	var n int
	cmd := &cobra.Command{
		Use:   "hint CHAPTER --step N",
		Short: g.t(helpHint),
		Args:  cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			ch, err := g.chapter(args[0])
			if err != nil {
				return err
			}
			if step == "" {
				return usageErrorf(g, "--step")
			}
			idx, err := g.steps(ch, []string{step})
			if err != nil {
				return err
			}
			if len(idx) != 1 {
				return usageErrorf(g, "--step %s: %s", step, g.t(msgHintOneStep))
			}
			s := ch.Steps[idx[0]]
			var hints []string
			for _, h := range s.Hints {
				hints = append(hints, h.In(g.lang))
			}
			for _, c := range s.Checks {
				if h := c.Hint.In(g.lang); h != "" {
					hints = append(hints, h)
				}
			}
			if len(hints) == 0 {
				fmt.Fprintln(g.streams.Out, g.t(msgNoHints))
				return nil
			}
			if n < 1 || n > len(hints) {
				return usageErrorf(g, "-n %d (1-%d)", n, len(hints))
			}
			fmt.Fprintf(g.streams.Out, "%s %d/%d: %s\n", g.t(msgHintLabel), n, len(hints), hints[n-1])
			if n < len(hints) {
				fmt.Fprintln(g.streams.Out, "  "+g.t(msgMoreHints, ch.ID, s.ID, n+1))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&step, "step", "", g.t(flagStep))
	cmd.Flags().IntVarP(&n, "number", "n", 1, g.t(flagHintNumber))
	return cmd
}
