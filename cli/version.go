package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"

	"github.com/labctl/labctl/cluster"
	"github.com/labctl/labctl/cluster/addons"
)

// Set by the release build: -ldflags "-X github.com/labctl/labctl/cli.version=v1.2.3 ...".
var (
	version = ""
	commit  = ""
	date    = ""
)

// versionString is the version from ldflags, else from the module build info
// (`go install ...@v1.2.3`), else "dev".
func versionString() string {
	v, c := version, commit
	if info, ok := debug.ReadBuildInfo(); ok {
		if v == "" && info.Main.Version != "" && info.Main.Version != "(devel)" {
			v = info.Main.Version
		}
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" && c == "" {
				c = s.Value
			}
		}
	}
	if v == "" {
		v = "dev"
	}
	if len(c) > 12 {
		c = c[:12]
	}
	if c != "" {
		return v + " (" + c + ")"
	}
	return v
}

func newVersionCommand(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: g.t(helpVersion),
		Args:  cobra.NoArgs,
		Run: func(cmd *cobra.Command, _ []string) {
			fmt.Fprint(g.streams.Out, versionText())
		},
	}
}

// versionText is what both `labctl version` and `labctl -v` print.
func versionText() string {
	var b strings.Builder
	fmt.Fprintf(&b, "labctl %s\n", versionString())
	if date != "" {
		fmt.Fprintf(&b, "built %s\n", date)
	}
	fmt.Fprintf(&b, "%s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	fmt.Fprintf(&b, "node image %s\nMetalLB %s, Traefik %s (default), Gateway API %s, ingress-nginx %s (retired upstream)\n",
		cluster.DefaultOptions().Image, addons.MetalLBVersion, addons.TraefikVersion, addons.GatewayAPIVersion, addons.IngressNginxVersion)
	return b.String()
}
