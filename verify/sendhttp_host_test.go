package verify

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// hostSender sends from this computer as the lab network does: SendOnce on
// a fresh connection per request.
type hostSender struct{ Timeout time.Duration }

func (h *hostSender) HTTP(ctx context.Context, _ Vantage, _ string, req HTTPRequest, count int) ([]HTTPResponse, error) {
	out := make([]HTTPResponse, count)
	for i := range out {
		out[i] = SendOnce(ctx, (&net.Dialer{Timeout: h.Timeout}).DialContext, h.Timeout, req)
	}
	return out, nil
}

// TestHostRequests drives SendOnce, the lab network's host side (which
// needs no cluster),
// against a real TLS server that picks its certificate by SNI.
func TestHostRequests(t *testing.T) {
	book := newCert(t, "kube-book.com", "kube-book.com")
	def := newCert(t, nginxFakeCN, "ingress.local")
	var conns atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintf(w, "host=%s\n", r.Host) })
	mux.HandleFunc("/redirect", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://elsewhere.invalid/", http.StatusPermanentRedirect)
	})
	// /hang never answers while the test runs: not even when the client's
	// side of the connection goes away (a handler returning on that would
	// write a 200 a slow client could still read)
	release := make(chan struct{})
	mux.HandleFunc("/hang", func(http.ResponseWriter, *http.Request) { <-release })
	srv := httptest.NewUnstartedServer(mux)
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{def.pair}, GetCertificate: func(h *tls.ClientHelloInfo) (*tls.Certificate, error) {
		if h.ServerName == "kube-book.com" {
			return &book.pair, nil
		}
		return nil, nil
	}}
	srv.StartTLS()
	defer srv.Close()
	defer close(release) // before Close, which waits for the handlers
	n := &hostSender{Timeout: 5 * time.Second}
	ctx := context.Background()

	t.Run("SNI and Host from the request, a new connection each", func(t *testing.T) {
		conns.Store(0)
		rs, err := n.HTTP(ctx, FromHost, "", HTTPRequest{URL: srv.URL + "/", Host: "kube-book.com"}, 3)
		if err != nil || len(rs) != 3 {
			t.Fatal(rs, err)
		}
		for _, r := range rs {
			if r.Status != 200 || r.Body != "host=kube-book.com\n" || r.Cert == nil || r.Cert.Subject.CommonName != "kube-book.com" {
				t.Errorf("%+v", r)
			}
		}
		if c := conns.Load(); c != 3 {
			t.Errorf("%d connections for 3 requests", c)
		}
	})
	t.Run("Host with a port: SNI is the name", func(t *testing.T) {
		rs, _ := n.HTTP(ctx, FromHost, "", HTTPRequest{URL: srv.URL + "/", Host: "kube-book.com:443"}, 1)
		if rs[0].Cert == nil || rs[0].Cert.Subject.CommonName != "kube-book.com" || rs[0].Body != "host=kube-book.com:443\n" {
			t.Errorf("%+v", rs[0])
		}
	})
	t.Run("no SNI: the default certificate", func(t *testing.T) {
		rs, _ := n.HTTP(ctx, FromHost, "", HTTPRequest{URL: srv.URL + "/"}, 1)
		if rs[0].Cert == nil || rs[0].Cert.Subject.CommonName != nginxFakeCN {
			t.Errorf("%+v", rs[0])
		}
	})
	t.Run("redirects are answers, not followed", func(t *testing.T) {
		rs, _ := n.HTTP(ctx, FromHost, "", HTTPRequest{URL: srv.URL + "/redirect", Host: "kube-book.com"}, 1)
		if rs[0].Status != http.StatusPermanentRedirect {
			t.Errorf("%+v", rs[0])
		}
	})
	t.Run("connection refused", func(t *testing.T) {
		rs, _ := n.HTTP(ctx, FromHost, "", HTTPRequest{URL: "http://127.0.0.1:1/"}, 1)
		if rs[0].Status != 0 || !strings.Contains(rs[0].Err, "connection refused") {
			t.Errorf("%+v", rs[0])
		}
	})
	t.Run("timeout", func(t *testing.T) {
		n := &hostSender{Timeout: 50 * time.Millisecond}
		rs, _ := n.HTTP(ctx, FromHost, "", HTTPRequest{URL: srv.URL + "/hang"}, 1)
		if rs[0].Status != 0 || rs[0].Err != "timeout" {
			t.Errorf("%+v", rs[0])
		}
	})
	t.Run("a bad URL", func(t *testing.T) {
		rs, _ := n.HTTP(ctx, FromHost, "", HTTPRequest{URL: "http://[::1"}, 1)
		if rs[0].Status != 0 || rs[0].Err == "" {
			t.Errorf("%+v", rs[0])
		}
	})
}
