// Package doctor probes everything labctl up depends on (the container
// runtime, cgroups, memory, the lab and its host ports, inotify limits, the
// node image) and says how to fix what is wrong: labctl doctor.
package doctor

import (
	"context"
	"fmt"
	"os"
	goruntime "runtime"
	"strconv"
	"strings"

	"github.com/labctl/labctl/cluster"
	"github.com/labctl/labctl/cluster/addons"
	"github.com/labctl/labctl/cluster/internal/runtime"
	"github.com/labctl/labctl/i18n"
)

// State is the verdict of one doctor probe.
type State string

// Probe verdicts. Only Fail blocks `labctl up`.
const (
	OK   State = "ok"
	Warn State = "warn"
	Fail State = "fail"
	Info State = "info"
)

// Finding is one line of `labctl doctor`.
type Finding struct {
	ID     string `json:"id"`
	Title  string `json:"title"`
	State  State  `json:"state"`
	Detail string `json:"detail"`
	Fix    string `json:"fix,omitempty"`
}

// Deps are doctor's windows on the machine; tests replace them.
type Deps struct {
	Lang       i18n.Lang
	Runtime    runtime.Runtime
	RuntimeErr error // from detecting the runtime
	Name       string
	Image      string
	HTTPPort   int
	HTTPSPort  int
	GOOS       string
	CheckPort  func(port int, flag string) error
	ReadFile   func(string) ([]byte, error)
	Exists     func() (bool, error)
	// State reads the lab's node containers (nil: not asked).
	State func(ctx context.Context) (cluster.LabState, []runtime.NodeContainer, error)
}

// DefaultDeps probes the real machine and the lab called name.
func DefaultDeps(lang i18n.Lang, runtimeName, name string) Deps {
	rt, err := runtime.Detect(runtimeName)
	if name == "" {
		name = cluster.DefaultOptions().Name
	}
	d := Deps{Lang: lang, Runtime: rt, RuntimeErr: err, Name: name, Image: cluster.DefaultOptions().Image,
		HTTPPort: cluster.DefaultOptions().HTTPPort, HTTPSPort: cluster.DefaultOptions().HTTPSPort, GOOS: goruntime.GOOS, CheckPort: runtime.CheckPortFree, ReadFile: os.ReadFile}
	d.Exists = func() (bool, error) { return d.Runtime.ClusterExists(d.Name) }
	d.State = func(ctx context.Context) (cluster.LabState, []runtime.NodeContainer, error) {
		return runtime.ReadState(ctx, d.Runtime, d.Name)
	}
	return d
}

// Blocking reports whether any finding stops `labctl up`.
func Blocking(fs []Finding) bool {
	for _, f := range fs {
		if f.State == Fail {
			return true
		}
	}
	return false
}

const (
	gib              = int64(1) << 30
	minMemory        = 3 * gib
	goodMemory       = 4 * gib
	wantWatches      = 524288
	wantInstances    = 512
	inotifyWatches   = "/proc/sys/fs/inotify/max_user_watches"
	inotifyInstances = "/proc/sys/fs/inotify/max_user_instances"
)

// Run probes everything `labctl up` depends on and says how to fix what
// is wrong.
func Run(ctx context.Context, d Deps) []Finding {
	l := d.Lang
	var out []Finding
	add := func(id string, title i18n.Message, st State, detail string, fix *i18n.Message, fixArgs ...any) {
		f := Finding{ID: id, Title: title.F(l), State: st, Detail: detail}
		if fix != nil {
			f.Fix = fix.F(l, fixArgs...)
		}
		out = append(out, f)
	}

	// 1. the runtime
	var info runtime.EngineInfo
	err := d.RuntimeErr
	if err == nil {
		info, err = d.Runtime.Info(ctx)
	}
	if err != nil {
		f := Finding{ID: "runtime", Title: docRuntime.F(l), State: Fail, Detail: i18n.Localize(err, l), Fix: i18n.FixOf(err, l)}
		out = append(out, f)
		// nothing else can be asked of a runtime that does not answer
		add("ingress-nginx", docNginx, Info, docNginxDetail.F(l, addons.IngressNginxVersion), nil)
		return out
	}
	add("runtime", docRuntime, OK, fmt.Sprintf("%s %s (%s, %d CPU)", d.Runtime.Name, info.Version, info.OS, info.CPUs), nil)

	// 2. cgroups
	switch info.CgroupVersion {
	case 2:
		add("cgroup", docCgroup, OK, "cgroup v2", nil)
	case 1:
		add("cgroup", docCgroup, Warn, docCgroupV1.F(l), nil)
	default:
		add("cgroup", docCgroup, Info, "?", nil)
	}

	// 3. memory available to the runtime (Docker Desktop: its VM)
	mem := fmt.Sprintf("%.1f GiB", float64(info.MemTotal)/float64(gib))
	switch {
	case info.MemTotal == 0:
		add("memory", docMemory, Info, "?", nil)
	case info.MemTotal < minMemory:
		add("memory", docMemory, Fail, mem, &fixMemory)
	case info.MemTotal < goodMemory:
		add("memory", docMemory, Warn, mem, &fixMemory)
	default:
		add("memory", docMemory, OK, mem, nil)
	}

	// 4. the lab cluster and the host ports it needs
	exists := false
	if d.Exists != nil {
		exists, _ = d.Exists()
	}
	var state cluster.LabState
	var cs []runtime.NodeContainer
	if exists && d.State != nil {
		state, cs, _ = d.State(ctx)
	}
	switch {
	case state == cluster.LabStopped || state == cluster.LabPartlyStopped || state == cluster.LabPaused:
		down := runtime.NotRunning(cs)
		add("cluster", docCluster, Warn, docClusterStopped.F(l, d.Name, state.Text(l), len(down), len(cs), strings.Join(down, ", ")),
			&runtime.FixLabStopped, runtime.StartCommand(d.Name))
	case exists:
		add("cluster", docCluster, OK, docClusterExists.F(l, d.Name), nil)
	default:
		add("cluster", docCluster, Info, docClusterNone.F(l, d.Name), &runtime.FixNoCluster)
	}
	for _, p := range []struct {
		port int
		flag string
	}{{d.HTTPPort, "--http-port"}, {d.HTTPSPort, "--https-port"}} {
		id := "port-" + strconv.Itoa(p.port)
		title := docPort
		switch {
		case exists:
			add(id, title, OK, docPortLab.F(l, p.port), nil)
		default:
			if err := d.CheckPort(p.port, p.flag); err != nil {
				out = append(out, Finding{ID: id, Title: title.F(l), State: Fail, Detail: i18n.Localize(err, l), Fix: i18n.FixOf(err, l)})
			} else {
				add(id, title, OK, docPortFree.F(l, p.port), nil)
			}
		}
	}

	// 5. inotify limits (Linux hosts run the nodes' kubelets on the host kernel)
	if d.GOOS == "linux" {
		w, werr := readInt(d.ReadFile, inotifyWatches)
		n, nerr := readInt(d.ReadFile, inotifyInstances)
		detail := fmt.Sprintf("max_user_watches=%d max_user_instances=%d", w, n)
		switch {
		case werr != nil || nerr != nil:
			add("inotify", docInotify, Info, "?", nil)
		case w < wantWatches || n < wantInstances:
			add("inotify", docInotify, Warn, detail, &fixInotify, wantWatches, wantInstances)
		default:
			add("inotify", docInotify, OK, detail, nil)
		}
	}

	// 6. the node image
	id, _ := d.Runtime.ImageID(ctx, d.Image)
	if id == "" {
		if i := strings.Index(d.Image, "@"); i > 0 {
			id, _ = d.Runtime.ImageID(ctx, d.Image[:i])
		}
	}
	if id != "" {
		add("node-image", docImage, OK, d.Image, nil)
	} else {
		add("node-image", docImage, Info, docImageMissing.F(l, d.Image), nil)
	}

	// 7. ingress-nginx's retirement
	add("ingress-nginx", docNginx, Info, docNginxDetail.F(l, addons.IngressNginxVersion), nil)
	return out
}

func readInt(read func(string) ([]byte, error), path string) (int, error) {
	b, err := read(path)
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(strings.TrimSpace(string(b)))
}

var (
	docRuntime        = i18n.M("doctor.runtime", "Container runtime", "컨테이너 런타임")
	docCgroup         = i18n.M("doctor.cgroup", "cgroups", "cgroup")
	docCgroupV1       = i18n.M("doctor.cgroup.v1", "cgroup v1: labctl starts kubelets with failCgroupV1: false", "cgroup v1: labctl 이 kubelet 을 failCgroupV1: false 로 실행합니다")
	docMemory         = i18n.M("doctor.memory", "Memory for containers", "컨테이너용 메모리")
	fixMemory         = i18n.M("doctor.memory.fix", "give the runtime at least 4 GiB (Docker Desktop: Settings > Resources > Memory)", "런타임에 4 GiB 이상을 주세요 (Docker Desktop: Settings > Resources > Memory)")
	docCluster        = i18n.M("doctor.cluster", "Lab cluster", "실습 클러스터")
	docClusterExists  = i18n.M("doctor.cluster.exists", "%q exists", "%q 가 있습니다")
	docClusterStopped = i18n.M("doctor.cluster.stopped", "%[1]q exists but is %[2]s (%[3]d of %[4]d nodes not running: %[5]s)", "%[1]q 가 있지만 %[2]s 상태입니다 (노드 %[4]d 개 중 %[3]d 개가 실행 중이 아님: %[5]s)")
	docClusterNone    = i18n.M("doctor.cluster.none", "%q not created yet", "%q 가 아직 없습니다")
	docPort           = i18n.M("doctor.port", "Host port", "호스트 포트")
	docPortFree       = i18n.M("doctor.port.free", "%d is free", "%d 번이 비어 있습니다")
	docPortLab        = i18n.M("doctor.port.lab", "%d is published by the lab cluster", "%d 번은 실습 클러스터가 쓰고 있습니다")
	docInotify        = i18n.M("doctor.inotify", "inotify limits", "inotify 한도")
	fixInotify        = i18n.M("doctor.inotify.fix", "raise them: sudo sysctl fs.inotify.max_user_watches=%d fs.inotify.max_user_instances=%d", "한도를 올리세요: sudo sysctl fs.inotify.max_user_watches=%d fs.inotify.max_user_instances=%d")
	docImage          = i18n.M("doctor.image", "Node image", "노드 이미지")
	docImageMissing   = i18n.M("doctor.image.missing", "%s will be downloaded by the first labctl up (about 1 GB)", "%s 는 첫 labctl up 에서 내려받습니다 (약 1 GB)")
	docNginx          = i18n.M("doctor.nginx", "ingress-nginx", "ingress-nginx")
	docNginxDetail    = i18n.M("doctor.nginx.detail",
		"retired upstream (repository archived 2026-03); with --ingress nginx labctl pins its final release %s, which supports Kubernetes 1.31-1.35 and not Gateway API. The default is Traefik (Ingress and Gateway API)",
		"공식 은퇴 (2026-03 저장소 보관 처리). --ingress nginx 를 주면 labctl 은 마지막 릴리스 %s 를 고정해 쓰며, Kubernetes 1.31-1.35 를 지원하고 Gateway API 는 지원하지 않습니다. 기본은 Traefik 입니다 (Ingress 와 Gateway API)")
)
