package cluster

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/labctl/labctl/i18n"
	"github.com/labctl/labctl/internal/paths"
)

// LabState is what the container runtime says about the lab's node
// containers. A lab that exists but does not run is a state the student
// fixes with one command, not an error.
type LabState string

// Lab states.
const (
	// LabRunning: every node container runs.
	LabRunning LabState = "running"
	// LabStopped: every node container exists and none runs (labctl stop,
	// a reboot, a Docker restart).
	LabStopped LabState = "stopped"
	// LabPartlyStopped: some node containers run, others do not.
	LabPartlyStopped LabState = "partly-stopped"
	// LabPaused: a node container is paused (docker pause, Docker Desktop's
	// resource saver).
	LabPaused LabState = "paused"
	// LabMissing: there is no node container: no lab.
	LabMissing LabState = "missing"
)

// ErrStopped marks errors about a lab whose nodes exist but are stopped,
// partly stopped or paused (exit code 3: labctl start fixes it).
var ErrStopped = errors.New("lab stopped")

// NodeContainer is one node container as the runtime sees it.
type NodeContainer struct {
	Name string `json:"name"`
	// Role is kind's: control-plane, worker, external-load-balancer.
	Role string `json:"role"`
	// State is the runtime's: running, exited, paused, created, restarting, dead.
	State string `json:"state"`
	// IP is the address on the kind network ("" when not running).
	IP string `json:"ip,omitempty"`
}

const (
	kindClusterLabel = "io.x-k8s.kind.cluster"
	kindRoleLabel    = "io.x-k8s.kind.role"
)

// NodeContainers lists the lab's node containers in kind's start order:
// control-plane nodes first, then the others, each group by name.
func (r Runtime) NodeContainers(ctx context.Context, name string) ([]NodeContainer, error) {
	out, err := r.output(ctx, "ps", "-a", "--filter", "label="+kindClusterLabel+"="+name, "--format", "{{.Names}}")
	if err != nil {
		return nil, err
	}
	names := strings.Fields(string(out))
	if len(names) == 0 {
		return nil, nil
	}
	format := `{{.Name}}	{{.State.Status}}	{{index .Config.Labels "` + kindRoleLabel + `"}}	{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}`
	out, err = r.output(ctx, append([]string{"inspect", "--format", format}, names...)...)
	if err != nil {
		return nil, err
	}
	return parseNodeContainers(string(out)), nil
}

func parseNodeContainers(out string) []NodeContainer {
	var cs []NodeContainer
	for _, line := range strings.Split(out, "\n") {
		f := strings.Split(strings.TrimSpace(line), "\t")
		if len(f) < 3 || f[0] == "" {
			continue
		}
		c := NodeContainer{Name: strings.TrimPrefix(f[0], "/"), State: strings.ToLower(f[1]), Role: f[2]}
		if len(f) > 3 {
			if ips := strings.Fields(f[3]); len(ips) > 0 {
				c.IP = ips[0]
			}
		}
		cs = append(cs, c)
	}
	sort.SliceStable(cs, func(i, j int) bool {
		ci, cj := cs[i].Role == "control-plane", cs[j].Role == "control-plane"
		if ci != cj {
			return ci
		}
		return cs[i].Name < cs[j].Name
	})
	return cs
}

// stateOf sums up the node containers.
func stateOf(cs []NodeContainer) LabState {
	if len(cs) == 0 {
		return LabMissing
	}
	running, paused := 0, 0
	for _, c := range cs {
		switch c.State {
		case "running":
			running++
		case "paused":
			paused++
		}
	}
	switch {
	case paused > 0:
		return LabPaused
	case running == len(cs):
		return LabRunning
	case running == 0:
		return LabStopped
	}
	return LabPartlyStopped
}

// notRunning names the containers that do not run.
func notRunning(cs []NodeContainer) []string {
	var out []string
	for _, c := range cs {
		if c.State != "running" {
			out = append(out, c.Name)
		}
	}
	return out
}

// StartCommand is the one command that starts the lab called name.
func StartCommand(name string) string {
	if name == "" || name == DefaultName {
		return "labctl start"
	}
	return "labctl start --name " + name
}

// stoppedError says which nodes do not run and the command that starts them.
func stoppedError(name string, cs []NodeContainer) error {
	state := stateOf(cs)
	down := notRunning(cs)
	msg := msgLabStopped
	switch state {
	case LabPartlyStopped:
		msg = msgLabPartlyStopped
	case LabPaused:
		msg = msgLabPaused
	}
	return i18n.Errorf(msg, name, len(down), len(cs), strings.Join(down, ", ")).
		Marked(ErrStopped).WithFix(fixLabStopped, StartCommand(name))
}

// readState asks the runtime about the lab's node containers (a few seconds at
// most: a runtime that does not answer is said so).
func readState(ctx context.Context, rt Runtime, name string) (LabState, []NodeContainer, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	cs, err := rt.NodeContainers(ctx, name)
	if err != nil {
		return "", nil, i18n.Errorf(msgRuntimeDown, rt.Name).Wrap(err).WithFix(fixRuntimeDown).Marked(ErrRuntimeDown)
	}
	return stateOf(cs), cs, nil
}

// requireRunning returns nil when every node of the lab runs, ErrStopped
// (with the command that fixes it) when the lab exists but does not run,
// and ErrNoCluster when it does not exist.
func requireRunning(ctx context.Context, rt Runtime, name string) error {
	state, cs, err := readState(ctx, rt, name)
	if err != nil {
		return err
	}
	switch state {
	case LabRunning:
		return nil
	case LabMissing:
		return i18n.Errorf(msgNoCluster, name).Marked(ErrNoCluster).WithFix(fixNoCluster)
	}
	return stoppedError(name, cs)
}

// diagnose explains why the API server of a lab labctl made does not
// answer: the runtime is down, the lab is stopped or gone. Any other cause
// keeps the original error.
func (l *Lab) diagnose(ctx context.Context, apiErr error) error {
	if l.Kubeconfig != paths.Kubeconfig(l.Name) {
		return apiErr
	}
	rt := l.Runtime
	if rt.Name == "" {
		var err error
		if rt, err = DetectRuntime(""); err != nil {
			return apiErr
		}
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := requireRunning(ctx, rt, l.Name); err != nil {
		return err
	}
	return apiErr
}

// Memory is what the lab's running node containers use now (bytes), as the
// runtime's stats say; 0 when it cannot tell.
func (r Runtime) Memory(ctx context.Context, cs []NodeContainer) int64 {
	var names []string
	for _, c := range cs {
		if c.State == "running" {
			names = append(names, c.Name)
		}
	}
	if len(names) == 0 {
		return 0
	}
	out, err := r.output(ctx, append([]string{"stats", "--no-stream", "--format", "{{.MemUsage}}"}, names...)...)
	if err != nil {
		return 0
	}
	var total int64
	for _, line := range strings.Split(string(out), "\n") {
		used, _, _ := strings.Cut(line, "/")
		if n, ok := parseSize(used); ok {
			total += n
		}
	}
	return total
}

// parseSize reads the runtime's sizes: "512.3MiB", "1.2GiB", "800kB".
func parseSize(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	i := strings.IndexFunc(s, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	if i <= 0 {
		return 0, false
	}
	v, err := strconv.ParseFloat(s[:i], 64)
	if err != nil {
		return 0, false
	}
	mult := map[string]float64{
		"b": 1, "kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40,
		"kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12,
	}[strings.ToLower(strings.TrimSpace(s[i:]))]
	if mult == 0 {
		return 0, false
	}
	return int64(v * mult), true
}

// FormatBytes writes a size the way the runtime does (1.1 GiB).
func FormatBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.0f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d KiB", n>>10)
}

// Text is the state as the student reads it.
func (s LabState) Text(l i18n.Lang) string {
	switch s {
	case LabRunning:
		return msgStateRunning.F(l)
	case LabStopped:
		return msgStateStopped.F(l)
	case LabPartlyStopped:
		return msgStatePartly.F(l)
	case LabPaused:
		return msgStatePaused.F(l)
	}
	return string(s)
}
