package verify

import (
	"fmt"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/labctl/labctl/i18n"
	"github.com/labctl/labctl/labs"
)

func init() {
	kindParams["livenessRestarts"] = struct {
		valid   []string
		invalid map[string]string
	}{
		valid: []string{`{pod: p}`, `{pod: p, container: c, within: 2m, namespace: n}`},
		invalid: map[string]string{
			`{container: c}`:         "params.pod is required",
			`{pod: p, within: soon}`: `params.within "soon"`,
		},
	}
	kindParams["replicaSetHealed"] = struct {
		valid   []string
		invalid map[string]string
	}{
		valid:   []string{`{replicaSet: kubia}`, `{replicaSet: kubia, namespace: n}`},
		invalid: map[string]string{``: "params.replicaSet is required"},
	}
	kindParams["podReleased"] = struct {
		valid   []string
		invalid map[string]string
	}{
		valid:   []string{`{replicaSet: kubia}`},
		invalid: map[string]string{`{namespace: n}`: "params.replicaSet is required"},
	}
	kindParams["selectorExpressions"] = struct {
		valid   []string
		invalid map[string]string
	}{
		valid: []string{`{replicaSet: r, operators: [In, NotIn, Exists]}`},
		invalid: map[string]string{
			`{replicaSet: r}`:                   "params.replicaSet and params.operators are required",
			`{replicaSet: r, operators: [Has]}`: `params.operators[0] "Has"`,
		},
	}
}

// owned makes obj's controller the object with the given kind, name and UID.
func ownedRef(kind, name string, uid types.UID) []metav1.OwnerReference {
	yes := true
	return []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: kind, Name: name, UID: uid, Controller: &yes}}
}

func ctlPod(name string, lbls map[string]string, owner []metav1.OwnerReference, age time.Duration) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: types.UID("uid-" + name), Labels: lbls, OwnerReferences: owner,
			CreationTimestamp: metav1.NewTime(time.Now().Add(-age))},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "main", Image: "agnhost"}}},
		Status: corev1.PodStatus{Phase: corev1.PodRunning, Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}},
			ContainerStatuses: []corev1.ContainerStatus{{Name: "main", State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: metav1.NewTime(time.Now().Add(-age))}}}}},
	}
}

func event(involved runtime.Object, name string, uid types.UID, reason, msg string) *corev1.Event {
	_ = involved
	return &corev1.Event{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: fmt.Sprintf("%s.%d", name, time.Now().UnixNano())},
		InvolvedObject: corev1.ObjectReference{Namespace: ns, Name: name, UID: uid}, Reason: reason, Message: msg, Count: 1,
		LastTimestamp: metav1.Now()}
}

func livenessPod(probe *corev1.Probe, restarts int32, ran time.Duration) *corev1.Pod {
	p := ctlPod("kubia-liveness", nil, nil, ran)
	p.Spec.Containers[0].LivenessProbe = probe
	p.Status.ContainerStatuses[0].RestartCount = restarts
	if restarts > 0 {
		p.Status.ContainerStatuses[0].LastTerminationState.Terminated = &corev1.ContainerStateTerminated{Reason: "Error", ExitCode: 2}
	}
	return p
}

func httpProbe() *corev1.Probe {
	return &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/healthz", Port: intstr.FromInt32(8080)}},
		PeriodSeconds: 5, FailureThreshold: 2}
}

func TestLivenessRestarts(t *testing.T) {
	const p = `{pod: kubia-liveness}`
	uid := types.UID("uid-kubia-liveness")
	t.Run("restarted by the probe", func(t *testing.T) {
		l := newLab(t, livenessPod(httpProbe(), 2, 10*time.Second),
			event(nil, "kubia-liveness", uid, "Unhealthy", "Liveness probe failed: HTTP probe failed with statuscode: 500"),
			event(nil, "kubia-liveness", uid, "Killing", "Container main failed liveness probe, will be restarted"))
		expect(t, l.check("livenessRestarts", p), "pass", msgCtlProbeRestarted, "restarted container main 2 time(s)",
			"http-get http://:8080/healthz delay=0s period=5s #failure=2", "statuscode: 500", "exit code 2")
	})
	t.Run("no probe: the starter", func(t *testing.T) {
		l := newLab(t, livenessPod(nil, 0, 5*time.Second))
		o := l.check("livenessRestarts", p)
		expect(t, o, "fail (final)", msgCtlNoLiveness, "has no livenessProbe")
		if ko := render(o, i18n.Ko); !strings.Contains(ko, "livenessProbe 가 없습니다") {
			t.Errorf("Korean: %s", ko)
		}
	})
	t.Run("a TCP probe is not the step", func(t *testing.T) {
		pr := &corev1.Probe{ProbeHandler: corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromInt32(8080)}}}
		expect(t, newLab(t, livenessPod(pr, 0, time.Second)).check("livenessRestarts", p), "fail (final)", msgCtlProbeNotHTTP, "TCP socket")
	})
	t.Run("restarts without probe failures are crashes", func(t *testing.T) {
		expect(t, newLab(t, livenessPod(httpProbe(), 3, time.Minute)).check("livenessRestarts", p), "fail (final)", msgCtlCrashNotProbe, "not because of its liveness probe", "exit code 2")
	})
	t.Run("probe failing, kill event on its way: retry", func(t *testing.T) {
		l := newLab(t, livenessPod(httpProbe(), 1, time.Second),
			event(nil, "kubia-liveness", uid, "Unhealthy", "Liveness probe failed: HTTP probe failed with statuscode: 500"))
		expect(t, l.check("livenessRestarts", p), "fail", msgCtlCrashNotProbe)
	})
	t.Run("young pod: wait, saying how long", func(t *testing.T) {
		expect(t, newLab(t, livenessPod(httpProbe(), 0, 12*time.Second)).check("livenessRestarts", p), "fail", msgCtlProbeWaiting, "up to 1m30s")
	})
	t.Run("old pod never restarted: the probe asks a healthy path", func(t *testing.T) {
		expect(t, newLab(t, livenessPod(httpProbe(), 0, 5*time.Minute)).check("livenessRestarts", p), "fail (final)", msgCtlProbeNever, "never restarted")
	})
	t.Run("an event of an older pod of the same name does not count", func(t *testing.T) {
		l := newLab(t, livenessPod(httpProbe(), 1, time.Minute),
			event(nil, "kubia-liveness", "old-uid", "Killing", "Container main failed liveness probe, will be restarted"))
		expect(t, l.check("livenessRestarts", p), "fail (final)", msgCtlCrashNotProbe)
	})
	t.Run("missing pod", func(t *testing.T) {
		expect(t, newLab(t).check("livenessRestarts", p), "fail (final)", msgCtlPodMissing, "default/kubia-liveness")
	})
}

func replicaSet(name string, replicas int32, sel *metav1.LabelSelector, tmpl map[string]string) *appsv1.ReplicaSet {
	return &appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: types.UID("uid-" + name)},
		Spec: appsv1.ReplicaSetSpec{Replicas: &replicas, Selector: sel,
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: tmpl}}}}
}

var kubiaLabels = map[string]string{"app": "kubia"}

// kubiaRS is a ReplicaSet kubia with its ready pods and the events of
// their creation (plus the extra created-pod names given).
func kubiaRS(pods []string, created ...string) []runtime.Object {
	rs := replicaSet("kubia", 3, &metav1.LabelSelector{MatchLabels: kubiaLabels}, kubiaLabels)
	out := []runtime.Object{rs}
	for _, n := range pods {
		p := ctlPod(n, kubiaLabels, ownedRef("ReplicaSet", "kubia", rs.UID), time.Minute)
		p.GenerateName = "kubia-"
		out = append(out, p)
	}
	for _, n := range append(append([]string{}, pods...), created...) {
		out = append(out, event(rs, "kubia", rs.UID, "SuccessfulCreate", "Created pod: "+n))
	}
	return out
}

func TestReplicaSetHealed(t *testing.T) {
	const p = `{replicaSet: kubia}`
	t.Run("a deleted pod was replaced", func(t *testing.T) {
		l := newLab(t, kubiaRS([]string{"kubia-a", "kubia-b", "kubia-d"}, "kubia-c")...)
		expect(t, l.check("replicaSetHealed", p), "pass", msgCtlHealed, "replaced 1 deleted pod(s) and runs 3 ready pods", "deleted: kubia-c")
	})
	t.Run("nothing deleted yet: the starter", func(t *testing.T) {
		l := newLab(t, kubiaRS([]string{"kubia-a", "kubia-b", "kubia-c"})...)
		expect(t, l.check("replicaSetHealed", p), "fail (final)", msgCtlNoneDeleted, "no pod in place of one that went away", "pod kubia-a [app=kubia] owner ReplicaSet/kubia, Ready")
	})
	t.Run("the replacement is starting", func(t *testing.T) {
		objs := kubiaRS([]string{"kubia-a", "kubia-b", "kubia-d"}, "kubia-c")
		objs[3].(*corev1.Pod).Status.Conditions[0].Status = corev1.ConditionFalse
		expect(t, newLab(t, objs...).check("replicaSetHealed", p), "fail", msgCtlRSNotReady, "2 of 3 pods ready")
	})
	t.Run("a pod the ReplicaSet deleted itself (scale down) does not count", func(t *testing.T) {
		objs := kubiaRS([]string{"kubia-a", "kubia-b", "kubia-c"}, "kubia-d")
		objs = append(objs, event(nil, "kubia", "uid-kubia", "SuccessfulDelete", "Deleted pod: kubia-d"))
		expect(t, newLab(t, objs...).check("replicaSetHealed", p), "fail (final)", msgCtlNoneDeleted)
	})
	t.Run("a relabelled pod still exists: not deleted", func(t *testing.T) {
		objs := kubiaRS([]string{"kubia-a", "kubia-b", "kubia-d"}, "kubia-c")
		rel := ctlPod("kubia-c", map[string]string{"app": "foo"}, nil, time.Minute)
		objs = append(objs, rel)
		expect(t, newLab(t, objs...).check("replicaSetHealed", p), "fail (final)", msgCtlNoneDeleted)
	})
	t.Run("missing ReplicaSet", func(t *testing.T) {
		expect(t, newLab(t).check("replicaSetHealed", p), "fail (final)", msgCtlRSMissing, "apps/v1")
	})
}

func TestPodReleased(t *testing.T) {
	const p = `{replicaSet: kubia}`
	released := func(lbls map[string]string, owner []metav1.OwnerReference) *corev1.Pod {
		r := ctlPod("kubia-c", lbls, owner, 2*time.Minute)
		r.GenerateName = "kubia-"
		return r
	}
	t.Run("relabelled pod runs unmanaged, a new one was made", func(t *testing.T) {
		objs := append(kubiaRS([]string{"kubia-a", "kubia-b", "kubia-d"}), released(map[string]string{"app": "foo"}, nil))
		expect(t, newLab(t, objs...).check("podReleased", p), "pass", msgCtlReleased, "pod kubia-c left ReplicaSet kubia", "pod kubia-c [app=foo] owner -, Ready")
	})
	t.Run("nothing relabelled", func(t *testing.T) {
		expect(t, newLab(t, kubiaRS([]string{"kubia-a", "kubia-b", "kubia-c"})...).check("podReleased", p), "fail (final)", msgCtlNoneReleased, "selector: app=kubia")
	})
	t.Run("a new label the selector does not look at", func(t *testing.T) {
		objs := kubiaRS([]string{"kubia-a", "kubia-b"})
		objs = append(objs, released(map[string]string{"app": "kubia", "env": "debug"}, ownedRef("ReplicaSet", "kubia", "uid-kubia")))
		expect(t, newLab(t, objs...).check("podReleased", p), "fail (final)", msgCtlStillMatches, "kubia-c has new labels but still matches")
	})
	t.Run("the ReplicaSet has not let go yet", func(t *testing.T) {
		objs := append(kubiaRS([]string{"kubia-a", "kubia-b"}), released(map[string]string{"app": "foo"}, ownedRef("ReplicaSet", "kubia", "uid-kubia")))
		expect(t, newLab(t, objs...).check("podReleased", p), "fail", msgCtlNoneReleased)
	})
	t.Run("the new pod is not ready yet", func(t *testing.T) {
		objs := append(kubiaRS([]string{"kubia-a", "kubia-b"}), released(map[string]string{"app": "foo"}, nil))
		expect(t, newLab(t, objs...).check("podReleased", p), "fail", msgCtlRSNotReady, "2 of 3")
	})
	t.Run("a pod with another name is not one the ReplicaSet made", func(t *testing.T) {
		objs := append(kubiaRS([]string{"kubia-a", "kubia-b", "kubia-d"}), ctlPod("mine", map[string]string{"app": "foo"}, nil, time.Minute))
		expect(t, newLab(t, objs...).check("podReleased", p), "fail (final)", msgCtlNoneReleased)
	})
}

func TestSelectorExpressions(t *testing.T) {
	const p = `{replicaSet: kubia-expr, operators: [In, NotIn, Exists]}`
	tmpl := map[string]string{"app": "kubia", "env": "dev", "tier": "web"}
	exprs := &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{
		{Key: "app", Operator: metav1.LabelSelectorOpIn, Values: []string{"kubia"}},
		{Key: "env", Operator: metav1.LabelSelectorOpNotIn, Values: []string{"prod"}},
		{Key: "tier", Operator: metav1.LabelSelectorOpExists},
	}}
	withPods := func(rs *appsv1.ReplicaSet, n int) []runtime.Object {
		out := []runtime.Object{rs}
		for i := range n {
			out = append(out, ctlPod(fmt.Sprintf("kubia-expr-%d", i), tmpl, ownedRef("ReplicaSet", rs.Name, rs.UID), time.Minute))
		}
		return append(out, ctlPod("kubia-prod", map[string]string{"app": "kubia", "env": "prod", "tier": "web"}, nil, time.Minute))
	}
	t.Run("In, NotIn, Exists", func(t *testing.T) {
		l := newLab(t, withPods(replicaSet("kubia-expr", 3, exprs, tmpl), 3)...)
		expect(t, l.check("selectorExpressions", p), "pass", msgCtlSelectorOK, "selects its 3 ready pods with app in (kubia),env notin (prod),tier",
			"kubectl get pods -l 'app in (kubia),env notin (prod),tier': kubia-expr-0, kubia-expr-1, kubia-expr-2")
	})
	t.Run("matchLabels: the starter", func(t *testing.T) {
		l := newLab(t, withPods(replicaSet("kubia-expr", 3, &metav1.LabelSelector{MatchLabels: kubiaLabels}, tmpl), 3)...)
		expect(t, l.check("selectorExpressions", p), "fail (final)", msgCtlSelectorOps, "does not use In, NotIn, Exists (it is app=kubia)")
	})
	t.Run("pods not ready yet", func(t *testing.T) {
		expect(t, newLab(t, withPods(replicaSet("kubia-expr", 3, exprs, tmpl), 1)...).check("selectorExpressions", p), "fail", msgCtlRSNotReady, "1 of 3")
	})
}

// ch04's checks read the API only: a run opens no shell in a node, and the
// chapter builds exactly as written.
func TestChapter04Checks(t *testing.T) {
	lib, err := labs.Embedded(Validate)
	if err != nil {
		t.Fatal(err)
	}
	ch, ok := lib.Chapter("ch04")
	if !ok {
		t.Fatal("no ch04")
	}
	if SendsFromNodes(ch, nil) {
		t.Error("ch04 sends from a node")
	}
	if ch.Namespace != "ch04" {
		t.Errorf("ch04 works in namespace %q, want its own", ch.Namespace)
	}
}

func TestLivenessProbeWrongTarget(t *testing.T) {
	uid := types.UID("uid-kubia-liveness")
	for _, tc := range []struct {
		name, failure string
		msg           i18n.Message
		want          string
	}{
		{"a path the app does not serve", "Liveness probe failed: HTTP probe failed with statuscode: 404", msgCtlProbe404, "fails with 404 from the start"},
		{"a port nothing listens on", `Liveness probe failed: Get "http://10.244.1.5:80/healthz": dial tcp 10.244.1.5:80: connect: connection refused`, msgCtlProbeRefused, "nothing listens on port 8080"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := newLab(t, livenessPod(httpProbe(), 2, 10*time.Second),
				event(nil, "kubia-liveness", uid, "Unhealthy", tc.failure),
				event(nil, "kubia-liveness", uid, "Killing", "Container main failed liveness probe, will be restarted"))
			expect(t, l.check("livenessRestarts", `{pod: kubia-liveness}`), "fail (final)", tc.msg, tc.want)
		})
	}
}
