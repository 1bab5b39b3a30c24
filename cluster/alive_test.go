package cluster

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"k8s.io/client-go/rest"

	"github.com/labctl/labctl/cluster/internal/runtime"
	"github.com/labctl/labctl/internal/paths"
)

func watchedLab(t *testing.T, host string, rt runtime.Runtime) *Lab {
	t.Helper()
	t.Setenv("LABCTL_HOME", t.TempDir())
	lab := &Lab{Name: "rs", Kubeconfig: paths.Kubeconfig("rs"), rt: rt}
	if err := lab.connect(&rest.Config{Host: host}); err != nil {
		t.Fatal(err)
	}
	return lab
}

// A lab whose nodes stop under a running command ends the command's
// context, and says why with the command that fixes it.
func TestWatchStoppedLab(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	host := srv.URL
	srv.Close() // the API server is gone: connection refused
	lab := watchedLab(t, host, runtime.FakeNodes(map[string]string{"rs-control-plane": "exited", "rs-worker": "exited"}))
	ctx, done := lab.Watch(context.Background(), 10*time.Millisecond)
	select {
	case <-ctx.Done():
	case <-time.After(time.Minute):
		t.Fatal("the watch never noticed the stopped lab")
	}
	if err := done(); !errors.Is(err, ErrStopped) {
		t.Fatalf("done() = %v, want ErrStopped", err)
	}
}

// Work that ends while the lab runs: done says nothing and ends the watch.
func TestWatchRunningLab(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("ok")) }))
	defer srv.Close()
	lab := watchedLab(t, srv.URL, runtime.FakeNodes(map[string]string{"rs-control-plane": "running"}))
	ctx, done := lab.Watch(context.Background(), 10*time.Millisecond)
	if err := done(); err != nil {
		t.Fatalf("done() = %v on a running lab", err)
	}
	if ctx.Err() == nil {
		t.Error("done() did not end the watch")
	}
}
