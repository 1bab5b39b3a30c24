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
			return runEnv(g.deps(), f, paths.Kubeconfig(g.name))
		},
	}
	cmd.Flags().StringVar(&f.shell, "shell", "", g.t(flagShell))
	return cmd
}

// runEnv prints the line that points kubectl at the lab's kubeconfig (path),
// with a warning on stderr when the file is not there yet.
func runEnv(d deps, f *envFlags, path string) error {
	if _, err := os.Stat(path); err != nil {
		fmt.Fprintln(d.ErrOut, "# "+d.t(msgEnvMissing, path))
	}
	_, err := fmt.Fprintln(d.Out, envLineFor(f.shell, path))
	return err
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
