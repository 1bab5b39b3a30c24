package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/labctl/labctl/cluster/apply"
	"github.com/labctl/labctl/session"
)

func init() { extraCommands = append(extraCommands, newApplyCommand, newResetCommand) }

type applyFlags struct {
	steps []string
	force bool
	wait  time.Duration
}

func newApplyCommand(g *globals) *cobra.Command {
	f := &applyFlags{}
	cmd := &cobra.Command{
		Use:   "apply CHAPTER [--step N]",
		Short: g.t(helpApply),
		Long:  g.t(helpApplyLong),
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ch, idx, err := g.chapterSteps(args[0], f.steps)
			if err != nil {
				return err
			}
			s, err := g.session(cmd.Context())
			if err != nil {
				return err
			}
			defer s.Close()
			ctx, cancel := context.WithTimeout(cmd.Context(), f.wait)
			defer cancel()
			ctx, done := s.Guard(ctx)
			err = s.ApplySolution(ctx, ch, idx, f.force, func(o apply.Object) {
				fmt.Fprintf(g.streams.Out, "✓ %s\n", o.Ref())
			})
			if gone := done(); gone != nil {
				return gone
			}
			if err != nil {
				return err
			}
			fmt.Fprintln(g.streams.Out, g.t(msgApplied, ch.ID))
			return nil
		},
	}
	cmd.Flags().StringSliceVar(&f.steps, "step", nil, g.t(flagStep))
	cmd.Flags().BoolVar(&f.force, "force", false, g.t(flagForce))
	cmd.Flags().DurationVar(&f.wait, "wait", 3*time.Minute, g.t(flagApplyWait))
	return cmd
}

func newResetCommand(g *globals) *cobra.Command {
	var wait time.Duration
	cmd := &cobra.Command{
		Use:   "reset CHAPTER",
		Short: g.t(helpReset),
		Long:  g.t(helpResetLong),
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ch, err := g.chapter(args[0])
			if err != nil {
				return err
			}
			s, err := g.session(cmd.Context())
			if err != nil {
				return err
			}
			defer s.Close()
			ctx, cancel := context.WithTimeout(cmd.Context(), wait)
			defer cancel()
			ctx, done := s.Guard(ctx)
			n, err := s.Reset(ctx, ch)
			if gone := done(); gone != nil {
				return gone
			}
			if err != nil {
				return err
			}
			fmt.Fprintln(g.streams.Out, g.t(msgReset, ch.ID, n))
			return nil
		},
	}
	cmd.Flags().DurationVar(&wait, "wait", 2*time.Minute, g.t(flagApplyWait))
	return cmd
}

// session opens the target cluster for lab work.
func (g *globals) session(ctx context.Context) (*session.Session, error) {
	return session.Open(ctx, g.target(), g.lang, g.store())
}
