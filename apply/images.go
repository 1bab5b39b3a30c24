package apply

import (
	"sort"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// IngressReadyLabel marks the node the ingress controller runs on (kind's
// convention: the control-plane, where the host ports are mapped).
const IngressReadyLabel = "ingress-ready"

// LowLimitTaint is the key of the label and NoSchedule taint of the lab's
// low-limit worker (ch15's pod limit): only pods that tolerate it run there.
const LowLimitTaint = "labctl.dev/max-pods-node"

// controlPlaneTaint is kubeadm's taint of the control-plane.
const controlPlaneTaint = "node-role.kubernetes.io/control-plane"

// Placement says which nodes can run the pods that use an image: the
// control-plane, the ordinary workers, the low-limit worker.
type Placement struct {
	ControlPlane bool
	Workers      bool
	LowLimit     bool
}

// ImagePlan maps each image to the nodes it is needed on. Loading an image
// only where its pods can be scheduled (Traefik: the control-plane; MetalLB
// and the chapters' workloads: the workers, not the tainted low-limit one
// unless they tolerate it) is most of why `labctl up` is faster than
// `kind load docker-image` of the same images into every node.
type ImagePlan map[string]Placement

// Add records images needed on the given nodes.
func (p ImagePlan) Add(pl Placement, images ...string) {
	for _, img := range images {
		cur := p[img]
		p[img] = Placement{
			ControlPlane: cur.ControlPlane || pl.ControlPlane,
			Workers:      cur.Workers || pl.Workers,
			LowLimit:     cur.LowLimit || pl.LowLimit,
		}
	}
}

// AddObjects records the images of every pod template in objs, placed where
// the scheduler can put those pods: a nodeSelector on the ingress-ready
// label means the control-plane, one on the low-limit worker's label that
// worker; otherwise the workers, and the control-plane and the low-limit
// worker when the pods tolerate their taints.
func (p ImagePlan) AddObjects(objs []Object) {
	for _, o := range objs {
		spec, ok := PodSpec(o.Unstructured)
		if !ok {
			continue
		}
		sel, _, _ := unstructured.NestedStringMap(spec, "nodeSelector")
		var pl Placement
		switch {
		case sel[IngressReadyLabel] == "true":
			pl = Placement{ControlPlane: true}
		case sel[LowLimitTaint] != "":
			pl = Placement{LowLimit: true}
		default:
			pl = Placement{Workers: true, ControlPlane: tolerates(spec, controlPlaneTaint), LowLimit: tolerates(spec, LowLimitTaint)}
		}
		p.Add(pl, ImagesOf([]Object{o})...)
	}
}

// tolerates says whether a pod spec tolerates a NoSchedule taint with key.
func tolerates(spec map[string]any, key string) bool {
	tols, _, _ := unstructured.NestedSlice(spec, "tolerations")
	for _, t := range tols {
		m, _ := t.(map[string]any)
		k, _ := m["key"].(string)
		if effect, _ := m["effect"].(string); effect != "" && effect != "NoSchedule" {
			continue
		}
		if k == key || (k == "" && m["operator"] == "Exists") {
			return true
		}
	}
	return false
}

// Images lists the plan's images, sorted.
func (p ImagePlan) Images() []string {
	out := make([]string, 0, len(p))
	for img := range p {
		out = append(out, img)
	}
	sort.Strings(out)
	return out
}

// ImagesOf lists the images of every pod template in objs, in order, once.
func ImagesOf(objs []Object) []string {
	seen := map[string]bool{}
	var out []string
	for _, o := range objs {
		spec, ok := PodSpec(o.Unstructured)
		if !ok {
			continue
		}
		for _, field := range []string{"initContainers", "containers"} {
			cs, _, _ := unstructured.NestedSlice(spec, field)
			for _, c := range cs {
				m, _ := c.(map[string]any)
				img, _ := m["image"].(string)
				if img != "" && !seen[img] {
					seen[img] = true
					out = append(out, img)
				}
			}
		}
	}
	return out
}

// PodSpec is the pod template's spec of a workload (the spec of a Pod).
func PodSpec(u *unstructured.Unstructured) (map[string]any, bool) {
	switch u.GetKind() {
	case "Pod":
		m, ok, _ := unstructured.NestedMap(u.Object, "spec")
		return m, ok
	case "CronJob":
		m, ok, _ := unstructured.NestedMap(u.Object, "spec", "jobTemplate", "spec", "template", "spec")
		return m, ok
	case "Deployment", "DaemonSet", "StatefulSet", "ReplicaSet", "Job", "ReplicationController":
		m, ok, _ := unstructured.NestedMap(u.Object, "spec", "template", "spec")
		return m, ok
	}
	return nil, false
}
