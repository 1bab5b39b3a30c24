package verify

import (
	"context"
	"crypto/tls"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	dynamicfake "k8s.io/client-go/dynamic/fake"
	"sigs.k8s.io/yaml"
)

// gwYAML decodes one Gateway API object written as YAML (spec and the
// status as Traefik writes it).
func gwYAML(t testing.TB, s string) *unstructured.Unstructured {
	t.Helper()
	u := &unstructured.Unstructured{}
	if err := yaml.Unmarshal([]byte(s), &u.Object); err != nil {
		t.Fatalf("%v\n%s", err, s)
	}
	return u
}

// The GatewayClass and lab Gateway as labctl installs them, with the status
// Traefik v3.6.12 wrote on a labctl cluster (messages and reasons as
// recorded; listener messages are "No error found").
const (
	labClassYAML = `
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: traefik}
spec: {controllerName: traefik.io/gateway-controller}
status:
  conditions:
  - {type: Accepted, status: "True", reason: Accepted, message: Handled by Traefik controller}
`
	labGatewayYAML = `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: lab-gateway, namespace: traefik}
spec:
  gatewayClassName: traefik
  listeners:
  - {name: http, protocol: HTTP, port: 8000, allowedRoutes: {namespaces: {from: All}}}
  - name: https
    protocol: HTTPS
    port: 8443
    tls: {mode: Terminate, certificateRefs: [{kind: Secret, name: lab-gateway-tls}]}
    allowedRoutes: {namespaces: {from: All}}
status:
  addresses: [{type: Hostname, value: localhost}]
  conditions:
  - {type: Accepted, status: "True", reason: Accepted, message: Gateway successfully scheduled}
  - {type: Programmed, status: "True", reason: Programmed, message: Gateway successfully scheduled}
  listeners:
  - name: http
    attachedRoutes: 1
    conditions:
    - {type: Accepted, status: "True", reason: Accepted}
    - {type: ResolvedRefs, status: "True", reason: ResolvedRefs}
    - {type: Programmed, status: "True", reason: Programmed}
  - name: https
    attachedRoutes: 1
    conditions:
    - {type: Accepted, status: "True", reason: Accepted}
    - {type: ResolvedRefs, status: "True", reason: ResolvedRefs}
    - {type: Programmed, status: "True", reason: Programmed}
`
)

// routeStatus is the status.parents entry Traefik writes for a route on
// the lab Gateway.
func routeStatus(accepted, resolved, resolvedReason, msg string) string {
	return `
status:
  parents:
  - parentRef: {group: gateway.networking.k8s.io, kind: Gateway, name: lab-gateway, namespace: traefik}
    controllerName: traefik.io/gateway-controller
    conditions:
    - {type: Accepted, status: "` + accepted + `", reason: Accepted, message: Route successfully accepted}
    - {type: ResolvedRefs, status: "` + resolved + `", reason: ` + resolvedReason + `, message: "` + msg + `"}
`
}

// gatewayLab is a cluster running Traefik with the lab Gateway, ch08's
// backends main-web, dict-web and book-web, and objs (typed or Gateway API).
func gatewayLab(t *testing.T, gw ...*unstructured.Unstructured) *lab {
	t.Helper()
	l := newLab(t, objs(web("main-web", 0), web("dict-web", 1), web("book-web", 2))...)
	l.dyn = dynamicfake.NewSimpleDynamicClientWithCustomListKinds(runtime.NewScheme(), map[schema.GroupVersionResource]string{
		ipPoolGVR: "IPAddressPoolList", gatewayClassGVR: "GatewayClassList", gatewayGVR: "GatewayList", httpRouteGVR: "HTTPRouteList"})
	l.env.Dynamic = l.dyn
	for _, u := range append([]*unstructured.Unstructured{gwYAML(t, labClassYAML), gwYAML(t, labGatewayYAML)}, gw...) {
		// Create, not Add: the tracker would guess "gatewaies" for kind Gateway
		gvr := map[string]schema.GroupVersionResource{"GatewayClass": gatewayClassGVR, "Gateway": gatewayGVR, "HTTPRoute": httpRouteGVR}[u.GetKind()]
		if err := l.dyn.Tracker().Create(gvr, u, u.GetNamespace()); err != nil {
			t.Fatal(err)
		}
	}
	startGateway(l)
	return l
}

// fakeGateway routes like Traefik's Kubernetes Gateway provider from the
// HTTPRoutes in the fake dynamic client: the longest matching path of a
// route naming the host; backends by weight (weighted round robin, as
// Traefik); 500 for a backend that cannot be resolved, 404 for no route.
type fakeGateway struct {
	l    *lab
	def  testCert
	mu   sync.Mutex
	next map[string]int
}

func startGateway(l *lab) {
	g := &fakeGateway{l: l, def: newCert(l.t, traefikFakeCN, "a1b2c3.traefik.default"), next: map[string]int{}}
	c := &ingressController{l: l, controller: traefikController, def: g.def}
	c.http = httptest.NewServer(http.HandlerFunc(g.serveHTTP))
	c.https = httptest.NewUnstartedServer(http.HandlerFunc(g.serveHTTP))
	c.https.TLS = &tls.Config{Certificates: []tls.Certificate{g.def.pair}, GetCertificate: g.certificate}
	c.https.StartTLS()
	l.t.Cleanup(c.http.Close)
	l.t.Cleanup(c.https.Close)
	l.ctrl = c
}

func (g *fakeGateway) list(gvr schema.GroupVersionResource) []unstructured.Unstructured {
	list, err := g.l.dyn.Resource(gvr).Namespace("").List(context.Background(), metav1.ListOptions{})
	if err != nil {
		g.l.t.Errorf("list %s: %v", gvr.Resource, err)
		return nil
	}
	return list.Items
}

func (g *fakeGateway) certificate(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	for _, gw := range g.list(gatewayGVR) {
		ls, _, _ := unstructured.NestedSlice(gw.Object, "spec", "listeners")
		for _, l := range ls {
			lm := l.(map[string]any)
			if h, _ := lm["hostname"].(string); lm["protocol"] != "HTTPS" || (h != "" && h != hello.ServerName) {
				continue
			}
			refs, _, _ := unstructured.NestedSlice(lm, "tls", "certificateRefs")
			for _, r := range refs {
				name, _ := r.(map[string]any)["name"].(string)
				if pair := g.l.pairFor(gw.GetNamespace(), name, hello.ServerName); pair != nil {
					return pair, nil
				}
			}
		}
	}
	return &g.def.pair, nil
}

func (g *fakeGateway) serveHTTP(w http.ResponseWriter, r *http.Request) {
	host := hostOnly(r.Host)
	var best map[string]any
	bestLen, bestNS, bestKey := -1, "", ""
	for _, rt := range g.list(httpRouteGVR) {
		if !routeNamesHost(&rt, host) {
			continue
		}
		rules, _, _ := unstructured.NestedSlice(rt.Object, "spec", "rules")
		for i, rule := range rules {
			rm := rule.(map[string]any)
			matches, _, _ := unstructured.NestedSlice(rm, "matches")
			if len(matches) == 0 {
				matches = []any{map[string]any{"path": map[string]any{"type": "PathPrefix", "value": "/"}}}
			}
			for _, m := range matches {
				typ, _, _ := unstructured.NestedString(m.(map[string]any), "path", "type")
				val, _, _ := unstructured.NestedString(m.(map[string]any), "path", "value")
				ok := (typ == "Exact" && r.URL.Path == val) || (typ != "Exact" && strings.HasPrefix(r.URL.Path, val))
				if ok && len(val) > bestLen {
					best, bestLen, bestNS, bestKey = rm, len(val), rt.GetNamespace(), rt.GetName()+"/"+string(rune('0'+i))
				}
			}
		}
	}
	if best == nil {
		http.NotFound(w, r)
		return
	}
	refs, _, _ := unstructured.NestedSlice(best, "backendRefs")
	total := 0
	weight := func(ref any) int {
		if wv, ok := ref.(map[string]any)["weight"]; ok {
			return toInt(wv)
		}
		return 1
	}
	for _, ref := range refs {
		total += weight(ref)
	}
	if total == 0 {
		http.Error(w, "Internal Server Error", http.StatusInternalServerError)
		return
	}
	g.mu.Lock()
	pos := g.next[bestKey] % total
	g.next[bestKey]++
	g.mu.Unlock()
	var ref map[string]any
	for _, rf := range refs {
		if pos -= weight(rf); pos < 0 {
			ref = rf.(map[string]any)
			break
		}
	}
	name, _ := ref["name"].(string)
	port := toInt(ref["port"])
	s, err := g.l.client.CoreV1().Services(bestNS).Get(r.Context(), name, metav1.GetOptions{})
	if err != nil { // Gateway API: an unresolvable backend gets 500
		http.Error(w, "Internal Server Error", http.StatusInternalServerError)
		return
	}
	rs, err := g.l.net.HTTP(r.Context(), FromNode, "", HTTPRequest{URL: "http://" + hostPort(s.Spec.ClusterIP, int32(port)) + r.URL.Path}, 1)
	if err != nil || rs[0].Status == 0 {
		http.Error(w, "Bad Gateway", http.StatusBadGateway)
		return
	}
	w.WriteHeader(rs[0].Status)
	io.WriteString(w, rs[0].Body)
}

// toInt reads a number decoded from YAML (JSON numbers are float64).
func toInt(v any) int {
	switch n := v.(type) {
	case int64:
		return int(n)
	case float64:
		return int(n)
	case int:
		return n
	}
	return 0
}
