package labs

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Kinds labctl handles itself (apiVersion labctl.dev/v1), for what a
// manifest cannot say to the API server; session applies them. They are
// declared here so go test decodes them as strictly as the API's kinds.

// LocalGroupVersion is the group and version of labctl's own kinds.
var LocalGroupVersion = schema.GroupVersion{Group: "labctl.dev", Version: "v1"}

// KubeletConfig sets maxPods in the kubelet configuration of the nodes its
// nodeSelector picks (ch15: the notes' kops edit ig + rolling update).
type KubeletConfig struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              KubeletConfigSpec `json:"spec"`
}

// KubeletConfigSpec is what a KubeletConfig sets.
type KubeletConfigSpec struct {
	NodeSelector map[string]string `json:"nodeSelector"`
	MaxPods      int32             `json:"maxPods"`
}

// Answers is a ConfigMap of answers labctl writes from what it reads in the
// cluster: the solution of a step whose answers differ on every computer.
type Answers struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              AnswersSpec `json:"spec"`
}

// AnswersSpec names the facts (docker-network, sandbox, egress, cni) and
// the pod they are about, where they need one.
type AnswersSpec struct {
	Facts string `json:"facts"`
	Pod   string `json:"pod,omitempty"`
}

// PodAction is what a student does with kubectl to one pod a workload made
// (ch04: kubectl delete pod, kubectl label pod --overwrite): the solution
// of a step whose task is that command, not a file.
type PodAction struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              PodActionSpec `json:"spec"`
}

// PodActionSpec picks the pod (the first Ready one, by name, of those the
// selector matches) and says what to do to it: delete it, or set labels.
type PodActionSpec struct {
	Selector map[string]string `json:"selector"`
	// Action is "delete" or "label".
	Action string            `json:"action"`
	Labels map[string]string `json:"labels,omitempty"`
}

// DeepCopyObject implements runtime.Object.
func (a *PodAction) DeepCopyObject() runtime.Object {
	out := *a
	a.ObjectMeta.DeepCopyInto(&out.ObjectMeta)
	out.Spec.Selector = copyMap(a.Spec.Selector)
	out.Spec.Labels = copyMap(a.Spec.Labels)
	return &out
}

func copyMap(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// DeepCopyObject implements runtime.Object.
func (k *KubeletConfig) DeepCopyObject() runtime.Object {
	out := *k
	k.ObjectMeta.DeepCopyInto(&out.ObjectMeta)
	out.Spec.NodeSelector = copyMap(k.Spec.NodeSelector)
	return &out
}

// DeepCopyObject implements runtime.Object.
func (a *Answers) DeepCopyObject() runtime.Object {
	out := *a
	a.ObjectMeta.DeepCopyInto(&out.ObjectMeta)
	return &out
}

// addLocalKinds registers labctl's own kinds in a scheme.
func addLocalKinds(s *runtime.Scheme) error {
	s.AddKnownTypes(LocalGroupVersion, &KubeletConfig{}, &Answers{}, &PodAction{})
	return nil
}
