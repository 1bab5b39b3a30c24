package cluster

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"sigs.k8s.io/kind/pkg/log"

	"github.com/labctl/labctl/cluster/internal/runtime"
	"github.com/labctl/labctl/i18n"
	"github.com/labctl/labctl/internal/view"
)

// Reporter shows a long operation's steps as they happen: the CLI prints
// lines, the TUI draws a progress view.
type Reporter = view.Reporter

// Env is what a provisioning operation needs besides its options.
type Env struct {
	Lang     i18n.Lang
	Reporter Reporter
	// Runtime names the container runtime (docker, podman, nerdctl); ""
	// detects it, as Target.Runtime does.
	Runtime string
	// rt is the runtime Runtime resolves to (tests set it).
	rt runtime.Runtime
}

// resolve finds the runtime Env names, once.
func (e *Env) resolve() error {
	if e.rt.Name != "" {
		return nil
	}
	rt, err := runtime.Detect(e.Runtime)
	if err != nil {
		return err
	}
	e.rt = rt
	return nil
}

// step runs f as one reported step.
func (e Env) step(title string, f func() error) error {
	e.Reporter.Start(title)
	start := time.Now()
	err := f()
	e.Reporter.Done(err, time.Since(start))
	return err
}

func (e Env) note(m i18n.Message, args ...any) { e.Reporter.Note(m.F(e.Lang, args...)) }

// kindLogger feeds kind's status lines ("Preparing nodes", "Starting
// control-plane") to the reporter as progress and keeps the recent ones for
// error messages.
type kindLogger struct {
	mu     sync.Mutex
	rep    Reporter
	recent []string
	last   string
}

var _ log.Logger = (*kindLogger)(nil)

func (k *kindLogger) add(s string, progress bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return
	}
	// kind prints "Preparing nodes ..." when a stage starts and the same
	// words when it ends: show each stage once.
	stage := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(strings.TrimLeft(s, " ✓•✗")), "..."))
	k.mu.Lock()
	k.recent = append(k.recent, s)
	if len(k.recent) > 20 {
		k.recent = k.recent[len(k.recent)-20:]
	}
	show := progress && k.rep != nil && stage != k.last
	if show {
		k.last = stage
	}
	k.mu.Unlock()
	if show {
		k.rep.Progress(stage)
	}
}

// Tail returns kind's last lines, for an error report.
func (k *kindLogger) Tail() string {
	k.mu.Lock()
	defer k.mu.Unlock()
	return strings.Join(k.recent, "\n")
}

func (k *kindLogger) Warn(m string)                { k.add(m, false) }
func (k *kindLogger) Warnf(f string, a ...any)     { k.add(fmt.Sprintf(f, a...), false) }
func (k *kindLogger) Error(m string)               { k.add(m, false) }
func (k *kindLogger) Errorf(f string, a ...any)    { k.add(fmt.Sprintf(f, a...), false) }
func (k *kindLogger) V(l log.Level) log.InfoLogger { return kindInfo{k, l} }

type kindInfo struct {
	k *kindLogger
	l log.Level
}

func (i kindInfo) Info(m string)            { i.k.add(m, i.l == 0) }
func (i kindInfo) Infof(f string, a ...any) { i.k.add(fmt.Sprintf(f, a...), i.l == 0) }
func (i kindInfo) Enabled() bool            { return i.l <= 1 }

// quiet is a Reporter that shows nothing: for work done in the background
// of other steps, which a later step waits for and reports.
type quiet struct{}

func (quiet) Start(string)              {}
func (quiet) Progress(string)           {}
func (quiet) Done(error, time.Duration) {}
func (quiet) Note(string)               {}
