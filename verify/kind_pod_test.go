package verify

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/labctl/labctl/i18n"
)

func init() {
	for k, v := range map[string]struct {
		valid   []string
		invalid map[string]string
	}{
		"podServes": {
			valid: []string{`{pod: p, port: 8080}`, `{pod: p, port: 8080, namespace: n, path: hostname, bodyContains: p}`},
			invalid: map[string]string{
				`{pod: p}`:              "params.pod and params.port are required",
				`{port: 8080}`:          "params.pod and params.port are required",
				`{pod: p, port: 70000}`: "want 1-65535",
			},
		},
		"portForward": {
			valid: []string{`{pod: p, localPort: 8888, podPort: 8080}`, `{pod: p, namespace: n, localPort: 8888, podPort: 8080, path: /hostname, bodyContains: p}`},
			invalid: map[string]string{
				`{pod: p, localPort: 8888}`:              "params.pod, params.localPort and params.podPort are required",
				`{pod: p, localPort: 80, podPort: 8080}`: "want 1024-65535",
			},
		},
		"containersShareNetwork": {
			valid: []string{`{pod: p, from: a, to: b, port: 8080}`, `{pod: p, namespace: n, from: a, to: b, port: 8080, path: /hostname}`},
			invalid: map[string]string{
				`{pod: p, from: a, port: 8080}`:        "params.pod, params.from, params.to and params.port are required",
				`{pod: p, from: a, to: a, port: 8080}`: "the same container a",
			},
		},
		"containersShareHostname": {
			valid:   []string{`{pod: p}`, `{pod: p, namespace: n}`},
			invalid: map[string]string{`{namespace: n}`: "params.pod is required"},
		},
		"containerFilesApart": {
			valid: []string{`{pod: p, path: /agnhost, in: web}`},
			invalid: map[string]string{
				`{pod: p, path: /agnhost}`:         "params.pod, params.path and params.in are required",
				`{pod: p, path: agnhost, in: web}`: "want an absolute path",
			},
		},
		"podReachesPod": {
			valid:   []string{`{from: a, to: b, port: 8080}`, `{from: a, fromNamespace: x, container: c, to: b, toNamespace: y, port: 8080, path: /hostname}`},
			invalid: map[string]string{`{from: a, port: 8080}`: "params.from, params.to and params.port are required"},
		},
		"labelSelector": {
			valid: []string{`{selector: app=x, select: [a]}`, `{selector: "env in (dev,debug)", namespace: n, select: [a, b]}`, `{selector: "!env"}`},
			invalid: map[string]string{
				`{select: [a]}`:                         "params.selector is required",
				`{selector: "env in dev", select: [a]}`: "params.selector",
			},
		},
		"podAnnotation": {
			valid:   []string{`{pod: p, key: example.com/owner}`, `{pod: p, key: k, value: v, namespace: n}`},
			invalid: map[string]string{`{pod: p}`: "params.pod and params.key are required"},
		},
	} {
		kindParams[k] = v
	}
}

// fakeExec answers exec calls with a function of the container and command.
type fakeExec struct {
	run   func(pod, container string, cmd []string) ExecResult
	calls []string
}

func (f *fakeExec) Exec(_ context.Context, ns, pod, container string, cmd []string) (ExecResult, error) {
	f.calls = append(f.calls, fmt.Sprintf("%s/%s/%s: %s", ns, pod, container, strings.Join(cmd, " ")))
	return f.run(pod, container, cmd), nil
}

// running marks every container of p as running since d ago.
func running(p *corev1.Pod, d time.Duration) *corev1.Pod {
	p.Status.ContainerStatuses = nil
	for _, c := range p.Spec.Containers {
		p.Status.ContainerStatuses = append(p.Status.ContainerStatuses, corev1.ContainerStatus{Name: c.Name, Ready: true, Image: c.Image,
			State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: metav1.NewTime(time.Now().Add(-d))}}})
	}
	return p
}

func TestPodServes(t *testing.T) {
	const p = `{pod: http-go, port: 8080, path: /hostname}`
	t.Run("running and answering", func(t *testing.T) {
		l := newLab(t, running(pod("http-go", "10.244.1.5", "lab-worker", "app=http-go", cport{port: 8080}), time.Minute))
		expect(t, l.check("podServes", p), "pass", msgPodServes, "default/http-go", "http://10.244.1.5:8080/hostname", `"http-go"`)
		if calls := l.net.callsFrom(FromNode); len(calls) != 1 {
			t.Errorf("want one request from a node, got %v", calls)
		}
	})
	t.Run("wrong port on a settled pod fails at once with the container's args", func(t *testing.T) {
		po := pod("http-go", "10.244.1.5", "lab-worker", "app=http-go", cport{port: 80})
		po.Spec.Containers[0].Args = []string{"netexec", "--http-port=80"}
		// the test server listens on 80 (added before the port was changed): the process's port
		l := newLab(t)
		l.serve(po)
		po.Spec.Containers[0].Ports[0].ContainerPort = 8080
		if err := l.client.Tracker().Add(running(po, time.Minute)); err != nil {
			t.Fatal(err)
		}
		o := l.check("podServes", p)
		expect(t, o, "fail (final)", msgPodRefused, "nothing listens on port 8080", "command of app: netexec --http-port=80", "containerPorts of app: 8080/TCP")
		if ko := render(o, i18n.Ko); !strings.Contains(ko, "IP 10.244.1.5 의 8080 포트") {
			t.Errorf("Korean: %s", ko)
		}
	})
	t.Run("a refused port just after start is worth another look", func(t *testing.T) {
		l := newLab(t, running(pod("http-go", "10.244.1.5", "lab-worker", "app=http-go", cport{port: 8080, down: true}), time.Second))
		expect(t, l.check("podServes", p), "fail", msgPodNoAnswer)
	})
	t.Run("crash loop: exit code, restarts and the last log line", func(t *testing.T) {
		po := pod("http-go-logs", "10.244.1.6", "lab-worker", "app=x", cport{port: 8080})
		po.Status.Phase = corev1.PodRunning
		po.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: "app", RestartCount: 4,
			State:                corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff"}},
			LastTerminationState: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 1, Reason: "Error"}}}}
		l := newLab(t, po)
		expect(t, l.check("podServes", `{pod: http-go-logs, port: 8080}`), "fail (final)", msgPodCrashLoop,
			"CrashLoopBackOff, exit code 1, 4 restarts", "kubectl logs -n default http-go-logs -c app --previous",
			"last termination of app: exit code 1 (Error)", "kubectl logs -n default http-go-logs -c app --previous: fake logs")
	})
	t.Run("a container that ends with 0 is told to keep running", func(t *testing.T) {
		po := pod("two", "10.244.1.6", "lab-worker", "app=x")
		po.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: "app", RestartCount: 2,
			State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 0, Reason: "Completed"}}}}
		l := newLab(t, po)
		expect(t, l.check("podServes", `{pod: two, port: 8080}`), "fail (final)", msgPodExitedZero, "exit code 0", "2 restarts", "keeps running")
	})
	t.Run("a completed init container is no trouble", func(t *testing.T) {
		po := running(pod("http-go", "10.244.1.5", "lab-worker", "app=http-go", cport{port: 8080}), time.Minute)
		po.Status.InitContainerStatuses = []corev1.ContainerStatus{{Name: "init",
			State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 0, Reason: "Completed"}}}}
		l := newLab(t, po)
		expect(t, l.check("podServes", p), "pass", msgPodServes)
	})
	t.Run("restartPolicy Never: an ended container is final", func(t *testing.T) {
		po := pod("http-go", "10.244.1.5", "lab-worker", "app=http-go")
		po.Spec.RestartPolicy = corev1.RestartPolicyNever
		po.Status.Phase = corev1.PodFailed
		po.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: "app",
			State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 2, Reason: "Error"}}}}
		l := newLab(t, po)
		expect(t, l.check("podServes", p), "fail (final)", msgPodTerminated, "exit code 2, Error", "restartPolicy Never", "kubectl logs -n default http-go -c app")
	})
	t.Run("image pull failure names the image and the reason", func(t *testing.T) {
		po := pod("http-go", "", "lab-worker", "app=http-go")
		po.Status.Phase = corev1.PodPending
		po.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: "app", Image: "gasbugs/http-go",
			State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ImagePullBackOff", Message: `Back-off pulling image "gasbugs/http-go"`}}}}
		l := newLab(t, po)
		expect(t, l.check("podServes", p), "fail (final)", msgPodImagePull, "gasbugs/http-go (ImagePullBackOff)", "labctl images list", "Back-off pulling")
	})
	t.Run("still creating is worth waiting for", func(t *testing.T) {
		po := pod("http-go", "", "lab-worker", "app=http-go")
		po.Status.Phase = corev1.PodPending
		po.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: "app",
			State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ContainerCreating"}}}}
		l := newLab(t, po)
		expect(t, l.check("podServes", p), "fail", msgPodPending)
	})
	t.Run("unschedulable says the scheduler's reason", func(t *testing.T) {
		po := pod("http-go", "", "", "app=http-go")
		po.Status.Phase = corev1.PodPending
		po.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodScheduled, Status: corev1.ConditionFalse, Reason: corev1.PodReasonUnschedulable, Message: "0/2 nodes are available"}}
		l := newLab(t, po)
		expect(t, l.check("podServes", p), "fail", msgPodUnschedulable, "0/2 nodes are available")
	})
	t.Run("a missing pod is final and names the pods there are", func(t *testing.T) {
		l := newLab(t, pod("http-goo", "10.244.1.5", "lab-worker", "app=http-go"))
		expect(t, l.check("podServes", p), "fail (final)", msgPodMissingOthers, "default/http-go does not exist", "http-goo")
		l2 := newLab(t)
		expect(t, l2.check("podServes", p), "fail (final)", msgPodMissing)
	})
	t.Run("namespace param", func(t *testing.T) {
		po := running(pod("http-go", "10.244.1.5", "lab-worker", "app=http-go", cport{port: 8080}), time.Minute)
		po.Namespace = "ch03"
		l := newLab(t, po)
		expect(t, l.check("podServes", `{pod: http-go, port: 8080, namespace: ch03}`), "pass", msgPodServes, "ch03/http-go")
	})
	t.Run("wrong body", func(t *testing.T) {
		l := newLab(t, running(pod("http-go", "10.244.1.5", "lab-worker", "app=http-go", cport{port: 8080}), time.Minute))
		expect(t, l.check("podServes", `{pod: http-go, port: 8080, bodyContains: Welcome}`), "fail (final)", msgPodWrongBody, `not with "Welcome"`)
	})
}

// localServer answers body on 127.0.0.1 and returns its port.
func localServer(t *testing.T, body string) int {
	t.Helper()
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, body) }))
	t.Cleanup(s.Close)
	_, port, _ := net.SplitHostPort(s.Listener.Addr().String())
	n, _ := strconv.Atoi(port)
	return n
}

// closedPort is a local port nothing listens on.
func closedPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return port
}

func TestPortForward(t *testing.T) {
	po := func() *corev1.Pod {
		return running(pod("http-go", "10.244.1.5", "lab-worker", "app=http-go", cport{port: 8080}), time.Minute)
	}
	params := func(port int) string {
		return fmt.Sprintf(`{pod: http-go, localPort: %d, podPort: 8080, path: /hostname}`, port)
	}
	t.Run("the student's forward answers as the pod", func(t *testing.T) {
		l := newLab(t, po())
		port := localServer(t, "http-go")
		expect(t, l.check("portForward", params(port)), "pass", msgForwardOK, fmt.Sprintf("localhost:%d", port), "default/http-go")
		if len(l.net.callsFrom(FromHost)) != 1 || len(l.net.callsFrom(FromNode)) != 1 {
			t.Errorf("want one request from here and one from a node: %v", l.net.calls)
		}
	})
	t.Run("no forward running is final and says the command", func(t *testing.T) {
		l := newLab(t, po())
		port := closedPort(t)
		expect(t, l.check("portForward", params(port)), "fail (final)", msgForwardNone,
			fmt.Sprintf("kubectl port-forward -n default pod/http-go %d:8080", port))
	})
	t.Run("something else on the port", func(t *testing.T) {
		l := newLab(t, po())
		port := localServer(t, "hello from another program")
		expect(t, l.check("portForward", params(port)), "fail (final)", msgForwardElsewhr, "not as Pod default/http-go", "hello from another program")
	})
	t.Run("a forward to a port the pod does not listen on", func(t *testing.T) {
		l := newLab(t, po())
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		go func() { // kubectl accepts, then drops the connection when the pod refuses
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				c.Close()
			}
		}()
		expect(t, l.check("portForward", params(ln.Addr().(*net.TCPAddr).Port)), "fail (final)", msgForwardBroken, "the port the pod listens on (8080)")
	})
	t.Run("the pod must exist", func(t *testing.T) {
		l := newLab(t)
		expect(t, l.check("portForward", params(localServer(t, "http-go"))), "fail (final)", msgPodMissing)
	})
}

func TestLastLine(t *testing.T) {
	for _, tc := range []struct{ log, want string }{
		{"Error: unknown flag: --http_port\nUsage:\n  agnhost netexec [flags]\n\nFlags:\n      --http-port int   HTTP listen port (default 8080)\n", "Error: unknown flag: --http_port"},
		{"2026/12/07 00:01:02 Started HTTP server on port 8080\n2026/12/07 00:01:02 listen tcp :8080: bind: address already in use\n", "2026/12/07 00:01:02 listen tcp :8080: bind: address already in use"},
		{"hello\nworld\n\n", "world"},
		{"", ""},
	} {
		if got := lastLine(tc.log); got != tc.want {
			t.Errorf("lastLine(%q) = %q, want %q", tc.log, got, tc.want)
		}
	}
}
