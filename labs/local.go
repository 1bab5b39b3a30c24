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

// DeepCopyObject implements runtime.Object.
func (k *KubeletConfig) DeepCopyObject() runtime.Object {
	out := *k
	k.ObjectMeta.DeepCopyInto(&out.ObjectMeta)
	out.Spec.NodeSelector = map[string]string{}
	for a, b := range k.Spec.NodeSelector {
		out.Spec.NodeSelector[a] = b
	}
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
	s.AddKnownTypes(LocalGroupVersion, &KubeletConfig{}, &Answers{})
	return nil
}
