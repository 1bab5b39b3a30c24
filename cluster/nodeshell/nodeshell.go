// Package nodeshell keeps shells open in a lab's node containers and runs
// read-only commands in them: curl for checks that send traffic from a node,
// iptables-save and ip route for labctl trace, crictl for the chapters that
// look under a pod. It reaches the nodes through kind's node API, so it works
// the same on macOS, Windows and Linux (no host network access needed).
package nodeshell

import (
	"bufio"
	"context"
	"io"
	"strings"
	"sync"
	"time"

	"sigs.k8s.io/kind/pkg/cluster/nodes"

	"github.com/labctl/labctl/i18n"
)

// A docker exec costs more than the curl it runs (the runtime's CLI starts,
// the engine sets up the exec). A check run keeps a few shells open in the
// node and sends them commands instead: the first request of a run pays for
// the exec, the others only for curl.

// shellEnd marks the end of one command's output.
const shellEnd = "@@labctl-end@@"

type shell struct {
	stdin *io.PipeWriter
	out   *bufio.Reader
	stop  func()
}

// startShell opens `sh` in the node, reading commands from a pipe.
func startShell(nd nodes.Node) *shell {
	ctx, cancel := context.WithCancel(context.Background())
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	go func() {
		err := nd.CommandContext(ctx, "sh").SetStdin(inR).SetStdout(outW).SetStderr(io.Discard).Run()
		if err == nil {
			err = io.EOF
		}
		outW.CloseWithError(err)
		inR.CloseWithError(err)
	}()
	return &shell{stdin: inW, out: bufio.NewReader(outR), stop: func() { cancel(); inW.Close() }}
}

// run sends one command line and returns what it printed. A command that
// outlives timeout kills the shell (it is not reused).
func (s *shell) run(line string, timeout time.Duration) (string, error) {
	if _, err := io.WriteString(s.stdin, line+"; printf '\\n"+shellEnd+"\\n'\n"); err != nil {
		return "", err
	}
	type result struct {
		out string
		err error
	}
	done := make(chan result, 1)
	go func() {
		var b strings.Builder
		for {
			l, err := s.out.ReadString('\n')
			if strings.TrimRight(l, "\n") == shellEnd {
				out := b.String()
				done <- result{strings.TrimSuffix(out, "\n"), nil}
				return
			}
			b.WriteString(l)
			if err != nil {
				done <- result{b.String(), err}
				return
			}
		}
	}()
	select {
	case r := <-done:
		return r.out, r.err
	case <-time.After(timeout):
		s.stop()
		return "", i18n.Errorf(msgNodeTimeout, timeout)
	}
}

// Pool lends shells of one node to concurrent commands.
type Pool struct {
	node nodes.Node
	mu   sync.Mutex
	idle []*shell
	all  []*shell
	max  int
	sem  chan struct{}
}

// NewPool returns a pool of at most max shells in the node.
func NewPool(nd nodes.Node, max int) *Pool {
	if max < 1 {
		max = 1
	}
	return &Pool{node: nd, max: max, sem: make(chan struct{}, max)}
}

// Node is the node the pool's shells run in.
func (p *Pool) Node() nodes.Node { return p.node }

// Run runs a command line on a free shell, starting one if none is idle, and
// returns what it printed on stdout. A command that outlives timeout kills
// its shell. The command's exit status is not reported: append
// `; echo "rc=$?"` where it matters.
func (p *Pool) Run(ctx context.Context, line string, timeout time.Duration) (string, error) {
	select {
	case p.sem <- struct{}{}:
	case <-ctx.Done():
		return "", ctx.Err()
	}
	defer func() { <-p.sem }()
	p.mu.Lock()
	var s *shell
	if n := len(p.idle); n > 0 {
		s, p.idle = p.idle[n-1], p.idle[:n-1]
	} else {
		s = startShell(p.node)
		p.all = append(p.all, s)
	}
	p.mu.Unlock()
	out, err := s.run(line, timeout)
	if err != nil {
		s.stop()
		return out, i18n.Errorf(msgNodeShell, p.node.String()).Wrap(err)
	}
	p.mu.Lock()
	p.idle = append(p.idle, s)
	p.mu.Unlock()
	return out, nil
}

// Warm starts the pool's shells without waiting for them.
func (p *Pool) Warm() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for len(p.all) < p.max {
		s := startShell(p.node)
		p.all = append(p.all, s)
		p.idle = append(p.idle, s)
	}
}

// Close ends the pool's shells.
func (p *Pool) Close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, s := range p.all {
		s.stop()
	}
	p.all, p.idle = nil, nil
}

// Quote quotes s for sh.
func Quote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// Set keeps one Pool per node, made on first use.
type Set struct {
	// PerNode is the most shells kept open in one node (default 2).
	PerNode int

	mu    sync.Mutex
	pools map[string]*Pool
}

// For returns the node's pool.
func (s *Set) For(nd nodes.Node) *Pool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pools == nil {
		s.pools = map[string]*Pool{}
	}
	p, ok := s.pools[nd.String()]
	if !ok {
		per := s.PerNode
		if per == 0 {
			per = 2
		}
		p = NewPool(nd, per)
		s.pools[nd.String()] = p
	}
	return p
}

// Close ends every shell of every node.
func (s *Set) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.pools {
		p.Close()
	}
	s.pools = nil
	return nil
}
