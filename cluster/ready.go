package cluster

import (
	"context"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/labctl/labctl/apply"
	"github.com/labctl/labctl/i18n"
)

// waitReady waits until want nodes are Ready and CoreDNS is available. kind's
// own wait does not fail when time runs out; this one does, saying what it
// saw last.
func waitReady(ctx context.Context, lab *Lab, want int, deadline time.Duration, env Env) error {
	ctx, cancel := context.WithTimeout(ctx, deadline)
	defer cancel()
	start := time.Now()
	return apply.Until(ctx, time.Second, func() (bool, string, error) {
		nodes, err := lab.Client.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
		if err != nil {
			return false, err.Error(), nil
		}
		ready := 0
		for _, n := range nodes.Items {
			if nodeReady(n) {
				ready++
			}
		}
		if ready < want {
			msg := msgNodesReady.F(env.Lang, ready, want)
			env.Reporter.Progress(msg)
			return false, msg, nil
		}
		d, err := lab.Client.AppsV1().Deployments("kube-system").Get(ctx, "coredns", metav1.GetOptions{})
		if err != nil {
			return false, "CoreDNS: " + err.Error(), nil
		}
		u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(d)
		if err != nil {
			return false, "", err
		}
		obj := unstructuredFrom(u, "apps/v1", "Deployment")
		done, msg, _, err := apply.StatusIn(obj, env.Lang)
		if !done {
			env.Reporter.Progress("CoreDNS: " + msg)
		}
		return done, "CoreDNS: " + msg, err
	}, func(last string) error {
		return i18n.Errorf(msgNotReady, time.Since(start).Round(time.Second), last)
	})
}

// nodeReady reports the node's Ready condition.
func nodeReady(n corev1.Node) bool {
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}
