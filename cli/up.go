package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/labctl/labctl/cluster"
	"github.com/labctl/labctl/i18n"
)

type upFlags struct {
	workers   int
	image     string
	ingress   string
	httpPort  int
	httpsPort int
	retain    bool
	merge     bool
	wait      time.Duration
}

// upFlagsFrom are the flags of up as they are when none is given.
func upFlagsFrom(o cluster.Options) *upFlags {
	return &upFlags{workers: o.Workers, ingress: string(o.Ingress), httpPort: o.HTTPPort, httpsPort: o.HTTPSPort, wait: o.Wait}
}

func newUpCommand(g *globals) *cobra.Command {
	d := upFlagsFrom(cluster.DefaultOptions())
	f := &upFlags{}
	cmd := &cobra.Command{
		Use:   "up",
		Short: g.t(helpUp),
		Long:  g.t(helpUpLong),
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o, err := f.options(g, cmd.Flags().Changed("ingress"))
			if err != nil {
				return err
			}
			return runUp(cmd.Context(), g.deps(), o)
		},
	}
	fl := cmd.Flags()
	fl.IntVar(&f.workers, "workers", d.workers, g.t(flagWorkers))
	fl.StringVar(&f.image, "image", "", g.t(flagImage, cluster.DefaultOptions().Image))
	fl.StringVar(&f.ingress, "ingress", d.ingress, g.t(flagIngress))
	fl.IntVar(&f.httpPort, "http-port", d.httpPort, g.t(flagHTTPPort))
	fl.IntVar(&f.httpsPort, "https-port", d.httpsPort, g.t(flagHTTPSPort))
	fl.BoolVar(&f.retain, "retain", false, g.t(flagRetain))
	fl.BoolVar(&f.merge, "merge-kubeconfig", false, g.t(flagMerge))
	fl.DurationVar(&f.wait, "wait", d.wait, g.t(flagWait))
	return cmd
}

func (f *upFlags) options(g *globals, ingressSet bool) (cluster.Options, error) {
	ing, err := cluster.ParseIngress(f.ingress)
	if err != nil {
		return cluster.Options{}, usageErrorf("--ingress: %s", i18n.Localize(err, g.lang))
	}
	if f.workers < 0 || f.workers > 10 {
		return cluster.Options{}, usageErrorf("--workers %d (0-10)", f.workers)
	}
	if err := checkPorts(g, f.httpPort, f.httpsPort); err != nil {
		return cluster.Options{}, err
	}
	image := f.image
	if image == "" {
		image = nodeImage()
	}
	if g.target().External() {
		return cluster.Options{}, usageErrorf("%s", g.t(msgUpExternal))
	}
	return cluster.Options{
		Name: g.name, Workers: f.workers, Image: image, Ingress: ing, IngressExplicit: ingressSet,
		HTTPPort: f.httpPort, HTTPSPort: f.httpsPort, Retain: f.retain, MergeKubeconfig: f.merge, Wait: f.wait,
	}, nil
}

// runUp makes or repairs the lab with progress, then says how to use it.
func runUp(ctx context.Context, d deps, o cluster.Options) error {
	var lab *cluster.Lab
	err := withProgress(ctx, d, func(ctx context.Context, rep cluster.Reporter) error {
		var err error
		lab, err = d.Cluster.Up(ctx, o, rep)
		return err
	})
	if err != nil {
		return err
	}
	fmt.Fprintln(d.Out, d.t(msgUpReady, lab.Name))
	fmt.Fprintln(d.Out, "  "+envLine(lab.Kubeconfig))
	fmt.Fprintln(d.Out, "  "+d.t(msgUpNext))
	return nil
}

// checkPorts is the one rule for the ingress host ports (up and doctor).
func checkPorts(g *globals, httpPort, httpsPort int) error {
	for _, p := range []struct {
		flag string
		n    int
	}{{"--http-port", httpPort}, {"--https-port", httpsPort}} {
		if p.n < 1 || p.n > 65535 {
			return usageErrorf("%s %d: %s", p.flag, p.n, g.t(msgWantOneOf, "1-65535"))
		}
	}
	if httpPort == httpsPort {
		return usageErrorf("%s", g.t(msgSamePorts, httpPort))
	}
	return nil
}
