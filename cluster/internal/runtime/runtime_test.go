package runtime

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/labctl/labctl/i18n"
)

const gib = int64(1) << 30

// The runtime's image and network commands, and how their failures read.
func TestRuntimeCommands(t *testing.T) {
	var calls []string
	rt := Fake(map[string]string{
		"image inspect --format {{.Id}} have": "sha256:abc\n",
		"image inspect --format {{.Id}} lack": "ERR Error: No such image: lack",
		"image inspect --format {{.Id}} bad":  "ERR permission denied",
		"pull ":                               "",
		"tag ":                                "",
		"save ":                               "ARCHIVE",
		"load":                                "",
		"network inspect kind":                `[{"IPAM":{"Config":[{"Subnet":"172.18.0.0/16"},{"Subnet":"fc00:f853:ccd:e793::/64"}]}}]`,
	}, &calls)
	ctx := context.Background()
	if id, err := rt.ImageID(ctx, "have"); id != "sha256:abc" || err != nil {
		t.Errorf("have: %q, %v", id, err)
	}
	if id, err := rt.ImageID(ctx, "lack"); id != "" || err != nil {
		t.Errorf("lack: %q, %v", id, err)
	}
	if _, err := rt.ImageID(ctx, "bad"); err == nil || !strings.Contains(err.Error(), "permission denied") {
		t.Errorf("bad: %v", err)
	}
	if err := rt.Pull(ctx, "agnhost"); err != nil {
		t.Error(err)
	}
	if err := rt.Tag(ctx, "a", "b"); err != nil {
		t.Error(err)
	}
	var archive strings.Builder
	if err := rt.Save(ctx, &archive, "a", "b"); err != nil || archive.String() != "ARCHIVE" {
		t.Errorf("save: %q, %v", archive.String(), err)
	}
	if err := rt.Load(ctx, strings.NewReader("ARCHIVE")); err != nil {
		t.Error(err)
	}
	subnets, err := rt.NetworkSubnets(ctx, "kind")
	if err != nil || len(subnets) != 2 || subnets[0].String() != "172.18.0.0/16" {
		t.Errorf("subnets %v, %v", subnets, err)
	}
	if _, err := rt.NetworkSubnets(ctx, "nope"); err == nil || !strings.Contains(err.Error(), "docker network inspect nope") {
		t.Errorf("unknown network: %v", err)
	}
	if want := "stdin:ARCHIVE"; !strings.Contains(strings.Join(calls, "\n"), want) {
		t.Errorf("load did not stream the archive: %q", calls)
	}
}

func TestLabState(t *testing.T) {
	tests := []struct {
		states map[string]string
		want   LabState
	}{
		{map[string]string{}, LabMissing},
		{map[string]string{"lab-control-plane": "running", "lab-worker": "running"}, LabRunning},
		{map[string]string{"lab-control-plane": "exited", "lab-worker": "exited"}, LabStopped},
		{map[string]string{"lab-control-plane": "running", "lab-worker": "exited"}, LabPartlyStopped},
		{map[string]string{"lab-control-plane": "paused", "lab-worker": "running"}, LabPaused},
		{map[string]string{"lab-control-plane": "created", "lab-worker": "exited"}, LabStopped},
	}
	for _, tt := range tests {
		t.Run(string(tt.want), func(t *testing.T) {
			got, cs, err := ReadState(context.Background(), FakeNodes(tt.states), "lab")
			if err != nil || got != tt.want {
				t.Fatalf("ReadState = %q, %v; want %q", got, err, tt.want)
			}
			if len(cs) > 0 && cs[0].Role != "control-plane" {
				t.Errorf("control-plane not first: %+v", cs)
			}
		})
	}
}

func TestParseNodeContainers(t *testing.T) {
	out := "/lab-worker2\texited\tworker\t\n/lab-worker\trunning\tworker\t172.18.0.3 \n/lab-control-plane\trunning\tcontrol-plane\t172.18.0.2 fc00::2 \n"
	cs := parseNodeContainers(out)
	var names []string
	for _, c := range cs {
		names = append(names, c.Name+"="+c.State+"@"+c.IP)
	}
	want := "lab-control-plane=running@172.18.0.2 lab-worker=running@172.18.0.3 lab-worker2=exited@"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("got %s\nwant %s", got, want)
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"512MiB": 512 << 20, "1.5GiB": 3 << 29, "800kB": 800000, " 12B ": 12} {
		if got, ok := parseSize(in); !ok || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
	for _, bad := range []string{"", "MiB", "12 parsecs", "--"} {
		if _, ok := parseSize(bad); ok {
			t.Errorf("parseSize(%q) accepted", bad)
		}
	}
}

func TestParseInfoAndSubnets(t *testing.T) {
	info, err := parseInfo("podman", []byte(`{"host":{"cgroupVersion":"v2","memTotal":4294967296,"cpus":2,"distribution":{"distribution":"fedora","version":"40"}},"version":{"Version":"5.2.0"}}`))
	if err != nil || info.CgroupVersion != 2 || info.Version != "5.2.0" || info.MemTotal != 4*gib {
		t.Errorf("podman info %+v %v", info, err)
	}
	ps, err := parseSubnets([]byte(`[{"Name":"kind","IPAM":{"Config":[{"Subnet":"fc00:f853:ccd:e793::/64"},{"Subnet":"172.18.0.0/16","Gateway":"172.18.0.1"}]}}]`))
	if err != nil || len(ps) != 2 || ps[1].String() != "172.18.0.0/16" {
		t.Errorf("docker subnets %v %v", ps, err)
	}
	ps, err = parseSubnets([]byte(`[{"name":"kind","subnets":[{"subnet":"10.89.0.0/24","gateway":"10.89.0.1"}]}]`))
	if err != nil || len(ps) != 1 || ps[0].String() != "10.89.0.0/24" {
		t.Errorf("podman subnets %v %v", ps, err)
	}
}

func TestCheckPortFree(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	err = CheckPortFree(port, "--http-port")
	var le *i18n.Error
	if !errors.As(err, &le) || le.Msg.ID != msgPortTaken.ID {
		t.Fatalf("taken port: got %v", err)
	}
	for _, l := range []i18n.Lang{i18n.En, i18n.Ko} {
		s := le.Localize(l)
		if !strings.Contains(s, "--http-port") || !strings.Contains(s, strconv.Itoa(port)) {
			t.Errorf("%s message %q does not name the port and the flag", l, s)
		}
	}
	l.Close()
	if err := CheckPortFree(port, "--http-port"); err != nil {
		t.Errorf("free port reported taken: %v", err)
	}
}

// The runtime is the one named, else the first found on PATH; an unknown
// name, a named one that is missing and none at all each say so.
func TestDetectRuntime(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "docker"), []byte("#!/bin/sh\nexit 0\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
	t.Setenv("LABCTL_RUNTIME", "")
	t.Setenv("KIND_EXPERIMENTAL_PROVIDER", "")
	if rt, err := Detect(""); err != nil || rt.Name != "docker" || rt.Bin != "docker" {
		t.Errorf("found on PATH: %+v, %v", rt, err)
	}
	if rt, err := Detect("docker"); err != nil || rt.Name != "docker" {
		t.Errorf("named: %+v, %v", rt, err)
	}
	if _, err := Detect("rkt"); err == nil || !strings.Contains(i18n.Localize(err, i18n.En), "rkt") || errors.Is(err, ErrRuntime) {
		t.Errorf("unknown runtime: %v", err)
	}
	t.Setenv("LABCTL_RUNTIME", "nerdctl")
	if _, err := Detect(""); !errors.Is(err, ErrRuntime) || !strings.Contains(i18n.Localize(err, i18n.En), "nerdctl") {
		t.Errorf("named by LABCTL_RUNTIME and missing: %v", err)
	}
	t.Setenv("LABCTL_RUNTIME", "")
	t.Setenv("PATH", t.TempDir())
	if _, err := Detect(""); !errors.Is(err, ErrRuntime) {
		t.Errorf("no runtime at all: %v", err)
	}
}

// StartCommand names the lab only when it is not the default one.
func TestStartCommand(t *testing.T) {
	if got := StartCommand(DefaultName); got != "labctl start" {
		t.Errorf("default lab: %q", got)
	}
	if got := StartCommand("rs"); got != "labctl start --name rs" {
		t.Errorf("other lab: %q", got)
	}
}

// Info reads the engine; one that does not answer says how to start it,
// one that refuses the user says how to get permission.
func TestInfo(t *testing.T) {
	var calls []string
	ok := Fake(map[string]string{"info": `{"ServerVersion":"28.2.2","CgroupVersion":"2","MemTotal":8589934592,"NCPU":4,"OperatingSystem":"Docker Desktop"}`}, &calls)
	if info, err := ok.Info(context.Background()); err != nil || info.CPUs != 4 || info.CgroupVersion != 2 || info.MemTotal != 8*gib {
		t.Errorf("info %+v, %v", info, err)
	}
	for stderr, fix := range map[string]string{
		"Cannot connect to the Docker daemon": FixDown.F(i18n.En),
		"permission denied":                   fixRuntimePermission.F(i18n.En),
	} {
		rt := Fake(map[string]string{"info": "ERR " + stderr}, &calls)
		_, err := rt.Info(context.Background())
		if !errors.Is(err, ErrRuntime) || i18n.FixOf(err, i18n.En) != fix {
			t.Errorf("%s: %v (fix %q)", stderr, err, i18n.FixOf(err, i18n.En))
		}
	}
	bad := Fake(map[string]string{"info": `{"ServerErrors":["daemon is starting"]}`}, &calls)
	if _, err := bad.Info(context.Background()); err == nil || !strings.Contains(err.Error(), "daemon is starting") {
		t.Errorf("server errors: %v", err)
	}
}

// The running containers' memory is summed from the runtime's stats.
func TestMemory(t *testing.T) {
	var calls []string
	rt := Fake(map[string]string{"stats": "512MiB / 8GiB\n1.5GiB / 8GiB\n"}, &calls)
	cs := []NodeContainer{{Name: "a", State: "running"}, {Name: "b", State: "running"}, {Name: "c", State: "exited"}}
	if got := rt.Memory(context.Background(), cs); got != 512<<20+3<<29 {
		t.Errorf("memory %d", got)
	}
	if got := rt.Memory(context.Background(), cs[2:]); got != 0 {
		t.Errorf("no running container: %d", got)
	}
	if got := StateOf(cs); got != LabPartlyStopped || LabPartlyStopped.Text(i18n.Ko) == string(LabPartlyStopped) {
		t.Errorf("state %q", got)
	}
	if got := NotRunning(cs); len(got) != 1 || got[0] != "c" {
		t.Errorf("not running %v", got)
	}
}
