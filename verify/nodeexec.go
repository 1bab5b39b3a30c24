package verify

import "context"

// NodeExec runs a read-only command line in every node of the lab (kind's
// node containers, through the shells labctl keeps open in them): the
// vantage point of checks that read what each node holds, such as
// kube-proxy's iptables rules. Checks only run commands that read.
type NodeExec interface {
	// OnNodes runs line in every node at once and returns what each
	// printed on stdout, by node name.
	OnNodes(ctx context.Context, line string) (map[string]string, error)
}
