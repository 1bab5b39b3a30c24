package verify

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"time"
)

// SendOnce sends one GET over a fresh connection from dial, with the Host
// header and SNI set, not following redirects, and keeps the served
// certificate (which is not verified: the checks compare it themselves).
// The lab network (cluster/labnet) and the tests' fake network both use it.
func SendOnce(ctx context.Context, dial func(ctx context.Context, network, addr string) (net.Conn, error), timeout time.Duration, req HTTPRequest) HTTPResponse {
	tlsCfg := &tls.Config{InsecureSkipVerify: true} //nolint:gosec // the check compares the served certificate itself
	if req.Host != "" {
		tlsCfg.ServerName = hostOnly(req.Host)
	}
	tr := &http.Transport{
		DialContext:       dial,
		TLSClientConfig:   tlsCfg,
		DisableKeepAlives: true,
		Proxy:             nil,
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	r, err := http.NewRequestWithContext(ctx, http.MethodGet, req.URL, nil)
	if err != nil {
		return HTTPResponse{Err: err.Error()}
	}
	if req.Host != "" {
		r.Host = req.Host
	}
	resp, err := client.Do(r)
	if err != nil {
		return HTTPResponse{Err: shortErr(err)}
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	served := HTTPResponse{Status: resp.StatusCode, Body: string(b)}
	if resp.TLS != nil && len(resp.TLS.PeerCertificates) > 0 {
		served.Cert = resp.TLS.PeerCertificates[0]
	}
	return served
}

func hostOnly(h string) string {
	if host, _, err := net.SplitHostPort(h); err == nil {
		return host
	}
	return h
}

func shortErr(err error) string {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return "timeout"
	}
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Err != nil {
		return oe.Err.Error()
	}
	return err.Error()
}
