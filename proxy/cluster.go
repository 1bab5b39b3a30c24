package proxy

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/labctl/labctl/i18n"
)

// Cluster is the proxy core for one cluster: shared resolvers (informers),
// transports and reused port-forward connections. It is safe for concurrent
// use; Close releases everything it holds.
type Cluster struct {
	cfg    *rest.Config
	client kubernetes.Interface
	opts   options
	res    *resolver
	pool   *pfPool
	routes routability

	mu        sync.Mutex
	closed    bool
	balancers map[string]*balancer

	httpOnce   sync.Once
	httpClient *http.Client
}

// Option configures a Cluster.
type Option func(*options)

type options struct {
	transport     Transport
	dial          func(ctx context.Context, network, addr string) (net.Conn, error)
	routable      func(netip.Addr) bool
	dialTimeout   time.Duration
	idleTimeout   time.Duration
	clusterDomain string
}

// WithTransport fixes the transport instead of choosing automatically.
func WithTransport(t Transport) Option { return func(o *options) { o.transport = t } }

// withRoutable replaces how auto decides that an address is reachable
// without the API server (default: on an attached network, or with a route
// of its own; see Transport). Tests use it.
func withRoutable(f func(netip.Addr) bool) Option { return func(o *options) { o.routable = f } }

// NewCluster makes the proxy core for the cluster cfg and client reach.
// Nothing is contacted until the first dial.
func NewCluster(cfg *rest.Config, client kubernetes.Interface, opts ...Option) *Cluster {
	o := options{transport: TransportAuto,
		dialTimeout: 10 * time.Second, idleTimeout: 2 * time.Minute, clusterDomain: "cluster.local"}
	for _, opt := range opts {
		opt(&o)
	}
	if o.dial == nil {
		d := &net.Dialer{KeepAlive: 30 * time.Second}
		o.dial = d.DialContext
	}
	c := &Cluster{cfg: cfg, client: client, opts: o, res: newResolver(client), balancers: map[string]*balancer{}}
	c.routes.check = o.routable
	shortcut := &apiShortcut{cfg: cfg, client: client, routable: c.routes.routable}
	c.pool = newPFPool(portForwardDialer(cfg, shortcut), o.idleTimeout)
	return c
}

// Close stops the informers and closes every port-forward connection;
// connections handed out through them end.
func (c *Cluster) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	c.mu.Unlock()
	c.res.close()
	c.pool.close()
	if c.httpClient != nil {
		c.httpClient.CloseIdleConnections()
	}
	return nil
}

// Endpoints returns the ready endpoints of a Service port (name or number;
// "" when the Service has one TCP port). No ready endpoints is not an
// error: the slice is empty.
func (c *Cluster) Endpoints(ctx context.Context, namespace, name, port string) ([]Endpoint, error) {
	r, err := c.res.resolve(ctx, namespace, name, port)
	if err != nil {
		return nil, err
	}
	out := make([]Endpoint, len(r.endpoints))
	for i, e := range r.endpoints {
		out[i] = e.Endpoint
	}
	return out, nil
}

// localClient is the client address connections made by this process
// present to schedulers: every DialService caller is "this computer".
var localClient = netip.AddrFrom4([4]byte{127, 0, 0, 1})

// DialService picks a ready endpoint of the Service (port by name or
// number) with scheduler rr (starting at a random endpoint), honouring the Service's sessionAffinity as
// kube-proxy would, and connects to it. A backend that refuses is counted
// and the next one tried, up to three.
func (c *Cluster) DialService(ctx context.Context, namespace, name, port string) (net.Conn, Endpoint, error) {
	b, err := c.balancer(namespace, name, port)
	if err != nil {
		return nil, Endpoint{}, err
	}
	return c.dialBalanced(ctx, b, localClient)
}

func (c *Cluster) balancer(ns, name, port string) (*balancer, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, errClosed()
	}
	key := ns + "/" + name + ":" + port
	b := c.balancers[key]
	if b == nil {
		var err error
		if b, err = newBalancer(c.res, ns, name, port, RoundRobin, nil, 0, nil); err != nil {
			return nil, err
		}
		// Each process starts its rotation somewhere else, as iptables'
		// random choice would, instead of every labctl curl hitting the
		// first pod.
		b.shuffle = true
		c.balancers[key] = b
	}
	return b, nil
}

// maxAttempts is how many backends one connection tries before giving up.
const maxAttempts = 3

// dialBalanced picks and connects, retrying on other backends. The returned
// connection keeps the backend's active count until it is closed.
func (c *Cluster) dialBalanced(ctx context.Context, b *balancer, client netip.Addr) (net.Conn, Endpoint, error) {
	var lastErr error
	for range maxAttempts {
		be, info, err := b.pick(ctx, client)
		if err != nil {
			if lastErr != nil {
				return nil, Endpoint{}, lastErr
			}
			return nil, Endpoint{}, err
		}
		conn, err := c.dialBackend(ctx, be, info)
		if err == nil {
			return &trackedConn{Conn: conn, be: be}, info.Endpoint, nil
		}
		be.markDown()
		be.done(false)
		b.forget(client)
		lastErr = err
		if ctx.Err() != nil {
			break
		}
	}
	return nil, Endpoint{}, lastErr
}

// dialBackend connects to one backend and records the connect latency or
// the failure on it.
func (c *Cluster) dialBackend(ctx context.Context, be *backend, info endpointInfo) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, c.opts.dialTimeout)
	defer cancel()
	start := time.Now()
	conn, via, err := c.dial(ctx, targetOf(info))
	be.transport.Store(string(via))
	if err != nil {
		be.errors.Add(1)
		return nil, i18n.Errorf(msgDialFailed, info.Endpoint.String(), string(via)).Wrap(err)
	}
	be.latency.record(time.Since(start))
	return conn, nil
}

// DialPod connects to a pod's port, directly when its IP is routable,
// otherwise through the API server's port-forward.
func (c *Cluster) DialPod(ctx context.Context, namespace, pod string, port int) (net.Conn, error) {
	if port <= 0 || port > 65535 {
		return nil, i18n.Errorf(msgBadPort, port)
	}
	c.mu.Lock()
	closed := c.closed
	c.mu.Unlock()
	if closed {
		return nil, errClosed()
	}
	p, err := c.client.CoreV1().Pods(namespace).Get(ctx, pod, metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
		return nil, i18n.Errorf(msgPodNotFound, namespace+"/"+pod).WithFix(fixPodNotFound)
	case err != nil:
		return nil, apiError(err)
	}
	ip, perr := netip.ParseAddr(p.Status.PodIP)
	if p.Status.Phase != corev1.PodRunning || perr != nil {
		return nil, i18n.Errorf(msgPodNotRunning, namespace+"/"+pod, string(p.Status.Phase)).WithFix(fixPodNotRunning)
	}
	t := dialTarget{ns: namespace, pod: pod, uid: string(p.UID), ip: ip.Unmap(), port: port}
	ctx, cancel := context.WithTimeout(ctx, c.opts.dialTimeout)
	defer cancel()
	conn, via, err := c.dial(ctx, t)
	if err != nil {
		return nil, i18n.Errorf(msgDialFailed, namespace+"/"+pod+" ("+t.addr()+")", string(via)).Wrap(err)
	}
	return conn, nil
}

// trackedConn ends its backend's active count when closed.
type trackedConn struct {
	net.Conn
	be   *backend
	once sync.Once
}

func (t *trackedConn) Close() error {
	err := t.Conn.Close()
	t.once.Do(func() { t.be.done(false) })
	return err
}

// CloseWrite half-closes when the underlying connection can.
func (t *trackedConn) CloseWrite() error {
	if cw, ok := t.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}
