package verify

import (
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/labctl/labctl/i18n"
)

// twoContainers is ch03's pod: web (agnhost, serving 8080) and a sidecar
// (another image), running for a minute.
func twoContainers() *corev1.Pod {
	p := pod("two-containers", "10.244.1.20", "lab-worker", "app=two")
	p.Spec.Containers = []corev1.Container{
		{Name: "web", Image: "agnhost", Ports: []corev1.ContainerPort{{ContainerPort: 8080}}},
		{Name: "sidecar", Image: "dnsutils"},
	}
	return running(p, time.Minute)
}

// podView plays the containers of a pod: what each one's hostname is, which
// files each has, and what localhost:PORT answers inside the pod.
type podView struct {
	hostname map[string]string
	files    map[string][]string
	local    map[string]string // "8080" -> body; missing: refused
	noCurl   map[string]bool
}

func (v podView) run(_, container string, cmd []string) ExecResult {
	switch cmd[0] {
	case "cat":
		return ExecResult{Stdout: v.hostname[container] + "\n"}
	case "ls":
		path := cmd[len(cmd)-1]
		for _, f := range v.files[container] {
			if f == path {
				return ExecResult{Stdout: path + "\n"}
			}
		}
		return ExecResult{ExitCode: 2, Stderr: "ls: cannot access '" + path + "': No such file or directory"}
	case "curl":
		if v.noCurl[container] {
			return ExecResult{NotFound: true, ExitCode: 127}
		}
		url := cmd[len(cmd)-1]
		for port, body := range v.local {
			if strings.Contains(url, ":"+port+"/") {
				return ExecResult{Stdout: body}
			}
		}
		return ExecResult{ExitCode: 7, Stderr: "curl: (7) Failed to connect to localhost port 8080 after 0 ms: Couldn't connect to server"}
	case "wget":
		return ExecResult{NotFound: true, ExitCode: 127}
	}
	return ExecResult{NotFound: true, ExitCode: 127}
}

func shared() podView {
	return podView{
		hostname: map[string]string{"web": "two-containers", "sidecar": "two-containers"},
		files:    map[string][]string{"web": {"/agnhost"}, "sidecar": {"/usr/bin/dig"}},
		local:    map[string]string{"8080": "two-containers"},
	}
}

func withExec(l *lab, v podView) *fakeExec {
	f := &fakeExec{run: v.run}
	l.env.Exec = f
	return f
}

func TestContainersShareNetwork(t *testing.T) {
	const p = `{pod: two-containers, from: sidecar, to: web, port: 8080, path: /hostname}`
	t.Run("the sidecar reaches web on localhost", func(t *testing.T) {
		l := newLab(t, twoContainers())
		f := withExec(l, shared())
		expect(t, l.check("containersShareNetwork", p), "pass", msgLocalhostOK, "from container sidecar, localhost:8080 reaches container web", `"two-containers"`)
		if len(f.calls) != 1 || !strings.Contains(f.calls[0], "default/two-containers/sidecar: curl -sS -m 3 http://localhost:8080/hostname") {
			t.Errorf("exec calls %v", f.calls)
		}
	})
	t.Run("nothing on localhost:8080 on a settled pod is final", func(t *testing.T) {
		l := newLab(t, twoContainers())
		v := shared()
		v.local = nil
		withExec(l, v)
		expect(t, l.check("containersShareNetwork", p), "fail (final)", msgLocalhostFailed, "does container web listen on port 8080", "Couldn't connect", "containerPorts of web: 8080/TCP")
	})
	t.Run("a sidecar that keeps exiting is named, not exec'd into", func(t *testing.T) {
		po := twoContainers()
		po.Status.ContainerStatuses[1] = corev1.ContainerStatus{Name: "sidecar", RestartCount: 3,
			State:                corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff"}},
			LastTerminationState: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 0, Reason: "Completed"}}}
		l := newLab(t, po)
		f := withExec(l, shared())
		expect(t, l.check("containersShareNetwork", p), "fail (final)", msgPodExitedZero, "container sidecar", "3 restarts")
		if len(f.calls) > 0 {
			t.Errorf("exec into a crashing pod: %v", f.calls)
		}
	})
	t.Run("one container is not this step", func(t *testing.T) {
		l := newLab(t, running(pod("two-containers", "10.244.1.20", "lab-worker", "app=two", cport{port: 8080}), time.Minute))
		withExec(l, shared())
		expect(t, l.check("containersShareNetwork", p), "fail (final)", msgOneContainer, "has 1 container(s)")
	})
	t.Run("no such container", func(t *testing.T) {
		l := newLab(t, twoContainers())
		withExec(l, shared())
		expect(t, l.check("containersShareNetwork", `{pod: two-containers, from: helper, to: web, port: 8080}`), "fail (final)", msgNoContainer, "no container helper (it has: web, sidecar)")
	})
	t.Run("no curl nor wget", func(t *testing.T) {
		l := newLab(t, twoContainers())
		v := shared()
		v.noCurl = map[string]bool{"sidecar": true}
		withExec(l, v)
		expect(t, l.check("containersShareNetwork", p), "fail (final)", msgNoHTTPClient, "neither curl nor wget")
	})
	t.Run("without an exec API the check cannot look", func(t *testing.T) {
		l := newLab(t, twoContainers())
		expect(t, l.check("containersShareNetwork", p), "error", i18n.Message{}, "exec API")
	})
}

func TestContainersShareHostname(t *testing.T) {
	t.Run("one hostname", func(t *testing.T) {
		l := newLab(t, twoContainers())
		withExec(l, shared())
		expect(t, l.check("containersShareHostname", `{pod: two-containers}`), "pass", msgHostnameSame, "hostname two-containers", "container web: two-containers", "container sidecar: two-containers")
	})
	t.Run("different hostnames", func(t *testing.T) {
		l := newLab(t, twoContainers())
		v := shared()
		v.hostname["sidecar"] = "elsewhere"
		withExec(l, v)
		expect(t, l.check("containersShareHostname", `{pod: two-containers}`), "fail (final)", msgHostnameDiffers, "container sidecar: elsewhere")
	})
}

func TestContainerFilesApart(t *testing.T) {
	const p = `{pod: two-containers, path: /agnhost, in: web}`
	t.Run("only web has /agnhost", func(t *testing.T) {
		l := newLab(t, twoContainers())
		withExec(l, shared())
		expect(t, l.check("containerFilesApart", p), "pass", msgFilesApart, "/agnhost is in container web's filesystem and not in sidecar",
			"container sidecar: ls: cannot access '/agnhost'")
	})
	t.Run("a shared volume shows the file in both", func(t *testing.T) {
		l := newLab(t, twoContainers())
		v := shared()
		v.files["sidecar"] = []string{"/agnhost"}
		withExec(l, v)
		expect(t, l.check("containerFilesApart", p), "fail (final)", msgFileShared, "seen by container sidecar too")
	})
	t.Run("the named container lacks it", func(t *testing.T) {
		l := newLab(t, twoContainers())
		withExec(l, shared())
		expect(t, l.check("containerFilesApart", `{pod: two-containers, path: /agnhost, in: sidecar}`), "fail (final)", msgFileMissing, "not in container sidecar's filesystem")
	})
}

func TestPodReachesPod(t *testing.T) {
	const p = `{from: http-go, fromNamespace: ch03, to: http-go, toNamespace: ch03-team-b, port: 8080, path: /hostname}`
	a := running(pod("http-go", "10.244.1.5", "lab-worker", "app=http-go", cport{port: 8080}), time.Minute)
	a.Namespace = "ch03"
	b := running(pod("http-go", "10.244.2.7", "lab-worker2", "app=http-go", cport{port: 8080}), time.Minute)
	b.Namespace = "ch03-team-b"
	reach := func(_, _ string, cmd []string) ExecResult {
		if strings.Contains(cmd[len(cmd)-1], "10.244.2.7:8080") {
			return ExecResult{Stdout: "http-go"}
		}
		return ExecResult{ExitCode: 7, Stderr: "curl: (7) Failed to connect"}
	}
	t.Run("across namespaces by IP", func(t *testing.T) {
		l := newLab(t, a, b)
		f := &fakeExec{run: reach}
		l.env.Exec = f
		expect(t, l.check("podReachesPod", p), "pass", msgPodReachesPod, "ch03/http-go reaches Pod ch03-team-b/http-go by its IP 10.244.2.7", "does not isolate")
		if len(f.calls) != 1 || !strings.HasPrefix(f.calls[0], "ch03/http-go/app: curl") {
			t.Errorf("exec calls %v", f.calls)
		}
	})
	t.Run("the other namespace's pod is missing", func(t *testing.T) {
		l := newLab(t, a)
		l.env.Exec = &fakeExec{run: reach}
		expect(t, l.check("podReachesPod", p), "fail (final)", msgPodMissing, "ch03-team-b/http-go does not exist")
	})
	t.Run("refused on a settled target is final", func(t *testing.T) {
		l := newLab(t, a, b)
		l.env.Exec = &fakeExec{run: func(string, string, []string) ExecResult {
			return ExecResult{ExitCode: 7, Stderr: "curl: (7) Failed to connect to 10.244.2.7 port 8080: Connection refused"}
		}}
		expect(t, l.check("podReachesPod", p), "fail (final)", msgPodNoReach, "Connection refused")
	})
}

func TestPodReachesPodWaitsForFreshPods(t *testing.T) {
	a := running(pod("http-go", "10.244.1.5", "lab-worker", "app=http-go", cport{port: 8080}), time.Minute)
	a.Namespace = "ch03"
	b := running(pod("http-go", "10.244.2.7", "lab-worker2", "app=http-go", cport{port: 8080}), time.Second)
	b.Namespace = "ch03-team-b"
	l := newLab(t, a, b)
	l.env.Exec = &fakeExec{run: func(string, string, []string) ExecResult {
		return ExecResult{ExitCode: 28, Stderr: "curl: (28) Connection timed out after 3001 milliseconds"}
	}}
	expect(t, l.check("podReachesPod", `{from: http-go, fromNamespace: ch03, to: http-go, toNamespace: ch03-team-b, port: 8080}`), "fail", msgPodNoReach, "timed out")
}
