package session

import (
	"context"
	"fmt"
	"sync"
	"time"

	"sigs.k8s.io/kind/pkg/cluster/nodes"

	"github.com/labctl/labctl/cluster"
	"github.com/labctl/labctl/cluster/nodeshell"
)

// labNodes are a kind lab's nodes as labctl trace reads them, through
// shells kept open in them (one per node; a trace sends each node one
// command line).
type labNodes struct {
	Lab *cluster.Lab

	once   sync.Once
	byName map[string]nodes.Node
	err    error
	shells nodeshell.Set
}

// nodeTimeout bounds one command in a node.
const traceNodeTimeout = 10 * time.Second

// Run implements trace.Nodes.
func (l *labNodes) Run(ctx context.Context, node, line string) (string, error) {
	l.once.Do(func() {
		var ns []nodes.Node
		ns, l.err = l.Lab.Nodes()
		l.byName = map[string]nodes.Node{}
		for _, n := range ns {
			l.byName[n.String()] = n
		}
	})
	if l.err != nil {
		return "", l.err
	}
	nd, ok := l.byName[node]
	if !ok {
		return "", fmt.Errorf("no node container %s in cluster %s", node, l.Lab.Name)
	}
	l.shells.PerNode = 1
	return l.shells.For(nd).Run(ctx, line, traceNodeTimeout)
}

// Close ends the shells.
func (l *labNodes) Close() error { return l.shells.Close() }
