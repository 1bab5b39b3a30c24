// Package labnet is the verifier's Network on a real lab: HTTP from inside a
// kind node (curl through the node shells), from this computer, and DNS
// through the proxy core. verify keeps the Network interface and the fakes.
package labnet

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"
	"sigs.k8s.io/kind/pkg/cluster/nodes"

	"github.com/labctl/labctl/cluster"
	"github.com/labctl/labctl/cluster/nodeshell"
	"github.com/labctl/labctl/i18n"
	"github.com/labctl/labctl/verify"
)

// Network is the verify.Network of a real lab: node traffic runs curl
// inside a kind node container (through kind's node API), host traffic is
// this process's own HTTP client, DNS goes through the proxy core.
type Network struct {
	Lab *cluster.Lab
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
func (n *Network) pool(nd nodes.Node) *nodeshell.Pool { return n.shells.For(nd) }

// Warm opens the default node's shells ahead of the first request, while
// the checks that only read the API run.
func (n *Network) Warm(ctx context.Context) {
	nd, err := n.node(ctx, "")
	if err != nil {
		return
	}
	n.pool(nd).Warm()
}

// Close ends the shells kept open in the nodes.
func (n *Network) Close() error { return n.shells.Close() }

func (n *Network) timeout() time.Duration {
	if n.Timeout == 0 {
		return 3 * time.Second
	}
	return n.Timeout
}

// node picks the named node, or a worker (a node like the course's node1).
// Roles come from the Kubernetes API (one list), not from inspecting each
// node container.
func (n *Network) node(ctx context.Context, name string) (nodes.Node, error) {
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

// HTTP implements verify.Network.
func (n *Network) HTTP(ctx context.Context, from verify.Vantage, node string, req verify.HTTPRequest, count int) ([]verify.HTTPResponse, error) {
	if count < 1 {
		count = 1
	}
	if from == verify.FromHost {
		out := make([]verify.HTTPResponse, count)
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
func (n *Network) nodeRequests(ctx context.Context, nd nodes.Node, req verify.HTTPRequest, count int) ([]verify.HTTPResponse, error) {
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
func parseCurl(s string, count int) []verify.HTTPResponse {
	parts := strings.Split(s, marker)
	out := make([]verify.HTTPResponse, 0, count)
	body := parts[0]
	for _, p := range parts[1:] {
		line, rest, _ := strings.Cut(p, "\n")
		fields := strings.SplitN(line, " ", 3)
		r := verify.HTTPResponse{Body: body}
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
		out = append(out, verify.HTTPResponse{Err: "no answer"})
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
func (n *Network) hostRequest(ctx context.Context, req verify.HTTPRequest) verify.HTTPResponse {
	return verify.SendOnce(ctx, (&net.Dialer{Timeout: n.timeout()}).DialContext, n.timeout(), req)
}

// DNS implements verify.Network.
func (n *Network) DNS(ctx context.Context, name string, qtype uint16) (*dns.Msg, error) {
	if n.DNSFunc == nil {
		return nil, errors.New("no cluster DNS client")
	}
	return n.DNSFunc(ctx, name, qtype)
}

// HostReachesNodes reports whether this computer routes to the nodes'
// addresses (Linux: kind's bridge is attached; Docker Desktop: the nodes
// live in a VM). Trying a connection proves nothing behind a transparent
// proxy, which accepts every connect: Routable decides by the routing table.
func (n *Network) HostReachesNodes(ctx context.Context) bool {
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

// IngressURLs implements verify.Network: the control-plane's published ports.
func (n *Network) IngressURLs(ctx context.Context) (string, string, error) {
	n.portsOnce.Do(func() { n.httpPort, n.httpsPort = n.Lab.HostPorts(ctx) })
	if n.httpPort == 0 || n.httpsPort == 0 {
		return "", "", i18n.Errorf(msgNoIngressPorts)
	}
	return fmt.Sprintf("http://%s:%d", cluster.ListenAddress, n.httpPort), fmt.Sprintf("https://%s:%d", cluster.ListenAddress, n.httpsPort), nil
}

// RunNode implements NodeRunner through the node's shells.
func (n *Network) RunNode(ctx context.Context, node, line string) (string, error) {
	nd, err := n.node(ctx, node)
	if err != nil {
		return "", err
	}
	return n.pool(nd).Run(ctx, line, 10*time.Second)
}

// Outside implements NodeRunner: the outside server's address, from the
// container runtime.
func (n *Network) Outside(ctx context.Context) (netip.Addr, error) {
	// the node list first: it opens the lab's runtime once, for every check
	_, _ = n.node(ctx, "")
	a, err := n.Lab.Outside(ctx)
	if errors.Is(err, cluster.ErrNotKind) {
		return a, i18n.Errorf(msgNoOutside)
	}
	return a, err
}

var _ verify.Network = (*Network)(nil)

var (
	msgNoOutside      = i18n.M("check.net.no-outside", "this cluster has no outside server: labctl up makes one beside the nodes of a lab it created", "이 클러스터에는 바깥 서버가 없습니다: labctl up 이 만든 랩에서 노드 옆에 하나를 띄웁니다")
	msgNoNodes        = i18n.M("labnet.no-nodes", "the cluster has no nodes", "클러스터에 노드가 없습니다")
	msgNoIngressPorts = i18n.M("check.no-ingress-ports", "cannot find the ingress ports published by the control-plane: is this a labctl cluster? (labctl status)", "control-plane 이 공개한 인그레스 포트를 찾을 수 없습니다: labctl 이 만든 클러스터인가요? (labctl status)")
)

// OnNodes implements NodeExec: the line runs in every node's shell at once
// (one shell per node, kept open for the next check).
func (n *Network) OnNodes(ctx context.Context, line string) (map[string]string, error) {
	if _, err := n.node(ctx, ""); err != nil {
		return nil, err
	}
	type result struct {
		node, out string
		err       error
	}
	ch := make(chan result, len(n.nodes))
	for _, nd := range n.nodes {
		go func() {
			out, err := n.pool(nd).Run(ctx, line, nodeExecTimeout)
			ch <- result{nd.String(), out, err}
		}()
	}
	outs := map[string]string{}
	var first error
	for range n.nodes {
		r := <-ch
		if r.err != nil && first == nil {
			first = r.err
		}
		outs[r.node] = r.out
	}
	if first != nil {
		return nil, first
	}
	return outs, nil
}

// nodeExecTimeout bounds one command in a node: iptables-save of a lab's
// nat table takes milliseconds.
const nodeExecTimeout = 10 * time.Second
