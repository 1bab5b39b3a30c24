package cli

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/labctl/labctl/i18n"
	"github.com/labctl/labctl/verify"
)

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
			return runCheck(cmd.Context(), g.deps(), f, args[0])
		},
	}
	cmd.Flags().StringSliceVar(&f.steps, "step", nil, g.t(flagStep))
	cmd.Flags().StringVarP(&f.output, "output", "o", "text", g.t(flagOutput, "text|json|junit"))
	cmd.Flags().DurationVar(&f.timeout, "timeout", 0, g.t(flagCheckTimeout))
	return cmd
}

// runCheck checks a chapter's steps and prints the report. -o json and -o
// junit always print a document, even when nothing could be checked:
// grading scripts read stdout. The exit code is the error's (exitCode): 2
// for a chapter or step that does not exist or an environment problem, 3
// for a stopped lab; a failed check 1, a check that could not observe 2.
func runCheck(ctx context.Context, d deps, f *checkFlags, ref string) error {
	failed := func(chapter string, err error) error {
		if f.output != "text" {
			if werr := writeReport(d.Out, verify.ErrorReport(chapter, d.Lang, i18n.Localize(err, d.Lang)), f.output); werr != nil {
				return werr
			}
		}
		return err
	}
	ch, idx, err := d.chapterSteps(ref, f.steps)
	if err != nil {
		return failed(ref, err)
	}
	s, err := d.OpenSession(ctx)
	if err != nil {
		return failed(ch.ID, err)
	}
	defer s.Close()
	gctx, done := s.Guard(ctx)
	rep := s.Check(gctx, ch, idx, verify.Options{Timeout: f.timeout})
	if err := done(); err != nil {
		return failed(ch.ID, err) // the lab went away while checking
	}
	if err := writeReport(d.Out, rep, f.output); err != nil {
		return err
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	switch rep.Verdict {
	case verify.Fail:
		return &silentError{code: exitFailure}
	case verify.Error:
		return &silentError{code: exitUsage}
	}
	return nil
}

func writeReport(w io.Writer, rep verify.Report, output string) error {
	switch output {
	case "json":
		return rep.WriteJSON(w)
	case "junit":
		return rep.WriteJUnit(w)
	}
	return rep.WriteText(w)
}

func newHintCommand(g *globals) *cobra.Command {
	var step string
	var n int
	cmd := &cobra.Command{
		Use:   "hint CHAPTER --step N",
		Short: g.t(helpHint),
		Args:  cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			return runHint(g.deps(), args[0], step, n)
		},
	}
	cmd.Flags().StringVar(&step, "step", "", g.t(flagStep))
	cmd.Flags().IntVarP(&n, "number", "n", 1, g.t(flagHintNumber))
	return cmd
}

// runHint prints the n-th hint of a step: the step's own, then its checks'.
func runHint(d deps, ref, step string, n int) error {
	ch, err := d.chapter(ref)
	if err != nil {
		return err
	}
	if step == "" {
		return usageErrorf("--step")
	}
	idx, err := d.steps(ch, []string{step})
	if err != nil {
		return err
	}
	if len(idx) != 1 {
		return usageErrorf("--step %s: %s", step, d.t(msgHintOneStep))
	}
	s := ch.Steps[idx[0]]
	var hints []string
	for _, h := range s.Hints {
		hints = append(hints, h.In(d.Lang))
	}
	for _, c := range s.Checks {
		if h := c.Hint.In(d.Lang); h != "" {
			hints = append(hints, h)
		}
	}
	if len(hints) == 0 {
		fmt.Fprintln(d.Out, d.t(msgNoHints))
		return nil
	}
	if n < 1 || n > len(hints) {
		return usageErrorf("-n %d (1-%d)", n, len(hints))
	}
	fmt.Fprintf(d.Out, "%s %d/%d: %s\n", d.t(msgHintLabel), n, len(hints), hints[n-1])
	if n < len(hints) {
		fmt.Fprintln(d.Out, "  "+d.t(msgMoreHints, ch.ID, s.ID, n+1))
	}
	return nil
}
