package apply

import (
	"context"
	"sort"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes"

	"github.com/labctl/labctl/i18n"
)

// ExpectAnnotation on a Job set to "Failed" says the Job fails on purpose (a
// lab teaching activeDeadlineSeconds or backoffLimit): waiting for it ends
// when it has failed, and its failure is not an error.
const ExpectAnnotation = "labctl.io/expect"

// Waitable reports whether Wait has something to wait for in o.
func Waitable(o Object) bool {
	switch o.GroupVersionKind().GroupKind().String() {
	case "Deployment.apps", "DaemonSet.apps", "StatefulSet.apps", "Job.batch", "Pod":
		return true
	}
	return false
}

// Wait blocks until every workload in objs is rolled out (Deployments,
// DaemonSets, StatefulSets), complete (Jobs) or ready (Pods). All of them
// are looked at on every round, so a pod that cannot pull its image fails
// the wait at once, naming the image, even while an earlier workload is
// still waiting for it (a controller waiting for a Job's Secret). Otherwise
// it fails when ctx ends, saying what it saw last.
func (a *Applier) Wait(ctx context.Context, objs []Object) error {
	start := time.Now()
	var pending []Object
	for _, o := range objs {
		if Waitable(o) {
			pending = append(pending, o)
		}
	}
	return poll(ctx, a.Poll, func() (bool, string, error) {
		var still []Object
		var msgs []string
		for _, o := range pending {
			done, msg, err := a.check(ctx, o)
			if err != nil {
				return false, "", err
			}
			if !done {
				still = append(still, o)
				msgs = append(msgs, o.Ref()+": "+msg)
			}
		}
		pending = still
		return len(pending) == 0, strings.Join(msgs, "; "), nil
	}, func(last string) error {
		what := ""
		if len(pending) > 0 {
			what = pending[0].Ref()
		}
		return i18n.Errorf(msgNotReady, what, time.Since(start).Round(time.Second), last)
	})
}

func (a *Applier) check(ctx context.Context, o Object) (bool, string, error) {
	ri, _, err := a.resource(o)
	if err != nil {
		return false, "", err
	}
	u, err := ri.Get(ctx, o.GetName(), metav1.GetOptions{})
	if err != nil {
		return false, reason(err).Error(), nil
	}
	done, msg, selector, err := StatusIn(u, a.Lang)
	if err != nil || done {
		return done, msg, err
	}
	if a.StopOnUnready && selector == nil && u.GetKind() == "Pod" {
		var p corev1.Pod
		if runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, &p) == nil {
			if perr := a.unready(ctx, o.Ref(), []corev1.Pod{p}, time.Now()); perr != nil {
				return false, "", perr
			}
		}
	}
	// Not there yet: look at its pods for a reason that will not fix itself.
	if selector != nil {
		pods, err := a.core.CoreV1().Pods(u.GetNamespace()).List(ctx, metav1.ListOptions{LabelSelector: selector.String()})
		if err == nil {
			if perr := PodProblem(o.Ref(), pods.Items); perr != nil {
				return false, "", perr
			}
			if a.StopOnUnready {
				if perr := a.unready(ctx, o.Ref(), pods.Items, time.Now()); perr != nil {
					return false, "", perr
				}
			}
			if why := podWaiting(pods.Items, a.Lang); why != "" {
				msg += "; " + why
			}
		}
	}
	return false, msg, nil
}

// Status is StatusIn with English progress messages.
func Status(u *unstructured.Unstructured) (bool, string, labels.Selector, error) {
	return StatusIn(u, i18n.En)
}

// StatusIn evaluates a workload like `kubectl rollout status` does: done, a
// progress message in l, the selector of its pods (for diagnosis), or an
// error for a state that will not recover (a failed Job).
func StatusIn(u *unstructured.Unstructured, l i18n.Lang) (bool, string, labels.Selector, error) {
	conv := runtime.DefaultUnstructuredConverter
	switch u.GroupVersionKind().GroupKind().String() {
	case "Deployment.apps":
		var d appsv1.Deployment
		if err := conv.FromUnstructured(u.Object, &d); err != nil {
			return false, "", nil, err
		}
		sel, _ := metav1.LabelSelectorAsSelector(d.Spec.Selector)
		want := int32(1)
		if d.Spec.Replicas != nil {
			want = *d.Spec.Replicas
		}
		st := d.Status
		switch {
		case st.ObservedGeneration < d.Generation:
			return false, stNewSpec.F(l), sel, nil
		case st.UpdatedReplicas < want:
			return false, stReplicasUpdated.F(l, st.UpdatedReplicas, want), sel, nil
		case st.Replicas > st.UpdatedReplicas:
			return false, stOldReplicas.F(l, st.Replicas-st.UpdatedReplicas), sel, nil
		case st.AvailableReplicas < want:
			return false, stReplicasAvailable.F(l, st.AvailableReplicas, want), sel, nil
		}
		return true, "", sel, nil
	case "DaemonSet.apps":
		var d appsv1.DaemonSet
		if err := conv.FromUnstructured(u.Object, &d); err != nil {
			return false, "", nil, err
		}
		sel, _ := metav1.LabelSelectorAsSelector(d.Spec.Selector)
		st := d.Status
		switch {
		case st.ObservedGeneration < d.Generation:
			return false, stNewSpec.F(l), sel, nil
		case st.DesiredNumberScheduled == 0 && len(d.Spec.Template.Spec.NodeSelector) > 0:
			// no node matches its nodeSelector yet (ch04 has the student
			// label one): nothing to roll out, as kubectl rollout status says
			return true, "", sel, nil
		case st.DesiredNumberScheduled == 0:
			return false, stNoPods.F(l), sel, nil
		case st.UpdatedNumberScheduled < st.DesiredNumberScheduled:
			return false, stPodsUpdated.F(l, st.UpdatedNumberScheduled, st.DesiredNumberScheduled), sel, nil
		case st.NumberAvailable < st.DesiredNumberScheduled:
			return false, stPodsAvailable.F(l, st.NumberAvailable, st.DesiredNumberScheduled), sel, nil
		}
		return true, "", sel, nil
	case "StatefulSet.apps":
		var s appsv1.StatefulSet
		if err := conv.FromUnstructured(u.Object, &s); err != nil {
			return false, "", nil, err
		}
		sel, _ := metav1.LabelSelectorAsSelector(s.Spec.Selector)
		want := int32(1)
		if s.Spec.Replicas != nil {
			want = *s.Spec.Replicas
		}
		st := s.Status
		switch {
		case st.ObservedGeneration < s.Generation:
			return false, stNewSpec.F(l), sel, nil
		case st.ReadyReplicas < want:
			return false, stReplicasReady.F(l, st.ReadyReplicas, want), sel, nil
		case st.UpdateRevision != "" && st.CurrentRevision != st.UpdateRevision:
			return false, stRolling.F(l), sel, nil
		}
		return true, "", sel, nil
	case "Job.batch":
		var j batchv1.Job
		if err := conv.FromUnstructured(u.Object, &j); err != nil {
			return false, "", nil, err
		}
		sel, _ := metav1.LabelSelectorAsSelector(j.Spec.Selector)
		for _, c := range j.Status.Conditions {
			if c.Status != corev1.ConditionTrue {
				continue
			}
			switch c.Type {
			case batchv1.JobComplete:
				return true, "", sel, nil
			case batchv1.JobFailed:
				if u.GetAnnotations()[ExpectAnnotation] == string(batchv1.JobFailed) {
					return true, "", sel, nil
				}
				return false, "", sel, i18n.Errorf(msgJobFailed, u.GetNamespace()+"/"+u.GetName(), c.Message)
			}
		}
		return false, stJob.F(l, j.Status.Succeeded, j.Status.Active, j.Status.Failed), sel, nil
	case "Pod":
		var p corev1.Pod
		if err := conv.FromUnstructured(u.Object, &p); err != nil {
			return false, "", nil, err
		}
		if perr := PodProblem("Pod "+p.Namespace+"/"+p.Name, []corev1.Pod{p}); perr != nil {
			return false, "", nil, perr
		}
		if p.Status.Phase == corev1.PodSucceeded {
			return true, "", nil, nil
		}
		for _, c := range p.Status.Conditions {
			if c.Type == corev1.PodReady && c.Status == corev1.ConditionTrue {
				return true, "", nil, nil
			}
		}
		msg := stPod.F(l, strings.ToLower(string(p.Status.Phase)))
		if why := podWaiting([]corev1.Pod{p}, l); why != "" {
			msg += "; " + why
		}
		return false, msg, nil, nil
	}
	return true, "", nil, nil
}

// pullFailures are waiting reasons that mean the kubelet tried and could not
// get the image; they do not fix themselves while we wait.
var pullFailures = map[string]bool{
	"ErrImagePull":      true,
	"ImagePullBackOff":  true,
	"InvalidImageName":  true,
	"ErrImageNeverPull": true,
}

// PodProblem returns an error naming the image when a pod cannot pull one.
func PodProblem(owner string, pods []corev1.Pod) error {
	for _, p := range pods {
		statuses := append(append([]corev1.ContainerStatus{}, p.Status.InitContainerStatuses...), p.Status.ContainerStatuses...)
		for _, cs := range statuses {
			if w := cs.State.Waiting; w != nil && pullFailures[w.Reason] {
				return i18n.Errorf(msgImagePull, cs.Image, owner, w.Reason, w.Message).WithFix(fixImagePull)
			}
		}
	}
	return nil
}

// unreadyFloor is the least time a running pod gets to become Ready before
// a wait gives up on it, whatever its probe: an app may start slowly on a
// busy computer.
const unreadyFloor = 20 * time.Second

// unready returns an error when a pod of owner has run, not Ready, for longer
// than its readiness probe needs (ReadinessBudget, at least unreadyFloor)
// and the kubelet reports the probe failing since the container started:
// such a pod does not become Ready by waiting.
func (a *Applier) unready(ctx context.Context, owner string, pods []corev1.Pod, now time.Time) error {
	for _, p := range pods {
		if p.DeletionTimestamp != nil || p.Status.Phase != corev1.PodRunning || podReady(p) {
			continue
		}
		for _, cs := range p.Status.ContainerStatuses {
			r := cs.State.Running
			if cs.Ready || r == nil {
				continue
			}
			waited := now.Sub(r.StartedAt.Time)
			if waited < max(ReadinessBudget(&p), unreadyFloor) {
				continue
			}
			if msg := readinessFailure(ctx, a.core, p, r.StartedAt.Time); msg != "" {
				return i18n.Errorf(msgUnready, owner, p.Name, waited.Round(time.Second), msg).WithFix(fixUnready, p.Name)
			}
		}
	}
	return nil
}

// ReadinessBudget is how long a started pod may take to become Ready: its
// probes' initial delay and a few periods (a startup probe's whole
// allowance), at least 5 s.
func ReadinessBudget(p *corev1.Pod) time.Duration {
	b := 5 * time.Second
	for _, c := range p.Spec.Containers {
		if pr := c.ReadinessProbe; pr != nil {
			period := max(pr.PeriodSeconds, 1)
			t := time.Duration(pr.InitialDelaySeconds+2*period+max(pr.TimeoutSeconds, 1))*time.Second + 3*time.Second
			b = max(b, t)
		}
		if pr := c.StartupProbe; pr != nil {
			period := max(pr.PeriodSeconds, 1)
			b = max(b, time.Duration(pr.InitialDelaySeconds+period*max(pr.FailureThreshold, 1))*time.Second)
		}
	}
	return b
}

// readinessFailure is the kubelet's latest "Readiness probe failed" event for
// a pod since its container started ("" when there is none).
func readinessFailure(ctx context.Context, core kubernetes.Interface, p corev1.Pod, since time.Time) string {
	evs, err := core.CoreV1().Events(p.Namespace).List(ctx, metav1.ListOptions{
		FieldSelector: "involvedObject.name=" + p.Name + ",reason=Unhealthy"})
	if err != nil {
		return ""
	}
	msg, last := "", time.Time{}
	for _, e := range evs.Items {
		t := e.LastTimestamp.Time
		if t.IsZero() {
			t = e.EventTime.Time
		}
		if e.InvolvedObject.Name != p.Name || e.InvolvedObject.UID != p.UID || e.Reason != "Unhealthy" ||
			!strings.HasPrefix(e.Message, "Readiness probe failed") || t.Before(since.Truncate(time.Second)) || t.Before(last) {
			continue
		}
		msg, last = strings.TrimSpace(strings.SplitN(e.Message, "\n", 2)[0]), t
	}
	return msg
}

func podReady(p corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// podWaiting summarises why pods are not ready yet (Pending with the
// scheduler's reason, a container waiting), for progress and timeout messages.
func podWaiting(pods []corev1.Pod, l i18n.Lang) string {
	seen := map[string]bool{}
	for _, p := range pods {
		for _, c := range p.Status.Conditions {
			if c.Type == corev1.PodScheduled && c.Status == corev1.ConditionFalse && c.Message != "" {
				seen[stUnschedulable.F(l, c.Message)] = true
			}
		}
		for _, cs := range p.Status.ContainerStatuses {
			if w := cs.State.Waiting; w != nil && w.Reason != "" && w.Reason != "ContainerCreating" {
				s := cs.Name + " " + w.Reason
				if w.Message != "" {
					s += ": " + w.Message
				}
				seen[s] = true
			}
		}
	}
	out := make([]string, 0, len(seen))
	for s := range seen {
		out = append(out, s)
	}
	sort.Strings(out)
	return strings.Join(out, "; ")
}
