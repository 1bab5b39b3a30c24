package session

import (
	"context"
	"net"
	"strconv"

	"github.com/labctl/labctl/cluster"
	"github.com/labctl/labctl/trace"
)

// Tracer follows packets on this lab (labctl trace, the TUI's trace view);
// close ends the node shells it opened.
func (s *Session) Tracer() (tr *trace.Tracer, close func()) {
	nodes := &labNodes{Lab: s.Lab}
	published := func(ctx context.Context, port int) string {
		http, https := s.Lab.HostPorts(ctx)
		switch {
		case port == 80 && http != 0:
			return net.JoinHostPort(cluster.ListenAddress, strconv.Itoa(http))
		case port == 443 && https != 0:
			return net.JoinHostPort(cluster.ListenAddress, strconv.Itoa(https))
		}
		return ""
	}
	return &trace.Tracer{Client: s.Lab.Client, Dynamic: s.dyn, Nodes: nodes, Published: published}, func() { _ = nodes.Close() }
}
