package verify

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/labctl/labctl/i18n"
)

type ingressObjT = networkingv1.Ingress

// web is one Deployment's pod and its Service (80 → 8080), like ch08's main-web.
func web(name string, n int) []runtime.Object {
	return []runtime.Object{
		pod(name+"-a", "10.244.3."+[]string{"10", "20", "30"}[n], "lab-worker", "app="+name, cport{port: 8080}),
		svcObj(name, "10.96.110."+[]string{"10", "20", "30"}[n], "app="+name, svcPort("", 80, 8080)),
	}
}

// ingressLab is a cluster with the given controller published on the host
// and its class default, plus ch08's main-web, dict-web and book-web.
func ingressLab(t *testing.T, controller string, extra ...runtime.Object) *lab {
	t.Helper()
	class := "nginx"
	if controller == traefikController {
		class = "traefik"
	}
	l := newLab(t, objs(one(ingressClass(class, controller, true)), web("main-web", 0), web("dict-web", 1), web("book-web", 2), extra)...)
	l.startIngress(controller)
	return l
}

func TestIngressClassDefault(t *testing.T) {
	t.Run("one default, the controller answers", func(t *testing.T) {
		l := ingressLab(t, nginxController, ingressClass("other", "example.com/other", false))
		expect(t, l.check("ingressClassDefault", ``), "pass", msgDefaultClass,
			"default IngressClass nginx (k8s.io/ingress-nginx) answers on http://127.0.0.1:", "(Host labctl-probe.invalid): HTTP 404")
		if h := l.net.callsFrom(FromHost); len(h) != 1 || !strings.HasSuffix(h[0], "/ labctl-probe.invalid") {
			t.Errorf("host calls %v", h)
		}
	})
	t.Run("none", func(t *testing.T) {
		l := newLab(t, ingressClass("nginx", nginxController, false))
		l.startIngress(nginxController)
		expect(t, l.check("ingressClassDefault", ``), "fail (final)", msgNoDefaultClass, "no IngressClass is the default: run labctl up")
	})
	t.Run("two", func(t *testing.T) {
		l := newLab(t, ingressClass("nginx", nginxController, true), ingressClass("traefik", traefikController, true))
		l.startIngress(nginxController)
		expect(t, l.check("ingressClassDefault", ``), "fail (final)", msgManyDefaultClasses,
			"more than one IngressClass is marked default: nginx (k8s.io/ingress-nginx), traefik (traefik.io/ingress-controller)")
	})
	t.Run("the controller does not answer", func(t *testing.T) {
		l := ingressLab(t, traefikController)
		l.ctrl.http.Close()
		expect(t, l.check("ingressClassDefault", ``), "fail", msgControllerSilent, "does not answer on http://127.0.0.1:", "no answer:")
	})
	t.Run("no published ports is an error", func(t *testing.T) {
		l := newLab(t, ingressClass("nginx", nginxController, true))
		expect(t, l.check("ingressClassDefault", ``), "error", i18n.Message{}, "no ingress controller published")
	})
}

func TestIngressAssigned(t *testing.T) {
	const p = `{ingress: ingress-basic}`
	t.Run("class and address", func(t *testing.T) {
		l := newLab(t, addressed(ingressObj("ingress-basic", "nginx", route{"gasbugs.com", "/", "main-web"}), "172.18.0.2"))
		expect(t, l.check("ingressAssigned", p), "pass", msgIngressAssigned, "Ingress ingress-basic has class nginx and ADDRESS 172.18.0.2")
	})
	t.Run("no class", func(t *testing.T) {
		l := newLab(t, addressed(ingressObj("ingress-basic", "", route{"gasbugs.com", "/", "main-web"}), "172.18.0.2"))
		o := l.check("ingressAssigned", p)
		expect(t, o, "fail", msgIngressNoClass, "Ingress ingress-basic has no class")
		if o.Final {
			t.Error("no class must be retried: the admission plugin may not have run yet")
		}
	})
	t.Run("no address yet", func(t *testing.T) {
		l := newLab(t, ingressObj("ingress-basic", "traefik", route{"gasbugs.com", "/", "main-web"}))
		expect(t, l.check("ingressAssigned", p), "fail", msgIngressNoAddress, "Ingress ingress-basic (class traefik) has no ADDRESS yet")
	})
	t.Run("missing is final", func(t *testing.T) {
		l := newLab(t)
		expect(t, l.check("ingressAssigned", p), "fail (final)", msgIngressMissing, "Ingress default/ingress-basic does not exist")
	})
}

func TestIngressRoute(t *testing.T) {
	basic := func() *ingressObjT { return ingressObj("ingress-basic", "", route{"gasbugs.com", "/", "main-web"}) }
	const gasbugs = `{ingress: ingress-basic, cases: [{host: gasbugs.com, service: main-web}]}`
	t.Run("host rule reaches the backend's pod", func(t *testing.T) {
		for _, c := range []string{nginxController, traefikController} {
			l := ingressLab(t, c, basic())
			expect(t, l.check("ingressRoute", gasbugs), "pass", msgRoutesOK,
				"all 1 requests were routed as the rules say ("+controllerName(c)+")", `Host gasbugs.com / -> HTTP 200 "main-web-a"`)
		}
	})
	const fanout = `{ingress: ingress-fanout, cases: [
		{host: dict.gasbugs.com, path: /, service: dict-web},
		{host: fanout.gasbugs.com, path: /main, service: main-web},
		{host: fanout.gasbugs.com, path: /dict, service: dict-web}]}`
	t.Run("fan-out", func(t *testing.T) {
		l := ingressLab(t, nginxController, ingressObj("ingress-fanout", "nginx",
			route{"dict.gasbugs.com", "/", "dict-web"}, route{"fanout.gasbugs.com", "/main", "main-web"}, route{"fanout.gasbugs.com", "/dict", "dict-web"}))
		expect(t, l.check("ingressRoute", fanout), "pass", msgRoutesOK, "all 3 requests",
			`Host fanout.gasbugs.com /main -> HTTP 200 "main-web-a"`, `Host fanout.gasbugs.com /dict -> HTTP 200 "dict-web-a"`)
	})
	t.Run("wrong backend", func(t *testing.T) {
		l := ingressLab(t, nginxController, ingressObj("ingress-fanout", "nginx",
			route{"dict.gasbugs.com", "/", "dict-web"}, route{"fanout.gasbugs.com", "/main", "dict-web"}, route{"fanout.gasbugs.com", "/dict", "dict-web"}))
		expect(t, l.check("ingressRoute", fanout), "fail", msgDiagWrongBackend,
			"host fanout.gasbugs.com path /main goes to Service dict-web (Ingress ingress-fanout), want main-web",
			`Host fanout.gasbugs.com /main -> HTTP 200 "dict-web-a"`, "pods of main-web: main-web-a")
	})
	t.Run("the backend has no pods", func(t *testing.T) {
		l := newLab(t, ingressClass("nginx", nginxController, true), basic(),
			pod("main-web-a", "10.244.3.10", "lab-worker", "app=main-web", cport{port: 8080}),
			svcObj("main-web", "10.96.110.10", "app=main-web-typo", svcPort("", 80, 8080)))
		l.startIngress(nginxController)
		expect(t, l.check("ingressRoute", gasbugs), "fail", msgRouteWrong, "-> HTTP 502", "pods of main-web: (none)")
	})
	t.Run("no rule for the host is final", func(t *testing.T) {
		l := ingressLab(t, nginxController, ingressObj("ingress-basic", "", route{"gasbugs.kr", "/", "main-web"}))
		expect(t, l.check("ingressRoute", gasbugs), "fail (final)", msgNoRuleForHost, "Ingress ingress-basic has no rule for host gasbugs.com", "-> HTTP 404")
	})
	t.Run("backend Service missing is final", func(t *testing.T) {
		l := ingressLab(t, nginxController, ingressObj("ingress-basic", "", route{"gasbugs.com", "/", "main-website"}))
		expect(t, l.check("ingressRoute", `{ingress: ingress-basic, cases: [{host: gasbugs.com, service: main-website}]}`),
			"fail (final)", msgSvcMissing, "default/main-website")
	})
	const unknown = `{ingress: ingress-basic, cases: [{host: gasbugs.com, service: main-web}, {host: unknown.gasbugs.com, expect: notFound}]}`
	t.Run("404 for an unknown host", func(t *testing.T) {
		for _, c := range []string{nginxController, traefikController} {
			l := ingressLab(t, c, basic())
			expect(t, l.check("ingressRoute", unknown), "pass", msgRoutesOK, "all 2 requests", "Host unknown.gasbugs.com / -> HTTP 404")
		}
	})
	t.Run("a rule without host answers every host", func(t *testing.T) {
		l := ingressLab(t, nginxController, basic(), ingressObj("catch-all", "", route{"", "/", "dict-web"}))
		expect(t, l.check("ingressRoute", unknown), "fail", msgDiagCatchAll,
			"Ingress catch-all has a rule for every host (no host:), which takes unknown.gasbugs.com too (it answered 200, want 404)", `-> HTTP 200 "dict-web-a"`)
	})
	const missing = `{ingress: ingress-missing, cases: [{host: missing.gasbugs.com, expect: backendMissing, service: no-such-service}]}`
	missingIng := func() *ingressObjT {
		return ingressObj("ingress-missing", "", route{"missing.gasbugs.com", "/", "no-such-service"})
	}
	t.Run("backendMissing: ingress-nginx answers 503", func(t *testing.T) {
		l := ingressLab(t, nginxController, missingIng())
		expect(t, l.check("ingressRoute", missing), "pass", msgRoutesOK, "(ingress-nginx)", "-> HTTP 503")
	})
	t.Run("backendMissing: Traefik answers 404", func(t *testing.T) {
		l := ingressLab(t, traefikController, missingIng())
		expect(t, l.check("ingressRoute", missing), "pass", msgRoutesOK, "(Traefik)", "-> HTTP 404")
	})
	t.Run("backendMissing: the default class's controller decides", func(t *testing.T) {
		// Traefik answers, but the default IngressClass says ingress-nginx
		l := newLab(t, ingressClass("nginx", nginxController, true), missingIng())
		l.startIngress(traefikController)
		expect(t, l.check("ingressRoute", missing), "fail", msgRouteMissingStatus,
			"Host missing.gasbugs.com answered 404, want 503 (what ingress-nginx answers for a rule whose Service is missing)")
		l = newLab(t, ingressClass("traefik", traefikController, true), missingIng())
		l.startIngress(nginxController)
		expect(t, l.check("ingressRoute", missing), "fail", msgRouteMissingStatus, "answered 503, want 404 (what Traefik answers")
	})
	t.Run("backendMissing but the Service exists is final", func(t *testing.T) {
		l := ingressLab(t, nginxController, missingIng(), svcObj("no-such-service", "10.96.110.99", "app=main-web", svcPort("", 80, 8080)))
		expect(t, l.check("ingressRoute", missing), "fail (final)", msgServiceExistsAfterAll,
			"Service no-such-service exists: this step shows what happens when a rule's Service is missing")
	})
	t.Run("backendMissing without a rule for the host is final", func(t *testing.T) {
		l := ingressLab(t, nginxController, ingressObj("ingress-missing", "", route{"other.gasbugs.com", "/", "no-such-service"}))
		expect(t, l.check("ingressRoute", missing), "fail (final)", msgNoRuleForHost, "no rule for host missing.gasbugs.com")
	})
	t.Run("over HTTPS with SNI", func(t *testing.T) {
		c := newCert(t, "kube-book.com", "kube-book.com")
		l := ingressLab(t, nginxController, tlsSecret("tls-secret", c),
			withTLS(ingressObj("ingress-ssl", "", route{"kube-book.com", "/", "book-web"}), "tls-secret", "kube-book.com"))
		expect(t, l.check("ingressRoute", `{ingress: ingress-ssl, https: true, cases: [{host: kube-book.com, service: book-web}]}`),
			"pass", msgRoutesOK, `Host kube-book.com / -> HTTP 200 "book-web-a"`)
		if h := l.net.callsFrom(FromHost); len(h) != 1 || !strings.HasPrefix(h[0], "host https://127.0.0.1:") {
			t.Errorf("host calls %v", h)
		}
	})
	t.Run("Ingress missing is final", func(t *testing.T) {
		l := ingressLab(t, nginxController)
		expect(t, l.check("ingressRoute", gasbugs), "fail (final)", msgIngressMissing)
	})
	t.Run("no published ports is an error", func(t *testing.T) {
		l := newLab(t, basic())
		expect(t, l.check("ingressRoute", gasbugs), "error", i18n.Message{}, "no ingress controller published")
	})
}

func TestTLSCertificate(t *testing.T) {
	const p = `{ingress: ingress-ssl, host: kube-book.com, secret: tls-secret}`
	ssl := func() *ingressObjT {
		return withTLS(ingressObj("ingress-ssl", "", route{"kube-book.com", "/", "book-web"}), "tls-secret", "kube-book.com")
	}
	t.Run("the Secret's certificate is served", func(t *testing.T) {
		for _, c := range []string{nginxController, traefikController} {
			l := ingressLab(t, c, tlsSecret("tls-secret", newCert(t, "kube-book.com", "kube-book.com")), ssl())
			expect(t, l.check("tlsCertificate", p), "pass", msgCertServed,
				"HTTPS for kube-book.com serves the certificate of Secret tls-secret", "served: CN=kube-book.com DNS=kube-book.com until ", "HTTP 200 \"book-web-a\"")
			if h := l.net.callsFrom(FromHost); len(h) != 1 || !strings.HasSuffix(h[0], " kube-book.com") {
				t.Errorf("host calls %v", h)
			}
		}
	})
	t.Run("a certificate for another host: the default certificate is served", func(t *testing.T) {
		for c, fake := range map[string]string{nginxController: nginxFakeCN, traefikController: traefikFakeCN} {
			l := ingressLab(t, c, tlsSecret("tls-secret", newCert(t, "gasbugs.com", "gasbugs.com")), ssl())
			o := l.check("tlsCertificate", p)
			expect(t, o, "fail", msgCertNotForHost, "the Secret's certificate does not name kube-book.com",
				"the controller serves its default certificate instead (CN="+fake, "make the certificate with CN/SAN kube-book.com",
				"served: CN="+fake, "Secret: CN=gasbugs.com DNS=gasbugs.com")
			if ko := render(o, i18n.Ko); !strings.Contains(ko, "kube-book.com 가 없어서") || !strings.Contains(ko, fake) {
				t.Errorf("Korean: %s", ko)
			}
		}
	})
	t.Run("the controller serves its default although the Secret names the host", func(t *testing.T) {
		l := ingressLab(t, nginxController, tlsSecret("tls-secret", newCert(t, "kube-book.com", "kube-book.com")), ssl())
		l.ctrl.stale = true
		expect(t, l.check("tlsCertificate", p), "fail", msgCertDefault,
			"for kube-book.com the controller serves CN="+nginxFakeCN, "not the Secret's certificate", "proves nothing")
	})
	t.Run("a CN-only certificate (the notes' openssl command)", func(t *testing.T) {
		// openssl req -x509 -subj /CN=kube-book.com writes no SAN; ingress-nginx
		// and Traefik both match the CN.
		cnOnly := newCert(t, "kube-book.com")
		l := ingressLab(t, nginxController, tlsSecret("tls-secret", cnOnly), ssl())
		expect(t, l.check("tlsCertificate", p), "pass", msgCertServed, "served: CN=kube-book.com until")
		l.ctrl.stale = true
		expect(t, l.check("tlsCertificate", p), "fail", msgCertDefault, "not the Secret's certificate")
	})
	t.Run("a wildcard certificate", func(t *testing.T) {
		l := ingressLab(t, nginxController, tlsSecret("tls-secret", newCert(t, "*.kube-book.com", "*.kube-book.com")),
			withTLS(ingressObj("ingress-ssl", "", route{"www.kube-book.com", "/", "book-web"}), "tls-secret", "www.kube-book.com"))
		l.ctrl.stale = true
		expect(t, l.check("tlsCertificate", `{ingress: ingress-ssl, host: www.kube-book.com, secret: tls-secret}`), "fail", msgCertDefault)
	})
	t.Run("wrong Secret type is final", func(t *testing.T) {
		s := tlsSecret("tls-secret", newCert(t, "kube-book.com", "kube-book.com"))
		s.Type = corev1.SecretTypeOpaque
		l := ingressLab(t, nginxController, s, ssl())
		expect(t, l.check("tlsCertificate", p), "fail (final)", msgSecretType, "Secret tls-secret is of type Opaque, want kubernetes.io/tls")
	})
	t.Run("Secret without a certificate is final", func(t *testing.T) {
		s := tlsSecret("tls-secret", newCert(t, "kube-book.com", "kube-book.com"))
		s.Data[corev1.TLSCertKey] = s.Data[corev1.TLSPrivateKeyKey]
		l := ingressLab(t, nginxController, s, ssl())
		expect(t, l.check("tlsCertificate", p), "fail (final)", msgSecretBadCert, "Secret tls-secret: tls.crt holds no PEM certificate")
	})
	t.Run("Secret missing is final", func(t *testing.T) {
		l := ingressLab(t, nginxController, ssl())
		expect(t, l.check("tlsCertificate", p), "fail (final)", msgSecretMissing, "Secret default/tls-secret does not exist")
	})
	t.Run("Ingress without a tls section is final", func(t *testing.T) {
		l := ingressLab(t, nginxController, tlsSecret("tls-secret", newCert(t, "kube-book.com", "kube-book.com")),
			ingressObj("ingress-ssl", "", route{"kube-book.com", "/", "book-web"}))
		expect(t, l.check("tlsCertificate", p), "fail (final)", msgIngressNoTLS,
			"Ingress ingress-ssl has no tls: entry for host kube-book.com with secretName tls-secret")
		if len(l.net.calls) != 0 {
			t.Errorf("sent traffic: %v", l.net.calls)
		}
	})
	t.Run("tls hosts that do not include the rule's host", func(t *testing.T) {
		l := ingressLab(t, nginxController, tlsSecret("tls-secret", newCert(t, "kube-book.com", "kube-book.com")),
			withTLS(ingressObj("ingress-ssl", "", route{"kube-book.com", "/", "book-web"}), "tls-secret", "book.com"))
		expect(t, l.check("tlsCertificate", p), "fail", msgDiagTLSHosts,
			"tls: entry for Secret tls-secret lists hosts book.com, which do not include kube-book.com, the host of the rule")
	})
	t.Run("tls names another Secret", func(t *testing.T) {
		l := ingressLab(t, nginxController, tlsSecret("tls-secret", newCert(t, "kube-book.com", "kube-book.com")),
			withTLS(ingressObj("ingress-ssl", "", route{"kube-book.com", "/", "book-web"}), "tls-secrte", "kube-book.com"))
		expect(t, l.check("tlsCertificate", p), "fail", msgDiagTLSOtherSecret, "tls: for kube-book.com names Secret tls-secrte, want tls-secret")
	})
	t.Run("tls.key of another certificate", func(t *testing.T) {
		sec := tlsSecret("tls-secret", newCert(t, "kube-book.com", "kube-book.com"))
		sec.Data[corev1.TLSPrivateKeyKey] = newCert(t, "kube-book.com").keyPEM
		l := ingressLab(t, nginxController, sec, withTLS(ingressObj("ingress-ssl", "", route{"kube-book.com", "/", "book-web"}), "tls-secret", "kube-book.com"))
		expect(t, l.check("tlsCertificate", p), "fail", msgDiagKeyPair, "tls.key does not belong to tls.crt")
	})
	t.Run("a tls section without hosts covers every host", func(t *testing.T) {
		l := ingressLab(t, nginxController, tlsSecret("tls-secret", newCert(t, "kube-book.com", "kube-book.com")),
			withTLS(ingressObj("ingress-ssl", "", route{"kube-book.com", "/", "book-web"}), "tls-secret"))
		expect(t, l.check("tlsCertificate", p), "pass", msgCertServed)
	})
	t.Run("Ingress missing is final", func(t *testing.T) {
		l := ingressLab(t, nginxController, tlsSecret("tls-secret", newCert(t, "kube-book.com", "kube-book.com")))
		expect(t, l.check("tlsCertificate", p), "fail (final)", msgIngressMissing)
	})
	t.Run("no TLS answer", func(t *testing.T) {
		l := ingressLab(t, nginxController, tlsSecret("tls-secret", newCert(t, "kube-book.com", "kube-book.com")), ssl())
		l.ctrl.https.Close()
		expect(t, l.check("tlsCertificate", p), "fail", msgNoTLSAnswer, "no TLS answer on https://127.0.0.1:", "for kube-book.com",
			"no answer:", "Secret: CN=kube-book.com")
	})
	t.Run("right certificate, backend down", func(t *testing.T) {
		l := newLab(t, ingressClass("nginx", nginxController, true), svcObj("book-web", "10.96.110.30", "app=book-web", svcPort("", 80, 8080)),
			tlsSecret("tls-secret", newCert(t, "kube-book.com", "kube-book.com")), ssl())
		l.startIngress(nginxController)
		expect(t, l.check("tlsCertificate", p), "fail", msgTLSNoBackend,
			"HTTPS for kube-book.com shows the right certificate but the backend does not answer", "HTTP 502", "served: CN=kube-book.com")
	})
}

func TestCertNames(t *testing.T) {
	for _, c := range []struct {
		cn   string
		sans []string
		host string
		want bool
	}{
		{"kube-book.com", []string{"kube-book.com"}, "kube-book.com", true},
		{"kube-book.com", nil, "kube-book.com", true}, // CN only: openssl req -subj /CN=...
		{"Kube-Book.com", nil, "kube-book.com", true},
		{"gasbugs.com", nil, "kube-book.com", false},
		{"gasbugs.com", []string{"kube-book.com"}, "kube-book.com", true},
		{"kube-book.com", []string{"gasbugs.com"}, "kube-book.com", true}, // the controllers match the CN as well
		{"*.kube-book.com", nil, "www.kube-book.com", true},
		{"*.kube-book.com", nil, "kube-book.com", false},
		{"*.kube-book.com", nil, "a.www.kube-book.com", false},
		{"", nil, "kube-book.com", false},
	} {
		if got := certNames(newCert(t, c.cn, c.sans...).leaf, c.host); got != c.want {
			t.Errorf("CN %q SAN %v names %s: %v, want %v", c.cn, c.sans, c.host, got, c.want)
		}
	}
}
