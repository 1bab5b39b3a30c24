package verify

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/labctl/labctl/apply"
	"github.com/labctl/labctl/i18n"
)

// The settled-state rule: one place decides whether the cluster can still
// change a check's answer. A check kind opts in by implementing Dependent;
// the runner then stops polling a wrong answer once nothing the check
// depends on is moving (after SettleGrace), and holds a passing answer
// while pods it depends on are still starting.

// Dependent is implemented by check kinds that can say what their answer
// depends on. Kinds that do not implement it poll until their deadline.
type Dependent interface {
	DependsOn(env *Env) Dependencies
}

// Dependencies are what a check reads: named objects and sets of pods.
// Naming a Service brings in the pods it selects, its EndpointSlices and,
// for a LoadBalancer, the address MetalLB gives it; naming an Ingress
// brings in its backend Services and its controller taking it up.
type Dependencies struct {
	Objects []ObjectRef
	Pods    []PodSet
	// Window is how long after a change the cluster may still be catching
	// up (controllers, kube-proxy, the ingress controller's reload, DNS
	// caches); 0 means DefaultSettleWindow.
	Window time.Duration
}

// ObjectRef names one object a check reads. Kind is one of Service,
// Endpoints, Ingress, Secret, ConfigMap, Pod, Deployment, ReplicaSet,
// DaemonSet; any other object is named by Resource (read through the
// dynamic client: recent changes and status.observedGeneration count).
type ObjectRef struct {
	Kind      string
	Resource  schema.GroupVersionResource
	Namespace string
	Name      string
}

// PodSet is the pods in a namespace that match a label selector.
type PodSet struct {
	Namespace string
	Selector  labels.Selector
}

// Service, Ingress, Secret, Endpoints are ObjectRefs of those kinds.
func Service(ns, name string) ObjectRef { return ObjectRef{Kind: "Service", Namespace: ns, Name: name} }
func Ingress(ns, name string) ObjectRef { return ObjectRef{Kind: "Ingress", Namespace: ns, Name: name} }
func Secret(ns, name string) ObjectRef  { return ObjectRef{Kind: "Secret", Namespace: ns, Name: name} }
func Endpoints(ns, name string) ObjectRef {
	return ObjectRef{Kind: "Endpoints", Namespace: ns, Name: name}
}

const (
	// DefaultSettleWindow is how long after its last change an object is
	// still moving: the EndpointSlice controller, kube-proxy (1 s minimum
	// sync), MetalLB and the ingress controller's reload all act within it.
	DefaultSettleWindow = 5 * time.Second
	// SettleGrace is how long a wrong answer must stay wrong on a settled
	// cluster before it fails.
	SettleGrace = 2 * time.Second
	// lbWindow: MetalLB assigns an address within a second when it can;
	// past this, a pending address is not coming.
	lbWindow = 15 * time.Second
	// catchUpWindow bounds "EndpointSlices not yet in line with the pods":
	// the controller acts in milliseconds, so a longer mismatch is the
	// state, not a delay.
	catchUpWindow = 10 * time.Second
	// startCap bounds how long a running, not-ready pod counts as starting
	// beyond what its readiness probe needs.
	startCap = 30 * time.Second
)

// Motion says whether the cluster can still change a check's answer.
type Motion struct {
	// Starting: pods it depends on are Pending, being created or deleted,
	// or not yet Ready (and not failing for good). A pass waits for these
	// too: the answer may change both ways.
	Starting []string
	// CatchingUp: objects changed within the window, EndpointSlices not yet
	// in line with the pods, an address or an ingress controller still to
	// come. Only a failure waits for these.
	CatchingUp []string
	// Routing: a routing object (Ingress, HTTPRoute, Gateway) changed so
	// recently that its controller may still serve the old rules (Traefik
	// applies changes at most every 2 s). A pass waits for these too: the
	// old rules may be the ones that passed.
	Routing []string
}

// Moving reports whether anything is still moving.
func (m Motion) Moving() bool { return len(m.Starting)+len(m.CatchingUp)+len(m.Routing) > 0 }

// HoldsPass reports whether a pass seen now may still turn into a failure.
func (m Motion) HoldsPass() bool { return len(m.Starting)+len(m.Routing) > 0 }

// routingLag is how long after a change a controller may still route by
// the old rules: Traefik's providers are throttled to one change in 2 s.
const routingLag = 3 * time.Second

// routing notes a routing object changed within routingLag.
func (s *settler) routing(kind string, m metav1.Object) {
	if age := s.now.Sub(lastChange(m)); age < routingLag {
		s.m.Routing = append(s.m.Routing, fmt.Sprintf("%s %s/%s changed %s ago: its controller may still route by the old rules", kind, m.GetNamespace(), m.GetName(), age.Round(100*time.Millisecond)))
	}
}

// Reasons lists what is moving.
func (m Motion) Reasons() []string {
	return append(append(append([]string{}, m.Starting...), m.CatchingUp...), m.Routing...)
}

// now is the clock the rule reads (tests replace it).
var now = time.Now

// Settle looks at everything deps names and says what is still moving.
func Settle(ctx context.Context, env *Env, deps Dependencies) (Motion, error) {
	s := &settler{env: env, window: deps.Window, now: now(), seenSvc: map[string]bool{}, seenPods: map[string]bool{}}
	if s.window == 0 {
		s.window = DefaultSettleWindow
	}
	for _, o := range deps.Objects {
		if err := s.object(ctx, o); err != nil {
			return Motion{}, err
		}
	}
	for _, p := range deps.Pods {
		if err := s.pods(ctx, p, ""); err != nil {
			return Motion{}, err
		}
	}
	sort.Strings(s.m.Starting)
	sort.Strings(s.m.CatchingUp)
	return s.m, nil
}

type settler struct {
	env      *Env
	window   time.Duration
	now      time.Time
	m        Motion
	seenSvc  map[string]bool
	seenPods map[string]bool
}

func (s *settler) starting(f string, a ...any) {
	s.m.Starting = append(s.m.Starting, fmt.Sprintf(f, a...))
}
func (s *settler) catchingUp(f string, a ...any) {
	s.m.CatchingUp = append(s.m.CatchingUp, fmt.Sprintf(f, a...))
}

// lastChange is when an object was created or last written by anyone.
func lastChange(m metav1.Object) time.Time {
	t := m.GetCreationTimestamp().Time
	for _, f := range m.GetManagedFields() {
		if f.Time != nil && f.Time.After(t) {
			t = f.Time.Time
		}
	}
	return t
}

// recent notes an object changed within the window (or being deleted).
func (s *settler) recent(kind string, m metav1.Object) {
	if m.GetDeletionTimestamp() != nil {
		s.catchingUp("%s %s/%s is being deleted", kind, m.GetNamespace(), m.GetName())
		return
	}
	if age := s.now.Sub(lastChange(m)); age < s.window {
		s.catchingUp("%s %s/%s changed %s ago", kind, m.GetNamespace(), m.GetName(), age.Round(100*time.Millisecond))
	}
}

func (s *settler) object(ctx context.Context, o ObjectRef) error {
	c := s.env.Client
	var m metav1.Object
	var err error
	switch o.Kind {
	case "Service":
		return s.service(ctx, o.Namespace, o.Name)
	case "Ingress":
		return s.ingress(ctx, o.Namespace, o.Name)
	case "Endpoints":
		m, err = c.CoreV1().Endpoints(o.Namespace).Get(ctx, o.Name, metav1.GetOptions{})
	case "Secret":
		m, err = c.CoreV1().Secrets(o.Namespace).Get(ctx, o.Name, metav1.GetOptions{})
	case "ConfigMap":
		m, err = c.CoreV1().ConfigMaps(o.Namespace).Get(ctx, o.Name, metav1.GetOptions{})
	case "Pod":
		p, err := c.CoreV1().Pods(o.Namespace).Get(ctx, o.Name, metav1.GetOptions{})
		if err == nil {
			s.pod(p)
		}
		return ignoreNotFound(err)
	case "Deployment", "ReplicaSet", "DaemonSet":
		sel, err := s.workloadSelector(ctx, o)
		if err != nil || sel == nil {
			return ignoreNotFound(err)
		}
		return s.pods(ctx, PodSet{Namespace: o.Namespace, Selector: sel}, "")
	default:
		if s.env.Dynamic == nil || o.Resource.Resource == "" {
			return nil
		}
		u, err := s.env.Dynamic.Resource(o.Resource).Namespace(o.Namespace).Get(ctx, o.Name, metav1.GetOptions{})
		if err != nil {
			return ignoreNotFound(err)
		}
		s.recent(o.Resource.Resource, u)
		if g := o.Resource.Group; g == "gateway.networking.k8s.io" {
			s.routing(o.Resource.Resource, u)
		}
		s.observed(u)
		return nil
	}
	if err != nil {
		return ignoreNotFound(err)
	}
	s.recent(o.Kind, m)
	return nil
}

// observed: a controller has not yet seen the object's latest generation
// (status.observedGeneration, or the conditions' observedGeneration as
// Gateway API controllers write it).
func (s *settler) observed(u *unstructured.Unstructured) {
	gen := u.GetGeneration()
	if gen == 0 {
		return
	}
	if og, ok, _ := unstructured.NestedInt64(u.Object, "status", "observedGeneration"); ok && og < gen {
		s.catchingUp("%s %s/%s: generation %d not yet observed", u.GetKind(), u.GetNamespace(), u.GetName(), gen)
		return
	}
	conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
	for _, c := range conds {
		if cm, ok := c.(map[string]any); ok {
			if og, ok := cm["observedGeneration"].(int64); ok && og < gen {
				s.catchingUp("%s %s/%s: generation %d not yet observed", u.GetKind(), u.GetNamespace(), u.GetName(), gen)
				return
			}
		}
	}
}

func ignoreNotFound(err error) error {
	if apierrors.IsNotFound(err) {
		return nil
	}
	return err
}

func (s *settler) service(ctx context.Context, ns, name string) error {
	key := ns + "/" + name
	if s.seenSvc[key] {
		return nil
	}
	s.seenSvc[key] = true
	svc, err := s.env.Client.CoreV1().Services(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return ignoreNotFound(err)
	}
	// kube-proxy routes by the Service and its EndpointSlices, and writes
	// a change into the nodes' rules a moment later (1 s minimum sync): a
	// pass seen right after one may come from the old rules (all requests
	// on the one endpoint kube-proxy knew looks like session affinity).
	s.recent("Service", svc)
	s.routing("Service", svc)
	slices, err := s.env.Client.DiscoveryV1().EndpointSlices(ns).List(ctx, metav1.ListOptions{
		LabelSelector: labels.SelectorFromSet(labels.Set{discoveryv1.LabelServiceName: name}).String()})
	if err != nil {
		return err
	}
	for i := range slices.Items {
		s.recent("EndpointSlice", &slices.Items[i])
		s.routing("EndpointSlice", &slices.Items[i])
	}
	if len(svc.Spec.Selector) == 0 {
		// manual Endpoints, mirrored into EndpointSlices
		if ep, err := s.env.Client.CoreV1().Endpoints(ns).Get(ctx, name, metav1.GetOptions{}); err == nil {
			s.recent("Endpoints", ep)
		}
	} else {
		if err := s.pods(ctx, PodSet{Namespace: ns, Selector: labels.SelectorFromSet(svc.Spec.Selector)}, ""); err != nil {
			return err
		}
		s.endpointsInLine(ctx, svc, slices.Items)
	}
	if svc.Spec.Type == corev1.ServiceTypeLoadBalancer {
		s.loadBalancer(ctx, svc)
	}
	return nil
}

// endpointsInLine: the ready addresses of the Service's EndpointSlices are
// the ready pods' IPs, or the controller is still catching up.
func (s *settler) endpointsInLine(ctx context.Context, svc *corev1.Service, slices []discoveryv1.EndpointSlice) {
	pods, err := s.env.Client.CoreV1().Pods(svc.Namespace).List(ctx, metav1.ListOptions{
		LabelSelector: labels.SelectorFromSet(svc.Spec.Selector).String()})
	if err != nil {
		return
	}
	want := map[string]bool{}
	latest := time.Time{}
	for i := range pods.Items {
		p := &pods.Items[i]
		if podIsReady(p) && p.DeletionTimestamp == nil && p.Status.PodIP != "" {
			want[p.Status.PodIP] = true
		}
		if c := readyCondition(p); c != nil && c.LastTransitionTime.After(latest) {
			latest = c.LastTransitionTime.Time
		}
	}
	got := map[string]bool{}
	for i := range slices {
		if t := lastChange(&slices[i]); t.After(latest) {
			latest = t
		}
		for _, e := range slices[i].Endpoints {
			if e.Conditions.Ready == nil || *e.Conditions.Ready {
				for _, a := range e.Addresses {
					got[a] = true
				}
			}
		}
	}
	if s.now.Sub(latest) >= catchUpWindow {
		return
	}
	for ip := range want {
		if !got[ip] {
			s.catchingUp("EndpointSlices of %s/%s do not list ready pod %s yet", svc.Namespace, svc.Name, ip)
			return
		}
	}
}

// loadBalancer: no address yet, MetalLB's controller running and the
// Service recently changed (MetalLB answers within a second when it can).
func (s *settler) loadBalancer(ctx context.Context, svc *corev1.Service) {
	for _, in := range svc.Status.LoadBalancer.Ingress {
		if in.IP != "" || in.Hostname != "" {
			return
		}
	}
	if svc.Spec.LoadBalancerClass != nil && *svc.Spec.LoadBalancerClass != "" {
		return // not MetalLB's: nothing here will give it an address
	}
	if s.now.Sub(lastChange(svc)) >= lbWindow {
		return
	}
	d, err := s.env.Client.AppsV1().Deployments("metallb-system").Get(ctx, "controller", metav1.GetOptions{})
	if err != nil || d.Status.ReadyReplicas == 0 {
		return
	}
	// MetalLB said it cannot (an address outside its pools, a pool used up)
	if evs, err := s.env.Client.CoreV1().Events(svc.Namespace).List(ctx, metav1.ListOptions{}); err == nil {
		for _, e := range evs.Items {
			if e.InvolvedObject.Kind == "Service" && e.InvolvedObject.Name == svc.Name && e.Reason == "AllocationFailed" &&
				!eventTime(e).Before(lastChange(svc).Add(-time.Second)) {
				return
			}
		}
	}
	s.catchingUp("Service %s/%s waits for an EXTERNAL-IP from MetalLB", svc.Namespace, svc.Name)
}

func (s *settler) ingress(ctx context.Context, ns, name string) error {
	ing, err := s.env.Client.NetworkingV1().Ingresses(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return ignoreNotFound(err)
	}
	s.recent("Ingress", ing)
	s.routing("Ingress", ing)
	if len(ing.Status.LoadBalancer.Ingress) == 0 && s.now.Sub(lastChange(ing)) < lbWindow && classProblem(ctx, s.env, ing) == nil {
		s.catchingUp("Ingress %s/%s is not yet taken up by its controller", ns, name)
	}
	for _, t := range ing.Spec.TLS {
		if t.SecretName != "" {
			if err := s.object(ctx, Secret(ns, t.SecretName)); err != nil {
				return err
			}
		}
	}
	for _, b := range ingressBackends(ing) {
		if err := s.service(ctx, ns, b.Name); err != nil {
			return err
		}
	}
	return nil
}

func (s *settler) workloadSelector(ctx context.Context, o ObjectRef) (labels.Selector, error) {
	var ls *metav1.LabelSelector
	a := s.env.Client.AppsV1()
	switch o.Kind {
	case "Deployment":
		d, err := a.Deployments(o.Namespace).Get(ctx, o.Name, metav1.GetOptions{})
		if err != nil {
			return nil, err
		}
		s.deployment(d)
		ls = d.Spec.Selector
	case "ReplicaSet":
		r, err := a.ReplicaSets(o.Namespace).Get(ctx, o.Name, metav1.GetOptions{})
		if err != nil {
			return nil, err
		}
		s.replicaSet(r)
		ls = r.Spec.Selector
	case "DaemonSet":
		d, err := a.DaemonSets(o.Namespace).Get(ctx, o.Name, metav1.GetOptions{})
		if err != nil {
			return nil, err
		}
		if d.Status.ObservedGeneration < d.Generation || d.Status.UpdatedNumberScheduled < d.Status.DesiredNumberScheduled ||
			d.Status.CurrentNumberScheduled < d.Status.DesiredNumberScheduled {
			s.starting("DaemonSet %s/%s is rolling out", d.Namespace, d.Name)
		}
		ls = d.Spec.Selector
	}
	if ls == nil {
		return nil, nil
	}
	return metav1.LabelSelectorAsSelector(ls)
}

func (s *settler) deployment(d *appsv1.Deployment) {
	want := int32(1)
	if d.Spec.Replicas != nil {
		want = *d.Spec.Replicas
	}
	switch {
	case d.Status.ObservedGeneration < d.Generation:
		s.starting("Deployment %s/%s: the change is not yet rolled out", d.Namespace, d.Name)
	case d.Status.UpdatedReplicas < want:
		s.starting("Deployment %s/%s is rolling out (%d of %d updated)", d.Namespace, d.Name, d.Status.UpdatedReplicas, want)
	}
}

func (s *settler) replicaSet(r *appsv1.ReplicaSet) {
	want := int32(1)
	if r.Spec.Replicas != nil {
		want = *r.Spec.Replicas
	}
	if r.Status.ObservedGeneration < r.Generation || r.Status.Replicas != want {
		s.starting("ReplicaSet %s/%s has %d pods, wants %d", r.Namespace, r.Name, r.Status.Replicas, want)
	}
}

// pods looks at the pods of a set and at the controllers that own them.
func (s *settler) pods(ctx context.Context, ps PodSet, _ string) error {
	c := s.env.Client
	list, err := c.CoreV1().Pods(ps.Namespace).List(ctx, metav1.ListOptions{LabelSelector: ps.Selector.String()})
	if err != nil {
		return err
	}
	owners := map[string]bool{}
	for i := range list.Items {
		p := &list.Items[i]
		key := p.Namespace + "/" + p.Name
		if s.seenPods[key] {
			continue
		}
		s.seenPods[key] = true
		s.pod(p)
		for _, o := range p.OwnerReferences {
			if o.Controller != nil && *o.Controller && o.Kind == "ReplicaSet" {
				owners[o.Name] = true
			}
		}
	}
	// ReplicaSets whose template matches: pods about to be created or
	// deleted (a scale, a rollout), and the Deployments that own them.
	rss, err := c.AppsV1().ReplicaSets(ps.Namespace).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil // RBAC or a fake without apps: the pods alone decide
	}
	deps := map[string]bool{}
	for i := range rss.Items {
		r := &rss.Items[i]
		if !owners[r.Name] && !ps.Selector.Matches(labels.Set(r.Spec.Template.Labels)) {
			continue
		}
		s.replicaSet(r)
		for _, o := range r.OwnerReferences {
			if o.Kind == "Deployment" {
				deps[o.Name] = true
			}
		}
	}
	ds, err := c.AppsV1().Deployments(ps.Namespace).List(ctx, metav1.ListOptions{})
	if err == nil {
		for i := range ds.Items {
			d := &ds.Items[i]
			if deps[d.Name] || ps.Selector.Matches(labels.Set(d.Spec.Template.Labels)) {
				s.deployment(d)
			}
		}
	}
	return nil
}

// Container states that waiting will not fix.
var stuckReasons = map[string]bool{
	"CrashLoopBackOff": true, "ErrImagePull": true, "ImagePullBackOff": true, "InvalidImageName": true,
	"CreateContainerConfigError": true, "CreateContainerError": true, "ErrImageNeverPull": true, "RunContainerError": true,
}

// pod notes a pod that is still starting: Pending (not unschedulable),
// containers being created, or Ready not yet reached while the readiness
// probe may still pass.
func (s *settler) pod(p *corev1.Pod) {
	name := p.Namespace + "/" + p.Name
	if p.DeletionTimestamp != nil {
		// Going away: its endpoint is already out, and it may take its
		// whole grace period (30 s for a PID 1 that ignores SIGTERM).
		return
	}
	if p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed {
		return
	}
	for _, cs := range append(append([]corev1.ContainerStatus{}, p.Status.InitContainerStatuses...), p.Status.ContainerStatuses...) {
		if w := cs.State.Waiting; w != nil && stuckReasons[w.Reason] {
			return // failing for good: the diagnosis says why
		}
	}
	if p.Status.Phase == corev1.PodPending {
		for _, c := range p.Status.Conditions {
			if c.Type == corev1.PodScheduled && c.Status == corev1.ConditionFalse && c.Reason == corev1.PodReasonUnschedulable {
				return
			}
		}
		s.starting("pod %s is %s", name, podPhrase(p))
		return
	}
	if podIsReady(p) {
		return
	}
	// Running, not Ready: starting while its readiness probe may still pass.
	started := p.Status.StartTime
	for _, cs := range p.Status.ContainerStatuses {
		if r := cs.State.Running; r != nil && (started == nil || r.StartedAt.After(started.Time)) {
			started = &r.StartedAt
		}
	}
	if started == nil || s.now.Sub(started.Time) < readinessBudget(p) {
		s.starting("pod %s is not Ready yet", name)
	}
}

// readinessBudget is how long a started pod may take to become Ready
// (apply's rule, which `labctl apply` waits by), bounded by startCap.
func readinessBudget(p *corev1.Pod) time.Duration {
	return min(apply.ReadinessBudget(p), startCap)
}

// eventTime is when an event last happened.
func eventTime(e corev1.Event) time.Time {
	for _, t := range []time.Time{e.LastTimestamp.Time, e.EventTime.Time, e.FirstTimestamp.Time, e.CreationTimestamp.Time} {
		if !t.IsZero() {
			return t
		}
	}
	return time.Time{}
}

func podPhrase(p *corev1.Pod) string {
	for _, cs := range p.Status.ContainerStatuses {
		if w := cs.State.Waiting; w != nil && w.Reason != "" {
			return w.Reason
		}
	}
	return string(p.Status.Phase)
}

func readyCondition(p *corev1.Pod) *corev1.PodCondition {
	for i, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return &p.Status.Conditions[i]
		}
	}
	return nil
}

// podIsReady is the pod's own Ready condition: what counts as ready in
// every check, whatever a Service publishes.
func podIsReady(p *corev1.Pod) bool {
	c := readyCondition(p)
	return c != nil && c.Status == corev1.ConditionTrue && p.DeletionTimestamp == nil
}

// serviceDeps is what a check on one Service depends on.
func serviceDeps(ns string, names ...string) Dependencies {
	var d Dependencies
	for _, n := range names {
		if n != "" {
			d.Objects = append(d.Objects, Service(ns, n))
		}
	}
	return d
}

// settledNote renders why a failure came early, or what was still moving
// when the deadline came.
var (
	msgSettledNote   = i18n.M("check.settled", "did not wait: nothing this check depends on was changing (the cluster had settled)", "기다리지 않았습니다: 이 확인이 기대는 것 중 바뀌고 있는 것이 없었습니다 (클러스터가 안정된 상태)")
	msgStillStarting = i18n.M("check.still-starting", "the answer looked right, but pods it depends on were still starting at the deadline: %s", "답은 맞아 보였지만 마감 시각까지 이 확인이 기대는 파드가 아직 시작 중이었습니다: %s")
	msgStillRouting  = i18n.M("check.still-routing", "the answer looked right, but what it depends on kept changing until the deadline, so the old rules may have given it: %s", "답은 맞아 보였지만 이 확인이 기대는 것이 마감 시각까지 계속 바뀌어, 예전 규칙이 낸 답일 수 있습니다: %s")
	evStillMoving    = i18n.M("evidence.still-moving", "still changing at the deadline: %s", "마감 시각에도 바뀌는 중: %s")
)

func joinReasons(rs []string) string {
	if len(rs) > 4 {
		rs = append(rs[:4:4], fmt.Sprintf("… (+%d)", len(rs)-4))
	}
	return strings.Join(rs, "; ")
}
