package doctor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/labctl/labctl/cluster"
	"github.com/labctl/labctl/cluster/internal/runtime"
	"github.com/labctl/labctl/i18n"
)

// fakeRuntime answers `info` and `image inspect` like a docker CLI would.
func fakeRuntime(info string, infoErr string, images map[string]string) runtime.Runtime {
	return runtime.Runtime{Name: "docker", Bin: "docker", Exec: func(_ context.Context, _ io.Reader, stdout, stderr io.Writer, args ...string) error {
		switch args[0] {
		case "info":
			if infoErr != "" {
				fmt.Fprint(stderr, infoErr)
				return errors.New("exit status 1")
			}
			fmt.Fprint(stdout, info)
			return nil
		case "image":
			ref := args[len(args)-1]
			if id, ok := images[ref]; ok {
				fmt.Fprintln(stdout, id)
				return nil
			}
			fmt.Fprintf(stderr, "Error: No such image: %s", ref)
			return errors.New("exit status 1")
		}
		return fmt.Errorf("unexpected %v", args)
	}}
}

const dockerInfoV2 = `{"ServerVersion":"28.2.2","CgroupVersion":"2","MemTotal":8589934592,"NCPU":4,"OperatingSystem":"Docker Desktop"}`

func deps(rt runtime.Runtime) Deps {
	return Deps{
		Lang: i18n.En, Runtime: rt, Name: "lab", Image: cluster.DefaultOptions().Image, HTTPPort: 80, HTTPSPort: 443, GOOS: "linux",
		CheckPort: func(int, string) error { return nil },
		ReadFile: func(p string) ([]byte, error) {
			if strings.HasSuffix(p, "watches") {
				return []byte("524288\n"), nil
			}
			return []byte("512\n"), nil
		},
		Exists: func() (bool, error) { return false, nil },
	}
}

func find(t *testing.T, fs []Finding, id string) Finding {
	t.Helper()
	for _, f := range fs {
		if f.ID == id {
			return f
		}
	}
	t.Fatalf("no finding %q in %+v", id, fs)
	return Finding{}
}

func TestDoctorHealthyMachine(t *testing.T) {
	fs := Run(context.Background(), deps(fakeRuntime(dockerInfoV2, "", nil)))
	if Blocking(fs) {
		t.Errorf("healthy machine blocked: %+v", fs)
	}
	if f := find(t, fs, "runtime"); f.State != OK || !strings.Contains(f.Detail, "28.2.2") {
		t.Errorf("runtime %+v", f)
	}
	if f := find(t, fs, "node-image"); f.State != Info {
		t.Errorf("absent node image should be info, got %+v", f)
	}
	if f := find(t, fs, "ingress-nginx"); !strings.Contains(f.Detail, "v1.15.1") || !strings.Contains(f.Detail, "retired") {
		t.Errorf("ingress-nginx note %+v", f)
	}
}

func TestDoctorRuntimeDown(t *testing.T) {
	fs := Run(context.Background(), deps(fakeRuntime("", "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?", nil)))
	f := find(t, fs, "runtime")
	if f.State != Fail || !Blocking(fs) {
		t.Fatalf("runtime down not blocking: %+v", f)
	}
	if !strings.Contains(f.Fix, "Docker Desktop") {
		t.Errorf("fix does not say how: %q", f.Fix)
	}
}

func TestDoctorRuntimePermission(t *testing.T) {
	fs := Run(context.Background(), deps(fakeRuntime("", "permission denied while trying to connect to the Docker daemon socket", nil)))
	if f := find(t, fs, "runtime"); !strings.Contains(f.Fix, "usermod") {
		t.Errorf("permission fix: %+v", f)
	}
}

var (
	testPortTaken = i18n.M("doctor.test.port", "port %d is taken; choose another with %s", "%d 번 포트를 쓰고 있습니다. %s 로 바꾸세요")
	testPortFix   = i18n.M("doctor.test.port.fix", "stop what uses it", "그 프로그램을 멈추세요")
)

func TestDoctorPortsAndLimits(t *testing.T) {
	d := deps(fakeRuntime(strings.Replace(dockerInfoV2, `"2"`, `"1"`, 1), "", map[string]string{cluster.DefaultOptions().Image: "sha256:1"}))
	d.CheckPort = func(port int, flag string) error {
		if port == 80 {
			return i18n.Errorf(testPortTaken, port, flag).WithFix(testPortFix)
		}
		return nil
	}
	d.ReadFile = func(p string) ([]byte, error) { return []byte("128"), nil }
	fs := Run(context.Background(), d)
	if f := find(t, fs, "port-80"); f.State != Fail || !strings.Contains(f.Detail, "--http-port") {
		t.Errorf("port 80: %+v", f)
	}
	if f := find(t, fs, "port-443"); f.State != OK {
		t.Errorf("port 443: %+v", f)
	}
	if f := find(t, fs, "inotify"); f.State != Warn || !strings.Contains(f.Fix, "sysctl") {
		t.Errorf("inotify: %+v", f)
	}
	if f := find(t, fs, "cgroup"); f.State != Warn {
		t.Errorf("cgroup v1: %+v", f)
	}
	if f := find(t, fs, "node-image"); f.State != OK {
		t.Errorf("present node image: %+v", f)
	}
	if !Blocking(fs) {
		t.Error("taken port does not block")
	}
}

func TestDoctorExistingClusterOwnsPorts(t *testing.T) {
	d := deps(fakeRuntime(dockerInfoV2, "", nil))
	d.Exists = func() (bool, error) { return true, nil }
	d.CheckPort = func(int, string) error { return errors.New("must not be asked") }
	fs := Run(context.Background(), d)
	if Blocking(fs) {
		t.Errorf("a running lab blocks itself: %+v", fs)
	}
}

func TestDoctorMemoryAndNonLinux(t *testing.T) {
	d := deps(fakeRuntime(strings.Replace(dockerInfoV2, "8589934592", "2147483648", 1), "", nil))
	d.GOOS = "darwin"
	d.ReadFile = func(string) ([]byte, error) { return nil, os.ErrNotExist }
	fs := Run(context.Background(), d)
	if f := find(t, fs, "memory"); f.State != Fail || f.Fix == "" {
		t.Errorf("2 GiB: %+v", f)
	}
	for _, f := range fs {
		if f.ID == "inotify" {
			t.Errorf("inotify probed on macOS: %+v", f)
		}
	}
}

func TestDoctorKorean(t *testing.T) {
	d := deps(fakeRuntime("", "Cannot connect to the Docker daemon", nil))
	d.Lang = i18n.Ko
	f := find(t, Run(context.Background(), d), "runtime")
	if !strings.Contains(f.Title, "런타임") || !strings.Contains(f.Fix, "Docker Desktop") || !strings.Contains(f.Detail, "연결할 수 없습니다") {
		t.Errorf("Korean finding %+v", f)
	}
}

func TestDoctorStoppedLab(t *testing.T) {
	d := deps(fakeRuntime(dockerInfoV2, "", nil))
	d.Name = "rs"
	d.Exists = func() (bool, error) { return true, nil }
	d.State = func(ctx context.Context) (cluster.LabState, []runtime.NodeContainer, error) {
		cs := []runtime.NodeContainer{{Name: "rs-control-plane", Role: "control-plane", State: "exited"}, {Name: "rs-worker", Role: "worker", State: "running"}}
		return runtime.StateOf(cs), cs, nil
	}
	fs := Run(context.Background(), d)
	f := find(t, fs, "cluster")
	if f.State != Warn || !strings.Contains(f.Detail, "partly stopped") || !strings.Contains(f.Fix, "labctl start --name rs") {
		t.Errorf("stopped lab: %+v", f)
	}
	if Blocking(fs) {
		t.Errorf("a stopped lab does not block up: %+v", fs)
	}
}
