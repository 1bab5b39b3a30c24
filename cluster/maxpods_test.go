package cluster

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/labctl/labctl/labs"
)

func TestTaintsJSONKeepsTheNodesOwnTaints(t *testing.T) {
	list := []corev1.Node{
		{ObjectMeta: metav1.ObjectMeta{Name: "lab-worker"}},
		{ObjectMeta: metav1.ObjectMeta{Name: "lab-worker2"}, Spec: corev1.NodeSpec{Taints: []corev1.Taint{
			{Key: "node.kubernetes.io/not-ready", Effect: corev1.TaintEffectNoSchedule},
			{Key: labs.MaxPodsNodeKey, Value: "old", Effect: corev1.TaintEffectNoSchedule},
		}}},
	}
	got := taintsJSON(list, "lab-worker2")
	want := `[{"key":"node.kubernetes.io/not-ready","value":"","effect":"NoSchedule"},{"key":"labctl.dev/max-pods-node","value":"ch15","effect":"NoSchedule"}]`
	if got != want {
		t.Errorf("taints patch\n got %s\nwant %s", got, want)
	}
}
