package verify

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// jobCompleted proves a Job ran to completion the number of times asked,
// never with more pods at once than its parallelism: it reads when each
// pod's container started and finished.
type jobCompleted struct {
	Job         string `yaml:"job"`
	Namespace   string `yaml:"namespace"`
	Completions int32  `yaml:"completions"`
	Parallelism int32  `yaml:"parallelism"`
}

// jobFailed proves a Job failed for the asked reason: DeadlineExceeded
// (activeDeadlineSeconds, at most MaxSeconds) or BackoffLimitExceeded
// (at most MaxAttempts tries).
type jobFailed struct {
	Job         string `yaml:"job"`
	Namespace   string `yaml:"namespace"`
	Reason      string `yaml:"reason"`
	MaxSeconds  int64  `yaml:"maxSeconds"`
	MaxAttempts int32  `yaml:"maxAttempts"`
}

func init() {
	register("jobCompleted", func(p jobCompleted) (Checker, error) {
		if p.Job == "" || p.Completions < 1 || p.Parallelism < 1 {
			return nil, errors.New("params.job, params.completions and params.parallelism (1 or more) are required")
		}
		return p, nil
	})
	register("jobFailed", func(p jobFailed) (Checker, error) {
		if p.Job == "" {
			return nil, errors.New("params.job is required")
		}
		switch p.Reason {
		case batchv1.JobReasonDeadlineExceeded, batchv1.JobReasonBackoffLimitExceeded:
		default:
			return nil, fmt.Errorf("params.reason %q: want DeadlineExceeded or BackoffLimitExceeded", p.Reason)
		}
		return p, nil
	})
}

func ctlGetJob(ctx context.Context, env *Env, ns, name string) (*batchv1.Job, *Outcome) {
	j, err := env.Client.BatchV1().Jobs(ns).Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		o := Missing(msgCtlJobMissing, ns+"/"+name)
		return nil, &o
	}
	if err != nil {
		o := Errored(err)
		return nil, &o
	}
	return j, nil
}

// jobCondition returns the Job's true Complete or Failed condition (a
// FailureTarget counts as failed: the pods are only being stopped).
func ctlJobCondition(j *batchv1.Job) (batchv1.JobConditionType, *batchv1.JobCondition) {
	for i, c := range j.Status.Conditions {
		if c.Status != corev1.ConditionTrue {
			continue
		}
		switch c.Type {
		case batchv1.JobComplete, batchv1.JobFailed, batchv1.JobFailureTarget:
			t := c.Type
			if t == batchv1.JobFailureTarget {
				t = batchv1.JobFailed
			}
			return t, &j.Status.Conditions[i]
		}
	}
	return "", nil
}

func ctlJobPods(ctx context.Context, env *Env, j *batchv1.Job) ([]corev1.Pod, error) {
	list, err := env.Client.CoreV1().Pods(j.Namespace).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, err
	}
	var out []corev1.Pod
	for _, p := range list.Items {
		if ctlOwnedBy(&p, j.UID) {
			out = append(out, p)
		}
	}
	sort.Slice(out, func(a, b int) bool { return out[a].CreationTimestamp.Before(&out[b].CreationTimestamp) })
	return out, nil
}

// jobSpan is when a pod's container ran: [start, end).
type jobSpan struct {
	pod        string
	start, end time.Time
}

func jobSpans(pods []corev1.Pod, now time.Time) []jobSpan {
	var out []jobSpan
	for _, p := range pods {
		for _, cs := range p.Status.ContainerStatuses {
			switch {
			case cs.State.Terminated != nil:
				out = append(out, jobSpan{p.Name, cs.State.Terminated.StartedAt.Time, cs.State.Terminated.FinishedAt.Time})
			case cs.State.Running != nil:
				out = append(out, jobSpan{p.Name, cs.State.Running.StartedAt.Time, now})
			}
		}
	}
	return out
}

// mostAtOnce is the largest number of spans running at the same moment.
// Times are whole seconds: a jobSpan ends before another starting in the same
// second, so a pod replacing a finished one is never counted twice.
func ctlMostAtOnce(spans []jobSpan) int {
	type edge struct {
		at    time.Time
		delta int
	}
	var edges []edge
	for _, s := range spans {
		edges = append(edges, edge{s.start, +1}, edge{s.end, -1})
	}
	sort.Slice(edges, func(i, j int) bool {
		if edges[i].at.Equal(edges[j].at) {
			return edges[i].delta < edges[j].delta
		}
		return edges[i].at.Before(edges[j].at)
	})
	most, now := 0, 0
	for _, e := range edges {
		now += e.delta
		most = max(most, now)
	}
	return most
}

func jobSpansEvidence(spans []jobSpan) []string {
	var out []string
	for _, s := range spans {
		out = append(out, fmt.Sprintf("pod %s ran %s–%s", s.pod, s.start.UTC().Format("15:04:05"), s.end.UTC().Format("15:04:05")))
	}
	return out
}

func (p jobCompleted) Check(ctx context.Context, env *Env) Outcome {
	j, miss := ctlGetJob(ctx, env, env.ns(p.Namespace), p.Job)
	if miss != nil {
		return *miss
	}
	completions, parallelism := int32(1), int32(1)
	if j.Spec.Completions != nil {
		completions = *j.Spec.Completions
	}
	if j.Spec.Parallelism != nil {
		parallelism = *j.Spec.Parallelism
	}
	ev := []string{fmt.Sprintf("completions %d, parallelism %d, restartPolicy %s", completions, parallelism, j.Spec.Template.Spec.RestartPolicy)}
	if completions != p.Completions {
		return Missing(msgCtlJobSpec, j.Name, "completions", completions, p.Completions).With(ev...)
	}
	if parallelism != p.Parallelism {
		return Missing(msgCtlJobSpec, j.Name, "parallelism", parallelism, p.Parallelism).With(ev...)
	}
	pods, err := ctlJobPods(ctx, env, j)
	if err != nil {
		return Errored(err)
	}
	spans := jobSpans(pods, time.Now())
	ev = append(ev, jobSpansEvidence(spans)...)
	most := ctlMostAtOnce(spans)
	if most > int(parallelism) {
		return Missing(msgCtlJobTooParallel, j.Name, most, parallelism).With(ev...)
	}
	switch t, c := ctlJobCondition(j); t {
	case batchv1.JobFailed:
		return Missing(msgCtlJobFailed, j.Name, c.Reason, c.Message).With(ev...)
	case batchv1.JobComplete:
		return Passed(msgCtlJobDone, j.Name, j.Status.Succeeded, most, parallelism).With(ev...)
	}
	return Failed(msgCtlJobRunning, j.Name, j.Status.Succeeded, completions, j.Status.Active).With(ev...)
}

func (p jobFailed) Check(ctx context.Context, env *Env) Outcome {
	j, miss := ctlGetJob(ctx, env, env.ns(p.Namespace), p.Job)
	if miss != nil {
		return *miss
	}
	backoff := int32(6)
	if j.Spec.BackoffLimit != nil {
		backoff = *j.Spec.BackoffLimit
	}
	ev := []string{fmt.Sprintf("backoffLimit %d, restartPolicy %s", backoff, j.Spec.Template.Spec.RestartPolicy)}
	if d := j.Spec.ActiveDeadlineSeconds; d != nil {
		ev[0] += fmt.Sprintf(", activeDeadlineSeconds %d", *d)
	}
	switch p.Reason {
	case batchv1.JobReasonDeadlineExceeded:
		d := j.Spec.ActiveDeadlineSeconds
		if d == nil {
			return Missing(msgCtlJobNoDeadline, j.Name).With(ev...)
		}
		if p.MaxSeconds > 0 && *d > p.MaxSeconds {
			return Missing(msgCtlJobDeadlineLong, j.Name, *d, p.MaxSeconds).With(ev...)
		}
	case batchv1.JobReasonBackoffLimitExceeded:
		if p.MaxAttempts > 0 && backoff+1 > p.MaxAttempts {
			return Missing(msgCtlJobBackoffHigh, j.Name, backoff, backoff+1, p.MaxAttempts).With(ev...)
		}
	}
	pods, err := ctlJobPods(ctx, env, j)
	if err != nil {
		return Errored(err)
	}
	var states []string
	for _, pod := range pods {
		states = append(states, pod.Name+" "+string(pod.Status.Phase))
	}
	ev = append(ev, "pods: "+env.list(states))
	t, c := ctlJobCondition(j)
	switch t {
	case batchv1.JobComplete:
		return Missing(msgCtlJobSucceeded, j.Name, p.Reason).With(ev...)
	case batchv1.JobFailed:
		if c.Reason != p.Reason {
			return Missing(msgCtlJobOtherReason, j.Name, c.Reason, p.Reason).With(ev...)
		}
		return Passed(msgCtlJobFailedAsked, j.Name, c.Reason, c.Message).With(ev...)
	}
	running := fmt.Sprintf("%d active, %d failed", j.Status.Active, j.Status.Failed)
	if j.Status.StartTime != nil {
		running += ", " + time.Since(j.Status.StartTime.Time).Round(time.Second).String()
	}
	return Failed(msgCtlJobNotYet, j.Name, running, p.Reason).With(ev...)
}

// jobNames lists Jobs as evidence: name and how each ended.
func ctlJobNames(js []batchv1.Job) string {
	var out []string
	for _, j := range js {
		s := j.Name
		switch t, _ := ctlJobCondition(&j); t {
		case batchv1.JobComplete:
			s += " Complete"
		case batchv1.JobFailed:
			s += " Failed"
		default:
			s += " Running"
		}
		out = append(out, s)
	}
	return strings.Join(out, ", ")
}
