package verify

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// livenessRestarts proves the kubelet restarted a container because its
// HTTP GET liveness probe failed: restarts, and the kubelet's own events
// saying the probe was the cause (a crash restarts too, without them).
type livenessRestarts struct {
	Pod       string `yaml:"pod"`
	Namespace string `yaml:"namespace"`
	Container string `yaml:"container"`
	// Within is how long after the container starts the first restart by
	// the probe must come (default 90s): past it, waiting will not help.
	Within string `yaml:"within"`
	within time.Duration
}

func init() {
	register("livenessRestarts", func(p livenessRestarts) (Checker, error) {
		if p.Pod == "" {
			return nil, errors.New("params.pod is required")
		}
		p.within = 90 * time.Second
		if p.Within != "" {
			d, err := time.ParseDuration(p.Within)
			if err != nil || d <= 0 {
				return nil, fmt.Errorf("params.within %q is not a duration like 90s", p.Within)
			}
			p.within = d
		}
		return p, nil
	})
}

func (p livenessRestarts) Check(ctx context.Context, env *Env) Outcome {
	ns := env.ns(p.Namespace)
	pod, err := env.Client.CoreV1().Pods(ns).Get(ctx, p.Pod, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return Missing(msgCtlPodMissing, ns+"/"+p.Pod)
	}
	if err != nil {
		return Errored(err)
	}
	c := ctlContainer(pod, p.Container)
	if c == nil {
		return Missing(msgCtlNoContainer, pod.Name, p.Container)
	}
	if c.LivenessProbe == nil {
		return Missing(msgCtlNoLiveness, c.Name, pod.Name)
	}
	if c.LivenessProbe.HTTPGet == nil {
		return Missing(msgCtlProbeNotHTTP, pod.Name, ctlProbeKind(c.LivenessProbe))
	}
	ev := []string{"liveness: " + ctlDescribeProbe(c.LivenessProbe)}
	var st *corev1.ContainerStatus
	for i := range pod.Status.ContainerStatuses {
		if pod.Status.ContainerStatuses[i].Name == c.Name {
			st = &pod.Status.ContainerStatuses[i]
		}
	}
	unhealthy, killed, err := probeEvents(ctx, env, pod)
	if err != nil {
		return Errored(err)
	}
	if len(unhealthy) > 0 {
		ev = append(ev, "events: "+unhealthy[len(unhealthy)-1])
	}
	if st == nil {
		return Failed(msgCtlProbeWaiting, c.Name, "0s", p.within)
	}
	if t := st.LastTerminationState.Terminated; t != nil {
		ev = append(ev, fmt.Sprintf("last state: terminated, reason %s, exit code %d", t.Reason, t.ExitCode))
	}
	if st.RestartCount > 0 {
		// a probe that fails from the start proves nothing about the app
		switch {
		case allContain(unhealthy, "statuscode: 404"):
			return Missing(msgCtlProbe404, pod.Name, c.LivenessProbe.HTTPGet.Path).With(ev...)
		case allContain(unhealthy, "connection refused"):
			return Missing(msgCtlProbeRefused, pod.Name, c.LivenessProbe.HTTPGet.Port.String()).With(ev...)
		}
		if killed > 0 {
			return Passed(msgCtlProbeRestarted, c.Name, st.RestartCount).With(ev...)
		}
		if len(unhealthy) > 0 {
			// the probe failed; the kubelet's "will be restarted" event is on its way
			return Failed(msgCtlCrashNotProbe, c.Name, st.RestartCount).With(ev...)
		}
		return Missing(msgCtlCrashNotProbe, c.Name, st.RestartCount).With(ev...)
	}
	started := pod.CreationTimestamp.Time
	if r := st.State.Running; r != nil {
		started = r.StartedAt.Time
	}
	ran := time.Since(started).Round(time.Second)
	if ran > p.within {
		return Missing(msgCtlProbeNever, c.Name, ran).With(ev...)
	}
	return Failed(msgCtlProbeWaiting, c.Name, ran, p.within).With(ev...)
}

func ctlContainer(pod *corev1.Pod, name string) *corev1.Container {
	for i, c := range pod.Spec.Containers {
		if name == "" || c.Name == name {
			return &pod.Spec.Containers[i]
		}
	}
	return nil
}

func ctlProbeKind(p *corev1.Probe) string {
	switch {
	case p.TCPSocket != nil:
		return "TCP socket"
	case p.Exec != nil:
		return "exec"
	case p.GRPC != nil:
		return "gRPC"
	}
	return "HTTP GET"
}

// describeProbe writes a probe the way kubectl describe does.
func ctlDescribeProbe(p *corev1.Probe) string {
	what := ctlProbeKind(p)
	if g := p.HTTPGet; g != nil {
		what = fmt.Sprintf("http-get http://:%s%s", g.Port.String(), g.Path)
	}
	failure := p.FailureThreshold
	if failure == 0 {
		failure = 3
	}
	period := p.PeriodSeconds
	if period == 0 {
		period = 10
	}
	return fmt.Sprintf("%s delay=%ds period=%ds #failure=%d", what, p.InitialDelaySeconds, period, failure)
}

// probeEvents reads the kubelet's events about a pod: the liveness
// failures it saw, and how many times it killed the container for them.
func probeEvents(ctx context.Context, env *Env, pod *corev1.Pod) (unhealthy []string, killed int, err error) {
	list, err := env.Client.CoreV1().Events(pod.Namespace).List(ctx, metav1.ListOptions{
		FieldSelector: "involvedObject.name=" + pod.Name,
	})
	if err != nil {
		return nil, 0, err
	}
	items := list.Items
	sort.Slice(items, func(i, j int) bool { return ctlEventTime(items[i]).Before(ctlEventTime(items[j])) })
	for _, e := range items {
		if e.InvolvedObject.Name != pod.Name || (e.InvolvedObject.UID != "" && e.InvolvedObject.UID != pod.UID) {
			continue
		}
		switch {
		case e.Reason == "Unhealthy" && strings.HasPrefix(e.Message, "Liveness probe failed"):
			unhealthy = append(unhealthy, e.Message)
		case e.Reason == "Killing" && strings.Contains(e.Message, "failed liveness probe"):
			killed += max(int(e.Count), 1)
		}
	}
	return unhealthy, killed, nil
}

func ctlEventTime(e corev1.Event) time.Time {
	if !e.LastTimestamp.IsZero() {
		return e.LastTimestamp.Time
	}
	if !e.EventTime.IsZero() {
		return e.EventTime.Time
	}
	return e.CreationTimestamp.Time
}

// createdBy lists the pods a controller says it created and deleted
// (its SuccessfulCreate and SuccessfulDelete events).
func ctlCreatedBy(ctx context.Context, env *Env, ns string, uid types.UID) (created, deleted []string, err error) {
	list, err := env.Client.CoreV1().Events(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, nil, err
	}
	for _, e := range list.Items {
		if e.InvolvedObject.UID != uid {
			continue
		}
		switch e.Reason {
		case "SuccessfulCreate":
			if n, ok := strings.CutPrefix(e.Message, "Created pod: "); ok {
				created = append(created, n)
			}
		case "SuccessfulDelete":
			if n, ok := strings.CutPrefix(e.Message, "Deleted pod: "); ok {
				deleted = append(deleted, n)
			}
		}
	}
	return created, deleted, nil
}

// allContain reports whether there are messages and each contains sub.
func allContain(msgs []string, sub string) bool {
	for _, m := range msgs {
		if !strings.Contains(m, sub) {
			return false
		}
	}
	return len(msgs) > 0
}
