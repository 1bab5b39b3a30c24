package tui

import (
	"context"
	"time"

	"github.com/labctl/labctl/apply"
	"github.com/labctl/labctl/i18n"
	"github.com/labctl/labctl/internal/view"
	"github.com/labctl/labctl/labs"
	"github.com/labctl/labctl/verify"
)

// Backend is everything the TUI asks of the outside world. The real one
// (session.Backend, passed in by the binary) goes through the session and
// cluster packages, exactly as the CLI does; tests use a fake, so every
// screen runs without a cluster. Methods are called from tea.Cmds, never
// from Update or View. Every method that reports takes the language the
// student reads now: the TUI may switch it between two calls.
type Backend interface {
	// Status reads the cluster for the status bar; it never fails, an
	// unreachable cluster is a state.
	Status(ctx context.Context, lang i18n.Lang) ClusterInfo
	// Up creates or repairs the lab cluster, reporting each step.
	Up(ctx context.Context, lang i18n.Lang, rep view.Reporter) error
	// Check runs the checks of the given steps and records the outcome in
	// the progress store; o.OnStart and o.OnResult follow it live.
	Check(ctx context.Context, lang i18n.Lang, ch *labs.Chapter, steps []int, o verify.Options) (verify.Report, error)
	// ApplySolution applies the prerequisites and solution of the given
	// steps and records them as solved with help.
	ApplySolution(ctx context.Context, lang i18n.Lang, ch *labs.Chapter, steps []int, applied func(apply.Object)) error
	// ApplyStarter applies what the step builds on (each object reported
	// to prereq with the index of the step whose solution makes it), then
	// the student's objects (mine, their edited copy) or, when mine is nil,
	// the step's starter as given.
	ApplyStarter(ctx context.Context, lang i18n.Lang, ch *labs.Chapter, step int, mine []apply.Object, prereq func(apply.Object, int), applied func(apply.Object)) error
	// Reset deletes what the chapter creates and forgets its progress.
	Reset(ctx context.Context, lang i18n.Lang, ch *labs.Chapter) (int, error)
}

// Progress is the progress store `labctl check` writes too (*labs.Store).
type Progress interface {
	Chapter(id string) (labs.ChapterProgress, error)
	ModTime() time.Time
}

// The values the session fills and the TUI draws (see internal/view).
type (
	// ClusterState is what the status bar says about the lab cluster.
	ClusterState = view.ClusterState
	// ClusterInfo is one reading of the cluster.
	ClusterInfo = view.ClusterInfo
	// BackendCount is the traffic one backend of a Service received
	// through the proxy core, as the live view draws it.
	BackendCount = view.BackendCount
	// LiveFeed delivers the per-backend counts as the session reads them.
	LiveFeed = view.LiveFeed
)

// Cluster states.
const (
	ClusterChecking    = view.ClusterChecking
	ClusterNone        = view.ClusterNone
	ClusterCreating    = view.ClusterCreating
	ClusterReady       = view.ClusterReady
	ClusterUnhealthy   = view.ClusterUnhealthy
	ClusterUnreachable = view.ClusterUnreachable
	ClusterStopped     = view.ClusterStopped
)

// LiveView gives steps a live per-backend view (the kube-proxy step). It is
// optional: without one, no step offers the view.
type LiveView interface {
	// Has says whether a step has a live view; it must not do I/O.
	Has(ch *labs.Chapter, step *labs.Step) bool
	// Start starts whatever fills the feed (a proxy and its traffic, read
	// by the session's one refresh loop) until ctx ends, then closes the
	// feed; errors are in lang.
	Start(ctx context.Context, lang i18n.Lang, ch *labs.Chapter, step *labs.Step) (LiveFeed, error)
}
