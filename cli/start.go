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
			return runStart(cmd.Context(), g, f)
		},
	}
	cmd.Flags().DurationVar(&f.wait, "wait", cluster.DefaultOptions().Wait, g.t(flagWait))
	return cmd
}

func runStart(ctx context.Context, g *globals, f *startFlags) error {
	o := cluster.DefaultOptions()
	o.Name, o.Image, o.Wait, o.StartOnly = g.name, nodeImage(), f.wait, true
	var lab *cluster.Lab
	err := withProgress(ctx, g, func(ctx context.Context, rep cluster.Reporter) error {
		var err error
		lab, err = cluster.Up(ctx, o, g.labImages(), g.env(rep))
		return err
	})
	if err != nil {
		return err
	}
	fmt.Fprintln(g.streams.Out, g.t(msgStarted, lab.Name))
	fmt.Fprintln(g.streams.Out, "  "+envLine(lab.Kubeconfig))
	return nil
}
