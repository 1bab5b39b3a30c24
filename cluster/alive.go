package cluster

import (
	"context"
	"errors"
	"time"

	"github.com/labctl/labctl/cluster/internal/runtime"
)

// ErrRuntimeDown marks errors about a container runtime that does not answer.
var ErrRuntimeDown = runtime.ErrRuntimeDown

var errWatchDone = errors.New("watch done")

// Gone reports errors that mean the lab went away under a running command
// (its nodes stopped, the runtime restarted or stopped, the lab deleted):
// waiting longer does not help.
func Gone(err error) bool {
	return errors.Is(err, ErrStopped) || errors.Is(err, ErrRuntimeDown) || errors.Is(err, ErrNoCluster)
}

// Watch returns a context that ends as soon as the lab goes away while a
// command works on it (a Docker restart, a laptop going to sleep, labctl
// stop in another terminal), and done, which ends the watch and says why
// the lab was lost (nil when it was not); call it when the work is over. Without it a check or an apply would retry "connection refused"
// until its own deadline, minutes later. The API server is asked every
// interval; only when it does not answer is the runtime asked, so a busy
// API server is never mistaken for a stopped lab.
func (l *Lab) Watch(ctx context.Context, interval time.Duration) (context.Context, func() error) {
	ctx, cancel := context.WithCancelCause(ctx)
	go func() {
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			pctx, pcancel := context.WithTimeout(ctx, interval)
			_, err := l.Client.Discovery().RESTClient().Get().AbsPath("/livez").DoRaw(pctx)
			pcancel()
			if err == nil || ctx.Err() != nil {
				continue
			}
			if err := l.diagnose(ctx, err); Gone(err) {
				cancel(err)
				return
			}
		}
	}()
	return ctx, func() error {
		cancel(errWatchDone)
		if err := context.Cause(ctx); Gone(err) {
			return err
		}
		return nil
	}
}
