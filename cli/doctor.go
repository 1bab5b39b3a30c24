package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/labctl/labctl/cluster"
	"github.com/labctl/labctl/cluster/doctor"
)

type doctorFlags struct {
	output    string
	httpPort  int
	httpsPort int
}

func newDoctorCommand(g *globals) *cobra.Command {
	f := &doctorFlags{}
	cmd := &cobra.Command{
		Use:   "doctor",
		Short: g.t(helpDoctor),
		Long:  g.t(helpDoctorLong),
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := outputFlag(g, f.output, "text", "json"); err != nil {
				return err
			}
			if err := checkPorts(g, f.httpPort, f.httpsPort); err != nil {
				return err
			}
			return runDoctor(cmd.Context(), g.deps(), f)
		},
	}
	cmd.Flags().StringVarP(&f.output, "output", "o", "text", g.t(flagOutput, "text|json"))
	d := cluster.DefaultOptions()
	cmd.Flags().IntVar(&f.httpPort, "http-port", d.HTTPPort, g.t(flagHTTPPort))
	cmd.Flags().IntVar(&f.httpsPort, "https-port", d.HTTPSPort, g.t(flagHTTPSPort))
	return cmd
}

// runDoctor probes the machine and the lab; a blocking finding exits 1.
func runDoctor(ctx context.Context, d deps, f *doctorFlags) error {
	fs := d.Cluster.Doctor(ctx, f.httpPort, f.httpsPort)
	if f.output == "json" {
		if err := writeJSON(d.Out, map[string]any{"schema": "labctl/doctor/v1", "findings": fs, "blocking": doctor.Blocking(fs)}); err != nil {
			return err
		}
	} else {
		printFindings(d.Out, fs)
	}
	if doctor.Blocking(fs) {
		return &silentError{code: exitFailure}
	}
	return nil
}

func printFindings(w io.Writer, fs []doctor.Finding) {
	marks := map[doctor.State]string{doctor.OK: "✓", doctor.Warn: "!", doctor.Fail: "✗", doctor.Info: "ℹ"}
	tw := 0
	for _, f := range fs {
		tw = max(tw, width(f.Title))
	}
	for _, f := range fs {
		pad := tw - width(f.Title)
		fmt.Fprintf(w, "%s %s%*s  %s\n", marks[f.State], f.Title, pad, "", f.Detail)
		if f.Fix != "" {
			fmt.Fprintf(w, "  %*s  → %s\n", tw, "", f.Fix)
		}
	}
}
