package proxy

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labctl/labctl/i18n"
)

// pfFixture: a Service whose pods are reachable only through port-forward
// (their IPs are from TEST-NET and never dialled), served by the fake API
// server, which routes each pod to a local echo server.
func pfFixture(t *testing.T, n int, opts ...Option) (*Cluster, *fakeAPIServer, []*echoServer) {
	t.Helper()
	api := newFakeAPIServer(t)
	objs := []any{service("lab", "web", svcPort{"http", 80, false})}
	var eps []ep
	var servers []*echoServer
	for i := range n {
		pod := "pod-" + string(rune('a'+i))
		s := newEchoServer(t, pod)
		servers = append(servers, s)
		api.route(pod, "8080", "127.0.0.1:"+strconv.Itoa(int(s.port())))
		ip := "198.51.100." + strconv.Itoa(i+1)
		eps = append(eps, ep{pod: pod, node: "node1", ip: ip})
		objs = append(objs, runningPod("lab", pod, ip))
	}
	objs = append(objs, slice("lab", "web", "web-1", "http", 8080, eps...))
	if len(opts) == 0 {
		opts = []Option{WithTransport(TransportPortForward)}
	}
	c, _ := newTestCluster(t, api.config(), opts, objs...)
	return c, api, servers
}

func echoOnce(t testing.TB, conn net.Conn, msg string) string {
	t.Helper()
	r := bufio.NewReader(conn)
	name, err := r.ReadString('\n')
	if err != nil {
		t.Fatalf("read name: %v", err)
	}
	io.WriteString(conn, msg)
	buf := make([]byte, len(msg))
	if _, err := io.ReadFull(r, buf); err != nil || string(buf) != msg {
		t.Fatalf("echo: %q, %v", buf, err)
	}
	return strings.TrimSpace(name)
}

// Many forwarded connections, sequential and concurrent, share one
// port-forward connection per pod.
func TestPortForwardReusesOneConnectionPerPod(t *testing.T) {
	c, api, _ := pfFixture(t, 2)
	ctx := ctxT(t)
	seen := map[string]int{}
	for range 10 {
		conn, ep, err := c.DialService(ctx, "lab", "web", "http")
		if err != nil {
			t.Fatal(err)
		}
		if got := echoOnce(t, conn, "hi"); got != ep.Pod {
			t.Errorf("reached %s, DialService said %s", got, ep.Pod)
		}
		seen[ep.Pod]++
		conn.Close()
	}
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			conn, _, err := c.DialService(ctx, "lab", "web", "80")
			if err != nil {
				errs <- err
				return
			}
			defer conn.Close()
			io.WriteString(conn, "x")
			conn.(interface{ CloseWrite() error }).CloseWrite()
			b, err := io.ReadAll(conn)
			if err != nil || !strings.HasSuffix(string(b), "\nx") {
				errs <- errors.New("bad echo: " + string(b))
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if seen["pod-a"] != 5 || seen["pod-b"] != 5 {
		t.Errorf("rr over port-forward: %v", seen)
	}
	if got := api.upgrades.Load(); got != 2 {
		t.Errorf("%d port-forward connections for 2 pods and 50 streams, want 2", got)
	}
	if got := c.pool.dials.Load(); got != 2 {
		t.Errorf("pool dialled %d times, want 2", got)
	}
	if got := api.wsTries.Load(); got != 1 {
		t.Errorf("%d WebSocket attempts, want 1 (then SPDY for every pod)", got)
	}
}

// The kubelet's report on the error stream (nothing listens on the port)
// reaches the reader as an error, and the shared connection survives it.
func TestPortForwardRemoteError(t *testing.T) {
	c, api, _ := pfFixture(t, 1)
	ctx := ctxT(t)
	conn, err := c.DialPod(ctx, "lab", "pod-a", 9999)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_, err = io.ReadAll(conn)
	var re *RemoteError
	if !errors.As(err, &re) || !strings.Contains(re.Msg, "connection refused") {
		t.Fatalf("read: %v, want the kubelet's error", err)
	}
	conn2, err := c.DialPod(ctx, "lab", "pod-a", 8080)
	if err != nil {
		t.Fatal(err)
	}
	defer conn2.Close()
	echoOnce(t, conn2, "still here")
	if api.upgrades.Load() != 1 {
		t.Errorf("%d connections, want the one reused", api.upgrades.Load())
	}
}

// When the API server drops the connection, streams on it fail and the
// next dial opens a new connection.
func TestPortForwardReconnects(t *testing.T) {
	c, api, _ := pfFixture(t, 1)
	ctx := ctxT(t)
	conn, err := c.DialPod(ctx, "lab", "pod-a", 8080)
	if err != nil {
		t.Fatal(err)
	}
	echoOnce(t, conn, "a")
	api.dropAll()
	if _, err := io.ReadAll(conn); err == nil {
		// A dropped connection may look like EOF on the stream; what matters
		// is that it ends and the next dial works.
		t.Log("stream ended with EOF")
	}
	conn.Close()
	eventually(t, "a new connection", func() bool {
		conn, err := c.DialPod(ctx, "lab", "pod-a", 8080)
		if err != nil {
			return false
		}
		defer conn.Close()
		echoOnce(t, conn, "b")
		return true
	})
	if api.upgrades.Load() != 2 {
		t.Errorf("%d upgrades, want 2", api.upgrades.Load())
	}
}

// Deadlines work on forwarded connections: a read with nothing to read
// times out, and the connection is still usable afterwards.
func TestPortForwardDeadlines(t *testing.T) {
	c, _, _ := pfFixture(t, 1)
	conn, err := c.DialPod(ctxT(t), "lab", "pod-a", 8080)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	r := bufio.NewReader(conn)
	if _, err := r.ReadString('\n'); err != nil {
		t.Fatal(err)
	}
	conn.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
	_, err = r.ReadByte()
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("read past deadline: %v, want a timeout", err)
	}
	conn.SetDeadline(time.Time{})
	io.WriteString(conn, "after")
	buf := make([]byte, 5)
	if _, err := io.ReadFull(r, buf); err != nil || string(buf) != "after" {
		t.Fatalf("after timeout: %q, %v", buf, err)
	}
	conn.SetWriteDeadline(time.Now().Add(-time.Second))
	if _, err := conn.Write([]byte("x")); !errors.As(err, &ne) || !ne.Timeout() {
		t.Errorf("write past deadline: %v", err)
	}
}

// Auto reaches pods whose IPs are routable directly and the rest through
// port-forward, deciding once per /24.
func TestAutoTransport(t *testing.T) {
	var mu sync.Mutex
	checks := map[string]int{}
	routable := func(ip netip.Addr) bool {
		mu.Lock()
		checks[ip.String()]++
		mu.Unlock()
		return ip.IsLoopback()
	}
	c, api, _ := pfFixture(t, 2, withRoutable(routable))
	ctx := ctxT(t)
	for range 4 {
		conn, _, err := c.DialService(ctx, "lab", "web", "http")
		if err != nil {
			t.Fatal(err)
		}
		echoOnce(t, conn, "x")
		conn.Close()
	}
	if len(checks) != 1 {
		t.Errorf("routability checked for %v, want once for the pods' /24", checks)
	}
	if api.upgrades.Load() != 2 {
		t.Errorf("%d port-forward connections, want 2", api.upgrades.Load())
	}
	// Loopback pods are routable: no port-forward at all.
	d, _ := newTestCluster(t, nil, []Option{withRoutable(routable)}, service("lab", "local", svcPort{"", 80, false}),
		slice("lab", "local", "local-1", "", newEchoServer(t, "local").port(), ep{pod: "local", ip: "127.0.0.1"}))
	conn, _, err := d.DialService(ctx, "lab", "local", "")
	if err != nil {
		t.Fatal(err)
	}
	echoOnce(t, conn, "y")
	conn.Close()
}

func TestDialPodErrors(t *testing.T) {
	pending := runningPod("lab", "starting", "")
	pending.Status.Phase = "Pending"
	c, _ := newTestCluster(t, nil, nil, pending)
	ctx := ctxT(t)
	for _, tc := range []struct {
		pod  string
		port int
		msg  string
	}{
		{"nope", 80, msgPodNotFound.ID},
		{"starting", 80, msgPodNotRunning.ID},
		{"starting", 0, msgBadPort.ID},
		{"starting", 70000, msgBadPort.ID},
	} {
		_, err := c.DialPod(ctx, "lab", tc.pod, tc.port)
		var le *i18n.Error
		if !errors.As(err, &le) || le.Msg.ID != tc.msg {
			t.Errorf("%s:%d: %v, want %s", tc.pod, tc.port, err, tc.msg)
		}
	}
}
