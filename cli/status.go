package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/labctl/labctl/cluster"
	"github.com/labctl/labctl/i18n"
)

type statusFlags struct{ output string }

func newStatusCommand(g *globals) *cobra.Command {
	f := &statusFlags{}
	cmd := &cobra.Command{
		Use:   "status",
		Short: g.t(helpStatus),
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := outputFlag(g, f.output, "text", "json"); err != nil {
				return err
			}
			lab, err := cluster.Open(cmd.Context(), g.target())
			if err != nil {
				return err
			}
			st, err := cluster.GetStatus(cmd.Context(), lab, g.lang)
			if err != nil {
				return err
			}
			if f.output == "json" {
				return writeJSON(g.streams.Out, st)
			}
			printStatus(g.streams.Out, g.lang, st)
			if !st.Healthy() {
				return &silentError{code: exitFailure}
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&f.output, "output", "o", "text", g.t(flagOutput, "text|json"))
	return cmd
}

func printStatus(w io.Writer, l i18n.Lang, st cluster.Status) {
	mark := func(ok bool) string {
		if ok {
			return "✓"
		}
		return "✗"
	}
	fmt.Fprintf(w, "%s %s   %s %s   %s\n", msgStCluster.F(l), st.Name, msgStVersion.F(l), st.Version, st.Server)
	fmt.Fprintf(w, "kubeconfig %s (context %s)\n\n", st.Kubeconfig, st.Context)
	tw := newTable(w)
	fmt.Fprintln(tw, msgStNodesHeader.F(l))
	for _, n := range st.Nodes {
		fmt.Fprintf(tw, "%s %s\t%s\t%s\t%s\n", mark(n.Ready), n.Name, n.Role, n.Version, n.InternalIP)
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
		fmt.Fprintln(w, msgStNginxRetired.F(l, cluster.IngressNginxVersion))
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
}
