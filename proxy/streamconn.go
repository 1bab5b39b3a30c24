package proxy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/labctl/labctl/i18n"
)

// streamConn is one forwarded TCP connection: a data stream and an error
// stream on a shared port-forward connection, seen as a net.Conn. Closing
// it ends its two streams only; the connection stays for the next one.
type streamConn struct {
	pc     *pfConn
	port   int
	remote net.Addr

	// The streams are opened with the first bytes written, so the SYN
	// frames and the request travel as one message; a connection whose
	// client waits for the server to speak first is opened after openDelay.
	// data, errs and openErr are set once openDone is closed.
	openMu     sync.Mutex
	opened     bool
	openDone   chan struct{}
	openErr    error
	openTimer  *time.Timer
	data, errs *muxStream

	closed    chan struct{}
	closeOnce sync.Once

	rd, wd deadline
}

// errorWait bounds how long a Read that met the end of the data stream
// waits for the error stream to say why.
const errorWait = 2 * time.Second

// openDelay is how long a new connection waits for its first bytes before
// opening its streams without them.
const openDelay = 2 * time.Millisecond

func newStreamConn(pc *pfConn, port int, remote net.Addr) *streamConn {
	c := &streamConn{pc: pc, port: port, remote: remote, closed: make(chan struct{}), openDone: make(chan struct{})}
	c.openMu.Lock()
	c.openTimer = time.AfterFunc(openDelay, func() { c.open(nil) })
	c.openMu.Unlock()
	return c
}

// open sends the streams, with first, unless they have been sent; it
// reports whether it sent first, and the error opening met. Nothing has
// gone out before, so if the connection turns out to have died, the
// streams are opened on a new one instead.
func (c *streamConn) open(first []byte) (bool, error) {
	c.openMu.Lock()
	defer c.openMu.Unlock()
	if c.opened {
		return false, c.openErr
	}
	c.opened = true
	c.openTimer.Stop()
	defer close(c.openDone)
	select {
	case <-c.closed:
		c.openErr = net.ErrClosed
		return false, c.openErr
	default:
	}
	for attempt := 0; ; attempt++ {
		data, errs := c.pc.conn.newPair()
		err := c.pc.conn.openPair(data, errs, c.port, first)
		if err == nil {
			c.data, c.errs = data, errs
			return true, nil
		}
		if attempt > 0 || !c.pc.conn.closed() {
			c.openErr = err
			return false, err
		}
		ctx, cancel := context.WithTimeout(context.Background(), reopenTimeout)
		pc, gerr := c.pc.pool.get(ctx, c.pc.key)
		cancel()
		if gerr != nil {
			c.openErr = gerr
			return false, gerr
		}
		pc.streams.Add(1)
		c.pc.release()
		c.pc = pc
	}
}

// reopenTimeout bounds opening a new port-forward connection when the old
// one died under a connection not yet opened.
const reopenTimeout = 30 * time.Second

// waitOpen waits until the streams are open (nothing can arrive before).
func (c *streamConn) waitOpen() error {
	select {
	case <-c.openDone:
		return c.openErr
	case <-c.rd.done():
		return os.ErrDeadlineExceeded
	case <-c.closed:
		return net.ErrClosed
	}
}

// RemoteError is what the kubelet reported for a forwarded connection.
type RemoteError struct{ Msg string }

func (e *RemoteError) Error() string { return "port-forward: " + e.Msg }

func isClosedErr(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) || strings.Contains(err.Error(), "use of closed network connection")
}

// errLostConnection is what streams on a port-forward connection that
// ended report.
var errLostConnection = i18n.Errorf(msgLostConnection)

// remoteError is what the error stream reports once the data stream has
// ended: the kubelet writes there why a forward failed (nothing listens on
// the port, the pod is gone).
func (c *streamConn) remoteError() error {
	if !c.errs.finished(errorWait, c.closed) {
		return nil
	}
	if msg := strings.TrimSpace(string(c.errs.contents())); msg != "" {
		return &RemoteError{Msg: msg}
	}
	c.errs.mu.Lock()
	err := c.errs.err
	c.errs.mu.Unlock()
	if err != nil && !isClosedErr(err) {
		return err
	}
	return nil
}

func (c *streamConn) Read(p []byte) (int, error) {
	if err := c.waitOpen(); err != nil {
		return 0, err
	}
	n, err := c.data.read(p, c.rd.done(), c.closed)
	if err == io.EOF {
		if rerr := c.remoteError(); rerr != nil {
			return n, rerr
		}
	}
	return n, err
}

func (c *streamConn) Write(p []byte) (int, error) {
	select {
	case <-c.closed:
		return 0, net.ErrClosed
	case <-c.wd.done():
		return 0, os.ErrDeadlineExceeded
	default:
	}
	k := min(len(p), maxDataFrame)
	sent, err := c.open(p[:k])
	if err != nil {
		return 0, err
	}
	if !sent {
		k = 0
	}
	n, err := c.data.writeData(p[k:])
	return k + n, err
}

// CloseWrite half-closes: the pod's side reads EOF, replies still flow.
func (c *streamConn) CloseWrite() error {
	if _, err := c.open(nil); err != nil {
		return err
	}
	return c.data.closeWrite()
}

func (c *streamConn) Close() error {
	c.closeOnce.Do(func() {
		close(c.closed)
		c.open(nil) // if never opened: now never will be (closed)
		if c.data != nil {
			// The data stream is reset if the pod may still send; the
			// error stream (closed on our side from the start) is only
			// forgotten: the kubelet ends it once the data stream is gone.
			c.data.reset(true)
			c.errs.reset(false)
		}
		c.rd.stop()
		c.wd.stop()
		c.pc.release()
	})
	return nil
}

func (c *streamConn) LocalAddr() net.Addr  { return pfAddr(c.pc.key.String()) }
func (c *streamConn) RemoteAddr() net.Addr { return c.remote }

func (c *streamConn) SetDeadline(t time.Time) error {
	c.rd.set(t)
	c.wd.set(t)
	return nil
}

func (c *streamConn) SetReadDeadline(t time.Time) error {
	c.rd.set(t)
	return nil
}

func (c *streamConn) SetWriteDeadline(t time.Time) error {
	c.wd.set(t)
	return nil
}

// pfAddr names the local end of a forwarded connection.
type pfAddr string

func (a pfAddr) Network() string { return "port-forward" }
func (a pfAddr) String() string  { return string(a) }

var _ net.Conn = (*streamConn)(nil)

func (k pfKey) String() string { return fmt.Sprintf("pod/%s/%s", k.ns, k.pod) }
