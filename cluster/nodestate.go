package cluster

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/labctl/labctl/cluster/internal/runtime"
	"github.com/labctl/labctl/i18n"
	"github.com/labctl/labctl/internal/paths"
)

// ErrStopped marks errors about a lab whose nodes exist but are stopped,
// partly stopped or paused (exit code 3: labctl start fixes it).
var ErrStopped = errors.New("lab stopped")

// stoppedError says which nodes do not run and the command that starts them.
func stoppedError(name string, cs []runtime.NodeContainer) error {
	state := runtime.StateOf(cs)
	down := runtime.NotRunning(cs)
	msg := msgLabStopped
	switch state {
	case LabPartlyStopped:
		msg = msgLabPartlyStopped
	case LabPaused:
		msg = msgLabPaused
	}
	return i18n.Errorf(msg, name, len(down), len(cs), strings.Join(down, ", ")).
		Marked(ErrStopped).WithFix(runtime.FixLabStopped, runtime.StartCommand(name))
}

// requireRunning returns nil when every node of the lab runs, ErrStopped
// (with the command that fixes it) when the lab exists but does not run,
// and ErrNoCluster when it does not exist.
func requireRunning(ctx context.Context, rt runtime.Runtime, name string) error {
	state, cs, err := runtime.ReadState(ctx, rt, name)
	if err != nil {
		return err
	}
	switch state {
	case LabRunning:
		return nil
	case runtime.LabMissing:
		return i18n.Errorf(msgNoCluster, name).Marked(ErrNoCluster).WithFix(runtime.FixNoCluster)
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
	rt := l.rt
	if rt.Name == "" {
		var err error
		if rt, err = runtime.Detect(""); err != nil {
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
