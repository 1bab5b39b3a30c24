package session

import (
	"context"
	"net"
	"net/netip"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/labctl/labctl/i18n"
	"github.com/labctl/labctl/internal/svcport"
	"github.com/labctl/labctl/internal/view"
	"github.com/labctl/labctl/labs"
	"github.com/labctl/labctl/proxy"
	"github.com/labctl/labctl/verify"
)

// Has says whether a step has a live view: the steps whose checks send
// traffic through the proxy core (the kube-proxy step). No I/O.
func (b *Backend) Has(_ *labs.Chapter, st *labs.Step) bool {
	_, _, _, ok := verify.LiveTarget(st)
	return ok
}

// Start starts the step's live view, reporting in lang: a proxy on the
// Service port the step's check uses, with the rr scheduler, fed by a
// trickle of connections from a few made-up clients (some kept open a
// moment, so the active counts move too), until ctx ends. The feed gets a
// reading every LiveEvery and is closed when ctx ends.
func (b *Backend) Start(ctx context.Context, lang i18n.Lang, ch *labs.Chapter, st *labs.Step) (view.LiveFeed, error) {
	s, err := b.session(ctx, lang)
	if err != nil {
		return nil, err
	}
	return s.Live(ctx, ch, st)
}

// Live starts the live per-backend view of a step (see Backend.Start).
func (s *Session) Live(ctx context.Context, ch *labs.Chapter, st *labs.Step) (view.LiveFeed, error) {
	ns, name, port, ok := verify.LiveTarget(st)
	if !ok {
		return nil, i18n.Errorf(msgNoLiveView)
	}
	if ns == "" {
		ns = ch.Namespace
	}
	// The port the check itself uses, by the one rule (internal/svcport).
	svc, err := s.Lab.Client.CoreV1().Services(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return nil, err
	}
	sp, err := svcport.Pick(svc, port)
	if err != nil {
		return nil, err
	}
	p, err := s.Core.NewProxy(ns, name, svcport.Ref(sp), proxy.WithScheduler("rr"), proxy.WithoutAffinity())
	if err != nil {
		return nil, err
	}
	go trickle(ctx, p)
	feed := make(chan []view.BackendCount, 1)
	go func() {
		defer close(feed)
		Watch(ctx.Done(), LiveEvery, p.Stats, func(stats []proxy.BackendStats) { offer(feed, Counts(stats)) })
	}()
	return feed, nil
}

// LiveEvery is how often the TUI's live view is read: fast enough to watch
// a scheduler alternate, slow enough to cost nothing. `labctl proxy` reads
// at its --interval.
const LiveEvery = 500 * time.Millisecond

// Watch is the one refresh loop of the live per-pod view, for both front
// ends: it hands show a reading of stats at once, then every interval,
// and a last one when stop is closed (the final counts, after the
// connections drained), then returns. show runs on Watch's goroutine.
func Watch(stop <-chan struct{}, every time.Duration, stats func() []proxy.BackendStats, show func([]proxy.BackendStats)) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		show(stats())
		select {
		case <-stop:
			show(stats())
			return
		case <-tick.C:
		}
	}
}

// offer puts v in a one-slot channel, replacing a reading not taken yet:
// a slow reader sees the newest. Only one goroutine may offer.
func offer[T any](ch chan T, v T) {
	select {
	case ch <- v:
		return
	default:
	}
	select {
	case <-ch:
	default:
	}
	ch <- v
}

// trickle sends a connection every 250 ms from one of four made-up
// clients, keeping the last few open, until ctx ends.
func trickle(ctx context.Context, p *proxy.Proxy) {
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	var held []net.Conn
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()
	for i := 0; ; i++ {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		conn, _, err := p.Dial(ctx, netip.AddrFrom4([4]byte{10, 98, 0, byte(1 + i%4)}))
		if err != nil {
			continue
		}
		held = append(held, conn)
		if len(held) > 3 { // keep a few open: lc/sed/nq-style active counts show
			held[0].Close()
			held = held[1:]
		}
	}
}

// Counts is the live per-pod view of a proxy's statistics: one entry per
// backend, named as the student knows it (the pod, else its address).
// Both front ends draw it: `labctl proxy`'s table and the TUI's bars.
func Counts(stats []proxy.BackendStats) []view.BackendCount {
	out := make([]view.BackendCount, 0, len(stats))
	for _, st := range stats {
		name := st.Endpoint.Pod
		if name == "" {
			name = st.Endpoint.IP.String()
		}
		out = append(out, view.BackendCount{Name: name, Conns: st.Conns, Active: st.Active, Ready: st.Ready})
	}
	return out
}
