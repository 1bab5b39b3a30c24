package cli

import (
	"os"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
)

// newManCommand writes man pages (the release build packs them); hidden
// because students read `labctl --help`.
func newManCommand(g *globals) *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:    "man",
		Short:  g.t(helpMan),
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
			root := cmd.Root()
			root.DisableAutoGenTag = true
			return doc.GenManTree(root, &doc.GenManHeader{Title: "LABCTL", Section: "1", Source: "labctl " + versionString()}, dir)
		},
	}
	cmd.Flags().StringVarP(&dir, "output", "o", "manpages", g.t(flagManDir))
	return cmd
}
