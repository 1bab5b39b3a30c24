package cli

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/labctl/labctl/i18n"
	"github.com/labctl/labctl/proxy"
)

type curlFlags struct {
	host      string
	insecure  bool
	showCert  bool
	namespace string
	include   bool
	method    string
	data      string
	headers   []string
	maxTime   time.Duration
	transport string
}

func newCurlCommand(g *globals) *cobra.Command {
	f := &curlFlags{}
	cmd := &cobra.Command{
		Use:   "curl URL",
		Short: g.t(helpCurl),
		Long:  g.t(helpCurlLong),
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			req, err := buildCurlRequest(g.deps(), f, args[0])
			if err != nil {
				return err
			}
			// --max-time bounds the whole command, as curl's does, reaching
			// the cluster included.
			ctx, cancel := context.WithTimeout(cmd.Context(), f.maxTime)
			defer cancel()
			core, closeCore, err := openCoreWith(ctx, g, f.transport)
			if err != nil {
				return err
			}
			defer closeCore()
			return runCurl(g.deps(), core.NewHTTPClient(proxy.HTTPOptions{Insecure: f.insecure}), req.WithContext(ctx), f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.host, "host", "", g.t(flagCurlHost))
	fl.BoolVarP(&f.insecure, "insecure", "k", false, g.t(flagCurlInsecure))
	fl.BoolVar(&f.showCert, "show-cert", false, g.t(flagCurlShowCert))
	fl.StringVarP(&f.namespace, "namespace", "n", "default", g.t(flagCurlNamespace))
	fl.BoolVarP(&f.include, "include", "i", false, g.t(flagCurlInclude))
	fl.StringVarP(&f.method, "request", "X", "", g.t(flagCurlMethod))
	fl.StringVarP(&f.data, "data", "d", "", g.t(flagCurlData))
	fl.StringArrayVarP(&f.headers, "header", "H", nil, g.t(flagCurlHeader))
	fl.DurationVarP(&f.maxTime, "max-time", "m", 30*time.Second, g.t(flagCurlMaxTime))
	fl.StringVar(&f.transport, "transport", string(proxy.TransportAuto), g.t(flagProxyTransport))
	return cmd
}

// buildCurlRequest checks the command line. A host without dots (and not
// localhost or an address) is a Service in the namespace, as a pod's
// resolver would expand it: http://web/ → http://web.NS.svc/.
func buildCurlRequest(d deps, f *curlFlags, raw string) (*http.Request, error) {
	if !strings.Contains(raw, "://") {
		raw = "http://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, usageErrorf("%q: %s", raw, d.t(msgCurlURL))
	}
	if h := u.Hostname(); !strings.Contains(h, ".") && h != "localhost" && net.ParseIP(h) == nil {
		u.Host = strings.Replace(u.Host, h, h+"."+f.namespace+".svc", 1)
	}
	if f.maxTime <= 0 {
		return nil, usageErrorf("--max-time %s", f.maxTime)
	}
	method := f.method
	var body io.Reader
	if f.data != "" {
		body = strings.NewReader(f.data)
		if method == "" {
			method = http.MethodPost
		}
	}
	if method == "" {
		method = http.MethodGet
	}
	req, err := http.NewRequest(method, u.String(), body)
	if err != nil {
		return nil, usageErrorf("%v", err)
	}
	for _, h := range f.headers {
		k, v, ok := strings.Cut(h, ":")
		if !ok || strings.TrimSpace(k) == "" {
			return nil, usageErrorf("-H %q: %s", h, d.t(msgWantOneOf, `"Name: value"`))
		}
		req.Header.Add(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	if f.data != "" && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("User-Agent", "labctl-curl")
	if f.host != "" {
		req.Host = f.host
	}
	return req, nil
}

// runCurl sends the request and prints like curl: the body (with -i the
// status line and headers first), with --show-cert the certificate the
// server presented, even when it did not verify.
func runCurl(d deps, client *http.Client, req *http.Request, f *curlFlags) error {
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := client.Do(req)
	out := d.Out
	if f.showCert {
		if cert := proxy.ServedCertificate(resp, err); cert != nil {
			writeCert(out, d.Lang, cert, err == nil && !f.insecure)
		}
	}
	if err != nil {
		if proxy.ServedCertificate(nil, err) != nil { // the certificate did not verify
			return i18n.Errorf(msgCurlFailed, req.URL.String()).Wrap(err).WithFix(fixCurlCert)
		}
		return i18n.Errorf(msgCurlFailed, req.URL.String()).Wrap(err)
	}
	defer resp.Body.Close()
	if f.include {
		fmt.Fprintf(out, "%s %s\n", resp.Proto, resp.Status)
		keys := make([]string, 0, len(resp.Header))
		for k := range resp.Header {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			for _, v := range resp.Header[k] {
				fmt.Fprintf(out, "%s: %s\n", k, v)
			}
		}
		fmt.Fprintln(out)
	}
	if _, err := io.Copy(out, resp.Body); err != nil {
		return i18n.Errorf(msgCurlFailed, req.URL.String()).Wrap(err)
	}
	return nil
}

func writeCert(w io.Writer, l i18n.Lang, c *x509.Certificate, verified bool) {
	sum := sha256.Sum256(c.Raw)
	verdict := msgCurlCertUnverified.F(l)
	if verified {
		verdict = msgCurlCertVerified.F(l)
	}
	fmt.Fprintln(w, msgCurlCert.F(l, c.Subject.String(), strings.Join(c.DNSNames, ", "), c.Issuer.String(),
		c.NotBefore.UTC().Format(time.DateOnly), c.NotAfter.UTC().Format(time.DateOnly),
		fmt.Sprintf("%X", sum[:]), verdict))
}

var (
	helpCurl = i18n.M("help.curl",
		"send an HTTP(S) request from this computer to Services by name, like curl",
		"이 컴퓨터에서 서비스 이름으로 HTTP(S) 요청을 보냅니다 (curl 처럼)")
	helpCurlLong = i18n.M("help.curl.long",
		"Service names (NAME.NS.svc, NAME.NS.svc.cluster.local, or just NAME with -n) and ClusterIPs are reached through labctl's proxy core, so they work from your computer as from a pod; other addresses are dialled directly. --host sets the Host header and the TLS server name (SNI), to ask an ingress for a virtual host at its address; --show-cert prints the certificate the server presented.\n\nExamples: labctl curl http-go-svc   labctl curl http://http-go-svc.default.svc/   labctl curl https://localhost/ --host kube-book.com -k --show-cert",
		"서비스 이름(NAME.NS.svc, NAME.NS.svc.cluster.local, 또는 -n 과 함께 NAME)과 ClusterIP 는 labctl 프록시 코어를 거쳐 연결되므로 파드 안에서처럼 이 컴퓨터에서도 됩니다. 다른 주소는 직접 연결합니다. --host 는 Host 헤더와 TLS 서버 이름(SNI)을 정해, 인그레스 주소에서 특정 가상 호스트를 요청합니다. --show-cert 는 서버가 보낸 인증서를 보여 줍니다.\n\n예: labctl curl http-go-svc   labctl curl http://http-go-svc.default.svc/   labctl curl https://localhost/ --host kube-book.com -k --show-cert")
	flagCurlHost      = i18n.M("flag.curl.host", "Host header and TLS server name (SNI) to send", "보낼 Host 헤더와 TLS 서버 이름(SNI)")
	flagCurlInsecure  = i18n.M("flag.curl.insecure", "do not verify the server's certificate", "서버 인증서를 검증하지 않음")
	flagCurlShowCert  = i18n.M("flag.curl.show-cert", "print the certificate the server presented", "서버가 보낸 인증서를 출력")
	flagCurlNamespace = i18n.M("flag.curl.namespace", "namespace for host names without dots", "점이 없는 호스트 이름에 붙일 네임스페이스")
	flagCurlInclude   = i18n.M("flag.curl.include", "print the status line and headers before the body", "본문 앞에 상태 줄과 헤더를 출력")
	flagCurlMethod    = i18n.M("flag.curl.request", "HTTP method (default GET, POST with -d)", "HTTP 메서드 (기본값 GET, -d 가 있으면 POST)")
	flagCurlData      = i18n.M("flag.curl.data", "request body", "요청 본문")
	flagCurlHeader    = i18n.M("flag.curl.header", "extra header \"Name: value\" (repeatable)", "추가 헤더 \"Name: value\" (여러 번 지정 가능)")
	flagCurlMaxTime   = i18n.M("flag.curl.max-time", "give up after this long", "이 시간이 지나면 포기")
	msgCurlURL        = i18n.M("cli.curl.url", "want an http:// or https:// URL", "http:// 또는 https:// URL 이어야 합니다")
	msgCurlFailed     = i18n.M("cli.curl.failed", "request to %s failed", "%s 요청이 실패했습니다")
	fixCurlCert       = i18n.M("cli.curl.cert.fix", "the certificate is not trusted here (self-signed?): look at it with --show-cert, or skip the check with -k", "이 인증서는 신뢰할 수 없습니다(자체 서명?). --show-cert 로 확인하거나 -k 로 검증을 건너뛰세요")
	msgCurlCert       = i18n.M("cli.curl.cert",
		"* certificate: subject %s\n*   DNS names: %s\n*   issuer: %s\n*   valid: %s to %s\n*   SHA-256: %s\n*   %s",
		"* 인증서: 주체 %s\n*   DNS 이름: %s\n*   발급자: %s\n*   유효 기간: %s ~ %s\n*   SHA-256: %s\n*   %s")
	msgCurlCertVerified   = i18n.M("cli.curl.cert.verified", "verified", "검증됨")
	msgCurlCertUnverified = i18n.M("cli.curl.cert.unverified", "not verified", "검증 안 됨")
)
