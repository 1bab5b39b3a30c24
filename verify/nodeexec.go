package verify

import (
	"context"
	"time"
)

// NodeExec runs a read-only command line in every node of the lab (kind's
// node containers, through the shells labctl keeps open in them): the
// vantage point of checks that read what each node holds, such as
// kube-proxy's iptables rules. Checks only run commands that read.
type NodeExec interface {
	// OnNodes runs line in every node at once and returns what each
	// printed on stdout, by node name.
	OnNodes(ctx context.Context, line string) (map[string]string, error)
}

// OnNodes implements NodeExec: the line runs in every node's shell at once
// (one shell per node, kept open for the next check).
func (n *LabNetwork) OnNodes(ctx context.Context, line string) (map[string]string, error) {
	if _, err := n.node(ctx, ""); err != nil {
		return nil, err
	}
	type result struct {
		node, out string
		err       error
	}
	ch := make(chan result, len(n.nodes))
	for _, nd := range n.nodes {
		go func() {
			out, err := n.pool(nd).Run(ctx, line, nodeExecTimeout)
			ch <- result{nd.String(), out, err}
		}()
	}
	outs := map[string]string{}
	var first error
	for range n.nodes {
		r := <-ch
		if r.err != nil && first == nil {
			first = r.err
		}
		outs[r.node] = r.out
	}
	if first != nil {
		return nil, first
	}
	return outs, nil
}

// nodeExecTimeout bounds one command in a node: iptables-save of a lab's
// nat table takes milliseconds.
const nodeExecTimeout = 10 * time.Second
