package nodeshell

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"sigs.k8s.io/kind/pkg/exec"

	"github.com/labctl/labctl/i18n"
)

// localNode is a kind node whose commands run on this computer: the pool's
// `sh` is a real shell, so the protocol between them is what is tested.
type localNode struct {
	name   string
	mu     sync.Mutex
	shells int // how many `sh` were started
}

func (n *localNode) Command(cmd string, args ...string) exec.Cmd { return exec.Command(cmd, args...) }
func (n *localNode) CommandContext(ctx context.Context, cmd string, args ...string) exec.Cmd {
	n.mu.Lock()
	n.shells++
	n.mu.Unlock()
	return exec.CommandContext(ctx, cmd, args...)
}
func (n *localNode) String() string              { return n.name }
func (n *localNode) Role() (string, error)       { return "worker", nil }
func (n *localNode) IP() (string, string, error) { return "", "", nil }
func (n *localNode) SerialLogs(io.Writer) error  { return nil }
func (n *localNode) started() int                { n.mu.Lock(); defer n.mu.Unlock(); return n.shells }

// A command's output comes back as printed, without the end marker, also
// when it prints no newline or nothing at all; the shell is reused.
func TestPoolRun(t *testing.T) {
	nd := &localNode{name: "lab-worker"}
	p := NewPool(nd, 0) // at least one shell
	defer p.Close()
	ctx := context.Background()
	tests := []struct{ line, want string }{
		{"echo hello; echo world", "hello\nworld\n"},
		{"printf no-newline", "no-newline"},
		{"true", ""},
		{"echo " + Quote("it's $HOME"), "it's $HOME\n"},
		{"false; echo rc=$?", "rc=1\n"},
	}
	for _, tt := range tests {
		got, err := p.Run(ctx, tt.line, time.Minute)
		if err != nil || got != tt.want {
			t.Errorf("Run(%q) = %q, %v, want %q", tt.line, got, err, tt.want)
		}
	}
	if n := nd.started(); n != 1 {
		t.Errorf("%d shells started for commands run one after the other, want 1", n)
	}
	if p.Node() != nd {
		t.Error("Node")
	}
}

// A command that outlives its timeout kills its shell and says so; the
// next command gets a new shell. A shell that exits ends with an error
// that names the node.
func TestPoolRunFailures(t *testing.T) {
	nd := &localNode{name: "lab-worker"}
	p := NewPool(nd, 1)
	defer p.Close()
	ctx := context.Background()
	_, err := p.Run(ctx, "sleep 5", 50*time.Millisecond)
	if msg := i18n.Localize(err, i18n.En); err == nil || !strings.Contains(msg, "lab-worker") || !strings.Contains(msg, "did not finish") {
		t.Errorf("timeout: %q", msg)
	}
	if out, err := p.Run(ctx, "echo again", time.Minute); err != nil || out != "again\n" || nd.started() != 2 {
		t.Errorf("after a timeout: %q, %v, %d shells", out, err, nd.started())
	}
	// (The shell's stdin copy keeps Run waiting: a shell that exits is
	// noticed at the timeout.)
	if _, err := p.Run(ctx, "exit 3", 200*time.Millisecond); err == nil || !strings.Contains(i18n.Localize(err, i18n.En), "lab-worker") {
		t.Errorf("a shell that exits: %v", err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	full := NewPool(nd, 1)
	full.sem <- struct{}{} // every shell busy
	if _, err := full.Run(cancelled, "true", time.Minute); !errors.Is(err, context.Canceled) {
		t.Errorf("waiting for a busy pool, cancelled: %v", err)
	}
}

// Concurrent commands use at most the pool's shells; Warm starts them all
// ahead; a Set keeps one pool per node.
func TestPoolConcurrencyAndSet(t *testing.T) {
	nd := &localNode{name: "lab-worker"}
	p := NewPool(nd, 2)
	p.Warm()
	if n := len(p.idle); n != 2 {
		t.Errorf("warm made %d shells, want 2", n)
	}
	var wg sync.WaitGroup
	errs := make([]error, 6)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, err := p.Run(context.Background(), fmt.Sprintf("echo %d", i), time.Minute)
			if err == nil && out != fmt.Sprintln(i) {
				err = fmt.Errorf("command %d printed %q", i, out)
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if n := nd.started(); n != 2 {
		t.Errorf("%d shells for 6 commands on a pool of 2", n)
	}
	p.Close()

	var s Set
	a, b := &localNode{name: "a"}, &localNode{name: "b"}
	first := s.For(a)
	if s.For(a) != first || s.For(b) == first || first.max != 2 {
		t.Error("one pool per node, of 2 shells by default")
	}
	if out, err := s.For(b).Run(context.Background(), "echo b", time.Minute); err != nil || out != "b\n" {
		t.Errorf("set run: %q, %v", out, err)
	}
	if err := s.Close(); err != nil || s.pools != nil {
		t.Errorf("close: %v", err)
	}
}
