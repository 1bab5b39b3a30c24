package verify

import (
	"context"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/labctl/labctl/i18n"
)

func externalName(target string) *corev1.Service {
	s := withType(svcObj("externalname-service", "", ""), corev1.ServiceTypeExternalName)
	s.Spec.ExternalName = target
	return s
}

func headless(clusterIP string) *corev1.Service {
	return svcObj("http-go-headless", clusterIP, "app=http-go", svcPort("", 80, 8080))
}

func TestDNSRecords(t *testing.T) {
	const cname = `{name: externalname-service.default.svc.cluster.local, type: CNAME, cname: google.com}`
	const podsOf = `{name: http-go-headless.default.svc.cluster.local, type: A, podsOf: http-go-headless}`
	t.Run("CNAME to the target", func(t *testing.T) {
		l := newLab(t, externalName("google.com"))
		expect(t, l.check("dnsRecords", cname), "pass", msgDNSCNAME,
			"answers externalname-service.default.svc.cluster.local. with a CNAME to google.com.",
			"CNAME externalname-service.default.svc.cluster.local. -> google.com.")
	})
	t.Run("CNAME over TCP", func(t *testing.T) {
		l := newLab(t, externalName("google.com."))
		l.net.dnsNet = "tcp"
		expect(t, l.check("dnsRecords", cname), "pass", msgDNSCNAME)
	})
	t.Run("CNAME to another name", func(t *testing.T) {
		l := newLab(t, externalName("naver.com"))
		expect(t, l.check("dnsRecords", cname), "fail", msgDNSWrongCNAME,
			"is a CNAME to naver.com., want google.com.: check spec.externalName", "-> naver.com.")
	})
	t.Run("a wrong CNAME CoreDNS already answers is the student's", func(t *testing.T) {
		l := newLab(t, externalName("www.google.com"))
		o := l.check("dnsRecords", cname)
		expect(t, o, "fail", msgDNSWrongCNAME, "is a CNAME to www.google.com., want google.com.")
		if o.CatchingUp != "" {
			t.Errorf("the answer agrees with the API, yet it is said to lag: %s", o.CatchingUp)
		}
	})
	t.Run("a fix the DNS cache does not show yet is not a wrong answer", func(t *testing.T) {
		l := newLab(t, externalName("www.google.com"))
		l.net.cacheDNS()
		l.check("dnsRecords", cname) // CoreDNS caches the wrong answer
		fixed := externalName("google.com")
		if _, err := l.client.CoreV1().Services("default").Update(context.Background(), fixed, metav1.UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
		o := l.check("dnsRecords", cname)
		expect(t, o, "fail", msgDNSWrongCNAME, "www.google.com.")
		if !strings.Contains(o.CatchingUp, "want CNAME google.com.") {
			t.Errorf("a cached answer from before the fix: CatchingUp %q", o.CatchingUp)
		}
	})
	t.Run("a headless fix the cache does not show yet", func(t *testing.T) {
		l := newLab(t, objs(httpGo(2), one(headless("10.96.80.8")))...)
		l.net.cacheDNS()
		l.check("dnsRecords", podsOf)
		// recreated headless, as the hint says
		if err := l.client.CoreV1().Services("default").Delete(context.Background(), "http-go-headless", metav1.DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
		l.add(headless("None"))
		o := l.check("dnsRecords", podsOf)
		expect(t, o, "fail", msgDNSPodsDiffer)
		if !strings.Contains(o.CatchingUp, "the API says 10.244.1.10,10.244.1.11") {
			t.Errorf("a cached ClusterIP after the Service became headless: CatchingUp %q", o.CatchingUp)
		}
	})
	t.Run("no CNAME: not an ExternalName Service", func(t *testing.T) {
		l := newLab(t, svcObj("externalname-service", "10.96.70.7", "app=x", svcPort("", 80, 80)))
		expect(t, l.check("dnsRecords", cname), "fail", msgDNSNoCNAME,
			"has no CNAME (want one to google.com.)", "type ExternalName", "NOERROR, no records")
	})
	t.Run("Service missing is final", func(t *testing.T) {
		l := newLab(t)
		expect(t, l.check("dnsRecords", cname), "fail (final)", msgSvcMissing, "Service default/externalname-service does not exist")
	})
	t.Run("NXDOMAIN", func(t *testing.T) {
		l := newLab(t, objs(httpGo(2), one(headless("None")))...)
		// not a Service name, so nothing to look up first: CoreDNS has no such name
		expect(t, l.check("dnsRecords", `{name: http-go-headless.lab.internal, type: A, podsOf: http-go-headless}`), "fail", msgDNSRcode,
			"answers http-go-headless.lab.internal. with NXDOMAIN", "NXDOMAIN, no records")
	})
	t.Run("headless: exactly the ready pods", func(t *testing.T) {
		pods := objs(httpGo(3), one(notReady(pod("http-go-z", "10.244.1.99", "lab-worker", "app=http-go", cport{port: 8080}))))
		l := newLab(t, append(pods, headless("None"))...)
		expect(t, l.check("dnsRecords", podsOf), "pass", msgDNSPods, "one A record per ready pod (3)",
			"-> 10.244.1.10; 10.244.1.11; 10.244.1.12", "ready pods: 10.244.1.10, 10.244.1.11, 10.244.1.12")
		// the records follow a scale-up
		l.add(pod("http-go-d", "10.244.1.9", "lab-worker2", "app=http-go", cport{port: 8080}))
		expect(t, l.check("dnsRecords", podsOf), "pass", msgDNSPods, "(4)", "ready pods: 10.244.1.9, 10.244.1.10")
	})
	t.Run("headless answering not-ready pods too", func(t *testing.T) {
		s := headless("None")
		s.Spec.PublishNotReadyAddresses = true
		l := newLab(t, objs(httpGo(2), one(notReady(pod("http-go-z", "10.244.1.99", "lab-worker", "app=http-go")), s))...)
		expect(t, l.check("dnsRecords", podsOf), "fail", msgDNSPublishNotReady,
			"include pods that are not Ready: Service http-go-headless has publishNotReadyAddresses: true",
			"-> 10.244.1.10; 10.244.1.11; 10.244.1.99", "ready pods: 10.244.1.10, 10.244.1.11")
	})
	t.Run("not headless: the ClusterIP answers", func(t *testing.T) {
		l := newLab(t, objs(httpGo(3), one(headless("10.96.80.8")))...)
		o := l.check("dnsRecords", podsOf)
		expect(t, o, "fail", msgDNSNotHeadless, "resolves to the ClusterIP 10.96.80.8, not to the pods", "clusterIP: None", "-> 10.96.80.8")
		if ko := render(o, i18n.Ko); !strings.Contains(ko, "clusterIP: None") {
			t.Errorf("Korean: %s", ko)
		}
	})
	t.Run("headless without ready pods", func(t *testing.T) {
		l := newLab(t, objs(httpGo(2), one(svcObj("http-go-headless", "None", "app=http-goo", svcPort("", 80, 8080))))...)
		expect(t, l.check("dnsRecords", podsOf), "fail", msgEndpointsNone, "ready pods: (none)", "selector: app=http-goo", "other pods' labels: app=http-go")
	})
	t.Run("podsOf Service missing is final", func(t *testing.T) {
		l := newLab(t, objs(httpGo(2), one(headless("None")))...)
		expect(t, l.check("dnsRecords", `{name: http-go-headless.default.svc.cluster.local, type: A, podsOf: http-go}`),
			"fail (final)", msgSvcMissing, "default/http-go")
	})
	const clusterIPOf = `{name: http-go-svc.default.svc.cluster.local, type: A, clusterIPOf: http-go-svc}`
	t.Run("clusterIPOf", func(t *testing.T) {
		l := newLab(t, objs(httpGo(2), one(httpGoSvc()))...)
		expect(t, l.check("dnsRecords", clusterIPOf), "pass", msgDNSClusterIP, "resolves to the Service's ClusterIP 10.96.100.10")
	})
	t.Run("clusterIPOf a headless Service", func(t *testing.T) {
		l := newLab(t, objs(httpGo(2), one(svcObj("http-go-svc", "None", "app=http-go", svcPort("", 80, 8080))))...)
		expect(t, l.check("dnsRecords", clusterIPOf), "fail", msgDNSWantClusterIP, "should resolve to the ClusterIP None", "-> 10.244.1.10; 10.244.1.11")
	})
	t.Run("the DNS server does not answer", func(t *testing.T) {
		l := newLab(t, externalName("google.com"))
		l.net.dnsNet, l.net.dnsAddr = "tcp", "127.0.0.1:1"
		expect(t, l.check("dnsRecords", cname), "error", i18n.Message{}, "connection refused")
	})
}
