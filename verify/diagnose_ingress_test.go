package verify

import "testing"

func TestIngressDiagnoses(t *testing.T) {
	const gasbugs = `{ingress: ingress-basic, cases: [{host: gasbugs.com, service: main-web}]}`
	const fanout = `{ingress: ingress-fanout, cases: [{host: dict.gasbugs.com, path: /, service: dict-web}, {host: fanout.gasbugs.com, path: /main, service: main-web}, {host: fanout.gasbugs.com, path: /dict, service: dict-web}]}`
	t.Run("a class no controller here serves", func(t *testing.T) {
		l := ingressLab(t, traefikController, ingressObj("ingress-basic", "nginx", route{"gasbugs.com", "/", "main-web"}))
		expect(t, l.check("ingressRoute", gasbugs), "fail", msgDiagIngClass,
			`Ingress ingress-basic has class "nginx", but no IngressClass has that name: remove ingressClassName (the default class is traefik) or set it to traefik`)
	})
	t.Run("the backend port is the pod's, not the Service's", func(t *testing.T) {
		ing := ingressObj("ingress-basic", "", route{"gasbugs.com", "/", "main-web"})
		ing.Spec.Rules[0].HTTP.Paths[0].Backend.Service.Port.Number = 8080
		l := ingressLab(t, traefikController, ing)
		expect(t, l.check("ingressRoute", gasbugs), "fail", msgDiagBackendPort,
			"sends host gasbugs.com to port 8080 of Service main-web, which has no such port (it has: 80->8080)")
	})
	t.Run("a path typo", func(t *testing.T) {
		l := ingressLab(t, nginxController, ingressObj("ingress-fanout", "",
			route{"dict.gasbugs.com", "/", "dict-web"}, route{"fanout.gasbugs.com", "/mian", "main-web"}, route{"fanout.gasbugs.com", "/dict", "dict-web"}))
		expect(t, l.check("ingressRoute", fanout), "fail", msgDiagNoPath, "no path of host fanout.gasbugs.com matches /main (paths: /mian (Prefix), /dict (Prefix))")
	})
	t.Run("Traefik differs from the spec on a trailing slash", func(t *testing.T) {
		l := ingressLab(t, traefikController, ingressObj("ingress-fanout", "",
			route{"dict.gasbugs.com", "/", "dict-web"}, route{"fanout.gasbugs.com", "/main/", "main-web"}, route{"fanout.gasbugs.com", "/dict", "dict-web"}))
		expect(t, l.check("ingressRoute", fanout), "fail", msgDiagTraefikPrefix, `path "/main/" (Prefix) matches /main by the Ingress spec, but Traefik differs`, "write path: /main")
	})
	t.Run("the same trailing slash on a controller that follows the spec: correct", func(t *testing.T) {
		l := ingressLab(t, nginxController, ingressObj("ingress-fanout", "",
			route{"dict.gasbugs.com", "/", "dict-web"}, route{"fanout.gasbugs.com", "/main/", "main-web"}, route{"fanout.gasbugs.com", "/dict", "dict-web"}))
		expect(t, l.check("ingressRoute", fanout), "pass", msgRoutesOK)
	})
	t.Run("several Ingresses instead of one: correct", func(t *testing.T) {
		l := ingressLab(t, traefikController, ingressObj("ingress-fanout", "", route{"fanout.gasbugs.com", "/main", "main-web"}, route{"fanout.gasbugs.com", "/dict", "dict-web"}),
			ingressObj("dict", "", route{"dict.gasbugs.com", "/", "dict-web"}))
		expect(t, l.check("ingressRoute", fanout), "pass", msgRoutesOK)
	})
	t.Run("a wildcard host: correct", func(t *testing.T) {
		l := ingressLab(t, traefikController, ingressObj("ingress-fanout", "", route{"fanout.gasbugs.com", "/main", "main-web"}, route{"fanout.gasbugs.com", "/dict", "dict-web"},
			route{"*.gasbugs.com", "/", "dict-web"}))
		expect(t, l.check("ingressRoute", fanout), "pass", msgRoutesOK)
	})
	t.Run("a wildcard rule takes the unknown host", func(t *testing.T) {
		l := ingressLab(t, traefikController, ingressObj("ingress-basic", "", route{"*.gasbugs.com", "/", "main-web"}, route{"gasbugs.com", "/", "main-web"}))
		expect(t, l.check("ingressRoute", `{ingress: ingress-basic, cases: [{host: gasbugs.com, service: main-web}, {host: unknown.gasbugs.com, expect: notFound}]}`),
			"fail", msgDiagCatchAll, "Ingress ingress-basic has a rule for *.gasbugs.com, which takes unknown.gasbugs.com too (it answered 200, want 404)")
	})
	t.Run("no rule for the host names the hosts there are", func(t *testing.T) {
		l := ingressLab(t, traefikController, ingressObj("ingress-basic", "", route{"gasbug.com", "/", "main-web"}))
		expect(t, l.check("ingressRoute", gasbugs), "fail (final)", msgNoRuleForHost, "hosts: ingress-basic: gasbug.com")
	})
}
