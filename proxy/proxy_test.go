package proxy

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/netip"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/labctl/labctl/i18n"
)

// proxyFixture is a Service "web" in "lab" with n echo backends, each in
// its own EndpointSlice (so they can share 127.0.0.1 on different ports),
// and a proxy serving it on a local listener.
type proxyFixture struct {
	c        *Cluster
	p        *Proxy
	addr     string
	backends []*echoServer
	cancel   context.CancelFunc
	served   chan error
}

func newProxyFixture(t *testing.T, n int, svcMod func(*corev1.Service), opts ...ProxyOption) *proxyFixture {
	t.Helper()
	svc := service("lab", "web", svcPort{"http", 80, false})
	if svcMod != nil {
		svcMod(svc)
	}
	objs := []any{svc}
	f := &proxyFixture{}
	for i := range n {
		name := string(rune('a' + i))
		s := newEchoServer(t, "pod-"+name)
		f.backends = append(f.backends, s)
		objs = append(objs, slice("lab", "web", "web-"+name, "http", s.port(),
			ep{pod: "pod-" + name, node: "node" + name, ip: "127.0.0.1"}))
	}
	f.c, _ = newTestCluster(t, nil, nil, objs...)
	p, err := f.c.NewProxy("lab", "web", "http", opts...)
	if err != nil {
		t.Fatal(err)
	}
	f.p = p
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f.addr = l.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	f.cancel = cancel
	f.served = make(chan error, 1)
	go func() { f.served <- p.Serve(ctx, l) }()
	t.Cleanup(func() {
		cancel()
		<-f.served
	})
	return f
}

// roundTrip connects through the proxy, learns the backend's name, sends
// msg and reads it back.
func roundTrip(t testing.TB, addr, msg string) (backend string, err error) {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	r := bufio.NewReader(conn)
	name, err := r.ReadString('\n')
	if err != nil {
		return "", err
	}
	if _, err := io.WriteString(conn, msg); err != nil {
		return "", err
	}
	buf := make([]byte, len(msg))
	if _, err := io.ReadFull(r, buf); err != nil {
		return "", err
	}
	if string(buf) != msg {
		t.Errorf("echo %q, want %q", buf, msg)
	}
	return strings.TrimSpace(name), nil
}

func statsByPod(p *Proxy) map[string]BackendStats {
	m := map[string]BackendStats{}
	for _, s := range p.Stats() {
		m[s.Endpoint.Pod] = s
	}
	return m
}

func TestProxyRoundRobinAndCounters(t *testing.T) {
	f := newProxyFixture(t, 3, nil)
	count := map[string]int{}
	for range 30 {
		name, err := roundTrip(t, f.addr, "ping\n")
		if err != nil {
			t.Fatal(err)
		}
		count[name]++
	}
	for _, pod := range []string{"pod-a", "pod-b", "pod-c"} {
		if count[pod] != 10 {
			t.Errorf("%s got %d connections, want 10 (%v)", pod, count[pod], count)
		}
	}
	eventually(t, "connections to close", func() bool {
		for _, s := range f.p.Stats() {
			if s.Active != 0 || s.Inactive != 0 {
				return false
			}
		}
		return true
	})
	for pod, s := range statsByPod(f.p) {
		if s.Conns != 10 || s.BytesIn != 50 || s.BytesOut != uint64(10*(len(pod)+1+5)) || s.Errors != 0 {
			t.Errorf("%s: %+v", pod, s)
		}
		if !s.Ready || s.LatencyP50 <= 0 || s.Transport != string(TransportDirect) || s.Endpoint.Node == "" {
			t.Errorf("%s: ready %v, p50 %s, via %q, node %q", pod, s.Ready, s.LatencyP50, s.Transport, s.Endpoint.Node)
		}
	}
}

// The client shuts its write side; the backend still answers, and only
// then does the connection end: half-close travels through the proxy.
func TestProxyHalfClose(t *testing.T) {
	f := newProxyFixture(t, 1, nil)
	conn, err := net.Dial("tcp", f.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, "hello")
	conn.(*net.TCPConn).CloseWrite()
	got, err := io.ReadAll(conn)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != "pod-a\nhello" {
		t.Errorf("got %q", got)
	}
}

// A backend dying mid-stream breaks that connection with an error, not a
// clean end; the listener keeps serving, and later connections skip the
// dead backend (its refusals are counted).
func TestProxyBackendKilledMidStream(t *testing.T) {
	f := newProxyFixture(t, 2, nil)
	conn, err := net.Dial("tcp", f.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	r := bufio.NewReader(conn)
	name, err := r.ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	victim := f.backends[0]
	if strings.TrimSpace(name) != victim.name {
		victim = f.backends[1]
	}
	victim.kill()
	if _, err := io.ReadAll(r); err == nil {
		t.Error("connection to a killed backend ended cleanly; want an error (reset)")
	}
	for range 6 {
		got, err := roundTrip(t, f.addr, "x")
		if err != nil {
			t.Fatalf("listener stopped serving: %v", err)
		}
		if got == victim.name {
			t.Fatalf("reached the killed backend")
		}
	}
	// The broken stream and at least one refused connect; the stream's
	// error is counted when its splice ends, which may be after our reads.
	eventually(t, "the killed backend's errors to be counted", func() bool {
		return statsByPod(f.p)[victim.name].Errors >= 2
	})
}

func TestProxyGracefulShutdown(t *testing.T) {
	f := newProxyFixture(t, 1, nil, withDrainTimeout(50*time.Millisecond))
	conn, err := net.Dial("tcp", f.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := bufio.NewReader(conn).ReadString('\n'); err != nil {
		t.Fatal(err)
	}
	f.cancel()
	if err := <-f.served; err != nil {
		t.Errorf("Serve after cancel: %v", err)
	}
	f.served <- nil // for the cleanup
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.ReadAll(conn); errors.Is(err, os.ErrDeadlineExceeded) {
		t.Error("open connection not closed after the drain timeout")
	}
	if c, err := net.Dial("tcp", f.addr); err == nil {
		c.Close()
		t.Error("listener still accepting after shutdown")
	}
	if st := f.p.Stats(); st[0].Active != 0 {
		t.Errorf("active %d after shutdown", st[0].Active)
	}
}

func TestProxyServiceAffinity(t *testing.T) {
	f := newProxyFixture(t, 3, func(s *corev1.Service) {
		s.Spec.SessionAffinity = corev1.ServiceAffinityClientIP
		secs := int32(60)
		s.Spec.SessionAffinityConfig = &corev1.SessionAffinityConfig{ClientIP: &corev1.ClientIPConfig{TimeoutSeconds: &secs}}
	})
	first := ""
	for i := range 10 {
		name, err := roundTrip(t, f.addr, "x")
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = name
		} else if name != first {
			t.Fatalf("connection %d went to %s, not %s, despite ClientIP affinity", i, name, first)
		}
	}
	if got := f.p.Affinity(); got != time.Minute {
		t.Errorf("affinity %s, want the Service's 60s", got)
	}
}

func TestProxyAffinityOverrides(t *testing.T) {
	on := func(s *corev1.Service) { s.Spec.SessionAffinity = corev1.ServiceAffinityClientIP }
	f := newProxyFixture(t, 2, on, WithoutAffinity())
	seen := map[string]bool{}
	for range 4 {
		name, err := roundTrip(t, f.addr, "x")
		if err != nil {
			t.Fatal(err)
		}
		seen[name] = true
	}
	if len(seen) != 2 || f.p.Affinity() != 0 {
		t.Errorf("affinity turned off, yet %d backends seen (affinity %s)", len(seen), f.p.Affinity())
	}
	g := newProxyFixture(t, 2, nil, WithAffinity(0))
	if _, err := roundTrip(t, g.addr, "x"); err != nil {
		t.Fatal(err)
	}
	if g.p.Affinity() != DefaultAffinityTimeout {
		t.Errorf("forced affinity on a Service without it: %s, want kube-proxy's default", g.p.Affinity())
	}
}

// Proxy.Dial schedules as if from any client: sh keeps each client on one
// backend and spreads many clients over all of them.
func TestProxyDialSourceHash(t *testing.T) {
	f := newProxyFixture(t, 3, nil, WithScheduler(SourceHashing))
	ctx := ctxT(t)
	seen := map[string]bool{}
	for i := range 64 {
		c := clientIP(i)
		var got []string
		for range 2 {
			conn, ep, err := f.p.Dial(ctx, c)
			if err != nil {
				t.Fatal(err)
			}
			conn.Close()
			got = append(got, ep.Pod)
		}
		if got[0] != got[1] {
			t.Fatalf("client %s moved: %v", c, got)
		}
		seen[got[0]] = true
	}
	if len(seen) != 3 {
		t.Errorf("64 clients reached %d backends, want 3", len(seen))
	}
	eventually(t, "closed", func() bool {
		for _, s := range f.p.Stats() {
			if s.Active != 0 {
				return false
			}
		}
		return true
	})
}

func TestProxyWeights(t *testing.T) {
	f := newProxyFixture(t, 2, nil, WithScheduler(ShortestExpectedDelay), WithWeights(map[string]int{"pod-b": 3}))
	ctx := ctxT(t)
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	n := map[string]int{}
	for range 8 {
		conn, ep, err := f.p.Dial(ctx, localClient)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, conn)
		n[ep.Pod]++
	}
	if n["pod-a"] != 2 || n["pod-b"] != 6 {
		t.Errorf("sed with weights 1:3 over 8 open connections: %v, want 2:6", n)
	}
}

func TestProxyBadInput(t *testing.T) {
	c, _ := newTestCluster(t, nil, nil, service("lab", "web", svcPort{"http", 80, false}))
	if _, err := c.NewProxy("lab", "web", "http", WithScheduler("fastest")); err == nil {
		t.Error("unknown scheduler accepted")
	}
	p, err := c.NewProxy("lab", "nope", "80")
	if err != nil {
		t.Fatal(err)
	}
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	err = p.Serve(ctxT(t), l)
	var le *i18n.Error
	if !errors.As(err, &le) || le.Msg.ID != msgServiceNotFound.ID {
		t.Errorf("Serve of a missing Service: %v", err)
	}
}

// With no ready endpoints a connection is refused (reset) and the listener
// goes on; when a pod becomes ready the next connection reaches it.
func TestProxyNoEndpointsThenReady(t *testing.T) {
	c, cs := newTestCluster(t, nil, nil, service("lab", "web", svcPort{"http", 80, false}))
	p, _ := c.NewProxy("lab", "web", "http")
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); p.Serve(ctx, l) }()
	defer func() { cancel(); wg.Wait() }()
	if _, err := roundTrip(t, l.Addr().String(), "x"); err == nil {
		t.Fatal("a Service with no endpoints answered")
	}
	s := newEchoServer(t, "pod-late")
	create(t, cs, slice("lab", "web", "web-late", "http", s.port(), ep{pod: "pod-late", ip: "127.0.0.1"}))
	eventually(t, "the new pod to take connections", func() bool {
		name, err := roundTrip(t, l.Addr().String(), "x")
		return err == nil && name == "pod-late"
	})
}

var _ = netip.Addr{}

// A Service whose only pod refuses still gets every connection tried: a
// refusal marks the pod down, but with nothing else to pick it is tried
// again rather than the client being turned away unasked.
func TestProxyOnlyBackendRefusingIsRetried(t *testing.T) {
	f := newProxyFixture(t, 1, nil)
	f.backends[0].kill()
	for range 3 {
		if _, err := roundTrip(t, f.addr, "x"); err == nil {
			t.Fatal("a killed backend answered")
		}
	}
	eventually(t, "each connection to count a refused connect", func() bool {
		return f.p.Stats()[0].Errors >= 3
	})
}
