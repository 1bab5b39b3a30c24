package verify

import (
	"context"
	"errors"
	"fmt"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/labctl/labctl/i18n"
)

// Gateway API as labctl installs it with Traefik: the GatewayClass "traefik"
// and the lab Gateway traefik/lab-gateway on the controller's host ports.
// The check kinds read Gateway API objects through the dynamic client (their
// status is what Traefik wrote) and prove behaviour with real requests.
var (
	gatewayClassGVR = schema.GroupVersionResource{Group: "gateway.networking.k8s.io", Version: "v1", Resource: "gatewayclasses"}
	gatewayGVR      = schema.GroupVersionResource{Group: "gateway.networking.k8s.io", Version: "v1", Resource: "gateways"}
	httpRouteGVR    = schema.GroupVersionResource{Group: "gateway.networking.k8s.io", Version: "v1", Resource: "httproutes"}
)

const (
	labGatewayClass          = "traefik"
	labGatewayNamespace      = "traefik"
	labGatewayName           = "lab-gateway"
	traefikGatewayController = "traefik.io/gateway-controller"
	// gatewayMissingStatus is what Gateway API requires for a request whose
	// rule's backend cannot be resolved (Traefik conforms): 500.
	gatewayMissingStatus = 500
)

// needTraefik is an error outcome (not the student's failure) when the lab
// has no Gateway API controller: the CRDs or the GatewayClass are missing,
// as with --ingress nginx.
func needTraefik(ctx context.Context, env *Env) *Outcome {
	gc, err := env.Dynamic.Resource(gatewayClassGVR).Get(ctx, labGatewayClass, metav1.GetOptions{})
	if err == nil {
		if c, _, _ := unstructured.NestedString(gc.Object, "spec", "controllerName"); c == traefikGatewayController {
			return nil
		}
	}
	if err == nil || apierrors.IsNotFound(err) || strings.Contains(err.Error(), "could not find the requested resource") {
		o := Errored(i18n.Errorf(msgNeedsTraefik, labGatewayClass).WithFix(fixNeedsTraefik))
		o.Final = true
		return &o
	}
	o := Errored(err)
	return &o
}

// gatewayRef names a Gateway; empty means the lab Gateway.
type gatewayRef struct {
	Gateway          string `yaml:"gateway"`
	GatewayNamespace string `yaml:"gatewayNamespace"`
}

func (g gatewayRef) resolve(env *Env) (ns, name string) {
	if g.Gateway == "" {
		return labGatewayNamespace, labGatewayName
	}
	return env.ns(g.GatewayNamespace), g.Gateway
}

func getObject(ctx context.Context, env *Env, gvr schema.GroupVersionResource, kind, ns, name string) (*unstructured.Unstructured, *Outcome) {
	u, err := env.Dynamic.Resource(gvr).Namespace(ns).Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		o := Missing(msgObjectMissing, kind, ns+"/"+name)
		return nil, &o
	}
	if err != nil {
		o := Errored(err)
		return nil, &o
	}
	return u, nil
}

// cond is one status condition.
type cond struct{ Type, Status, Reason, Message string }

func conditionsAt(m map[string]any, path ...string) []cond {
	list, _, _ := unstructured.NestedSlice(m, path...)
	var out []cond
	for _, c := range list {
		cm, _ := c.(map[string]any)
		s := func(k string) string { v, _ := cm[k].(string); return v }
		out = append(out, cond{s("type"), s("status"), s("reason"), s("message")})
	}
	return out
}

func findCond(cs []cond, typ string) (cond, bool) {
	for _, c := range cs {
		if c.Type == typ {
			return c, true
		}
	}
	return cond{}, false
}

// why is a condition that is not True, in the student's words, with what
// the controller wrote.
func (e *Env) why(c cond) string {
	words, ok := reasonWords[c.Reason]
	detail := c.Reason
	if c.Message != "" {
		detail += ": " + c.Message
	}
	if !ok {
		return c.Type + " " + c.Status + " (" + detail + ")"
	}
	return e.t(words) + " (" + c.Type + " " + c.Status + ", " + detail + ")"
}

func condLines(cs []cond) []string {
	var out []string
	for _, c := range cs {
		out = append(out, fmt.Sprintf("%s=%s %s", c.Type, c.Status, c.Reason))
	}
	return out
}

// gatewayProgrammed proves a Gateway (the lab one by default) is Programmed
// by its controller and has an address.
type gatewayProgrammed struct {
	gatewayRef `yaml:",inline"`
}

func init() {
	register("gatewayProgrammed", func(p gatewayProgrammed) (Checker, error) { return p, nil })
}

func (p gatewayProgrammed) Check(ctx context.Context, env *Env) Outcome {
	if o := needTraefik(ctx, env); o != nil {
		return *o
	}
	ns, name := p.resolve(env)
	gw, miss := getObject(ctx, env, gatewayGVR, "Gateway", ns, name)
	if miss != nil {
		return *miss
	}
	ev := []string{"Gateway " + ns + "/" + name + ": " + env.list(condLines(conditionsAt(gw.Object, "status", "conditions")))}
	listeners, _, _ := unstructured.NestedSlice(gw.Object, "status", "listeners")
	for _, l := range listeners {
		lm, _ := l.(map[string]any)
		for _, c := range conditionsAt(lm, "conditions") {
			if c.Status != "True" && (c.Type == "Accepted" || c.Type == "Programmed" || c.Type == "ResolvedRefs") {
				return Failed(msgListenerNotReady, ns+"/"+name, lm["name"], env.why(c)).With(ev...)
			}
		}
	}
	c, ok := findCond(conditionsAt(gw.Object, "status", "conditions"), "Programmed")
	if !ok || c.Status != "True" {
		if !ok {
			c = cond{Type: "Programmed", Status: "Unknown", Reason: "Pending"}
		}
		return Failed(msgGatewayNotProgrammed, ns+"/"+name, env.why(c)).With(ev...)
	}
	var addrs []string
	list, _, _ := unstructured.NestedSlice(gw.Object, "status", "addresses")
	for _, a := range list {
		if am, ok := a.(map[string]any); ok {
			if v, _ := am["value"].(string); v != "" {
				addrs = append(addrs, v)
			}
		}
	}
	if len(addrs) == 0 {
		return Failed(msgGatewayNoAddress, ns+"/"+name).With(ev...)
	}
	return Passed(msgGatewayProgrammed, ns+"/"+name, strings.Join(addrs, ", ")).With(ev...)
}

// routeAccepted proves an HTTPRoute names the Gateway in its parentRefs and
// the Gateway's controller accepted it with every backend resolved; when
// not, it says why in the student's words from the route's status. With
// unresolved set, it proves instead that the route is accepted and its
// ResolvedRefs is False for that reason (the missing-Service lesson).
type routeAccepted struct {
	Route      string `yaml:"route"`
	Namespace  string `yaml:"namespace"`
	Unresolved string `yaml:"unresolved"`
	gatewayRef `yaml:",inline"`
}

func init() {
	register("routeAccepted", func(p routeAccepted) (Checker, error) {
		if p.Route == "" {
			return nil, errors.New("params.route is required")
		}
		return p, nil
	})
}

func (p routeAccepted) Check(ctx context.Context, env *Env) Outcome {
	if o := needTraefik(ctx, env); o != nil {
		return *o
	}
	ns := env.ns(p.Namespace)
	gwNS, gwName := p.resolve(env)
	route, miss := getObject(ctx, env, httpRouteGVR, "HTTPRoute", ns, p.Route)
	if miss != nil {
		return *miss
	}
	refs, _, _ := unstructured.NestedSlice(route.Object, "spec", "parentRefs")
	var named []string
	found := false
	for _, r := range refs {
		rm, _ := r.(map[string]any)
		rn, _ := rm["name"].(string)
		rns, _ := rm["namespace"].(string)
		if rns == "" {
			rns = ns
		}
		named = append(named, rns+"/"+rn)
		if rn == gwName && rns == gwNS {
			found = true
		}
	}
	if !found {
		return Missing(msgRouteNoParent, p.Route, gwNS+"/"+gwName, env.list(named))
	}
	parents, _, _ := unstructured.NestedSlice(route.Object, "status", "parents")
	for _, pa := range parents {
		pm, _ := pa.(map[string]any)
		ref, _ := pm["parentRef"].(map[string]any)
		rn, _ := ref["name"].(string)
		rns, _ := ref["namespace"].(string)
		if rns == "" {
			rns = ns
		}
		if rn != gwName || rns != gwNS {
			continue
		}
		cs := conditionsAt(pm, "conditions")
		ev := "status.parents[" + gwNS + "/" + gwName + "]: " + env.list(condLines(cs))
		if c, ok := findCond(cs, "Accepted"); !ok || c.Status != "True" {
			if !ok {
				c = cond{Type: "Accepted", Status: "Unknown", Reason: "Pending"}
			}
			return Failed(msgRouteNotAccepted, p.Route, gwNS+"/"+gwName, env.why(c)).With(ev)
		}
		c, ok := findCond(cs, "ResolvedRefs")
		resolved := !ok || c.Status == "True"
		switch {
		case p.Unresolved != "" && (resolved || c.Reason != p.Unresolved):
			return Failed(msgRouteWantUnresolved, p.Route, p.Unresolved).With(ev)
		case p.Unresolved != "":
			return Passed(msgRouteUnresolvedOK, p.Route, env.why(c)).With(ev)
		case !resolved:
			return Failed(msgRouteUnresolved, p.Route, env.why(c)).With(ev)
		}
		return Passed(msgRouteAccepted, p.Route, gwNS+"/"+gwName).With(ev)
	}
	return Failed(msgRouteNoStatus, p.Route, gwNS+"/"+gwName)
}

// routeTraffic proves what a client on this computer gets through the
// Gateway for each host and path: the right Service's pods, 404 for a host
// no route names, or 500 for a rule whose Service is missing (as Gateway API
// requires). It shares the requests and their judgement with ingressRoute.
type routeTraffic struct {
	Route     string     `yaml:"route"`
	Namespace string     `yaml:"namespace"`
	HTTPS     bool       `yaml:"https"`
	Cases     []httpCase `yaml:"cases"`
}

func init() {
	register("routeTraffic", func(p routeTraffic) (Checker, error) {
		if p.Route == "" || len(p.Cases) == 0 {
			return nil, errors.New("params.route and params.cases are required")
		}
		if err := validateCases(p.Cases); err != nil {
			return nil, err
		}
		return p, nil
	})
}

func routeHostnames(route *unstructured.Unstructured) []string {
	hs, _, _ := unstructured.NestedStringSlice(route.Object, "spec", "hostnames")
	return hs
}

// routeNamesHost reports whether a route's hostnames match host (no
// hostnames: every host; "*.example.com": one label more).
func routeNamesHost(route *unstructured.Unstructured, host string) bool {
	hs := routeHostnames(route)
	if len(hs) == 0 {
		return true
	}
	for _, h := range hs {
		if strings.EqualFold(h, host) {
			return true
		}
		if suffix, ok := strings.CutPrefix(h, "*."); ok {
			if _, rest, _ := strings.Cut(host, "."); strings.EqualFold(rest, suffix) {
				return true
			}
		}
	}
	return false
}

func (p routeTraffic) Check(ctx context.Context, env *Env) Outcome {
	if o := needTraefik(ctx, env); o != nil {
		return *o
	}
	ns := env.ns(p.Namespace)
	route, miss := getObject(ctx, env, httpRouteGVR, "HTTPRoute", ns, p.Route)
	if miss != nil {
		return *miss
	}
	httpURL, httpsURL, err := env.Net.IngressURLs(ctx)
	if err != nil {
		return Errored(err)
	}
	base := httpURL
	if p.HTTPS {
		base = httpsURL
	}
	noRule := func(host string) *Outcome {
		if routeNamesHost(route, host) {
			return nil
		}
		o := Missing(msgRouteNoHost, p.Route, host, env.list(routeHostnames(route)))
		return &o
	}
	var ev []string
	for _, c := range p.Cases {
		if o := judgeCase(ctx, env, ns, base, c, noRule, gatewayMissingStatus, "Traefik (Gateway API)", &ev); o != nil {
			// the route's own account of itself, next to what the client got
			parents, _, _ := unstructured.NestedSlice(route.Object, "status", "parents")
			for _, pa := range parents {
				pm, _ := pa.(map[string]any)
				o.Evidence = append(o.Evidence, "HTTPRoute "+p.Route+" status: "+env.list(condLines(conditionsAt(pm, "conditions"))))
			}
			return *o
		}
	}
	return Passed(msgRoutesOK, len(p.Cases), "Traefik (Gateway API)").With(ev...)
}

// Reasons of Gateway API conditions, in the student's words.
var reasonWords = map[string]i18n.Message{
	"NotAllowedByListeners":      i18n.M("check.gw.reason.not-allowed", "no listener of the Gateway allows routes from this namespace or of this kind", "Gateway 의 어떤 리스너도 이 네임스페이스나 이 종류의 라우트를 허용하지 않습니다"),
	"NoMatchingListenerHostname": i18n.M("check.gw.reason.hostname", "no listener's hostname matches the route's hostnames", "라우트의 hostnames 에 맞는 리스너 hostname 이 없습니다"),
	"NoMatchingParent":           i18n.M("check.gw.reason.no-parent", "no listener matches the parentRef's sectionName or port", "parentRef 의 sectionName 이나 port 에 맞는 리스너가 없습니다"),
	"UnsupportedValue":           i18n.M("check.gw.reason.unsupported", "a field has a value the controller does not support", "컨트롤러가 지원하지 않는 값이 있습니다"),
	"BackendNotFound":            i18n.M("check.gw.reason.backend", "a backendRef names a Service that does not exist", "backendRef 가 없는 Service 를 가리킵니다"),
	"InvalidKind":                i18n.M("check.gw.reason.kind", "a reference has a kind or group the controller cannot use", "참조의 kind 나 group 을 컨트롤러가 쓸 수 없습니다"),
	"RefNotPermitted":            i18n.M("check.gw.reason.ref", "a reference to another namespace needs a ReferenceGrant in that namespace", "다른 네임스페이스를 참조하려면 그 네임스페이스에 ReferenceGrant 가 필요합니다"),
	"InvalidCertificateRef":      i18n.M("check.gw.reason.cert", "the listener's certificate Secret is missing or is not a valid kubernetes.io/tls Secret", "리스너의 인증서 Secret 이 없거나 올바른 kubernetes.io/tls Secret 이 아닙니다"),
	"Pending":                    i18n.M("check.gw.reason.pending", "the controller has not taken it up yet", "컨트롤러가 아직 처리하지 않았습니다"),
}

var (
	msgNeedsTraefik = i18n.M("check.gw.needs-traefik",
		"the Gateway API steps need Traefik, and this lab has no GatewayClass %s served by it (ingress-nginx, retired upstream, has no Gateway API): this is not a mistake of yours. Switch with labctl up --ingress traefik",
		"Gateway API 단계는 Traefik 이 필요한데 이 실습 환경에는 Traefik 의 GatewayClass %s 가 없습니다 (공식 은퇴한 ingress-nginx 는 Gateway API 가 없습니다): 여러분의 실수가 아닙니다. labctl up --ingress traefik 으로 바꾸세요")
	fixNeedsTraefik = i18n.M("check.gw.needs-traefik.fix",
		"switch the lab to labctl's default controller: labctl up --ingress traefik (your Ingress objects stay)",
		"실습 환경을 labctl 의 기본 컨트롤러로 바꾸세요: labctl up --ingress traefik (Ingress 오브젝트는 그대로 남습니다)")
	msgObjectMissing        = i18n.M("check.gw.missing", "%s %s does not exist", "%s %s 가 없습니다")
	msgListenerNotReady     = i18n.M("check.gw.listener", "Gateway %s listener %v: %s", "Gateway %s 의 리스너 %v: %s")
	msgGatewayNotProgrammed = i18n.M("check.gw.not-programmed", "Gateway %s is not Programmed: %s", "Gateway %s 가 Programmed 가 아닙니다: %s")
	msgGatewayNoAddress     = i18n.M("check.gw.no-address", "Gateway %s is Programmed but has no address yet", "Gateway %s 는 Programmed 지만 아직 주소가 없습니다")
	msgGatewayProgrammed    = i18n.M("check.gw.programmed", "Gateway %s is Programmed, address %s", "Gateway %s 가 Programmed 이고 주소는 %s 입니다")
	msgRouteNoParent        = i18n.M("check.gw.no-parent",
		"HTTPRoute %s does not attach to Gateway %s: its parentRefs name %s (a parentRef without namespace means the route's own namespace)",
		"HTTPRoute %s 가 Gateway %s 에 붙어 있지 않습니다: parentRefs 는 %s 를 가리킵니다 (namespace 를 적지 않은 parentRef 는 라우트 자신의 네임스페이스입니다)")
	msgRouteNotAccepted    = i18n.M("check.gw.not-accepted", "Gateway %[2]s did not accept HTTPRoute %[1]s: %[3]s", "Gateway %[2]s 가 HTTPRoute %[1]s 를 받아들이지 않았습니다: %[3]s")
	msgRouteUnresolved     = i18n.M("check.gw.unresolved", "HTTPRoute %s is accepted, but not every reference resolves: %s", "HTTPRoute %s 는 받아들여졌지만 참조가 모두 풀리지 않았습니다: %s")
	msgRouteAccepted       = i18n.M("check.gw.accepted", "Gateway %[2]s accepted HTTPRoute %[1]s and resolved all its backends", "Gateway %[2]s 가 HTTPRoute %[1]s 를 받아들였고 백엔드를 모두 찾았습니다")
	msgRouteWantUnresolved = i18n.M("check.gw.want-unresolved",
		"HTTPRoute %s should show ResolvedRefs False with reason %s: this step looks at a route whose Service does not exist",
		"HTTPRoute %s 는 ResolvedRefs False, 이유 %s 를 보여야 합니다: 이 단계는 Service 가 없는 라우트를 봅니다")
	msgRouteUnresolvedOK = i18n.M("check.gw.unresolved-ok", "HTTPRoute %s is accepted and its status says why it cannot reach a pod: %s",
		"HTTPRoute %s 는 받아들여졌고, 파드에 닿지 못하는 이유를 상태가 말해 줍니다: %s")
	msgRouteNoStatus = i18n.M("check.gw.no-status", "Gateway %[2]s has not written a status for HTTPRoute %[1]s yet", "Gateway %[2]s 가 아직 HTTPRoute %[1]s 의 상태를 쓰지 않았습니다")
	msgRouteNoHost   = i18n.M("check.gw.no-host", "HTTPRoute %s does not name host %s (hostnames: %s)", "HTTPRoute %s 의 hostnames 에 %s 가 없습니다 (hostnames: %s)")
)
