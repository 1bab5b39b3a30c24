package proxy

import (
	"bytes"
	"context"
	"io"
	"net"
	"testing"
	"time"
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
