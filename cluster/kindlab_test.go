package cluster

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/labctl/labctl/cluster/internal/runtime"
	"github.com/labctl/labctl/i18n"
	"github.com/labctl/labctl/internal/paths"
)

// adminConf is the kubeconfig kubeadm writes in the control-plane node.
const adminConf = `apiVersion: v1
kind: Config
clusters:
- name: kind
  cluster: {server: "https://lab-control-plane:6443"}
users:
- name: kubernetes-admin
  user: {token: t}
contexts:
- name: kubernetes-admin@kind
  context: {cluster: kind, user: kubernetes-admin}
current-context: kubernetes-admin@kind
`

var twoNodes = []string{"lab-control-plane running control-plane 172.18.0.2", "lab-worker running worker 172.18.0.3"}

// kindLab is a handle on the lab "lab" the fake docker plays: its
// kubeconfig is labctl's own, so node access goes through kind.
func kindLab() *Lab {
	l := fakeLab()
	l.Name, l.Kubeconfig, l.Context = "lab", paths.Kubeconfig("lab"), "kind-lab"
	return l
}

// A lab labctl made reaches its nodes through kind: the node list, one node
// by name, their memory, the published HTTP ports and the outside server.
func TestKindLabNodeAccess(t *testing.T) {
	dir := fakeDocker(t, twoNodes...)
	lab := kindLab()
	ctx := context.Background()
	ns, err := lab.Nodes()
	if err != nil || len(ns) != 2 {
		t.Fatalf("nodes %v, %v", ns, err)
	}
	if n, err := lab.Node("lab-worker"); err != nil || n.String() != "lab-worker" {
		t.Errorf("node lab-worker: %v, %v", n, err)
	}
	if _, err := lab.Node("lab-worker9"); err == nil || !strings.Contains(err.Error(), "lab-worker9") {
		t.Errorf("unknown node: %v", err)
	}
	if m := lab.Memory(ctx); m != 200<<20 {
		t.Errorf("memory %d, want two times 100 MiB", m)
	}
	if http, https := lab.HostPorts(ctx); http != 8080 || https != 8443 {
		t.Errorf("host ports %d, %d", http, https)
	}
	if _, err := lab.Outside(ctx); err == nil {
		t.Error("an outside server that does not exist has an address")
	}
	writeState(t, dir, "outside", "lab-outside running")
	if a, err := lab.Outside(ctx); err != nil || a.String() != "172.18.0.50" {
		t.Errorf("outside %v, %v", a, err)
	}

	ext := fakeLab() // made elsewhere: no node access, no outside server
	if _, err := ext.Outside(ctx); !errors.Is(err, ErrNotKind) {
		t.Errorf("outside of an external cluster: %v", err)
	}
	if m := ext.Memory(ctx); m != 0 {
		t.Errorf("memory of an external cluster: %d", m)
	}
	if http, _ := ext.HostPorts(ctx); http != 0 {
		t.Errorf("host port of an external cluster: %d", http)
	}
}

// The outside server is started once: run when missing, started when
// stopped, left alone when running; removal deletes what carries its label.
func TestOutsideServer(t *testing.T) {
	dir := fakeDocker(t)
	rt := runtime.New("docker")
	ctx := context.Background()
	steps := []struct {
		outside string // "" none
		want    string // the command expected, "" none
	}{
		{"", "run -d --name lab-outside --network kind --label dev.labctl.outside=lab"},
		{"lab-outside exited", "start lab-outside"},
		{"lab-outside running", ""},
	}
	for _, s := range steps {
		os.Remove(filepath.Join(dir, "outside"))
		if s.outside != "" {
			writeState(t, dir, "outside", s.outside)
		}
		os.Remove(filepath.Join(dir, "log"))
		if err := ensureOutside(ctx, rt, "lab"); err != nil {
			t.Fatal(err)
		}
		log := dockerLog(t, dir)
		if s.want != "" && !strings.Contains(log, s.want) {
			t.Errorf("outside %q: log %q, want %q", s.outside, log, s.want)
		}
		if s.want == "" && (strings.Contains(log, "\nstart") || strings.Contains(log, "\nrun")) {
			t.Errorf("a running outside server was touched: %q", log)
		}
	}
	if err := removeOutside(ctx, rt, "lab"); err != nil || !strings.Contains(dockerLog(t, dir), "rm -f outside-id") {
		t.Errorf("remove: %v, log %q", err, dockerLog(t, dir))
	}
	if outsideName("x") != "x-outside" {
		t.Error("outsideName")
	}
}

// Status of a stopped lab comes from the runtime alone: each node's
// container state, none Ready.
func TestStoppedStatus(t *testing.T) {
	fakeDocker(t, "lab-control-plane running control-plane 172.18.0.2", "lab-worker exited worker")
	st, err := Target{}.StoppedStatus(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st.Name != "lab" || st.State != LabPartlyStopped || len(st.Nodes) != 2 || st.Memory != 100<<20 {
		t.Fatalf("status %+v", st)
	}
	for _, n := range st.Nodes {
		if n.Ready || (n.Name == "lab-worker" && n.Container != "exited") {
			t.Errorf("node %+v", n)
		}
	}
}

// Down removes the nodes, labctl's kubeconfig, the context up merged into
// the user's kubeconfig, the outside server and the unused kind network;
// a lab that does not exist is no error.
func TestDown(t *testing.T) {
	dir := fakeDocker(t, twoNodes...)
	writeState(t, dir, "outside", "lab-outside running")
	kc := paths.Kubeconfig("lab")
	if err := os.MkdirAll(filepath.Dir(kc), 0o755); err != nil {
		t.Fatal(err)
	}
	writeState(t, filepath.Dir(kc), filepath.Base(kc), strings.ReplaceAll(testKubeconfig, "%[1]s", "lab"))
	writeState(t, dir, "user-kubeconfig", strings.ReplaceAll(testKubeconfig, "%[1]s", "lab"))

	rep := &recorder{}
	if err := Down(context.Background(), "", Env{Lang: i18n.En, Reporter: rep, rt: runtime.New("docker")}); err != nil {
		t.Fatal(err)
	}
	log := dockerLog(t, dir)
	for _, want := range []string{"rm -f -v lab-control-plane lab-worker", "rm -f outside-id", "network rm kind"} {
		if !strings.Contains(log, want) {
			t.Errorf("down did not run %q: %q", want, log)
		}
	}
	if _, err := os.Stat(kc); !os.IsNotExist(err) {
		t.Errorf("labctl's kubeconfig is still there: %v", err)
	}
	user, _ := os.ReadFile(filepath.Join(dir, "user-kubeconfig"))
	if strings.Contains(string(user), "kind-lab") || !strings.Contains(string(user), "other") {
		t.Errorf("user kubeconfig after down:\n%s", user)
	}

	writeState(t, dir, "nodes", "")
	if err := Down(context.Background(), "lab", Env{Lang: i18n.En, Reporter: &recorder{}, rt: runtime.New("docker")}); err != nil {
		t.Errorf("down of no lab: %v", err)
	}
	if ok, err := runtime.New("docker").ClusterExists("lab"); ok || err != nil {
		t.Errorf("exists after down: %v, %v", ok, err)
	}
}

// Open without labctl's kubeconfig asks kind: no lab is "no cluster"; a
// lab whose kubeconfig went missing gets it written again.
func TestOpenRewritesAMissingKubeconfig(t *testing.T) {
	dir := fakeDocker(t)
	if _, err := Open(context.Background(), Target{}); !errors.Is(err, ErrNoCluster) {
		t.Errorf("no lab: %v", err)
	}
	writeState(t, dir, "nodes", strings.Join(twoNodes, "\n"))
	if ok, err := runtime.New("docker").ClusterExists("lab"); !ok || err != nil {
		t.Errorf("exists: %v, %v", ok, err)
	}
	writeState(t, dir, "admin.conf", adminConf)
	lab, err := Open(context.Background(), Target{})
	if err != nil {
		t.Fatal(err)
	}
	if lab.Provider == nil || lab.rt.Name != "docker" || lab.REST.Host != "https://127.0.0.1:6443" {
		t.Errorf("lab %+v (server %s)", lab, lab.REST.Host)
	}
	if b, err := os.ReadFile(paths.Kubeconfig("lab")); err != nil || !strings.Contains(string(b), "kind-lab") {
		t.Errorf("kubeconfig written again: %v\n%s", err, b)
	}
}
