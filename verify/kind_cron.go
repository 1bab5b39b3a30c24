package verify

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/robfig/cron/v3"
	batchv1 "k8s.io/api/batch/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// cronJobRuns proves a CronJob runs as often as asked, keeps the asked
// history, has a starting deadline, and has completed a run. When no run
// has completed yet it waits for the next one if that falls within the
// check's own deadline, and says how long it waits.
type cronJobRuns struct {
	CronJob   string `yaml:"cronJob"`
	Namespace string `yaml:"namespace"`
	// Every is the longest allowed time between runs ("1m").
	Every string `yaml:"every"`
	// SuccessfulJobsHistoryLimit and FailedJobsHistoryLimit, when set, are
	// the values the step asks for.
	SuccessfulJobsHistoryLimit *int32 `yaml:"successfulJobsHistoryLimit"`
	FailedJobsHistoryLimit     *int32 `yaml:"failedJobsHistoryLimit"`
	// StartingDeadlineSeconds, when set, is the largest value accepted; the
	// CronJob must set one.
	StartingDeadlineSeconds int64 `yaml:"startingDeadlineSeconds"`
	every                   time.Duration
}

// cronParser reads schedules as the CronJob controller does (five fields
// and the @every/@hourly descriptors).
var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

func init() {
	register("cronJobRuns", func(p cronJobRuns) (Checker, error) {
		if p.CronJob == "" || p.Every == "" {
			return nil, errors.New("params.cronJob and params.every are required")
		}
		d, err := time.ParseDuration(p.Every)
		if err != nil || d < time.Minute {
			return nil, fmt.Errorf("params.every %q: want a duration of 1m or more", p.Every)
		}
		p.every = d
		return p, nil
	})
}

// longestGap is the longest time between two runs over the next day.
func longestGap(s cron.Schedule, from time.Time) time.Duration {
	var gap time.Duration
	t := s.Next(from)
	for end := from.Add(24 * time.Hour); t.Before(end) && !t.IsZero(); {
		n := s.Next(t)
		if n.IsZero() {
			break
		}
		gap = max(gap, n.Sub(t))
		t = n
	}
	return gap
}

func (p cronJobRuns) Check(ctx context.Context, env *Env) Outcome {
	ns := env.ns(p.Namespace)
	cj, err := env.Client.BatchV1().CronJobs(ns).Get(ctx, p.CronJob, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return Missing(msgCtlCronMissing, ns+"/"+p.CronJob)
	}
	if err != nil {
		return Errored(err)
	}
	sched, err := cronParser.Parse(cj.Spec.Schedule)
	if err != nil {
		return Missing(msgCtlCronBadSchedule, cj.Name, cj.Spec.Schedule, err.Error())
	}
	now := time.Now()
	gap := longestGap(sched, now)
	if gap > p.every {
		return Missing(msgCtlCronSchedule, cj.Name, cj.Spec.Schedule, gap, p.every)
	}
	if cj.Spec.Suspend != nil && *cj.Spec.Suspend {
		return Missing(msgCtlCronSuspended, cj.Name)
	}
	if p.StartingDeadlineSeconds > 0 {
		d := cj.Spec.StartingDeadlineSeconds
		if d == nil {
			return Missing(msgCtlCronField, cj.Name, "startingDeadlineSeconds", "(none)", "≤ "+strconv.FormatInt(p.StartingDeadlineSeconds, 10))
		}
		if *d > p.StartingDeadlineSeconds {
			return Missing(msgCtlCronField, cj.Name, "startingDeadlineSeconds", strconv.FormatInt(*d, 10), "≤ "+strconv.FormatInt(p.StartingDeadlineSeconds, 10))
		}
	}
	for _, lim := range []struct {
		name string
		got  *int32
		def  int32
		want *int32
	}{
		{"successfulJobsHistoryLimit", cj.Spec.SuccessfulJobsHistoryLimit, 3, p.SuccessfulJobsHistoryLimit},
		{"failedJobsHistoryLimit", cj.Spec.FailedJobsHistoryLimit, 1, p.FailedJobsHistoryLimit},
	} {
		got := lim.def
		if lim.got != nil {
			got = *lim.got
		}
		if lim.want != nil && got != *lim.want {
			return Missing(msgCtlCronField, cj.Name, lim.name, strconv.Itoa(int(got)), strconv.Itoa(int(*lim.want)))
		}
	}
	list, err := env.Client.BatchV1().Jobs(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return Errored(err)
	}
	var jobs []batchv1.Job
	var lastDone, lastFailed *batchv1.Job
	for i, j := range list.Items {
		ref := metav1.GetControllerOf(&j)
		if ref == nil || ref.UID != cj.UID {
			continue
		}
		jobs = append(jobs, j)
		switch t, _ := ctlJobCondition(&list.Items[i]); t {
		case batchv1.JobComplete:
			if lastDone == nil || lastDone.CreationTimestamp.Before(&j.CreationTimestamp) {
				lastDone = &list.Items[i]
			}
		case batchv1.JobFailed:
			if lastFailed == nil || lastFailed.CreationTimestamp.Before(&j.CreationTimestamp) {
				lastFailed = &list.Items[i]
			}
		}
	}
	next := sched.Next(now)
	ev := []string{fmt.Sprintf("schedule %q, next run %s", cj.Spec.Schedule, next.UTC().Format("15:04:05")), "jobs: " + env.list(nil)}
	if len(jobs) > 0 {
		ev[1] = "jobs: " + ctlJobNames(jobs)
	}
	if lastDone != nil {
		at := lastDone.CreationTimestamp.Time
		if lastDone.Status.CompletionTime != nil {
			at = lastDone.Status.CompletionTime.Time
		}
		return Passed(msgCtlCronOK, cj.Name, gap, at.UTC().Format("15:04:05")).With(ev...)
	}
	if lastFailed != nil {
		_, c := ctlJobCondition(lastFailed)
		return Missing(msgCtlCronRunFailed, lastFailed.Name, cj.Name, c.Reason).With(ev...)
	}
	// A run is due at next (or one is running now); give it time to finish.
	// A run due a moment ago may not have made its Job yet: it counts.
	due := sched.Next(now.Add(-30 * time.Second))
	wait := max(time.Until(due), 0) + 30*time.Second
	if len(jobs) > 0 {
		wait = 30 * time.Second
	}
	if dl, ok := ctx.Deadline(); ok && now.Add(wait).After(dl) && len(jobs) == 0 {
		return Missing(msgCtlCronTooFar, cj.Name, next.UTC().Format("15:04:05")).With(ev...)
	}
	return Failed(msgCtlCronWaiting, cj.Name, due.UTC().Format("15:04:05"), wait.Round(time.Second)).With(ev...)
}
