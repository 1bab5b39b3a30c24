package cluster

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/labctl/labctl/apply"
	"github.com/labctl/labctl/labs"
)

// The pod limit per node (ch15, the notes' max pods). One worker of a lab
// with two or more workers runs its kubelet with a low maxPods, so scaling
// a Deployment pinned to it leaves pods Pending ("Too many pods"), and the
// student raises the limit on that kubelet as the notes do with kops. The
// worker is tainted so that only pods which ask for it (ch15's, with a
// toleration) land there: the other chapters, run beside ch15, never meet
// the limit.

const (
	// kubeletConfigPath is kubeadm's kubelet configuration in a kind node.
	kubeletConfigPath = "/var/lib/kubelet/config.yaml"
)

// maxPodsNode is the lab's low-limit worker, nil when it has none.
func maxPodsNode(ctx context.Context, lab *Lab) (*corev1.Node, error) {
	list, err := lab.Client.CoreV1().Nodes().List(ctx, metav1.ListOptions{LabelSelector: labs.MaxPodsNodeKey})
	if err != nil {
		return nil, err
	}
	if len(list.Items) == 0 {
		return nil, nil
	}
	return &list.Items[0], nil
}

// lowLimitWorker names, among a lab's workers, the one that is (or becomes)
// its low-limit worker: the last by name, when there are two or more. Image
// loading asks it before the API server runs, so it is decided by name.
func lowLimitWorker(workers []string) string {
	if len(workers) < 2 {
		return ""
	}
	return slices.Max(workers)
}

// ensureMaxPodsNode makes the last worker the low-limit worker, once: a lab
// that has one keeps it (and the limit a student set), so a second up
// changes nothing. A lab with fewer than two workers has none.
// It taints the node at once, so no add-on pod lands there, and returns the
// rest as finish (nil when nothing is left): the kubelet's new limit (a
// restart and its wait, seconds), then the label that names the node and
// marks the work done. up runs finish while the add-ons start.
func ensureMaxPodsNode(ctx context.Context, lab *Lab, wait time.Duration) (finish func() error, err error) {
	if n, err := maxPodsNode(ctx, lab); err != nil || n != nil {
		return nil, err
	}
	list, err := lab.NodeList(ctx)
	if err != nil {
		return nil, err
	}
	var workers []string
	for _, n := range list {
		if _, cp := n.Labels["node-role.kubernetes.io/control-plane"]; !cp {
			workers = append(workers, n.Name)
		}
	}
	name := lowLimitWorker(workers)
	if name == "" {
		return nil, nil
	}
	// The taint first, the label last: a node found by its label always
	// carries the taint and the limit (an up stopped in between does it
	// again; each part is idempotent).
	patch := fmt.Sprintf(`{"spec":{"taints":%s}}`, taintsJSON(list, name))
	if _, err := lab.Client.CoreV1().Nodes().Patch(ctx, name, types.StrategicMergePatchType, []byte(patch), metav1.PatchOptions{}); err != nil {
		return nil, err
	}
	return func() error {
		if err := lab.SetMaxPods(ctx, name, labs.LowMaxPods, wait); err != nil {
			return err
		}
		patch := fmt.Sprintf(`{"metadata":{"labels":{%q:%q}}}`, labs.MaxPodsNodeKey, labs.MaxPodsNodeValue)
		_, err := lab.Client.CoreV1().Nodes().Patch(ctx, name, types.StrategicMergePatchType, []byte(patch), metav1.PatchOptions{})
		return err
	}, nil
}

// taintsJSON is the node's taints plus labctl's (a strategic merge patch
// replaces the list).
func taintsJSON(list []corev1.Node, name string) string {
	var parts []string
	for _, n := range list {
		if n.Name != name {
			continue
		}
		for _, t := range n.Spec.Taints {
			if t.Key != labs.MaxPodsNodeKey {
				parts = append(parts, fmt.Sprintf(`{"key":%q,"value":%q,"effect":%q}`, t.Key, t.Value, t.Effect))
			}
		}
	}
	parts = append(parts, fmt.Sprintf(`{"key":%q,"value":%q,"effect":"NoSchedule"}`, labs.MaxPodsNodeKey, labs.MaxPodsNodeValue))
	return "[" + strings.Join(parts, ",") + "]"
}

// SetMaxPods sets maxPods in the node's kubelet configuration and restarts
// its kubelet (the analogue of kops edit ig + rolling update: the node's
// running pods stay), then waits until the node reports the new limit. A
// node that already has it is left alone.
func (lab *Lab) SetMaxPods(ctx context.Context, node string, maxPods int, wait time.Duration) error {
	if maxPods < 1 {
		return fmt.Errorf("maxPods %d: want at least 1", maxPods)
	}
	nd, err := lab.Node(node)
	if err != nil {
		return err
	}
	k, err := lab.Client.CoreV1().Nodes().Get(ctx, node, metav1.GetOptions{})
	if err != nil {
		return err
	}
	if q, ok := k.Status.Allocatable[corev1.ResourcePods]; ok && q.Value() == int64(maxPods) {
		return nil
	}
	// A restarted kubelet probes its pods' readiness afresh: the pods that
	// were Ready must be Ready again before the node counts as settled (their
	// controllers' status moves until then).
	readyBefore, err := readyPodsOn(ctx, lab, node)
	if err != nil {
		return err
	}
	n := strconv.Itoa(maxPods)
	script := `f=` + kubeletConfigPath + `; if grep -q '^maxPods:' $f; then sed -i 's/^maxPods:.*/maxPods: ` + n + `/' $f; else echo 'maxPods: ` + n + `' >> $f; fi; systemctl restart kubelet`
	if err := nd.CommandContext(ctx, "sh", "-c", script).Run(); err != nil {
		return fmt.Errorf("set maxPods in %s on node %s: %w", kubeletConfigPath, node, err)
	}
	wctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	return apply.Until(wctx, time.Second, func() (bool, string, error) {
		k, err := lab.Client.CoreV1().Nodes().Get(wctx, node, metav1.GetOptions{})
		if err != nil {
			return false, err.Error(), nil
		}
		q := k.Status.Allocatable[corev1.ResourcePods]
		if q.Value() != int64(maxPods) {
			return false, fmt.Sprintf("node %s allows %d pods", node, q.Value()), nil
		}
		ready, err := readyPodsOn(wctx, lab, node)
		if err != nil {
			return false, err.Error(), nil
		}
		for name := range readyBefore {
			if _, gone := ready[name]; !gone && podExists(wctx, lab, name) {
				return false, fmt.Sprintf("pod %s on node %s is not Ready again yet", name, node), nil
			}
		}
		return true, "", nil
	}, func(last string) error {
		return fmt.Errorf("the kubelet of node %s did not take maxPods %d within %s (%s)", node, maxPods, wait, last)
	})
}

// readyPodsOn lists the Ready pods on a node, as namespace/name.
func readyPodsOn(ctx context.Context, lab *Lab, node string) (map[string]bool, error) {
	list, err := lab.Client.CoreV1().Pods("").List(ctx, metav1.ListOptions{FieldSelector: "spec.nodeName=" + node})
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, p := range list.Items {
		for _, c := range p.Status.Conditions {
			if c.Type == corev1.PodReady && c.Status == corev1.ConditionTrue && p.DeletionTimestamp == nil {
				out[p.Namespace+"/"+p.Name] = true
			}
		}
	}
	return out, nil
}

// podExists: a pod deleted meanwhile is not waited for.
func podExists(ctx context.Context, lab *Lab, ref string) bool {
	ns, name, _ := strings.Cut(ref, "/")
	_, err := lab.Client.CoreV1().Pods(ns).Get(ctx, name, metav1.GetOptions{})
	return err == nil
}
