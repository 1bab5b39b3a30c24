package runtime

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/labctl/labctl/i18n"
)

// DefaultName is the kind cluster labctl makes when no --name is given.
const DefaultName = "lab"

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
	out, err := r.Output(ctx, "ps", "-a", "--filter", "label="+kindClusterLabel+"="+name, "--format", "{{.Names}}")
	if err != nil {
		return nil, err
	}
	names := strings.Fields(string(out))
	if len(names) == 0 {
		return nil, nil
	}
	format := `{{.Name}}	{{.State.Status}}	{{index .Config.Labels "` + kindRoleLabel + `"}}	{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}`
	out, err = r.Output(ctx, append([]string{"inspect", "--format", format}, names...)...)
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

// StateOf sums up the node containers.
func StateOf(cs []NodeContainer) LabState {
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

// NotRunning names the containers that do not run.
func NotRunning(cs []NodeContainer) []string {
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

// ReadState asks the runtime about the lab's node containers (a few seconds at
// most: a runtime that does not answer is said so).
func ReadState(ctx context.Context, rt Runtime, name string) (LabState, []NodeContainer, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	cs, err := rt.NodeContainers(ctx, name)
	if err != nil {
		return "", nil, i18n.Errorf(MsgDown, rt.Name).Wrap(err).WithFix(FixDown).Marked(ErrRuntimeDown)
	}
	return StateOf(cs), cs, nil
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
	out, err := r.Output(ctx, append([]string{"stats", "--no-stream", "--format", "{{.MemUsage}}"}, names...)...)
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
