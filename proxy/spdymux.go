package proxy

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/moby/spdystream/spdy"
	corev1 "k8s.io/api/core/v1"

	"github.com/labctl/labctl/i18n"
)

// mux is the client end of one port-forward connection: SPDY/3.1 streams
// over an upgraded connection to the API server (directly, or tunnelled
// through a WebSocket), with frames encoded by spdystream's framer.
//
// It exists instead of client-go's httpstream connection because a proxy
// opens a stream pair for every TCP connection it forwards, and three
// things client-go does cost a round trip or a stall each time:
//
//   - Opening: client-go waits for the reply to each new stream before
//     data may be sent (kubectl waits for the error stream's, then the data
//     stream's). The protocol needs no wait: the kubelet's stream server
//     handles a stream's frames in order, so the two SYN_STREAMs and the
//     client's first bytes go out together and arrive as one message, and
//     the connection is usable at once — the first answer comes back after
//     one trip through the API server and kubelet instead of three.
//   - Writing: spdystream writes a frame a field at a time (eight writes for
//     a SYN_STREAM); through the WebSocket tunnel each write becomes a
//     message, a TLS record and a syscall at every hop. Here every frame —
//     or every batch of frames — is one write, a finished connection's FIN
//     waits briefly to go with the next connection's opening (writeLazy),
//     and SYN_STREAM headers are not deflated (see synStreamWriter).
//   - Reading: spdystream hands data to streams through unbuffered
//     channels, so a stream nobody reads (a server's greeting, an error
//     report) holds up the connection. Here each stream buffers what
//     arrives, up to a limit, and only a stream past its limit makes the
//     connection wait (as TCP would).
//
// The error stream is opened half-closed (we never write to it), which
// saves the FIN frame kubectl sends after opening it.
type mux struct {
	conn net.Conn

	wmu    sync.Mutex // serializes framing and writing
	framer *spdy.Framer
	syn    *synStreamWriter
	wbuf   bytes.Buffer // frames are framed here and flushed as one write
	nextID spdy.StreamId
	// lazy flushes frames that need not go at once (see writeLazy).
	lazy      *time.Timer
	lazyArmed bool
	lazyDelay time.Duration

	mu      sync.Mutex
	streams map[spdy.StreamId]*muxStream
	goAway  bool

	done     chan struct{} // closed when the connection has ended
	doneOnce sync.Once

	lastRead    atomic.Int64 // unix nanoseconds of the last frame read
	readerWaits atomic.Bool  // the reader is waiting for a full stream's reader
	nextReqID   atomic.Int64
}

// muxPingPeriod is how often an idle connection is pinged, as client-go
// does, to keep it open through proxies; muxDeadAfter without a frame from
// the far side (a ping reply at least) means it is gone.
const (
	muxPingPeriod = 5 * time.Second
	muxDeadAfter  = 6 * muxPingPeriod
)

// maxStreamBuffer is how much a stream holds for a reader that is not
// reading before the connection waits for it.
const maxStreamBuffer = 1 << 20

// maxDataFrame bounds one DATA frame, so a large write does not hold the
// connection from other streams for long.
const maxDataFrame = 32 << 10

// newMux starts a client over conn; r reads conn (a bufio.Reader that may
// already hold bytes read past the upgrade response).
func newMux(conn net.Conn, r io.Reader) (*mux, error) {
	m := &mux{conn: conn, nextID: 1, streams: map[spdy.StreamId]*muxStream{}, done: make(chan struct{}),
		syn: newSynStreamWriter(), lazyDelay: lazyDelay}
	if _, ok := r.(*bufio.Reader); !ok {
		r = bufio.NewReaderSize(r, 32<<10)
	}
	f, err := spdy.NewFramer(&m.wbuf, r)
	if err != nil {
		return nil, err
	}
	m.framer = f
	m.lastRead.Store(time.Now().UnixNano())
	go m.readLoop()
	go m.pingLoop()
	return m, nil
}

// closed reports whether the connection can take no new streams.
func (m *mux) closed() bool {
	if m.ended() {
		return true
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.goAway
}

// ended reports whether the connection has ended.
func (m *mux) ended() bool {
	select {
	case <-m.done:
		return true
	default:
		return false
	}
}

// close ends the connection; open streams fail with errLostConnection.
func (m *mux) close() {
	m.doneOnce.Do(func() {
		close(m.done)
		_ = m.conn.Close()
		m.mu.Lock()
		streams := m.streams
		m.streams = map[spdy.StreamId]*muxStream{}
		m.mu.Unlock()
		for _, s := range streams {
			s.fail(errLostConnection)
		}
	})
}

// write frames the given frames and sends them, with any frames waiting
// to go lazily, in one write.
func (m *mux) write(frames ...spdy.Frame) error {
	m.wmu.Lock()
	defer m.wmu.Unlock()
	return m.writeLocked(frames...)
}

func (m *mux) writeLocked(frames ...spdy.Frame) error {
	if err := m.frameLocked(frames...); err != nil {
		return err
	}
	return m.flushLocked()
}

// frameLocked adds frames to the write buffer; a frame that fails to
// encode leaves nothing of itself behind.
func (m *mux) frameLocked(frames ...spdy.Frame) error {
	if m.ended() {
		return errLostConnection
	}
	for _, f := range frames {
		mark := m.wbuf.Len()
		if err := m.framer.WriteFrame(f); err != nil {
			m.wbuf.Truncate(mark)
			return err
		}
	}
	return nil
}

// flushLocked sends everything framed so far in one write.
func (m *mux) flushLocked() error {
	if m.lazyArmed {
		m.lazy.Stop()
		m.lazyArmed = false
	}
	if m.wbuf.Len() == 0 {
		return nil
	}
	_, err := m.conn.Write(m.wbuf.Bytes())
	m.wbuf.Reset()
	if m.wbuf.Cap() > 256<<10 {
		m.wbuf = bytes.Buffer{} // a rare large batch: do not keep its buffer
	}
	if err != nil {
		m.close()
	}
	return err
}

// lazyDelay is how long a frame sent with writeLazy may wait for company.
const lazyDelay = 2 * time.Millisecond

// writeLazy frames f and sends it with the next write, or after lazyDelay.
// It is for FINs: a client closing its connection usually does so after it
// has its answer, and a proxy forwarding one short connection after another
// then sends each connection's last frame with the next one's first, saving
// a write and a message at every hop to the kubelet and back. The cost is
// that a client that half-closes and waits for the answer (nc -N) waits up
// to lazyDelay longer.
func (m *mux) writeLazy(f spdy.Frame) error {
	m.wmu.Lock()
	defer m.wmu.Unlock()
	if err := m.frameLocked(f); err != nil {
		return err
	}
	if !m.lazyArmed {
		m.lazyArmed = true
		if m.lazy == nil {
			m.lazy = time.AfterFunc(m.lazyDelay, m.flushLazy)
		} else {
			m.lazy.Reset(m.lazyDelay)
		}
	}
	return nil
}

func (m *mux) flushLazy() {
	m.wmu.Lock()
	defer m.wmu.Unlock()
	if m.lazyArmed {
		m.lazyArmed = false
		_ = m.flushLocked() // on an ended connection the write fails, which is all
	}
}

// newPair makes the data and error streams of one forwarded connection;
// they get their IDs when openPair sends them.
func (m *mux) newPair() (data, errs *muxStream) {
	return m.newStream(false), m.newStream(true)
}

// openPair sends the SYN_STREAMs of a pair made by newPair, with the
// connection's first bytes when there are some, in one write, without
// waiting for the far side.
func (m *mux) openPair(data, errs *muxStream, port int, first []byte) error {
	portStr := strconv.Itoa(port)
	reqID := strconv.FormatInt(m.nextReqID.Add(1)-1, 10)

	m.wmu.Lock() // stream IDs must reach the wire in increasing order
	defer m.wmu.Unlock()
	if m.nextID > 1<<31-5 {
		m.markGoAway() // out of stream IDs: the pool opens a new connection
		return errLostConnection
	}
	errs.id, data.id = m.nextID, m.nextID+2
	m.mu.Lock()
	if m.goAway {
		m.mu.Unlock()
		return errLostConnection
	}
	m.streams[errs.id], m.streams[data.id] = errs, data
	m.mu.Unlock()
	m.nextID += 4
	err := m.openLocked(data, errs, portStr, reqID, first)
	if err != nil {
		m.forget(errs, data)
	}
	return err
}

func (m *mux) openLocked(data, errs *muxStream, port, reqID string, first []byte) error {
	if m.ended() {
		return errLostConnection
	}
	mark := m.wbuf.Len()
	err := m.syn.write(&m.wbuf, errs.id, true,
		header{portHeader, port}, header{requestIDHeader, reqID}, header{streamTypeHeader, corev1.StreamTypeError})
	if err == nil {
		err = m.syn.write(&m.wbuf, data.id, false,
			header{portHeader, port}, header{requestIDHeader, reqID}, header{streamTypeHeader, corev1.StreamTypeData})
	}
	if err == nil && len(first) > 0 {
		err = m.framer.WriteFrame(&spdy.DataFrame{StreamId: data.id, Data: first})
	}
	if err != nil {
		// Writing to memory does not fail; if it ever did, the header
		// compressor may have moved on without its frame going out, and
		// the far side could not read the next one: end the connection.
		m.wbuf.Truncate(mark)
		m.close()
		return err
	}
	return m.flushLocked()
}

// The port-forward headers, in lower case as SPDY/3 sends them.
var (
	portHeader       = strings.ToLower(corev1.PortHeader)
	requestIDHeader  = strings.ToLower(corev1.PortForwardRequestIDHeader)
	streamTypeHeader = strings.ToLower(corev1.StreamType)
)

func (m *mux) newStream(localFin bool) *muxStream {
	return &muxStream{m: m, localFin: localFin,
		ready: make(chan struct{}, 1), space: make(chan struct{}, 1), fin: make(chan struct{})}
}

func (m *mux) markGoAway() {
	m.mu.Lock()
	m.goAway = true
	m.mu.Unlock()
}

// forget removes streams from the connection; frames for them that arrive
// later are dropped.
func (m *mux) forget(ss ...*muxStream) {
	m.mu.Lock()
	for _, s := range ss {
		if m.streams[s.id] == s {
			delete(m.streams, s.id)
		}
	}
	m.mu.Unlock()
}

func (m *mux) stream(id spdy.StreamId) *muxStream {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.streams[id]
}

func (m *mux) readLoop() {
	for {
		frame, err := m.framer.ReadFrame()
		if err != nil {
			m.close()
			return
		}
		m.lastRead.Store(time.Now().UnixNano())
		switch f := frame.(type) {
		case *spdy.DataFrame:
			if s := m.stream(f.StreamId); s != nil {
				s.push(f.Data, f.Flags&spdy.DataFlagFin != 0)
			}
		case *spdy.SynReplyFrame:
			if s := m.stream(f.StreamId); s != nil && f.CFHeader.Flags&spdy.ControlFlagFin != 0 {
				s.push(nil, true)
			}
		case *spdy.RstStreamFrame:
			if s := m.stream(f.StreamId); s != nil {
				s.fail(i18n.Errorf(msgStreamReset, int(f.Status)))
				m.forget(s)
			}
		case *spdy.PingFrame:
			if f.Id%2 == 0 { // the server's: answer it
				go func(id uint32) { _ = m.write(&spdy.PingFrame{Id: id}) }(f.Id)
			}
		case *spdy.GoAwayFrame:
			m.markGoAway()
		case *spdy.SynStreamFrame:
			// The server never opens streams on a port-forward.
			go func(id spdy.StreamId) {
				_ = m.write(&spdy.RstStreamFrame{StreamId: id, Status: spdy.RefusedStream})
			}(f.StreamId)
		}
		// SETTINGS, HEADERS and WINDOW_UPDATE carry nothing a port-forward
		// client needs (the kubelet does no flow control).
	}
}

func (m *mux) pingLoop() {
	t := time.NewTicker(muxPingPeriod)
	defer t.Stop()
	var id uint32 = 1
	for {
		select {
		case <-m.done:
			return
		case now := <-t.C:
			if !m.readerWaits.Load() && now.Sub(time.Unix(0, m.lastRead.Load())) > muxDeadAfter {
				m.close()
				return
			}
			if err := m.write(&spdy.PingFrame{Id: id}); err != nil {
				return
			}
			id += 2
		}
	}
}

// muxStream is one SPDY stream: bytes that arrived, waiting to be read,
// and whether each side has finished.
type muxStream struct {
	m  *mux
	id spdy.StreamId // 0 until opened

	mu        sync.Mutex
	chunks    [][]byte
	buffered  int
	remoteFin bool
	err       error // reset, or the connection lost
	localFin  bool  // we sent FIN (or opened it half-closed)
	gone      bool  // closed locally: drop what arrives

	ready   chan struct{} // a token when there is something new to read
	space   chan struct{} // a token when the reader made room
	fin     chan struct{} // closed when the far side has finished or the stream failed
	finOnce sync.Once
}

func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// push adds what arrived for the stream. Past maxStreamBuffer it waits
// for the reader to make room, which holds up the connection (TCP's own
// back-pressure, end to end), unless the stream or connection ends.
func (s *muxStream) push(b []byte, fin bool) {
	for {
		s.mu.Lock()
		if s.gone || s.err != nil {
			s.mu.Unlock()
			return
		}
		if len(b) == 0 || s.buffered < maxStreamBuffer {
			break
		}
		s.mu.Unlock()
		s.m.readerWaits.Store(true)
		select {
		case <-s.space:
		case <-s.m.done:
		}
		// Waiting is not silence: the ping check starts afresh.
		s.m.lastRead.Store(time.Now().UnixNano())
		s.m.readerWaits.Store(false)
	}
	if len(b) > 0 {
		s.chunks = append(s.chunks, b)
		s.buffered += len(b)
	}
	if fin {
		s.remoteFin = true
	}
	done := s.remoteFin && s.localFin
	s.mu.Unlock()
	signal(s.ready)
	if fin {
		s.finOnce.Do(func() { close(s.fin) })
	}
	if done {
		s.m.forget(s)
	}
}

func (s *muxStream) fail(err error) {
	s.mu.Lock()
	if s.err == nil {
		s.err = err
	}
	s.mu.Unlock()
	signal(s.ready)
	signal(s.space)
	s.finOnce.Do(func() { close(s.fin) })
}

// read reads what has arrived, waiting until something has or deadline
// (nil: none) passes or stop closes.
func (s *muxStream) read(p []byte, deadline <-chan struct{}, stop <-chan struct{}) (int, error) {
	for {
		s.mu.Lock()
		if len(s.chunks) > 0 {
			n := copy(p, s.chunks[0])
			if n == len(s.chunks[0]) {
				s.chunks[0] = nil
				s.chunks = s.chunks[1:]
			} else {
				s.chunks[0] = s.chunks[0][n:]
			}
			wasFull := s.buffered >= maxStreamBuffer
			s.buffered -= n
			s.mu.Unlock()
			if wasFull {
				signal(s.space)
			}
			return n, nil
		}
		err := s.err
		if err == nil && s.remoteFin {
			err = io.EOF
		}
		s.mu.Unlock()
		if err != nil {
			return 0, err
		}
		select {
		case <-s.ready:
		case <-deadline:
			return 0, os.ErrDeadlineExceeded
		case <-stop:
			return 0, net.ErrClosed
		}
	}
}

// finished waits up to d for the far side to finish the stream.
func (s *muxStream) finished(d time.Duration, stop <-chan struct{}) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-s.fin:
		return true
	case <-t.C:
	case <-stop:
	}
	return false
}

// contents is everything buffered, for the error stream's message.
func (s *muxStream) contents() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return bytes.Join(s.chunks, nil)
}

// writeData sends p as DATA frames.
func (s *muxStream) writeData(p []byte) (int, error) {
	s.mu.Lock()
	fin, err := s.localFin, s.err
	s.mu.Unlock()
	if err != nil {
		return 0, err
	}
	if fin {
		return 0, net.ErrClosed
	}
	written := 0
	for len(p) > 0 {
		k := min(len(p), maxDataFrame)
		if err := s.m.write(&spdy.DataFrame{StreamId: s.id, Data: p[:k]}); err != nil {
			return written, err
		}
		written, p = written+k, p[k:]
	}
	return written, nil
}

// closeWrite sends FIN: the pod's side reads EOF, replies still flow.
func (s *muxStream) closeWrite() error {
	s.mu.Lock()
	if s.localFin || s.err != nil {
		s.mu.Unlock()
		return nil
	}
	s.localFin = true
	done := s.remoteFin
	s.mu.Unlock()
	if done {
		s.m.forget(s)
	}
	return s.m.writeLazy(&spdy.DataFrame{StreamId: s.id, Flags: spdy.DataFlagFin})
}

// reset ends the stream at once. With tell, the far side is asked to
// stop too (RST_STREAM), unless both sides had already finished.
func (s *muxStream) reset(tell bool) {
	s.mu.Lock()
	tell = tell && s.id != 0 && !(s.localFin && s.remoteFin) && s.err == nil && !s.gone
	s.gone = true
	s.chunks, s.buffered = nil, 0
	s.mu.Unlock()
	signal(s.space)
	if s.id != 0 {
		s.m.forget(s)
	}
	if tell {
		_ = s.m.write(&spdy.RstStreamFrame{StreamId: s.id, Status: spdy.Cancel})
	}
}
