package verify

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	k8stesting "k8s.io/client-go/testing"

	"github.com/labctl/labctl/i18n"
	"github.com/labctl/labctl/internal/svcport"
)

const httpGoIP = "10.96.100.10"

// httpGoSvc is ch07's http-go-svc: ClusterIP, app=http-go, 80 → 8080.
func httpGoSvc() *corev1.Service {
	return svcObj("http-go-svc", httpGoIP, "app=http-go", svcPort("", 80, 8080))
}

func objs(groups ...[]runtime.Object) []runtime.Object {
	var out []runtime.Object
	for _, g := range groups {
		out = append(out, g...)
	}
	return out
}

func one(o ...runtime.Object) []runtime.Object { return o }

func TestServiceEndpoints(t *testing.T) {
	const three = `{service: http-go-svc, minReady: 3}`
	t.Run("three ready pods", func(t *testing.T) {
		l := newLab(t, objs(httpGo(3), one(httpGoSvc()))...)
		expect(t, l.check("serviceEndpoints", three), "pass", msgEndpointsReady,
			"has 3 ready endpoints", "endpoints: 10.244.1.10, 10.244.1.11, 10.244.1.12")
	})
	t.Run("selector typo shows the selector and the pods' labels", func(t *testing.T) {
		typo := svcObj("http-go-svc", httpGoIP, "app=http-goo", svcPort("", 80, 8080))
		l := newLab(t, objs(httpGo(3), one(typo, pod("other", "10.244.2.9", "lab-worker", "app=db,tier=data")))...)
		o := l.check("serviceEndpoints", three)
		expect(t, o, "fail", msgEndpointsNone, "no ready endpoints",
			"selector: app=http-goo", "pods matching: 0", "other pods' labels: app=http-go", "other pods' labels: app=db,tier=data")
		if ko := render(o, i18n.Ko); !strings.Contains(ko, "준비된 엔드포인트가 없습니다") {
			t.Errorf("Korean message: %s", ko)
		}
	})
	t.Run("pods match but are not ready", func(t *testing.T) {
		pods := httpGo(2)
		for _, p := range pods {
			notReady(p.(*corev1.Pod))
		}
		l := newLab(t, objs(pods, one(httpGoSvc()))...)
		expect(t, l.check("serviceEndpoints", three), "fail", msgEndpointsNone, "pods matching: 2")
	})
	t.Run("too few ready", func(t *testing.T) {
		l := newLab(t, objs(httpGo(2), one(notReady(pod("http-go-z", "10.244.1.99", "lab-worker", "app=http-go")), httpGoSvc()))...)
		expect(t, l.check("serviceEndpoints", three), "fail", msgEndpointsFew,
			"has 2 ready endpoints, want at least 3", "endpoints: 10.244.1.10, 10.244.1.11")
	})
	t.Run("minReady defaults to one", func(t *testing.T) {
		l := newLab(t, objs(httpGo(1), one(httpGoSvc()))...)
		expect(t, l.check("serviceEndpoints", `{service: http-go-svc}`), "pass", msgEndpointsReady, "has 1 ready endpoints")
	})
	t.Run("Service missing is final", func(t *testing.T) {
		l := newLab(t, httpGo(3)...)
		expect(t, l.check("serviceEndpoints", three), "fail (final)", msgSvcMissing, "Service default/http-go-svc does not exist")
	})
	t.Run("namespace param", func(t *testing.T) {
		s := httpGoSvc()
		s.Namespace = "lab"
		l := newLab(t, s, mirroredSlice("http-go-svc", "10.244.1.10"))
		// the mirrored slice is in "default": the Service in "lab" has none
		expect(t, l.check("serviceEndpoints", `{service: http-go-svc, namespace: lab}`), "fail", msgEndpointsNone)
		expect(t, l.check("serviceEndpoints", `{service: http-go-svc}`), "fail (final)", msgSvcMissing, "default/http-go-svc")
	})

	const manual = `{service: external-service, selectorless: true, addresses: [11.11.11.11, 22.22.22.22]}`
	ext := func() *corev1.Service { return svcObj("external-service", "10.96.50.5", "", svcPort("", 80, 80)) }
	t.Run("manual Endpoints exact", func(t *testing.T) {
		l := newLab(t, ext(), mirroredSlice("external-service", "22.22.22.22", "11.11.11.11"))
		expect(t, l.check("serviceEndpoints", manual), "pass", msgEndpointsExact, "points at 11.11.11.11, 22.22.22.22")
	})
	t.Run("manual Endpoints wrong", func(t *testing.T) {
		l := newLab(t, ext(), mirroredSlice("external-service", "11.11.11.11", "33.33.33.33"))
		expect(t, l.check("serviceEndpoints", manual), "fail", msgEndpointsWrong,
			"should point at 11.11.11.11, 22.22.22.22", "endpoints: 11.11.11.11, 33.33.33.33")
	})
	t.Run("manual Endpoints named differently (none)", func(t *testing.T) {
		l := newLab(t, ext(), mirroredSlice("external-svc", "11.11.11.11", "22.22.22.22"))
		expect(t, l.check("serviceEndpoints", manual), "fail", msgEndpointsWrong, "endpoints: (none)")
	})
	t.Run("manual Endpoints in numeric order", func(t *testing.T) {
		// 9.9.9.9 sorts after 10.0.0.1 as text, before it as an address
		l := newLab(t, ext(), mirroredSlice("external-service", "10.0.0.1", "9.9.9.9"))
		expect(t, l.check("serviceEndpoints", `{service: external-service, selectorless: true, addresses: [9.9.9.9, 10.0.0.1]}`),
			"pass", msgEndpointsExact)
		expect(t, l.check("serviceEndpoints", `{service: external-service, selectorless: true, addresses: [10.0.0.1, 9.9.9.9]}`),
			"pass", msgEndpointsExact)
	})
	t.Run("selector on a selectorless step is final", func(t *testing.T) {
		withSel := svcObj("external-service", "10.96.50.5", "app=http-go", svcPort("", 80, 80))
		l := newLab(t, objs(httpGo(1), one(withSel))...)
		expect(t, l.check("serviceEndpoints", manual), "fail (final)", msgSvcHasSelector,
			"remove spec.selector", "selector: app=http-go", "pods matching: 1")
	})
	t.Run("API error is an error", func(t *testing.T) {
		l := newLab(t, objs(httpGo(3), one(httpGoSvc()))...)
		l.client.PrependReactor("list", "endpointslices", func(k8stesting.Action) (bool, runtime.Object, error) {
			return true, nil, errors.New("etcdserver: request timed out")
		})
		expect(t, l.check("serviceEndpoints", three), "error", i18n.Message{}, "etcdserver: request timed out")
	})
}

func TestServiceReachable(t *testing.T) {
	const fromNode = `{service: http-go-svc, port: "80", from: node, bodyContains: http-go-}`
	const notFromHost = `{service: http-go-svc, port: "80", from: host, expect: unreachable}`
	t.Run("answers from a node", func(t *testing.T) {
		l := newLab(t, objs(httpGo(3), one(httpGoSvc()))...)
		expect(t, l.check("serviceReachable", fromNode), "pass", msgAnswerFromNode,
			"http://10.96.100.10:80 answers from a node", `"http-go-a"`)
		if h := l.net.callsFrom(FromHost); len(h) != 0 {
			t.Errorf("reachable from node sent host traffic: %v", h)
		}
	})
	t.Run("wrong targetPort: connection refused from the node", func(t *testing.T) {
		l := newLab(t, objs(httpGo(3), one(svcObj("http-go-svc", httpGoIP, "app=http-go", svcPort("", 80, 9090))))...)
		expect(t, l.check("serviceReachable", fromNode), "fail", msgDiagTargetPort,
			"Service http-go-svc port 80 sends traffic to targetPort 9090, but its pods listen on 8080 (http)",
			"no answer: connect: connection refused", "ports: 80->9090", "ready endpoints: 10.244.1.10, 10.244.1.11, 10.244.1.12")
	})
	t.Run("no endpoints: the selector shows", func(t *testing.T) {
		l := newLab(t, objs(httpGo(3), one(svcObj("http-go-svc", httpGoIP, "app=http", svcPort("", 80, 8080))))...)
		expect(t, l.check("serviceReachable", fromNode), "fail", msgNoAnswerFromNode,
			"ready endpoints: (none)", "selector: app=http", "other pods' labels: app=http-go")
	})
	t.Run("pods of a Deployment named otherwise are the Service's pods: correct", func(t *testing.T) {
		l := newLab(t, pod("frontend-6dd9-x", "10.244.1.20", "lab-worker", "app=http-go", cport{port: 8080}), httpGoSvc())
		expect(t, l.check("serviceReachable", `{service: http-go-svc, port: "80", from: node, bodyContains: http-go-}`), "pass", msgAnswerFromNode, `"frontend-6dd9-x"`)
	})
	t.Run("port not in the Service is final and names the ports", func(t *testing.T) {
		l := newLab(t, objs(httpGo(1), one(svcObj("http-go-svc", httpGoIP, "app=http-go", svcPort("web", 8080, 8080))))...)
		expect(t, l.check("serviceReachable", fromNode), "fail (final)", svcport.MsgNoSuchPort,
			"Service default/http-go-svc has no port 80 (it has: 8080 (web))")
	})
	t.Run("no port given on a Service with several: final, names them, never the first by accident", func(t *testing.T) {
		l := newLab(t, objs(httpGo(1), one(svcObj("http-go-svc", httpGoIP, "app=http-go",
			svcPort("metrics", 9090, 9090), svcPort("http", 80, 8080))))...)
		expect(t, l.check("serviceReachable", `{service: http-go-svc, from: node, bodyContains: http-go-}`), "fail (final)",
			svcport.MsgWhichPort, "(it has: 9090 (metrics), 80 (http))")
	})
	t.Run("no ports", func(t *testing.T) {
		l := newLab(t, svcObj("http-go-svc", httpGoIP, "app=http-go"))
		expect(t, l.check("serviceReachable", fromNode), "fail (final)", svcport.MsgNoPorts)
	})
	t.Run("headless has no ClusterIP to reach", func(t *testing.T) {
		l := newLab(t, objs(httpGo(1), one(svcObj("http-go-svc", "None", "app=http-go", svcPort("", 80, 8080))))...)
		expect(t, l.check("serviceReachable", fromNode), "fail (final)", msgSvcNoClusterIP, "is it headless?")
	})
	t.Run("not from the host", func(t *testing.T) {
		l := newLab(t, objs(httpGo(3), one(httpGoSvc()))...)
		l.net.hostReachesNodes = true // even on Linux a ClusterIP is not routable
		expect(t, l.check("serviceReachable", notFromHost), "pass", msgClusterIPInsideOnly,
			"answers from a node", "not from this computer", "from this computer: timeout")
		if len(l.net.callsFrom(FromNode)) != 1 || len(l.net.callsFrom(FromHost)) != 1 {
			t.Errorf("want one request from each side: %v", l.net.calls)
		}
	})
	t.Run("the host reaching the pods fails", func(t *testing.T) {
		l := newLab(t, objs(httpGo(3), one(httpGoSvc()))...)
		l.net.hostLeak[httpGoIP+":80"] = true
		expect(t, l.check("serviceReachable", notFromHost), "fail", msgHostReachedClusterIP,
			"answered from this computer", "HTTP 200 \"http-go-")
	})
	t.Run("a proxy answering on the host is not the Service", func(t *testing.T) {
		proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) }))
		defer proxy.Close()
		l := newLab(t, objs(httpGo(3), one(httpGoSvc()))...)
		l.net.hostIntercept[httpGoIP+":80"] = proxy.Listener.Addr().String()
		expect(t, l.check("serviceReachable", notFromHost), "pass", msgClusterIPInsideOnly,
			`HTTP 404 "404 page not found"`, "not the Service's pods")
	})
	t.Run("unreachable still needs an answer from the node", func(t *testing.T) {
		l := newLab(t, objs(httpGo(3), one(svcObj("http-go-svc", httpGoIP, "app=http-go", svcPort("", 80, 9090))))...)
		expect(t, l.check("serviceReachable", notFromHost), "fail", msgDiagTargetPort, "targetPort 9090", "connection refused")
		if h := l.net.callsFrom(FromHost); len(h) != 0 {
			t.Errorf("asked the host although the node got no answer: %v", h)
		}
	})
	t.Run("the node exec fails", func(t *testing.T) {
		l := newLab(t, objs(httpGo(3), one(httpGoSvc()))...)
		l.net.httpErr = errors.New("run curl in node lab-worker: exit status 126")
		expect(t, l.check("serviceReachable", fromNode), "error", i18n.Message{}, "exit status 126")
	})
	t.Run("Service missing is final", func(t *testing.T) {
		l := newLab(t)
		expect(t, l.check("serviceReachable", fromNode), "fail (final)", msgSvcMissing, "default/http-go-svc")
	})
}

func affinitySvc(name string, a corev1.ServiceAffinity) *corev1.Service {
	s := svcObj(name, "10.96.100.20", "app=http-go", svcPort("", 80, 8080))
	s.Spec.SessionAffinity = a
	return s
}

func TestSessionAffinity(t *testing.T) {
	const sticky = `{service: http-go-affinity, requests: 20, expect: sticky}`
	const spread = `{service: http-go-affinity, requests: 20, expect: spread}`
	t.Run("ClientIP sticks", func(t *testing.T) {
		l := newLab(t, objs(httpGo(3), one(affinitySvc("http-go-affinity", corev1.ServiceAffinityClientIP)))...)
		expect(t, l.check("sessionAffinity", sticky), "pass", msgAffinitySticky,
			"all 20 requests from one client reached the same pod of http-go-affinity", "sessionAffinity: ClientIP", "×20")
	})
	t.Run("sticky wanted, None spreads", func(t *testing.T) {
		l := newLab(t, objs(httpGo(3), one(affinitySvc("http-go-affinity", corev1.ServiceAffinityNone)))...)
		expect(t, l.check("sessionAffinity", sticky), "fail", msgAffinityNotSticky,
			"20 requests from one client reached 3 different pods", "sessionAffinity: ClientIP set",
			"sessionAffinity: None", "answers: http-go-a×7, http-go-b×7, http-go-c×6")
	})
	t.Run("None spreads", func(t *testing.T) {
		l := newLab(t, objs(httpGo(3), one(affinitySvc("http-go-affinity", corev1.ServiceAffinityNone)))...)
		expect(t, l.check("sessionAffinity", spread), "pass", msgAffinitySpread, "20 requests from one client were spread over 3 pods")
	})
	t.Run("spread wanted, ClientIP sticks", func(t *testing.T) {
		l := newLab(t, objs(httpGo(3), one(affinitySvc("http-go-affinity", corev1.ServiceAffinityClientIP)))...)
		expect(t, l.check("sessionAffinity", spread), "fail", msgDiagAffinityOn,
			"Service http-go-affinity has sessionAffinity: ClientIP", "answers: http-go-")
	})
	t.Run("fewer than two pods proves nothing", func(t *testing.T) {
		for _, a := range []corev1.ServiceAffinity{corev1.ServiceAffinityNone, corev1.ServiceAffinityClientIP} {
			l := newLab(t, objs(httpGo(1), one(affinitySvc("http-go-affinity", a)))...)
			for _, p := range []string{sticky, spread} {
				expect(t, l.check("sessionAffinity", p), "fail", msgAffinityNeedsPods, "has 1 ready endpoints", "2 or more pods")
			}
			if len(l.net.calls) != 0 {
				t.Errorf("sent traffic with one pod: %v", l.net.calls)
			}
		}
	})
	t.Run("requests without an answer", func(t *testing.T) {
		pods := objs(httpGo(2), one(pod("http-go-c", "10.244.1.12", "lab-worker", "app=http-go", cport{port: 8080, down: true})))
		l := newLab(t, append(pods, affinitySvc("http-go-affinity", corev1.ServiceAffinityNone))...)
		expect(t, l.check("sessionAffinity", spread), "fail", msgAffinityErrors, "6 of 20 requests got no answer")
	})
	t.Run("requests param", func(t *testing.T) {
		l := newLab(t, objs(httpGo(2), one(affinitySvc("http-go-affinity", corev1.ServiceAffinityClientIP)))...)
		expect(t, l.check("sessionAffinity", `{service: http-go-affinity, requests: 7, expect: sticky}`), "pass", msgAffinitySticky, "all 7 requests", "×7")
	})
	t.Run("Service missing is final", func(t *testing.T) {
		l := newLab(t, httpGo(3)...)
		expect(t, l.check("sessionAffinity", sticky), "fail (final)", msgSvcMissing)
	})
}

// multiPort is ch07's http-go-mp: http 80 → http (8080), https 443 → https (8443, TLS).
func multiPort(http, https string) *corev1.Service {
	return svcObj("http-go-mp", "10.96.100.30", "app=http-go-mp", svcPort("http", 80, http), svcPort("https", 443, https))
}

func mpPods(tlsServed bool) []runtime.Object {
	var out []runtime.Object
	for i, n := range []string{"http-go-mp-a", "http-go-mp-b"} {
		out = append(out, pod(n, []string{"10.244.2.10", "10.244.2.11"}[i], "lab-worker", "app=http-go-mp",
			cport{name: "http", port: 8080}, cport{name: "https", port: 8443, tls: tlsServed}))
	}
	return out
}

func TestServicePorts(t *testing.T) {
	const both = `{service: http-go-mp, ports: [{name: http, port: 80, targetPort: http}, {name: https, port: 443, targetPort: https, tls: true}]}`
	t.Run("both ports answer", func(t *testing.T) {
		l := newLab(t, objs(mpPods(true), one(multiPort("http", "https")))...)
		expect(t, l.check("servicePorts", both), "pass", msgPortsAnswer,
			"every port of Service http-go-mp answers (2)", `http HTTP 200 "http-go-mp-`, `https HTTP 200 "http-go-mp-`)
		calls := strings.Join(l.net.calls, "\n")
		if !strings.Contains(calls, "https://10.96.100.30:443/") || !strings.Contains(calls, "http://10.96.100.30:80/") {
			t.Errorf("calls: %s", calls)
		}
	})
	t.Run("wrong targetPort name is final and names both", func(t *testing.T) {
		l := newLab(t, objs(mpPods(true), one(multiPort("http", "htps")))...)
		expect(t, l.check("servicePorts", both), "fail (final)", msgTargetPort,
			"Service http-go-mp port https targets htps, want https (the container port's name)")
	})
	t.Run("targetPort by number reaches the same container port: correct", func(t *testing.T) {
		s := multiPort("http", "https")
		s.Spec.Ports[1].TargetPort = intstr.FromInt32(8443)
		l := newLab(t, objs(mpPods(true), one(s))...)
		expect(t, l.check("servicePorts", both), "pass", msgPortsAnswer)
	})
	t.Run("targetPort by number, another port", func(t *testing.T) {
		s := multiPort("http", "https")
		s.Spec.Ports[1].TargetPort = intstr.FromInt32(8080)
		l := newLab(t, objs(mpPods(true), one(s))...)
		expect(t, l.check("servicePorts", both), "fail (final)", msgTargetPort, "targets 8080, want https")
	})
	t.Run("wrong port number", func(t *testing.T) {
		s := multiPort("http", "https")
		s.Spec.Ports[1].Port = 8443
		l := newLab(t, objs(mpPods(true), one(s))...)
		expect(t, l.check("servicePorts", both), "fail (final)", msgPortNumber, "Service http-go-mp port https is 8443, want 443")
	})
	t.Run("port name missing", func(t *testing.T) {
		s := multiPort("http", "https")
		s.Spec.Ports[1].Name = "tls"
		l := newLab(t, objs(mpPods(true), one(s))...)
		expect(t, l.check("servicePorts", both), "fail (final)", svcport.MsgNoSuchPort, "has no port https (it has: 80 (http), 443 (tls))")
	})
	t.Run("TLS port that does not speak TLS", func(t *testing.T) {
		l := newLab(t, objs(mpPods(false), one(multiPort("http", "https")))...)
		expect(t, l.check("servicePorts", both), "fail", msgNoAnswerFromNode,
			"https://10.96.100.30:443/ does not answer", "no answer:", "ports: http:80->http, https:443->https")
	})
	t.Run("a port nobody listens on", func(t *testing.T) {
		pods := one(
			pod("http-go-mp-a", "10.244.2.10", "lab-worker", "app=http-go-mp", cport{name: "http", port: 8080, down: true}, cport{name: "https", port: 8443, tls: true}))
		l := newLab(t, append(pods, multiPort("http", "https"))...)
		expect(t, l.check("servicePorts", both), "fail", msgNoAnswerFromNode, "http://10.96.100.30:80/", "connection refused")
	})
	t.Run("Service missing is final", func(t *testing.T) {
		l := newLab(t)
		expect(t, l.check("servicePorts", both), "fail (final)", msgSvcMissing, "default/http-go-mp")
	})
}
