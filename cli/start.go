package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/labctl/labctl/cluster"
)

type startFlags struct{ wait time.Duration }

// newStartCommand is `labctl start`: `up` on a lab that exists, nothing new.
func newStartCommand(g *globals) *cobra.Command {
	f := &startFlags{}
	cmd := &cobra.Command{
		Use:   "start",
		Short: g.t(helpStart),
		Long:  g.t(helpStartLong),
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if g.target().External() {
				return usageErrorf("%s", g.t(msgUpExternal))
			}
			o := cluster.DefaultOptions()
			o.Name, o.Image, o.Wait, o.StartOnly = g.name, nodeImage(), f.wait, true
			return runStart(cmd.Context(), g.deps(), o)
		},
	}
	cmd.Flags().DurationVar(&f.wait, "wait", cluster.DefaultOptions().Wait, g.t(flagWait))
	return cmd
}

// runStart starts a stopped lab (o.StartOnly: nothing new is made).
func runStart(ctx context.Context, d deps, o cluster.Options) error {
	var lab *cluster.Lab
	err := withProgress(ctx, d, func(ctx context.Context, rep cluster.Reporter) error {
		var err error
		lab, err = d.Cluster.Up(ctx, o, rep)
		return err
	})
	if err != nil {
		return err
	}
	fmt.Fprintln(d.Out, d.t(msgStarted, lab.Name))
	fmt.Fprintln(d.Out, "  "+envLine(lab.Kubeconfig))
	return nil
}
