package session

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/labctl/labctl/apply"
	"github.com/labctl/labctl/cluster"
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
	b := &Backend{Target: cluster.Target{Runtime: "rkt"}, Images: func() apply.ImagePlan { return nil }}
	err := b.Up(context.Background(), i18n.En, nopReporter{})
	if err == nil || !strings.Contains(i18n.Localize(err, i18n.En), "rkt") {
		t.Errorf("got %v", err)
	}
}

// A PodAction deletes or relabels the first Ready pod, by name, that its
// selector matches, and nothing else; a wrong one says what is wrong.
func TestPodAction(t *testing.T) {
	pod := func(name string, ready bool, lbl string) *corev1.Pod {
		st := corev1.ConditionFalse
		if ready {
			st = corev1.ConditionTrue
		}
		return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "ch04", Name: name, Labels: map[string]string{"app": lbl}},
			Status: corev1.PodStatus{Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: st}}}}
	}
	ch := chapter(t, "ch04")
	ctx := context.Background()
	const action = "apiVersion: labctl.dev/v1\nkind: PodAction\nmetadata: {name: a, namespace: ch04}\nspec: %s\n"
	labelsOf := func(s *Session) map[string]string {
		out := map[string]string{}
		list, _ := s.Lab.Client.CoreV1().Pods("ch04").List(ctx, metav1.ListOptions{})
		for _, p := range list.Items {
			out[p.Name] = p.Labels["app"]
		}
		return out
	}
	pods := func() *Session {
		return &Session{Lab: fakeLab(pod("kubia-c", true, "kubia"), pod("kubia-a", false, "kubia"), pod("kubia-b", true, "kubia"), pod("other", true, "web"))}
	}

	s := pods()
	if err := s.applyLocal(ctx, ch, nil, localObject(t, fmt.Sprintf(action, "{selector: {app: kubia}, action: delete}"))); err != nil {
		t.Fatal(err)
	}
	if got := labelsOf(s); len(got) != 3 || got["kubia-b"] != "" {
		t.Errorf("delete: pods left %v, want kubia-b (the first Ready one) gone", got)
	}

	s = pods()
	if err := s.applyLocal(ctx, ch, nil, localObject(t, fmt.Sprintf(action, "{selector: {app: kubia}, action: label, labels: {app: foo}}"))); err != nil {
		t.Fatal(err)
	}
	if got := labelsOf(s); got["kubia-b"] != "foo" || got["kubia-a"] != "kubia" || got["kubia-c"] != "kubia" || got["other"] != "web" {
		t.Errorf("label: %v, want only kubia-b relabelled", got)
	}

	// a pod of a ReplicaSet deleted a moment ago (reset, then apply) is
	// still listed while it goes away: the action waits for a pod of the
	// ReplicaSet that exists
	owned := func(name, uid string) *corev1.Pod {
		p := pod(name, true, "kubia")
		yes := true
		p.OwnerReferences = []metav1.OwnerReference{{Kind: "ReplicaSet", Name: "kubia", UID: types.UID(uid), Controller: &yes}}
		return p
	}
	rs := &appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{Namespace: "ch04", Name: "kubia", UID: "new"}}
	s = &Session{Lab: fakeLab(rs, owned("kubia-a", "old"), owned("kubia-b", "new"))}
	if err := s.applyLocal(ctx, ch, nil, localObject(t, fmt.Sprintf(action, "{selector: {app: kubia}, action: delete}"))); err != nil {
		t.Fatal(err)
	}
	if got := labelsOf(s); got["kubia-a"] != "kubia" || got["kubia-b"] != "" {
		t.Errorf("delete with a pod of the old ReplicaSet left: %v, want kubia-b (the current ReplicaSet's) gone", got)
	}

	for spec, want := range map[string]string{
		"{action: delete}":                           "needs spec.selector",
		"{selector: {app: kubia}, action: label}":    "action label needs spec.labels",
		"{selector: {app: kubia}, action: scale}":    `spec.action "scale": want delete or label`,
		"{selector: {app: nothing}, action: delete}": "no Ready pod in ch04 has the labels app=nothing",
	} {
		// no pod ever comes: the wait ends with the context
		short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		err := pods().applyLocal(short, ch, nil, localObject(t, fmt.Sprintf(action, spec)))
		cancel()
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want %q", spec, err, want)
		} else if ko := i18n.Localize(err, i18n.Ko); !strings.Contains(ko, "test.yaml") || ko == err.Error() {
			t.Errorf("%s: not in Korean: %s", spec, ko)
		}
	}
}
