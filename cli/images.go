package cli

import (
	"context"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/labctl/labctl/cluster"
	"github.com/labctl/labctl/cluster/addons"
)

// imageEntry is one line of `labctl images list`.
type imageEntry struct {
	Image string `json:"image"`
	Use   string `json:"use"`
}

// nodeImage is the node image `up` would use.
func nodeImage() string {
	if img := os.Getenv("LABCTL_NODE_IMAGE"); img != "" {
		return img
	}
	return cluster.DefaultOptions().Image
}

// allImages is the one list of every image labctl and the chapters use.
func allImages(d deps) []imageEntry {
	out := []imageEntry{{nodeImage(), "kind node"}}
	for _, img := range addons.MetalLB.Images() {
		out = append(out, imageEntry{img, "MetalLB " + addons.MetalLBVersion})
	}
	for _, img := range addons.Nginx.Images() {
		out = append(out, imageEntry{img, "ingress-nginx " + addons.IngressNginxVersion})
	}
	for _, img := range addons.Traefik.Images() {
		out = append(out, imageEntry{img, "Traefik " + addons.TraefikVersion})
	}
	if lib, err := d.Library(); err == nil {
		for _, img := range lib.Images() {
			out = append(out, imageEntry{img, "labs"})
		}
	}
	return out
}

func newImagesCommand(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "images", Short: g.t(helpImages), Long: g.t(helpImagesLong)}
	var output string
	list := &cobra.Command{
		Use:   "list",
		Short: g.t(helpImagesList),
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			if err := outputFlag(g, output, "text", "json"); err != nil {
				return err
			}
			return runImagesList(g.deps(), output)
		},
	}
	list.Flags().StringVarP(&output, "output", "o", "text", g.t(flagOutput, "text|json"))

	var bundle string
	save := &cobra.Command{
		Use:   "save -o bundle.tar",
		Short: g.t(helpImagesSave),
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if bundle == "" {
				return usageErrorf("-o bundle.tar")
			}
			return runImagesSave(cmd.Context(), g.deps(), bundle)
		},
	}
	save.Flags().StringVarP(&bundle, "output", "o", "", g.t(flagBundle))

	load := &cobra.Command{
		Use:   "load bundle.tar",
		Short: g.t(helpImagesLoad),
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if _, err := os.Stat(args[0]); err != nil {
				return usageErrorf("%v", err)
			}
			return runImagesLoad(cmd.Context(), g.deps(), args[0])
		},
	}
	cmd.AddCommand(list, save, load)
	return cmd
}

// runImagesList prints every image labctl and the chapters use.
func runImagesList(d deps, output string) error {
	imgs := allImages(d)
	if output == "json" {
		return writeJSON(d.Out, imgs)
	}
	tw := newTable(d.Out)
	for _, e := range imgs {
		fmt.Fprintf(tw, "%s\t%s\n", e.Image, e.Use)
	}
	return tw.Flush()
}

// runImagesSave writes every image into one archive for offline classrooms.
func runImagesSave(ctx context.Context, d deps, bundle string) error {
	var refs []string
	for _, e := range allImages(d) {
		refs = append(refs, e.Image)
	}
	return withProgress(ctx, d, func(ctx context.Context, rep cluster.Reporter) error {
		return d.Cluster.SaveImages(ctx, refs, bundle, rep)
	})
}

// runImagesLoad loads an archive into the runtime and the lab's nodes (all
// images but the node image, which the nodes run).
func runImagesLoad(ctx context.Context, d deps, bundle string) error {
	var refs []string
	for _, e := range allImages(d)[1:] {
		refs = append(refs, e.Image)
	}
	return withProgress(ctx, d, func(ctx context.Context, rep cluster.Reporter) error {
		return d.Cluster.LoadImages(ctx, bundle, refs, rep)
	})
}
