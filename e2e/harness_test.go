//go:build e2e

// Package e2e drives the real labctl binary against a real kind cluster on
// a real container runtime, as a student would: `labctl up`, the chapters'
// negative controls and solutions, broken variants, bad input, `labctl down`.
//
// Run with: go test -tags e2e -v -timeout 60m ./e2e/
// LABCTL_NODE_IMAGE selects the node image (CI: the offline-built one).
// LABCTL_E2E_KEEP=1 keeps the cluster afterwards for debugging.
package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// harness is the shared state of the suite: one binary, one isolated
// LABCTL_HOME, one cluster.
type harness struct {
	bin       string
	home      string
	name      string
	httpPort  int
	httpsPort int
	userKube  string // a stand-in for ~/.kube/config (--merge-kubeconfig)
}

var h *harness

func TestMain(m *testing.M) {
	tmp, err := os.MkdirTemp("", "labctl-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	// LABCTL_E2E_NAME lets two suites run side by side on one Docker (each
	// with its own clusters); CI uses the default.
	name := os.Getenv("LABCTL_E2E_NAME")
	if name == "" {
		name = "e2e"
	}
	h = &harness{bin: filepath.Join(tmp, "labctl"), home: filepath.Join(tmp, "home"), name: name,
		userKube: filepath.Join(tmp, "user-kubeconfig")}
	build := exec.Command("go", "build", "-o", h.bin, "..")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build labctl:", err)
		os.Exit(1)
	}
	h.httpPort, h.httpsPort = freePort(), freePort()
	code := m.Run()
	if os.Getenv("LABCTL_E2E_KEEP") == "" {
		// whatever happened, leave nothing behind
		for _, n := range []string{h.name, h.name + "-int", h.name + "-port", h.name + "-nodocker"} {
			_ = exec.Command(h.bin, "down", "--name", n).Run()
		}
		os.RemoveAll(tmp)
	} else {
		fmt.Printf("kept cluster %s; LABCTL_HOME=%s\n", h.name, h.home)
	}
	os.Exit(code)
}

func freePort() int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// result is one labctl run.
type result struct {
	stdout, stderr string
	code           int
	took           time.Duration
}

func (r result) String() string {
	return fmt.Sprintf("exit %d after %s\n--- stdout\n%s--- stderr\n%s", r.code, r.took.Round(time.Millisecond), r.stdout, r.stderr)
}

// env is the environment labctl runs with: isolated home, English unless
// asked, the user's kubeconfig redirected to a temporary file.
func (h *harness) env(extra ...string) []string {
	env := []string{}
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "LANG", "LC_ALL", "LC_MESSAGES", "LABCTL_LANG", "KUBECONFIG", "LABCTL_HOME":
			continue
		}
		env = append(env, kv)
	}
	env = append(env, "LABCTL_HOME="+h.home, "LANG=C.UTF-8", "KUBECONFIG="+h.userKube, "NO_COLOR=1")
	return append(env, extra...)
}

// run runs labctl and returns what it printed and its exit code.
func (h *harness) run(t *testing.T, timeout time.Duration, env []string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, h.bin, args...)
	cmd.Env = h.env(env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errb.String(), took: time.Since(start)}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("labctl %s: %v", strings.Join(args, " "), err)
	}
	if ctx.Err() != nil {
		t.Fatalf("labctl %s did not finish within %s (a hang is a bug)\n%s", strings.Join(args, " "), timeout, r)
	}
	return r
}

// labctl runs labctl against the suite's cluster.
func (h *harness) labctl(t *testing.T, args ...string) result {
	t.Helper()
	return h.run(t, 10*time.Minute, nil, append(args, "--name", h.name)...)
}

func (h *harness) kubeconfig() string {
	return filepath.Join(h.home, "config", "kubeconfig-"+h.name+".yaml")
}

func (h *harness) restConfig(t *testing.T) *rest.Config {
	t.Helper()
	cfg, err := clientcmd.BuildConfigFromFlags("", h.kubeconfig())
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func (h *harness) client(t *testing.T) kubernetes.Interface {
	t.Helper()
	return kubernetes.NewForConfigOrDie(h.restConfig(t))
}

// docker runs the container runtime's CLI.
func docker(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command("docker", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("docker %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// kindContainers lists the containers of a kind cluster.
func kindContainers(t *testing.T, cluster string) []string {
	t.Helper()
	out := docker(t, "ps", "-a", "--filter", "label=io.x-k8s.kind.cluster="+cluster, "--format", "{{.Names}}")
	if out == "" {
		return nil
	}
	return strings.Fields(out)
}

func mustContain(t *testing.T, what, s string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			t.Errorf("%s does not contain %q:\n%s", what, sub, s)
		}
	}
}
