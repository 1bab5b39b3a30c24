package verify

import (
	"context"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/labctl/labctl/i18n"
	"github.com/labctl/labctl/labs"
)

type kindParamsCase = struct {
	valid   []string
	invalid map[string]string
}

func init() {
	kindParams["gatewayProgrammed"] = kindParamsCase{valid: []string{``, `{gateway: g, gatewayNamespace: n}`}, invalid: map[string]string{}}
	kindParams["routeAccepted"] = kindParamsCase{
		valid:   []string{`{route: r}`, `{route: r, namespace: n, gateway: g, unresolved: BackendNotFound}`},
		invalid: map[string]string{`{gateway: g}`: "params.route is required"},
	}
	kindParams["routeTraffic"] = kindParamsCase{
		valid: []string{`{route: r, cases: [{host: h, service: s}]}`, `{route: r, https: true, cases: [{host: h, expect: backendMissing, service: x}]}`},
		invalid: map[string]string{
			`{route: r}`:                        "params.route and params.cases are required",
			`{route: r, cases: [{service: s}]}`: "params.cases[0].host is required",
		},
	}
	kindParams["routeSplit"] = kindParamsCase{
		valid: []string{`{route: r, host: h, backends: [{service: a, weight: 80}, {service: b, weight: 20}]}`},
		invalid: map[string]string{
			`{route: r, host: h, backends: [{service: a, weight: 1}]}`:                                       "two or more params.backends",
			`{route: r, host: h, backends: [{service: a, weight: 1}, {service: b}]}`:                         "params.backends[1] needs a service and a positive weight",
			`{route: r, host: h, requests: 5, backends: [{service: a, weight: 1}, {service: b, weight: 1}]}`: "params.requests 5",
		},
	}
	kindParams["gatewayTLS"] = kindParamsCase{
		valid:   []string{`{host: h, secret: s}`, `{gateway: g, host: h, secret: s}`},
		invalid: map[string]string{`{host: h}`: "params.host and params.secret are required"},
	}
}

func httpRoute(t *testing.T, name, parent, hostnames, rules, status string) *unstructured.Unstructured {
	return gwYAML(t, `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: `+name+`, namespace: default}
spec:
  parentRefs: [`+parent+`]
  hostnames: [`+hostnames+`]
  rules: `+rules+status)
}

const labParent = `{name: lab-gateway, namespace: traefik}`

func TestNeedsTraefik(t *testing.T) {
	// ingress-nginx: no Gateway API CRDs, so no GatewayClass
	l := ingressLab(t, nginxController)
	for kind, p := range map[string]string{
		"gatewayProgrammed": ``,
		"routeAccepted":     `{route: route-basic}`,
		"routeTraffic":      `{route: route-basic, cases: [{host: gw.gasbugs.com, service: main-web}]}`,
		"gatewayTLS":        `{host: kube-book.com, secret: tls-secret}`,
	} {
		o := l.check(kind, p)
		expect(t, o, "error", i18n.Message{}, "the Gateway API steps need Traefik", "not a mistake of yours")
		if fix := i18n.FixOf(o.Err, i18n.Ko); !strings.Contains(fix, "labctl up --ingress traefik") {
			t.Errorf("%s: fix %q", kind, fix)
		}
	}
}

func TestGatewayProgrammed(t *testing.T) {
	t.Run("lab gateway", func(t *testing.T) {
		l := gatewayLab(t)
		expect(t, l.check("gatewayProgrammed", ``), "pass", msgGatewayProgrammed, "Gateway traefik/lab-gateway is Programmed, address localhost")
	})
	t.Run("a listener's certificate is missing", func(t *testing.T) {
		l := gatewayLab(t, gwYAML(t, `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: book-gateway, namespace: default}
spec:
  gatewayClassName: traefik
  listeners:
  - {name: https, protocol: HTTPS, port: 8443, hostname: kube-book.com, tls: {certificateRefs: [{name: tls-secret}]}}
status:
  conditions:
  - {type: Accepted, status: "False", reason: ListenersNotValid, message: "All Listeners must be valid"}
  - {type: Programmed, status: "False", reason: Invalid, message: "All Listeners must be valid"}
  listeners:
  - name: https
    conditions:
    - {type: Accepted, status: "True", reason: Accepted, message: No error found}
    - {type: ResolvedRefs, status: "False", reason: InvalidCertificateRef, message: 'Error while retrieving certificate: getting secret: secret "tls-secret" not found'}
`))
		expect(t, l.check("gatewayProgrammed", `{gateway: book-gateway}`), "fail", msgListenerNotReady,
			"Gateway default/book-gateway listener https: the listener's certificate Secret is missing", "InvalidCertificateRef")
	})
	t.Run("not taken up yet", func(t *testing.T) {
		l := gatewayLab(t, gwYAML(t, `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: mine, namespace: default}
spec: {gatewayClassName: traefik, listeners: [{name: http, protocol: HTTP, port: 8000}]}
`))
		expect(t, l.check("gatewayProgrammed", `{gateway: mine}`), "fail", msgGatewayNotProgrammed, "the controller has not taken it up yet")
	})
	t.Run("missing", func(t *testing.T) {
		l := gatewayLab(t)
		expect(t, l.check("gatewayProgrammed", `{gateway: nope}`), "fail (final)", msgObjectMissing, "Gateway default/nope does not exist")
	})
}

func TestRouteAccepted(t *testing.T) {
	rules := `[{backendRefs: [{name: main-web, port: 80}]}]`
	t.Run("accepted and resolved", func(t *testing.T) {
		l := gatewayLab(t, httpRoute(t, "route-basic", labParent, "gw.gasbugs.com", rules, routeStatus("True", "True", "ResolvedRefs", "Resolved")))
		expect(t, l.check("routeAccepted", `{route: route-basic}`), "pass", msgRouteAccepted, "Gateway traefik/lab-gateway accepted HTTPRoute route-basic")
	})
	t.Run("parentRef without the Gateway's namespace", func(t *testing.T) {
		l := gatewayLab(t, httpRoute(t, "route-basic", `{name: lab-gateway}`, "gw.gasbugs.com", rules, ""))
		expect(t, l.check("routeAccepted", `{route: route-basic}`), "fail (final)", msgRouteNoParent,
			"does not attach to Gateway traefik/lab-gateway: its parentRefs name default/lab-gateway")
	})
	t.Run("missing Service", func(t *testing.T) {
		l := gatewayLab(t, httpRoute(t, "route-typo", labParent, "gw-dict.gasbugs.com", `[{backendRefs: [{name: dict-svc, port: 80}]}]`,
			routeStatus("True", "False", "BackendNotFound", `Cannot load HTTPBackendRef default/dict-svc: getting service: service \"dict-svc\" not found`)))
		expect(t, l.check("routeAccepted", `{route: route-typo}`), "fail", msgRouteUnresolved,
			"HTTPRoute route-typo is accepted, but not every reference resolves: a backendRef names a Service that does not exist (ResolvedRefs False, BackendNotFound: Cannot load HTTPBackendRef default/dict-svc: getting service: service \"dict-svc\" not found)")
		// and the client gets 500, with the route's status beside it
		expect(t, l.check("routeTraffic", `{route: route-typo, cases: [{host: gw-dict.gasbugs.com, service: dict-web}]}`), "fail", msgRouteWrong,
			`Host gw-dict.gasbugs.com / -> HTTP 500`, "HTTPRoute route-typo status: Accepted=True Accepted, ResolvedRefs=False BackendNotFound")
		expect(t, l.check("routeTraffic", `{route: route-typo, cases: [{host: gw-dict.gasbugs.com, expect: backendMissing, service: dict-svc}]}`), "pass", msgRoutesOK)
		expect(t, l.check("routeAccepted", `{route: route-typo, unresolved: BackendNotFound}`), "pass", msgRouteUnresolvedOK,
			"its status says why it cannot reach a pod: a backendRef names a Service that does not exist")
	})
	t.Run("resolved where the step wants a missing Service", func(t *testing.T) {
		l := gatewayLab(t, httpRoute(t, "route-missing", labParent, "gw-missing.gasbugs.com", rules, routeStatus("True", "True", "ResolvedRefs", "")))
		expect(t, l.check("routeAccepted", `{route: route-missing, unresolved: BackendNotFound}`), "fail", msgRouteWantUnresolved, "should show ResolvedRefs False with reason BackendNotFound")
	})
	t.Run("no status yet", func(t *testing.T) {
		l := gatewayLab(t, httpRoute(t, "route-basic", labParent, "gw.gasbugs.com", rules, ""))
		expect(t, l.check("routeAccepted", `{route: route-basic}`), "fail", msgRouteNoStatus, "has not written a status for HTTPRoute route-basic")
	})
	t.Run("not allowed", func(t *testing.T) {
		st := strings.Replace(routeStatus("False", "True", "ResolvedRefs", ""), "reason: Accepted, message: Route successfully accepted", "reason: NotAllowedByListeners, message: no listener allows it", 1)
		l := gatewayLab(t, httpRoute(t, "route-basic", labParent, "gw.gasbugs.com", rules, st))
		expect(t, l.check("routeAccepted", `{route: route-basic}`), "fail", msgRouteNotAccepted,
			"did not accept HTTPRoute route-basic: no listener of the Gateway allows routes from this namespace")
	})
}

func TestRouteTraffic(t *testing.T) {
	fanout := `[{matches: [{path: {type: PathPrefix, value: /main}}], backendRefs: [{name: main-web, port: 80}]},
	            {matches: [{path: {type: PathPrefix, value: /dict}}], backendRefs: [{name: dict-web, port: 80}]}]`
	const p = `{route: route-fanout, cases: [{host: gw-fanout.gasbugs.com, path: /main, service: main-web}, {host: gw-fanout.gasbugs.com, path: /dict/x, service: dict-web}, {host: other.gasbugs.com, expect: notFound}]}`
	t.Run("fan-out", func(t *testing.T) {
		l := gatewayLab(t, httpRoute(t, "route-fanout", labParent, "gw-fanout.gasbugs.com", fanout, routeStatus("True", "True", "ResolvedRefs", "")))
		expect(t, l.check("routeTraffic", p), "pass", msgRoutesOK, "all 3 requests were routed as the rules say (Traefik (Gateway API))",
			`Host gw-fanout.gasbugs.com /dict/x -> HTTP 200 "dict-web-a"`, `Host other.gasbugs.com / -> HTTP 404`)
	})
	t.Run("a rule is missing", func(t *testing.T) {
		l := gatewayLab(t, httpRoute(t, "route-fanout", labParent, "gw-fanout.gasbugs.com",
			`[{matches: [{path: {type: PathPrefix, value: /main}}], backendRefs: [{name: main-web, port: 80}]}]`, routeStatus("True", "True", "ResolvedRefs", "")))
		expect(t, l.check("routeTraffic", p), "fail", msgRouteWrong, "Host gw-fanout.gasbugs.com path /dict/x does not reach a pod of Service dict-web", "-> HTTP 404")
	})
	t.Run("Exact where the Ingress said Prefix", func(t *testing.T) {
		l := gatewayLab(t, httpRoute(t, "route-fanout", labParent, "gw-fanout.gasbugs.com",
			strings.Replace(fanout, "{type: PathPrefix, value: /dict}", "{type: Exact, value: /dict}", 1), routeStatus("True", "True", "ResolvedRefs", "")))
		expect(t, l.check("routeTraffic", p), "fail", msgRouteWrong, "path /dict/x does not reach a pod of Service dict-web")
	})
	t.Run("host not named", func(t *testing.T) {
		l := gatewayLab(t, httpRoute(t, "route-fanout", labParent, "fanout.gasbugs.com", fanout, ""))
		expect(t, l.check("routeTraffic", p), "fail (final)", msgRouteNoHost, "HTTPRoute route-fanout does not name host gw-fanout.gasbugs.com (hostnames: fanout.gasbugs.com)")
	})
}

func TestRouteSplit(t *testing.T) {
	const p = `{route: route-split, host: gw-canary.gasbugs.com, backends: [{service: main-web, weight: 80}, {service: dict-web, weight: 20}]}`
	t.Run("80/20", func(t *testing.T) {
		l := gatewayLab(t, httpRoute(t, "route-split", labParent, "gw-canary.gasbugs.com",
			`[{backendRefs: [{name: main-web, port: 80, weight: 80}, {name: dict-web, port: 80, weight: 20}]}]`, ""))
		expect(t, l.check("routeSplit", p), "pass", msgSplitOK, "splits 100 requests by weight (within 4 standard deviations)",
			"main-web: 80/100 (80.0 %), want 80 % ± 16.5", "dict-web: 20/100 (20.0 %)")
	})
	t.Run("4:1 is the same split", func(t *testing.T) {
		l := gatewayLab(t, httpRoute(t, "route-split", labParent, "gw-canary.gasbugs.com",
			`[{backendRefs: [{name: main-web, port: 80, weight: 4}, {name: dict-web, port: 80, weight: 1}]}]`, ""))
		expect(t, l.check("routeSplit", p), "pass", msgSplitOK)
	})
	t.Run("no weights: 50/50", func(t *testing.T) {
		l := gatewayLab(t, httpRoute(t, "route-split", labParent, "gw-canary.gasbugs.com",
			`[{backendRefs: [{name: main-web, port: 80}, {name: dict-web, port: 80}]}]`, ""))
		expect(t, l.check("routeSplit", p), "fail", msgSplitOff, "set backendRefs[].weight", "main-web: 50/100 (50.0 %)")
	})
	t.Run("a backend is missing", func(t *testing.T) {
		l := gatewayLab(t, httpRoute(t, "route-split", labParent, "gw-canary.gasbugs.com",
			`[{backendRefs: [{name: main-web, port: 80, weight: 80}, {name: dict-svc, port: 80, weight: 20}]}]`, ""))
		expect(t, l.check("routeSplit", p), "fail", msgSplitStray, "20 of 100 requests for gw-canary.gasbugs.com did not reach", "20× HTTP 500")
	})
}

func TestGatewayTLS(t *testing.T) {
	book := newCert(t, "kube-book.com")
	other := newCert(t, "other.example.com")
	gw := func() *unstructured.Unstructured {
		return gwYAML(t, `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: book-gateway, namespace: default}
spec:
  gatewayClassName: traefik
  listeners:
  - {name: https, protocol: HTTPS, port: 8443, hostname: kube-book.com, tls: {mode: Terminate, certificateRefs: [{kind: Secret, name: tls-secret}]}}
`)
	}
	const p = `{gateway: book-gateway, host: kube-book.com, secret: tls-secret}`
	t.Run("served", func(t *testing.T) {
		l := gatewayLab(t, gw(), httpRoute(t, "route-book", `{name: book-gateway}`, "kube-book.com", `[{backendRefs: [{name: book-web, port: 80}]}]`, ""))
		l.add(tlsSecret("tls-secret", book))
		expect(t, l.check("gatewayTLS", p), "pass", msgGatewayCertServed,
			"HTTPS for kube-book.com serves the certificate of Secret tls-secret (Gateway default/book-gateway, listener https)", `HTTP 200 "book-web-a"`)
	})
	t.Run("no Secret", func(t *testing.T) {
		l := gatewayLab(t, gw())
		expect(t, l.check("gatewayTLS", p), "fail (final)", msgSecretMissing, "Secret default/tls-secret does not exist")
	})
	t.Run("a certificate for another name", func(t *testing.T) {
		l := gatewayLab(t, gw())
		l.add(tlsSecret("tls-secret", other))
		expect(t, l.check("gatewayTLS", p), "fail", msgCertNotForHost, "does not name kube-book.com", "TRAEFIK DEFAULT CERT")
	})
	t.Run("no listener names the Secret", func(t *testing.T) {
		l := gatewayLab(t)
		sec := tlsSecret("tls-secret", book)
		sec.Namespace = "traefik"
		l.add(sec)
		expect(t, l.check("gatewayTLS", `{host: kube-book.com, secret: tls-secret}`), "fail (final)", msgGatewayNoTLS,
			"Gateway traefik/lab-gateway has no HTTPS listener for kube-book.com whose tls.certificateRefs names Secret tls-secret")
		l.add(tlsSecret("tls-secret", book))
		expect(t, l.check("gatewayTLS", p), "fail (final)", msgObjectMissing, "Gateway default/book-gateway does not exist")
	})
}

// Waiting does not give a lab without Traefik a Gateway: the runner reports
// the error after one attempt instead of polling until the deadline.
func TestNeedsTraefikIsFinal(t *testing.T) {
	l := ingressLab(t, nginxController)
	res := runCheck(context.Background(), l.env, "gw-host-rule", labs.CheckSpec{Kind: "gatewayProgrammed"}, Options{Timeout: time.Minute, Poll: time.Millisecond})
	if res.Verdict != Error || res.Attempts != 1 || !strings.Contains(res.Message, "labctl up --ingress traefik") {
		t.Errorf("%+v", res)
	}
}

// The Gateway API kinds follow the settled-state rule: a wrong route on a
// cluster where nothing moves fails at once, saying the cluster had
// settled, instead of polling to the deadline (ch08's Gateway starters
// took their whole 30 s each before).
func TestGatewayKindsSettle(t *testing.T) {
	clockAhead(t, time.Hour)
	typo := httpRoute(t, "route-typo", labParent, "gw-dict.gasbugs.com", `[{backendRefs: [{name: dict-svc, port: 80}]}]`,
		routeStatus("True", "False", "BackendNotFound", `Cannot load HTTPBackendRef default/dict-svc: getting service: service \"dict-svc\" not found`))
	l := gatewayLab(t, typo)
	slow := Options{Poll: time.Millisecond, Timeout: time.Minute, Grace: time.Millisecond}
	for _, c := range []struct{ kind, params string }{
		{"routeAccepted", `{route: route-typo}`},
		{"routeTraffic", `{route: route-typo, cases: [{host: gw-dict.gasbugs.com, service: dict-web}]}`},
		{"routeSplit", `{route: route-typo, host: gw-dict.gasbugs.com, backends: [{service: dict-web, weight: 80}, {service: main-web, weight: 20}]}`},
		{"gatewayTLS", `{host: gw-dict.gasbugs.com, secret: kube-book-cert}`},
	} {
		rep := Run(context.Background(), l.env, chapter(step(spec(t, "c", c.kind, c.params))), nil, slow)
		if r := rep.Steps[0].Checks[0]; r.Verdict != Fail || r.Waited {
			t.Errorf("%s: verdict %s, waited %v, settled %v: %s", c.kind, r.Verdict, r.Waited, r.Settled, r.Message)
		}
	}
	for _, kind := range []string{"gatewayProgrammed", "routeAccepted", "routeTraffic", "routeSplit", "gatewayTLS", "ingressClassDefault"} {
		if _, ok := build(t, kind, paramsFor(kind)).(Dependent); !ok {
			t.Errorf("%s does not say what it depends on: a wrong answer would poll to the deadline", kind)
		}
	}
}

func paramsFor(kind string) string {
	switch kind {
	case "routeAccepted":
		return `{route: r}`
	case "routeTraffic":
		return `{route: r, cases: [{host: h, service: s}]}`
	case "routeSplit":
		return `{route: r, host: h, backends: [{service: a, weight: 1}, {service: b, weight: 1}]}`
	case "gatewayTLS":
		return `{host: h, secret: s}`
	}
	return `{}`
}
