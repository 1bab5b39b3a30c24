package cluster

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"k8s.io/client-go/rest"
	kindcluster "sigs.k8s.io/kind/pkg/cluster"

	"github.com/labctl/labctl/cluster/internal/runtime"
	"github.com/labctl/labctl/i18n"
	"github.com/labctl/labctl/internal/paths"
	"github.com/labctl/labctl/internal/view"
)

// The node image: the pinned reference when the runtime has it, its tag
// when only that was loaded from a bundle, else the reference, to pull.
func TestResolveNodeImage(t *testing.T) {
	const pinned = "kindest/node:v1.34.0@sha256:abc"
	tests := []struct {
		name    string
		answers map[string]string
		want    string
		note    string
	}{
		{"pinned present", map[string]string{"image inspect --format {{.Id}} " + pinned: "sha256:1"}, pinned, ""},
		{"tag only", map[string]string{"image inspect --format {{.Id}} kindest/node:v1.34.0": "sha256:2"}, "kindest/node:v1.34.0", "kindest/node:v1.34.0"},
		{"neither", map[string]string{}, pinned, pinned},
	}
	for _, tt := range tests {
		rep := &recorder{}
		got := resolveNodeImage(context.Background(), exactEngine(tt.answers), pinned, Env{Lang: i18n.En, Reporter: rep})
		if got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
		if (tt.note == "") != (len(rep.notes) == 0) || (tt.note != "" && !strings.Contains(rep.notes[0], tt.note)) {
			t.Errorf("%s: notes %q, want one naming %q", tt.name, rep.notes, tt.note)
		}
	}
}

// exactEngine answers commands given in full and fails the rest.
func exactEngine(answers map[string]string) runtime.Runtime {
	return runtime.Runtime{Name: "docker", Bin: "docker", Exec: func(_ context.Context, _ io.Reader, stdout, stderr io.Writer, args ...string) error {
		if out, ok := answers[strings.Join(args, " ")]; ok {
			fmt.Fprint(stdout, out)
			return nil
		}
		fmt.Fprint(stderr, "Error: No such image")
		return errors.New("exit status 1")
	}}
}

// Before creating, up refuses a host port something already holds and
// names the flag that moves it; without an ingress controller no port is
// needed.
func TestPreflight(t *testing.T) {
	l, err := net.Listen("tcp", net.JoinHostPort(ListenAddress, "0"))
	if err != nil {
		t.Skip("cannot listen on loopback:", err)
	}
	defer l.Close()
	taken := l.Addr().(*net.TCPAddr).Port
	env := Env{Lang: i18n.En, Reporter: &recorder{}}
	err = preflight(Options{Ingress: IngressTraefik, HTTPPort: taken, HTTPSPort: taken}, env)
	if msg := i18n.Localize(err, i18n.En); err == nil || !strings.Contains(msg, strconv.Itoa(taken)) || !strings.Contains(msg, "--http-port") {
		t.Errorf("taken port: %q", msg)
	}
	if err := preflight(Options{Ingress: IngressNone, HTTPPort: taken}, env); err != nil {
		t.Errorf("no ingress: %v", err)
	}
}

// Ctrl-C while creating deletes what this run made (unless --retain) and
// says it was interrupted; a lab that existed before is left.
func TestInterrupted(t *testing.T) {
	dir := fakeDocker(t, twoNodes...)
	p := kindProvider()
	kc := filepath.Join(dir, "kc")
	for _, tt := range []struct {
		created, retain, wantDelete bool
	}{{true, false, true}, {true, true, false}, {false, false, false}} {
		os.Remove(filepath.Join(dir, "log"))
		err := interrupted(Env{Lang: i18n.En, Reporter: &recorder{}, rt: runtime.New("docker")}, p, Options{Name: "lab", Retain: tt.retain}, kc, tt.created)
		if !errors.Is(err, view.ErrInterrupted) {
			t.Errorf("%+v: %v", tt, err)
		}
		if deleted := strings.Contains(dockerLog(t, dir), "rm -f -v lab-control-plane lab-worker"); deleted != tt.wantDelete {
			t.Errorf("%+v: deleted %v, log %q", tt, deleted, dockerLog(t, dir))
		}
	}
}

// Up refuses early: a runtime that does not answer, and `start` of a lab
// that does not exist ("no cluster", nothing created).
func TestUpRefuses(t *testing.T) {
	dir := fakeDocker(t)
	var calls []string
	down := runtime.Fake(map[string]string{"info": "ERR Cannot connect to the Docker daemon"}, &calls)
	if _, err := Up(context.Background(), Options{Name: "lab"}, Env{Lang: i18n.En, Reporter: &recorder{}, rt: down}); !errors.Is(err, ErrRuntime) {
		t.Errorf("runtime down: %v", err)
	}
	_, err := Up(context.Background(), Options{Name: "lab", StartOnly: true}, Env{Lang: i18n.En, Reporter: &recorder{}, rt: runtime.New("docker")})
	if !errors.Is(err, ErrNoCluster) {
		t.Errorf("start of no lab: %v", err)
	}
	if log := dockerLog(t, dir); strings.Contains(log, "run") || strings.Contains(log, "create") {
		t.Errorf("start of no lab created something: %q", log)
	}
}

// metallbAPI serves labctl's address pool the way the API server does.
func metallbAPI(t *testing.T, addresses string) *rest.Config {
	pool := `{"apiVersion":"metallb.io/v1beta1","kind":"IPAddressPool","metadata":{"name":"labctl-pool","namespace":"metallb-system"},"spec":{"addresses":["` + addresses + `"]}}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/apis/metallb.io/v1beta1/namespaces/metallb-system/ipaddresspools/labctl-pool":
			_, _ = w.Write([]byte(pool))
		case "/apis/metallb.io/v1beta1/namespaces/metallb-system/ipaddresspools":
			_, _ = w.Write([]byte(`{"apiVersion":"metallb.io/v1beta1","kind":"IPAddressPoolList","metadata":{},"items":[` + pool + `]}`))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return &rest.Config{Host: srv.URL}
}

// A lab keeps the pool it has (a second up must not move LoadBalancer
// addresses); a new one is carved from the kind network; status shows it.
func TestPool(t *testing.T) {
	fakeDocker(t, twoNodes...)
	lab := kindLab()
	lab.REST = metallbAPI(t, "172.18.200.0-172.18.200.15")
	p, err := lab.Pool(context.Background())
	if err != nil || p.String() != "172.18.200.0-172.18.200.15" {
		t.Errorf("kept pool %v, %v", p, err)
	}
	if got := readPool(context.Background(), lab); got != "172.18.200.0-172.18.200.15" {
		t.Errorf("status pool %q", got)
	}

	fresh := kindLab() // its API has no pool (nothing answers)
	p, err = fresh.Pool(context.Background())
	if err != nil || !p.First.Is4() || !strings.HasPrefix(p.First.String(), "172.18.") {
		t.Errorf("new pool %v, %v", p, err)
	}
	if _, err := fakeLab().Pool(context.Background()); err == nil {
		t.Error("a pool for a cluster labctl did not make")
	}
	if got := readPool(context.Background(), fresh); got != "" {
		t.Errorf("status pool without an API: %q", got)
	}
}

func kindProvider() *kindcluster.Provider {
	return kindcluster.NewProvider(kindcluster.ProviderWithDocker(), kindcluster.ProviderWithLogger(&kindLogger{}))
}

// fakeAPIServer answers what up asks a running lab first: kube-system
// exists, two Ready nodes (none with the pod-limit label), and 404 for the
// rest (no add-on installed, no pool, no discovery, no CoreDNS).
func fakeAPIServer(t *testing.T) *httptest.Server {
	nodes := `{"kind":"NodeList","apiVersion":"v1","metadata":{},"items":[` +
		`{"metadata":{"name":"lab-control-plane","labels":{"node-role.kubernetes.io/control-plane":""}},"status":{"conditions":[{"type":"Ready","status":"True"}]}},` +
		`{"metadata":{"name":"lab-worker"},"status":{"conditions":[{"type":"Ready","status":"True"}]}}]}`
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.URL.Path == "/api/v1/namespaces/kube-system":
			_, _ = w.Write([]byte(`{"kind":"Namespace","apiVersion":"v1","metadata":{"name":"kube-system"}}`))
		case r.URL.Path == "/api/v1/nodes" && r.URL.Query().Get("labelSelector") != "":
			_, _ = w.Write([]byte(`{"kind":"NodeList","apiVersion":"v1","metadata":{},"items":[]}`))
		case r.URL.Path == "/api/v1/nodes":
			_, _ = w.Write([]byte(nodes))
		default:
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404}`))
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// Up on a lab that exists and runs writes its kubeconfig again, loads the
// add-ons' images into the nodes, starts the outside server, and when the
// lab then does not become ready in time it keeps the cluster and says so:
// nothing is stopped or deleted.
func TestUpOnAnExistingLabThatDoesNotSettle(t *testing.T) {
	dir := fakeDocker(t, twoNodes...)
	srv := fakeAPIServer(t)
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	writeState(t, dir, "apiport", port)
	writeState(t, dir, "admin.conf", strings.Replace(adminConf, "server: \"https://lab-control-plane:6443\"}", "server: \"https://lab-control-plane:6443\", insecure-skip-tls-verify: true}", 1))
	rep := &recorder{}
	o := Options{Name: "lab", Workers: 1, Ingress: IngressTraefik, IngressExplicit: true, Wait: time.Millisecond}
	lab, err := Up(context.Background(), o, Env{Lang: i18n.En, Reporter: rep, rt: runtime.New("docker")})
	if err == nil || lab != nil {
		t.Fatalf("up of a lab that does not settle: %v, %v", lab, err)
	}
	if notes := strings.Join(rep.notes, "\n"); !strings.Contains(notes, "the cluster was kept") {
		t.Errorf("notes %q", rep.notes)
	}
	log := dockerLog(t, dir)
	// The outside server starts in the background of the add-ons and stops
	// with a failed up: it may or may not have run. Nothing runs after Up
	// returns (else the fake docker would still write to the test's
	// directory while it is removed).
	for _, want := range []string{"images import", "cat /etc/kubernetes/admin.conf"} {
		if !strings.Contains(log, want) {
			t.Errorf("up did not run %q", want)
		}
	}
	for _, never := range []string{"rm -f", "\nstop ", "\nstart "} {
		if strings.Contains(log, never) {
			t.Errorf("up ran %q on an existing lab", never)
		}
	}
	if b, err := os.ReadFile(paths.Kubeconfig("lab")); err != nil || !strings.Contains(string(b), "https://127.0.0.1:"+port) {
		t.Errorf("kubeconfig written again: %v\n%s", err, b)
	}
}
