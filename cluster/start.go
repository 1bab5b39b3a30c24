package cluster

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/kind/pkg/cluster/constants"

	"github.com/labctl/labctl/apply"
	"github.com/labctl/labctl/cluster/addons"
	"github.com/labctl/labctl/cluster/internal/runtime"
	"github.com/labctl/labctl/i18n"
)

// startNodes starts the node containers that do not run, in kind's order
// (the control-plane first, so the workers' kubelets find their API server
// sooner; then the others at the same time, a second or more saved per
// worker), and unpauses paused ones. Their state on disk (etcd, images,
// kubelet and kubeadm files) is what it was: every object survives.
func startNodes(ctx context.Context, rt runtime.Runtime, cs []runtime.NodeContainer) error {
	start := func(c runtime.NodeContainer) error {
		var err error
		switch c.State {
		case "running":
			return nil
		case "paused":
			_, err = rt.Output(ctx, "unpause", c.Name)
		default:
			_, err = rt.Output(ctx, "start", c.Name)
		}
		if err != nil {
			return i18n.Errorf(msgStartFailed, c.Name).Wrap(err).WithFix(fixStartFailed)
		}
		return nil
	}
	var rest []runtime.NodeContainer
	for _, c := range cs {
		if c.Role != constants.ControlPlaneNodeRoleValue {
			rest = append(rest, c)
			continue
		}
		if err := start(c); err != nil {
			return err
		}
	}
	errs := make([]error, len(rest))
	each(rest, func(i int, c runtime.NodeContainer) { errs[i] = start(c) })
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// Stop stops the lab's node containers (workers first, the control-plane
// last, so no kubelet outlives its API server by long) and gives their
// memory back. The containers, their disks and the kubeconfig stay:
// Start (or Up) brings back every object. A stopped lab is not an error.
func Stop(ctx context.Context, name string, env Env) error {
	if name == "" {
		name = defaultName
	}
	if err := env.resolve(); err != nil {
		return err
	}
	if _, err := env.rt.Info(ctx); err != nil {
		return err
	}
	state, cs, err := runtime.ReadState(ctx, env.rt, name)
	if err != nil {
		return err
	}
	switch state {
	case runtime.LabMissing:
		return i18n.Errorf(msgNoCluster, name).Marked(ErrNoCluster).WithFix(runtime.FixNoCluster)
	case LabStopped:
		env.note(noteAlreadyStopped, name)
		return nil
	}
	err = env.step(stepStopNodes.F(env.Lang, name), func() error {
		// One call: the runtime stops them in parallel, each with its grace
		// period (systemd in the node shuts the kubelet and containerd down).
		args := []string{"stop", "--time", "10"}
		for i := len(cs) - 1; i >= 0; i-- {
			if cs[i].State != "exited" && cs[i].State != "created" {
				args = append(args, cs[i].Name)
			}
		}
		if cs := args[3:]; len(cs) == 0 {
			return nil
		}
		_, err := env.rt.Output(ctx, args...)
		return err
	})
	if err != nil {
		return i18n.Errorf(runtime.MsgDown, env.rt.Name).Wrap(err).WithFix(runtime.FixDown)
	}
	env.note(noteStopped, runtime.StartCommand(name))
	return nil
}

// waitBack waits until every node started at since has said so (a Ready
// condition written after since: before that, Kubernetes still shows what
// it knew when the lab stopped) and every kube-system and add-on pod on
// those nodes is Ready again since then. Workloads' status alone would
// answer at once with what they were before the stop.
func waitBack(ctx context.Context, lab *Lab, started map[string]bool, since time.Time, deadline time.Duration, env Env) error {
	ctx, cancel := context.WithTimeout(ctx, deadline)
	defer cancel()
	since = since.Add(-time.Second).Truncate(time.Second) // the API keeps seconds
	fresh := func(t metav1.Time) bool { return !t.Time.Before(since) }
	namespaces := []string{metav1.NamespaceSystem, addons.MetalLB.Namespace, addons.Nginx.Namespace, addons.Traefik.Namespace}
	kicked := map[string]int{}       // by pod UID, and by workload and node
	synced := map[string]time.Time{} // by node: kube-proxy's first sync it reported
	start := time.Now()
	return apply.Until(ctx, time.Second, func() (bool, string, error) {
		freeStaleLeases(ctx, lab, started, since)
		nodes, err := lab.Client.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
		if err != nil {
			return false, err.Error(), nil
		}
		back, want := 0, 0
		for _, n := range nodes.Items {
			if !started[n.Name] {
				continue
			}
			want++
			for _, c := range n.Status.Conditions {
				if c.Type == corev1.NodeReady && c.Status == corev1.ConditionTrue && fresh(c.LastHeartbeatTime) {
					back++
				}
			}
		}
		if back < want {
			msg := msgNodesReady.F(env.Lang, back, want)
			env.Reporter.Progress(msg)
			return false, msg, nil
		}
		var all []corev1.Pod
		for _, ns := range namespaces {
			pods, err := lab.Client.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
			if err != nil {
				return false, err.Error(), nil
			}
			all = append(all, pods.Items...)
		}
		rules := rulesBack(all, fresh, func(node string) (time.Time, bool) {
			if t, ok := synced[node]; ok {
				return t, true
			}
			t, known := proxySynced(ctx, lab, node)
			if known && !t.IsZero() && fresh(metav1.NewTime(t)) {
				synced[node] = t
			}
			return synced[node], known
		})
		var waiting []string
		replaced := false
		for _, p := range all {
			if !started[p.Spec.NodeName] || p.DeletionTimestamp != nil || p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed {
				continue
			}
			if !podBack(p, fresh) && !(staticPod(p) && podRuns(p, fresh)) {
				waiting = append(waiting, p.Namespace+"/"+p.Name)
				if stuck(p, rules[p.Spec.NodeName], time.Now()) && kick(ctx, lab, p, kicked) {
					replaced = true
				}
			}
		}
		if len(waiting) > 0 || replaced {
			msg := msgPodsBack.F(env.Lang, len(waiting), strings.Join(waiting, ", "))
			env.Reporter.Progress(msg)
			return false, msg, nil
		}
		// A pod replaced a moment ago may have no successor yet, or one not
		// yet on a node: the workloads themselves say whether they run.
		// Their status is no help here: the controller manager that writes
		// it may not run again yet, so the pods are counted.
		addons, err := restartedWorkloads(ctx, lab)
		if err != nil {
			return false, err.Error(), nil
		}
		for _, a := range addons {
			runs := func(p corev1.Pod) bool {
				if started[p.Spec.NodeName] {
					return podBack(p, fresh)
				}
				// on a node that kept running (a paused one resumed)
				return p.Spec.NodeName != "" && podBack(p, func(metav1.Time) bool { return true })
			}
			why := workloadsBack(ctx, lab, a, all, runs)
			if why == "" {
				// and what labctl status reads: the controller manager,
				// itself just back (after its leader election), rewrites
				// the workloads' status a little later than the pods run
				if ok, stale := workloadHealth(ctx, lab, a, env.Lang); !ok {
					why = stale
				}
			}
			if why != "" {
				msg := msgWorkloadsBack.F(env.Lang, a.Name, why)
				env.Reporter.Progress(msg)
				return false, msg, nil
			}
		}
		return true, "", nil
	}, func(last string) error {
		return i18n.Errorf(msgNotReady, time.Since(start).Round(time.Second), last)
	})
}

// controlPlaneLeases are the leader-election leases of the control plane's
// controllers in kube-system.
var controlPlaneLeases = []string{"kube-controller-manager", "kube-scheduler"}

// freeStaleLeases deletes the controller manager's and the scheduler's
// leases when their holder is gone, as their holder's node shows it: the
// holder ran on a node this start restarted and last renewed the lease
// before the start (since), or the component's static pod on that node runs
// a container started after the lease's last renewal (the holder crashed:
// seen after a restart, when on a busy machine the controller manager could
// not renew in time, lost its lease and exited). Such a lease looks held,
// and a new candidate waits a full lease duration (15 s) from when it first
// reads it before taking it over; until then nothing replaces a pod and
// nothing is scheduled (16–21 s of every restart before this). Free, the new
// process takes the lease on its next try (2 s). A live holder renews after
// its start, so its lease is never taken from it; a lease is deleted only as
// it was read (its resourceVersion), so a leader that took it in between
// keeps it.
func freeStaleLeases(ctx context.Context, lab *Lab, started map[string]bool, since time.Time) {
	for _, name := range controlPlaneLeases {
		l, err := lab.Client.CoordinationV1().Leases(metav1.NamespaceSystem).Get(ctx, name, metav1.GetOptions{})
		if err != nil || l.Spec.HolderIdentity == nil || l.Spec.RenewTime == nil {
			continue
		}
		node, _, _ := strings.Cut(*l.Spec.HolderIdentity, "_")
		if !started[node] {
			continue // its node kept running (or was paused and resumes)
		}
		renewed := l.Spec.RenewTime.Time
		gone := renewed.Before(since)
		if !gone {
			if p, err := lab.Client.CoreV1().Pods(metav1.NamespaceSystem).Get(ctx, name+"-"+node, metav1.GetOptions{}); err == nil && staticPod(*p) {
				for _, c := range p.Status.ContainerStatuses {
					if r := c.State.Running; r != nil && renewed.Before(r.StartedAt.Time) {
						gone = true
					}
				}
			}
		}
		if !gone {
			continue
		}
		rv := l.ResourceVersion
		_ = lab.Client.CoordinationV1().Leases(metav1.NamespaceSystem).Delete(ctx, name,
			metav1.DeleteOptions{Preconditions: &metav1.Preconditions{ResourceVersion: &rv}})
	}
}

// rulesSettle is how long kube-proxy takes, once it runs, to write a
// node's Service rules; rulesGrace is how long a pod started before then
// gets to become Ready on its own before it is replaced.
const (
	rulesSettle = 3 * time.Second
	rulesGrace  = 3 * time.Second
	slowStart   = 10 * time.Second
	// maxKicks bounds how often a workload's pod on one node is replaced
	// in one start, so a node too busy for any pod to be Ready in time
	// is waited for, not churned.
	maxKicks = 2
)

// rulesBack says, per node, since when its Service rules are back. synced
// asks the node's kube-proxy when it first wrote them since the restart
// (zero: not yet); when kube-proxy cannot say (known false), they are
// guessed back rulesSettle after its start. A node missing from the map has
// no rules yet, or its kube-proxy does not run again yet.
func rulesBack(pods []corev1.Pod, fresh func(metav1.Time) bool, synced func(node string) (t time.Time, known bool)) map[string]time.Time {
	back := map[string]time.Time{}
	for _, p := range pods {
		if p.Namespace != metav1.NamespaceSystem || p.Labels["k8s-app"] != "kube-proxy" || !podBack(p, fresh) {
			continue
		}
		t, known := synced(p.Spec.NodeName)
		switch {
		case !known:
			back[p.Spec.NodeName] = p.Status.ContainerStatuses[0].State.Running.StartedAt.Add(rulesSettle)
		case !t.IsZero():
			back[p.Spec.NodeName] = t
		}
	}
	return back
}

// proxyHealthPort is kube-proxy's healthz port (its default, kubeadm's).
const proxyHealthPort = 10256

// proxySynced asks kube-proxy on a node, through the API server's proxy to
// its healthz port, when it last wrote the node's IPv4 Service rules (zero:
// not since it started). known is false when it cannot say: not listening
// yet, a node the API server cannot reach, another proxy, a test's fake.
func proxySynced(ctx context.Context, lab *Lab, node string) (t time.Time, known bool) {
	if lab.REST == nil {
		return time.Time{}, false
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	// kube-proxy answers 503 until its first sync: DoRaw returns its body
	// with the error
	body, _ := lab.Client.CoreV1().RESTClient().Get().
		AbsPath("/api/v1/nodes", fmt.Sprintf("%s:%d", node, proxyHealthPort), "proxy", "healthz").DoRaw(ctx)
	return parseProxyHealth(body)
}

// parseProxyHealth reads kube-proxy's healthz answer: the time of its last
// IPv4 sync from its per-family status (newer kube-proxies, whose top-level
// lastUpdated is the time of the answer when healthy), else its one
// lastUpdated. A zero time: not synced since it started.
func parseProxyHealth(body []byte) (time.Time, bool) {
	var h struct {
		LastUpdated *time.Time `json:"lastUpdated"`
		Status      map[string]struct {
			LastUpdated time.Time `json:"lastUpdated"`
		} `json:"status"`
	}
	if err := json.Unmarshal(body, &h); err != nil || h.LastUpdated == nil {
		return time.Time{}, false
	}
	if h.Status != nil {
		return h.Status["IPv4"].LastUpdated, true
	}
	return *h.LastUpdated, true
}

// stuck says whether a pod that is not back should be replaced rather than
// waited for. On a restarted node, MetalLB's controller and speakers and
// CoreDNS start before kube-proxy has written the node's Service rules,
// cannot reach the API server at its Service address, and then wait on
// their own: MetalLB's exit and the kubelet waits 10 s, 20 s, 40 s before
// each new try; CoreDNS keeps running, unready, while client-go's back-off
// between its list calls grows to half a minute. That waiting was most of
// a restart's minute. A pod started after the rules were back does not
// need it, so a pod is stuck when it is in back-off, or when it started
// before its node's rules were back and is still not Ready rulesGrace
// after them. rulesSettle is a guess: on a busy node kube-proxy, itself
// just started, can take longer to write the rules, and a pod started
// after the guess then waits out the same back-off (seen: MetalLB's
// controller unready for 25 s). So a pod started after the rules is stuck
// too when it is still not Ready slowStart after it started; these pods
// are Ready 2-3 s after their start when they can reach the API server.
func stuck(p corev1.Pod, rules, now time.Time) bool {
	for _, c := range p.Status.ContainerStatuses {
		if c.State.Waiting != nil && c.State.Waiting.Reason == "CrashLoopBackOff" {
			return true
		}
	}
	if rules.IsZero() || now.Before(rules.Add(rulesGrace)) {
		return false
	}
	for _, c := range p.Status.ContainerStatuses {
		r := c.State.Running
		if r == nil || c.Ready {
			continue
		}
		if r.StartedAt.Time.Before(rules) || !now.Before(r.StartedAt.Time.Add(slowStart)) {
			return true
		}
	}
	return false
}

// kick deletes a stuck pod of labctl's add-ons or of CoreDNS, each pod
// once and a workload's pods on one node at most maxKicks times, so its
// Deployment or DaemonSet makes a new one at once, which starts with the
// Service rules in place and no back-off. The control plane's static pods,
// kube-proxy, the CNI and the student's pods are left to the kubelet.
// It reports whether it deleted the pod.
func kick(ctx context.Context, lab *Lab, p corev1.Pod, kicked map[string]int) bool {
	switch {
	case p.Namespace == addons.MetalLB.Namespace, p.Namespace == addons.Nginx.Namespace, p.Namespace == addons.Traefik.Namespace:
	case p.Namespace == metav1.NamespaceSystem && p.Labels["k8s-app"] == "kube-dns":
	default:
		return false
	}
	if kicked[string(p.UID)] > 0 || len(p.OwnerReferences) == 0 {
		return false
	}
	switch p.OwnerReferences[0].Kind {
	case "ReplicaSet", "DaemonSet":
	default:
		return false
	}
	owner := p.Namespace + "/" + p.OwnerReferences[0].Name + "@" + p.Spec.NodeName
	if kicked[owner] >= maxKicks {
		return false
	}
	kicked[string(p.UID)]++
	kicked[owner]++
	return lab.Client.CoreV1().Pods(p.Namespace).Delete(ctx, p.Name, metav1.DeleteOptions{}) == nil
}

// workloadsBack says which of an add-on's workloads has fewer running pods
// (runs: again since the restart, on a restarted node) than it wants ("" when none): a Deployment its
// replicas, a DaemonSet one per node it schedules to.
func workloadsBack(ctx context.Context, lab *Lab, a addons.Addon, pods []corev1.Pod, runs func(corev1.Pod) bool) string {
	for _, w := range a.Workloads {
		obj, err := getWorkload(ctx, lab, a.Namespace, w)
		if err != nil {
			return w + ": " + err.Error()
		}
		var sel *metav1.LabelSelector
		want := int32(1)
		switch d := obj.(type) {
		case *appsv1.Deployment:
			sel = d.Spec.Selector
			if d.Spec.Replicas != nil {
				want = *d.Spec.Replicas
			}
		case *appsv1.DaemonSet:
			sel, want = d.Spec.Selector, d.Status.DesiredNumberScheduled
		}
		s, err := metav1.LabelSelectorAsSelector(sel)
		if err != nil {
			return w + ": " + err.Error()
		}
		back := int32(0)
		for _, p := range pods {
			if p.Namespace == a.Namespace && p.DeletionTimestamp == nil && s.Matches(labels.Set(p.Labels)) && runs(p) {
				back++
			}
		}
		if back < want {
			return fmt.Sprintf("%s %d/%d", w, back, want)
		}
	}
	return ""
}

// coreDNS is CoreDNS as an add-on: what waitBack waits for besides
// labctl's own.
var coreDNS = addons.Addon{Name: "CoreDNS", Namespace: metav1.NamespaceSystem, Workloads: []string{"Deployment/coredns"}}

// restartedWorkloads are the add-ons whose workloads a restart must bring
// back: CoreDNS, MetalLB and the ingress controller, those of them whose
// first workload exists. It asks for the workloads, not their pods: the
// pods a restart replaced may all be gone, their successors not made yet
// (the controller manager that makes them is itself just back), and an
// add-on without pods is then the one that is not back.
func restartedWorkloads(ctx context.Context, lab *Lab) ([]addons.Addon, error) {
	var out []addons.Addon
	for _, a := range []addons.Addon{coreDNS, addons.MetalLB, addons.Nginx, addons.Traefik} {
		_, err := getWorkload(ctx, lab, a.Namespace, a.Workloads[0])
		switch {
		case err == nil:
			out = append(out, a)
		case !apierrors.IsNotFound(err):
			return nil, err
		}
	}
	return out, nil
}

// podBack is true when every container of the pod runs again since the
// start and the pod is Ready. (The Ready condition's own time does not
// tell: a static pod's kubelet may write Ready over Ready from before the
// stop and keep the old transition time.)
// staticPod says whether p is the API's mirror of a static pod: in a kind
// node, the control plane's etcd, API server, controller manager and
// scheduler.
func staticPod(p corev1.Pod) bool {
	_, ok := p.Annotations[corev1.MirrorPodAnnotationKey]
	return ok
}

// podRuns says whether every container of p runs, started since the
// restart (fresh), Ready or not. A static control-plane pod counts as back
// when it runs: its Ready waits for kubeadm's startup probe, first asked
// 10 s after the start and then every 10 s (seen: the controller manager the
// last pod a start waited for, 16 s after it ran), and says nothing that the
// API server's answers, the leases taken and the workloads' status, which
// the wait also needs, do not.
func podRuns(p corev1.Pod, fresh func(metav1.Time) bool) bool {
	if len(p.Status.ContainerStatuses) == 0 {
		return false
	}
	for _, c := range p.Status.ContainerStatuses {
		if c.State.Running == nil || !fresh(c.State.Running.StartedAt) {
			return false
		}
	}
	return true
}

func podBack(p corev1.Pod, fresh func(metav1.Time) bool) bool {
	if len(p.Status.ContainerStatuses) == 0 {
		return false
	}
	for _, c := range p.Status.ContainerStatuses {
		if c.State.Running == nil || !fresh(c.State.Running.StartedAt) || !c.Ready {
			return false
		}
	}
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// checkAddresses compares each node's address on the kind network with the
// one Kubernetes has. kind's node entrypoint rewrites the node's kubeadm and
// kubelet files (and the API server's certificate) when Docker gives a
// restarted node another address, and the kubelet then reports it; a node
// still known by its old address would leave the lab half working, so it
// is said, with the fix.
func checkAddresses(ctx context.Context, lab *Lab, env Env) error {
	cs, err := lab.rt.NodeContainers(ctx, lab.Name)
	if err != nil {
		return err
	}
	nodes, err := lab.NodeList(ctx)
	if err != nil {
		return err
	}
	known := map[string]string{}
	for _, n := range nodes {
		known[n.Name] = nodeStatus(n).InternalIP
	}
	for _, c := range cs {
		k, ok := known[c.Name]
		if !ok || c.IP == "" || k == c.IP {
			continue
		}
		return i18n.Errorf(msgAddressStale, c.Name, c.IP, k).WithFix(fixAddressStale, c.Name, runtime.StartCommand(lab.Name))
	}
	return nil
}

// restart says which nodes this run started, and when.
type restart struct {
	started map[string]bool // nil: nothing was started or unpaused
	since   time.Time
}

// startStopped starts a lab whose node containers exist but do not all run.
func startStopped(ctx context.Context, rt runtime.Runtime, o Options, env Env) (restart, error) {
	state, cs, err := runtime.ReadState(ctx, rt, o.Name)
	if err != nil || state == LabRunning || state == runtime.LabMissing {
		return restart{}, err
	}
	back := restart{started: map[string]bool{}, since: time.Now()}
	for _, c := range cs {
		// A paused node resumes where it was: its containers do not restart.
		if c.State != "running" && c.State != "paused" {
			back.started[c.Name] = true
		}
	}
	err = env.step(stepStartNodes.F(env.Lang, o.Name), func() error { return startNodes(ctx, rt, cs) })
	return back, err
}

// waitAPI waits until the API server of a lab just started answers (kubelet
// starts it from its static pod a few seconds after the node).
func waitAPI(ctx context.Context, lab *Lab, deadline time.Duration, env Env) error {
	ctx, cancel := context.WithTimeout(ctx, deadline)
	defer cancel()
	start := time.Now()
	return apply.Until(ctx, 500*time.Millisecond, func() (bool, string, error) {
		pctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		defer cancel()
		_, err := lab.Client.CoreV1().Namespaces().Get(pctx, metav1.NamespaceSystem, metav1.GetOptions{})
		if err != nil {
			return false, err.Error(), nil
		}
		return true, "", nil
	}, func(last string) error {
		return i18n.Errorf(msgNotReady, time.Since(start).Round(time.Second), last)
	})
}
