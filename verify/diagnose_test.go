package verify

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// waiting makes a pod's container wait for reason (not Ready).
func waiting(p *corev1.Pod, image, reason, msg string) *corev1.Pod {
	notReady(p)
	p.Status.Phase = corev1.PodPending
	p.Spec.Containers[0].Image = image
	p.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: "app", Image: image,
		State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: reason, Message: msg}}}}
	return p
}

func TestDiagnoses(t *testing.T) {
	const three = `{service: http-go-svc, minReady: 3}`
	fromNode := `{service: http-go-svc, port: "80", from: node}`
	t.Run("an image that cannot be pulled, named with the pod's reason", func(t *testing.T) {
		var pods []runtime.Object
		for _, p := range httpGo(3) {
			pods = append(pods, waiting(p.(*corev1.Pod), "registry.k8s.io/e2e-test-images/agnhost:9.99", "ImagePullBackOff", `Back-off pulling image "registry.k8s.io/e2e-test-images/agnhost:9.99"`))
		}
		l := newLab(t, objs(pods, one(httpGoSvc()))...)
		expect(t, l.check("serviceEndpoints", three), "fail", msgDiagImage,
			"pod http-go-a cannot start: its image registry.k8s.io/e2e-test-images/agnhost:9.99 cannot be pulled (ImagePullBackOff)", "Back-off pulling image")
	})
	t.Run("crash loop", func(t *testing.T) {
		p := waiting(pod("http-go-a", "10.244.1.10", "lab-worker", "app=http-go"), "agnhost", "CrashLoopBackOff", "back-off 20s restarting failed container")
		p.Status.Phase = corev1.PodRunning
		p.Status.ContainerStatuses[0].LastTerminationState.Terminated = &corev1.ContainerStateTerminated{Reason: "Error", ExitCode: 2}
		l := newLab(t, p, httpGoSvc())
		expect(t, l.check("serviceEndpoints", three), "fail", msgDiagCrash, "pod http-go-a keeps crashing (container app: Error, exit code 2)", "kubectl logs http-go-a --previous")
	})
	t.Run("readiness probe on a port the container does not listen on", func(t *testing.T) {
		var pods []runtime.Object
		for _, o := range httpGo(3) {
			p := notReady(o.(*corev1.Pod))
			p.Spec.Containers[0].ReadinessProbe = &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/", Port: intstr.FromInt32(8081)}}}
			pods = append(pods, p)
		}
		l := newLab(t, objs(pods, one(httpGoSvc()))...)
		expect(t, l.check("serviceEndpoints", three), "fail", msgDiagProbePort,
			"container app's readinessProbe checks port 8081, but the container's ports are http:8080", "containers[app].readinessProbe port 8081")
	})
	t.Run("readiness probe failing: the kubelet's event", func(t *testing.T) {
		p := notReady(pod("http-go-a", "10.244.1.10", "lab-worker", "app=http-go", cport{name: "http", port: 8080}))
		p.Spec.Containers[0].ReadinessProbe = &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/healthz", Port: intstr.FromString("http")}}}
		ev := &corev1.Event{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "e1"}, InvolvedObject: corev1.ObjectReference{Kind: "Pod", Name: "http-go-a"},
			Reason: "Unhealthy", Message: "Readiness probe failed: HTTP probe failed with statuscode: 404"}
		l := newLab(t, p, ev, httpGoSvc())
		expect(t, l.check("serviceEndpoints", three), "fail", msgDiagProbeFails, "the readinessProbe of container app fails (Readiness probe failed: HTTP probe failed with statuscode: 404)")
	})
	t.Run("a named targetPort no container port has", func(t *testing.T) {
		l := newLab(t, objs(httpGo(3), one(svcObj("http-go-svc", httpGoIP, "app=http-go", svcPort("", 80, "web"))))...)
		expect(t, l.check("serviceReachable", fromNode), "fail", msgDiagTargetName,
			`targets the port named "web", but its pods have no container port of that name (they have: 8080 (http))`)
	})
	t.Run("externalTrafficPolicy Local: nodes without pods are silent", func(t *testing.T) {
		s := withType(svcObj("http-go-np", "10.96.100.40", "app=http-go", svcPort("", 80, 8080)), corev1.ServiceTypeNodePort)
		s.Spec.Ports[0].NodePort = 30001
		s.Spec.ExternalTrafficPolicy = corev1.ServiceExternalTrafficPolicyLocal
		l := newLab(t, objs(kindNodes(), httpGo(1), one(s))...)
		l.net.silentNodes["172.18.0.2"] = true
		expect(t, l.check("nodePort", `{service: http-go-np, nodePort: 30001}`), "fail", msgDiagETPLocal,
			"Service http-go-np has externalTrafficPolicy: Local, so a node without one of its pods does not answer (pods on: lab-worker)")
	})
	t.Run("sessionAffinity set on the other Service", func(t *testing.T) {
		l := newLab(t, objs(httpGo(3), one(affinitySvc("http-go-affinity", corev1.ServiceAffinityNone), affinitySvc("http-go-svc2", corev1.ServiceAffinityClientIP)))...)
		expect(t, l.check("sessionAffinity", `{service: http-go-affinity, expect: sticky}`), "fail", msgDiagAffinityElse,
			"sessionAffinity: ClientIP is set on Service http-go-svc2, not on http-go-affinity")
	})
	t.Run("Endpoints not named like the Service", func(t *testing.T) {
		// The lesson teaches Endpoints, as the notes do; a check must read them.
		//lint:ignore SA1019 see above
		subsets := []corev1.EndpointSubset{{Addresses: []corev1.EndpointAddress{{IP: "22.22.22.22"}, {IP: "11.11.11.11"}}}}
		//lint:ignore SA1019 see above
		ep := &corev1.Endpoints{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "external-svc"}, Subsets: subsets}
		l := newLab(t, svcObj("external-service", "10.96.100.70", "", svcPort("", 80, 80)), ep)
		expect(t, l.check("serviceEndpoints", `{service: external-service, selectorless: true, addresses: [11.11.11.11, 22.22.22.22]}`), "fail", msgDiagEndpointsName,
			"Endpoints external-svc holds those addresses", "name it external-service")
	})
	t.Run("an EndpointSlice without the service-name label", func(t *testing.T) {
		sl := mirroredSlice("external-service", "11.11.11.11", "22.22.22.22")
		delete(sl.Labels, discoveryv1.LabelServiceName)
		l := newLab(t, svcObj("external-service", "10.96.100.70", "", svcPort("", 80, 80)), sl)
		expect(t, l.check("serviceEndpoints", `{service: external-service, selectorless: true, addresses: [11.11.11.11, 22.22.22.22]}`), "fail", msgDiagSliceLabel,
			"no label kubernetes.io/service-name=external-service")
	})
	t.Run("an EndpointSlice written by hand, with the label: correct", func(t *testing.T) {
		sl := mirroredSlice("external-service", "11.11.11.11", "22.22.22.22")
		delete(sl.Labels, discoveryv1.LabelManagedBy)
		l := newLab(t, svcObj("external-service", "10.96.100.70", "", svcPort("", 80, 80)), sl)
		expect(t, l.check("serviceEndpoints", `{service: external-service, selectorless: true, addresses: [11.11.11.11, 22.22.22.22]}`), "pass", msgEndpointsExact)
	})
	t.Run("MetalLB asked for an address outside its pool", func(t *testing.T) {
		s := lbSvc("")
		s.Annotations = map[string]string{metallbIPsAnnotation: "10.0.0.5"}
		l := newLab(t, objs(kindNodes(), httpGo(3), one(s))...)
		l.pool("lab-pool", "172.18.255.200-172.18.255.250")
		expect(t, l.check("loadBalancerIP", `{service: http-go-lb}`), "fail", msgDiagLBAnnotation,
			"asks MetalLB for 10.0.0.5 (metallb.io/loadBalancerIPs), which is not in its pool 172.18.255.200-172.18.255.250")
	})
	t.Run("MetalLB's annotation inside the pool: correct", func(t *testing.T) {
		s := lbSvc("172.18.255.210")
		s.Annotations = map[string]string{metallbIPsAnnotation: "172.18.255.210"}
		l := newLab(t, objs(kindNodes(), httpGo(3), one(s))...)
		l.pool("lab-pool", "172.18.255.200-172.18.255.250")
		expect(t, l.check("loadBalancerIP", `{service: http-go-lb}`), "pass", msgLBAnswers)
	})
}
