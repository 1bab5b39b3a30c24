package verify

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// A Pod the student made goes through states a check must tell apart:
// still coming up (wait), broken in a way waiting will not fix (say why at
// once: the image cannot be pulled, the container crashes or has ended), or
// running. runningPod sorts them.

// settleTime is how long a container must have been running before a
// refused connection means "nothing listens there" rather than "the
// process has not opened its port yet".
const settleTime = 3 * time.Second

// imageErrors are waiting reasons that mean the image will not come.
var imageErrors = map[string]bool{"ErrImagePull": true, "ImagePullBackOff": true, "InvalidImageName": true, "ErrImageNeverPull": true}

// configErrors are waiting reasons that mean the container cannot be made.
var configErrors = map[string]bool{"CreateContainerConfigError": true, "CreateContainerError": true, "RunContainerError": true}

// runningPod fetches a Pod and returns it when it is Running and Ready;
// otherwise the outcome says what is wrong (final when waiting will not fix it).
func runningPod(ctx context.Context, env *Env, ns, name string) (*corev1.Pod, *Outcome) {
	p, err := env.Client.CoreV1().Pods(ns).Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		o := podMissing(ctx, env, ns, name)
		return nil, &o
	}
	if err != nil {
		o := Errored(err)
		return nil, &o
	}
	if o := podTrouble(ctx, env, p); o != nil {
		return nil, o
	}
	return p, nil
}

// podMissing names the pods that do exist, so a typo in a name stands out.
func podMissing(ctx context.Context, env *Env, ns, name string) Outcome {
	pods, err := env.Client.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
	if err != nil || len(pods.Items) == 0 {
		return Missing(msgPodMissing, ns+"/"+name)
	}
	var names []string
	for _, p := range pods.Items {
		names = append(names, p.Name)
	}
	sort.Strings(names)
	return Missing(msgPodMissingOthers, ns+"/"+name, ns, strings.Join(names, ", "))
}

// podTrouble explains why a Pod is not Running and Ready, or returns nil.
func podTrouble(ctx context.Context, env *Env, p *corev1.Pod) *Outcome {
	ref := p.Namespace + "/" + p.Name
	ret := func(o Outcome) *Outcome { return &o }
	if p.DeletionTimestamp != nil {
		return ret(Failed(msgPodDeleting, ref))
	}
	for _, cs := range p.Status.InitContainerStatuses {
		// an init container that ran to completion is how it should be
		if t := cs.State.Terminated; t != nil && t.ExitCode == 0 {
			continue
		}
		if o := containerTrouble(ctx, env, p, cs); o != nil {
			return o
		}
	}
	for _, cs := range p.Status.ContainerStatuses {
		if o := containerTrouble(ctx, env, p, cs); o != nil {
			return o
		}
	}
	switch p.Status.Phase {
	case corev1.PodSucceeded, corev1.PodFailed:
		return ret(Missing(msgPodEnded, ref, string(p.Status.Phase), p.Status.Reason+" "+p.Status.Message))
	case corev1.PodPending:
		for _, c := range p.Status.Conditions {
			if c.Type == corev1.PodScheduled && c.Status == corev1.ConditionFalse && c.Reason == corev1.PodReasonUnschedulable {
				return ret(Failed(msgPodUnschedulable, ref, c.Message))
			}
		}
		return ret(Failed(msgPodPending, ref, string(p.Status.Phase)))
	}
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady && c.Status != corev1.ConditionTrue {
			why := c.Reason
			if c.Message != "" {
				why = c.Message
			}
			o := Failed(msgPodNotReady, ref, why)
			for _, cs := range p.Status.ContainerStatuses {
				if cs.RestartCount > 0 && cs.LastTerminationState.Terminated != nil {
					o = o.With(terminationEvidence(ctx, env, p, cs.Name, cs.LastTerminationState.Terminated, true)...)
				}
			}
			return &o
		}
	}
	if p.Status.PodIP == "" {
		return ret(Failed(msgPodNoIP, ref))
	}
	return nil
}

// containerTrouble explains a container that waiting will not bring up.
func containerTrouble(ctx context.Context, env *Env, p *corev1.Pod, cs corev1.ContainerStatus) *Outcome {
	ref := p.Namespace + "/" + p.Name
	ret := func(o Outcome) *Outcome { return &o }
	if w := cs.State.Waiting; w != nil {
		switch {
		case imageErrors[w.Reason]:
			return ret(Missing(msgPodImagePull, cs.Name, ref, cs.Image, w.Reason).With(w.Message))
		case configErrors[w.Reason]:
			return ret(Missing(msgPodConfigError, cs.Name, ref, w.Reason, w.Message))
		case w.Reason == "CrashLoopBackOff":
			return ret(crashed(ctx, env, p, cs))
		}
	}
	if t := cs.State.Terminated; t != nil {
		if p.Spec.RestartPolicy == corev1.RestartPolicyNever || (p.Spec.RestartPolicy == corev1.RestartPolicyOnFailure && t.ExitCode == 0) {
			return ret(Missing(msgPodTerminated, cs.Name, ref, t.ExitCode, t.Reason, p.Spec.RestartPolicy, podFlag(p), cs.Name).
				With(terminationEvidence(ctx, env, p, cs.Name, t, false)...))
		}
		// between an exit and the kubelet's back-off: the same story
		return ret(crashed(ctx, env, p, cs))
	}
	return nil
}

// crashed is the diagnosis of a container that keeps failing: its exit
// code, and the last lines it wrote before it died.
func crashed(ctx context.Context, env *Env, p *corev1.Pod, cs corev1.ContainerStatus) Outcome {
	ref := p.Namespace + "/" + p.Name
	// a container that has just died is the current one; while the kubelet
	// backs off, the one that died is the previous one
	t, previous := cs.State.Terminated, false
	if t == nil {
		t, previous = cs.LastTerminationState.Terminated, true
	}
	if t == nil {
		t = &corev1.ContainerStateTerminated{}
	}
	var o Outcome
	if t.ExitCode == 0 && t.Reason == "Completed" {
		o = Missing(msgPodExitedZero, cs.Name, ref, cs.RestartCount)
	} else {
		o = Missing(msgPodCrashLoop, cs.Name, ref, t.ExitCode, cs.RestartCount, podFlag(p), cs.Name)
	}
	return o.With(terminationEvidence(ctx, env, p, cs.Name, t, previous)...)
}

// podFlag is how kubectl names the pod: "-n NS NAME" outside the chapter's namespace.
func podFlag(p *corev1.Pod) string { return "-n " + p.Namespace + " " + p.Name }

// terminationEvidence is the reason, the termination message, and the last
// line the container logged (read through the API, as kubectl logs does).
func terminationEvidence(ctx context.Context, env *Env, p *corev1.Pod, container string, t *corev1.ContainerStateTerminated, previous bool) []string {
	what := fmt.Sprintf("exit code %d", t.ExitCode)
	if t.Reason != "" {
		what += " (" + t.Reason + ")"
	}
	if m := strings.TrimSpace(t.Message); m != "" {
		what += ": " + firstLine(m)
	}
	ev := []string{env.t(evTermination, container, what)}
	tail := int64(60)
	limit := int64(16 << 10)
	var line string
	for _, prev := range []bool{previous, !previous} {
		b, err := env.Client.CoreV1().Pods(p.Namespace).GetLogs(p.Name, &corev1.PodLogOptions{Container: container, Previous: prev, TailLines: &tail, LimitBytes: &limit}).DoRaw(ctx)
		// the kubelet may have removed that run already: try the other one
		if err == nil && !strings.HasPrefix(string(b), "unable to retrieve container logs") {
			line, previous = lastLine(string(b)), prev
			break
		}
	}
	if line != "" {
		flag := ""
		if previous {
			flag = " --previous"
		}
		ev = append(ev, env.t(evLastLog, podFlag(p), container, flag, line))
	}
	return ev
}

// errorWords mark the line of a log that says why a program stopped.
var errorWords = []string{"error", "fatal", "panic", "fail", "unknown", "invalid", "denied", "not found", "refused", "in use", "no such", "cannot"}

// lastLine is the line of a log that most likely says why the program
// ended: the last one with an error word (cobra and flag print usage after
// the error), else the last non-empty one; shortened.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		l := strings.ToLower(lines[i])
		for _, w := range errorWords {
			if strings.Contains(l, w) {
				return firstLine(lines[i])
			}
		}
	}
	for i := len(lines) - 1; i >= 0; i-- {
		if l := strings.TrimSpace(lines[i]); l != "" {
			return firstLine(l)
		}
	}
	return ""
}

// container finds a container of the pod by name ("" = the first).
func container(p *corev1.Pod, name string) (*corev1.Container, *Outcome) {
	if name == "" && len(p.Spec.Containers) > 0 {
		return &p.Spec.Containers[0], nil
	}
	var names []string
	for i, c := range p.Spec.Containers {
		if c.Name == name {
			return &p.Spec.Containers[i], nil
		}
		names = append(names, c.Name)
	}
	o := Missing(msgNoContainer, p.Namespace+"/"+p.Name, name, strings.Join(names, ", "))
	return nil, &o
}

// runningSince is when the container's current run started (zero if not running).
func runningSince(p *corev1.Pod, name string) time.Time {
	for _, cs := range p.Status.ContainerStatuses {
		if cs.Name == name && cs.State.Running != nil {
			return cs.State.Running.StartedAt.Time
		}
	}
	return time.Time{}
}

// containerEvidence is what the pod says about a container's ports and command.
func containerEvidence(env *Env, c *corev1.Container) []string {
	var ports []string
	for _, p := range c.Ports {
		s := fmt.Sprintf("%d/%s", p.ContainerPort, p.Protocol)
		if p.Protocol == "" {
			s = fmt.Sprintf("%d/TCP", p.ContainerPort)
		}
		if p.Name != "" {
			s = p.Name + " " + s
		}
		ports = append(ports, s)
	}
	ev := []string{env.t(evDeclaredPorts, c.Name, env.list(ports))}
	if cmd := append(append([]string{}, c.Command...), c.Args...); len(cmd) > 0 {
		ev = append(ev, env.t(evArgs, c.Name, strings.Join(cmd, " ")))
	}
	return ev
}
