package cluster

import "github.com/labctl/labctl/cluster/internal/runtime"

// defaultName is the lab labctl makes when no --name is given.
const defaultName = runtime.DefaultName

// ListenAddress is where the control-plane container publishes the ingress
// ports on the host: loopback only, so a student's lab is not exposed on
// the café Wi-Fi.
const ListenAddress = runtime.ListenAddress

// Runtimes are the container runtimes kind can run nodes on, in the order
// they are tried when none is named (Target.Runtime, Env.Runtime).
var Runtimes = runtime.Names

// LabState is what the container runtime says about the lab's node
// containers. A lab that exists but does not run is a state the student
// fixes with one command, not an error.
type LabState = runtime.LabState

// Lab states.
const (
	// LabRunning: every node container runs.
	LabRunning = runtime.LabRunning
	// LabStopped: every node container exists and none runs (labctl stop,
	// a reboot, a Docker restart).
	LabStopped = runtime.LabStopped
	// LabPartlyStopped: some node containers run, others do not.
	LabPartlyStopped = runtime.LabPartlyStopped
	// LabPaused: a node container is paused (docker pause, Docker Desktop's
	// resource saver).
	LabPaused = runtime.LabPaused
)
