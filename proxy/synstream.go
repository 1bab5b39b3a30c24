package proxy

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"

	"github.com/moby/spdystream/spdy"
)

// synStreamWriter frames the SYN_STREAMs of port-forward streams.
//
// spdystream's framer compresses every header block at zlib's best
// compression against SPDY's 1.4 KB dictionary. That is the right choice
// for a browser's headers and the wrong one here: a port-forward stream
// has three short headers, the connection is local or nearly so, and a
// proxy opens two streams for every TCP connection it forwards. Under
// load the deflater's half-megabyte of match tables is cold in the cache
// each time, and compressing was 14 % of the proxy's CPU time.
//
// So the header block goes out as zlib stored blocks: still one zlib
// stream per connection, sync-flushed after each frame as SPDY requires,
// and read by any SPDY peer, but with nothing to search. The stream says
// it has no preset dictionary (FDICT clear): the reader is handed SPDY's
// dictionary regardless and never needs it, since stored data refers to
// nothing before it. Frames the framer writes (DATA, RST_STREAM, PING)
// carry no headers, so this is the connection's only header compressor.
type synStreamWriter struct {
	zbuf bytes.Buffer
	z    *zlib.Writer
	raw  []byte
}

func newSynStreamWriter() *synStreamWriter {
	w := &synStreamWriter{}
	w.z, _ = zlib.NewWriterLevel(&w.zbuf, zlib.NoCompression) // the level is valid
	return w
}

// header is one name (lower case, as SPDY/3 requires) and its value.
type header struct{ name, value string }

// write appends a SYN_STREAM frame for stream id with the given headers to
// out; fin opens the stream half-closed.
func (w *synStreamWriter) write(out *bytes.Buffer, id spdy.StreamId, fin bool, hs ...header) error {
	// The header block: a count, then each name and value with its length.
	b := binary.BigEndian.AppendUint32(w.raw[:0], uint32(len(hs)))
	for _, h := range hs {
		b = binary.BigEndian.AppendUint32(b, uint32(len(h.name)))
		b = append(b, h.name...)
		b = binary.BigEndian.AppendUint32(b, uint32(len(h.value)))
		b = append(b, h.value...)
	}
	w.raw = b
	w.zbuf.Reset()
	if _, err := w.z.Write(b); err != nil {
		return err
	}
	if err := w.z.Flush(); err != nil {
		return err
	}

	var flags byte
	if fin {
		flags = byte(spdy.ControlFlagFin)
	}
	length := 10 + w.zbuf.Len() // stream IDs, priority and slot, headers
	var f [18]byte
	binary.BigEndian.PutUint16(f[0:], 0x8000|uint16(spdy.Version))
	binary.BigEndian.PutUint16(f[2:], uint16(spdy.TypeSynStream))
	binary.BigEndian.PutUint32(f[4:], uint32(flags)<<24|uint32(length))
	binary.BigEndian.PutUint32(f[8:], uint32(id))
	// f[12:16]: associated stream 0; f[16]: priority 0; f[17]: slot 0.
	out.Write(f[:])
	out.Write(w.zbuf.Bytes())
	return nil
}
