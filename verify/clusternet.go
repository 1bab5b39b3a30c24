package verify

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/kind/pkg/cluster/nodes"

	"github.com/labctl/labctl/cluster/nodeshell"
	"github.com/labctl/labctl/i18n"
)

// Nodes is what LabNetwork needs of the lab (the cluster package's Lab):
// kind's node handles, the Kubernetes nodes (for their roles and
// addresses) and the host ports the ingress is published on.
type Nodes interface {
	Nodes() ([]nodes.Node, error)
	NodeList(ctx context.Context) ([]corev1.Node, error)
	HostPorts(ctx context.Context) (http, https int)
}

// LabNetwork is the Network of a real lab: node traffic runs curl inside a
// kind node container (through kind's node API), host traffic is this
// process's own HTTP client, DNS goes through the proxy core.
type LabNetwork struct {
	Lab Nodes
	// ListenAddress is where the ingress ports are published on this
	// computer.
	ListenAddress string
	// DNSFunc asks the cluster DNS (the proxy core's DNS client).
	DNSFunc func(ctx context.Context, name string, qtype uint16) (*dns.Msg, error)
	// Routable says whether this computer routes to an address directly.
	Routable func(netip.Addr) bool
	// Timeout bounds one request (default 3 s).
	Timeout time.Duration

	once      sync.Once
	nodes     []nodes.Node
	nodesErr  error
	worker    string
	reachOnce sync.Once
	reach     bool
	portsOnce sync.Once
	httpPort  int
	httpsPort int
	shells    nodeshell.Set
}

// pool returns the node's shell pool.
func (n *LabNetwork) pool(nd nodes.Node) *nodeshell.Pool { return n.shells.For(nd) }

// Warm opens the default node's shells ahead of the first request, while
// the checks that only read the API run.
func (n *LabNetwork) Warm(ctx context.Context) {
	nd, err := n.node(ctx, "")
	if err != nil {
		return
	}
	n.pool(nd).Warm()
}

// Close ends the shells kept open in the nodes.
func (n *LabNetwork) Close() error { return n.shells.Close() }

func (n *LabNetwork) timeout() time.Duration {
	if n.Timeout == 0 {
		return 3 * time.Second
	}
	return n.Timeout
}

// node picks the named node, or a worker (a node like the course's node1).
// Roles come from the Kubernetes API (one list), not from inspecting each
// node container.
func (n *LabNetwork) node(ctx context.Context, name string) (nodes.Node, error) {
	n.once.Do(func() {
		n.nodes, n.nodesErr = n.Lab.Nodes()
		if n.nodesErr != nil {
			return
		}
		if list, err := n.Lab.NodeList(ctx); err == nil {
			for _, k := range list {
				if _, cp := k.Labels["node-role.kubernetes.io/control-plane"]; !cp {
					n.worker = k.Name
					break
				}
			}
		}
	})
	if n.nodesErr != nil {
		return nil, n.nodesErr
	}
	if len(n.nodes) == 0 {
		return nil, i18n.Errorf(msgNoNodes)
	}
	want := name
	if want == "" {
		want = n.worker
	}
	for _, nd := range n.nodes {
		if nd.String() == want {
			return nd, nil
		}
	}
	if name != "" {
		return nil, fmt.Errorf("no node %s", name)
	}
	return n.nodes[0], nil
}

// HTTP implements Network.
func (n *LabNetwork) HTTP(ctx context.Context, from Vantage, node string, req HTTPRequest, count int) ([]HTTPResponse, error) {
	if count < 1 {
		count = 1
	}
	if from == FromHost {
		out := make([]HTTPResponse, count)
		for i := range out {
			out[i] = n.hostRequest(ctx, req)
		}
		return out, nil
	}
	nd, err := n.node(ctx, node)
	if err != nil {
		return nil, err
	}
	return n.nodeRequests(ctx, nd, req, count)
}

// marker separates curl's body from its status line in the node's output.
const marker = "\n@@labctl@@"

// nodeRequests runs one curl in the node for all count requests: curl
// fetches the URL count times and "Connection: close" makes every request
// a new connection (a new choice for kube-proxy), so a burst of requests
// costs one exec and one process, not count of each.
func (n *LabNetwork) nodeRequests(ctx context.Context, nd nodes.Node, req HTTPRequest, count int) ([]HTTPResponse, error) {
	secs := strconv.FormatFloat(n.timeout().Seconds(), 'f', 1, 64)
	args := []string{"-s", "-k", "-m", secs, "--connect-timeout", secs, "-H", "Connection: close",
		"-w", marker + "%{http_code} %{exitcode} %{errormsg}\n"}
	if req.Host != "" {
		u, err := splitURL(req.URL)
		if err != nil {
			return nil, err
		}
		args = append(args, "-H", "Host: "+req.Host)
		if u.https {
			args = append(args, "--resolve", req.Host+":"+u.port+":"+u.host)
			req.URL = "https://" + req.Host + ":" + u.port + u.path
		}
	}
	for i := 0; i < count; i++ {
		args = append(args, req.URL)
	}
	budget := time.Duration(count+2) * n.timeout()
	// A shell kept open in the node first (no docker exec per request);
	// a fresh exec if that shell is gone.
	quoted := make([]string, len(args))
	for i, a := range args {
		quoted[i] = nodeshell.Quote(a)
	}
	if out, err := n.pool(nd).Run(ctx, "curl "+strings.Join(quoted, " "), budget); err == nil {
		return parseCurl(out, count), nil
	} else if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	var out, stderr bytes.Buffer
	cctx, cancel := context.WithTimeout(ctx, budget)
	defer cancel()
	err := nd.CommandContext(cctx, "curl", args...).SetStdout(&out).SetStderr(&stderr).Run()
	if err != nil && out.Len() == 0 {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("run curl in node %s: %w: %s", nd.String(), err, strings.TrimSpace(stderr.String()))
	}
	return parseCurl(out.String(), count), nil
}

// parseCurl splits the node's output into responses.
func parseCurl(s string, count int) []HTTPResponse {
	parts := strings.Split(s, marker)
	out := make([]HTTPResponse, 0, count)
	body := parts[0]
	for _, p := range parts[1:] {
		line, rest, _ := strings.Cut(p, "\n")
		fields := strings.SplitN(line, " ", 3)
		r := HTTPResponse{Body: body}
		if len(fields) >= 1 {
			r.Status, _ = strconv.Atoi(fields[0])
		}
		if r.Status == 0 {
			r.Body = ""
			switch {
			case len(fields) == 3 && strings.TrimSpace(fields[2]) != "":
				r.Err = fields[2]
			case len(fields) >= 2 && fields[1] != "" && fields[1] != "0":
				// no message (an older curl, or none given): the exit code says why
				r.Err = "curl exit code " + fields[1]
			default:
				r.Err = "curl: " + line
			}
		}
		out = append(out, r)
		body = rest
	}
	for len(out) < count {
		out = append(out, HTTPResponse{Err: "no answer"})
	}
	return out
}

type urlParts struct {
	https            bool
	host, port, path string
}

func splitURL(raw string) (urlParts, error) {
	var u urlParts
	rest, ok := strings.CutPrefix(raw, "http://")
	if !ok {
		if rest, ok = strings.CutPrefix(raw, "https://"); !ok {
			return u, fmt.Errorf("unsupported URL %q", raw)
		}
		u.https = true
	}
	hostport, path, _ := strings.Cut(rest, "/")
	u.path = "/" + path
	h, p, err := net.SplitHostPort(hostport)
	if err != nil {
		h, p = hostport, "80"
		if u.https {
			p = "443"
		}
	}
	u.host, u.port = strings.Trim(h, "[]"), p
	return u, nil
}

// hostRequest sends one request from this computer on a fresh connection.
func (n *LabNetwork) hostRequest(ctx context.Context, req HTTPRequest) HTTPResponse {
	return sendOnce(ctx, (&net.Dialer{Timeout: n.timeout()}).DialContext, n.timeout(), req)
}

// sendOnce sends one GET over a fresh connection from dial, with the Host
// header and SNI set, not following redirects, and keeps the served
// certificate (which is not verified: the checks compare it themselves).
func sendOnce(ctx context.Context, dial func(ctx context.Context, network, addr string) (net.Conn, error), timeout time.Duration, req HTTPRequest) HTTPResponse {
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

// DNS implements Network.
func (n *LabNetwork) DNS(ctx context.Context, name string, qtype uint16) (*dns.Msg, error) {
	if n.DNSFunc == nil {
		return nil, errors.New("no cluster DNS client")
	}
	return n.DNSFunc(ctx, name, qtype)
}

// HostReachesNodes reports whether this computer routes to the nodes'
// addresses (Linux: kind's bridge is attached; Docker Desktop: the nodes
// live in a VM). Trying a connection proves nothing behind a transparent
// proxy, which accepts every connect: Routable decides by the routing table.
func (n *LabNetwork) HostReachesNodes(ctx context.Context) bool {
	n.reachOnce.Do(func() {
		list, err := n.Lab.NodeList(ctx)
		if err != nil || len(list) == 0 || n.Routable == nil {
			return
		}
		for _, a := range list[0].Status.Addresses {
			if a.Type == "InternalIP" {
				if ip, err := netip.ParseAddr(a.Address); err == nil {
					n.reach = n.Routable(ip)
				}
				return
			}
		}
	})
	return n.reach
}

// IngressURLs implements Network: the control-plane's published ports.
func (n *LabNetwork) IngressURLs(ctx context.Context) (string, string, error) {
	n.portsOnce.Do(func() { n.httpPort, n.httpsPort = n.Lab.HostPorts(ctx) })
	if n.httpPort == 0 || n.httpsPort == 0 {
		return "", "", i18n.Errorf(msgNoIngressPorts)
	}
	return fmt.Sprintf("http://%s:%d", n.ListenAddress, n.httpPort), fmt.Sprintf("https://%s:%d", n.ListenAddress, n.httpsPort), nil
}
