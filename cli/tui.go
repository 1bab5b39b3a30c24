package cli

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"sync"

	"github.com/labctl/labctl/apply"
	"github.com/labctl/labctl/cluster"
	"github.com/labctl/labctl/i18n"
	"github.com/labctl/labctl/internal/paths"
	"github.com/labctl/labctl/internal/settings"
	"github.com/labctl/labctl/session"
	"github.com/labctl/labctl/tui"
)

// runInteractive is `labctl` with no command: the TUI over the same
// session, store and cluster packages the commands use.
func runInteractive(ctx context.Context, g *globals) error {
	// g.lang follows detectLang's rule: --lang, LABCTL_LANG, the language
	// last chosen here, the locale.
	// The library loads in the TUI's first command; up may ask for its
	// images from another goroutine, so both go through one load.
	lib := sync.OnceValues(g.library)
	b := &session.Backend{
		Target:    g.target(),
		Store:     g.store(),
		UpOptions: tuiUpOptions(g),
		Images: func() apply.ImagePlan {
			if l, err := lib(); err == nil {
				return l.ImagePlan()
			}
			return nil
		},
	}
	defer b.Close()
	// client-go's klog lines would write over the screen: keep the last
	// run's in a file beside the progress, for a bug report.
	var log io.Writer
	if f, err := openTUILog(); err == nil {
		defer f.Close()
		log = f
	}
	return tui.Run(ctx, tui.Options{
		Lang:     g.lang,
		Library:  lib,
		Backend:  b,
		Live:     b, // the kube-proxy step's bars: a proxy core on the step's Service
		Trace:    b, // t: the path a packet takes to the step's Service
		Progress: g.store(),
		Cluster:  g.name,
		SaveLang: func(l i18n.Lang) error {
			s, _ := settings.Load() // a damaged file is replaced
			s.Lang = l
			return settings.Save(s)
		},
		In:  g.streams.In,
		Out: g.streams.Out,
		Log: log,
	})
}

func openTUILog() (*os.File, error) {
	if err := os.MkdirAll(paths.StateDir(), 0o755); err != nil {
		return nil, err
	}
	return os.Create(filepath.Join(paths.StateDir(), "tui.log"))
}

// tuiUpOptions are `labctl up`'s defaults, flags left as they are: the
// cluster name from --name, Traefik unless the cluster already runs
// another controller, the node image from LABCTL_NODE_IMAGE.
func tuiUpOptions(g *globals) cluster.Options {
	if g.target().External() {
		return cluster.Options{} // the backend refuses up for a cluster labctl did not make
	}
	f := upFlagsFrom(cluster.DefaultOptions())
	o, err := f.options(g, false)
	if err != nil {
		return cluster.Options{Name: g.name}
	}
	return o
}
