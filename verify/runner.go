package verify

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/labctl/labctl/i18n"
	"github.com/labctl/labctl/labs"
)

// Options tune a run.
type Options struct {
	// Timeout, when set, replaces every check's own deadline (an instructor
	// grading a class, or a negative control that expects failure).
	Timeout time.Duration
	// Poll is the first pause between attempts; it grows to 2 s.
	Poll time.Duration
	// Parallel bounds how many checks run at once (default 8).
	Parallel int
	// Grace is how long a wrong answer must stay wrong on a settled cluster
	// before it fails (default SettleGrace); see Dependent.
	Grace time.Duration
	// OnStart and OnResult follow the run live (the TUI's spinners).
	OnStart  func(step, check string)
	OnResult func(CheckResult)
}

// Run checks the given steps of a chapter (all when steps is empty): every
// check of every step concurrently, each polling until it passes, cannot
// pass, or reaches its deadline.
func Run(ctx context.Context, env *Env, ch *labs.Chapter, steps []int, o Options) Report {
	if o.Poll == 0 {
		o.Poll = 250 * time.Millisecond
	}
	if o.Parallel == 0 {
		o.Parallel = 8
	}
	if o.Grace == 0 {
		o.Grace = SettleGrace
	}
	if len(steps) == 0 {
		for i := range ch.Steps {
			steps = append(steps, i)
		}
	}
	started := time.Now()
	rep := Report{Schema: ReportSchema, Chapter: ch.ID, Title: ch.Title.In(env.Lang), Lang: env.Lang, Started: started.UTC()}
	rep.Steps = make([]StepResult, len(steps))
	sem := make(chan struct{}, o.Parallel)
	var wg sync.WaitGroup
	var mu sync.Mutex
	for si, idx := range steps {
		st := ch.Steps[idx]
		rep.Steps[si] = StepResult{ID: st.ID, Number: idx + 1, Title: st.Title.In(env.Lang), Checks: make([]CheckResult, len(st.Checks))}
		for ci, spec := range st.Checks {
			wg.Add(1)
			go func() {
				defer wg.Done()
				sem <- struct{}{}
				defer func() { <-sem }()
				if o.OnStart != nil {
					o.OnStart(st.ID, spec.Name())
				}
				res := runCheck(ctx, env, st.ID, spec, o)
				mu.Lock()
				rep.Steps[si].Checks[ci] = res
				mu.Unlock()
				if o.OnResult != nil {
					o.OnResult(res)
				}
			}()
		}
	}
	wg.Wait()
	for i := range rep.Steps {
		rep.Steps[i].Verdict = combine(rep.Steps[i].Checks)
		for _, c := range rep.Steps[i].Checks {
			switch c.Verdict {
			case Pass:
				rep.Summary.Pass++
			case Fail:
				rep.Summary.Fail++
			default:
				rep.Summary.Error++
			}
		}
	}
	rep.Verdict = combineSteps(rep.Steps)
	rep.Elapsed = Seconds(time.Since(started))
	return rep
}

// worst is the verdict of a group: fail if anything failed, else error if
// anything could not run, else pass.
func worst(vs ...Verdict) Verdict {
	v := Pass
	for _, x := range vs {
		switch x {
		case Fail:
			return Fail
		case Error:
			v = Error
		}
	}
	return v
}

func combine(cs []CheckResult) Verdict {
	vs := make([]Verdict, len(cs))
	for i, c := range cs {
		vs[i] = c.Verdict
	}
	return worst(vs...)
}

func combineSteps(ss []StepResult) Verdict {
	vs := make([]Verdict, len(ss))
	for i, s := range ss {
		vs[i] = s.Verdict
	}
	return worst(vs...)
}

// runCheck polls one check until it passes, reports a final failure, or
// its deadline passes. A check whose kind is Dependent stops earlier: a
// wrong answer fails once nothing it depends on has moved for o.Grace, and
// a right answer waits while pods it depends on are still starting.
func runCheck(ctx context.Context, env *Env, step string, spec labs.CheckSpec, o Options) CheckResult {
	res := CheckResult{Step: step, ID: spec.Name(), Kind: spec.Kind, Title: spec.Title.In(env.Lang)}
	start := time.Now()
	finish := func(v Verdict, out Outcome) CheckResult {
		res.Verdict = v
		res.Elapsed = Seconds(time.Since(start))
		res.Evidence = out.Evidence
		switch {
		case out.Err != nil:
			res.Message = i18n.Localize(out.Err, env.Lang)
		case out.Msg.ID != "":
			res.Message = out.Msg.F(env.Lang, out.Args...)
		}
		if v != Pass {
			res.Hint = spec.Hint.In(env.Lang)
		}
		return res
	}
	checker, err := Build(spec.Kind, &spec.Params)
	if err != nil {
		return finish(Error, Errored(err))
	}
	deadline := time.Duration(spec.Timeout)
	if deadline == 0 {
		deadline = DefaultTimeout
	}
	if o.Timeout > 0 {
		deadline = o.Timeout
	}
	cctx, cancel := context.WithTimeout(ctx, deadline)
	defer cancel()
	dep, _ := checker.(Dependent)
	pause := o.Poll
	var last Outcome
	var motion Motion
	var settled time.Time // since when nothing moved under a wrong answer
	for {
		res.Attempts++
		out := checker.Check(cctx, env)
		// An attempt the deadline cut short (a request interrupted in
		// flight, or refused by client-go's rate limiter because it could
		// not finish before the deadline) observed nothing: the previous
		// attempt is the answer.
		cutShort := cctx.Err() != nil
		if d, ok := cctx.Deadline(); ok && time.Until(d) < time.Second {
			cutShort = true
		}
		if out.Err != nil && res.Attempts > 1 && cutShort && !errors.Is(ctx.Err(), context.Canceled) {
			out = last
		}
		last = out
		switch {
		case last.Final && last.Err == nil && !last.Pass:
			return finish(Fail, last)
		case last.Final && last.Err != nil:
			// the check cannot look, and waiting will not change that
			// (a lab without the controller the step needs)
			return finish(Error, last)
		case last.Err != nil:
			settled = time.Time{}
		case dep == nil:
			if last.Pass {
				return finish(Pass, last)
			}
		default:
			m, err := Settle(cctx, env, dep.DependsOn(env))
			if err != nil {
				// cannot tell whether it moves: trust a pass, poll a failure
				if last.Pass {
					return finish(Pass, last)
				}
				break
			}
			if !last.Pass && last.CatchingUp != "" {
				m.CatchingUp = append(m.CatchingUp, last.CatchingUp)
			}
			motion = m
			switch {
			case last.Pass && !m.HoldsPass():
				return finish(Pass, last)
			case last.Pass:
				settled = time.Time{}
			case m.Moving():
				settled = time.Time{}
			case settled.IsZero():
				settled = time.Now()
			}
			if !last.Pass && !settled.IsZero() && time.Since(settled) >= o.Grace {
				res.Settled = true
				res.Note = msgSettledNote.F(env.Lang)
				return finish(Fail, last)
			}
		}
		select {
		case <-cctx.Done():
			if errors.Is(ctx.Err(), context.Canceled) {
				return finish(Error, Errored(ctx.Err()))
			}
			if last.Err != nil {
				return finish(Error, last)
			}
			res.Waited = true
			out := last
			if out.Pass {
				// right for now, but pods it depends on never finished
				// starting: the answer could still change
				out = Failed(msgStillStarting, joinReasons(motion.Starting))
				if len(motion.Starting) == 0 {
					out = Failed(msgStillRouting, joinReasons(motion.Routing))
				}
			} else if motion.Moving() {
				out = out.With(env.t(evStillMoving, joinReasons(motion.Reasons())))
			}
			return finish(Fail, out)
		case <-time.After(pause):
		}
		if pause = pause * 3 / 2; pause > 2*time.Second {
			pause = 2 * time.Second
		}
	}
}
