package verify

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// podServes proves a Pod is Running and answers HTTP on a port of its own
// IP, from a node: the cluster's flat pod network, as the notes reach a pod.
// When it does not, it says why: the image, a crash (with the container's
// last words), or nothing listening on that port.
type podServes struct {
	Pod          string `yaml:"pod"`
	Namespace    string `yaml:"namespace"`
	Port         int32  `yaml:"port"`
	Path         string `yaml:"path"`
	BodyContains string `yaml:"bodyContains"`
}

// podForward proves the student's own port-forward runs: localPort on this
// computer answers as the Pod does on podPort.
type podForward struct {
	Pod          string `yaml:"pod"`
	Namespace    string `yaml:"namespace"`
	LocalPort    int    `yaml:"localPort"`
	PodPort      int32  `yaml:"podPort"`
	Path         string `yaml:"path"`
	BodyContains string `yaml:"bodyContains"`
}

func init() {
	register("podServes", func(p podServes) (Checker, error) {
		if p.Pod == "" || p.Port == 0 {
			return nil, errors.New("params.pod and params.port are required")
		}
		if p.Port < 1 || p.Port > 65535 {
			return nil, fmt.Errorf("params.port %d: want 1-65535", p.Port)
		}
		p.Path = withSlash(p.Path)
		return p, nil
	})
	register("portForward", func(p podForward) (Checker, error) {
		if p.Pod == "" || p.LocalPort == 0 || p.PodPort == 0 {
			return nil, errors.New("params.pod, params.localPort and params.podPort are required")
		}
		if p.LocalPort < 1024 || p.LocalPort > 65535 {
			return nil, fmt.Errorf("params.localPort %d: want 1024-65535 (a port a student may open)", p.LocalPort)
		}
		p.Path = withSlash(p.Path)
		return p, nil
	})
	nodeKinds["podServes"] = true
	nodeKinds["portForward"] = true
}

func withSlash(path string) string {
	if !strings.HasPrefix(path, "/") {
		return "/" + path
	}
	return path
}

func (p podServes) Check(ctx context.Context, env *Env) Outcome {
	pod, miss := runningPod(ctx, env, env.ns(p.Namespace), p.Pod)
	if miss != nil {
		return *miss
	}
	ref := pod.Namespace + "/" + pod.Name
	url := "http://" + hostPort(pod.Status.PodIP, p.Port) + p.Path
	rs, err := env.Net.HTTP(ctx, FromNode, "", HTTPRequest{URL: url}, 1)
	if err != nil {
		return Errored(err)
	}
	r := rs[0]
	if r.Status == 0 {
		var ev []string
		for i := range pod.Spec.Containers {
			ev = append(ev, containerEvidence(env, &pod.Spec.Containers[i])...)
		}
		if refusedErr(r.Err) && settled(pod) {
			return Missing(msgPodRefused, ref, p.Port, pod.Status.PodIP).With(env.describe(r)).With(ev...)
		}
		return Failed(msgPodNoAnswer, ref, url).With(env.describe(r)).With(ev...)
	}
	if p.BodyContains != "" && !strings.Contains(r.Body, p.BodyContains) {
		return Missing(msgPodWrongBody, ref, url, p.BodyContains).With(env.describe(r))
	}
	return Passed(msgPodServes, ref, url, firstLine(r.Body))
}

// refusedErr reports a connection refused (nothing listens), as curl in a
// node or Go's own client words it.
func refusedErr(s string) bool {
	s = strings.ToLower(s)
	return strings.Contains(s, "refused") || strings.Contains(s, "couldn't connect") || strings.HasSuffix(s, "exit code 7")
}

// settled reports whether every container has been running long enough
// that its process has opened its ports.
func settled(p *corev1.Pod) bool {
	for _, c := range p.Spec.Containers {
		since := runningSince(p, c.Name)
		if since.IsZero() || time.Since(since) < settleTime {
			return false
		}
	}
	return true
}

func (p podForward) Check(ctx context.Context, env *Env) Outcome {
	pod, miss := runningPod(ctx, env, env.ns(p.Namespace), p.Pod)
	if miss != nil {
		return *miss
	}
	ref := pod.Namespace + "/" + pod.Name
	// what the pod itself answers, from a node: the forward must give the same
	podURL := "http://" + hostPort(pod.Status.PodIP, p.PodPort) + p.Path
	local := "http://" + hostPort("127.0.0.1", int32(p.LocalPort)) + p.Path
	type answer struct {
		rs  []HTTPResponse
		err error
	}
	// the pod's own answer is only needed when the forward answers: asked
	// meanwhile, not waited for when nothing listens
	nodeAnswer := make(chan answer, 1)
	go func() {
		rs, err := env.Net.HTTP(ctx, FromNode, "", HTTPRequest{URL: podURL}, 1)
		nodeAnswer <- answer{rs, err}
	}()
	forwarded, ferr := env.Net.HTTP(ctx, FromHost, "", HTTPRequest{URL: local}, 1)
	if ferr != nil {
		return Errored(ferr)
	}
	f := forwarded[0]
	if f.Status == 0 {
		if refusedErr(f.Err) {
			return Missing(msgForwardNone, p.LocalPort, pod.Namespace, pod.Name, p.LocalPort, p.PodPort).With(env.t(evFromHost, f.Err))
		}
		return Missing(msgForwardBroken, p.LocalPort, f.Err, p.PodPort)
	}
	same := strings.Contains(f.Body, p.BodyContains)
	if p.BodyContains == "" {
		// the same answer as the pod gives itself (its hostname, say)
		a := <-nodeAnswer
		if a.err != nil {
			return Errored(a.err)
		}
		direct := a.rs
		if direct[0].Status == 0 {
			return Failed(msgPodNoAnswer, ref, podURL).With(env.describe(direct[0]))
		}
		same = strings.TrimSpace(f.Body) == strings.TrimSpace(direct[0].Body)
	}
	if !same {
		return Missing(msgForwardElsewhr, p.LocalPort, ref, firstLine(f.Body)).With(env.t(evFromHost, env.describe(f)))
	}
	return Passed(msgForwardOK, p.LocalPort, ref, firstLine(f.Body))
}
