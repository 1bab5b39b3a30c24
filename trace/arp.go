package trace

import (
	"context"
	"regexp"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// l2StatusGVR is MetalLB's own report of which node announces a Service in
// layer 2 mode (MetalLB v0.14+; labctl installs v0.15).
var l2StatusGVR = schema.GroupVersionResource{Group: "metallb.io", Version: "v1beta1", Resource: "servicel2statuses"}

// announcing is the speaker's event on the Service:
// announcing from node "lab-worker" with protocol "layer2".
var announcing = regexp.MustCompile(`announcing from node "([^"]+)"`)

// arp says which node answers ARP for the Service's LoadBalancer address:
// MetalLB's ServiceL2Status, or failing that the speaker's latest event.
func (tr *Tracer) arp(ctx context.Context, svc *corev1.Service) *ARP {
	if tr.Dynamic != nil {
		list, err := tr.Dynamic.Resource(l2StatusGVR).Namespace("").List(ctx, metav1.ListOptions{})
		if err == nil {
			for _, it := range list.Items {
				name, _, _ := unstructured.NestedString(it.Object, "status", "serviceName")
				ns, _, _ := unstructured.NestedString(it.Object, "status", "serviceNamespace")
				node, _, _ := unstructured.NestedString(it.Object, "status", "node")
				if name == svc.Name && ns == svc.Namespace && node != "" {
					return &ARP{Node: node, Source: "ServiceL2Status"}
				}
			}
		}
	}
	evs, err := tr.Client.CoreV1().Events(svc.Namespace).List(ctx, metav1.ListOptions{
		FieldSelector: fields.AndSelectors(fields.OneTermEqualSelector("involvedObject.kind", "Service"),
			fields.OneTermEqualSelector("involvedObject.name", svc.Name)).String()})
	if err != nil {
		return nil
	}
	var best *ARP
	var at metav1.Time
	for _, e := range evs.Items {
		m := announcing.FindStringSubmatch(e.Message)
		if m == nil || e.InvolvedObject.Name != svc.Name {
			continue
		}
		t := e.LastTimestamp
		if best == nil || at.Before(&t) {
			best, at = &ARP{Node: m[1], Source: "event"}, t
		}
	}
	return best
}
