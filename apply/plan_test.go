package apply

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/rest"
)

// Images go where the scheduler can put their pods: the ingress-ready
// control-plane; the low-limit worker it is pinned to; else the workers,
// and the tainted nodes whose taint is tolerated; each image is listed
// once, init containers first.
func TestImagePlan(t *testing.T) {
	objs := decode(t, `
apiVersion: apps/v1
kind: Deployment
metadata: {name: ingress}
spec: {template: {spec: {nodeSelector: {ingress-ready: "true"}, containers: [{name: c, image: traefik:v3}]}}}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: speaker}
spec: {template: {spec: {tolerations: [{key: node-role.kubernetes.io/control-plane, effect: NoSchedule}], containers: [{name: c, image: speaker:1}]}}}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: tick}
spec: {jobTemplate: {spec: {template: {spec: {tolerations: [{operator: Exists}], containers: [{name: c, image: busybox:1}]}}}}}
---
apiVersion: v1
kind: Pod
metadata: {name: web}
spec: {initContainers: [{name: i, image: init:1}], containers: [{name: c, image: web:1}, {name: d, image: init:1}]}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {ports: [{port: 80}]}
---
apiVersion: v1
kind: Pod
metadata: {name: ch15}
spec: {tolerations: [{key: labctl.dev/max-pods-node, operator: Exists, effect: NoSchedule}], containers: [{name: c, image: ch15:1}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: crowd}
spec: {template: {spec: {nodeSelector: {labctl.dev/max-pods-node: ch15}, tolerations: [{key: labctl.dev/max-pods-node, operator: Exists}], containers: [{name: c, image: crowd:1}]}}}
---
apiVersion: v1
kind: Pod
metadata: {name: evict}
spec: {tolerations: [{key: labctl.dev/max-pods-node, operator: Exists, effect: NoExecute}], containers: [{name: c, image: evict:1}]}
`)
	p := ImagePlan{}
	p.AddObjects(objs)
	p.Add(Placement{ControlPlane: true}, "web:1") // a second need widens the placement
	want := map[string]Placement{
		"traefik:v3": {ControlPlane: true},
		"speaker:1":  {ControlPlane: true, Workers: true},
		"busybox:1":  {ControlPlane: true, Workers: true, LowLimit: true},
		"init:1":     {Workers: true},
		"web:1":      {ControlPlane: true, Workers: true},
		"ch15:1":     {Workers: true, LowLimit: true},
		"crowd:1":    {LowLimit: true},
		"evict:1":    {Workers: true}, // a NoExecute toleration does not let it be scheduled there
	}
	if len(p) != len(want) {
		t.Errorf("plan %v", p)
	}
	for img, pl := range want {
		if p[img] != pl {
			t.Errorf("%s placed %+v, want %+v", img, p[img], pl)
		}
	}
	if got := strings.Join(p.Images(), " "); got != "busybox:1 ch15:1 crowd:1 evict:1 init:1 speaker:1 traefik:v3 web:1" {
		t.Errorf("Images() = %q", got)
	}
	if got := strings.Join(ImagesOf(objs[3:5]), " "); got != "init:1 web:1" {
		t.Errorf("ImagesOf(pod) = %q", got)
	}
	if _, ok := PodSpec(objs[4].Unstructured); ok {
		t.Error("a Service has a pod spec")
	}
}

// An object is in place when the cluster has every field it sets (added
// fields do not matter); a changed field, a missing label or a missing
// object is not.
func TestInPlace(t *testing.T) {
	live := decode(t, `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default, labels: {app: web, extra: x}}
spec: {replicas: 2, paused: false, template: {spec: {containers: [{name: c, image: web:1, imagePullPolicy: IfNotPresent}]}}}
`)[0]
	a, _, _, _ := newApplier(t, live.Unstructured)
	ctx := context.Background()
	tests := []struct {
		name, yaml string
		want       bool
	}{
		{"same fields", `{apiVersion: apps/v1, kind: Deployment, metadata: {name: web, labels: {app: web}}, spec: {replicas: 2, template: {spec: {containers: [{name: c, image: web:1}]}}}}`, true},
		{"other replicas", `{apiVersion: apps/v1, kind: Deployment, metadata: {name: web}, spec: {replicas: 3}}`, false},
		{"other image", `{apiVersion: apps/v1, kind: Deployment, metadata: {name: web}, spec: {template: {spec: {containers: [{name: c, image: web:2}]}}}}`, false},
		{"a label it lacks", `{apiVersion: apps/v1, kind: Deployment, metadata: {name: web, labels: {tier: front}}, spec: {replicas: 2}}`, false},
		{"missing", `{apiVersion: apps/v1, kind: Deployment, metadata: {name: api}, spec: {replicas: 2}}`, false},
	}
	for _, tt := range tests {
		o := decode(t, tt.yaml)[0]
		o.SetNamespace("default")
		got, err := a.InPlace(ctx, o)
		if err != nil || got != tt.want {
			t.Errorf("%s: %v, %v, want %v", tt.name, got, err, tt.want)
		}
	}
	if _, err := a.InPlace(ctx, Object{Unstructured: &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "example.com/v1", "kind": "Nothing", "metadata": map[string]any{"name": "x"}}}}); err == nil {
		t.Error("InPlace of a kind the cluster does not know")
	}
}

// Until returns at once when done, passes the check's error through, and
// on the deadline wraps what it saw last in the caller's timeout error.
func TestUntil(t *testing.T) {
	calls := 0
	err := Until(context.Background(), time.Millisecond, func() (bool, string, error) {
		calls++
		return calls == 3, "not yet", nil
	}, nil)
	if err != nil || calls != 3 {
		t.Errorf("done on the third look: %v after %d", err, calls)
	}
	boom := errors.New("boom")
	if err := Until(context.Background(), time.Millisecond, func() (bool, string, error) { return false, "", boom }, nil); err != boom {
		t.Errorf("check error: %v", err)
	}
	ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	err = Until(ctx, time.Millisecond, func() (bool, string, error) { return false, "3/4 ready", nil },
		func(last string) error { return errors.New("gave up: " + last) })
	if err == nil || !strings.Contains(err.Error(), "gave up: 3/4 ready") || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("timeout: %v", err)
	}
	cctx, ccancel := context.WithCancel(context.Background())
	ccancel()
	if err := Until(cctx, time.Millisecond, func() (bool, string, error) { return false, "", nil }, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

// New builds an Applier from a REST config without asking the server; a
// config the clients refuse is an error.
func TestNew(t *testing.T) {
	a, err := New(&rest.Config{Host: "http://127.0.0.1:1"})
	if err != nil || a.Namespace != "default" || a.Poll <= 0 {
		t.Errorf("New: %+v, %v", a, err)
	}
	if _, err := New(&rest.Config{Host: "http://127.0.0.1:1", QPS: 1, Burst: 0}); err == nil {
		t.Error("a rate limit without burst accepted")
	}
	var de *DecodeError
	_, err = Decode("bad.yaml", []byte("apiVersion: v1\nkind: ConfigMap\n"))
	if !errors.As(err, &de) || errors.Unwrap(de) == nil || de.Source != "bad.yaml" {
		t.Errorf("decode error %v", err)
	}
}
