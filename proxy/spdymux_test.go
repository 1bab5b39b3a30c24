package proxy

import (
	"bytes"
	"context"
	"io"
	"net"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/moby/spdystream/spdy"
)

// Connections whose greeting nobody reads do not hold up the others on
// the same port-forward connection. (client-go's stream layer hands data
// over unbuffered and would stop here: its five frame workers each wait on
// a stream nobody reads.)
func TestPortForwardUnreadStreamsDoNotStall(t *testing.T) {
	c, api, _ := pfFixture(t, 1)
	ctx := ctxT(t)
	var idle []net.Conn
	for range 20 {
		conn, err := c.DialPod(ctx, "lab", "pod-a", 8080)
		if err != nil {
			t.Fatal(err)
		}
		idle = append(idle, conn) // the echo server's greeting arrives; never read
	}
	time.Sleep(100 * time.Millisecond)
	done := make(chan struct{})
	go func() {
		defer close(done)
		conn, err := c.DialPod(ctx, "lab", "pod-a", 8080)
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close()
		if got := echoOnce(t, conn, "after twenty unread greetings"); got != "pod-a" {
			t.Errorf("reached %q", got)
		}
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("a connection stalled behind streams nobody reads")
	}
	for _, conn := range idle {
		conn.Close()
	}
	if got := api.upgrades.Load(); got != 1 {
		t.Errorf("%d port-forward connections, want 1", got)
	}
}

// A reader that falls behind makes the connection wait once its stream
// holds maxStreamBuffer, instead of buffering without bound; nothing is
// lost, and data reach the reader in order.
func TestPortForwardBoundedBuffering(t *testing.T) {
	c, _, _ := pfFixture(t, 1)
	ctx := ctxT(t)
	conn, err := c.DialPod(ctx, "lab", "pod-a", 8080)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	payload := bytes.Repeat([]byte("0123456789abcdef"), 4<<20/16) // 4 MiB, echoed back
	go func() {
		conn.Write(payload)
		conn.(interface{ CloseWrite() error }).CloseWrite()
	}()
	sc := conn.(*streamConn)
	<-sc.openDone
	deadline := time.Now().Add(500 * time.Millisecond)
	peak := 0
	for time.Now().Before(deadline) { // not reading for a while
		sc.data.mu.Lock()
		peak = max(peak, sc.data.buffered)
		sc.data.mu.Unlock()
		time.Sleep(5 * time.Millisecond)
	}
	if peak == 0 || peak > maxStreamBuffer+64<<10 {
		t.Errorf("a stream nobody read buffered %d bytes, want some and at most about %d", peak, maxStreamBuffer)
	}
	got, err := io.ReadAll(conn)
	if err != nil {
		t.Fatal(err)
	}
	want := append([]byte("pod-a\n"), payload...)
	if !bytes.Equal(got, want) {
		t.Errorf("read %d bytes back, want %d, in order", len(got), len(want))
	}
}

// A read deadline interrupts a waiting Read, and a later deadline lets
// the connection go on.
func TestPortForwardReadDeadlineThenResume(t *testing.T) {
	c, _, _ := pfFixture(t, 1)
	conn, err := c.DialPod(ctxT(t), "lab", "pod-a", 8080)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	buf := make([]byte, 64)
	n, err := io.ReadAtLeast(conn, buf, len("pod-a\n"))
	if err != nil || string(buf[:n]) != "pod-a\n" {
		t.Fatalf("greeting %q, %v", buf[:n], err)
	}
	conn.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	if _, err := conn.Read(buf); !isTimeout(err) {
		t.Fatalf("Read past the deadline: %v, want a timeout", err)
	}
	conn.SetReadDeadline(time.Time{})
	io.WriteString(conn, "again")
	if n, err := io.ReadFull(conn, buf[:5]); err != nil || string(buf[:n]) != "again" {
		t.Fatalf("after the deadline: %q, %v", buf[:n], err)
	}
}

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}

// Closing the pool ends every mux and its goroutines promptly, even with
// streams open.
func TestPortForwardCloseEndsStreams(t *testing.T) {
	c, _, _ := pfFixture(t, 1)
	conn, err := c.DialPod(context.Background(), "lab", "pod-a", 8080)
	if err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() {
		_, err := io.ReadAll(conn)
		errc <- err
	}()
	time.Sleep(50 * time.Millisecond)
	c.Close()
	select {
	case err := <-errc:
		if err == nil {
			t.Error("a stream on a closed core ended cleanly; want an error")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Read still waiting after Close")
	}
}

// apiFixture: one pod served by two fake API servers; the kubeconfig
// names the first, the default/kubernetes EndpointSlice advertises
// advertised (the second's address unless given).
func apiFixture(t *testing.T, advertised string) (c *Cluster, viaConfig, viaEndpoint *fakeAPIServer) {
	t.Helper()
	viaConfig, viaEndpoint = newFakeAPIServer(t), newFakeAPIServer(t)
	echo := newEchoServer(t, "pod-a")
	for _, api := range []*fakeAPIServer{viaConfig, viaEndpoint} {
		api.route("pod-a", "8080", "127.0.0.1:"+strconv.Itoa(int(echo.port())))
	}
	if advertised == "" {
		advertised = strings.TrimPrefix(viaEndpoint.srv.URL, "http://")
	}
	host, port, _ := net.SplitHostPort(advertised)
	p, _ := strconv.Atoi(port)
	c, _ = newTestCluster(t, viaConfig.config(), []Option{WithTransport(TransportPortForward)},
		runningPod("lab", "pod-a", "198.51.100.1"),
		slice("default", "kubernetes", "kubernetes", "https", int32(p), ep{ip: host, node: "cp"}))
	return c, viaConfig, viaEndpoint
}

// With the kubeconfig naming a loopback port (Docker's published port),
// port-forwards go to the address the API server advertises instead.
func TestPortForwardSkipsPublishedPort(t *testing.T) {
	c, viaConfig, viaEndpoint := apiFixture(t, "")
	for range 3 {
		conn, err := c.DialPod(ctxT(t), "lab", "pod-a", 8080)
		if err != nil {
			t.Fatal(err)
		}
		if got := echoOnce(t, conn, "hi"); got != "pod-a" {
			t.Errorf("reached %q", got)
		}
		conn.Close()
	}
	if a, b := viaConfig.upgrades.Load(), viaEndpoint.upgrades.Load(); a != 0 || b != 1 {
		t.Errorf("upgrades: %d through the kubeconfig's address, %d through the advertised one; want 0 and 1", a, b)
	}
}

// An advertised address that does not answer is tried once, then the
// kubeconfig's address is used for good.
func TestPortForwardShortcutFallsBack(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := l.Addr().String()
	l.Close()
	c, viaConfig, _ := apiFixture(t, dead)
	for _, pod := range []string{"pod-a", "pod-a"} {
		conn, err := c.DialPod(ctxT(t), "lab", pod, 8080)
		if err != nil {
			t.Fatal(err)
		}
		echoOnce(t, conn, "hi")
		conn.Close()
	}
	if got := viaConfig.upgrades.Load(); got != 1 {
		t.Errorf("%d upgrades through the kubeconfig's address, want 1", got)
	}
	if c.pool.dials.Load() != 1 {
		t.Errorf("pool dialled %d times, want 1", c.pool.dials.Load())
	}
}

// countingConn counts the writes made to it.
type countingConn struct {
	net.Conn
	writes atomic.Int32
}

func (c *countingConn) Write(p []byte) (int, error) {
	c.writes.Add(1)
	return c.Conn.Write(p)
}

// A finished connection's FIN goes out with the next connection's opening,
// in one write, and in order; with nothing to go with, it goes on its own
// after the lazy delay.
func TestMuxFinRidesWithNextOpening(t *testing.T) {
	client, server := net.Pipe()
	defer server.Close()
	cc := &countingConn{Conn: client}
	m, err := newMux(cc, cc)
	if err != nil {
		t.Fatal(err)
	}
	defer m.close()
	m.lazyDelay = time.Hour

	frames := make(chan spdy.Frame, 16)
	go func() {
		f, _ := spdy.NewFramer(io.Discard, server)
		for {
			fr, err := f.ReadFrame()
			if err != nil {
				close(frames)
				return
			}
			frames <- fr
		}
	}()
	next := func() spdy.Frame {
		select {
		case f := <-frames:
			return f
		case <-time.After(5 * time.Second):
			t.Fatal("no frame arrived")
			return nil
		}
	}

	dataA, errsA := m.newPair()
	if err := m.openPair(dataA, errsA, 80, []byte("a")); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		next()
	}
	if err := dataA.closeWrite(); err != nil {
		t.Fatal(err)
	}
	dataB, errsB := m.newPair()
	if err := m.openPair(dataB, errsB, 80, []byte("b")); err != nil {
		t.Fatal(err)
	}
	fin, ok := next().(*spdy.DataFrame)
	if !ok || fin.StreamId != dataA.id || fin.Flags&spdy.DataFlagFin == 0 || len(fin.Data) != 0 {
		t.Fatalf("first frame after the opening: %#v, want the FIN of stream %d", fin, dataA.id)
	}
	if syn, ok := next().(*spdy.SynStreamFrame); !ok || syn.StreamId != errsB.id {
		t.Fatalf("then %#v, want the SYN_STREAM of stream %d", syn, errsB.id)
	}
	next()
	next()
	if got := cc.writes.Load(); got != 2 {
		t.Errorf("%d writes for two openings and a FIN, want 2", got)
	}

	// Alone, the FIN still goes.
	m.wmu.Lock()
	m.lazyDelay = 10 * time.Millisecond
	m.wmu.Unlock()
	if err := dataB.closeWrite(); err != nil {
		t.Fatal(err)
	}
	if fin, ok := next().(*spdy.DataFrame); !ok || fin.StreamId != dataB.id || fin.Flags&spdy.DataFlagFin == 0 {
		t.Fatalf("got %#v, want the FIN of stream %d", fin, dataB.id)
	}
}
