package verify

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/labctl/labctl/i18n"
)

// Diagnoses: when the behaviour is wrong, the objects usually say why. A
// diagnosis names the field, what it says, and what it would need to say,
// in the student's language; checks put it in place of a generic message.

// diagnosis is a likely cause with its evidence.
type diagnosis struct {
	msg  i18n.Message
	args []any
	ev   []string
}

// outcome is the diagnosis as a failing outcome.
func (d *diagnosis) outcome() Outcome { return Failed(d.msg, d.args...).With(d.ev...) }

var (
	msgDiagImage         = i18n.M("diag.image", "pod %s cannot start: its image %s cannot be pulled (%s): check the image name and tag", "파드 %s 가 시작하지 못합니다: 이미지 %s 를 받을 수 없습니다 (%s): 이미지 이름과 태그를 확인하세요")
	msgDiagCrash         = i18n.M("diag.crash", "pod %s keeps crashing (container %s: %s): kubectl logs %s --previous shows why", "파드 %s 가 계속 죽습니다 (컨테이너 %s: %s): kubectl logs %s --previous 로 이유를 보세요")
	msgDiagConfig        = i18n.M("diag.config", "pod %s cannot create container %s: %s", "파드 %s 가 컨테이너 %s 를 만들지 못합니다: %s")
	msgDiagUnscheduled   = i18n.M("diag.unschedulable", "pod %s cannot be scheduled: %s", "파드 %s 를 배치할 노드가 없습니다: %s")
	msgDiagProbePort     = i18n.M("diag.probe-port", "pods of %s never become Ready: container %s's readinessProbe checks port %s, but the container's ports are %s: point the probe at the port the app listens on", "%s 의 파드가 Ready 가 되지 않습니다: 컨테이너 %s 의 readinessProbe 가 %s 포트를 보는데 컨테이너 포트는 %s 입니다: 앱이 듣는 포트로 probe 를 맞추세요")
	msgDiagProbeFails    = i18n.M("diag.probe-fails", "pods of %s are running but not Ready: the readinessProbe of container %s fails (%s)", "%s 의 파드가 실행 중이지만 Ready 가 아닙니다: 컨테이너 %s 의 readinessProbe 가 실패합니다 (%s)")
	msgDiagTargetPort    = i18n.M("diag.target-port", "Service %s port %s sends traffic to targetPort %s, but its pods listen on %s: set targetPort to one of those (number or name)", "Service %s 의 %s 포트가 targetPort %s 로 보내는데 파드는 %s 에서 듣습니다: targetPort 를 그중 하나로 (번호나 이름으로) 고치세요")
	msgDiagTargetName    = i18n.M("diag.target-name", "Service %s port %s targets the port named %q, but its pods have no container port of that name (they have: %s)", "Service %s 의 %s 포트가 이름이 %q 인 포트를 가리키는데 파드에 그런 이름의 컨테이너 포트가 없습니다 (있는 포트: %s)")
	msgDiagETPLocal      = i18n.M("diag.etp-local", "Service %s has externalTrafficPolicy: Local, so a node without one of its pods does not answer (pods on: %s): use Cluster (the default)", "Service %s 가 externalTrafficPolicy: Local 이라 파드가 없는 노드는 응답하지 않습니다 (파드가 있는 노드: %s): Cluster(기본값)로 두세요")
	msgDiagITPLocal      = i18n.M("diag.itp-local", "Service %s has internalTrafficPolicy: Local, so from a node without one of its pods it does not answer (pods on: %s): remove it (Cluster is the default)", "Service %s 가 internalTrafficPolicy: Local 이라 파드가 없는 노드에서는 응답하지 않습니다 (파드가 있는 노드: %s): 지우세요 (기본값은 Cluster)")
	msgDiagAffinityElse  = i18n.M("diag.affinity-elsewhere", "sessionAffinity: ClientIP is set on Service %[1]s, not on %[2]s: the step asks for it on %[2]s", "sessionAffinity: ClientIP 가 %[2]s 가 아닌 Service %[1]s 에 있습니다: 이 단계는 %[2]s 에 설정해야 합니다")
	msgDiagAffinityOn    = i18n.M("diag.affinity-on", "Service %s has sessionAffinity: %s, so one client always reaches one pod: this Service should have none", "Service %s 에 sessionAffinity: %s 가 있어서 한 클라이언트는 늘 한 파드로 갑니다: 이 Service 에는 어피니티가 없어야 합니다")
	msgDiagOtherPods     = i18n.M("diag.other-pods", "Service %s selects %s, and what answers is %s, not the pods this step is about: check spec.selector", "Service %s 가 %s 를 고르는데 응답하는 것은 이 단계의 파드가 아닌 %s 입니다: spec.selector 를 확인하세요")
	msgDiagEndpointsName = i18n.M("diag.endpoints-name", "Endpoints %s holds those addresses, but Endpoints belong to the Service of the same name: name it %s", "Endpoints %s 에 그 주소가 있지만 Endpoints 는 이름이 같은 Service 에 붙습니다: 이름을 %s 로 하세요")
	msgDiagSliceLabel    = i18n.M("diag.slice-label", "EndpointSlice %s holds those addresses but has no label kubernetes.io/service-name=%s, so it belongs to no Service", "EndpointSlice %s 에 그 주소가 있지만 kubernetes.io/service-name=%s 레이블이 없어서 어느 Service 에도 붙지 않습니다")
)

// podProblem says why the pods a Service selects are not serving, from
// the pods themselves: image, crash, configuration, scheduling, readiness.
func podProblem(ctx context.Context, env *Env, svcName string, pods []corev1.Pod) *diagnosis {
	for i := range pods {
		p := &pods[i]
		for _, cs := range append(append([]corev1.ContainerStatus{}, p.Status.InitContainerStatuses...), p.Status.ContainerStatuses...) {
			w := cs.State.Waiting
			if w == nil {
				continue
			}
			ev := []string{fmt.Sprintf("pod %s: %s: %s", p.Name, w.Reason, firstLine(w.Message))}
			switch w.Reason {
			case "ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull":
				return &diagnosis{msgDiagImage, []any{p.Name, cs.Image, w.Reason}, ev}
			case "CrashLoopBackOff":
				last := "exit"
				if t := cs.LastTerminationState.Terminated; t != nil {
					last = fmt.Sprintf("%s, exit code %d", t.Reason, t.ExitCode)
				}
				return &diagnosis{msgDiagCrash, []any{p.Name, cs.Name, last, p.Name}, ev}
			case "CreateContainerConfigError", "CreateContainerError", "RunContainerError":
				return &diagnosis{msgDiagConfig, []any{p.Name, cs.Name, firstLine(w.Message)}, ev}
			}
		}
		for _, c := range p.Status.Conditions {
			if c.Type == corev1.PodScheduled && c.Status == corev1.ConditionFalse && c.Reason == corev1.PodReasonUnschedulable {
				return &diagnosis{msgDiagUnscheduled, []any{p.Name, firstLine(c.Message)}, nil}
			}
		}
	}
	for i := range pods {
		p := &pods[i]
		if p.Status.Phase != corev1.PodRunning || podIsReady(p) {
			continue
		}
		for _, c := range p.Spec.Containers {
			pr := c.ReadinessProbe
			if pr == nil {
				continue
			}
			port := probePort(pr)
			if port.String() != "0" && !declares(c, port) && len(c.Ports) > 0 {
				return &diagnosis{msgDiagProbePort, []any{svcName, c.Name, port.String(), containerPorts(c)},
					[]string{fmt.Sprintf("pod %s: containers[%s].readinessProbe port %s; ports: %s", p.Name, c.Name, port.String(), containerPorts(c))}}
			}
			return &diagnosis{msgDiagProbeFails, []any{svcName, c.Name, probeEvent(ctx, env, p)}, nil}
		}
	}
	return nil
}

func probePort(pr *corev1.Probe) intstr.IntOrString {
	switch {
	case pr.HTTPGet != nil:
		return pr.HTTPGet.Port
	case pr.TCPSocket != nil:
		return pr.TCPSocket.Port
	case pr.GRPC != nil:
		return intstr.FromInt32(pr.GRPC.Port)
	}
	return intstr.FromInt32(0)
}

// declares reports whether a container declares the port (by number or name).
func declares(c corev1.Container, port intstr.IntOrString) bool {
	for _, cp := range c.Ports {
		if (port.Type == intstr.Int && cp.ContainerPort == port.IntVal) || (port.Type == intstr.String && cp.Name == port.StrVal) {
			return true
		}
	}
	return false
}

func containerPorts(c corev1.Container) string {
	var out []string
	for _, cp := range c.Ports {
		s := strconv.Itoa(int(cp.ContainerPort))
		if cp.Name != "" {
			s = cp.Name + ":" + s
		}
		out = append(out, s)
	}
	if len(out) == 0 {
		return "-"
	}
	return strings.Join(out, ", ")
}

// probeEvent is the kubelet's latest "Readiness probe failed" for a pod.
func probeEvent(ctx context.Context, env *Env, p *corev1.Pod) string {
	evs, err := env.Client.CoreV1().Events(p.Namespace).List(ctx, metav1.ListOptions{})
	if err != nil {
		return "kubectl describe pod " + p.Name
	}
	msg := ""
	for _, e := range evs.Items {
		if e.InvolvedObject.Name == p.Name && e.Reason == "Unhealthy" && strings.Contains(e.Message, "Readiness") {
			msg = firstLine(e.Message)
		}
	}
	if msg == "" {
		return "kubectl describe pod " + p.Name
	}
	return msg
}

// selected lists the pods a Service's selector matches.
func selected(ctx context.Context, env *Env, svc *corev1.Service) []corev1.Pod {
	if len(svc.Spec.Selector) == 0 {
		return nil
	}
	list, err := env.Client.CoreV1().Pods(svc.Namespace).List(ctx, metav1.ListOptions{
		LabelSelector: labels.SelectorFromSet(svc.Spec.Selector).String()})
	if err != nil {
		return nil
	}
	sort.Slice(list.Items, func(i, j int) bool { return list.Items[i].Name < list.Items[j].Name })
	return list.Items
}

// portProblem: the ready pods do not serve the Service port's targetPort.
func portProblem(svc *corev1.Service, sp *corev1.ServicePort, pods []corev1.Pod) *diagnosis {
	var ready []corev1.Pod
	for _, p := range pods {
		if podIsReady(&p) {
			ready = append(ready, p)
		}
	}
	if len(ready) == 0 {
		return nil
	}
	var have []string
	seen := map[string]bool{}
	found := false
	for _, c := range ready[0].Spec.Containers {
		if declares(c, sp.TargetPort) {
			found = true
		}
		for _, cp := range c.Ports {
			s := strconv.Itoa(int(cp.ContainerPort))
			if cp.Name != "" {
				s += " (" + cp.Name + ")"
			}
			if !seen[s] {
				seen[s] = true
				have = append(have, s)
			}
		}
	}
	if found {
		return nil
	}
	name := sp.Name
	if name == "" {
		name = strconv.Itoa(int(sp.Port))
	}
	ev := []string{env0(svc, sp), "pod " + ready[0].Name + " ports: " + strings.Join(have, ", ")}
	if sp.TargetPort.Type == intstr.String {
		return &diagnosis{msgDiagTargetName, []any{svc.Name, name, sp.TargetPort.StrVal, strings.Join(have, ", ")}, ev}
	}
	if len(have) == 0 { // nothing declared: the app may listen anyway
		return nil
	}
	return &diagnosis{msgDiagTargetPort, []any{svc.Name, name, sp.TargetPort.String(), strings.Join(have, ", ")}, ev}
}

func env0(svc *corev1.Service, sp *corev1.ServicePort) string {
	return fmt.Sprintf("Service %s: port %d targetPort %s", svc.Name, sp.Port, sp.TargetPort.String())
}

// diagnoseService looks for the likely reason a Service does not answer:
// its pods (image, crash, readiness), its ports, its traffic policies.
// sp is the port the check used (nil: every port).
func diagnoseService(ctx context.Context, env *Env, svc *corev1.Service, sp *corev1.ServicePort, from Vantage) *diagnosis {
	pods := selected(ctx, env, svc)
	ready := 0
	nodes := map[string]bool{}
	for i := range pods {
		if podIsReady(&pods[i]) {
			ready++
			nodes[pods[i].Spec.NodeName] = true
		}
	}
	if ready == 0 {
		if d := podProblem(ctx, env, svc.Name, pods); d != nil {
			return d
		}
	}
	ports := svc.Spec.Ports
	if sp != nil {
		ports = []corev1.ServicePort{*sp}
	}
	for i := range ports {
		if d := portProblem(svc, &ports[i], pods); d != nil {
			return d
		}
	}
	on := keys(nodes)
	if p := svc.Spec.ExternalTrafficPolicy; p == corev1.ServiceExternalTrafficPolicyLocal && (svc.Spec.Type == corev1.ServiceTypeNodePort || svc.Spec.Type == corev1.ServiceTypeLoadBalancer) {
		return &diagnosis{msgDiagETPLocal, []any{svc.Name, env.list(on)}, []string{"externalTrafficPolicy: Local"}}
	}
	if p := svc.Spec.InternalTrafficPolicy; p != nil && *p == corev1.ServiceInternalTrafficPolicyLocal && from == FromNode {
		return &diagnosis{msgDiagITPLocal, []any{svc.Name, env.list(on)}, []string{"internalTrafficPolicy: Local"}}
	}
	return nil
}

// owners names the workloads that own pods (Deployment via ReplicaSet).
func owners(pods []corev1.Pod) []string {
	set := map[string]bool{}
	for _, p := range pods {
		for _, o := range p.OwnerReferences {
			if o.Controller == nil || !*o.Controller {
				continue
			}
			name := o.Kind + " " + o.Name
			if o.Kind == "ReplicaSet" {
				if i := strings.LastIndexByte(o.Name, '-'); i > 0 {
					name = "Deployment " + o.Name[:i]
				}
			}
			set[name] = true
		}
		if len(p.OwnerReferences) == 0 {
			set["pod "+p.Name] = true
		}
	}
	return keys(set)
}

func notReadyPods(pods []corev1.Pod) []corev1.Pod {
	var out []corev1.Pod
	for _, p := range pods {
		if !podIsReady(&p) {
			out = append(out, p)
		}
	}
	return out
}

// affinityElsewhere names another Service that has ClientIP affinity over
// the same pods (the student set it on the wrong Service).
func affinityElsewhere(ctx context.Context, env *Env, svc *corev1.Service) string {
	list, err := env.Client.CoreV1().Services(svc.Namespace).List(ctx, metav1.ListOptions{})
	if err != nil {
		return ""
	}
	mine := map[string]bool{}
	for _, p := range selected(ctx, env, svc) {
		mine[p.Name] = true
	}
	for i := range list.Items {
		o := &list.Items[i]
		if o.Name == svc.Name || o.Spec.SessionAffinity != corev1.ServiceAffinityClientIP {
			continue
		}
		for _, p := range selected(ctx, env, o) {
			if mine[p.Name] {
				return o.Name
			}
		}
	}
	return ""
}

// samePort reports whether a Service's targetPort reaches the same
// container port as the one the step names (ports by name or number).
func samePort(ctx context.Context, env *Env, svc *corev1.Service, got intstr.IntOrString, want string) bool {
	w := intstr.Parse(want)
	for _, p := range selected(ctx, env, svc) {
		g, wn := resolvePort(p, got), resolvePort(p, w)
		if g != 0 && g == wn {
			return true
		}
	}
	return false
}

func resolvePort(p corev1.Pod, port intstr.IntOrString) int32 {
	if port.Type == intstr.Int {
		return port.IntVal
	}
	for _, c := range p.Spec.Containers {
		for _, cp := range c.Ports {
			if cp.Name == port.StrVal {
				return cp.ContainerPort
			}
		}
	}
	return 0
}

// addressesElsewhere: the wanted addresses are written down, but in an
// object the Service does not read.
func addressesElsewhere(ctx context.Context, env *Env, svc *corev1.Service, want []string) *diagnosis {
	wantS := strings.Join(want, ",")
	if eps, err := env.Client.CoreV1().Endpoints(svc.Namespace).List(ctx, metav1.ListOptions{}); err == nil {
		for _, e := range eps.Items {
			var got []string
			for _, ss := range e.Subsets {
				for _, a := range ss.Addresses {
					got = append(got, a.IP)
				}
			}
			sort.Slice(got, func(i, j int) bool { return ipLess(got[i], got[j]) })
			if e.Name != svc.Name && strings.Join(got, ",") == wantS {
				return &diagnosis{msgDiagEndpointsName, []any{e.Name, svc.Name}, nil}
			}
		}
	}
	if sls, err := env.Client.DiscoveryV1().EndpointSlices(svc.Namespace).List(ctx, metav1.ListOptions{}); err == nil {
		for _, sl := range sls.Items {
			if sl.Labels["kubernetes.io/service-name"] != "" {
				continue
			}
			var got []string
			for _, e := range sl.Endpoints {
				got = append(got, e.Addresses...)
			}
			sort.Slice(got, func(i, j int) bool { return ipLess(got[i], got[j]) })
			if strings.Join(got, ",") == wantS {
				return &diagnosis{msgDiagSliceLabel, []any{sl.Name, svc.Name}, nil}
			}
		}
	}
	return nil
}
