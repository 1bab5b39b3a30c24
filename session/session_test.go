package session

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/labctl/labctl/apply"
	"github.com/labctl/labctl/cluster"
	"github.com/labctl/labctl/i18n"
	"github.com/labctl/labctl/internal/view"
	"github.com/labctl/labctl/labs"
	"github.com/labctl/labctl/proxy"
	"github.com/labctl/labctl/verify"
)

// The status bar's reading names the first thing that is not ready.
func TestStatusInfo(t *testing.T) {
	node := func(ready bool) cluster.NodeStatus { return cluster.NodeStatus{Ready: ready} }
	tests := []struct {
		name  string
		st    cluster.Status
		state view.ClusterState
		addon string
		ready int
	}{
		{"healthy", cluster.Status{Nodes: []cluster.NodeStatus{node(true), node(true)},
			Addons: []cluster.AddonStatus{{Name: "MetalLB", Installed: true, Healthy: true}, {Name: "Traefik"}}}, view.ClusterReady, "", 2},
		{"a node not ready", cluster.Status{Nodes: []cluster.NodeStatus{node(true), node(false)}}, view.ClusterUnhealthy, "", 1},
		{"an add-on not healthy", cluster.Status{Nodes: []cluster.NodeStatus{node(true)},
			Addons: []cluster.AddonStatus{{Name: "MetalLB", Installed: true, Detail: "controller 0/1"}}}, view.ClusterUnhealthy, "MetalLB", 1},
		{"not installed is not unhealthy", cluster.Status{Nodes: []cluster.NodeStatus{node(true)},
			Addons: []cluster.AddonStatus{{Name: "ingress-nginx"}}}, view.ClusterReady, "", 1},
		{"no nodes", cluster.Status{}, view.ClusterUnhealthy, "", 0},
		{"stopped", cluster.Status{State: cluster.LabPartlyStopped, Nodes: []cluster.NodeStatus{node(false)}}, view.ClusterStopped, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := statusInfo(tt.st, i18n.En)
			if got.State != tt.state || got.Addon != tt.addon || got.ReadyNodes != tt.ready {
				t.Errorf("got %+v", got)
			}
		})
	}
	if got := statusInfo(cluster.Status{State: cluster.LabPartlyStopped}, i18n.Ko); got.Detail != cluster.LabPartlyStopped.Text(i18n.Ko) || !hangul(got.Detail) {
		t.Errorf("a stopped lab in Korean: %q", got.Detail)
	}
}

// Every way the cluster can fail to answer is a state of the status bar,
// and a failed reading drops the handle so the next poll opens afresh.
func TestStatusStates(t *testing.T) {
	ctx := context.Background()
	lab := fakeLab()
	t.Run("no cluster", func(t *testing.T) {
		b := &Backend{openLab: func(context.Context, cluster.Target) (*cluster.Lab, error) { return nil, cluster.ErrNoCluster }}
		if got := b.Status(ctx, i18n.En); got.State != view.ClusterNone {
			t.Errorf("got %+v", got)
		}
	})
	t.Run("unreachable", func(t *testing.T) {
		boom := errors.New("connection refused")
		b := &Backend{openLab: func(context.Context, cluster.Target) (*cluster.Lab, error) { return nil, boom }}
		if got := b.Status(ctx, i18n.En); got.State != view.ClusterUnreachable || !errors.Is(got.Err, boom) {
			t.Errorf("got %+v", got)
		}
	})
	stopped := func(context.Context, cluster.Target) (cluster.Status, error) {
		return cluster.Status{State: cluster.LabPaused, Nodes: make([]cluster.NodeStatus, 3)}, nil
	}
	t.Run("stopped when opened", func(t *testing.T) {
		b := &Backend{Target: cluster.Target{Name: "lab"}, stopped: stopped,
			openLab: func(context.Context, cluster.Target) (*cluster.Lab, error) { return nil, cluster.ErrStopped }}
		got := b.Status(ctx, i18n.Ko)
		if got.State != view.ClusterStopped || got.Nodes != 3 || got.Detail != cluster.LabPaused.Text(i18n.Ko) {
			t.Errorf("got %+v", got)
		}
	})
	t.Run("stopped while open", func(t *testing.T) {
		b := &Backend{Target: cluster.Target{Name: "lab"}, lab: lab,
			stopped: func(context.Context, cluster.Target) (cluster.Status, error) {
				return cluster.Status{}, errors.New("no runtime")
			},
			status: func(context.Context, *cluster.Lab, i18n.Lang) (cluster.Status, error) {
				return cluster.Status{}, fmt.Errorf("nodes: %w", cluster.ErrStopped)
			}}
		got := b.Status(ctx, i18n.En)
		if got.State != view.ClusterStopped || got.Detail != cluster.LabStopped.Text(i18n.En) || b.lab != nil {
			t.Errorf("got %+v (lab kept: %v)", got, b.lab != nil)
		}
	})
	t.Run("gone while open", func(t *testing.T) {
		b := &Backend{lab: lab, status: func(context.Context, *cluster.Lab, i18n.Lang) (cluster.Status, error) {
			return cluster.Status{}, errors.New("EOF")
		}}
		if got := b.Status(ctx, i18n.En); got.State != view.ClusterUnreachable || b.lab != nil {
			t.Errorf("got %+v", got)
		}
	})
	t.Run("ready", func(t *testing.T) {
		b := &Backend{openLab: func(context.Context, cluster.Target) (*cluster.Lab, error) { return lab, nil },
			status: func(context.Context, *cluster.Lab, i18n.Lang) (cluster.Status, error) {
				return cluster.Status{Name: "lab", Nodes: []cluster.NodeStatus{{Ready: true}}}, nil
			}}
		if got := b.Status(ctx, i18n.En); got.State != view.ClusterReady || b.lab != lab {
			t.Errorf("got %+v", got)
		}
	})
}

// up refuses a cluster labctl did not make, before touching any runtime.
func TestUpRefusesExternal(t *testing.T) {
	b := &Backend{Target: cluster.Target{Kubeconfig: "/elsewhere"}}
	err := b.Up(context.Background(), i18n.Ko, nopReporter{})
	if err == nil || !hangul(i18n.Localize(err, i18n.Ko)) {
		t.Errorf("got %v", err)
	}
}

// A session that cannot be opened fails every call with the reason, and a
// failed operation drops the session so the next one opens afresh.
func TestSessionOpenFailsAndFailedOpsDrop(t *testing.T) {
	ctx := context.Background()
	boom := errors.New("no API server")
	b := &Backend{open: func(context.Context, cluster.Target, *labs.Store) (*Session, error) { return nil, boom }}
	ch := chapter(t, "ch07")
	if _, err := b.Check(ctx, i18n.En, ch, nil, verify.Options{}); !errors.Is(err, boom) {
		t.Errorf("check: %v", err)
	}
	if err := b.ApplySolution(ctx, i18n.En, ch, []int{0}, nil); !errors.Is(err, boom) {
		t.Errorf("solution: %v", err)
	}
	if err := b.ApplyStarter(ctx, i18n.En, ch, 0, nil, nil, nil); !errors.Is(err, boom) {
		t.Errorf("starter: %v", err)
	}
	if _, err := b.Reset(ctx, i18n.En, ch); !errors.Is(err, boom) {
		t.Errorf("reset: %v", err)
	}
	if _, err := b.Start(ctx, i18n.En, ch, liveStep(t, ch)); !errors.Is(err, boom) {
		t.Errorf("live: %v", err)
	}

	// an applier that cannot be made fails the apply and drops the session
	lab := fakeLab()
	b = newBackend(t, lab, &fakeApplier{})
	b.open = func(_ context.Context, _ cluster.Target, store *labs.Store) (*Session, error) {
		return &Session{Lab: lab, Store: store, applier: func() (*apply.Applier, error) { return nil, boom }, guard: noGuard}, nil
	}
	if err := b.ApplySolution(ctx, i18n.En, ch, []int{0}, nil); !errors.Is(err, boom) {
		t.Errorf("solution: %v", err)
	}
	if b.sess != nil {
		t.Error("a failed apply kept its session")
	}
	// Ctrl-C keeps it
	b.sess = &Session{Lab: lab}
	if err := b.failed(context.Canceled); !errors.Is(err, context.Canceled) || b.sess == nil {
		t.Error("a cancelled operation dropped the session")
	}
	b.Close()
	if b.sess != nil {
		t.Error("Close kept the session")
	}
}

// The guard's reason for a lost lab wins over the operation's own error.
func TestGuarded(t *testing.T) {
	gone := errors.New("lab stopped")
	if err := guarded(func() error { return gone }, errors.New("context canceled")); err != gone {
		t.Errorf("got %v", err)
	}
	own := errors.New("forbidden")
	if err := guarded(func() error { return nil }, own); err != own {
		t.Errorf("got %v", err)
	}
}

func noGuard(ctx context.Context) (context.Context, func() error) {
	return ctx, func() error { return nil }
}

// Applying a step's starter applies what it builds on first (reporting the
// step whose solution makes each object), then the starter; nothing is
// recorded. Applying the solution records the step as solved with help.
func TestApplyStarterThenSolution(t *testing.T) {
	ch := chapter(t, "ch07")
	step := -1
	for i, st := range ch.Steps {
		if len(st.Prerequisites) > 0 {
			step = i
			break
		}
	}
	if step < 0 {
		t.Fatal("ch07 has no step with prerequisites")
	}
	lab, fa := fakeLab(), &fakeApplier{}
	b := newBackend(t, lab, fa)
	var pre, applied []string
	err := b.ApplyStarter(context.Background(), i18n.En, ch, step, nil, func(o apply.Object, by int) {
		pre = append(pre, fmt.Sprintf("%s@%d", o.Ref(), by))
	}, func(o apply.Object) { applied = append(applied, o.Ref()) })
	if err != nil {
		t.Fatal(err)
	}
	if starter, _ := ch.StarterObjects(step); len(applied) != len(starter) {
		t.Errorf("applied %v, want the %d objects of the starter", applied, len(starter))
	}
	if len(pre) == 0 {
		t.Fatalf("no prerequisite reported for step %d", step)
	}
	for _, p := range pre {
		if strings.HasSuffix(p, "@-1") {
			t.Errorf("prerequisite %s names no step", p)
		}
	}
	if p, _ := b.Store.Chapter(ch.ID); len(p.Steps) != 0 {
		t.Errorf("a starter recorded progress: %+v", p)
	}

	// the edited copy replaces the starter
	mine, err := apply.Decode("mine.yaml", []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: mine\n"))
	if err != nil {
		t.Fatal(err)
	}
	applied = nil
	if err := b.ApplyStarter(context.Background(), i18n.En, ch, 0, mine, func(apply.Object, int) {}, func(o apply.Object) { applied = append(applied, o.Ref()) }); err != nil {
		t.Fatal(err)
	}
	if strings.Join(applied, ",") != "ConfigMap default/mine" {
		t.Errorf("applied %v, want the student's ConfigMap only", applied)
	}

	s := &Session{Lab: lab, Store: b.Store, lang: i18n.En, applier: fa.new, guard: noGuard}
	if err := s.ApplySolution(context.Background(), ch, []int{step}, true, nil); err != nil {
		t.Fatal(err)
	}
	p, err := b.Store.Chapter(ch.ID)
	if err != nil || !p.Steps[ch.Steps[step].ID].Helped {
		t.Errorf("solution not recorded as help: %+v, %v", p, err)
	}
	MarkHelped(nil, ch, nil) // no store: nothing to do
	MarkHelped(b.Store, ch, nil)
	if p, _ := b.Store.Chapter(ch.ID); len(p.Steps) != len(ch.Steps) {
		t.Errorf("all steps helped: %d of %d", len(p.Steps), len(ch.Steps))
	}
}

// Reset deletes what the chapter makes, waits until it is gone and forgets
// the chapter's progress.
func TestReset(t *testing.T) {
	ch := chapter(t, "ch07")
	lab, fa := fakeLab(), &fakeApplier{}
	b := newBackend(t, lab, fa)
	_ = b.Store.Record(ch.ID, ch.Steps[0].ID, 1, 2, time.Now())
	n, err := b.Reset(context.Background(), i18n.Ko, ch)
	if err != nil {
		t.Fatal(err)
	}
	all, _ := ch.AllObjects()
	if n != len(all) || n == 0 {
		t.Errorf("deleted %d, want %d", n, len(all))
	}
	if p, _ := b.Store.Chapter(ch.ID); len(p.Steps) != 0 {
		t.Errorf("progress kept: %+v", p)
	}
}

// Checking records each step's outcome; the checks run on the fake
// cluster, where nothing of the chapter exists.
func TestCheckRecords(t *testing.T) {
	ch := chapter(t, "ch07")
	lab := fakeLab()
	b := newBackend(t, lab, &fakeApplier{})
	rep, err := b.Check(context.Background(), i18n.Ko, ch, []int{0}, verify.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Steps) != 1 || rep.Cluster != "lab" || rep.Verdict == verify.Pass {
		t.Errorf("report %+v", rep)
	}
	p, _ := b.Store.Chapter(ch.ID)
	if got := p.Steps[ch.Steps[0].ID]; got.Total == 0 || got.State == labs.Passed {
		t.Errorf("recorded %+v", got)
	}
}

// The live view and the scheduler checks open the proxy core on the
// Service; on a Service without endpoints the counts are simply empty.
func TestLiveOnAService(t *testing.T) {
	ch := chapter(t, "ch07")
	st := liveStep(t, ch)
	ns, name, _, _ := verify.LiveTarget(st)
	if ns == "" {
		ns = ch.Namespace
	}
	svc := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: corev1.ServiceSpec{ClusterIP: "10.96.0.9", Ports: []corev1.ServicePort{{Name: "http", Port: 80, TargetPort: intstr.FromInt32(8080)}}}}
	lab := fakeLab(svc)
	s := &Session{Lab: lab, lang: i18n.Ko, Core: proxy.NewCluster(lab.REST, lab.Client)}
	defer s.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	feed, err := s.Live(ctx, ch, st)
	if err != nil {
		t.Fatal(err)
	}
	if got := <-feed; len(got) != 0 {
		t.Errorf("counts with no endpoints: %+v", got)
	}
	bal, err := s.balancer(ctx, ns, name, "http", "rr")
	if err != nil {
		t.Fatal(err)
	}
	dctx, dcancel := context.WithTimeout(ctx, time.Second)
	defer dcancel()
	if _, _, err := bal.Dial(dctx, netipAddr("10.98.0.1")); err == nil {
		t.Error("a dial to a Service without endpoints succeeded")
	}
	bal.Close()

	// the feed ends when the view's context does
	lctx, lcancel := context.WithCancel(ctx)
	feed, err = s.Live(lctx, ch, st)
	if err != nil {
		t.Fatal(err)
	}
	lcancel()
	for range feed { // drains, and returns only once the loop closed it
	}

	// a step without a traffic check has no live view
	if _, err := s.Live(ctx, ch, &ch.Steps[0]); err == nil && !hasLive(&ch.Steps[0]) {
		t.Error("a step without a scheduler check started a live view")
	}
}

func hasLive(st *labs.Step) bool { _, _, _, ok := verify.LiveTarget(st); return ok }

// Counts names each backend as the student knows it.
func TestCounts(t *testing.T) {
	got := Counts([]proxy.BackendStats{
		{Endpoint: proxy.Endpoint{Pod: "web-a"}, Conns: 3, Active: 1, Ready: true},
		{Endpoint: proxy.Endpoint{IP: netipAddr("10.244.1.9")}, Conns: 1},
	})
	want := []view.BackendCount{{Name: "web-a", Conns: 3, Active: 1, Ready: true}, {Name: "10.244.1.9", Conns: 1}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

// The real guard watches the lab until done; ended at once, it reports
// nothing lost.
func TestGuardEndsClean(t *testing.T) {
	s := &Session{Lab: fakeLab()}
	ctx, done := s.Guard(context.Background())
	if err := done(); err != nil {
		t.Errorf("done: %v", err)
	}
	if ctx.Err() == nil {
		t.Error("the guarded context outlived done")
	}
}

func netipAddr(s string) netip.Addr { return netip.MustParseAddr(s) }

// Watch, the one refresh loop of both live views, shows a reading at once,
// one per tick, and a last one after stop (the drained counts).
func TestWatch(t *testing.T) {
	stop := make(chan struct{})
	var reads int
	stats := func() []proxy.BackendStats {
		reads++
		return []proxy.BackendStats{{Conns: uint64(reads)}}
	}
	var shown []uint64
	done := make(chan struct{})
	go func() {
		defer close(done)
		Watch(stop, time.Hour, stats, func(s []proxy.BackendStats) {
			shown = append(shown, s[0].Conns)
			if len(shown) == 1 {
				close(stop)
			}
		})
	}()
	<-done
	if len(shown) != 2 || shown[0] != 1 || shown[1] != 2 {
		t.Errorf("shown %v; want a reading at once and a last one after stop: [1 2]", shown)
	}
}

// offer keeps the newest reading for a reader that fell behind.
func TestOffer(t *testing.T) {
	ch := make(chan int, 1)
	offer(ch, 1)
	offer(ch, 2)
	if got := <-ch; got != 2 {
		t.Errorf("got %d, want the newest, 2", got)
	}
	select {
	case v := <-ch:
		t.Errorf("a second reading %d was kept", v)
	default:
	}
}
