package tui

import (
	"context"
	"errors"
	"sync"

	"github.com/labctl/labctl/cluster"
	"github.com/labctl/labctl/cluster/apply"
	"github.com/labctl/labctl/i18n"
	"github.com/labctl/labctl/labs"
	"github.com/labctl/labctl/session"
	"github.com/labctl/labctl/verify"
)

// SessionBackend is the real Backend: the session package for lab work and
// the cluster package for status and up, as the CLI uses them. It keeps
// one open session and one handle for the status bar, so polling does not
// build a new client (and a new TLS connection) every few seconds; both are
// dropped when they fail and opened again on next use.
type SessionBackend struct {
	Target cluster.Target
	Store  *labs.Store
	// UpOptions is what the cluster key builds: the CLI's defaults (name
	// from --name, ingress nginx unless the cluster has another, the node
	// image from LABCTL_NODE_IMAGE).
	UpOptions cluster.Options
	// Images lists the images the chapters use, side-loaded by up.
	Images func() []string
	// Lang is the language of the status bar's details until the student
	// runs something in another one.
	Lang i18n.Lang

	mu   sync.Mutex
	sess *session.Session
	lab  *cluster.Lab
}

var _ Backend = (*SessionBackend)(nil)

// Status reads the cluster for the status bar.
func (b *SessionBackend) Status(ctx context.Context) ClusterInfo {
	info := ClusterInfo{Name: b.Target.Name}
	b.mu.Lock()
	lab := b.lab
	b.mu.Unlock()
	if lab == nil {
		var err error
		lab, err = cluster.Open(ctx, b.Target)
		switch {
		case errors.Is(err, cluster.ErrNoCluster):
			info.State = ClusterNone
			return info
		case errors.Is(err, cluster.ErrStopped):
			return stoppedInfo(ctx, b.Target, err)
		case err != nil:
			info.State, info.Err = ClusterUnreachable, err
			return info
		}
	}
	b.mu.Lock()
	lang := b.Lang
	b.mu.Unlock()
	st, err := cluster.GetStatus(ctx, lab, lang)
	b.mu.Lock()
	defer b.mu.Unlock()
	if errors.Is(err, cluster.ErrStopped) {
		b.lab = nil
		return stoppedInfo(ctx, b.Target, err)
	}
	if err != nil {
		b.lab = nil
		info.State, info.Err = ClusterUnreachable, err
		return info
	}
	b.lab = lab
	return statusInfo(st)
}

// stoppedInfo is the status bar's reading of a lab whose nodes are stopped:
// Detail says how stopped (stopped, partly-stopped, paused).
func stoppedInfo(ctx context.Context, t cluster.Target, err error) ClusterInfo {
	info := ClusterInfo{State: ClusterStopped, Name: t.Name, Err: err, Detail: string(cluster.LabStopped)}
	if st, serr := cluster.StoppedStatus(ctx, t); serr == nil {
		info.Detail, info.Nodes = string(st.State), len(st.Nodes)
	}
	return info
}

// statusInfo turns a cluster.Status into the status bar's reading.
func statusInfo(st cluster.Status) ClusterInfo {
	info := ClusterInfo{Name: st.Name, Version: st.Version, Nodes: len(st.Nodes), Ingress: st.IngressClass, State: ClusterReady}
	for _, n := range st.Nodes {
		if n.Ready {
			info.ReadyNodes++
		}
	}
	for _, a := range st.Addons {
		if a.Installed && !a.Healthy && info.Addon == "" {
			info.Addon, info.Detail = a.Name, a.Detail
		}
	}
	switch {
	case st.Stopped():
		info.State, info.Detail = ClusterStopped, string(st.State)
	case !st.Healthy():
		info.State = ClusterUnhealthy
	}
	return info
}

// Up creates or repairs the cluster with the CLI's defaults.
func (b *SessionBackend) Up(ctx context.Context, lang i18n.Lang, rep cluster.Reporter) error {
	if b.Target.External() {
		return i18n.Errorf(msgUpExternal)
	}
	rt, err := cluster.DetectRuntime(b.Target.Runtime)
	if err != nil {
		return err
	}
	var images []string
	if b.Images != nil {
		images = b.Images()
	}
	_, err = cluster.Up(ctx, b.UpOptions, images, cluster.Env{Lang: lang, Reporter: rep, Runtime: rt})
	// A new cluster has a new kubeconfig: read the status afresh. The
	// session is left alone, a check may be using it; if it belonged to a
	// cluster that is gone, its next operation fails and drops it.
	b.mu.Lock()
	b.lab = nil
	b.mu.Unlock()
	return err
}

// session returns the open session, opening it when needed (outside the
// lock: opening pings the cluster, and the status bar must not wait).
func (b *SessionBackend) session(ctx context.Context, lang i18n.Lang) (*session.Session, error) {
	b.mu.Lock()
	s := b.sess
	b.mu.Unlock()
	if s == nil {
		opened, err := session.Open(ctx, b.Target, lang, b.Store)
		if err != nil {
			return nil, err
		}
		b.mu.Lock()
		if b.sess == nil {
			b.sess = opened
		} else {
			opened.Close()
		}
		s = b.sess
		b.mu.Unlock()
	}
	s.Lang = lang // the student may have toggled the language
	b.mu.Lock()
	b.Lang = lang
	b.mu.Unlock()
	return s, nil
}

// drop forgets the session and the status handle after a failure.
func (b *SessionBackend) drop() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.sess != nil {
		b.sess.Close()
	}
	b.sess, b.lab = nil, nil
}

// Close releases the session.
func (b *SessionBackend) Close() { b.drop() }

// Check runs the checks through the session, which records progress.
func (b *SessionBackend) Check(ctx context.Context, lang i18n.Lang, ch *labs.Chapter, steps []int, o verify.Options) (verify.Report, error) {
	s, err := b.session(ctx, lang)
	if err != nil {
		return verify.Report{}, err
	}
	gctx, done := s.Guard(ctx)
	rep := s.Check(gctx, ch, steps, o)
	if err := done(); err != nil {
		b.drop()
		return verify.Report{}, err
	}
	if ctx.Err() == nil && rep.Verdict == verify.Error {
		b.drop() // maybe the cluster went away: look again next time
	}
	return rep, nil
}

// ApplySolution applies the steps' solution.
func (b *SessionBackend) ApplySolution(ctx context.Context, ch *labs.Chapter, steps []int, applied func(apply.Object)) error {
	s, err := b.session(ctx, i18n.En)
	if err != nil {
		return err
	}
	gctx, done := s.Guard(ctx)
	err = s.ApplySolution(gctx, ch, steps, false, applied)
	return b.failed(guarded(done, err))
}

// ApplyStarter applies the step's prerequisites, then the starter or the
// student's edited objects.
func (b *SessionBackend) ApplyStarter(ctx context.Context, ch *labs.Chapter, step int, mine []apply.Object, prereq func(apply.Object, int), applied func(apply.Object)) error {
	s, err := b.session(ctx, i18n.En)
	if err != nil {
		return err
	}
	gctx, done := s.Guard(ctx)
	err = s.ApplyStarter(gctx, ch, step, mine, false, func(p session.Prerequisite) { prereq(p.Object, p.Step) }, applied)
	return b.failed(guarded(done, err))
}

// Reset resets the chapter.
func (b *SessionBackend) Reset(ctx context.Context, ch *labs.Chapter) (int, error) {
	s, err := b.session(ctx, i18n.En)
	if err != nil {
		return 0, err
	}
	gctx, done := s.Guard(ctx)
	n, err := s.Reset(gctx, ch)
	return n, b.failed(guarded(done, err))
}

// guarded ends a guard: why the lab went away, if it did, explains the
// failure better than the cancelled operation's own error.
func guarded(done func() error, err error) error {
	if gone := done(); gone != nil {
		return gone
	}
	return err
}

// failed drops the session when an operation failed for a reason other
// than the student's Ctrl-C, so the next one starts from a fresh look.
func (b *SessionBackend) failed(err error) error {
	if err != nil && !cancelled(err) {
		b.drop()
	}
	return err
}
