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
			return withProgress(cmd.Context(), g, func(ctx context.Context, rep cluster.Reporter) error {
				return cluster.Stop(ctx, g.name, g.env(rep))
			})
		},
	}
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
