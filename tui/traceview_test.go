package tui

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/labctl/labctl/i18n"
	"github.com/labctl/labctl/labs"
	"github.com/labctl/labctl/trace"
)

// fakeTracer answers every target with a canned trace of ch07's
// LoadBalancer, as labctl trace printed it on a kind cluster.
type fakeTracer struct{ asked *[]string }

func (f fakeTracer) Trace(_ context.Context, _ i18n.Lang, _ *labs.Chapter, target string) (*trace.Trace, error) {
	*f.asked = append(*f.asked, target)
	return cannedTrace(), nil
}

func cannedTrace() *trace.Trace {
	return &trace.Trace{Target: "svc/http-go-lb", From: "host",
		Service: &trace.Service{Namespace: "default", Name: "http-go-lb", Type: "LoadBalancer", ClusterIP: "10.96.79.107", Port: 80,
			Protocol: "TCP", NodePort: 30342, LoadBalancerIP: "172.18.255.200", ExternalTrafficPolicy: "Cluster"},
		Entry: trace.Entry{Via: trace.ViaLoadBalancer, Address: "172.18.255.200:80", Node: "lab-worker",
			ARP:        &trace.ARP{Node: "lab-worker", Source: "ServiceL2Status"},
			Chain:      []string{"KUBE-SERVICES", "KUBE-EXT-35THLALRQ56X6EIK", "KUBE-SVC-35THLALRQ56X6EIK"},
			Masquerade: true, Reason: trace.ReasonExternalCluster},
		Endpoints: []trace.Endpoint{
			{Address: "10.244.2.3:8080", Pod: "http-go-7dff6cf597-qx7jw", Node: "lab-worker2", Probability: 1.0 / 3, Share: 1.0 / 3,
				Route: trace.Route{Via: "172.18.0.4", ViaNode: "lab-worker2", Dev: "eth0", Veth: "vethdd86491e"}},
			{Address: "10.244.1.2:8080", Pod: "http-go-7dff6cf597-4mrn8", Node: "lab-worker", Probability: 0.5, Share: 1.0 / 3,
				Route: trace.Route{Local: true, Dev: "veth355c8fce", Veth: "veth355c8fce"}},
			{Address: "10.244.1.3:8080", Pod: "http-go-7dff6cf597-jk5rf", Node: "lab-worker", Probability: 1, Remainder: true, Share: 1.0 / 3,
				Route: trace.Route{Local: true, Dev: "vetha514e8c1", Veth: "vetha514e8c1"}},
		}}
}

// stepWith opens ch07's step whose targets include want.
func stepWith(t *testing.T, h *harness, want string) {
	t.Helper()
	h.keys("enter")
	ch := h.m.chapter.ch
	for i := range ch.Steps {
		if i > 0 {
			h.keys("n")
		} else {
			h.keys("enter")
		}
		for _, tg := range StepTraceTargets(ch, &ch.Steps[i]) {
			if tg == want {
				return
			}
		}
	}
	t.Fatalf("no step of %s traces %s", ch.ID, want)
}

// The trace view at 80×24 and 120×40 in both languages: the pick list of a
// step with several Services, and a LoadBalancer's hops.
func TestGoldenTrace(t *testing.T) {
	for _, sc := range []string{"pick", "hops"} {
		for _, size := range [][2]int{{80, 24}, {120, 40}} {
			for _, lang := range []i18n.Lang{i18n.En, i18n.Ko} {
				t.Run(fmt.Sprintf("%s/%dx%d/%s", sc, size[0], size[1], lang), func(t *testing.T) {
					h := newHarness(t, lang, size[0], size[1])
					var asked []string
					h.m.c.tracer = fakeTracer{&asked}
					stepWith(t, h, "svc/http-go-lb")
					h.keys("t")
					targets := StepTraceTargets(h.m.step.ch, h.m.step.st)
					if sc == "hops" {
						if len(targets) > 1 {
							for i, tg := range targets {
								if tg == "svc/http-go-lb" {
									for j := 0; j < i; j++ {
										h.keys("down")
									}
								}
							}
							h.keys("enter")
						}
						if len(asked) != 1 || asked[0] != "svc/http-go-lb" {
							t.Fatalf("traced %v", asked)
						}
					} else if len(targets) < 2 {
						t.Skipf("the step has one target: %v", targets)
					}
					golden.RequireEqual(t, h.screen())
				})
			}
		}
	}
}

func TestTraceKey(t *testing.T) {
	h := newHarness(t, i18n.En, 120, 40)
	var asked []string
	h.m.c.tracer = fakeTracer{&asked}
	stepWith(t, h, "svc/http-go-lb")
	if !strings.Contains(h.screen(), "t packet path") {
		t.Errorf("the help bar offers t:\n%s", h.screen())
	}
	h.keys("t")
	if !h.m.step.trace.on {
		t.Fatal("t opens the trace view")
	}
	h.keys("t")
	if h.m.step.trace.on || len(asked) > 1 {
		t.Errorf("t again closes it (asked %v)", asked)
	}
	// Without a tracer the key says so instead of failing.
	h2 := newHarness(t, i18n.En, 120, 40)
	stepWith(t, h2, "svc/http-go-lb")
	h2.keys("t")
	if h2.m.step.trace.on {
		t.Error("no tracer, no view")
	}
}
