package cli

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/labctl/labctl/apply"
	"github.com/labctl/labctl/i18n"
	"github.com/labctl/labctl/labs"
	"github.com/labctl/labctl/session"
)

type applyFlags struct {
	steps    []string
	files    []string
	force    bool
	solution bool
	wait     time.Duration
}

// newApplyCommand applies a step's starter (what the student is given, with
// the part the step teaches missing or wrong) or, with --solution, its
// answer, which records the step as solved with help.
func newApplyCommand(g *globals) *cobra.Command {
	f := &applyFlags{}
	cmd := &cobra.Command{
		Use:   "apply CHAPTER [--step N] [--solution] [-f FILE]",
		Short: g.t(helpApply),
		Long:  g.t(helpApplyLong),
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runApply(cmd.Context(), g.deps(), f, args[0])
		},
	}
	cmd.Flags().StringSliceVar(&f.steps, "step", nil, g.t(flagStep))
	cmd.Flags().BoolVar(&f.solution, "solution", false, g.t(flagApplySolution))
	cmd.Flags().StringSliceVarP(&f.files, "file", "f", nil, g.t(flagApplyFile))
	cmd.Flags().BoolVar(&f.force, "force", false, g.t(flagForce))
	cmd.Flags().DurationVar(&f.wait, "wait", 3*time.Minute, g.t(flagApplyWait))
	return cmd
}

// runApply applies the chosen steps' starters, or with --solution their
// answers, within --wait; a lab that goes away meanwhile is the error.
func runApply(ctx context.Context, d deps, f *applyFlags, ref string) error {
	ch, idx, err := d.chapterSteps(ref, f.steps)
	if err != nil {
		return err
	}
	s, err := d.OpenSession(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	ctx, cancel := context.WithTimeout(ctx, f.wait)
	defer cancel()
	ctx, done := s.Guard(ctx)
	switch {
	case len(f.files) > 0:
		err = applyFiles(ctx, d, s, ch, f.files, f.force)
	case f.solution:
		err = applySolution(ctx, d, s, ch, idx, f.force)
	default:
		err = applyStarters(ctx, d, s, ch, idx, f.force)
	}
	if gone := done(); gone != nil {
		return gone // the lab went away under the apply
	}
	return err
}

// applyFiles applies the student's own files in the chapter's namespace,
// as kubectl apply -f would, and also the objects only labctl understands
// (labctl.dev/v1 KubeletConfig: ch15's pod limit on a node's kubelet).
func applyFiles(ctx context.Context, d deps, s labSession, ch *labs.Chapter, files []string, force bool) error {
	var objs []apply.Object
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		o, err := apply.Decode(f, data)
		if err != nil {
			return err
		}
		objs = append(objs, o...)
	}
	return s.ApplyObjects(ctx, ch, objs, force, func(o apply.Object) {
		fmt.Fprintf(d.Out, "✓ %s\n", o.Ref())
	})
}

func applySolution(ctx context.Context, d deps, s labSession, ch *labs.Chapter, idx []int, force bool) error {
	err := s.ApplySolution(ctx, ch, idx, force, func(o apply.Object) {
		fmt.Fprintf(d.Out, "✓ %s\n", o.Ref())
	})
	if err != nil {
		return err
	}
	fmt.Fprintln(d.Out, d.t(msgApplied, ch.ID))
	return nil
}

// applyStarters applies each chosen step's starter (every step's when none
// is chosen), after what it builds on. A starter the API server rejects is
// part of some exercises (the notes' removed Ingress API): it is reported
// and the next step's starter is still applied.
func applyStarters(ctx context.Context, d deps, s labSession, ch *labs.Chapter, idx []int, force bool) error {
	if len(idx) == 0 {
		for i := range ch.Steps {
			idx = append(idx, i)
		}
	}
	var failed []string
	var last error
	for _, i := range idx {
		st := &ch.Steps[i]
		err := s.ApplyStarter(ctx, ch, i, nil, force, func(p session.Prerequisite) {
			from := "?"
			if p.Step >= 0 {
				from = fmt.Sprintf("%d %s", p.Step+1, ch.Steps[p.Step].ID)
			}
			fmt.Fprintln(d.Out, d.t(msgPrerequisite, p.Ref(), from))
		}, func(o apply.Object) {
			fmt.Fprintf(d.Out, "✓ %s\n", o.Ref())
		})
		if err != nil {
			if ctx.Err() != nil {
				return err
			}
			failed, last = append(failed, st.ID), err
			if len(idx) > 1 {
				fmt.Fprintf(d.ErrOut, "✗ %s/%s: %s\n", ch.ID, st.ID, i18n.Localize(err, d.Lang))
			}
			continue
		}
		fmt.Fprintln(d.Out, d.t(msgStarterApplied, ch.ID, st.ID))
	}
	switch {
	case len(failed) == 0 && len(idx) == 1:
		fmt.Fprintln(d.Out, d.t(msgStarterNext, ch.ID, ch.Steps[idx[0]].ID))
	case len(idx) == 1 && len(failed) == 1:
		return i18n.Errorf(msgStarterNotApplied, ch.ID, failed[0]).Wrap(last).WithFix(fixStarterNotApplied)
	case len(failed) > 0:
		return i18n.Errorf(msgStartersNotApplied, ch.ID, strings.Join(failed, ", ")).WithFix(fixStarterNotApplied)
	}
	return nil
}

func newResetCommand(g *globals) *cobra.Command {
	var wait time.Duration
	cmd := &cobra.Command{
		Use:   "reset CHAPTER",
		Short: g.t(helpReset),
		Long:  g.t(helpResetLong),
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runReset(cmd.Context(), g.deps(), args[0], wait)
		},
	}
	cmd.Flags().DurationVar(&wait, "wait", 2*time.Minute, g.t(flagApplyWait))
	return cmd
}

// runReset deletes what the chapter's manifests create, within wait.
func runReset(ctx context.Context, d deps, ref string, wait time.Duration) error {
	ch, err := d.chapter(ref)
	if err != nil {
		return err
	}
	s, err := d.OpenSession(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	ctx, done := s.Guard(ctx)
	n, err := s.Reset(ctx, ch)
	if gone := done(); gone != nil {
		return gone
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(d.Out, d.t(msgReset, ch.ID, n))
	return nil
}
