package proxy

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/httpstream"
	apispdy "k8s.io/apimachinery/pkg/util/httpstream/spdy"
	constants "k8s.io/apimachinery/pkg/util/portforward"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/portforward"
	"k8s.io/client-go/transport/websocket"
)

// dialTunnelled upgrades to a WebSocket carrying SPDY (the API server's
// PortForwardWebsockets, on by default since 1.31), with client-go's
// handshake and tunnelling connection, and starts a mux over it.
func dialTunnelled(u *url.URL, cfg *rest.Config) (*mux, error) {
	rt, holder, err := websocket.RoundTripperFor(cfg)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequest(http.MethodGet, u.String(), nil) // a WebSocket upgrades a GET
	if err != nil {
		return nil, err
	}
	ws, err := websocket.Negotiate(rt, holder, req, constants.WebsocketsSPDYTunnelingPortForwardV1)
	if err != nil {
		return nil, err
	}
	conn := portforward.NewTunnelingConnection("client", ws)
	m, err := newMux(conn, conn)
	if err != nil {
		_ = conn.Close()
		return nil, err
	}
	return m, nil
}

// dialSPDY upgrades the connection itself to SPDY/3.1, for API servers
// without WebSocket port-forwarding. client-go's SPDY round tripper dials
// (TLS, proxies) and the config's wrappers authenticate; the upgraded
// connection is kept for the mux instead of client-go's stream layer.
func dialSPDY(u *url.URL, cfg *rest.Config) (*mux, error) {
	tlsConfig, err := rest.TLSConfigFor(cfg)
	if err != nil {
		return nil, err
	}
	proxy := http.ProxyFromEnvironment
	if cfg.Proxy != nil {
		proxy = cfg.Proxy
	}
	srt, err := apispdy.NewRoundTripperWithConfig(apispdy.RoundTripperConfig{TLS: tlsConfig, Proxier: proxy})
	if err != nil {
		return nil, err
	}
	up := &spdyUpgrade{rt: srt}
	rt, err := rest.HTTPWrappersForConfig(cfg, up)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequest(http.MethodPost, u.String(), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set(httpstream.HeaderProtocolVersion, constants.PortForwardV1Name)
	resp, err := rt.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusSwitchingProtocols ||
		!strings.EqualFold(resp.Header.Get(httpstream.HeaderUpgrade), apispdy.HeaderSpdy31) {
		defer up.conn.Close()
		return nil, upgradeError(resp)
	}
	if got := resp.Header.Get(httpstream.HeaderProtocolVersion); got != constants.PortForwardV1Name {
		_ = up.conn.Close()
		return nil, fmt.Errorf("the API server offered protocol %q, not %q", got, constants.PortForwardV1Name)
	}
	m, err := newMux(up.conn, up.br)
	if err != nil {
		_ = up.conn.Close()
		return nil, err
	}
	return m, nil
}

// spdyUpgrade sends the upgrade request and keeps the connection it went
// over, with what was read past the response.
type spdyUpgrade struct {
	rt   *apispdy.SpdyRoundTripper
	conn net.Conn
	br   *bufio.Reader
}

func (s *spdyUpgrade) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.Header.Set(httpstream.HeaderConnection, httpstream.HeaderUpgrade)
	req.Header.Set(httpstream.HeaderUpgrade, apispdy.HeaderSpdy31)
	conn, err := s.rt.Dial(req) // connects and writes the request
	if err != nil {
		return nil, err
	}
	br := bufio.NewReaderSize(conn, 32<<10)
	resp, err := http.ReadResponse(br, req)
	if err != nil {
		_ = conn.Close()
		return nil, err
	}
	s.conn, s.br = conn, br
	return resp, nil
}

// upgradeError reads why the API server refused: a Status (pod not
// found, forbidden) as the API error it is, anything else as text.
func upgradeError(resp *http.Response) error {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	var st metav1.Status
	if json.Unmarshal(body, &st) == nil && st.Kind == "Status" {
		return &apierrors.StatusError{ErrStatus: st}
	}
	msg := strings.TrimSpace(string(body))
	if msg == "" {
		msg = resp.Status
	}
	return fmt.Errorf("unable to upgrade connection: %s", msg)
}
