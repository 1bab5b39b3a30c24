// Package session is what both front ends (the CLI and the TUI) do with a
// lab: open the cluster, check a chapter, apply a step's solution, reset a
// chapter, record progress. Neither front end holds logic the other needs.
package session

import (
	"context"
	"net"
	"net/netip"
	"strings"
	"time"

	"k8s.io/client-go/dynamic"

	"github.com/labctl/labctl/apply"
	"github.com/labctl/labctl/cluster"
	"github.com/labctl/labctl/cluster/labnet"
	"github.com/labctl/labctl/i18n"
	"github.com/labctl/labctl/labs"
	"github.com/labctl/labctl/proxy"
	"github.com/labctl/labctl/verify"
)

// Session is an open lab cluster plus what checks need to observe it. Its
// language is fixed when it is made: Open gives the CLI's one, In a copy
// in another for one call (the TUI's sessions are shared between
// goroutines, and the student may switch language at any time).
type Session struct {
	Lab   *cluster.Lab
	Store *labs.Store
	// Core is the proxy core on this cluster (DNS, Service proxies).
	Core *proxy.Cluster
	lang i18n.Lang
	net  verify.Network
	dyn  dynamic.Interface
	// applier and guard stand in for the cluster's in tests.
	applier func() (*apply.Applier, error)
	guard   func(context.Context) (context.Context, func() error)
}

// Lang is the language of what this session reports.
func (s *Session) Lang() i18n.Lang { return s.lang }

// In returns the session speaking l: a copy sharing the cluster handles,
// for one call. The receiver is not changed.
func (s *Session) In(l i18n.Lang) *Session {
	c := *s
	c.lang = l
	return &c
}

// network is the verifier's view of a lab: traffic from kind's nodes and
// from this computer, DNS through the proxy core (from any OS, no probe
// pod, one reused port-forward connection to CoreDNS).
func network(lab *cluster.Lab, core *proxy.Cluster) verify.Network {
	return &labnet.Network{Lab: lab, DNSFunc: core.DNS, Routable: proxy.HostRoutes}
}

// Open connects to the target cluster and checks that it answers.
func Open(ctx context.Context, t cluster.Target, lang i18n.Lang, store *labs.Store) (*Session, error) {
	lab, err := cluster.Open(ctx, t)
	if err != nil {
		return nil, err
	}
	if err := lab.Ping(ctx); err != nil {
		return nil, err
	}
	dyn, err := dynamic.NewForConfig(lab.REST)
	if err != nil {
		return nil, err
	}
	core := proxy.NewCluster(lab.REST, lab.Client)
	return &Session{Lab: lab, lang: lang, Store: store, Core: core, net: network(lab, core), dyn: dyn}, nil
}

// OpenCore connects to the target cluster, checks that it answers, and
// opens the proxy core on it with transport tr: all `labctl proxy`, `dig`
// and `curl` need (no verifier, no progress store). The API server is
// asked first: with it gone, a DNS query or a port-forward would wait for
// its own timeouts and then blame the Service. Close the core when done.
func OpenCore(ctx context.Context, t cluster.Target, tr proxy.Transport) (*proxy.Cluster, error) {
	lab, err := cluster.Open(ctx, t)
	if err != nil {
		return nil, err
	}
	if err := lab.Ping(ctx); err != nil {
		return nil, err
	}
	return proxy.NewCluster(lab.REST, lab.Client, proxy.WithTransport(tr)), nil
}

// Guard returns a context for work on the lab that ends within seconds
// when the lab goes away (its nodes stop, the runtime restarts), and done,
// to call when the work is over: it says why the lab was lost, as an error
// naming the fix (nil otherwise).
func (s *Session) Guard(ctx context.Context) (context.Context, func() error) {
	if s.guard != nil {
		return s.guard(ctx)
	}
	return s.Lab.Watch(ctx, 2*time.Second)
}

// Close releases the proxy core's connections and the verifier's shells.
func (s *Session) Close() {
	if c, ok := s.net.(interface{ Close() error }); ok {
		_ = c.Close()
	}
	if s.Core != nil {
		_ = s.Core.Close()
	}
}

// Env is the verifier's view of this lab for a chapter.
func (s *Session) Env(ch *labs.Chapter) *verify.Env {
	env := &verify.Env{Client: s.Lab.Client, Dynamic: s.dyn, Net: s.net, Namespace: ch.Namespace, Lang: s.lang, Balancers: s.balancer,
		Exec: verify.APIExec{Config: s.Lab.REST, Client: s.Lab.Client}}
	if ne, ok := s.net.(verify.NodeExec); ok {
		env.Nodes = ne
	}
	if nr, ok := s.net.(verify.NodeRunner); ok {
		env.Node = nr
	}
	return env
}

// balancer opens the proxy core on a Service with a scheduler, for the
// scheduler checks (no listener: the check dials as chosen clients).
func (s *Session) balancer(_ context.Context, ns, svc, port, scheduler string) (verify.Balancer, error) {
	p, err := s.Core.NewProxy(ns, svc, port, proxy.WithScheduler(scheduler), proxy.WithoutAffinity())
	if err != nil {
		return nil, err
	}
	return coreBalancer{p}, nil
}

type coreBalancer struct{ p *proxy.Proxy }

func (b coreBalancer) Dial(ctx context.Context, client netip.Addr) (net.Conn, string, error) {
	conn, ep, err := b.p.Dial(ctx, client)
	return conn, ep.Pod, err
}

func (b coreBalancer) Close() {}

// Check runs a chapter's checks (all steps when steps is empty) and records
// each step's outcome in the progress store.
func (s *Session) Check(ctx context.Context, ch *labs.Chapter, steps []int, o verify.Options) verify.Report {
	if w, ok := s.net.(interface{ Warm(context.Context) }); ok && verify.SendsFromNodes(ch, steps) {
		go w.Warm(ctx)
	}
	rep := verify.Run(ctx, s.Env(ch), ch, steps, o)
	rep.Cluster = s.Lab.Name
	if ctx.Err() == nil && s.Store != nil {
		Record(s.Store, ch, rep)
	}
	return rep
}

// Record stores each step's outcome.
func Record(store *labs.Store, ch *labs.Chapter, rep verify.Report) {
	now := time.Now()
	for _, st := range rep.Steps {
		passed := 0
		for _, c := range st.Checks {
			if c.Verdict == verify.Pass {
				passed++
			}
		}
		_ = store.Record(ch.ID, st.ID, passed, len(st.Checks), now)
	}
}

// Applier returns an apply engine set up for the chapter's namespace.
func (s *Session) Applier(ch *labs.Chapter) (*apply.Applier, error) {
	newApplier := s.Lab.Applier
	if s.applier != nil {
		newApplier = s.applier
	}
	a, err := newApplier()
	if err != nil {
		return nil, err
	}
	a.Namespace = ch.Namespace
	a.Lang = s.lang
	a.StopOnUnready = true
	return a, nil
}

// ApplyObjects applies objects one by one (reporting each), then waits for
// the workloads among them.
func (s *Session) ApplyObjects(ctx context.Context, ch *labs.Chapter, objs []apply.Object, recreate bool, applied func(apply.Object)) error {
	a, err := s.Applier(ch)
	if err != nil {
		return err
	}
	a.Recreate = recreate
	var api []apply.Object
	for _, o := range objs {
		if isLocal(o) {
			// an Answers object reads, and a PodAction acts on, the pods
			// the same step made: after they run
			if o.GetKind() == "Answers" || o.GetKind() == "PodAction" {
				if err := a.Wait(ctx, api); err != nil {
					return err
				}
			}
			if err := s.applyLocal(ctx, ch, a, o); err != nil {
				return err
			}
		} else {
			if err := a.Apply(ctx, []apply.Object{o}); err != nil {
				return err
			}
			api = append(api, o)
		}
		if applied != nil {
			applied(o)
		}
	}
	return a.Wait(ctx, api)
}

// ApplySolution applies the prerequisites and solution of the given steps
// (all when empty) and records each of them as solved with help.
func (s *Session) ApplySolution(ctx context.Context, ch *labs.Chapter, steps []int, recreate bool, applied func(apply.Object)) error {
	objs, err := ch.SolutionObjects(steps)
	if err != nil {
		return err
	}
	if err := s.ApplyObjects(ctx, ch, objs, recreate, applied); err != nil {
		return err
	}
	MarkHelped(s.Store, ch, steps)
	return nil
}

// MarkHelped records the steps (all when empty) as solved with help.
func MarkHelped(store *labs.Store, ch *labs.Chapter, steps []int) {
	if store == nil {
		return
	}
	if len(steps) == 0 {
		for i := range ch.Steps {
			steps = append(steps, i)
		}
	}
	now := time.Now()
	for _, i := range steps {
		_ = store.MarkHelped(ch.ID, ch.Steps[i].ID, now)
	}
}

// Prerequisite is an object applied for the student because the step
// builds on it: Step is the step whose solution makes it.
type Prerequisite struct {
	apply.Object
	Step int
}

// ApplyStarter applies what a step builds on (other steps' solutions, each
// reported to prereq) and then the step's starter, or the student's own
// objects when mine is not nil (their edited copy). Nothing is recorded:
// the checks say whether it works.
func (s *Session) ApplyStarter(ctx context.Context, ch *labs.Chapter, step int, mine []apply.Object, recreate bool, prereq func(Prerequisite), applied func(apply.Object)) error {
	pre, err := ch.PrerequisiteObjects(step)
	if err != nil {
		return err
	}
	objs := mine
	if objs == nil {
		if objs, err = ch.StarterObjects(step); err != nil {
			return err
		}
	}
	if len(pre) > 0 {
		err := s.ApplyObjects(ctx, ch, pre, false, func(o apply.Object) {
			if prereq != nil {
				prereq(Prerequisite{Object: o, Step: ch.SolvedBy(sourceFile(ch, o))})
			}
		})
		if err != nil {
			return err
		}
	}
	return s.ApplyObjects(ctx, ch, objs, recreate, applied)
}

// sourceFile is the chapter-relative file an object was decoded from.
func sourceFile(ch *labs.Chapter, o apply.Object) string {
	return strings.TrimPrefix(o.Source, ch.Dir+"/")
}

// Reset deletes exactly what the chapter's manifests and solutions create,
// waits until it is gone, and forgets the chapter's progress. It returns
// how many objects it deleted.
func (s *Session) Reset(ctx context.Context, ch *labs.Chapter) (int, error) {
	a, err := s.Applier(ch)
	if err != nil {
		return 0, err
	}
	all, err := ch.AllObjects()
	if err != nil {
		return 0, err
	}
	objs, local := splitLocal(all, ch.Namespace, true)
	if err := a.Delete(ctx, objs); err != nil {
		return 0, err
	}
	if err := a.WaitGone(ctx, objs); err != nil {
		return 0, err
	}
	if err := s.resetLocal(ctx, local); err != nil {
		return 0, err
	}
	if s.Store != nil {
		if err := s.Store.Reset(ch.ID); err != nil {
			return 0, err
		}
	}
	return len(objs), nil
}
