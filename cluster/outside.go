package cluster

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"github.com/labctl/labctl/cluster/internal/runtime"
)

// The "outside": a small echo server beside the nodes on the kind network,
// standing in for the internet in ch15's egress step (the notes ask
// ipinfo.io which address a pod's traffic comes from). It is a plain
// container, not a kind node, so it runs on every OS the nodes run on, and
// answers GET /clientip with the source address it saw.

// outsideImage is the outside server's image (agnhost netexec).
const outsideImage = "registry.k8s.io/e2e-test-images/agnhost:2.56"

// outsidePort is the port the outside server listens on.
const outsidePort = 8080

// outsideLabel marks the outside container with the lab it belongs to (not
// kind's cluster label: kind would take it for a node).
const outsideLabel = "dev.labctl.outside"

// outsideName is the container name of the lab's outside server.
func outsideName(lab string) string { return lab + "-outside" }

// ensureOutside starts the lab's outside server, or starts it again when it
// is stopped; a running one is left as it is (up is idempotent).
func ensureOutside(ctx context.Context, rt runtime.Runtime, lab string) error {
	name := outsideName(lab)
	out, err := rt.Output(ctx, "ps", "-a", "--filter", "label="+outsideLabel+"="+lab, "--format", "{{.Names}} {{.State}}")
	if err != nil {
		return err
	}
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(l)
		if len(f) < 2 || f[0] != name {
			continue
		}
		if f[1] == "running" {
			return nil
		}
		_, err := rt.Output(ctx, "start", name)
		return err
	}
	_, err = rt.Output(ctx, "run", "-d", "--name", name, "--network", kindNetwork(),
		"--label", outsideLabel+"="+lab, "--restart", "unless-stopped",
		outsideImage, "netexec", fmt.Sprintf("--http-port=%d", outsidePort))
	return err
}

// removeOutside deletes the lab's outside server; none is not an error.
func removeOutside(ctx context.Context, rt runtime.Runtime, lab string) error {
	out, err := rt.Output(ctx, "ps", "-aq", "--filter", "label="+outsideLabel+"="+lab)
	if err != nil {
		return err
	}
	for _, id := range strings.Fields(string(out)) {
		if _, err := rt.Output(ctx, "rm", "-f", id); err != nil {
			return err
		}
	}
	return nil
}

// outsideAddress is the outside server's IPv4 address on the kind network.
func outsideAddress(ctx context.Context, rt runtime.Runtime, lab string) (netip.Addr, error) {
	out, err := rt.Output(ctx, "inspect", "--format", "{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}", outsideName(lab))
	if err != nil {
		return netip.Addr{}, err
	}
	for _, f := range strings.Fields(string(out)) {
		if a, err := netip.ParseAddr(f); err == nil && a.Is4() {
			return a, nil
		}
	}
	return netip.Addr{}, fmt.Errorf("%s has no IPv4 address on the %s network", outsideName(lab), kindNetwork())
}

// ErrNotKind marks a lab labctl did not make with kind (no outside server).
var ErrNotKind = errors.New("not a kind cluster labctl made")

// Outside is the lab's outside server's address.
func (l *Lab) Outside(ctx context.Context) (netip.Addr, error) {
	if _, err := l.kind(); err != nil {
		return netip.Addr{}, fmt.Errorf("%w: %w", ErrNotKind, err)
	}
	return outsideAddress(ctx, l.rt, l.Name)
}
