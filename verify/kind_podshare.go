package verify

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/labctl/labctl/i18n"
)

// The containers of one Pod share a network namespace (one IP, one
// localhost, one port space) and a UTS namespace (one hostname), while each
// keeps its own filesystem. Only a container can see that, so these checks
// look from inside one: they run commands that only read (cat of
// /proc/sys/kernel/hostname, ls -d of a path, an HTTP GET to localhost) and
// change nothing the student built.

// containersShareNetwork proves container from reaches container to on
// localhost:port.
type containersShareNetwork struct {
	Pod       string `yaml:"pod"`
	Namespace string `yaml:"namespace"`
	From      string `yaml:"from"`
	To        string `yaml:"to"`
	Port      int32  `yaml:"port"`
	Path      string `yaml:"path"`
}

// containersShareHostname proves every container of a Pod sees one hostname.
type containersShareHostname struct {
	Pod       string `yaml:"pod"`
	Namespace string `yaml:"namespace"`
}

// containerFilesApart proves a path is in one container's filesystem and
// in no other container's of the same Pod.
type containerFilesApart struct {
	Pod       string `yaml:"pod"`
	Namespace string `yaml:"namespace"`
	Path      string `yaml:"path"`
	In        string `yaml:"in"`
}

// podReachesPod proves a Pod reaches another, in another namespace, by its
// IP: namespaces group names, not the network.
type podReachesPod struct {
	From          string `yaml:"from"`
	FromNamespace string `yaml:"fromNamespace"`
	Container     string `yaml:"container"`
	To            string `yaml:"to"`
	ToNamespace   string `yaml:"toNamespace"`
	Port          int32  `yaml:"port"`
	Path          string `yaml:"path"`
}

func init() {
	register("containersShareNetwork", func(p containersShareNetwork) (Checker, error) {
		if p.Pod == "" || p.From == "" || p.To == "" || p.Port == 0 {
			return nil, errors.New("params.pod, params.from, params.to and params.port are required")
		}
		if p.From == p.To {
			return nil, errors.New(msgSameContainer.F(i18n.En, p.From))
		}
		p.Path = withSlash(p.Path)
		return p, nil
	})
	register("containersShareHostname", func(p containersShareHostname) (Checker, error) {
		if p.Pod == "" {
			return nil, errors.New("params.pod is required")
		}
		return p, nil
	})
	register("containerFilesApart", func(p containerFilesApart) (Checker, error) {
		if p.Pod == "" || p.Path == "" || p.In == "" {
			return nil, errors.New("params.pod, params.path and params.in are required")
		}
		if !strings.HasPrefix(p.Path, "/") {
			return nil, fmt.Errorf("params.path %q: want an absolute path", p.Path)
		}
		return p, nil
	})
	register("podReachesPod", func(p podReachesPod) (Checker, error) {
		if p.From == "" || p.To == "" || p.Port == 0 {
			return nil, errors.New("params.from, params.to and params.port are required")
		}
		p.Path = withSlash(p.Path)
		return p, nil
	})
}

// multiContainerPod is a running Pod with at least two containers.
func multiContainerPod(ctx context.Context, env *Env, ns, name string) (*corev1.Pod, *Outcome) {
	if env.Exec == nil {
		o := Errored(i18n.Errorf(msgNoExec))
		return nil, &o
	}
	p, miss := runningPod(ctx, env, ns, name)
	if miss != nil {
		return nil, miss
	}
	if len(p.Spec.Containers) < 2 {
		o := Missing(msgOneContainer, p.Namespace+"/"+p.Name, len(p.Spec.Containers))
		return nil, &o
	}
	return p, nil
}

func (p containersShareNetwork) Check(ctx context.Context, env *Env) Outcome {
	pod, miss := multiContainerPod(ctx, env, env.ns(p.Namespace), p.Pod)
	if miss != nil {
		return *miss
	}
	for _, c := range []string{p.From, p.To} {
		if _, miss := container(pod, c); miss != nil {
			return *miss
		}
	}
	url := fmt.Sprintf("http://localhost:%d%s", p.Port, p.Path)
	body, failure, out := fetchIn(ctx, env, pod, p.From, url)
	if out != nil {
		return *out
	}
	if failure != "" {
		to, _ := container(pod, p.To)
		o := Failed(msgLocalhostFailed, p.From, p.Port, p.To, p.Port).With(env.t(evSeenFrom, p.From, failure)).With(containerEvidence(env, to)...)
		if settled(pod) {
			o.Final = true
		}
		return o
	}
	return Passed(msgLocalhostOK, p.From, p.Port, p.To, firstLine(body))
}

func (p containersShareHostname) Check(ctx context.Context, env *Env) Outcome {
	pod, miss := multiContainerPod(ctx, env, env.ns(p.Namespace), p.Pod)
	if miss != nil {
		return *miss
	}
	seen := map[string][]string{}
	var ev []string
	for _, c := range pod.Spec.Containers {
		r, err := execFirst(ctx, env, pod, c.Name, []string{"cat", "/proc/sys/kernel/hostname"}, []string{"hostname"})
		if err != nil {
			return *err
		}
		h := strings.TrimSpace(r.Stdout)
		if r.ExitCode != 0 || h == "" {
			return Errored(i18n.Errorf(msgExecFailed, "cat /proc/sys/kernel/hostname", c.Name, pod.Namespace+"/"+pod.Name).Wrap(errors.New(strings.TrimSpace(r.Stderr))))
		}
		seen[h] = append(seen[h], c.Name)
		ev = append(ev, env.t(evSeenFrom, c.Name, h))
	}
	if len(seen) == 1 {
		for h := range seen {
			return Passed(msgHostnameSame, pod.Namespace+"/"+pod.Name, h).With(ev...)
		}
	}
	return Missing(msgHostnameDiffers, pod.Namespace+"/"+pod.Name, strings.Join(ev, "; "))
}

func (p containerFilesApart) Check(ctx context.Context, env *Env) Outcome {
	pod, miss := multiContainerPod(ctx, env, env.ns(p.Namespace), p.Pod)
	if miss != nil {
		return *miss
	}
	if _, miss := container(pod, p.In); miss != nil {
		return *miss
	}
	var others, sharing []string
	var ev []string
	has := map[string]bool{}
	for _, c := range pod.Spec.Containers {
		r, err := execFirst(ctx, env, pod, c.Name, []string{"ls", "-d", "--", p.Path}, []string{"test", "-e", p.Path})
		if err != nil {
			return *err
		}
		has[c.Name] = r.ExitCode == 0
		ev = append(ev, env.t(evSeenFrom, c.Name, lsResult(r, p.Path)))
		if c.Name != p.In {
			others = append(others, c.Name)
			if has[c.Name] {
				sharing = append(sharing, c.Name)
			}
		}
	}
	switch {
	case !has[p.In]:
		return Missing(msgFileMissing, p.Path, p.In, p.In).With(ev...)
	case len(sharing) > 0:
		return Missing(msgFileShared, p.Path, strings.Join(sharing, ", ")).With(ev...)
	}
	return Passed(msgFilesApart, p.Path, p.In, strings.Join(others, ", ")).With(ev...)
}

func lsResult(r ExecResult, path string) string {
	if r.ExitCode == 0 {
		if out := strings.TrimSpace(r.Stdout); out != "" {
			return out
		}
		return path
	}
	if e := strings.TrimSpace(r.Stderr); e != "" {
		return firstLine(e)
	}
	return fmt.Sprintf("%s: exit code %d", path, r.ExitCode)
}

func (p podReachesPod) Check(ctx context.Context, env *Env) Outcome {
	if env.Exec == nil {
		return Errored(i18n.Errorf(msgNoExec))
	}
	from, miss := runningPod(ctx, env, env.ns(p.FromNamespace), p.From)
	if miss != nil {
		return *miss
	}
	if _, miss := container(from, p.Container); miss != nil {
		return *miss
	}
	to, miss := runningPod(ctx, env, env.ns(p.ToNamespace), p.To)
	if miss != nil {
		return *miss
	}
	fromRef, toRef := from.Namespace+"/"+from.Name, to.Namespace+"/"+to.Name
	addr := hostPort(to.Status.PodIP, p.Port)
	body, failure, out := fetchIn(ctx, env, from, p.Container, "http://"+addr+p.Path)
	if out != nil {
		return *out
	}
	if failure != "" {
		o := Failed(msgPodNoReach, fromRef, toRef, addr).With(env.t(evSeenFrom, containerName(from, p.Container), failure))
		// both settled: a refusal or a silence (a NetworkPolicy) will not pass by waiting
		if settled(to) && settled(from) {
			o.Final = true
		}
		return o
	}
	return Passed(msgPodReachesPod, fromRef, toRef, to.Status.PodIP, firstLine(body))
}

func containerName(p *corev1.Pod, name string) string {
	if name == "" && len(p.Spec.Containers) > 0 {
		return p.Spec.Containers[0].Name
	}
	return name
}

// execFirst runs the first command the container has a program for.
func execFirst(ctx context.Context, env *Env, p *corev1.Pod, container string, cmds ...[]string) (ExecResult, *Outcome) {
	var r ExecResult
	for _, cmd := range cmds {
		cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		var err error
		r, err = env.Exec.Exec(cctx, p.Namespace, p.Name, container, cmd)
		cancel()
		if err != nil {
			o := Errored(i18n.Errorf(msgExecFailed, strings.Join(cmd, " "), container, p.Namespace+"/"+p.Name).Wrap(err))
			return r, &o
		}
		if !r.NotFound {
			return r, nil
		}
	}
	return r, nil
}

// fetchIn sends one GET from inside a container with curl (or wget): the
// body on success, else what went wrong as the container's tool said it.
func fetchIn(ctx context.Context, env *Env, p *corev1.Pod, container, url string) (body, failure string, out *Outcome) {
	name := containerName(p, container)
	r, o := execFirst(ctx, env, p, name,
		[]string{"curl", "-sS", "-m", "3", url},
		[]string{"wget", "-q", "-T", "3", "-O", "-", url})
	if o != nil {
		return "", "", o
	}
	if r.NotFound {
		m := Missing(msgNoHTTPClient, name)
		return "", "", &m
	}
	if r.ExitCode != 0 {
		f := strings.TrimSpace(r.Stderr)
		if f == "" {
			f = fmt.Sprintf("exit code %d", r.ExitCode)
		}
		if r.ExitCode == 7 && !strings.Contains(strings.ToLower(f), "refused") {
			f += " (connection refused)"
		}
		return "", firstLine(f), nil
	}
	return r.Stdout, "", nil
}

// sortedKeys is for stable evidence.
func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
