package session

import (
	"github.com/labctl/labctl/trace"
)

// Tracer follows packets on this lab (labctl trace, the TUI's trace view);
// close ends the node shells it opened.
func (s *Session) Tracer() (tr *trace.Tracer, close func()) {
	nodes := &trace.LabNodes{Lab: s.Lab}
	return &trace.Tracer{Client: s.Lab.Client, Dynamic: s.dyn, Nodes: nodes}, func() { _ = nodes.Close() }
}
