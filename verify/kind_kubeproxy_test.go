package verify

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/runtime"

	"github.com/labctl/labctl/i18n"
)

// The rules in testdata/kubeproxy were recorded with iptables-save -c -t nat
// from the three nodes of a kind cluster (see trace/iptables's testdata):
// Service rec/web, ClusterIP 10.96.64.126, port http 80 → 8080, and its
// three pods 10.244.1.3 (trace-worker2), 10.244.2.2 and 10.244.2.3
// (trace-worker).

// fakeNodes is a NodeExec returning recorded output by node.
type fakeNodes struct {
	outs map[string]string
	err  error
}

func (f fakeNodes) OnNodes(_ context.Context, line string) (map[string]string, error) {
	if line != "iptables-save -c -t nat" {
		return nil, errors.New("unexpected command " + line)
	}
	return f.outs, f.err
}

func recordedRules(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, n := range []string{"trace-control-plane", "trace-worker", "trace-worker2"} {
		b, err := os.ReadFile(filepath.Join("testdata", "kubeproxy", "nft-nat-"+n+".txt"))
		if err != nil {
			t.Fatal(err)
		}
		out[n] = string(b)
	}
	return out
}

// editLines rewrites the lines of text that contain every one of match.
func editLines(text string, edit func(string) string, match ...string) string {
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		all := true
		for _, m := range match {
			all = all && strings.Contains(l, m)
		}
		if all {
			lines[i] = edit(l)
		}
	}
	return strings.Join(lines, "\n")
}

func drop(string) string { return "" }

func recWeb(ready ...bool) []runtime.Object {
	var out []runtime.Object
	for i, p := range []struct{ name, ip, node string }{
		{"web-a", "10.244.1.3", "trace-worker2"}, {"web-b", "10.244.2.2", "trace-worker"}, {"web-c", "10.244.2.3", "trace-worker"},
	} {
		po := pod(p.name, p.ip, p.node, "app=web", cport{name: "http", port: 8080})
		po.Namespace = "rec"
		if i < len(ready) && !ready[i] {
			notReady(po)
		}
		out = append(out, po)
	}
	svc := svcObj("web", "10.96.64.126", "app=web", svcPort("http", 80, 8080))
	svc.Namespace = "rec"
	return append(out, svc)
}

func TestKubeProxyRules(t *testing.T) {
	const params = `{service: web, namespace: rec}`
	run := func(t *testing.T, objs []runtime.Object, nodes NodeExec, p string) Outcome {
		l := newLab(t, objs...)
		l.env.Nodes = nodes
		return l.check("kubeProxyRules", p)
	}
	t.Run("every node lists the three endpoints evenly", func(t *testing.T) {
		o := run(t, recWeb(), fakeNodes{outs: recordedRules(t)}, `{service: web, namespace: rec, replicas: 3, port: http}`)
		expect(t, o, "pass", msgKPOK, "on all 3 nodes", "10.244.1.3:8080, 10.244.2.2:8080, 10.244.2.3:8080",
			"trace-worker2 KUBE-SVC-OMB5HUWPYUBKQIVF: 10.244.1.3:8080 p=0.333, 10.244.2.2:8080 p=0.500, 10.244.2.3:8080 p=1.000")
	})
	t.Run("the step asks for more replicas", func(t *testing.T) {
		o := run(t, recWeb(), fakeNodes{outs: recordedRules(t)}, `{service: web, namespace: rec, replicas: 4}`)
		expect(t, o, "fail", msgKPReplicas, "has 3 ready endpoints; the step asks for 4", "scale the Deployment")
		if ko := render(o, i18n.Ko); !strings.Contains(ko, "4 개를 요구합니다") {
			t.Errorf("Korean: %s", ko)
		}
	})
	t.Run("a node whose kube-proxy lags lists fewer endpoints", func(t *testing.T) {
		rules := recordedRules(t)
		rules["trace-worker2"] = editLines(rules["trace-worker2"], drop, "-A KUBE-SVC-OMB5HUWPYUBKQIVF", "-> 10.244.2.3:8080")
		o := run(t, recWeb(), fakeNodes{outs: rules}, params)
		expect(t, o, "fail", msgKPWrongSet, "node trace-worker2 lists 2 endpoints (10.244.1.3:8080, 10.244.2.2:8080); the Service has 3 ready")
	})
	t.Run("a pod that is not ready is not an endpoint", func(t *testing.T) {
		o := run(t, recWeb(true, true, false), fakeNodes{outs: recordedRules(t)}, params)
		expect(t, o, "fail", msgKPWrongSet, "lists 3 endpoints", "the Service has 2 ready (10.244.1.3:8080, 10.244.2.2:8080)")
	})
	t.Run("an uneven probability", func(t *testing.T) {
		rules := recordedRules(t)
		rules["trace-worker"] = editLines(rules["trace-worker"], func(l string) string {
			return strings.Replace(l, "0.50000000000", "0.25000000000", 1)
		}, "-A KUBE-SVC-OMB5HUWPYUBKQIVF", "-> 10.244.2.2:8080")
		o := run(t, recWeb(), fakeNodes{outs: rules}, params)
		expect(t, o, "fail", msgKPProbability, "node trace-worker picks 10.244.2.2:8080 with probability 0.250, want 0.500")
	})
	t.Run("a node without the Service's rule", func(t *testing.T) {
		rules := recordedRules(t)
		rules["trace-control-plane"] = editLines(rules["trace-control-plane"], drop, "-A KUBE-SERVICES -d 10.96.64.126/32")
		o := run(t, recWeb(), fakeNodes{outs: rules}, params)
		expect(t, o, "fail", msgKPNoChain, "node trace-control-plane has no kube-proxy rule for Service web (10.96.64.126:80)")
	})
	t.Run("no ready endpoints", func(t *testing.T) {
		o := run(t, recWeb(false, false, false), fakeNodes{outs: recordedRules(t)}, params)
		expect(t, o, "fail", msgEndpointsNone, "no ready endpoints")
	})
	t.Run("the Service is missing", func(t *testing.T) {
		o := run(t, recWeb()[:3], fakeNodes{outs: recordedRules(t)}, params)
		expect(t, o, "fail (final)", msgSvcMissing)
	})
	t.Run("nodes out of reach", func(t *testing.T) {
		if o := run(t, recWeb(), nil, params); o.Err == nil {
			t.Errorf("want an error without node access: %s", render(o, i18n.En))
		}
		if o := run(t, recWeb(), fakeNodes{err: errors.New("shell died")}, params); o.Err == nil {
			t.Error("want an error when a node's shell fails")
		}
	})
}

func TestKubeProxyRulesParams(t *testing.T) {
	for _, bad := range []string{`{}`, `{service: web, replicas: -1}`, `{service: web, typo: 1}`} {
		if _, err := Build("kubeProxyRules", params(t, bad)); err == nil {
			t.Errorf("%s: want an error", bad)
		}
	}
	c := build(t, "kubeProxyRules", `{service: web, namespace: rec}`)
	d := c.(Dependent).DependsOn(&Env{Namespace: "default"})
	if len(d.Objects) != 1 || d.Objects[0] != Service("rec", "web") {
		t.Errorf("depends on %+v", d)
	}
}
