package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/labctl/labctl/cluster"
	"github.com/labctl/labctl/cluster/doctor"
	"github.com/labctl/labctl/i18n"
	"github.com/labctl/labctl/internal/view"
)

// fakeCluster stands in for the lab's lifecycle: it reports one step per
// operation, records what it was asked and answers as told.
type fakeCluster struct {
	err      error // every operation's error
	status   cluster.Status
	findings []doctor.Finding
	calls    []string
	opts     cluster.Options
	refs     []string
	memory   bool
}

func (c *fakeCluster) step(rep cluster.Reporter, name string) error {
	c.calls = append(c.calls, name)
	rep.Start(name)
	rep.Done(c.err, 0)
	return c.err
}

func (c *fakeCluster) Up(_ context.Context, o cluster.Options, rep cluster.Reporter) (*cluster.Lab, error) {
	c.opts = o
	if err := c.step(rep, "up"); err != nil {
		return nil, err
	}
	return &cluster.Lab{Name: o.Name, Kubeconfig: "/home/s/.labctl/" + o.Name + ".kubeconfig"}, nil
}
func (c *fakeCluster) Stop(_ context.Context, rep cluster.Reporter) error { return c.step(rep, "stop") }
func (c *fakeCluster) Down(_ context.Context, rep cluster.Reporter) error { return c.step(rep, "down") }
func (c *fakeCluster) Status(_ context.Context, memory bool) (cluster.Status, error) {
	c.calls, c.memory = append(c.calls, "status"), memory
	return c.status, c.err
}
func (c *fakeCluster) Doctor(context.Context, int, int) []doctor.Finding {
	c.calls = append(c.calls, "doctor")
	return c.findings
}
func (c *fakeCluster) SaveImages(_ context.Context, refs []string, _ string, rep cluster.Reporter) error {
	c.refs = refs
	return c.step(rep, "save")
}
func (c *fakeCluster) LoadImages(_ context.Context, _ string, refs []string, rep cluster.Reporter) error {
	c.refs = refs
	return c.step(rep, "load")
}

func clusterDeps(l i18n.Lang, c *fakeCluster) (deps, *bytes.Buffer, *bytes.Buffer) {
	d, out, errOut := fakeDeps(l, nil, nil)
	d.Cluster = c
	return d, out, errOut
}

func healthy() cluster.Status {
	return cluster.Status{Schema: "labctl/status/v1", Name: "lab", Version: "v1.35.8", Kubeconfig: "/k", Context: "kind-lab",
		Nodes:  []cluster.NodeStatus{{Name: "lab-control-plane", Role: "control-plane", Ready: true}},
		Addons: []cluster.AddonStatus{{Name: "MetalLB", Version: "v0.15.2", Installed: true, Healthy: true}}}
}

// The lifecycle commands' output and exit codes, in both languages, with
// the cluster behind a fake.
func TestLifecycleCommands(t *testing.T) {
	unhealthy := healthy()
	unhealthy.Addons[0].Healthy, unhealthy.Addons[0].Detail = false, "controller 0/1"
	stopped := cluster.Status{Name: "rs", State: cluster.LabStopped, Nodes: []cluster.NodeStatus{{Name: "rs-control-plane", Container: "exited"}}}
	up := cluster.DefaultOptions()
	tests := []struct {
		name string
		c    *fakeCluster
		run  func(ctx context.Context, d deps) error
		code int
		out  []string // in the output, per language: [en, ko]
		err  string   // in the error output (the progress lines)
	}{
		{"up", &fakeCluster{}, func(ctx context.Context, d deps) error { return runUp(ctx, d, up) }, exitOK,
			[]string{`lab cluster "lab" is ready`, `실습 클러스터 "lab" 가 준비되었습니다`}, "✓ up"},
		{"up without a runtime", &fakeCluster{err: marked(cluster.ErrRuntime)}, func(ctx context.Context, d deps) error { return runUp(ctx, d, up) }, exitUsage, nil, "✗ up"},
		{"up interrupted", &fakeCluster{err: marked(view.ErrInterrupted)}, func(ctx context.Context, d deps) error { return runUp(ctx, d, up) }, exitInterrupted, nil, "✗ up"},
		{"start", &fakeCluster{}, func(ctx context.Context, d deps) error { return runStart(ctx, d, up) }, exitOK,
			[]string{`lab "lab" runs again`, `실습 클러스터 "lab" 가 다시 실행 중입니다`}, "✓ up"},
		{"start without a lab", &fakeCluster{err: marked(cluster.ErrNoCluster)}, func(ctx context.Context, d deps) error { return runStart(ctx, d, up) }, exitUsage, nil, "✗ up"},
		{"stop", &fakeCluster{}, runStop, exitOK, nil, "✓ stop"},
		{"stop, runtime down", &fakeCluster{err: marked(cluster.ErrRuntimeDown)}, runStop, exitUsage, nil, "✗ stop"},
		{"down", &fakeCluster{}, runDown, exitOK, nil, "✓ down"},
		{"down fails", &fakeCluster{err: errors.New("kind: boom")}, runDown, exitFailure, nil, "✗ down"},
		{"status healthy", &fakeCluster{status: healthy()}, func(ctx context.Context, d deps) error { return runStatus(ctx, d, "text") }, exitOK,
			[]string{"v1.35.8", "v1.35.8"}, ""},
		{"status unhealthy", &fakeCluster{status: unhealthy}, func(ctx context.Context, d deps) error { return runStatus(ctx, d, "text") }, exitFailure,
			[]string{"controller 0/1", "controller 0/1"}, ""},
		{"status stopped", &fakeCluster{status: stopped}, func(ctx context.Context, d deps) error { return runStatus(ctx, d, "text") }, exitStopped,
			[]string{"labctl start --name rs", "labctl start --name rs"}, ""},
		{"status without a lab", &fakeCluster{err: marked(cluster.ErrNoCluster)}, func(ctx context.Context, d deps) error { return runStatus(ctx, d, "text") }, exitUsage, nil, ""},
		{"status unreachable", &fakeCluster{err: marked(cluster.ErrUnreachable)}, func(ctx context.Context, d deps) error { return runStatus(ctx, d, "json") }, exitUsage, nil, ""},
		{"doctor fine", &fakeCluster{findings: []doctor.Finding{{ID: "runtime", Title: "Container runtime", State: doctor.OK, Detail: "docker 28"}}},
			func(ctx context.Context, d deps) error { return runDoctor(ctx, d, &doctorFlags{output: "text"}) }, exitOK, []string{"✓ Container runtime", "✓ Container runtime"}, ""},
		{"doctor blocked", &fakeCluster{findings: []doctor.Finding{{ID: "memory", Title: "Memory", State: doctor.Fail, Detail: "2.0 GiB", Fix: "give it 4 GiB"}}},
			func(ctx context.Context, d deps) error { return runDoctor(ctx, d, &doctorFlags{output: "text"}) }, exitFailure, []string{"→ give it 4 GiB", "→ give it 4 GiB"}, ""},
		{"doctor json", &fakeCluster{findings: []doctor.Finding{{ID: "memory", State: doctor.Fail}}},
			func(ctx context.Context, d deps) error { return runDoctor(ctx, d, &doctorFlags{output: "json"}) }, exitFailure, []string{`"blocking": true`, `"blocking": true`}, ""},
		{"images save", &fakeCluster{}, func(ctx context.Context, d deps) error { return runImagesSave(ctx, d, "b.tar") }, exitOK, nil, "✓ save"},
		{"images load without a runtime", &fakeCluster{err: marked(cluster.ErrRuntime)}, func(ctx context.Context, d deps) error { return runImagesLoad(ctx, d, "b.tar") }, exitUsage, nil, "✗ load"},
	}
	for _, tt := range tests {
		for i, l := range []i18n.Lang{i18n.En, i18n.Ko} {
			t.Run(tt.name+"/"+string(l), func(t *testing.T) {
				c := *tt.c
				d, out, errOut := clusterDeps(l, &c)
				ctx := context.Background()
				err := tt.run(ctx, d)
				if got := exitCode(ctx, err); got != tt.code {
					t.Errorf("exit %d, want %d (%v)", got, tt.code, err)
				}
				if tt.out != nil && !strings.Contains(out.String(), tt.out[i]) {
					t.Errorf("output lacks %q:\n%s", tt.out[i], out)
				}
				if !strings.Contains(errOut.String(), tt.err) {
					t.Errorf("progress lacks %q:\n%s", tt.err, errOut)
				}
				if len(c.calls) != 1 {
					t.Errorf("asked the cluster %v, want one call", c.calls)
				}
			})
		}
	}
}

// status asks for the nodes' memory only when it prints text, and its JSON
// is the cluster's status as is.
func TestStatusOutputs(t *testing.T) {
	c := &fakeCluster{status: healthy()}
	d, out, _ := clusterDeps(i18n.En, c)
	if err := runStatus(context.Background(), d, "json"); err != nil || c.memory {
		t.Fatalf("json: %v, memory asked %v", err, c.memory)
	}
	var st cluster.Status
	if err := json.Unmarshal(out.Bytes(), &st); err != nil || st.Name != "lab" || len(st.Nodes) != 1 {
		t.Errorf("json %+v, %v", st, err)
	}
	c.status.Memory = 300 << 20
	d, out, _ = clusterDeps(i18n.En, c)
	if err := runStatus(context.Background(), d, "text"); err != nil || !c.memory || !strings.Contains(out.String(), "300 MiB") {
		t.Errorf("text: %v, memory asked %v\n%s", err, c.memory, out)
	}
}

// The images commands: every image in the list; save takes them all, load
// all but the node image the nodes already run.
func TestImagesCommands(t *testing.T) {
	d, out, _ := clusterDeps(i18n.En, &fakeCluster{})
	if err := runImagesList(d, "text"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"kind node", "MetalLB v", "Traefik v", "ingress-nginx v", "labs"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("list lacks %q:\n%s", want, out)
		}
	}
	d, out, _ = clusterDeps(i18n.En, &fakeCluster{})
	if err := runImagesList(d, "json"); err != nil {
		t.Fatal(err)
	}
	var list []imageEntry
	if err := json.Unmarshal(out.Bytes(), &list); err != nil || len(list) < 5 || list[0].Use != "kind node" {
		t.Fatalf("json %v, %v", list, err)
	}
	save, load := &fakeCluster{}, &fakeCluster{}
	d, _, _ = clusterDeps(i18n.En, save)
	if err := runImagesSave(context.Background(), d, "b.tar"); err != nil || len(save.refs) != len(list) || save.refs[0] != list[0].Image {
		t.Errorf("save %v: %v", save.refs, err)
	}
	d, _, _ = clusterDeps(i18n.En, load)
	if err := runImagesLoad(context.Background(), d, "b.tar"); err != nil || len(load.refs) != len(list)-1 || load.refs[0] == list[0].Image {
		t.Errorf("load %v: %v", load.refs, err)
	}
}

// env points at the kubeconfig, warning on stderr while it does not exist.
func TestRunEnv(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lab.kubeconfig")
	for _, l := range []i18n.Lang{i18n.En, i18n.Ko} {
		d, out, errOut := clusterDeps(l, &fakeCluster{})
		if err := runEnv(d, &envFlags{shell: "fish"}, path); err != nil {
			t.Fatal(err)
		}
		if out.String() != "set -gx KUBECONFIG \""+path+"\"\n" || !strings.Contains(errOut.String(), msgEnvMissing.F(l, path)) {
			t.Errorf("%s: %q / %q", l, out, errOut)
		}
	}
	if err := os.WriteFile(path, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	d, out, errOut := clusterDeps(i18n.En, &fakeCluster{})
	if err := runEnv(d, &envFlags{shell: "sh"}, path); err != nil || errOut.Len() != 0 || !strings.HasPrefix(out.String(), "export KUBECONFIG=") {
		t.Errorf("existing kubeconfig: %v %q %q", err, out, errOut)
	}
}

// show prints the lesson in the student's language when not on a terminal;
// an unknown chapter is a usage error that lists the chapters.
func TestRunShow(t *testing.T) {
	for _, l := range []i18n.Lang{i18n.En, i18n.Ko} {
		d, out, _ := clusterDeps(l, &fakeCluster{})
		if err := runShow(d, "ch07", false); err != nil {
			t.Fatal(err)
		}
		lib, _ := embedded()
		ch, _ := lib.Chapter("ch07")
		want, _ := ch.Lesson(l)
		if out.String() != want {
			t.Errorf("%s: the lesson was not printed as is (%d bytes, want %d)", l, out.Len(), len(want))
		}
	}
	d, _, _ := clusterDeps(i18n.En, &fakeCluster{})
	if err := runShow(d, "ch99", true); exitCode(context.Background(), err) != exitUsage || !strings.Contains(err.Error(), "ch07") {
		t.Errorf("unknown chapter: %v", err)
	}
}

// tls cert writes a key and a certificate, keeps them unless --force, and
// refuses a bad name or a non-positive lifetime as usage errors.
func TestRunTLSCert(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "certs")
	d, out, _ := clusterDeps(i18n.Ko, &fakeCluster{})
	f := &tlsFlags{cn: "한국.kr", days: 30, out: dir}
	if err := runTLSCert(d, f); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"xn--3e0b707e.kr", "kubectl create secret tls", filepath.Join(dir, "tls.crt")} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if info, err := os.Stat(filepath.Join(dir, "tls.key")); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("key: %v %v", info, err)
	}
	err := runTLSCert(d, f)
	if err == nil || !strings.Contains(i18n.Localize(err, i18n.Ko), "tls.key") || exitCode(context.Background(), err) != exitFailure {
		t.Errorf("existing files: %v", err)
	}
	f.force = true
	if err := runTLSCert(d, f); err != nil {
		t.Errorf("--force: %v", err)
	}
	for _, bad := range []*tlsFlags{{cn: "a b", days: 1, out: dir}, {cn: "ok.kr", days: 0, out: dir}} {
		if err := runTLSCert(d, bad); exitCode(context.Background(), err) != exitUsage {
			t.Errorf("%+v: %v", bad, err)
		}
	}
}
