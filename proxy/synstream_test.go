package proxy

import (
	"bytes"
	"testing"

	"github.com/moby/spdystream/spdy"
)

// spdystream's reader (the kubelet's and containerd's) reads what
// synStreamWriter writes: ids, FIN, headers, and the zlib stream carrying
// on from one frame to the next.
func TestSynStreamWriterReadBySpdystream(t *testing.T) {
	var wire bytes.Buffer
	w := newSynStreamWriter()
	type want struct {
		id   spdy.StreamId
		fin  bool
		port string
		typ  string
	}
	var wants []want
	for i := range 50 {
		id := spdy.StreamId(2*i + 1)
		fin := i%2 == 0
		typ := "data"
		if fin {
			typ = "error"
		}
		port := []string{"80", "8080", "53"}[i%3]
		if err := w.write(&wire, id, fin, header{portHeader, port}, header{requestIDHeader, "7"}, header{streamTypeHeader, typ}); err != nil {
			t.Fatal(err)
		}
		wants = append(wants, want{id, fin, port, typ})
	}
	f, err := spdy.NewFramer(&bytes.Buffer{}, &wire)
	if err != nil {
		t.Fatal(err)
	}
	for i, w := range wants {
		frame, err := f.ReadFrame()
		if err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		syn, ok := frame.(*spdy.SynStreamFrame)
		if !ok {
			t.Fatalf("frame %d: %T, want a SYN_STREAM", i, frame)
		}
		if syn.StreamId != w.id || (syn.CFHeader.Flags&spdy.ControlFlagFin != 0) != w.fin {
			t.Errorf("frame %d: stream %d fin %v, want %d %v", i, syn.StreamId, syn.CFHeader.Flags&spdy.ControlFlagFin != 0, w.id, w.fin)
		}
		if got := syn.Headers.Get("Port"); got != w.port {
			t.Errorf("frame %d: port %q, want %q", i, got, w.port)
		}
		if got := syn.Headers.Get("Streamtype"); got != w.typ {
			t.Errorf("frame %d: streamType %q, want %q", i, got, w.typ)
		}
		if got := syn.Headers.Get("Requestid"); got != "7" {
			t.Errorf("frame %d: requestID %q", i, got)
		}
		if len(syn.Headers) != 3 {
			t.Errorf("frame %d: %d headers, want 3", i, len(syn.Headers))
		}
	}
	if wire.Len() != 0 {
		t.Errorf("%d bytes left after the frames", wire.Len())
	}
}

func BenchmarkSynStream(b *testing.B) {
	b.Run("labctl", func(b *testing.B) {
		var wire bytes.Buffer
		w := newSynStreamWriter()
		for i := range b.N {
			wire.Reset()
			_ = w.write(&wire, spdy.StreamId(2*i+1), false, header{portHeader, "8080"}, header{requestIDHeader, "12345"}, header{streamTypeHeader, "data"})
		}
	})
	b.Run("spdystream", func(b *testing.B) {
		var wire bytes.Buffer
		f, _ := spdy.NewFramer(&wire, nil)
		for i := range b.N {
			wire.Reset()
			h := make(map[string][]string, 3)
			h["Port"], h["Requestid"], h["Streamtype"] = []string{"8080"}, []string{"12345"}, []string{"data"}
			_ = f.WriteFrame(&spdy.SynStreamFrame{StreamId: spdy.StreamId(2*i + 1), Headers: h})
		}
	})
}
