package cli

import (
	"context"

	"github.com/spf13/cobra"
)

func newDownCommand(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "down",
		Short: g.t(helpDown),
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if g.target().External() {
				// down deletes a kind cluster labctl made, by --name; it must
				// never delete the default lab when another cluster was meant.
				return usageErrorf("%s", g.t(msgUpExternal))
			}
			return runDown(cmd.Context(), g.deps())
		},
	}
}

// runDown deletes the lab labctl made.
func runDown(ctx context.Context, d deps) error {
	return withProgress(ctx, d, d.Cluster.Down)
}
