package session

import (
	"context"
	"errors"
	"sync"

	"github.com/labctl/labctl/apply"
	"github.com/labctl/labctl/cluster"
	"github.com/labctl/labctl/i18n"
	"github.com/labctl/labctl/internal/view"
	"github.com/labctl/labctl/labs"
	"github.com/labctl/labctl/verify"
)

// Backend is the TUI's way to the lab: the session for lab work, the
// cluster package for status and up, as the CLI uses them. It keeps one
// open session and one handle for the status bar, so polling does not
// build a new client (and a new TLS connection) every few seconds; both are
// dropped when they fail and opened again on next use.
//
// Every call names the language it reports in: the TUI's goroutines share
// one Backend while the student may switch language, so the language is
// never state of the Backend or of its session.
type Backend struct {
	Target cluster.Target
	Store  *labs.Store
	// UpOptions is what the cluster key builds: the CLI's defaults (name
	// from --name, the ingress controller unless the cluster has another,
	// the node image from LABCTL_NODE_IMAGE).
	UpOptions cluster.Options
	// Images says which images the chapters use and where their pods run,
	// side-loaded by up.
	Images func() apply.ImagePlan

	mu   sync.Mutex
	sess *Session
	lab  *cluster.Lab

	// Stand-ins for the cluster in tests; nil means the real ones.
	open    func(ctx context.Context, t cluster.Target, store *labs.Store) (*Session, error)
	openLab func(ctx context.Context, t cluster.Target) (*cluster.Lab, error)
	status  func(ctx context.Context, lab *cluster.Lab, lang i18n.Lang) (cluster.Status, error)
	stopped func(ctx context.Context, t cluster.Target) (cluster.Status, error)
}

// Status reads the cluster for the status bar, in lang.
func (b *Backend) Status(ctx context.Context, lang i18n.Lang) view.ClusterInfo {
	info := view.ClusterInfo{Name: b.Target.Name}
	b.mu.Lock()
	lab := b.lab
	b.mu.Unlock()
	if lab == nil {
		var err error
		lab, err = b.openLabFunc()(ctx, b.Target)
		switch {
		case errors.Is(err, cluster.ErrNoCluster):
			info.State = view.ClusterNone
			return info
		case errors.Is(err, cluster.ErrStopped):
			return b.stoppedInfo(ctx, lang, err)
		case err != nil:
			info.State, info.Err = view.ClusterUnreachable, err
			return info
		}
	}
	status := func(ctx context.Context, lab *cluster.Lab, lang i18n.Lang) (cluster.Status, error) {
		return lab.Status(ctx, lang)
	}
	if b.status != nil {
		status = b.status
	}
	st, err := status(ctx, lab, lang)
	b.mu.Lock()
	defer b.mu.Unlock()
	if errors.Is(err, cluster.ErrStopped) {
		b.lab = nil
		return b.stoppedInfo(ctx, lang, err)
	}
	if err != nil {
		b.lab = nil
		info.State, info.Err = view.ClusterUnreachable, err
		return info
	}
	b.lab = lab
	return statusInfo(st, lang)
}

func (b *Backend) openLabFunc() func(context.Context, cluster.Target) (*cluster.Lab, error) {
	if b.openLab != nil {
		return b.openLab
	}
	return cluster.Open
}

// stoppedInfo is the status bar's reading of a lab whose nodes are stopped:
// Detail says how stopped (stopped, partly stopped, paused).
func (b *Backend) stoppedInfo(ctx context.Context, lang i18n.Lang, err error) view.ClusterInfo {
	info := view.ClusterInfo{State: view.ClusterStopped, Name: b.Target.Name, Err: err, Detail: cluster.LabStopped.Text(lang)}
	stopped := func(ctx context.Context, t cluster.Target) (cluster.Status, error) { return t.StoppedStatus(ctx) }
	if b.stopped != nil {
		stopped = b.stopped
	}
	if st, serr := stopped(ctx, b.Target); serr == nil {
		info.Detail, info.Nodes = st.State.Text(lang), len(st.Nodes)
	}
	return info
}

// statusInfo turns a cluster.Status into the status bar's reading.
func statusInfo(st cluster.Status, lang i18n.Lang) view.ClusterInfo {
	info := view.ClusterInfo{Name: st.Name, Version: st.Version, Nodes: len(st.Nodes), Ingress: st.IngressClass, State: view.ClusterReady}
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
		info.State, info.Detail = view.ClusterStopped, st.State.Text(lang)
	case !st.Healthy():
		info.State = view.ClusterUnhealthy
	}
	return info
}

// Up creates or repairs the cluster with the CLI's defaults.
func (b *Backend) Up(ctx context.Context, lang i18n.Lang, rep view.Reporter) error {
	if b.Target.External() {
		return i18n.Errorf(msgUpExternal)
	}
	o := b.UpOptions
	if b.Images != nil {
		o.Images = b.Images()
	}
	_, err := cluster.Up(ctx, o, cluster.Env{Lang: lang, Reporter: rep, Runtime: b.Target.Runtime})
	// A new cluster has a new kubeconfig: read the status afresh. The
	// session is left alone, a check may be using it; if it belonged to a
	// cluster that is gone, its next operation fails and drops it.
	b.mu.Lock()
	b.lab = nil
	b.mu.Unlock()
	return err
}

// session returns the open session speaking lang, opening it when needed
// (outside the lock: opening pings the cluster, and the status bar must
// not wait).
func (b *Backend) session(ctx context.Context, lang i18n.Lang) (*Session, error) {
	b.mu.Lock()
	s := b.sess
	b.mu.Unlock()
	if s == nil {
		open := b.open
		if open == nil {
			open = func(ctx context.Context, t cluster.Target, store *labs.Store) (*Session, error) {
				return Open(ctx, t, lang, store)
			}
		}
		opened, err := open(ctx, b.Target, b.Store)
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
	return s.In(lang), nil
}

// drop forgets the session and the status handle after a failure.
func (b *Backend) drop() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.sess != nil {
		b.sess.Close()
	}
	b.sess, b.lab = nil, nil
}

// Close releases the session.
func (b *Backend) Close() { b.drop() }

// Check runs the checks through the session, which records progress.
func (b *Backend) Check(ctx context.Context, lang i18n.Lang, ch *labs.Chapter, steps []int, o verify.Options) (verify.Report, error) {
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
func (b *Backend) ApplySolution(ctx context.Context, lang i18n.Lang, ch *labs.Chapter, steps []int, applied func(apply.Object)) error {
	s, err := b.session(ctx, lang)
	if err != nil {
		return err
	}
	gctx, done := s.Guard(ctx)
	err = s.ApplySolution(gctx, ch, steps, false, applied)
	return b.failed(guarded(done, err))
}

// ApplyStarter applies the step's prerequisites, then the starter or the
// student's edited objects.
func (b *Backend) ApplyStarter(ctx context.Context, lang i18n.Lang, ch *labs.Chapter, step int, mine []apply.Object, prereq func(apply.Object, int), applied func(apply.Object)) error {
	s, err := b.session(ctx, lang)
	if err != nil {
		return err
	}
	gctx, done := s.Guard(ctx)
	err = s.ApplyStarter(gctx, ch, step, mine, false, func(p Prerequisite) { prereq(p.Object, p.Step) }, applied)
	return b.failed(guarded(done, err))
}

// Reset resets the chapter.
func (b *Backend) Reset(ctx context.Context, lang i18n.Lang, ch *labs.Chapter) (int, error) {
	s, err := b.session(ctx, lang)
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
func (b *Backend) failed(err error) error {
	if err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, view.ErrInterrupted) {
		b.drop()
	}
	return err
}
