package cli

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/labctl/labctl/cluster"
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
			return withProgress(cmd.Context(), g, func(ctx context.Context, rep cluster.Reporter) error {
				return cluster.Down(ctx, g.name, g.env(rep))
			})
		},
	}
}
