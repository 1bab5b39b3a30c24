package proxy

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"sync"
	"time"
)

// Proxy is a listener-backed proxy for one Service port: every accepted
// connection is given to a backend chosen by the scheduler and spliced to
// it, with live per-backend statistics.
type Proxy struct {
	c     *Cluster
	b     *balancer
	drain time.Duration
	svc   string
}

// ProxyOption configures a Proxy.
type ProxyOption func(*proxyOptions)

type proxyOptions struct {
	scheduler string
	affinity  time.Duration
	weights   map[string]int32
	drain     time.Duration
	clock     clock
}

// WithScheduler picks the scheduler: rr (default), lc, sh, sed or nq.
func WithScheduler(name string) ProxyOption { return func(o *proxyOptions) { o.scheduler = name } }

// WithAffinity forces sessionAffinity ClientIP with the given timeout; 0
// takes the Service's timeoutSeconds (or kube-proxy's default of 3 hours).
// Without this option the proxy follows the Service's own sessionAffinity.
func WithAffinity(timeout time.Duration) ProxyOption {
	return func(o *proxyOptions) {
		switch {
		case timeout <= 0:
			o.affinity = affinityService
		default:
			o.affinity = timeout
		}
	}
}

// WithoutAffinity turns sessionAffinity off even if the Service asks for
// it: every connection is scheduled on its own (the scheduler checks and
// the live view show the scheduler, not the affinity).
func WithoutAffinity() ProxyOption {
	return func(o *proxyOptions) { o.affinity = -1 }
}

// WithWeights gives pods scheduler weights (pod name → weight; others get
// 1, and 0 quiesces a pod). Kubernetes has no endpoint weights; this is for
// showing how sed and nq use them.
func WithWeights(w map[string]int) ProxyOption {
	return func(o *proxyOptions) {
		o.weights = make(map[string]int32, len(w))
		for k, v := range w {
			o.weights[k] = int32(max(v, 0))
		}
	}
}

// withDrainTimeout sets how long Serve lets open connections finish after
// its context ends before closing them (default 2s). Tests use it.
func withDrainTimeout(d time.Duration) ProxyOption { return func(o *proxyOptions) { o.drain = d } }

// NewProxy makes a proxy for a Service port (name or number, "" for the
// only TCP port, by internal/svcport's rule). It only checks its options;
// the Service is looked up when connections arrive, so Serve reports a
// missing Service.
func (c *Cluster) NewProxy(namespace, service, port string, opts ...ProxyOption) (*Proxy, error) {
	o := proxyOptions{drain: 2 * time.Second}
	for _, opt := range opts {
		opt(&o)
	}
	b, err := newBalancer(c.res, namespace, service, port, o.scheduler, o.weights, o.affinity, o.clock)
	if err != nil {
		return nil, err
	}
	return &Proxy{c: c, b: b, drain: o.drain, svc: namespace + "/" + service}, nil
}

// Scheduler is the scheduler's name.
func (p *Proxy) Scheduler() string { return p.b.schedNm }

// Affinity is the ClientIP affinity timeout in force (0: none). It follows
// the Service once connections have been scheduled.
func (p *Proxy) Affinity() time.Duration { return p.b.affinityTimeout() }

// Stats returns every backend's counters: ready backends in scheduling
// order, then those that have left the Service.
func (p *Proxy) Stats() []BackendStats { return p.b.stats() }

// Dial schedules a connection as if it came from client and connects it to
// the chosen backend, without a listener: the verifier uses it to observe a
// scheduler's distribution. Closing the connection ends its count.
func (p *Proxy) Dial(ctx context.Context, client netip.Addr) (net.Conn, Endpoint, error) {
	return p.c.dialBalanced(ctx, p.b, client.Unmap())
}

// Serve accepts connections on l until ctx ends, then stops accepting, lets
// open connections finish for the drain timeout, closes the rest and
// returns nil. It first checks the Service and port exist (no ready
// endpoints is fine: pods may be starting). A failing connection never
// stops the others.
func (p *Proxy) Serve(ctx context.Context, l net.Listener) error {
	defer l.Close()
	if _, err := p.c.res.resolve(ctx, p.b.ns, p.b.name, p.b.port); err != nil {
		return err
	}
	stop := context.AfterFunc(ctx, func() { l.Close() })
	defer stop()

	var wg sync.WaitGroup
	var mu sync.Mutex
	open := map[net.Conn]struct{}{}
	var acceptErr error
	delay := time.Duration(0)
	for {
		conn, err := l.Accept()
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			if errors.Is(err, net.ErrClosed) {
				acceptErr = err
				break
			}
			// Out of file descriptors and the like: back off, go on.
			delay = min(max(2*delay, 5*time.Millisecond), time.Second)
			t := time.NewTimer(delay)
			select {
			case <-t.C:
				continue
			case <-ctx.Done():
				t.Stop()
			}
			break
		}
		delay = 0
		mu.Lock()
		open[conn] = struct{}{}
		mu.Unlock()
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.handle(ctx, conn)
			mu.Lock()
			delete(open, conn)
			mu.Unlock()
		}()
	}

	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	t := time.NewTimer(p.drain)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
		mu.Lock()
		for conn := range open {
			conn.Close()
		}
		mu.Unlock()
		<-done
	}
	return acceptErr
}

// handle serves one client connection: schedule, connect (trying other
// backends if one refuses), splice.
func (p *Proxy) handle(ctx context.Context, conn net.Conn) {
	client := clientAddr(conn)
	var be *backend
	var backendConn net.Conn
	for range maxAttempts {
		b, info, err := p.b.pick(ctx, client)
		if err != nil {
			break
		}
		bc, err := p.c.dialBackend(ctx, b, info)
		if err == nil {
			be, backendConn = b, bc
			break
		}
		b.markDown()
		b.done(false)
		p.b.forget(client)
		if ctx.Err() != nil {
			break
		}
	}
	if backendConn == nil {
		abort(conn, true)
		return
	}
	// Ending the context closes the client only after the drain timeout;
	// until then the connection is left to finish.
	if sent, err := splice(conn, backendConn, be); err != nil {
		be.errors.Add(1)
		// Broken before saying anything: through port-forward this is how
		// a dead pod (nothing listening) shows, since opening the stream
		// itself succeeds. Skip it for a moment, as a refused connect.
		if sent == 0 {
			be.markDown()
		}
	}
}

func clientAddr(c net.Conn) netip.Addr {
	if a, ok := c.RemoteAddr().(*net.TCPAddr); ok {
		return a.AddrPort().Addr().Unmap()
	}
	if ap, err := netip.ParseAddrPort(c.RemoteAddr().String()); err == nil {
		return ap.Addr().Unmap()
	}
	return localClient
}
