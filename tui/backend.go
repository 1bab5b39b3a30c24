package tui

import (
	"context"
	"time"

	"github.com/labctl/labctl/cluster"
	"github.com/labctl/labctl/cluster/apply"
	"github.com/labctl/labctl/i18n"
	"github.com/labctl/labctl/labs"
	"github.com/labctl/labctl/verify"
)

// Backend is everything the TUI asks of the outside world. The real one
// (SessionBackend) goes through the session and cluster packages, exactly as
// the CLI does; tests use a fake, so every screen runs without a cluster.
// Methods are called from tea.Cmds, never from Update or View.
type Backend interface {
	// Status reads the cluster for the status bar; it never fails, an
	// unreachable cluster is a state.
	Status(ctx context.Context) ClusterInfo
	// Up creates or repairs the lab cluster, reporting each step.
	Up(ctx context.Context, lang i18n.Lang, rep cluster.Reporter) error
	// Check runs the checks of the given steps and records the outcome in
	// the progress store; o.OnStart and o.OnResult follow it live.
	Check(ctx context.Context, lang i18n.Lang, ch *labs.Chapter, steps []int, o verify.Options) (verify.Report, error)
	// ApplySolution applies the prerequisites and solution of the given
	// steps and records them as solved with help.
	ApplySolution(ctx context.Context, ch *labs.Chapter, steps []int, applied func(apply.Object)) error
	// ApplyStarter applies what the step builds on (each object reported
	// to prereq with the index of the step whose solution makes it), then
	// the student's objects (mine, their edited copy) or, when mine is nil,
	// the step's starter as given.
	ApplyStarter(ctx context.Context, ch *labs.Chapter, step int, mine []apply.Object, prereq func(apply.Object, int), applied func(apply.Object)) error
	// Reset deletes what the chapter creates and forgets its progress.
	Reset(ctx context.Context, ch *labs.Chapter) (int, error)
}

// Progress is the progress store `labctl check` writes too (*labs.Store).
type Progress interface {
	Chapter(id string) (labs.ChapterProgress, error)
	ModTime() time.Time
}

// ClusterState is what the status bar says about the lab cluster.
type ClusterState int

// Cluster states.
const (
	// ClusterChecking: not read yet.
	ClusterChecking ClusterState = iota
	// ClusterNone: there is no lab cluster; u creates it.
	ClusterNone
	// ClusterCreating: up is running in this TUI.
	ClusterCreating
	// ClusterReady: every node ready, every installed add-on healthy.
	ClusterReady
	// ClusterUnhealthy: it answers, but a node or an add-on is not ready.
	ClusterUnhealthy
	// ClusterUnreachable: labctl knows the cluster but it does not answer
	// (Docker stopped, the computer slept).
	ClusterUnreachable
	// ClusterStopped: the lab's node containers exist but some or all do
	// not run (labctl stop, a reboot, a Docker restart); u starts them.
	ClusterStopped
)

// ClusterInfo is one reading of the cluster.
type ClusterInfo struct {
	State   ClusterState
	Name    string
	Version string
	// Nodes and ReadyNodes count the nodes.
	Nodes, ReadyNodes int
	// Ingress is the default IngressClass.
	Ingress string
	// Addon names the first installed add-on that is not healthy, Detail
	// says why (as the cluster package reports it).
	Addon, Detail string
	// Err says why the cluster is unreachable.
	Err error
}

// BackendCount is the traffic one backend of a Service received through
// the proxy core, as the live view draws it.
type BackendCount struct {
	// Name is what the student recognises: the pod's name, or its address.
	Name string
	// Conns counts connections sent to the backend, Active those open now.
	Conns  uint64
	Active int64
	// Ready is false once the backend left the Service (its count stays).
	Ready bool
}

// Counter reads the per-backend counts now. The proxy core's
// (*proxy.Proxy).Stats adapts to it in a few lines.
type Counter func() []BackendCount

// LiveView gives steps a live per-backend view (the kube-proxy step). It is
// optional: without one, no step offers the view.
type LiveView interface {
	// Has says whether a step has a live view; it must not do I/O.
	Has(ch *labs.Chapter, step *labs.Step) bool
	// Start starts whatever feeds the counter (a proxy and its traffic)
	// until ctx ends.
	Start(ctx context.Context, ch *labs.Chapter, step *labs.Step) (Counter, error)
}
