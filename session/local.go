package session

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"

	"github.com/labctl/labctl/apply"
	"github.com/labctl/labctl/i18n"
	"github.com/labctl/labctl/labs"
	"github.com/labctl/labctl/verify"
)

// Objects labctl handles itself (apiVersion labctl.dev/v1), for what a
// manifest cannot say to the API server:
//
//   - KubeletConfig sets maxPods in the kubelet configuration of the nodes
//     its spec.nodeSelector picks and restarts their kubelets: ch15's
//     analogue of the notes' `kops edit ig` + rolling update. Reset gives
//     the low-limit worker its low limit again.
//   - Answers writes a ConfigMap of answers read live from the cluster
//     (spec.facts: docker-network, sandbox, egress, cni; spec.pod where it
//     needs one): the solution of a step whose answers depend on the
//     cluster (its addresses, a sandbox's ID). Reset deletes the ConfigMap.
//   - PodAction does to one pod a workload made what the student does with
//     kubectl (spec.action delete: kubectl delete pod; label: kubectl label
//     pod --overwrite with spec.labels): the first Ready pod, by name, that
//     spec.selector matches. Reset has nothing to undo: the workload goes.
const localAPIVersion = "labctl.dev/v1"

func isLocal(o apply.Object) bool { return o.GetAPIVersion() == localAPIVersion }

// kubeletWait bounds the wait for a restarted kubelet to report its limit.
const kubeletWait = 2 * time.Minute

func (s *Session) applyLocal(ctx context.Context, ch *labs.Chapter, a *apply.Applier, o apply.Object) error {
	switch o.GetKind() {
	case "KubeletConfig":
		n, ok := maxPods(o)
		if !ok {
			return i18n.Errorf(msgLocalMaxPods, o.Where(), o.Ref())
		}
		nodes, err := s.selectNodes(ctx, o)
		if err != nil {
			return err
		}
		for _, node := range nodes {
			if err := s.Lab.SetMaxPods(ctx, node, int(n), kubeletWait); err != nil {
				return fmt.Errorf("%s: %w", o.Where(), err)
			}
		}
		return nil
	case "Answers":
		cm, err := s.answers(ctx, ch, o)
		if err != nil {
			return fmt.Errorf("%s: %s: %w", o.Where(), o.Ref(), err)
		}
		return a.Apply(ctx, []apply.Object{cm})
	case "PodAction":
		return s.podAction(ctx, ch, o)
	}
	return i18n.Errorf(msgLocalUnknownKind, o.Where(), o.GetKind(), localAPIVersion)
}

// podAction deletes or relabels the first Ready pod, by name, that the
// object's spec.selector matches in its namespace and that belongs to a
// workload that exists (not a pod of one just deleted, still going away),
// waiting for one as a student waits for the pods to be Ready.
func (s *Session) podAction(ctx context.Context, ch *labs.Chapter, o apply.Object) error {
	sel, _, _ := unstructured.NestedStringMap(o.Object, "spec", "selector")
	action, _, _ := unstructured.NestedString(o.Object, "spec", "action")
	set, _, _ := unstructured.NestedStringMap(o.Object, "spec", "labels")
	switch {
	case len(sel) == 0:
		return i18n.Errorf(msgLocalSelector, o.Where(), o.Ref())
	case action == "label" && len(set) == 0:
		return i18n.Errorf(msgLocalLabels, o.Where(), o.Ref())
	case action != "delete" && action != "label":
		return i18n.Errorf(msgLocalAction, o.Where(), o.Ref(), action)
	}
	ns := o.GetNamespace()
	if ns == "" {
		ns = ch.Namespace
	}
	wctx, cancel := context.WithTimeout(ctx, podActionWait)
	defer cancel()
	var target string
	err := apply.Until(wctx, 500*time.Millisecond, func() (bool, string, error) {
		pods, err := s.Lab.Client.CoreV1().Pods(ns).List(wctx, metav1.ListOptions{LabelSelector: labels.SelectorFromSet(sel).String()})
		if err != nil {
			return false, err.Error(), nil
		}
		sort.Slice(pods.Items, func(i, j int) bool { return pods.Items[i].Name < pods.Items[j].Name })
		for _, p := range pods.Items {
			if p.DeletionTimestamp == nil && podReady(&p) && s.ownerExists(wctx, &p) {
				target = p.Name
				return true, "", nil
			}
		}
		return false, "", nil
	}, func(string) error {
		return i18n.Errorf(msgLocalNoPod, o.Where(), ns, labels.Set(sel).String())
	})
	if err != nil {
		return err
	}
	if action == "delete" {
		err = s.Lab.Client.CoreV1().Pods(ns).Delete(ctx, target, metav1.DeleteOptions{})
	} else {
		patch, _ := json.Marshal(map[string]any{"metadata": map[string]any{"labels": set}})
		_, err = s.Lab.Client.CoreV1().Pods(ns).Patch(ctx, target, types.MergePatchType, patch, metav1.PatchOptions{})
	}
	if err != nil {
		return i18n.Errorf(msgLocalActFailed, o.Where(), action, ns+"/"+target).Wrap(err)
	}
	return nil
}

// podActionWait bounds the wait for a pod a PodAction can act on.
const podActionWait = 2 * time.Minute

// ownerExists says whether the workload that controls a pod is still there
// (the same object, by UID); a pod without a controller counts as its own.
func (s *Session) ownerExists(ctx context.Context, p *corev1.Pod) bool {
	ref := metav1.GetControllerOf(p)
	if ref == nil {
		return true
	}
	var uid types.UID
	switch ref.Kind {
	case "ReplicaSet":
		rs, err := s.Lab.Client.AppsV1().ReplicaSets(p.Namespace).Get(ctx, ref.Name, metav1.GetOptions{})
		if err != nil {
			return false
		}
		uid = rs.UID
	case "DaemonSet":
		ds, err := s.Lab.Client.AppsV1().DaemonSets(p.Namespace).Get(ctx, ref.Name, metav1.GetOptions{})
		if err != nil {
			return false
		}
		uid = ds.UID
	default:
		return true
	}
	return uid == ref.UID && uid != ""
}

func podReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// selectNodes lists the nodes a KubeletConfig's spec.nodeSelector picks.
func (s *Session) selectNodes(ctx context.Context, o apply.Object) ([]string, error) {
	sel, _, err := unstructured.NestedStringMap(o.Object, "spec", "nodeSelector")
	if err != nil || len(sel) == 0 {
		return nil, i18n.Errorf(msgLocalNodeSelector, o.Where(), o.Ref())
	}
	list, err := s.Lab.Client.CoreV1().Nodes().List(ctx, metav1.ListOptions{LabelSelector: labels.SelectorFromSet(sel).String()})
	if err != nil {
		return nil, err
	}
	if len(list.Items) == 0 {
		return nil, i18n.Errorf(msgLocalNoNode, o.Where(), labels.Set(sel).String())
	}
	var out []string
	for _, n := range list.Items {
		out = append(out, n.Name)
	}
	return out, nil
}

// answers builds the ConfigMap an Answers object stands for.
func (s *Session) answers(ctx context.Context, ch *labs.Chapter, o apply.Object) (apply.Object, error) {
	facts, _, _ := unstructured.NestedString(o.Object, "spec", "facts")
	pod, _, _ := unstructured.NestedString(o.Object, "spec", "pod")
	ns := o.GetNamespace()
	if ns == "" {
		ns = ch.Namespace
	}
	env := s.Env(ch)
	var data map[string]string
	var err error
	switch facts {
	case "docker-network":
		data, err = verify.DockerNetworkFacts(ctx, env)
	case "sandbox":
		data, err = verify.SandboxFacts(ctx, env, ns, pod)
	case "egress":
		data, err = verify.EgressFacts(ctx, env, ns, pod)
	case "cni":
		data, err = verify.CNIFacts(ctx, env)
	default:
		err = i18n.Errorf(msgLocalFacts, facts)
	}
	if err != nil {
		return apply.Object{}, err
	}
	return answersConfigMap(o, ns, data), nil
}

// answersConfigMap is the ConfigMap an Answers object writes (or, with no
// data, the one reset deletes).
func answersConfigMap(o apply.Object, ns string, data map[string]string) apply.Object {
	u := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "ConfigMap",
		"metadata": map[string]any{"name": o.GetName(), "namespace": ns},
	}}
	if data != nil {
		d := map[string]any{}
		for k, v := range data {
			d[k] = v
		}
		u.Object["data"] = d
	}
	return apply.Object{Unstructured: u, Source: o.Source, Line: o.Line}
}

// resetLocal undoes what the chapter's local objects did: the low limit
// again on the low-limit worker a KubeletConfig picks.
func (s *Session) resetLocal(ctx context.Context, objs []apply.Object) error {
	done := map[string]bool{}
	for _, o := range objs {
		if o.GetKind() != "KubeletConfig" {
			continue
		}
		nodes, err := s.selectNodes(ctx, o)
		if err != nil {
			return err
		}
		for _, name := range nodes {
			n, err := s.Lab.Client.CoreV1().Nodes().Get(ctx, name, metav1.GetOptions{})
			if err != nil {
				return err
			}
			if _, low := n.Labels[labs.MaxPodsNodeKey]; !low || done[name] {
				continue
			}
			done[name] = true
			if err := s.Lab.SetMaxPods(ctx, name, labs.LowMaxPods, kubeletWait); err != nil {
				return err
			}
		}
	}
	return nil
}

// splitLocal separates labctl's own objects from the API server's; for a
// delete, an Answers object stands for its ConfigMap.
func splitLocal(objs []apply.Object, ns string, forDelete bool) (api, local []apply.Object) {
	for _, o := range objs {
		if !isLocal(o) {
			api = append(api, o)
			continue
		}
		local = append(local, o)
		if forDelete && o.GetKind() == "Answers" {
			n := o.GetNamespace()
			if n == "" {
				n = ns
			}
			api = append(api, answersConfigMap(o, n, nil))
		}
	}
	return api, local
}

// maxPods reads spec.maxPods, a whole number however the decoder typed it.
func maxPods(o apply.Object) (int64, bool) {
	v, found, err := unstructured.NestedFieldNoCopy(o.Object, "spec", "maxPods")
	if err != nil || !found {
		return 0, false
	}
	switch n := v.(type) {
	case int64:
		return n, true
	case int:
		return int64(n), true
	case float64:
		return int64(n), n == float64(int64(n))
	}
	return 0, false
}
