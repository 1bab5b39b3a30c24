package session

import (
	"context"
	"fmt"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/labctl/labctl/cluster"
	"github.com/labctl/labctl/cluster/apply"
	"github.com/labctl/labctl/i18n"
	"github.com/labctl/labctl/labs"
)

func decode(t *testing.T, s string) []apply.Object {
	t.Helper()
	objs, err := apply.Decode("test.yaml", []byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return objs
}

const mixed = `apiVersion: v1
kind: ConfigMap
metadata: {name: a, namespace: ch15}
---
apiVersion: labctl.dev/v1
kind: Answers
metadata: {name: ch15-cni}
spec: {facts: cni}
---
apiVersion: labctl.dev/v1
kind: KubeletConfig
metadata: {name: max-pods}
spec:
  nodeSelector: {labctl.dev/max-pods-node: ch15}
  maxPods: 30
`

func TestSplitLocal(t *testing.T) {
	objs := decode(t, mixed)
	api, local := splitLocal(objs, "ch15", false)
	if len(api) != 1 || len(local) != 2 {
		t.Fatalf("apply: %d API objects, %d local, want 1 and 2", len(api), len(local))
	}
	// for a delete, an Answers object stands for its ConfigMap (in the
	// chapter's namespace); a KubeletConfig has nothing to delete
	api, _ = splitLocal(objs, "ch15", true)
	if len(api) != 2 || api[1].GetKind() != "ConfigMap" || api[1].GetNamespace() != "ch15" || api[1].GetName() != "ch15-cni" {
		t.Errorf("delete: %v", api)
	}
}

func TestMaxPods(t *testing.T) {
	objs := decode(t, mixed)
	if n, ok := maxPods(objs[2]); !ok || n != 30 {
		t.Errorf("maxPods = %d, %v; want 30", n, ok)
	}
	bad := decode(t, "apiVersion: labctl.dev/v1\nkind: KubeletConfig\nmetadata: {name: m}\nspec: {maxPods: many}\n")
	if _, ok := maxPods(bad[0]); ok {
		t.Error("maxPods: many accepted")
	}
}

const kubeletConfig = `apiVersion: labctl.dev/v1
kind: KubeletConfig
metadata: {name: max-pods}
spec:
  nodeSelector: {%s}
  maxPods: %s
`

func localObject(t *testing.T, s string) apply.Object { return decode(t, s)[0] }

// labctl's own objects on a lab whose nodes cannot be reached (not a kind
// lab labctl made): every mistake in the object is named with its file,
// and the kubelet is never asked.
func TestLocalObjectsSayWhatIsWrong(t *testing.T) {
	low := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "lab-worker2", Labels: map[string]string{labs.MaxPodsNodeKey: labs.MaxPodsNodeValue}}}
	plain := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "lab-worker", Labels: map[string]string{"pool": "a"}}}
	s := &Session{Lab: fakeLab(low, plain)}
	ch := chapter(t, "ch15")
	ctx := context.Background()
	for _, tt := range []struct {
		obj  string
		want string
	}{
		{fmt.Sprintf(kubeletConfig, "pool: nowhere", "30"), "no node has the labels pool=nowhere"},
		{fmt.Sprintf(kubeletConfig, "", "30"), "needs spec.nodeSelector"},
		{fmt.Sprintf(kubeletConfig, "pool: a", "many"), "needs spec.maxPods"},
		{fmt.Sprintf(kubeletConfig, "pool: a", "30"), "test.yaml"}, // the node cannot be reached: which object failed
		{"apiVersion: labctl.dev/v1\nkind: Answers\nmetadata: {name: a}\nspec: {facts: weather}\n", `spec.facts "weather"`},
		{"apiVersion: labctl.dev/v1\nkind: Wish\nmetadata: {name: w}\n", "knows no kind Wish"},
	} {
		err := s.applyLocal(ctx, ch, nil, localObject(t, tt.obj))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: got %v, want %q", tt.obj, err, tt.want)
		}
	}
	// reset gives only the low-limit worker its limit again
	if err := s.resetLocal(ctx, []apply.Object{localObject(t, fmt.Sprintf(kubeletConfig, "pool: a", "30"))}); err != nil {
		t.Errorf("a node without the low limit was reset: %v", err)
	}
	lowCfg := localObject(t, fmt.Sprintf(kubeletConfig, labs.MaxPodsNodeKey+": "+labs.MaxPodsNodeValue, "30"))
	if err := s.resetLocal(ctx, []apply.Object{lowCfg}); err == nil {
		t.Error("resetting the low-limit worker of an unreachable lab passed")
	}
	if err := s.resetLocal(ctx, []apply.Object{localObject(t, fmt.Sprintf(kubeletConfig, "pool: nowhere", "30"))}); err == nil {
		t.Error("a selector that picks no node passed reset")
	}
}

// up with a runtime labctl does not know says so before anything is made.
func TestUpUnknownRuntime(t *testing.T) {
	b := &Backend{Target: cluster.Target{Runtime: "rkt"}, Images: func() []string { return nil }}
	err := b.Up(context.Background(), i18n.En, nopReporter{})
	if err == nil || !strings.Contains(i18n.Localize(err, i18n.En), "rkt") {
		t.Errorf("got %v", err)
	}
}
