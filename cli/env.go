package cli

import (
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/labctl/labctl/internal/paths"
)

type envFlags struct{ shell string }

// shells are the syntaxes env can print.
var shells = []string{"sh", "bash", "zsh", "fish", "powershell", "pwsh", "cmd"}

func newEnvCommand(g *globals) *cobra.Command {
	f := &envFlags{}
	cmd := &cobra.Command{
		Use:   "env",
		Short: g.t(helpEnv),
		Long:  g.t(helpEnvLong),
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if f.shell != "" && !slices.Contains(shells, f.shell) {
				return usageErrorf("--shell %q: %s", f.shell, g.t(msgWantOneOf, strings.Join(shells, ", ")))
			}
			path := paths.Kubeconfig(g.name)
			if _, err := os.Stat(path); err != nil {
				fmt.Fprintln(g.streams.ErrOut, "# "+g.t(msgEnvMissing, path))
			}
			fmt.Fprintln(g.streams.Out, envLineFor(f.shell, path))
			return nil
		},
	}
	cmd.Flags().StringVar(&f.shell, "shell", "", g.t(flagShell))
	return cmd
}

func envLine(path string) string { return envLineFor("", path) }

// envLineFor prints the kubeconfig setting in the shell's syntax.
func envLineFor(shell, path string) string {
	if shell == "" {
		shell = "sh"
		if runtime.GOOS == "windows" {
			shell = "powershell"
		}
	}
	switch shell {
	case "powershell", "pwsh":
		return fmt.Sprintf("$Env:KUBECONFIG = %q", path)
	case "cmd":
		return fmt.Sprintf("set KUBECONFIG=%s", path)
	case "fish":
		return fmt.Sprintf("set -gx KUBECONFIG %q", path)
	}
	return fmt.Sprintf("export KUBECONFIG=%q", path)
}
