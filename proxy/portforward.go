package proxy

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"k8s.io/apimachinery/pkg/util/httpstream"
	"k8s.io/client-go/rest"

	"github.com/labctl/labctl/i18n"
)

// pfPool keeps one port-forward connection per pod and opens a pair of
// streams on it for every forwarded TCP connection, as kubectl port-forward
// does for one pod, but shared by everything in the process. Connections
// open on first use (WebSocket first, SPDY when the API server is too old
// for WebSockets) and close after idling.
type pfPool struct {
	dialer func(ns, pod string) (*mux, error)
	idle   time.Duration

	mu     sync.Mutex
	closed bool
	conns  map[pfKey]*pfConn
	stop   chan struct{}
	wg     sync.WaitGroup
	dials  atomic.Int64 // connections opened, for tests and benchmarks
}

// pfKey names a pod instance: a pod deleted and created again under the
// same name is a new sandbox and needs a new connection.
type pfKey struct{ ns, pod, uid string }

// pfConn is one pod's forwarding connection, shared by many streams.
type pfConn struct {
	pool     *pfPool
	key      pfKey
	ready    chan struct{} // closed when conn or err is set
	conn     *mux
	err      error
	streams  atomic.Int64
	lastUsed atomic.Int64 // unix nanoseconds
}

func newPFPool(dialer func(ns, pod string) (*mux, error), idle time.Duration) *pfPool {
	p := &pfPool{dialer: dialer, idle: idle, conns: map[pfKey]*pfConn{}, stop: make(chan struct{})}
	p.wg.Add(1)
	go p.janitor()
	return p
}

// portForwardDialer returns how to open a pod's port-forward connection:
// SPDY tunnelled through a WebSocket first, falling back to a plain SPDY
// upgrade when the API server refuses the WebSocket (older than 1.31, or a
// proxy in the way); once refused, later pods go straight to SPDY. The API
// server is reached by the shortcut when there is one (see apiShortcut).
func portForwardDialer(cfg *rest.Config, shortcut *apiShortcut) func(ns, pod string) (*mux, error) {
	var noWebSockets atomic.Bool
	dial := func(cfg *rest.Config, ns, pod string) (*mux, error) {
		base, _, err := rest.DefaultServerUrlFor(cfg)
		if err != nil {
			return nil, err
		}
		u := *base
		u.Path = base.Path + fmt.Sprintf("/api/v1/namespaces/%s/pods/%s/portforward", url.PathEscape(ns), url.PathEscape(pod))
		if !noWebSockets.Load() {
			m, err := dialTunnelled(&u, cfg)
			if err == nil || !(httpstream.IsUpgradeFailure(err) || httpstream.IsHTTPSProxyError(err)) {
				return m, err
			}
			noWebSockets.Store(true)
		}
		return dialSPDY(&u, cfg)
	}
	return func(ns, pod string) (*mux, error) {
		if direct := shortcut.config(); direct != nil {
			m, err := dial(direct, ns, pod)
			if err == nil || !shortcut.drop(err) {
				return m, err
			}
		}
		return dial(cfg, ns, pod)
	}
}

// dial forwards a new TCP connection to t's pod and port. If the pod's
// connection dies before the new one's streams go out, they go out on a
// fresh one (see streamConn.open).
func (p *pfPool) dial(ctx context.Context, t dialTarget) (net.Conn, error) {
	pc, err := p.get(ctx, pfKey{t.ns, t.pod, t.uid})
	if err != nil {
		return nil, err
	}
	return pc.open(t), nil
}

// get returns the pod's connection, opening it if needed. Concurrent
// callers share one dial; the dial is not tied to the first caller's
// context, so a caller that gives up does not fail the others.
func (p *pfPool) get(ctx context.Context, key pfKey) (*pfConn, error) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil, errClosed()
	}
	pc := p.conns[key]
	if pc != nil && pc.conn != nil && pc.conn.closed() {
		// Dead, or told to go away: its streams finish on their own.
		delete(p.conns, key)
		pc = nil
	}
	if pc == nil {
		pc = &pfConn{pool: p, key: key, ready: make(chan struct{})}
		pc.lastUsed.Store(time.Now().UnixNano())
		p.conns[key] = pc
		go p.connect(pc)
	}
	p.mu.Unlock()
	select {
	case <-pc.ready:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if pc.err != nil {
		p.evict(pc)
		return nil, pc.err
	}
	return pc, nil
}

// connect dials in the background. It is not tracked by the pool's wait
// group: an upgrade cannot be cancelled, and Close should not wait for an
// unreachable API server's timeout. A connection that arrives after Close
// is closed at once.
func (p *pfPool) connect(pc *pfConn) {
	conn, err := p.upgrade(pc.key)
	p.mu.Lock()
	if err == nil && p.closed {
		conn.close()
		conn, err = nil, errClosed()
	}
	pc.conn, pc.err = conn, err
	if err == nil {
		p.dials.Add(1)
		p.wg.Add(1) // under mu, before close can start waiting
	}
	p.mu.Unlock()
	close(pc.ready)
	if err != nil {
		return
	}
	// Forget the connection as soon as it dies (API server restarted, pod
	// gone), so the next dial opens a fresh one.
	go func() {
		defer p.wg.Done()
		select {
		case <-conn.done:
			p.evict(pc)
		case <-p.stop:
		}
	}()
}

func (p *pfPool) upgrade(key pfKey) (*mux, error) {
	m, err := p.dialer(key.ns, key.pod)
	if err != nil {
		return nil, i18n.Errorf(msgPortForward, key.ns+"/"+key.pod).Wrap(err).WithFix(fixPortForward)
	}
	return m, nil
}

// evict drops pc from the pool (if it is still the pod's entry) and closes
// its connection; streams on it end with an error.
func (p *pfPool) evict(pc *pfConn) {
	p.mu.Lock()
	if p.conns[pc.key] == pc {
		delete(p.conns, pc.key)
	}
	p.mu.Unlock()
	if pc.conn != nil {
		pc.conn.close()
	}
}

// open starts one forwarded connection. Its streams go out with its first
// bytes (see streamConn) and nothing waits for the far side (see mux), so
// a port nobody listens on shows as the connection ending with the
// kubelet's error, as kubectl's does.
func (pc *pfConn) open(t dialTarget) net.Conn {
	pc.streams.Add(1)
	return newStreamConn(pc, t.port, &net.TCPAddr{IP: t.ip.AsSlice(), Port: t.port})
}

func (pc *pfConn) release() {
	pc.lastUsed.Store(time.Now().UnixNano())
	pc.streams.Add(-1)
}

// janitor closes connections idle for longer than the pool's idle timeout:
// a lab leaves many pods behind, and each open connection holds a kubelet
// stream server.
func (p *pfPool) janitor() {
	defer p.wg.Done()
	tick := time.NewTicker(p.idle/2 + time.Second)
	defer tick.Stop()
	for {
		select {
		case <-p.stop:
			return
		case now := <-tick.C:
			var idle []*pfConn
			p.mu.Lock()
			for _, pc := range p.conns {
				if pc.conn != nil && pc.streams.Load() == 0 && now.Sub(time.Unix(0, pc.lastUsed.Load())) > p.idle {
					idle = append(idle, pc)
				}
			}
			p.mu.Unlock()
			for _, pc := range idle {
				p.evict(pc)
			}
		}
	}
}

// close shuts every connection and waits for the pool's goroutines.
func (p *pfPool) close() {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.closed = true
	conns := p.conns
	p.conns = map[pfKey]*pfConn{}
	p.mu.Unlock()
	close(p.stop)
	for _, pc := range conns {
		select {
		case <-pc.ready:
			if pc.conn != nil {
				pc.conn.close()
			}
		default: // still dialling: connect sees closed and closes it
		}
	}
	p.wg.Wait()
}
