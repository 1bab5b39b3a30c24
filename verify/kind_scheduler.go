package verify

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync"

	"github.com/labctl/labctl/internal/svcport"
	"github.com/labctl/labctl/labs"
)

// Balancer is the proxy core balancing one Service with one scheduler.
type Balancer interface {
	// Dial picks a backend as if client connected, connects, and names the pod.
	Dial(ctx context.Context, client netip.Addr) (net.Conn, string, error)
	Close()
}

// BalancerFactory opens a Balancer for a Service port and a scheduler.
type BalancerFactory func(ctx context.Context, namespace, service, port, scheduler string) (Balancer, error)

// schedulerDistribution sends connections through labctl's userspace proxy
// with each IPVS scheduler and proves the distribution is the algorithm's:
// rr takes turns, sh keeps each client on one pod, and lc, sed and nq never
// choose a busy pod while another is idle.
type schedulerDistribution struct {
	Service    string   `yaml:"service"`
	Namespace  string   `yaml:"namespace"`
	Port       string   `yaml:"port"`
	Schedulers []string `yaml:"schedulers"`
}

func init() {
	register("schedulerDistribution", func(p schedulerDistribution) (Checker, error) {
		if p.Service == "" {
			return nil, errors.New("params.service is required")
		}
		if len(p.Schedulers) == 0 {
			p.Schedulers = []string{"rr", "lc", "sh", "sed", "nq"}
		}
		for _, s := range p.Schedulers {
			switch s {
			case "rr", "lc", "sh", "sed", "nq":
			default:
				return nil, fmt.Errorf("params.schedulers: %q is not rr, lc, sh, sed or nq", s)
			}
		}
		return p, nil
	})
}

// Target implements TrafficTarget.
func (p schedulerDistribution) Target() (namespace, service, port string) {
	return p.Namespace, p.Service, p.Port
}

// TrafficTarget is a check that sends its traffic through the proxy core to
// one Service port, which a live view can show.
type TrafficTarget interface {
	Target() (namespace, service, port string)
}

// LiveTarget finds the Service port a step's checks send traffic to
// through the proxy core, read with the check kind's own parameters (its
// defaults included); namespace is empty when the check names none.
func LiveTarget(st *labs.Step) (namespace, service, port string, ok bool) {
	for _, c := range st.Checks {
		params := c.Params
		ck, err := Build(c.Kind, &params)
		if err != nil {
			continue
		}
		if t, is := ck.(TrafficTarget); is {
			namespace, service, port = t.Target()
			return namespace, service, port, true
		}
	}
	return "", "", "", false
}

func (p schedulerDistribution) Check(ctx context.Context, env *Env) Outcome {
	ns := env.ns(p.Namespace)
	svc, miss := service(ctx, env, ns, p.Service)
	if miss != nil {
		return *miss
	}
	sp, miss := servicePort(svc, p.Port)
	if miss != nil {
		return *miss
	}
	eps, err := readyEndpoints(ctx, env, svc)
	if err != nil {
		return Errored(err)
	}
	if len(eps) < 2 {
		return Failed(msgSchedNeedsPods, svc.Name, len(eps))
	}
	if env.Balancers == nil {
		return Errored(errors.New("no proxy core to send traffic through"))
	}
	port := svcport.Ref(sp)
	// each scheduler on its own proxy, all at once
	type result struct {
		line string
		bad  bool
		err  error
	}
	results := make([]result, len(p.Schedulers))
	var wg sync.WaitGroup
	for i, name := range p.Schedulers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b, err := env.Balancers(ctx, ns, svc.Name, port, name)
			if err != nil {
				results[i].err = err
				return
			}
			defer b.Close()
			results[i].line, results[i].bad, results[i].err = runScheduler(ctx, env, b, name, len(eps))
		}()
	}
	wg.Wait()
	var ev []string
	for i, name := range p.Schedulers {
		r := results[i]
		if r.err != nil {
			return Errored(r.err)
		}
		ev = append(ev, name+": "+r.line)
		if r.bad {
			return Failed(msgSchedWrong, name).With(ev...)
		}
	}
	return Passed(msgSchedOK, strings.Join(p.Schedulers, ", "), len(eps)).With(ev...)
}

func client(a, b byte) netip.Addr { return netip.AddrFrom4([4]byte{10, 99, a, b}) }

// dial opens one connection and returns its pod, closing it unless keep.
func dialPod(ctx context.Context, b Balancer, c netip.Addr, keep bool) (string, net.Conn, error) {
	conn, pod, err := b.Dial(ctx, c)
	if err != nil {
		return "", nil, err
	}
	if !keep {
		conn.Close()
		conn = nil
	}
	return pod, conn, nil
}

// runScheduler plays the scenario that shows what the scheduler does, with
// n ready backends; it says what it saw and whether that breaks the rule.
func runScheduler(ctx context.Context, env *Env, b Balancer, name string, n int) (string, bool, error) {
	counts := map[string]int{}
	switch name {
	case "rr":
		// 2n connections from one client: every pod gets its turn, evenly.
		for i := 0; i < 2*n; i++ {
			pod, _, err := dialPod(ctx, b, client(0, 1), false)
			if err != nil {
				return "", false, err
			}
			counts[pod]++
		}
		lo, hi := minMax(counts)
		return countsString(counts), len(counts) != n || hi-lo > 1, nil
	case "sh":
		// 8 clients, 2 connections each: a client always lands on the same
		// pod, and the clients spread over the pods.
		perClient := map[netip.Addr]map[string]bool{}
		for c := 1; c <= 8; c++ {
			addr := client(1, byte(c))
			perClient[addr] = map[string]bool{}
			for i := 0; i < 2; i++ {
				pod, _, err := dialPod(ctx, b, addr, false)
				if err != nil {
					return "", false, err
				}
				perClient[addr][pod] = true
				counts[pod]++
			}
		}
		moved := 0
		for _, pods := range perClient {
			if len(pods) > 1 {
				moved++
			}
		}
		return env.t(evClientsMoved, countsString(counts), moved), moved > 0 || len(counts) < 2, nil
	default: // lc, sed, nq
		// One connection stays open on a pod; then short connections, one at
		// a time: none may go to the busy pod while others are idle.
		busy, held, err := dialPod(ctx, b, client(2, 1), true)
		if err != nil {
			return "", false, err
		}
		defer held.Close()
		hitBusy := 0
		for i := 0; i < n+1; i++ {
			pod, _, err := dialPod(ctx, b, client(2, byte(2+i)), false)
			if err != nil {
				return "", false, err
			}
			counts[pod]++
			if pod == busy {
				hitBusy++
			}
		}
		return env.t(evBusy, busy, countsString(counts)), hitBusy > 0, nil
	}
}

func minMax(m map[string]int) (int, int) {
	lo, hi := -1, 0
	for _, v := range m {
		if lo < 0 || v < lo {
			lo = v
		}
		if v > hi {
			hi = v
		}
	}
	return lo, hi
}
