//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// testRestart is the lab surviving the course: a solved step stays solved,
// and its LoadBalancer keeps its address, across the three ways a lab comes
// back: `labctl start` after a Docker restart left the nodes stopped,
// `labctl stop` then `start`, and `labctl up` on a stopped lab. It stops the
// suite's cluster, so it runs when no other phase uses it; it needs only
// ch07's loadbalancer step, which it applies itself.
func testRestart(t *testing.T) {
	if r := h.labctl(t, "apply", "ch07", "--step", "loadbalancer", "--solution"); r.code != 0 {
		t.Fatalf("apply ch07 loadbalancer:\n%s", r)
	}
	expectPass(t, "ch07", "loadbalancer")
	ip := httpGoLBAddress(t)
	t.Logf("http-go-lb has %s before any restart", ip)

	for _, way := range []struct {
		name string
		stop func(t *testing.T)
		back []string
	}{
		{"docker stop, labctl start", dockerStopNodes, []string{"start"}},
		{"labctl stop, labctl start", labctlStop, []string{"start"}},
		{"docker stop, labctl up", dockerStopNodes, h.upArgs("traefik")},
	} {
		t.Run(way.name, func(t *testing.T) {
			way.stop(t)
			stoppedEverywhere(t)
			r := h.labctl(t, way.back...)
			if r.code != 0 {
				t.Fatalf("labctl %s on a stopped lab:\n%s", way.back[0], r)
			}
			t.Logf("labctl %s on the stopped lab: %s\n%s", way.back[0], r.took.Round(100*time.Millisecond), r.stderr)
			// The step's check passes again without applying anything.
			rep, c := h.check(t, "ch07", "--step", "loadbalancer")
			if c.code != 0 {
				t.Errorf("check ch07 loadbalancer after %s: exit %d: %+v", way.name, c.code, rep.Steps)
			}
			t.Logf("first check after %s: %s (stopped → passing check: %s)", way.back[0], c.took.Round(100*time.Millisecond), (r.took + c.took).Round(100*time.Millisecond))
			if got := httpGoLBAddress(t); got != ip {
				t.Errorf("http-go-lb had %s before, %s after %s", ip, got, way.name)
			}
			// Once start returned, the lab is healthy at once: status
			// reads the add-ons' workloads as start waited for them.
			st := h.labctl(t, "status", "-o", "json")
			var sj statusJSON
			if st.code != 0 || json.Unmarshal([]byte(st.stdout), &sj) != nil || sj.State != "running" {
				t.Fatalf("status right after %s and a passing check is not running and healthy:\n%s", way.name, st)
			}
		})
	}
}

// dockerStopNodes leaves the lab as a Docker restart or a reboot does.
func dockerStopNodes(t *testing.T) {
	nodes := kindContainers(t, h.name)
	if len(nodes) == 0 {
		t.Fatal("no node containers")
	}
	docker(t, append([]string{"stop"}, nodes...)...)
}

func labctlStop(t *testing.T) {
	r := h.labctl(t, "stop")
	if r.code != 0 {
		t.Fatalf("labctl stop:\n%s", r)
	}
	t.Logf("labctl stop: %s", r.took.Round(100*time.Millisecond))
	mustContain(t, "labctl stop", r.stderr+r.stdout, "labctl start --name "+h.name)
	for _, n := range kindContainers(t, h.name) {
		if s := docker(t, "inspect", "--format", "{{.State.Status}}", n); s != "exited" {
			t.Errorf("after labctl stop, %s is %s", n, s)
		}
	}
	// Stopping a stopped lab changes nothing and is not an error.
	if r := h.labctl(t, "stop"); r.code != 0 {
		t.Errorf("labctl stop on a stopped lab:\n%s", r)
	}
}

// stoppedEverywhere: status, doctor and a command that needs the cluster
// all say the lab is stopped and name the command that starts it.
func stoppedEverywhere(t *testing.T) {
	start := "labctl start --name " + h.name
	r := h.labctl(t, "status")
	if r.code != 3 {
		t.Errorf("status of a stopped lab: exit %d, want 3\n%s", r.code, r)
	}
	mustContain(t, "status of a stopped lab", r.stdout, "stopped", start, h.name+"-control-plane")
	r = h.labctl(t, "status", "-o", "json")
	var st statusJSON
	if err := json.Unmarshal([]byte(r.stdout), &st); err != nil || st.State != "stopped" || r.code != 3 {
		t.Errorf("status -o json of a stopped lab: state %q, exit %d, %v\n%s", st.State, r.code, err, r)
	}
	r = h.run(t, time.Minute, []string{"LANG=ko_KR.UTF-8"}, "status", "--name", h.name)
	mustContain(t, "Korean status of a stopped lab", r.stdout, "멈춤", start)
	r = h.labctl(t, "check", "ch07", "--step", "loadbalancer")
	if r.code != 3 || r.took > 20*time.Second {
		t.Errorf("check on a stopped lab: exit %d after %s, want 3 within seconds\n%s", r.code, r.took, r)
	}
	mustContain(t, "check on a stopped lab", r.stderr, "is stopped", start)
	r = h.labctl(t, "doctor")
	mustContain(t, "doctor on a stopped lab", r.stdout, "stopped", start)
}

// lbAddress is the EXTERNAL-IP of ch07's LoadBalancer Service.
func httpGoLBAddress(t *testing.T) string {
	t.Helper()
	var ip string
	eventually(t, time.Minute, func() error {
		svc, err := h.client(t).CoreV1().Services("default").Get(context.Background(), "http-go-lb", metav1.GetOptions{})
		if err != nil {
			return err
		}
		if len(svc.Status.LoadBalancer.Ingress) == 0 {
			return errors.New("http-go-lb has no EXTERNAL-IP yet")
		}
		ip = strings.TrimSpace(svc.Status.LoadBalancer.Ingress[0].IP)
		return nil
	})
	return ip
}
