package verify

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/labctl/labctl/labs"

	"github.com/labctl/labctl/i18n"
)

// kindParams is, for every check kind, parameters it accepts and the ones
// it must reject (with a piece of the error), as a lab author could write them.
var kindParams = map[string]struct {
	valid   []string
	invalid map[string]string
}{
	"serviceEndpoints": {
		valid: []string{`{service: s}`, `{service: s, minReady: 3, namespace: n}`, `{service: s, selectorless: true, addresses: [11.11.11.11, 22.22.22.22]}`},
		invalid: map[string]string{
			``:                                    "params.service is required",
			`{minReady: 3}`:                       "params.service is required",
			`{service: s, addresses: [11.11.11]}`: `params.addresses[0] "11.11.11" is not an IP address`,
			`{service: s, minReady: three}`:       "cannot unmarshal",
		},
	},
	"serviceReachable": {
		valid: []string{`{service: s}`, `{service: s, port: "80", from: node, bodyContains: x, path: /healthz}`, `{service: s, from: host, expect: unreachable}`},
		invalid: map[string]string{
			`{port: "80"}`:                                  "params.service is required",
			`{service: s, from: pod}`:                       `params.from "pod": want node or host`,
			`{service: s, expect: maybe}`:                   `params.expect "maybe"`,
			`{service: s, expect: unreachable}`:             "only meaningful from host",
			`{service: s, from: node, expect: unreachable}`: "only meaningful from host",
		},
	},
	"sessionAffinity": {
		valid: []string{`{service: s, expect: sticky}`, `{service: s, expect: spread, requests: 5, port: http}`},
		invalid: map[string]string{
			`{expect: sticky}`: "params.service is required",
			`{service: s}`:     `params.expect "": want sticky or spread`,
			`{service: s, expect: sticky, requests: 4}`: "at least 5",
		},
	},
	"servicePorts": {
		valid: []string{`{service: s, ports: [{name: http, port: 80}, {name: https, port: 443, targetPort: https, tls: true}]}`},
		invalid: map[string]string{
			`{service: s}`:                                                    "params.service and params.ports are required",
			`{ports: [{name: http, port: 80}]}`:                               "params.service and params.ports are required",
			`{service: s, ports: [{port: 80}]}`:                               "needs name and port",
			`{service: s, ports: [{name: http}]}`:                             "needs name and port",
			`{service: s, ports: [{name: http, port: 80, targetport: http}]}`: "targetport",
		},
	},
	"nodePort": {
		valid: []string{`{service: s}`, `{service: s, nodePort: 30001, namespace: n}`},
		invalid: map[string]string{
			`{nodePort: 30001}`:             "params.service is required",
			`{service: s, nodePort: 8080}`:  "NodePorts are 30000-32767",
			`{service: s, nodePort: 32768}`: "NodePorts are 30000-32767",
		},
	},
	"loadBalancerIP": {
		valid:   []string{`{service: s}`, `{service: s, port: http, namespace: n}`},
		invalid: map[string]string{`{port: http}`: "params.service is required"},
	},
	"dnsRecords": {
		valid: []string{`{name: a.b.svc.cluster.local, type: CNAME, cname: google.com}`, `{name: a.b.svc.cluster.local, type: a, podsOf: a}`,
			`{name: a.b.svc.cluster.local, type: A, clusterIPOf: a, namespace: b}`},
		invalid: map[string]string{
			`{type: A, podsOf: a}`:                          "params.name is required",
			`{name: x, podsOf: a}`:                          `params.type "" is not a DNS type`,
			`{name: x, type: AAAAA, podsOf: a}`:             "is not a DNS type",
			`{name: x, type: A}`:                            "exactly one of cname, podsOf, clusterIPOf",
			`{name: x, type: A, podsOf: a, clusterIPOf: a}`: "exactly one of cname, podsOf, clusterIPOf",
			`{name: x, type: A, cname: google.com}`:         "params.cname needs type CNAME",
			`{name: x, type: CNAME, podsOf: a}`:             "need type A",
		},
	},
	"ingressClassDefault": {
		valid:   []string{``, `{}`},
		invalid: map[string]string{},
	},
	"ingressAssigned": {
		valid:   []string{`{ingress: i}`, `{ingress: i, namespace: n}`},
		invalid: map[string]string{``: "params.ingress is required"},
	},
	"ingressRoute": {
		valid: []string{`{ingress: i, cases: [{host: h, service: s}]}`,
			`{ingress: i, https: true, cases: [{host: h, path: /p, expect: backend, service: s}, {host: u, expect: notFound}, {host: m, expect: backendMissing, service: x}]}`},
		invalid: map[string]string{
			`{ingress: i}`:                        "params.ingress and params.cases are required",
			`{cases: [{host: h, service: s}]}`:    "params.ingress and params.cases are required",
			`{ingress: i, cases: [{service: s}]}`: "params.cases[0].host is required",
			`{ingress: i, cases: [{host: h}]}`:    "params.cases[0].service is required for expect backend",
			`{ingress: i, cases: [{host: h, expect: notFound}, {host: m, expect: backendMissing}]}`: "params.cases[1].service is required for expect backendMissing",
			`{ingress: i, cases: [{host: h, expect: redirect}]}`:                                    `params.cases[0].expect "redirect"`,
			`{ingress: i, cases: [{host: h, service: s, status: 200}]}`:                             "status",
		},
	},
	"dockerNetwork": {
		valid:   []string{`{configMap: a}`, `{configMap: a, namespace: n}`},
		invalid: map[string]string{``: "params.configMap is required"},
	},
	"cniAnswers": {
		valid:   []string{`{configMap: a}`},
		invalid: map[string]string{`{}`: "params.configMap is required", `{configMap: a, pod: p}`: "params.pod is not a parameter of this check"},
	},
	"podSandbox": {
		valid:   []string{`{pod: p, configMap: a}`},
		invalid: map[string]string{`{pod: p}`: "params.pod and params.configMap are required"},
	},
	"egressSNAT": {
		valid:   []string{`{pod: p, configMap: a, namespace: n}`},
		invalid: map[string]string{`{configMap: a}`: "params.pod and params.configMap are required"},
	},
	"podToPod": {
		valid:   []string{`{from: a, to: b}`, `{from: a, to: b, port: 80}`},
		invalid: map[string]string{`{from: a}`: "params.from and params.to are required"},
	},
	"podLimit": {
		valid:   []string{`{deployment: d, replicas: 8}`},
		invalid: map[string]string{`{deployment: d}`: "params.deployment and params.replicas", `{replicas: 3}`: "params.deployment and params.replicas"},
	},
	"kubeProxyRules": {
		valid: []string{`{service: s}`, `{service: s, namespace: n, port: http, replicas: 3}`},
		invalid: map[string]string{
			`{namespace: n}`:             "params.service is required",
			`{service: s, replicas: -1}`: "params.replicas -1",
		},
	},
	"tlsCertificate": {
		valid: []string{`{ingress: i, host: h, secret: s}`, `{ingress: i, host: h, secret: s, namespace: n}`},
		invalid: map[string]string{
			`{host: h, secret: s}`:    "params.ingress, params.host and params.secret are required",
			`{ingress: i, secret: s}`: "params.ingress, params.host and params.secret are required",
			`{ingress: i, host: h}`:   "params.ingress, params.host and params.secret are required",
		},
	},
}

func TestEveryKindIsCovered(t *testing.T) {
	var got, want []string
	for _, k := range Kinds() {
		if !testKinds[k] {
			got = append(got, k)
		}
	}
	for k := range kindParams {
		want = append(want, k)
	}
	sort.Strings(want)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("registered kinds %v, tested kinds %v: a new kind needs its parameters here and its own tests", got, want)
	}
}

// TestEveryKindIsStrict needs no table: whatever kinds exist, a parameter
// none of them knows is an error that names it.
func TestEveryKindIsStrict(t *testing.T) {
	for _, kind := range Kinds() {
		err := Validate(kind, params(t, `{labctlNoSuchParam: 1}`))
		if err == nil || !strings.Contains(err.Error(), "labctlNoSuchParam") {
			t.Errorf("%s: unknown parameter accepted or not named: %v", kind, err)
		}
	}
}

func TestValidate(t *testing.T) {
	for kind, c := range kindParams {
		t.Run(kind, func(t *testing.T) {
			for _, p := range c.valid {
				if err := Validate(kind, params(t, p)); err != nil {
					t.Errorf("%s rejected: %v", p, err)
				}
				// strict: a field the kind does not know is an error that names it
				withUnknown := strings.TrimSuffix(p, "}")
				if p == "" || p == "{}" {
					withUnknown = "{"
				} else {
					withUnknown += ", "
				}
				withUnknown += "timeoutt: 30s}"
				if err := Validate(kind, params(t, withUnknown)); err == nil || !strings.Contains(err.Error(), "timeoutt") {
					t.Errorf("%s: unknown field accepted or not named: %v", withUnknown, err)
				}
			}
			for p, want := range c.invalid {
				err := Validate(kind, params(t, p))
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("%s: error %v, want one with %q", p, err, want)
				}
			}
			if err := Validate(kind, params(t, `[a, b]`)); err == nil {
				t.Error("a list accepted as params")
			}
		})
	}
	if err := Validate("serviceEndpoint", params(t, `{service: s}`)); err == nil || !strings.Contains(err.Error(), "serviceEndpoints") {
		t.Errorf("unknown kind: %v (the error should list the known ones)", err)
	}
}

// TestChapterChecksBuild builds the checks exactly as ch07 and ch08 write
// them, so a change to a kind's parameters shows here as well as in labs/.
func TestChapterChecksBuild(t *testing.T) {
	for kind, p := range map[string][]string{
		"serviceEndpoints":    {`{service: http-go-svc, minReady: 3}`, `{service: external-service, selectorless: true, addresses: [11.11.11.11, 22.22.22.22]}`},
		"serviceReachable":    {`{service: http-go-svc, port: "80", from: node, bodyContains: http-go-}`, `{service: http-go-svc, port: "80", from: host, expect: unreachable}`},
		"sessionAffinity":     {`{service: http-go-affinity, requests: 20, expect: sticky}`},
		"servicePorts":        {"service: http-go-mp\nports:\n- {name: http, port: 80, targetPort: http}\n- {name: https, port: 443, targetPort: https, tls: true}"},
		"nodePort":            {`{service: http-go-np, nodePort: 30001}`},
		"loadBalancerIP":      {`{service: http-go-lb}`},
		"dnsRecords":          {`{name: externalname-service.default.svc.cluster.local, type: CNAME, cname: google.com}`, `{name: http-go-headless.default.svc.cluster.local, type: A, podsOf: http-go-headless}`},
		"ingressClassDefault": {``},
		"ingressAssigned":     {`{ingress: ingress-basic}`},
		"ingressRoute":        {"ingress: ingress-missing\ncases:\n- {host: missing.gasbugs.com, expect: backendMissing, service: no-such-service}"},
		"tlsCertificate":      {`{ingress: ingress-ssl, host: kube-book.com, secret: tls-secret}`},
	} {
		for _, s := range p {
			build(t, kind, s)
		}
	}
}

func TestMessagesInBothLanguages(t *testing.T) {
	if err := i18n.Validate(i18n.All()); err != nil {
		t.Error(err)
	}
}

// ch07 checks traffic from a node, ch08 only from this computer: a ch08 run
// must not open shells in a node for nothing.
func TestSendsFromNodes(t *testing.T) {
	lib, err := labs.Embedded(Validate)
	if err != nil {
		t.Fatal(err)
	}
	ch07, _ := lib.Chapter("ch07")
	ch08, _ := lib.Chapter("ch08")
	if !SendsFromNodes(ch07, nil) || SendsFromNodes(ch08, nil) {
		t.Errorf("ch07 %v, ch08 %v", SendsFromNodes(ch07, nil), SendsFromNodes(ch08, nil))
	}
	if _, i, _ := ch07.Step("externalname"); SendsFromNodes(ch07, []int{i}) {
		t.Error("ch07's DNS step sends from a node")
	}
}
