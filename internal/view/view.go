// Package view holds the few value types the front ends draw and the
// session fills: a reading of the lab cluster for a status bar, the
// per-backend counts of the live proxy view, and the reporter a long
// operation writes its steps to. It has no logic and no dependencies, so
// the TUI can draw what the session produces without importing the
// packages that reach the cluster.
package view

import (
	"errors"
	"time"
)

// Reporter shows a long operation's steps as they happen: the CLI prints
// lines, the TUI draws a progress view.
type Reporter interface {
	// Start announces a step.
	Start(title string)
	// Progress says what the current step is doing now (optional detail).
	Progress(detail string)
	// Done ends the current step; err is nil on success.
	Done(err error, elapsed time.Duration)
	// Note prints a remark that is not a step.
	Note(text string)
}

// ErrInterrupted marks an operation stopped by Ctrl-C (exit code 130).
var ErrInterrupted = errors.New("interrupted")

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

// ClusterInfo is one reading of the cluster, in the language it was asked
// in.
type ClusterInfo struct {
	State   ClusterState
	Name    string
	Version string
	// Nodes and ReadyNodes count the nodes.
	Nodes, ReadyNodes int
	// Ingress is the default IngressClass.
	Ingress string
	// Addon names the first installed add-on that is not healthy, Detail
	// says why (as the cluster package reports it); for a stopped lab,
	// Detail says how stopped (stopped, partly stopped, paused).
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

// LiveFeed delivers the live view's readings as the session's one refresh
// loop takes them (the newest; a reader that falls behind skips the ones
// it missed). It is closed when the source stops.
type LiveFeed <-chan []BackendCount
