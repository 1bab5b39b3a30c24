package verify

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

// shellPool lends shells of one node to concurrent requests.
type shellPool struct {
	node nodes.Node
	mu   sync.Mutex
	idle []*shell
	all  []*shell
	max  int
	sem  chan struct{}
}

func newShellPool(nd nodes.Node, max int) *shellPool {
	return &shellPool{node: nd, max: max, sem: make(chan struct{}, max)}
}

// do runs a command line on a free shell, starting one if none is idle.
func (p *shellPool) do(ctx context.Context, line string, timeout time.Duration) (string, error) {
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

// warm starts the pool's shells without waiting for them.
func (p *shellPool) warm() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for len(p.all) < p.max {
		s := startShell(p.node)
		p.all = append(p.all, s)
		p.idle = append(p.idle, s)
	}
}

func (p *shellPool) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, s := range p.all {
		s.stop()
	}
	p.all, p.idle = nil, nil
}

// shellQuote quotes s for sh.
func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
