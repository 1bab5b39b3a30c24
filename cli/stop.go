package cli

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/labctl/labctl/cluster"
)

// newStopCommand is `labctl stop`: the nodes stop, the lab stays.
func newStopCommand(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "stop",
		Short: g.t(helpStop),
		Long:  g.t(helpStopLong),
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if g.target().External() {
				return usageErrorf("%s", g.t(msgUpExternal))
			}
			return runStop(cmd.Context(), g.deps())
		},
	}
}

// runStop stops the lab's nodes; everything in it is kept.
func runStop(ctx context.Context, d deps) error {
	return withProgress(ctx, d, d.Cluster.Stop)
}

// stopCommand is the one command that stops the lab called name.
func stopCommand(name string) string {
	if name == "" || name == cluster.DefaultOptions().Name {
		return "labctl stop"
	}
	return "labctl stop --name " + name
}

// startCommand is the one command that starts the lab called name.
func startCommand(name string) string {
	if name == "" || name == cluster.DefaultOptions().Name {
		return "labctl start"
	}
	return "labctl start --name " + name
}
