package labnet

import (
	"context"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	kubefake "k8s.io/client-go/kubernetes/fake"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/kind/pkg/cluster/nodes"
	"sigs.k8s.io/kind/pkg/exec"

	"github.com/labctl/labctl/cluster"
	"github.com/labctl/labctl/i18n"
	"github.com/labctl/labctl/verify"
)

// fakeCurl prints, for each URL it is given, a body naming the URL and the
// write-out nodeRequests asks for, and logs its arguments.
const fakeCurl = `#!/bin/sh
printf '%s\n' "$*" >> "$CURL_LOG"
for a in "$@"; do
  case "$a" in
  http://*|https://*) printf 'from %s at %s' "$NODE" "$a"; printf '\n@@labctl@@200 0 \n' ;;
  esac
done
`

// localNode is a kind node whose commands run on this computer, with the
// fake curl first on PATH and NODE set to its name; noShell makes its `sh`
// fail to start, so only a direct exec works.
type localNode struct {
	name, bin string
	noShell   bool
}

func (n *localNode) Command(cmd string, args ...string) exec.Cmd {
	return n.CommandContext(context.Background(), cmd, args...)
}
func (n *localNode) CommandContext(ctx context.Context, cmd string, args ...string) exec.Cmd {
	switch {
	case cmd == "sh" && n.noShell: // the shell cannot even start
		cmd, args = filepath.Join(n.bin, "no-such-sh"), nil
	case cmd == "curl": // never the computer's own curl
		cmd = filepath.Join(n.bin, "curl")
	}
	c := exec.CommandContext(ctx, cmd, args...)
	c.SetEnv("PATH="+n.bin+":/usr/bin:/bin", "NODE="+n.name, "CURL_LOG="+filepath.Join(n.bin, "log"))
	return c
}
func (n *localNode) String() string              { return n.name }
func (n *localNode) Role() (string, error)       { return "", nil }
func (n *localNode) IP() (string, string, error) { return "", "", nil }
func (n *localNode) SerialLogs(io.Writer) error  { return nil }

// nodeNetwork is a Network whose nodes are local ones, the worker first
// choice as the API would say.
func nodeNetwork(t *testing.T, noShell bool, names ...string) (*Network, string) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("the fake curl is a shell script")
	}
	bin := t.TempDir()
	if err := os.WriteFile(filepath.Join(bin, "curl"), []byte(fakeCurl), 0o755); err != nil {
		t.Fatal(err)
	}
	n := &Network{Timeout: 5 * time.Second}
	n.once.Do(func() {
		for _, name := range names {
			n.nodes = append(n.nodes, &localNode{name: name, bin: bin, noShell: noShell})
		}
		n.worker = "lab-worker"
	})
	t.Cleanup(func() { n.Close() })
	return n, filepath.Join(bin, "log")
}

// Requests from a node run one curl for the whole burst, in the worker
// unless a node is named; a Host header on HTTPS also pins the name to the
// URL's address (SNI); an unknown node is an error.
func TestHTTPFromNode(t *testing.T) {
	n, log := nodeNetwork(t, false, "lab-control-plane", "lab-worker")
	ctx := context.Background()
	rs, err := n.HTTP(ctx, verify.FromNode, "", verify.HTTPRequest{URL: "https://10.96.0.5/path", Host: "web.example"}, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 2 || rs[0].Status != 200 || rs[0].Body != "from lab-worker at https://web.example:443/path" {
		t.Errorf("responses %+v", rs)
	}
	b, _ := os.ReadFile(log)
	if args := string(b); strings.Count(args, "-s -k ") != 1 || !strings.Contains(args, "--resolve web.example:443:10.96.0.5") ||
		!strings.Contains(args, "Host: web.example") || !strings.Contains(args, "Connection: close") {
		t.Errorf("curl ran with %q", args)
	}
	rs, err = n.HTTP(ctx, verify.FromNode, "lab-control-plane", verify.HTTPRequest{URL: "http://10.96.0.5"}, 0)
	if err != nil || len(rs) != 1 || !strings.HasPrefix(rs[0].Body, "from lab-control-plane") {
		t.Errorf("from the control-plane: %+v, %v", rs, err)
	}
	if _, err := n.HTTP(ctx, verify.FromNode, "lab-worker9", verify.HTTPRequest{URL: "http://x"}, 1); err == nil || !strings.Contains(err.Error(), "lab-worker9") {
		t.Errorf("unknown node: %v", err)
	}
	if _, err := n.HTTP(ctx, verify.FromNode, "", verify.HTTPRequest{URL: "ftp://x", Host: "h"}, 1); err == nil {
		t.Error("an ftp URL with a Host header was sent")
	}
}

// When the node's shell does not work, curl runs in a fresh exec.
func TestHTTPFromNodeWithoutShell(t *testing.T) {
	n, _ := nodeNetwork(t, true, "lab-worker")
	rs, err := n.HTTP(context.Background(), verify.FromNode, "", verify.HTTPRequest{URL: "http://10.96.0.5/"}, 1)
	if err != nil || len(rs) != 1 || rs[0].Status != 200 || rs[0].Body != "from lab-worker at http://10.96.0.5/" {
		t.Errorf("direct exec: %+v, %v", rs, err)
	}
}

// RunNode runs in one node's shell, OnNodes in every node's, each output
// under its node's name.
func TestRunOnNodes(t *testing.T) {
	n, _ := nodeNetwork(t, false, "lab-control-plane", "lab-worker")
	ctx := context.Background()
	n.Warm(ctx)
	if out, err := n.RunNode(ctx, "", `echo "$NODE"`); err != nil || out != "lab-worker\n" {
		t.Errorf("RunNode: %q, %v", out, err)
	}
	outs, err := n.OnNodes(ctx, `echo "$NODE"`)
	if err != nil || len(outs) != 2 || outs["lab-control-plane"] != "lab-control-plane\n" || outs["lab-worker"] != "lab-worker\n" {
		t.Errorf("OnNodes: %q, %v", outs, err)
	}
	if _, err := n.RunNode(ctx, "nope", "true"); err == nil {
		t.Error("RunNode on an unknown node")
	}

	empty, _ := nodeNetwork(t, false)
	if _, err := empty.OnNodes(ctx, "true"); err == nil || !strings.Contains(i18n.Localize(err, i18n.En), "no nodes") {
		t.Errorf("no nodes: %v", err)
	}
}

// external is a lab labctl did not make: its nodes and outside server are
// out of reach.
func external(objs ...*corev1.Node) *cluster.Lab {
	cs := kubefake.NewClientset()
	for _, o := range objs {
		_, _ = cs.CoreV1().Nodes().Create(context.Background(), o, metav1.CreateOptions{})
	}
	return &cluster.Lab{Name: "other", Kubeconfig: "/nonexistent", REST: &rest.Config{Host: "http://127.0.0.1:1"}, Client: cs}
}

// The host reaches the nodes when the routing table says so for the first
// node's address; an external lab has no node access and no outside server.
func TestHostReachesNodesAndExternalLab(t *testing.T) {
	node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n"},
		Status: corev1.NodeStatus{Addresses: []corev1.NodeAddress{{Type: "Hostname", Address: "n"}, {Type: "InternalIP", Address: "172.18.0.2"}}}}
	var asked netip.Addr
	n := &Network{Lab: external(node), Routable: func(a netip.Addr) bool { asked = a; return true }}
	if !n.HostReachesNodes(context.Background()) || asked.String() != "172.18.0.2" {
		t.Errorf("reach: asked about %v", asked)
	}
	if (&Network{Lab: external(node)}).HostReachesNodes(context.Background()) {
		t.Error("reach without a routing table")
	}

	ext := &Network{Lab: external()}
	if _, err := ext.Outside(context.Background()); err == nil || !strings.Contains(i18n.Localize(err, i18n.En), "outside server") {
		t.Errorf("outside of an external lab: %v", err)
	}
	if _, err := ext.HTTP(context.Background(), verify.FromNode, "", verify.HTTPRequest{URL: "http://x"}, 1); err == nil {
		t.Error("node traffic on an external lab")
	}
	ext.Warm(context.Background()) // nothing to warm, nothing started
}

var _ nodes.Node = (*localNode)(nil)
