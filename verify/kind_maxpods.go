package verify

import (
	"context"
	"errors"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/labctl/labctl/labs"
)

// podLimit proves a Deployment pinned to the low-limit worker runs all its
// replicas there: the node's kubelet allows enough pods (the notes' max
// pods, raised as they raise it with kops). Pods Pending with the
// scheduler's "Too many pods" name the node's limit.
type podLimit struct {
	Deployment string `yaml:"deployment"`
	Replicas   int32  `yaml:"replicas"`
	Namespace  string `yaml:"namespace"`
}

func init() {
	register("podLimit", func(p podLimit) (Checker, error) {
		if p.Deployment == "" || p.Replicas < 1 {
			return nil, errors.New("params.deployment and params.replicas (at least 1) are required")
		}
		return p, nil
	})
}

func (p podLimit) DependsOn(env *Env) Dependencies {
	return Dependencies{Objects: []ObjectRef{{Kind: "Deployment", Namespace: env.ns(p.Namespace), Name: p.Deployment}}}
}

func (p podLimit) Check(ctx context.Context, env *Env) Outcome {
	ns := env.ns(p.Namespace)
	nodes, err := env.Client.CoreV1().Nodes().List(ctx, metav1.ListOptions{LabelSelector: labs.MaxPodsNodeKey})
	if err != nil {
		return Errored(err)
	}
	if len(nodes.Items) == 0 {
		return Missing(msgLimitNoNode, labs.MaxPodsNodeKey)
	}
	node := nodes.Items[0]
	allowed := node.Status.Allocatable[corev1.ResourcePods]
	d, err := env.Client.AppsV1().Deployments(ns).Get(ctx, p.Deployment, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return Missing(msgLimitDeploy, ns+"/"+p.Deployment)
	}
	if err != nil {
		return Errored(err)
	}
	want := int32(1)
	if d.Spec.Replicas != nil {
		want = *d.Spec.Replicas
	}
	if want < p.Replicas {
		return Missing(msgLimitReplicas, p.Deployment, want, p.Replicas)
	}
	sel, err := metav1.LabelSelectorAsSelector(d.Spec.Selector)
	if err != nil {
		return Errored(err)
	}
	pods, err := env.Client.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: sel.String()})
	if err != nil {
		return Errored(err)
	}
	onNode, err := env.Client.CoreV1().Pods("").List(ctx, metav1.ListOptions{FieldSelector: "spec.nodeName=" + node.Name})
	if err != nil {
		return Errored(err)
	}
	running := 0
	for _, q := range onNode.Items {
		if q.Status.Phase != corev1.PodSucceeded && q.Status.Phase != corev1.PodFailed {
			running++
		}
	}
	ev := []string{fmt.Sprintf("node %s: allocatable pods %d, %d pods on it", node.Name, allowed.Value(), running)}
	ready, pending, reason := int32(0), 0, ""
	for _, q := range pods.Items {
		if q.DeletionTimestamp != nil {
			continue
		}
		if q.Spec.NodeName != "" && q.Spec.NodeName != node.Name {
			return Missing(msgLimitElsewhere, q.Name, p.Deployment, q.Spec.NodeName, node.Name).With(ev...)
		}
		for _, c := range q.Status.Conditions {
			if c.Type == corev1.PodScheduled && c.Status == corev1.ConditionFalse && c.Reason == corev1.PodReasonUnschedulable {
				pending++
				if reason == "" || strings.Contains(c.Message, "Too many pods") {
					reason = c.Message
				}
			}
		}
		if podIsReady(&q) {
			ready++
		}
	}
	if pending > 0 {
		return Failed(msgLimitPending, pending, p.Deployment, reason, node.Name, allowed.Value(), running).With(ev...)
	}
	if ready < want {
		return Failed(msgLimitStarting, ready, want, p.Deployment).With(ev...)
	}
	return Passed(msgLimitOK, want, p.Deployment, node.Name, allowed.Value()).With(ev...)
}
