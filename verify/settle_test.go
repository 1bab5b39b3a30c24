package verify

import (
	"context"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/labctl/labctl/i18n"
)

// changedAgo marks an object as last written d ago (as the API server
// records it in managedFields).
func changedAgo(m metav1.Object, d time.Duration) {
	t := metav1.NewTime(time.Now().Add(-d))
	m.SetCreationTimestamp(metav1.NewTime(time.Now().Add(-time.Hour)))
	m.SetManagedFields([]metav1.ManagedFieldsEntry{{Manager: "kubectl", Operation: metav1.ManagedFieldsOperationApply, Time: &t}})
}

// clockAhead moves the settled-state rule's clock d ahead: what the fake
// clientset wrote just now looks d old.
func clockAhead(t *testing.T, d time.Duration) {
	now = func() time.Time { return time.Now().Add(d) }
	t.Cleanup(func() { now = time.Now })
}

func starting(p *corev1.Pod, phase corev1.PodPhase, waiting string) *corev1.Pod {
	notReady(p)
	p.Status.Phase = phase
	if waiting != "" {
		p.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: "app", State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: waiting}}}}
	}
	return p
}

func settle(t *testing.T, l *lab, d Dependencies) Motion {
	t.Helper()
	m, err := Settle(context.Background(), l.env, d)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestSettle(t *testing.T) {
	deps := serviceDeps(ns, "http-go-svc")
	t.Run("old objects, ready pods: settled", func(t *testing.T) {
		clockAhead(t, time.Hour)
		l := newLab(t, objs(httpGo(3), one(httpGoSvc()))...)
		if m := settle(t, l, deps); m.Moving() {
			t.Errorf("moving: %v", m.Reasons())
		}
	})
	t.Run("a Service changed a second ago is moving", func(t *testing.T) {
		s := httpGoSvc()
		changedAgo(s, time.Second)
		l := newLab(t, objs(httpGo(3), one(s))...)
		m := settle(t, l, deps)
		if !strings.Contains(strings.Join(m.CatchingUp, "|"), "Service default/http-go-svc changed") || len(m.Starting) > 0 {
			t.Errorf("%+v", m)
		}
	})
	t.Run("a Service changed a second ago holds a pass: kube-proxy may still route by the old rules", func(t *testing.T) {
		s := httpGoSvc()
		changedAgo(s, time.Second)
		l := newLab(t, objs(httpGo(3), one(s))...)
		if m := settle(t, l, deps); !m.HoldsPass() || !strings.Contains(strings.Join(m.Routing, "|"), "Service default/http-go-svc changed") {
			t.Errorf("a pass is not held: %+v", m)
		}
		clockAhead(t, routingLag+time.Second) // the Service and its EndpointSlices
		l = newLab(t, objs(httpGo(3), one(s))...)
		if m := settle(t, l, deps); len(m.Routing) > 0 {
			t.Errorf("still held after kube-proxy's lag: %+v", m.Routing)
		}
	})
	t.Run("pods starting, and pods failing for good", func(t *testing.T) {
		unsched := starting(pod("http-go-u", "", "", "app=http-go"), corev1.PodPending, "")
		unsched.Status.Conditions = append(unsched.Status.Conditions, corev1.PodCondition{Type: corev1.PodScheduled, Status: corev1.ConditionFalse, Reason: corev1.PodReasonUnschedulable})
		l := newLab(t, httpGoSvc(),
			starting(pod("http-go-p", "", "lab-worker", "app=http-go"), corev1.PodPending, "ContainerCreating"),
			starting(pod("http-go-i", "", "lab-worker", "app=http-go"), corev1.PodPending, "ImagePullBackOff"),
			starting(pod("http-go-c", "10.244.1.3", "lab-worker", "app=http-go"), corev1.PodRunning, "CrashLoopBackOff"),
			unsched)
		m := settle(t, l, deps)
		if got := strings.Join(m.Starting, "|"); got != "pod default/http-go-p is ContainerCreating" {
			t.Errorf("starting: %s", got)
		}
	})
	t.Run("running but not Ready: starting while the probe may pass", func(t *testing.T) {
		fresh := starting(pod("http-go-f", "10.244.1.4", "lab-worker", "app=http-go"), corev1.PodRunning, "")
		fresh.Status.StartTime = &metav1.Time{Time: time.Now()}
		stale := starting(pod("http-go-s", "10.244.1.5", "lab-worker", "app=http-go"), corev1.PodRunning, "")
		stale.Status.StartTime = &metav1.Time{Time: time.Now().Add(-10 * time.Minute)}
		l := newLab(t, httpGoSvc(), fresh, stale)
		if got := strings.Join(settle(t, l, deps).Starting, "|"); got != "pod default/http-go-f is not Ready yet" {
			t.Errorf("starting: %s", got)
		}
	})
	t.Run("a Deployment rolling out", func(t *testing.T) {
		three := int32(3)
		d := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "http-go", Generation: 2},
			Spec: appsv1.DeploymentSpec{Replicas: &three, Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "http-go"}},
				Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "http-go"}}}},
			Status: appsv1.DeploymentStatus{ObservedGeneration: 2, UpdatedReplicas: 1, Replicas: 4}}
		l := newLab(t, objs(httpGo(3), one(httpGoSvc(), d))...)
		if got := strings.Join(settle(t, l, deps).Starting, "|"); !strings.Contains(got, "Deployment default/http-go is rolling out (1 of 3 updated)") {
			t.Errorf("starting: %s", got)
		}
	})
	t.Run("a LoadBalancer waiting for MetalLB", func(t *testing.T) {
		lb := withType(svcObj("http-go-lb", "10.96.0.50", "app=http-go", svcPort("", 80, 8080)), corev1.ServiceTypeLoadBalancer)
		changedAgo(lb, 0)
		clockAhead(t, 8*time.Second) // past the window, within MetalLB's
		ctrl := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: "metallb-system", Name: "controller"}, Status: appsv1.DeploymentStatus{ReadyReplicas: 1}}
		l := newLab(t, objs(httpGo(2), one(lb, ctrl))...)
		m := settle(t, l, serviceDeps(ns, "http-go-lb"))
		if got := strings.Join(m.CatchingUp, "|"); got != "Service default/http-go-lb waits for an EXTERNAL-IP from MetalLB" {
			t.Errorf("catching up: %s", got)
		}
		class := "example.com/other-lb"
		lb.Spec.LoadBalancerClass = &class
		_, err := l.client.CoreV1().Services(ns).Update(context.Background(), lb, metav1.UpdateOptions{})
		must(t, err)
		if m := settle(t, l, serviceDeps(ns, "http-go-lb")); m.Moving() {
			t.Errorf("another class's LoadBalancer is not MetalLB's to fill: %v", m.Reasons())
		}
	})
	t.Run("an Ingress brings in its backends", func(t *testing.T) {
		l := newLab(t, objs(one(ingressObj("ing", "traefik", route{"a.example", "/", "web"}), svcObj("web", "10.96.0.9", "app=web", svcPort("", 80, 8080)),
			starting(pod("web-a", "", "lab-worker", "app=web"), corev1.PodPending, "")))...)
		if got := strings.Join(settle(t, l, Dependencies{Objects: []ObjectRef{Ingress(ns, "ing")}}).Starting, "|"); got != "pod default/web-a is Pending" {
			t.Errorf("starting: %s", got)
		}
	})
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestRunnerSettles(t *testing.T) {
	run := func(l *lab, c, p string, o Options) CheckResult {
		t.Helper()
		rep := Run(context.Background(), l.env, chapter(step(spec(t, "c", c, p))), nil, o)
		return rep.Steps[0].Checks[0]
	}
	slow := Options{Poll: time.Millisecond, Timeout: time.Minute, Grace: time.Millisecond}
	t.Run("a wrong answer on a settled cluster fails before the deadline, saying why", func(t *testing.T) {
		clockAhead(t, time.Hour)
		typo := svcObj("http-go-svc", httpGoIP, "app=http-goo", svcPort("", 80, 8080))
		l := newLab(t, objs(httpGo(3), one(typo))...)
		r := run(l, "serviceEndpoints", `{service: http-go-svc, minReady: 3}`, slow)
		if r.Verdict != Fail || r.Waited || !r.Settled || !strings.Contains(r.Note, "the cluster had settled") {
			t.Errorf("%+v", r)
		}
		l.env.Lang = i18n.Ko
		if r := run(l, "serviceEndpoints", `{service: http-go-svc, minReady: 3}`, slow); !strings.Contains(r.Note, "안정된") {
			t.Errorf("Korean note: %q", r.Note)
		}
	})
	t.Run("a wrong answer while a pod starts waits for it", func(t *testing.T) {
		fresh := starting(pod("http-go-z", "10.244.1.99", "lab-worker", "app=http-go"), corev1.PodPending, "ContainerCreating")
		l := newLab(t, objs(httpGo(2), one(fresh, httpGoSvc()))...)
		r := run(l, "serviceEndpoints", `{service: http-go-svc, minReady: 3}`, Options{Poll: time.Millisecond, Timeout: 30 * time.Millisecond, Grace: time.Millisecond})
		if r.Verdict != Fail || !r.Waited || r.Settled || !strings.Contains(strings.Join(r.Evidence, "\n"), "still changing at the deadline: pod default/http-go-z is ContainerCreating") {
			t.Errorf("%+v", r)
		}
	})
	t.Run("no pass while a pod it depends on is Pending", func(t *testing.T) {
		fresh := starting(pod("http-go-z", "", "lab-worker", "app=http-go"), corev1.PodPending, "")
		l := newLab(t, objs(httpGo(3), one(fresh, httpGoSvc()))...)
		r := run(l, "serviceEndpoints", `{service: http-go-svc, minReady: 3}`, Options{Poll: time.Millisecond, Timeout: 30 * time.Millisecond})
		if r.Verdict != Fail || r.Message != "the answer looked right, but pods it depends on were still starting at the deadline: pod default/http-go-z is Pending" {
			t.Errorf("%+v", r)
		}
	})
	t.Run("a pass just after kube-proxy's inputs changed is held, and says so at the deadline", func(t *testing.T) {
		l := newLab(t, objs(httpGo(3), one(httpGoSvc()))...) // written just now
		r := run(l, "serviceEndpoints", `{service: http-go-svc, minReady: 3}`, Options{Poll: time.Millisecond, Timeout: 30 * time.Millisecond})
		if r.Verdict != Fail || !strings.HasPrefix(r.Message, "the answer looked right, but what it depends on kept changing") || !strings.Contains(r.Message, "default/http-go-svc") {
			t.Errorf("%+v", r)
		}
	})
	t.Run("a wrong answer the DNS cache may still give waits for it; one the DNS gives now fails at once", func(t *testing.T) {
		clockAhead(t, time.Hour)
		const cname = `{name: externalname-service.default.svc.cluster.local, type: CNAME, cname: google.com}`
		wrong := newLab(t, externalName("www.google.com"))
		if r := run(wrong, "dnsRecords", cname, slow); r.Verdict != Fail || r.Waited || !r.Settled {
			t.Errorf("a wrong externalName the DNS answers: %+v", r)
		}
		cached := newLab(t, externalName("www.google.com"))
		cached.net.cacheDNS()
		cached.check("dnsRecords", cname)
		_, err := cached.client.CoreV1().Services("default").Update(context.Background(), externalName("google.com"), metav1.UpdateOptions{})
		must(t, err)
		r := run(cached, "dnsRecords", cname, Options{Poll: time.Millisecond, Timeout: 500 * time.Millisecond, Grace: time.Millisecond})
		if r.Verdict != Fail || !r.Waited || r.Settled || !strings.Contains(strings.Join(r.Evidence, "\n"), "still changing at the deadline: CNAME externalname-service") {
			t.Errorf("a fix the DNS cache hides: %+v", r)
		}
	})
	t.Run("kinds that say nothing poll until the deadline", func(t *testing.T) {
		r := runOne(t, script(t, "c", "fail"), fast)
		if !r.Waited || r.Settled {
			t.Errorf("%+v", r)
		}
	})
}

func TestReadyMeansThePodsReadyCondition(t *testing.T) {
	// publishNotReadyAddresses: the EndpointSlice says ready for a pod that is not
	nr := notReady(pod("http-go-n", "10.244.1.50", "lab-worker", "app=http-go", cport{name: "http", port: 8080}))
	s := httpGoSvc()
	s.Spec.PublishNotReadyAddresses = true
	l := newLab(t, objs(httpGo(2), one(nr, s))...)
	sl, err := l.client.DiscoveryV1().EndpointSlices(ns).Get(context.Background(), "http-go-svc-auto", metav1.GetOptions{})
	must(t, err)
	yes := true
	for i := range sl.Endpoints {
		sl.Endpoints[i].Conditions.Ready = &yes
	}
	_, err = l.client.DiscoveryV1().EndpointSlices(ns).Update(context.Background(), sl, metav1.UpdateOptions{})
	must(t, err)
	expect(t, l.check("serviceEndpoints", `{service: http-go-svc, minReady: 3}`), "fail", msgEndpointsFew, "has 2 ready endpoints")
}
