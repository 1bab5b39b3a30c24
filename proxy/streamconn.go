package proxy

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"time"
)

// streamConn is one forwarded TCP connection: a data stream and an error
// stream on a shared port-forward connection, seen as a net.Conn. Closing
// it ends its two streams only; the connection stays for the next one.
type streamConn struct {
	pc         *pfConn
	data, errs *muxStream
	remote     net.Addr

	closed    chan struct{}
	closeOnce sync.Once

	rd, wd deadline
}

// errorWait bounds how long a Read that met the end of the data stream
// waits for the error stream to say why.
const errorWait = 2 * time.Second

func newStreamConn(pc *pfConn, data, errs *muxStream, remote net.Addr) *streamConn {
	return &streamConn{pc: pc, data: data, errs: errs, remote: remote, closed: make(chan struct{})}
}

// RemoteError is what the kubelet reported for a forwarded connection.
type RemoteError struct{ Msg string }

func (e *RemoteError) Error() string { return "port-forward: " + e.Msg }

func isClosedErr(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) || strings.Contains(err.Error(), "use of closed network connection")
}

var errLostConnection = errors.New("lost the port-forward connection to the API server")

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
	return c.data.writeData(p)
}

// CloseWrite half-closes: the pod's side reads EOF, replies still flow.
func (c *streamConn) CloseWrite() error { return c.data.closeWrite() }

func (c *streamConn) Close() error {
	c.closeOnce.Do(func() {
		close(c.closed)
		// The data stream is reset if the pod may still send; the error
		// stream (closed on our side from the start) is only forgotten:
		// the kubelet ends it by itself once the data stream is gone.
		c.data.reset(true)
		c.errs.reset(false)
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
