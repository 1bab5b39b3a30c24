package cli

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/labctl/labctl/cluster"
	"github.com/labctl/labctl/cluster/addons"
	"github.com/labctl/labctl/i18n"
	"github.com/labctl/labctl/labs"
)

type statusFlags struct{ output string }

func newStatusCommand(g *globals) *cobra.Command {
	f := &statusFlags{}
	cmd := &cobra.Command{
		Use:   "status",
		Short: g.t(helpStatus),
		Long:  g.t(helpStatusLong),
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := outputFlag(g, f.output, "text", "json"); err != nil {
				return err
			}
			return runStatus(cmd.Context(), g.deps(), f.output)
		},
	}
	cmd.Flags().StringVarP(&f.output, "output", "o", "text", g.t(flagOutput, "text|json"))
	return cmd
}

// runStatus prints the lab's status. A lab whose nodes are stopped is a
// state: it is shown from the runtime, with the command that starts it, and
// exits 3 (1 when something else is not healthy).
func runStatus(ctx context.Context, d deps, output string) error {
	st, err := d.Cluster.Status(ctx, output == "text")
	if err != nil {
		return err
	}
	if output == "json" {
		if err := writeJSON(d.Out, st); err != nil {
			return err
		}
	} else {
		printStatus(d.Out, d.Lang, st)
	}
	switch {
	case st.Stopped():
		if output == "text" {
			fmt.Fprintf(d.Out, "%s\n  → %s\n", d.t(msgStStopped, st.State.Text(d.Lang)), d.t(msgStStartIt, startCommand(st.Name)))
		}
		return &silentError{code: exitStopped}
	case !st.Healthy():
		return &silentError{code: exitFailure}
	}
	return nil
}

func printStatus(w io.Writer, l i18n.Lang, st cluster.Status) {
	mark := func(ok bool) string {
		if ok {
			return "✓"
		}
		return "✗"
	}
	if st.Stopped() && st.Version == "" {
		// Only the runtime could be asked: nodes and their containers.
		fmt.Fprintf(w, "%s %s   %s\n", msgStCluster.F(l), st.Name, st.State.Text(l))
		fmt.Fprintf(w, "kubeconfig %s (context %s)\n\n", st.Kubeconfig, st.Context)
		tw := newTable(w)
		fmt.Fprintln(tw, msgStContainersHeader.F(l))
		for _, n := range st.Nodes {
			fmt.Fprintf(tw, "%s %s\t%s\t%s\n", mark(n.Container == "running"), n.Name, n.Role, n.Container)
		}
		tw.Flush()
		fmt.Fprintln(w)
		if st.Memory > 0 {
			fmt.Fprintf(w, "%s %s\n", msgStMemory.F(l), formatBytes(st.Memory))
		}
		return
	}
	state := ""
	if st.State != "" {
		state = "   " + st.State.Text(l)
	}
	fmt.Fprintf(w, "%s %s   %s %s   %s%s\n", msgStCluster.F(l), st.Name, msgStVersion.F(l), st.Version, st.Server, state)
	fmt.Fprintf(w, "kubeconfig %s (context %s)\n\n", st.Kubeconfig, st.Context)
	tw := newTable(w)
	fmt.Fprintln(tw, msgStNodesHeader.F(l))
	for _, n := range st.Nodes {
		ip := n.InternalIP
		if n.Container != "" {
			ip += "  (" + n.Container + ")"
		}
		fmt.Fprintf(tw, "%s %s\t%s\t%s\t%s\n", mark(n.Ready), n.Name, n.Role, n.Version, ip)
	}
	tw.Flush()
	fmt.Fprintln(w)
	tw = newTable(w)
	fmt.Fprintln(tw, msgStAddonsHeader.F(l))
	for _, a := range st.Addons {
		if !a.Installed {
			fmt.Fprintf(tw, "- %s\t%s\t%s\n", a.Name, a.Version, msgStNotInstalled.F(l))
			continue
		}
		state := msgStHealthy.F(l)
		if !a.Healthy {
			state = a.Detail
		}
		fmt.Fprintf(tw, "%s %s\t%s\t%s\n", mark(a.Healthy), a.Name, a.Version, state)
	}
	tw.Flush()
	fmt.Fprintln(w)
	if g := st.Gateway; g != nil {
		tw = newTable(w)
		fmt.Fprintln(tw, msgStGatewayHeader.F(l, g.Version))
		class, gw := msgStHealthy.F(l), msgStHealthy.F(l)
		if !g.ClassAccepted || !g.Programmed {
			class, gw = g.Detail, g.Detail
		}
		if g.ClassAccepted {
			class = msgStAccepted.F(l)
		}
		if g.Programmed {
			gw = msgStProgrammed.F(l, strings.Join(g.Addresses, ", "))
		}
		fmt.Fprintf(tw, "%s GatewayClass %s\t%s\n", mark(g.ClassAccepted), g.Class, class)
		fmt.Fprintf(tw, "%s Gateway %s\t%s\n", mark(g.Programmed), g.Gateway, gw)
		tw.Flush()
		fmt.Fprintln(w)
	}
	if st.NginxRetired {
		fmt.Fprintln(w, msgStNginxRetired.F(l, addons.IngressNginxVersion))
	}
	if st.Pool != "" {
		fmt.Fprintf(w, "%s %s\n", msgStPool.F(l), st.Pool)
	}
	if st.IngressClass != "" {
		fmt.Fprintf(w, "%s %s\n", msgStClass.F(l), st.IngressClass)
	}
	if st.HTTPPort != 0 {
		ports := []string{fmt.Sprintf("http://localhost:%d", st.HTTPPort)}
		if st.HTTPSPort != 0 {
			ports = append(ports, fmt.Sprintf("https://localhost:%d", st.HTTPSPort))
		}
		fmt.Fprintf(w, "%s %s\n", msgStIngressURL.F(l), strings.Join(ports, "  "))
	}
	if st.Outside != "" {
		fmt.Fprintf(w, "%s %s\n", msgStOutside.F(l), st.Outside)
	}
	if p := st.PodLimit; p != nil {
		fmt.Fprintf(w, "%s %s\n", msgStPodLimit.F(l), msgStPodLimitOf.F(l, p.Node, p.MaxPods, labs.MaxPodsNodeKey+"="+labs.MaxPodsNodeValue+":NoSchedule"))
	}
	if st.Memory > 0 {
		fmt.Fprintf(w, "%s %s   (%s)\n", msgStMemory.F(l), formatBytes(st.Memory), msgStStopHint.F(l, stopCommand(st.Name)))
	}
}

// formatBytes writes a size the way the runtime does (1.1 GiB).
func formatBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.0f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d KiB", n>>10)
}
