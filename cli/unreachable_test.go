package cli

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// hungAPIServer accepts connections and never answers: an API server whose
// node is stopped or paused behind Docker's published port looks like this.
func hungAPIServer(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns []net.Conn
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	t.Cleanup(func() {
		l.Close()
		for _, c := range conns {
			c.Close()
		}
	})
	return l.Addr().String()
}

func kubeconfigFor(t *testing.T, addr string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "kubeconfig")
	cfg := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: gone
  cluster: {server: "https://%s", insecure-skip-tls-verify: true}
users:
- name: u
  user: {token: x}
contexts:
- name: gone
  context: {cluster: gone, user: u}
current-context: gone
`, addr)
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// Every command that needs the cluster, with the API server gone (refusing
// or silent), ends on its own naming the API server as the problem, with
// exit code 2 — never a hang, never a message that blames the Service.
func TestCommandsFailFastWithoutAPIServer(t *testing.T) {
	closed := func() string {
		l, _ := net.Listen("tcp", "127.0.0.1:0")
		defer l.Close()
		return l.Addr().String()
	}()
	for _, srv := range []struct{ name, addr string }{{"refused", closed}, {"silent", hungAPIServer(t)}} {
		kc := kubeconfigFor(t, srv.addr)
		for _, args := range [][]string{
			{"dig", "http-go-svc"},
			{"curl", "http://http-go-svc/"},
			{"curl", "-m", "2s", "http://http-go-svc/"},
			{"proxy", "svc/http-go-svc"},
			{"check", "ch07", "--step", "1"},
			{"apply", "ch07", "--step", "1"},
			{"reset", "ch07"},
			{"status"},
			{"trace", "svc/http-go-svc"},
		} {
			t.Run(srv.name+" "+strings.Join(args, " "), func(t *testing.T) {
				done := make(chan struct{})
				var stderr string
				var code int
				go func() {
					defer close(done)
					_, stderr, code = run(t, append(args, "--kubeconfig", kc, "--lang", "en")...)
				}()
				select {
				case <-done:
				case <-time.After(time.Minute):
					t.Fatal("still running after a minute: a hang")
				}
				if code != exitUsage {
					t.Errorf("exit %d, want %d\n%s", code, exitUsage, stderr)
				}
				if !strings.Contains(stderr, srv.addr) || !strings.Contains(strings.ToLower(stderr), "api server") {
					t.Errorf("does not name the API server %s:\n%s", srv.addr, stderr)
				}
			})
		}
	}
}
