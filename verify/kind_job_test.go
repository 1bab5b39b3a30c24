package verify

import (
	"context"
	"fmt"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"

	"github.com/labctl/labctl/labs"
)

func init() {
	kindParams["daemonSetNodes"] = struct {
		valid   []string
		invalid map[string]string
	}{
		valid: []string{`{daemonSet: d, nodes: all}`, `{daemonSet: d, nodes: selected, namespace: n}`},
		invalid: map[string]string{
			`{nodes: all}`:                "params.daemonSet is required",
			`{daemonSet: d}`:              `params.nodes "": want all or selected`,
			`{daemonSet: d, nodes: some}`: `params.nodes "some"`,
		},
	}
	kindParams["jobCompleted"] = struct {
		valid   []string
		invalid map[string]string
	}{
		valid: []string{`{job: j, completions: 4, parallelism: 2}`},
		invalid: map[string]string{
			`{job: j, completions: 4}`:                 "params.parallelism",
			`{completions: 4, parallelism: 2}`:         "params.job",
			`{job: j, completions: 0, parallelism: 2}`: "(1 or more)",
			`{job: j, completions: x, parallelism: 2}`: "cannot unmarshal",
		},
	}
	kindParams["jobFailed"] = struct {
		valid   []string
		invalid map[string]string
	}{
		valid: []string{`{job: j, reason: DeadlineExceeded, maxSeconds: 30}`, `{job: j, reason: BackoffLimitExceeded, maxAttempts: 3}`},
		invalid: map[string]string{
			`{reason: DeadlineExceeded}`: "params.job is required",
			`{job: j, reason: Timeout}`:  `params.reason "Timeout"`,
		},
	}
	kindParams["cronJobRuns"] = struct {
		valid   []string
		invalid map[string]string
	}{
		valid: []string{`{cronJob: c, every: 1m}`, `{cronJob: c, every: 5m, successfulJobsHistoryLimit: 2, failedJobsHistoryLimit: 1, startingDeadlineSeconds: 30}`},
		invalid: map[string]string{
			`{every: 1m}`:              "params.cronJob and params.every are required",
			`{cronJob: c, every: 30s}`: "want a duration of 1m or more",
		},
	}
}

func taintedNodes() []runtime.Object {
	nodes := kindNodes()
	cp := nodes[0].(*corev1.Node)
	cp.Spec.Taints = []corev1.Taint{{Key: "node-role.kubernetes.io/control-plane", Effect: corev1.TaintEffectNoSchedule}}
	return nodes
}

func daemonSet(name string, nodeSel map[string]string, tols []corev1.Toleration, on ...string) []runtime.Object {
	ds := &appsv1.DaemonSet{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: types.UID("uid-" + name)},
		Spec: appsv1.DaemonSetSpec{Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{NodeSelector: nodeSel, Tolerations: tols}}}}
	out := []runtime.Object{ds}
	for _, n := range on {
		p := ctlPod(name+"-"+n, map[string]string{"app": name}, ownedRef("DaemonSet", name, ds.UID), time.Minute)
		p.Spec.NodeName = n
		out = append(out, p)
	}
	return out
}

var cpToleration = []corev1.Toleration{{Key: "node-role.kubernetes.io/control-plane", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule}}

func TestDaemonSetNodes(t *testing.T) {
	all := `{daemonSet: node-agent, nodes: all}`
	t.Run("every node, the control-plane too", func(t *testing.T) {
		l := newLab(t, objs(taintedNodes(), daemonSet("node-agent", nil, cpToleration, "lab-control-plane", "lab-worker", "lab-worker2"))...)
		expect(t, l.check("daemonSetNodes", all), "pass", msgCtlDSOK, "one ready pod on each of 3 node(s): lab-control-plane, lab-worker, lab-worker2")
	})
	t.Run("no toleration: the starter", func(t *testing.T) {
		l := newLab(t, objs(taintedNodes(), daemonSet("node-agent", nil, nil, "lab-worker", "lab-worker2"))...)
		expect(t, l.check("daemonSetNodes", all), "fail (final)", msgCtlDSTaint, "no pod on node lab-control-plane",
			"node-role.kubernetes.io/control-plane:NoSchedule is not tolerated", "node lab-control-plane: (none)")
	})
	t.Run("a toleration, the pod not there yet", func(t *testing.T) {
		l := newLab(t, objs(taintedNodes(), daemonSet("node-agent", nil, cpToleration, "lab-worker", "lab-worker2"))...)
		expect(t, l.check("daemonSetNodes", all), "fail", msgCtlDSWaiting, "node lab-control-plane")
	})
	t.Run("the worker labctl keeps for ch15's pod limit is not counted", func(t *testing.T) {
		nodes := taintedNodes()
		nodes[2].(*corev1.Node).Spec.Taints = []corev1.Taint{{Key: labs.MaxPodsNodeKey, Value: labs.MaxPodsNodeValue, Effect: corev1.TaintEffectNoSchedule}}
		l := newLab(t, objs(nodes, daemonSet("node-agent", nil, cpToleration, "lab-control-plane", "lab-worker"))...)
		expect(t, l.check("daemonSetNodes", all), "pass", msgCtlDSOK, "each of 2 node(s): lab-control-plane, lab-worker", "node lab-worker2: not counted")
	})
	t.Run("all nodes, but with a nodeSelector", func(t *testing.T) {
		l := newLab(t, objs(taintedNodes(), daemonSet("node-agent", map[string]string{"disk": "ssd"}, cpToleration))...)
		expect(t, l.check("daemonSetNodes", all), "fail (final)", msgCtlDSHasSelector, "disk=ssd")
	})
	sel := `{daemonSet: ssd-monitor, nodes: selected}`
	ssd := map[string]string{"disk": "ssd"}
	t.Run("labelled node", func(t *testing.T) {
		nodes := taintedNodes()
		nodes[2].(*corev1.Node).Labels = ssd
		l := newLab(t, objs(nodes, daemonSet("ssd-monitor", ssd, nil, "lab-worker2"))...)
		expect(t, l.check("daemonSetNodes", sel), "pass", msgCtlDSOK, "each of 1 node(s): lab-worker2")
	})
	t.Run("no node labelled: the starter", func(t *testing.T) {
		l := newLab(t, objs(taintedNodes(), daemonSet("ssd-monitor", ssd, nil))...)
		expect(t, l.check("daemonSetNodes", sel), "fail (final)", msgCtlDSNoNode, "kubectl label node NODE disk=ssd")
	})
	t.Run("no nodeSelector", func(t *testing.T) {
		l := newLab(t, objs(taintedNodes(), daemonSet("ssd-monitor", nil, nil, "lab-worker", "lab-worker2"))...)
		expect(t, l.check("daemonSetNodes", sel), "fail (final)", msgCtlDSNoSelector)
	})
	t.Run("missing", func(t *testing.T) {
		expect(t, newLab(t, taintedNodes()...).check("daemonSetNodes", sel), "fail (final)", msgCtlDSMissing)
	})
}

func job(name string, completions, parallelism int32, cond batchv1.JobConditionType, reason string) *batchv1.Job {
	j := &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: types.UID("uid-" + name)},
		Spec: batchv1.JobSpec{Completions: &completions, Parallelism: &parallelism,
			Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{RestartPolicy: corev1.RestartPolicyOnFailure}}},
		Status: batchv1.JobStatus{StartTime: &metav1.Time{Time: time.Now().Add(-20 * time.Second)}}}
	if cond != "" {
		j.Status.Conditions = []batchv1.JobCondition{{Type: cond, Status: corev1.ConditionTrue, Reason: reason, Message: "msg of " + reason}}
	}
	if cond == batchv1.JobComplete {
		j.Status.Succeeded = completions
	}
	return j
}

// jobPod is a finished pod of a job that ran from start to end seconds
// after t0 (whole seconds, as the API writes them).
func jobPod(j *batchv1.Job, i int, t0 time.Time, start, end int) *corev1.Pod {
	p := ctlPod(fmt.Sprintf("%s-%d", j.Name, i), nil, ownedRef("Job", j.Name, j.UID), time.Minute)
	p.Status.Phase = corev1.PodSucceeded
	p.Status.ContainerStatuses[0].State = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
		StartedAt: metav1.NewTime(t0.Add(time.Duration(start) * time.Second)), FinishedAt: metav1.NewTime(t0.Add(time.Duration(end) * time.Second))}}
	return p
}

func TestJobCompleted(t *testing.T) {
	const p = `{job: batch-job, completions: 4, parallelism: 2}`
	t0 := time.Now().Add(-time.Minute).Truncate(time.Second)
	t.Run("two at a time, four times", func(t *testing.T) {
		j := job("batch-job", 4, 2, batchv1.JobComplete, "CompletionsReached")
		// the third starts in the second the first finished: not three at once
		l := newLab(t, j, jobPod(j, 0, t0, 0, 5), jobPod(j, 1, t0, 1, 6), jobPod(j, 2, t0, 5, 10), jobPod(j, 3, t0, 6, 11))
		expect(t, l.check("jobCompleted", p), "pass", msgCtlJobDone, "completed 4 times with at most 2 pods at once", "restartPolicy OnFailure")
	})
	t.Run("parallelism left out: the starter", func(t *testing.T) {
		expect(t, newLab(t, job("batch-job", 4, 1, "", "")).check("jobCompleted", p), "fail (final)", msgCtlJobSpec, "has parallelism 1, the step asks for 2")
	})
	t.Run("completions wrong", func(t *testing.T) {
		expect(t, newLab(t, job("batch-job", 5, 2, "", "")).check("jobCompleted", p), "fail (final)", msgCtlJobSpec, "completions 5")
	})
	t.Run("more pods at once than parallelism", func(t *testing.T) {
		j := job("batch-job", 4, 2, batchv1.JobComplete, "")
		l := newLab(t, j, jobPod(j, 0, t0, 0, 5), jobPod(j, 1, t0, 1, 6), jobPod(j, 2, t0, 2, 7), jobPod(j, 3, t0, 7, 11))
		expect(t, l.check("jobCompleted", p), "fail (final)", msgCtlJobTooParallel, "ran 3 pods at once")
	})
	t.Run("running", func(t *testing.T) {
		j := job("batch-job", 4, 2, "", "")
		j.Status.Succeeded, j.Status.Active = 1, 2
		expect(t, newLab(t, j, jobPod(j, 0, t0, 0, 5)).check("jobCompleted", p), "fail", msgCtlJobRunning, "1 of 4 completions (2 running)")
	})
	t.Run("failed", func(t *testing.T) {
		expect(t, newLab(t, job("batch-job", 4, 2, batchv1.JobFailed, "BackoffLimitExceeded")).check("jobCompleted", p), "fail (final)", msgCtlJobFailed, "BackoffLimitExceeded")
	})
}

func TestMostAtOnce(t *testing.T) {
	t0 := time.Unix(1000, 0)
	s := func(a, b int) jobSpan {
		return jobSpan{start: t0.Add(time.Duration(a) * time.Second), end: t0.Add(time.Duration(b) * time.Second)}
	}
	for _, tc := range []struct {
		spans []jobSpan
		want  int
	}{
		{nil, 0},
		{[]jobSpan{s(0, 5), s(5, 10)}, 1},
		{[]jobSpan{s(0, 5), s(4, 10), s(5, 9)}, 2},
		{[]jobSpan{s(0, 5), s(1, 6), s(2, 7)}, 3},
	} {
		if got := ctlMostAtOnce(tc.spans); got != tc.want {
			t.Errorf("%v: %d, want %d", tc.spans, got, tc.want)
		}
	}
}

func TestJobFailed(t *testing.T) {
	deadline := `{job: deadline-job, reason: DeadlineExceeded, maxSeconds: 30}`
	withDeadline := func(s int64, cond batchv1.JobConditionType, reason string) *batchv1.Job {
		j := job("deadline-job", 1, 1, cond, reason)
		if s > 0 {
			j.Spec.ActiveDeadlineSeconds = &s
		}
		return j
	}
	t.Run("failed at its deadline", func(t *testing.T) {
		expect(t, newLab(t, withDeadline(20, batchv1.JobFailed, "DeadlineExceeded")).check("jobFailed", deadline), "pass", msgCtlJobFailedAsked, "failed with DeadlineExceeded", "activeDeadlineSeconds 20")
	})
	t.Run("a failure target counts", func(t *testing.T) {
		expect(t, newLab(t, withDeadline(20, batchv1.JobFailureTarget, "DeadlineExceeded")).check("jobFailed", deadline), "pass", msgCtlJobFailedAsked)
	})
	t.Run("no deadline: the starter", func(t *testing.T) {
		expect(t, newLab(t, withDeadline(0, "", "")).check("jobFailed", deadline), "fail (final)", msgCtlJobNoDeadline)
	})
	t.Run("deadline too long", func(t *testing.T) {
		expect(t, newLab(t, withDeadline(600, "", "")).check("jobFailed", deadline), "fail (final)", msgCtlJobDeadlineLong, "600", "at most 30")
	})
	t.Run("not yet", func(t *testing.T) {
		expect(t, newLab(t, withDeadline(20, "", "")).check("jobFailed", deadline), "fail", msgCtlJobNotYet, "waiting for it to fail with DeadlineExceeded")
	})
	t.Run("completed instead", func(t *testing.T) {
		expect(t, newLab(t, withDeadline(20, batchv1.JobComplete, "")).check("jobFailed", deadline), "fail (final)", msgCtlJobSucceeded)
	})
	backoff := `{job: backoff-job, reason: BackoffLimitExceeded, maxAttempts: 3}`
	withBackoff := func(limit int32, cond batchv1.JobConditionType, reason string) *batchv1.Job {
		j := job("backoff-job", 1, 1, cond, reason)
		if limit >= 0 {
			j.Spec.BackoffLimit = &limit
		}
		return j
	}
	t.Run("backoff limit reached", func(t *testing.T) {
		expect(t, newLab(t, withBackoff(2, batchv1.JobFailed, "BackoffLimitExceeded")).check("jobFailed", backoff), "pass", msgCtlJobFailedAsked, "backoffLimit 2")
	})
	t.Run("default backoff limit: the starter", func(t *testing.T) {
		expect(t, newLab(t, withBackoff(-1, "", "")).check("jobFailed", backoff), "fail (final)", msgCtlJobBackoffHigh, "backoffLimit 6, so it tries 7 times")
	})
	t.Run("other reason", func(t *testing.T) {
		expect(t, newLab(t, withBackoff(2, batchv1.JobFailed, "DeadlineExceeded")).check("jobFailed", backoff), "fail (final)", msgCtlJobOtherReason, "failed with DeadlineExceeded, want BackoffLimitExceeded")
	})
}

func cronJob(schedule string, deadline *int64, succ *int32) *batchv1.CronJob {
	return &batchv1.CronJob{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "batch-cron", UID: "uid-batch-cron"},
		Spec: batchv1.CronJobSpec{Schedule: schedule, StartingDeadlineSeconds: deadline, SuccessfulJobsHistoryLimit: succ}}
}

func cronRun(name string, cond batchv1.JobConditionType) *batchv1.Job {
	j := job(name, 1, 1, cond, "")
	yes := true
	j.OwnerReferences = []metav1.OwnerReference{{APIVersion: "batch/v1", Kind: "CronJob", Name: "batch-cron", UID: "uid-batch-cron", Controller: &yes}}
	return j
}

func TestCronJobRuns(t *testing.T) {
	const p = `{cronJob: batch-cron, every: 1m, successfulJobsHistoryLimit: 2, startingDeadlineSeconds: 30}`
	d15, two, three := int64(15), int32(2), int32(3)
	t.Run("every minute, a run done", func(t *testing.T) {
		l := newLab(t, cronJob("* * * * *", &d15, &two), cronRun("batch-cron-1", batchv1.JobComplete))
		expect(t, l.check("cronJobRuns", p), "pass", msgCtlCronOK, "runs every 1m0s", "jobs: batch-cron-1 Complete")
	})
	t.Run("every 15 minutes: the starter", func(t *testing.T) {
		expect(t, newLab(t, cronJob("0,15,30,45 * * * *", &d15, &two)).check("cronJobRuns", p), "fail (final)", msgCtlCronSchedule, "runs every 15m0s")
	})
	t.Run("no starting deadline", func(t *testing.T) {
		expect(t, newLab(t, cronJob("* * * * *", nil, &two)).check("cronJobRuns", p), "fail (final)", msgCtlCronField, "startingDeadlineSeconds (none)")
	})
	t.Run("default history", func(t *testing.T) {
		expect(t, newLab(t, cronJob("* * * * *", &d15, &three)).check("cronJobRuns", p), "fail (final)", msgCtlCronField, "successfulJobsHistoryLimit 3, the step asks for 2")
	})
	t.Run("no run yet, the next within the deadline: waits and says so", func(t *testing.T) {
		l := newLab(t, cronJob("* * * * *", &d15, &two))
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Second)
		defer cancel()
		o := build(t, "cronJobRuns", p).Check(ctx, l.env)
		expect(t, o, "fail", msgCtlCronWaiting, "waiting up to")
	})
	t.Run("no run yet, the next after the deadline", func(t *testing.T) {
		l := newLab(t, cronJob("@hourly", &d15, &two))
		expect(t, l.check("cronJobRuns", `{cronJob: batch-cron, every: 2h}`), "fail (final)", msgCtlCronTooFar, "after this check's deadline")
	})
	t.Run("a run failed", func(t *testing.T) {
		l := newLab(t, cronJob("* * * * *", &d15, &two), cronRun("batch-cron-1", batchv1.JobFailed))
		expect(t, l.check("cronJobRuns", p), "fail (final)", msgCtlCronRunFailed, "batch-cron-1")
	})
	t.Run("a schedule it cannot read", func(t *testing.T) {
		expect(t, newLab(t, cronJob("every minute", &d15, &two)).check("cronJobRuns", p), "fail (final)", msgCtlCronBadSchedule)
	})
}

func TestDaemonSetImagePull(t *testing.T) {
	objs := daemonSet("node-agent", nil, cpToleration, "lab-control-plane", "lab-worker", "lab-worker2")
	p := objs[1].(*corev1.Pod)
	p.Status.Conditions[0].Status = corev1.ConditionFalse
	p.Status.ContainerStatuses[0].Image = "registry.k8s.io/e2e-test-images/agnhost:2.56"
	p.Status.ContainerStatuses[0].State = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ErrImagePull"}}
	l := newLab(t, append(taintedNodes(), objs...)...)
	expect(t, l.check("daemonSetNodes", `{daemonSet: node-agent, nodes: all}`), "fail (final)", msgCtlImagePull,
		"pod node-agent-lab-control-plane on node lab-control-plane cannot get its image registry.k8s.io/e2e-test-images/agnhost:2.56 (ErrImagePull)")
}
