// Package verify is labctl's verifier: a fixed vocabulary of check kinds
// implemented in Go, named by what they prove (serviceEndpoints, dnsRecords,
// tlsCertificate, ...), and a runner that polls each check until it passes
// or its deadline, concurrently, then reports pass, fail or error with a
// message a student understands, the evidence observed, and a hint.
//
// Checks observe; they never change what the student built.
//
// # Settled state: how long a check polls
//
// A wrong answer is reported in seconds, not at the deadline. A check kind
// opts in by implementing Dependent: DependsOn names what its answer rests
// on (a Service, an Ingress, a Secret, Endpoints, a workload, pods by
// namespace and selector, or any object by GroupVersionResource), and
// Settle, the one rule in settle.go, decides whether the cluster can still
// change that answer: objects written within the window, rollouts, pods
// Pending or starting (not crash-looping, not failing to pull),
// EndpointSlices behind the pods, an EXTERNAL-IP MetalLB is about to give,
// an Ingress its controller has not taken up. The runner then
//
//   - fails a wrong answer once nothing has moved for SettleGrace, noting
//     that it did not wait because the cluster had settled;
//   - holds a right answer while pods it depends on are still starting
//     (it could still turn wrong), and says so if the deadline comes;
//   - keeps the deadline as the outer bound.
//
// A new kind adopts this with one method, e.g. for a Gateway API route:
//
//	func (p httpRoute) DependsOn(env *Env) Dependencies {
//		return Dependencies{Objects: []ObjectRef{
//			{Resource: httpRouteGVR, Namespace: env.ns(p.Namespace), Name: p.Route},
//			Service(env.ns(p.Namespace), p.Service),
//		}}
//	}
//
// Kinds that do not implement it poll until their deadline, as before.
// "Ready" in every check is the pod's own Ready condition, never what a
// Service publishes (publishNotReadyAddresses, terminating endpoints).
package verify

import (
	"bytes"
	"context"
	"fmt"
	"sort"
	"time"

	"go.yaml.in/yaml/v3"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"

	"github.com/labctl/labctl/i18n"
)

// Verdict is a check's result.
type Verdict string

// Verdicts. Error means the check could not look (the cluster did not
// answer); Fail means it looked and the work is not done.
const (
	Pass  Verdict = "pass"
	Fail  Verdict = "fail"
	Error Verdict = "error"
)

// Outcome is one attempt of a check.
type Outcome struct {
	Pass bool
	// Final stops polling: the answer will not change by waiting (the
	// object the student should have created does not exist).
	Final bool
	// Err makes the verdict "error": the check could not observe.
	Err error
	// Msg explains the outcome to the student.
	Msg  i18n.Message
	Args []any
	// Evidence is what was observed, verbatim (addresses, statuses, records).
	Evidence []string
	// CatchingUp, on a failure, says why what the check observed may lag
	// the API (a DNS cache still answering from before a change): the
	// failure is not the student's yet, and the runner looks again.
	CatchingUp string
}

// Passed is a passing outcome.
func Passed(m i18n.Message, args ...any) Outcome { return Outcome{Pass: true, Msg: m, Args: args} }

// Failed is a failing outcome worth retrying until the deadline.
func Failed(m i18n.Message, args ...any) Outcome { return Outcome{Msg: m, Args: args} }

// Missing is a failing outcome that waiting will not fix.
func Missing(m i18n.Message, args ...any) Outcome { return Outcome{Final: true, Msg: m, Args: args} }

// Errored is an outcome where the check could not observe.
func Errored(err error) Outcome { return Outcome{Err: err} }

// With adds evidence.
func (o Outcome) With(evidence ...string) Outcome {
	o.Evidence = append(o.Evidence, evidence...)
	return o
}

// Checker is one configured check.
type Checker interface {
	Check(ctx context.Context, env *Env) Outcome
}

// Env is what a check observes the cluster through.
type Env struct {
	Client  kubernetes.Interface
	Dynamic dynamic.Interface
	Net     Network
	// Balancers opens the proxy core on a Service (scheduler checks).
	Balancers BalancerFactory
	// Exec runs read-only commands in a container (the pod vantage point).
	Exec PodExec
	// Nodes runs read-only commands in every node (nil when the cluster's
	// nodes cannot be reached: a cluster labctl did not make).
	Nodes NodeExec
	// Node runs read-only commands in one named node (its addresses,
	// routes, sandboxes: what a chapter under the pods compares with).
	Node      NodeRunner
	Namespace string
	Lang      i18n.Lang
}

// Factory builds a Checker from its parameters (already strictly decoded).
type kind struct {
	build func(params *yaml.Node) (Checker, error)
}

var kinds = map[string]kind{}

// register adds a check kind whose parameters decode into P, which builds
// the checker (validating as it does).
func register[P any](name string, build func(p P) (Checker, error)) {
	if _, dup := kinds[name]; dup {
		panic("verify: check kind " + name + " registered twice")
	}
	kinds[name] = kind{build: func(n *yaml.Node) (Checker, error) {
		var p P
		if n != nil && n.Kind != 0 {
			if err := decodeStrict(n, &p); err != nil {
				return nil, err
			}
		}
		return build(p)
	}}
}

func decodeStrict(n *yaml.Node, into any) error {
	b, err := yaml.Marshal(n)
	if err != nil {
		return err
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(into); err != nil {
		return fmt.Errorf("params: %w", err)
	}
	return nil
}

// Kinds lists the check kinds, sorted.
func Kinds() []string {
	out := make([]string, 0, len(kinds))
	for k := range kinds {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Build makes a Checker of the named kind.
func Build(name string, params *yaml.Node) (Checker, error) {
	k, ok := kinds[name]
	if !ok {
		return nil, fmt.Errorf("unknown check kind %q (known: %v)", name, Kinds())
	}
	return k.build(params)
}

// Validate checks a kind and its parameters without running anything; the
// lab loader calls it for every check of every chapter.
func Validate(name string, params *yaml.Node) error {
	_, err := Build(name, params)
	return err
}

// DefaultTimeout is how long a check polls when its spec says nothing.
const DefaultTimeout = 60 * time.Second
