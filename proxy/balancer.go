package proxy

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/netip"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/labctl/labctl/i18n"
	"github.com/labctl/labctl/internal/svcport"
)

// balancer is one Service port's backends and scheduler. It rebuilds the
// backend list when the namespace's informers report a change, keeping the
// counters of backends that stay, and picks under one mutex so a pick and
// the connection count it causes are a single step (lc, sed and nq would
// otherwise all send a burst of connections to the same idle backend).
type balancer struct {
	res            *resolver
	ns, name, port string
	newSched       func() scheduler
	weights        map[string]int32
	// affinity: 0 follows the Service, >0 forces ClientIP with that
	// timeout, affinityService forces it with the Service's timeout,
	// <0 turns it off.
	affinity time.Duration
	clock    clock

	mu      sync.Mutex
	nc      *nsCache
	gen     uint64
	fresh   bool
	err     error // a resolution error that stands until the next change
	svc     *corev1.Service
	base    scheduler
	aff     *affinity
	sched   scheduler
	byKey   map[netip.AddrPort]*backend
	all     []*backend // every backend seen, for statistics
	ready   []*backend
	pinned  time.Duration // affinity timeout in force, 0 for none
	schedNm string
	// shuffle starts rr at a random backend once the first list arrives.
	shuffle bool
}

// affinityService forces ClientIP affinity with the Service's own timeout.
const affinityService = time.Duration(-1 << 62)

// maxGone bounds how many departed backends a long-running proxy keeps
// listed for their statistics.
const maxGone = 32

func newBalancer(res *resolver, ns, name, port, sched string, weights map[string]int32, aff time.Duration, c clock) (*balancer, error) {
	if _, err := newScheduler(sched); err != nil {
		return nil, err
	}
	if sched == "" {
		sched = RoundRobin
	}
	if c == nil {
		c = realClock{}
	}
	b := &balancer{res: res, ns: ns, name: name, port: port, weights: weights, affinity: aff, clock: c,
		byKey: map[netip.AddrPort]*backend{}, schedNm: sched}
	b.newSched = func() scheduler { s, _ := newScheduler(sched); return s }
	b.base = b.newSched()
	b.sched = b.base
	return b, nil
}

// pick chooses a backend for a connection from client and counts the
// connection as active on it. The caller must end it with backend.done.
func (b *balancer) pick(ctx context.Context, client netip.Addr) (*backend, endpointInfo, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.refresh(ctx); err != nil {
		return nil, endpointInfo{}, err
	}
	be := b.sched.pick(client)
	if be == nil && b.reviveDown() {
		// Every backend refused a moment ago: try them again rather than
		// refuse the client outright.
		be = b.sched.pick(client)
	}
	if be == nil {
		if len(b.ready) == 0 {
			return nil, endpointInfo{}, i18n.Errorf(msgNoEndpoints, b.ns+"/"+b.name).WithFix(fixNoEndpoints)
		}
		return nil, endpointInfo{}, i18n.Errorf(msgNoBackendForClient, b.ns+"/"+b.name, client).WithFix(fixNoBackendForClient)
	}
	be.active.Add(1)
	be.conns.Add(1)
	return be, be.info, nil
}

// reviveDown clears the down mark of every ready backend and reports
// whether there was one to clear.
func (b *balancer) reviveDown() bool {
	revived := false
	for _, be := range b.ready {
		if be.down.Swap(false) {
			revived = true
		}
	}
	return revived
}

// forget drops the client's affinity after its backend failed it.
func (b *balancer) forget(client netip.Addr) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.aff != nil {
		b.aff.forget(client)
	}
}

// refresh rebuilds the backend list if the namespace changed since the
// last look. Errors a student must fix (no such Service, no such port) are
// kept until the next change; API errors are not, so a retry can succeed.
func (b *balancer) refresh(ctx context.Context) error {
	if b.fresh && b.nc.gen.Load() == b.gen {
		return b.err
	}
	nc, err := b.res.namespace(ctx, b.ns)
	if err != nil {
		return err
	}
	gen := nc.gen.Load()
	svc, err := b.res.service(ctx, nc, b.name)
	var sp servicePortRef
	if err == nil {
		sp, err = servicePort(svc, b.port)
	}
	if err != nil && !studentError(err) {
		return err
	}
	b.nc, b.gen, b.fresh, b.err, b.svc = nc, gen, true, err, svc
	var eps []endpointInfo
	if err == nil {
		eps = nc.endpoints(b.name, sp)
	}
	b.rebuild(eps)
	return err
}

func (b *balancer) rebuild(eps []endpointInfo) {
	ready := make([]*backend, 0, len(eps))
	keep := make(map[*backend]bool, len(eps))
	for _, ep := range eps {
		be := b.byKey[ep.key()]
		if be == nil || be.info.UID != ep.UID || be.info.Pod != ep.Pod {
			w, ok := b.weights[ep.Pod]
			if !ok {
				w = 1
			}
			be = newBackend(ep, w)
			b.byKey[ep.key()] = be
			b.all = append(b.all, be)
		}
		be.info = ep
		be.ready.Store(true)
		keep[be] = true
		ready = append(ready, be)
	}
	gone := 0
	for i := len(b.all) - 1; i >= 0; i-- {
		be := b.all[i]
		if keep[be] {
			continue
		}
		be.ready.Store(false)
		if b.byKey[be.info.key()] == be {
			delete(b.byKey, be.info.key())
		}
		if gone++; gone > maxGone && be.active.Load() == 0 && be.inactive.Load() == 0 {
			b.all = append(b.all[:i], b.all[i+1:]...)
		}
	}
	b.ready = ready
	b.setAffinity()
	b.sched.update(ready)
	if rr, ok := b.base.(*roundRobin); ok && b.shuffle && len(ready) > 0 {
		rr.startAt(rand.IntN(len(ready)))
		b.shuffle = false
	}
}

// studentError is true for resolution errors only the student can fix (no
// such Service or port): they stand until the namespace changes.
func studentError(err error) bool {
	if errors.Is(err, svcport.ErrPort) {
		return true
	}
	var le *i18n.Error
	if !errors.As(err, &le) {
		return false
	}
	switch le.Msg.ID {
	case msgServiceNotFound.ID, msgPortNotTCP.ID, msgExternalName.ID:
		return true
	}
	return false
}

// setAffinity puts ClientIP affinity in front of the scheduler when the
// Service (or the caller) asks for it, with the timeout that applies.
func (b *balancer) setAffinity() {
	var want time.Duration
	switch {
	case b.affinity < 0 && b.affinity != affinityService:
		want = 0
	case b.affinity > 0:
		want = b.affinity
	case b.affinity == affinityService || b.svc != nil && b.svc.Spec.SessionAffinity == corev1.ServiceAffinityClientIP:
		want = DefaultAffinityTimeout
		if b.svc != nil {
			if c := b.svc.Spec.SessionAffinityConfig; c != nil && c.ClientIP != nil && c.ClientIP.TimeoutSeconds != nil && *c.ClientIP.TimeoutSeconds > 0 {
				want = time.Duration(*c.ClientIP.TimeoutSeconds) * time.Second
			}
		}
	}
	if want == b.pinned {
		return
	}
	b.pinned = want
	if want == 0 {
		b.aff, b.sched = nil, b.base
		return
	}
	b.aff = newAffinity(b.base, want, b.clock)
	b.sched = b.aff
}

// stats snapshots every backend: ready ones in scheduling order, then those
// that left the Service.
func (b *balancer) stats() []BackendStats {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]BackendStats, 0, len(b.all))
	for _, be := range b.ready {
		out = append(out, be.stats())
	}
	for _, be := range b.all {
		if !be.ready.Load() {
			out = append(out, be.stats())
		}
	}
	return out
}

// affinityTimeout is the ClientIP affinity in force (0 for none).
func (b *balancer) affinityTimeout() time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.pinned
}

// done ends a connection's count on its backend; half says it had already
// half-closed (and so was counted as inactive).
func (be *backend) done(half bool) {
	if half {
		be.inactive.Add(-1)
	} else {
		be.active.Add(-1)
	}
}

// halfClose moves a connection from active to inactive, as IPVS does when
// a TCP connection leaves ESTABLISHED.
func (be *backend) halfClose() {
	be.active.Add(-1)
	be.inactive.Add(1)
}
