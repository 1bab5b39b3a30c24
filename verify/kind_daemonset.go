package verify

import (
	"context"
	"errors"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/klog/v2"

	"github.com/labctl/labctl/labs"
)

// daemonSetNodes proves a DaemonSet runs exactly one ready pod on each node
// it should: every node of the cluster (the control-plane too, which takes
// a toleration), or the nodes its nodeSelector picks (at least one).
type daemonSetNodes struct {
	DaemonSet string `yaml:"daemonSet"`
	Namespace string `yaml:"namespace"`
	// Nodes is "all" or "selected".
	Nodes string `yaml:"nodes"`
}

func init() {
	register("daemonSetNodes", func(p daemonSetNodes) (Checker, error) {
		if p.DaemonSet == "" {
			return nil, errors.New("params.daemonSet is required")
		}
		if p.Nodes != "all" && p.Nodes != "selected" {
			return nil, fmt.Errorf("params.nodes %q: want all or selected", p.Nodes)
		}
		return p, nil
	})
}

func (p daemonSetNodes) Check(ctx context.Context, env *Env) Outcome {
	ns := env.ns(p.Namespace)
	ds, err := env.Client.AppsV1().DaemonSets(ns).Get(ctx, p.DaemonSet, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return Missing(msgCtlDSMissing, ns+"/"+p.DaemonSet)
	}
	if err != nil {
		return Errored(err)
	}
	nodes, err := env.Client.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return Errored(err)
	}
	if len(nodes.Items) == 0 {
		return Errored(errors.New(msgNoNodes.F(env.Lang)))
	}
	nodeSel := labels.Set(ds.Spec.Template.Spec.NodeSelector)
	var targets []corev1.Node
	switch {
	case p.Nodes == "all" && len(nodeSel) > 0:
		return Missing(msgCtlDSHasSelector, ds.Name, nodeSel.String())
	case p.Nodes == "selected" && len(nodeSel) == 0:
		return Missing(msgCtlDSNoSelector, ds.Name)
	}
	var reserved []string
	for _, n := range nodes.Items {
		if !labels.SelectorFromSet(nodeSel).Matches(labels.Set(n.Labels)) {
			continue
		}
		if labReserved(&n, ds.Spec.Template.Spec.Tolerations) {
			reserved = append(reserved, env.t(evDSReserved, n.Name, labs.MaxPodsNodeKey))
			continue
		}
		targets = append(targets, n)
	}
	if len(targets) == 0 {
		var ev []string
		for _, n := range nodes.Items {
			ev = append(ev, "node "+n.Name)
		}
		return Missing(msgCtlDSNoNode, ds.Name, nodeSel.String()).With(ev...)
	}
	pods, err := env.Client.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return Errored(err)
	}
	onNode := map[string][]corev1.Pod{}
	for _, pod := range pods.Items {
		if ctlOwnedBy(&pod, ds.UID) && pod.DeletionTimestamp == nil {
			onNode[pod.Spec.NodeName] = append(onNode[pod.Spec.NodeName], pod)
		}
	}
	ev, names := reserved, []string(nil)
	for _, n := range targets {
		var state []string
		for _, pod := range onNode[n.Name] {
			s := pod.Name + " " + string(pod.Status.Phase)
			if ctlPodReady(&pod) {
				s = pod.Name + " Ready"
			}
			state = append(state, s)
		}
		ev = append(ev, fmt.Sprintf("node %s: %s", n.Name, env.list(state)))
		names = append(names, n.Name)
	}
	for _, n := range targets {
		ready := 0
		for _, pod := range onNode[n.Name] {
			if ctlPodReady(&pod) {
				ready++
			}
		}
		if ready == 1 && len(onNode[n.Name]) == 1 {
			continue
		}
		if pod, img, why := ctlPullFailure(onNode[n.Name]); pod != "" {
			return Missing(msgCtlImagePull, pod, n.Name, img, why).With(ev...)
		}
		if len(onNode[n.Name]) == 0 {
			if t := ctlUntolerated(&n, ds.Spec.Template.Spec.Tolerations); t != "" {
				return Missing(msgCtlDSTaint, ds.Name, n.Name, t).With(ev...)
			}
		}
		return Failed(msgCtlDSWaiting, ds.Name, n.Name).With(ev...)
	}
	return Passed(msgCtlDSOK, ds.Name, len(targets), strings.Join(names, ", ")).With(ev...)
}

// labReserved: the node is the worker labctl keeps for ch15's pod limit
// (tainted so that only ch15's pods go there), and the DaemonSet does not
// tolerate that taint. "Every node" of another chapter means every node
// the lab offers to workloads: not that one.
func labReserved(n *corev1.Node, tols []corev1.Toleration) bool {
	for i, t := range n.Spec.Taints {
		if t.Key != labs.MaxPodsNodeKey {
			continue
		}
		for _, tol := range tols {
			if tol.ToleratesTaint(klog.Background(), &n.Spec.Taints[i], false) {
				return false
			}
		}
		return true
	}
	return false
}

// untolerated names the first taint of a node that keeps the pods off it
// (NoSchedule or NoExecute, tolerated by none of the tolerations).
func ctlUntolerated(n *corev1.Node, tols []corev1.Toleration) string {
	for i, t := range n.Spec.Taints {
		if t.Effect == corev1.TaintEffectPreferNoSchedule {
			continue
		}
		ok := false
		for _, tol := range tols {
			if tol.ToleratesTaint(klog.Background(), &n.Spec.Taints[i], false) {
				ok = true
				break
			}
		}
		if !ok {
			return t.ToString()
		}
	}
	return ""
}

// ctlPullFailure finds a pod whose image cannot be pulled: waiting will
// not fix that (no registry, a wrong name).
func ctlPullFailure(pods []corev1.Pod) (pod, image, reason string) {
	for _, p := range pods {
		for _, cs := range p.Status.ContainerStatuses {
			if w := cs.State.Waiting; w != nil {
				switch w.Reason {
				case "ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull":
					return p.Name, cs.Image, w.Reason
				}
			}
		}
	}
	return "", "", ""
}
