package verify

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
)

// replicaSetHealed proves a ReplicaSet replaced a pod somebody deleted: it
// created a pod that no longer exists (and that it did not delete itself,
// scaling down), and runs its full count of ready pods again.
type replicaSetHealed struct {
	ReplicaSet string `yaml:"replicaSet"`
	Namespace  string `yaml:"namespace"`
}

// podReleased proves a pod left its ReplicaSet by a label change: a pod the
// ReplicaSet made (its generated name) that no longer matches the selector,
// has no owner and keeps running, while the ReplicaSet made a new one.
type podReleased struct {
	ReplicaSet string `yaml:"replicaSet"`
	Namespace  string `yaml:"namespace"`
}

// selectorExpressions proves a ReplicaSet selects its pods with a
// set-based selector using the given operators, and runs them all.
type selectorExpressions struct {
	ReplicaSet string   `yaml:"replicaSet"`
	Namespace  string   `yaml:"namespace"`
	Operators  []string `yaml:"operators"`
}

func init() {
	register("replicaSetHealed", func(p replicaSetHealed) (Checker, error) {
		if p.ReplicaSet == "" {
			return nil, errors.New("params.replicaSet is required")
		}
		return p, nil
	})
	register("podReleased", func(p podReleased) (Checker, error) {
		if p.ReplicaSet == "" {
			return nil, errors.New("params.replicaSet is required")
		}
		return p, nil
	})
	register("selectorExpressions", func(p selectorExpressions) (Checker, error) {
		if p.ReplicaSet == "" || len(p.Operators) == 0 {
			return nil, errors.New("params.replicaSet and params.operators are required")
		}
		for i, op := range p.Operators {
			switch metav1.LabelSelectorOperator(op) {
			case metav1.LabelSelectorOpIn, metav1.LabelSelectorOpNotIn, metav1.LabelSelectorOpExists, metav1.LabelSelectorOpDoesNotExist:
			default:
				return nil, fmt.Errorf("params.operators[%d] %q is not In, NotIn, Exists or DoesNotExist", i, op)
			}
		}
		return p, nil
	})
}

// rsState is a ReplicaSet and the pods in its namespace.
type rsState struct {
	rs    *appsv1.ReplicaSet
	sel   labels.Selector
	pods  []corev1.Pod
	owned []corev1.Pod // controlled by the ReplicaSet, not being deleted
	ready int
	want  int
}

func replicaSetState(ctx context.Context, env *Env, ns, name string) (*rsState, *Outcome) {
	rs, err := env.Client.AppsV1().ReplicaSets(ns).Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		o := Missing(msgCtlRSMissing, ns+"/"+name)
		return nil, &o
	}
	if err != nil {
		o := Errored(err)
		return nil, &o
	}
	sel, err := metav1.LabelSelectorAsSelector(rs.Spec.Selector)
	if err != nil {
		o := Errored(err)
		return nil, &o
	}
	pods, err := env.Client.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		o := Errored(err)
		return nil, &o
	}
	s := &rsState{rs: rs, sel: sel, pods: pods.Items, want: 1}
	if rs.Spec.Replicas != nil {
		s.want = int(*rs.Spec.Replicas)
	}
	for _, p := range pods.Items {
		if ctlOwnedBy(&p, rs.UID) && p.DeletionTimestamp == nil {
			s.owned = append(s.owned, p)
			if ctlPodReady(&p) {
				s.ready++
			}
		}
	}
	return s, nil
}

func ctlOwnedBy(p *corev1.Pod, uid types.UID) bool {
	ref := metav1.GetControllerOf(p)
	return ref != nil && ref.UID == uid
}

func ctlPodReady(p *corev1.Pod) bool {
	if p.DeletionTimestamp != nil || p.Status.Phase != corev1.PodRunning {
		return false
	}
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// podsEvidence lists pods with their labels and state, oldest first.
func ctlPodsEvidence(pods []corev1.Pod) []string {
	sort.Slice(pods, func(i, j int) bool { return pods[i].CreationTimestamp.Before(&pods[j].CreationTimestamp) })
	var out []string
	for _, p := range pods {
		state := string(p.Status.Phase)
		if p.DeletionTimestamp != nil {
			state = "Terminating"
		} else if ctlPodReady(&p) {
			state = "Ready"
		}
		owner := "-"
		if ref := metav1.GetControllerOf(&p); ref != nil {
			owner = ref.Kind + "/" + ref.Name
		}
		out = append(out, fmt.Sprintf("pod %s [%s] owner %s, %s", p.Name, labels.Set(p.Labels).String(), owner, state))
	}
	return out
}

func (p replicaSetHealed) Check(ctx context.Context, env *Env) Outcome {
	s, miss := replicaSetState(ctx, env, env.ns(p.Namespace), p.ReplicaSet)
	if miss != nil {
		return *miss
	}
	created, scaledDown, err := ctlCreatedBy(ctx, env, s.rs.Namespace, s.rs.UID)
	if err != nil {
		return Errored(err)
	}
	exists := map[string]*corev1.Pod{}
	for i, pod := range s.pods {
		exists[pod.Name] = &s.pods[i]
	}
	itself := map[string]bool{}
	for _, n := range scaledDown {
		itself[n] = true
	}
	var gone []string
	for _, n := range created {
		if itself[n] {
			continue
		}
		if pod, ok := exists[n]; !ok || (pod.DeletionTimestamp != nil && ctlOwnedBy(pod, s.rs.UID)) {
			gone = append(gone, n)
		}
	}
	ev := ctlPodsEvidence(s.pods)
	if len(gone) == 0 {
		return Missing(msgCtlNoneDeleted, s.rs.Name).With(ev...)
	}
	ev = append([]string{"deleted: " + strings.Join(gone, ", ")}, ev...)
	if s.ready < s.want {
		return Failed(msgCtlRSNotReady, s.rs.Name, s.ready, s.want).With(ev...)
	}
	return Passed(msgCtlHealed, s.rs.Name, len(gone), s.ready).With(ev...)
}

func (p podReleased) Check(ctx context.Context, env *Env) Outcome {
	s, miss := replicaSetState(ctx, env, env.ns(p.Namespace), p.ReplicaSet)
	if miss != nil {
		return *miss
	}
	ev := append([]string{"selector: " + s.sel.String()}, ctlPodsEvidence(s.pods)...)
	var released, leaving *corev1.Pod
	for i, pod := range s.pods {
		if pod.GenerateName != s.rs.Name+"-" || pod.DeletionTimestamp != nil {
			continue
		}
		matches := s.sel.Matches(labels.Set(pod.Labels))
		owned := metav1.GetControllerOf(&pod) != nil
		switch {
		case !matches && !owned:
			released = &s.pods[i]
		case !matches:
			leaving = &s.pods[i] // the ReplicaSet has not let go yet
		}
	}
	if released == nil {
		if leaving != nil {
			return Failed(msgCtlNoneReleased, s.rs.Name).With(ev...)
		}
		// new labels that the selector does not look at keep a pod in
		for _, pod := range s.owned {
			if !labels.Equals(pod.Labels, s.rs.Spec.Template.Labels) {
				return Missing(msgCtlStillMatches, pod.Name, s.rs.Name, s.sel.String()).With(ev...)
			}
		}
		return Missing(msgCtlNoneReleased, s.rs.Name).With(ev...)
	}
	if !ctlPodReady(released) {
		return Missing(msgCtlReleasedStopped, released.Name, s.rs.Name, string(released.Status.Phase)).With(ev...)
	}
	if s.ready < s.want {
		return Failed(msgCtlRSNotReady, s.rs.Name, s.ready, s.want).With(ev...)
	}
	return Passed(msgCtlReleased, released.Name, s.rs.Name, s.ready).With(ev...)
}

func (p selectorExpressions) Check(ctx context.Context, env *Env) Outcome {
	s, miss := replicaSetState(ctx, env, env.ns(p.Namespace), p.ReplicaSet)
	if miss != nil {
		return *miss
	}
	used := map[string]bool{}
	if s.rs.Spec.Selector != nil {
		for _, e := range s.rs.Spec.Selector.MatchExpressions {
			used[string(e.Operator)] = true
		}
	}
	var lacking []string
	for _, op := range p.Operators {
		if !used[op] {
			lacking = append(lacking, op)
		}
	}
	if len(lacking) > 0 {
		return Missing(msgCtlSelectorOps, s.rs.Name, strings.Join(lacking, ", "), s.sel.String())
	}
	var selected []string
	for _, pod := range s.pods {
		if s.sel.Matches(labels.Set(pod.Labels)) {
			selected = append(selected, pod.Name)
		}
	}
	sortStrings(selected)
	ev := append([]string{"kubectl get pods -l '" + s.sel.String() + "': " + env.list(selected)}, ctlPodsEvidence(s.pods)...)
	if s.ready < s.want {
		return Failed(msgCtlRSNotReady, s.rs.Name, s.ready, s.want).With(ev...)
	}
	return Passed(msgCtlSelectorOK, s.rs.Name, s.ready, s.sel.String()).With(ev...)
}
