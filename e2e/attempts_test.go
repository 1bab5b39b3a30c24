//go:build e2e

package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
)

// attempt is one student's answer to one step, written independently of
// the lesson's manifests: correct ones must pass, wrong ones must fail
// with a message naming the mistake (every string of says).
type attempt struct {
	name    string
	chapter string // ch07 or ch08
	step    string
	yaml    string // the student's objects, in their own namespace
	says    []string
	// check names the check that must fail (wrong attempts)
	check string
	// applyFails: labctl apply waits for the rollout and says why it
	// cannot finish (kubectl apply would not), naming this, as soon as it
	// is clear it will not (not at its deadline); the objects are there.
	applyFails string
}

// The backends the lessons give, as the student would have them (one
// replica each: several namespaces share this machine).
const (
	httpGoDeploy = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: http-go, labels: {app: http-go}}
spec:
  replicas: 3
  selector: {matchLabels: {app: http-go}}
  template:
    metadata: {labels: {app: http-go}}
    spec:
      containers:
      - name: http-go
        image: registry.k8s.io/e2e-test-images/agnhost:2.56
        args: ["serve-hostname", "--port=8080"]
        ports: [{name: http, containerPort: 8080}]
        readinessProbe: {httpGet: {path: /, port: http}, periodSeconds: 2}
`
	httpGoSvc = `
apiVersion: v1
kind: Service
metadata: {name: http-go-svc}
spec:
  selector: {app: http-go}
  ports: [{port: 80, targetPort: 8080}]
`
)

func web(name string) string {
	return strings.NewReplacer("NAME", name).Replace(`
apiVersion: apps/v1
kind: Deployment
metadata: {name: NAME}
spec:
  replicas: 1
  selector: {matchLabels: {app: NAME}}
  template:
    metadata: {labels: {app: NAME}}
    spec:
      containers:
      - name: web
        image: registry.k8s.io/e2e-test-images/agnhost:2.56
        args: ["serve-hostname", "--port=8080"]
        ports: [{name: http, containerPort: 8080}]
        readinessProbe: {httpGet: {path: /, port: http}, periodSeconds: 2}
---
apiVersion: v1
kind: Service
metadata: {name: NAME}
spec:
  selector: {app: NAME}
  ports: [{name: http, port: 80, targetPort: http}]
`)
}

func ingress(name, host, path, pathType, svc, port, extra string) string {
	return fmt.Sprintf(`
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: %s}
spec:
%s  rules:
  - host: %s
    http:
      paths:
      - path: %s
        pathType: %s
        backend: {service: {name: %s, port: %s}}
`, name, extra, host, path, pathType, svc, port)
}

func docs(parts ...string) string { return strings.Join(parts, "\n---\n") }

// Placeholders for the TLS Secrets, made for each attempt's own host.
const (
	tlsNotes = "#TLS-NOTES#"
	tlsChain = "#TLS-CHAIN#"
	tlsOther = "#TLS-OTHER#"
)

func attempts() []attempt {
	cip := func(extra string) string { return docs(httpGoDeploy, extra) }
	np := func(spec string) string {
		return docs(httpGoDeploy, `
apiVersion: v1
kind: Service
metadata: {name: http-go-np}
spec:
  type: NodePort
  selector: {app: http-go}
`+spec)
	}
	ingMain := ingress("ingress-basic", "gasbugs.com", "/", "Prefix", "main-web", "{number: 80}", "")
	sslIng := func(tlsHosts string) string {
		return ingress("ingress-ssl", "kube-book.com", "/", "Prefix", "book-web", "{number: 80}", "  tls:\n  - hosts: ["+tlsHosts+"]\n    secretName: tls-secret\n")
	}
	return []attempt{
		// --- ch07, correct but different ---
		{name: "another Deployment name, extra labels, targetPort by name", chapter: "ch07", step: "clusterip", yaml: strings.NewReplacer("name: http-go,", "name: frontend,", "labels: {app: http-go}}\n    spec", "labels: {app: http-go, tier: front}}\n    spec").Replace(httpGoDeploy) + "---\n" + `
apiVersion: v1
kind: Service
metadata: {name: http-go-svc, labels: {owner: student}}
spec:
  type: ClusterIP
  sessionAffinity: None
  selector: {app: http-go}
  ports: [{name: web, protocol: TCP, port: 80, targetPort: http}]
`},
		{name: "three bare Pods instead of a Deployment, Service as kubectl expose makes it", chapter: "ch07", step: "clusterip", yaml: docs(barePod("a"), barePod("b"), barePod("c"), `
apiVersion: v1
kind: Service
metadata: {name: http-go-svc, labels: {app: http-go}}
spec:
  selector: {app: http-go}
  ports: [{port: 80, protocol: TCP, targetPort: 8080}]
`)},
		{name: "ClientIP without a timeout (defaulted)", chapter: "ch07", step: "session-affinity", yaml: cip(docs(httpGoSvc, `
apiVersion: v1
kind: Service
metadata: {name: http-go-affinity}
spec:
  sessionAffinity: ClientIP
  selector: {app: http-go}
  ports: [{port: 80, targetPort: http}]
`))},
		{name: "NodePort with a named port and the default policy spelled out", chapter: "ch07", step: "nodeport", yaml: np(`  externalTrafficPolicy: Cluster
  ports: [{name: web, port: 8000, targetPort: http, nodePort: 30001}]
`)},
		{name: "LoadBalancer address chosen with MetalLB's annotation", chapter: "ch07", step: "loadbalancer", yaml: docs(httpGoDeploy, `
apiVersion: v1
kind: Service
metadata: {name: http-go-lb, annotations: {metallb.io/loadBalancerIPs: "LBIP"}}
spec:
  type: LoadBalancer
  selector: {app: http-go}
  ports: [{port: 80, targetPort: 8080}]
`)},
		{name: "ExternalName with a trailing dot", chapter: "ch07", step: "externalname", yaml: `
apiVersion: v1
kind: Service
metadata: {name: externalname-service}
spec: {type: ExternalName, externalName: google.com.}
`},
		{name: "an EndpointSlice instead of Endpoints", chapter: "ch07", step: "manual-endpoints", yaml: docs(`
apiVersion: v1
kind: Service
metadata: {name: external-service}
spec: {ports: [{port: 80}]}
`, `
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: external-service-1, labels: {kubernetes.io/service-name: external-service}}
addressType: IPv4
ports: [{port: 80}]
endpoints: [{addresses: [11.11.11.11]}, {addresses: [22.22.22.22]}]
`)},
		{name: "headless Service in front of another Deployment name, targetPort by name", chapter: "ch07", step: "headless", yaml: docs(strings.Replace(httpGoDeploy, "name: http-go,", "name: backend,", 1), `
apiVersion: v1
kind: Service
metadata: {name: http-go-headless}
spec:
  clusterIP: None
  selector: {app: http-go}
  ports: [{name: http, port: 80, targetPort: http}]
`)},
		// --- ch08, correct but different ---
		{name: "class named explicitly, backend port by name", chapter: "ch08", step: "host-rule", yaml: docs(web("main-web"),
			ingress("ingress-basic", "gasbugs.com", "/", "Prefix", "main-web", "{name: http}", "  ingressClassName: traefik\n"))},
		{name: "fan-out as two Ingresses, one path Exact", chapter: "ch08", step: "fanout", yaml: docs(web("main-web"), web("dict-web"),
			ingress("ingress-fanout", "fanout.gasbugs.com", "/main", "Exact", "main-web", "{number: 80}", "")+`      - path: /dict
        pathType: Prefix
        backend: {service: {name: dict-web, port: {number: 80}}}
`, ingress("dict", "dict.gasbugs.com", "/", "ImplementationSpecific", "dict-web", "{number: 80}", ""))},
		{name: "unknown host with an ImplementationSpecific path", chapter: "ch08", step: "unknown-host", yaml: docs(web("main-web"),
			ingress("ingress-basic", "gasbugs.com", "/", "ImplementationSpecific", "main-web", "{number: 80}", ""))},
		{name: "TLS exactly as the notes' openssl commands make it (CN only, no SAN)", chapter: "ch08", step: "tls", yaml: docs(web("book-web"), tlsNotes, sslIng("kube-book.com"))},
		{name: "TLS Secret holding a chain (leaf + CA)", chapter: "ch08", step: "tls", yaml: docs(web("book-web"), tlsChain, sslIng("kube-book.com"))},

		// --- ch07, subtly wrong ---
		{name: "targetPort the container does not listen on", chapter: "ch07", step: "clusterip", check: "from-node",
			yaml: cip(strings.Replace(httpGoSvc, "targetPort: 8080", "targetPort: 8081", 1)), says: []string{"targetPort 8081", "8080"}},
		{name: "selector typo", chapter: "ch07", step: "clusterip", check: "endpoints",
			yaml: cip(strings.Replace(httpGoSvc, "selector: {app: http-go}", "selector: {app: http-og}", 1)), says: []string{"selector: app=http-og", "app=http-go"}},
		{name: "readiness probe on a port nothing listens on", chapter: "ch07", step: "clusterip", check: "endpoints",
			yaml: docs(strings.Replace(httpGoDeploy, "port: http}", "port: 8081}", 1), httpGoSvc), says: []string{"readinessProbe checks port 8081"}, applyFails: "readinessProbe keeps failing"},
		{name: "an image that does not exist", chapter: "ch07", step: "clusterip", check: "endpoints",
			yaml: docs(strings.Replace(httpGoDeploy, "agnhost:2.56", "agnhost:9.99", 1), httpGoSvc), says: []string{"agnhost:9.99", "cannot be pulled"}, applyFails: "cannot be pulled"},
		{name: "sessionAffinity on the wrong Service", chapter: "ch07", step: "session-affinity", check: "sticky", yaml: cip(docs(
			strings.Replace(httpGoSvc, "spec:\n", "spec:\n  sessionAffinity: ClientIP\n", 1), `
apiVersion: v1
kind: Service
metadata: {name: http-go-affinity}
spec:
  selector: {app: http-go}
  ports: [{port: 80, targetPort: 8080}]
`)), says: []string{"set on Service http-go-svc, not on http-go-affinity"}},
		{name: "externalTrafficPolicy Local with one pod", chapter: "ch07", step: "nodeport", check: "every-node",
			yaml: strings.Replace(np(`  externalTrafficPolicy: Local
  ports: [{port: 80, targetPort: 8080, nodePort: 30001}]
`), "replicas: 3", "replicas: 1", 1), says: []string{"externalTrafficPolicy: Local"}},
		{name: "an address outside MetalLB's pool", chapter: "ch07", step: "loadbalancer", check: "external-ip", yaml: docs(httpGoDeploy, `
apiVersion: v1
kind: Service
metadata: {name: http-go-lb, annotations: {metallb.io/loadBalancerIPs: "10.255.255.7"}}
spec:
  type: LoadBalancer
  selector: {app: http-go}
  ports: [{port: 80, targetPort: 8080}]
`), says: []string{"10.255.255.7", "not in its pool"}},
		{name: "ExternalName to another name", chapter: "ch07", step: "externalname", check: "cname", yaml: `
apiVersion: v1
kind: Service
metadata: {name: externalname-service}
spec: {type: ExternalName, externalName: www.google.com}
`, says: []string{"CNAME to www.google.com.", "want google.com."}},
		{name: "Endpoints not named like the Service", chapter: "ch07", step: "manual-endpoints", check: "addresses", yaml: docs(`
apiVersion: v1
kind: Service
metadata: {name: external-service}
spec: {ports: [{port: 80}]}
`, `
apiVersion: v1
kind: Endpoints
metadata: {name: external-svc}
subsets: [{addresses: [{ip: 11.11.11.11}, {ip: 22.22.22.22}], ports: [{port: 80}]}]
`), says: []string{"Endpoints external-svc holds those addresses", "name it external-service"}},
		{name: "headless forgotten", chapter: "ch07", step: "headless", check: "a-records", yaml: docs(httpGoDeploy, `
apiVersion: v1
kind: Service
metadata: {name: http-go-headless}
spec:
  selector: {app: http-go}
  ports: [{port: 80, targetPort: 8080}]
`), says: []string{"a headless Service needs clusterIP: None"}},
		// --- ch08, subtly wrong ---
		{name: "backend port is the pod's", chapter: "ch08", step: "host-rule", check: "gasbugs", yaml: docs(web("main-web"),
			ingress("ingress-basic", "gasbugs.com", "/", "Prefix", "main-web", "{number: 8080}", "")), says: []string{"port 8080 of Service main-web", "80"}},
		{name: "ingress-nginx's class on a Traefik cluster", chapter: "ch08", step: "host-rule", check: "gasbugs", yaml: docs(web("main-web"),
			ingress("ingress-basic", "gasbugs.com", "/", "Prefix", "main-web", "{number: 80}", "  ingressClassName: nginx\n")), says: []string{`class "nginx"`, "traefik"}},
		// (a rule without any host would take every host of the cluster,
		// other chapters' included: the wildcard is the same mistake, kept
		// to this attempt's own domain)
		{name: "a wildcard rule", chapter: "ch08", step: "unknown-host", check: "known-and-unknown", yaml: docs(web("main-web"),
			strings.Replace(ingMain, "  - host: gasbugs.com\n", "  - host: \"*.gasbugs.com\"\n", 1)+`  - host: gasbugs.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend: {service: {name: main-web, port: {number: 80}}}
`), says: []string{"rule for *.gasbugs.com", "takes unknown.gasbugs.com too"}},
		{name: "fan-out to the wrong Service", chapter: "ch08", step: "fanout", check: "routes", yaml: docs(web("main-web"), web("dict-web"),
			ingress("ingress-fanout", "fanout.gasbugs.com", "/main", "Prefix", "dict-web", "{number: 80}", "")+`      - path: /dict
        pathType: Prefix
        backend: {service: {name: dict-web, port: {number: 80}}}
  - host: dict.gasbugs.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend: {service: {name: dict-web, port: {number: 80}}}
`), says: []string{"goes to Service dict-web", "want main-web"}},
		{name: "tls hosts without the rule's host", chapter: "ch08", step: "tls", check: "certificate", yaml: docs(web("book-web"), tlsNotes, sslIng("www.kube-book.com")),
			says: []string{"do not include kube-book.com"}},
		{name: "a certificate for another name", chapter: "ch08", step: "tls", check: "certificate", yaml: docs(web("book-web"), tlsOther, sslIng("kube-book.com")),
			says: []string{"does not name kube-book.com"}},
		{name: "a generic Secret", chapter: "ch08", step: "tls", check: "certificate", yaml: docs(web("book-web"), "#TLS-NOTES-OPAQUE#", sslIng("kube-book.com")),
			says: []string{"type Opaque", "kubernetes.io/tls"}},
	}
}

func barePod(s string) string {
	return fmt.Sprintf(`
apiVersion: v1
kind: Pod
metadata: {name: http-go-%s, labels: {app: http-go, pod: "%s"}}
spec:
  containers:
  - name: http-go
    image: registry.k8s.io/e2e-test-images/agnhost:2.56
    args: ["serve-hostname", "--port=8080"]
    ports: [{containerPort: 8080}]
`, s, s)
}

// tlsSecretYAML is what kubectl create secret tls makes of two files.
func tlsSecretYAML(crt, key []byte) string {
	return fmt.Sprintf("apiVersion: v1\nkind: Secret\nmetadata: {name: tls-secret}\ntype: kubernetes.io/tls\ndata:\n  tls.crt: %s\n  tls.key: %s\n",
		base64.StdEncoding.EncodeToString(crt), base64.StdEncoding.EncodeToString(key))
}

// openssl runs the notes' commands in dir.
func openssl(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("openssl", args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("openssl %v: %v\n%s", args, err, out)
	}
}

// certs makes the TLS Secrets for host: as the notes do (openssl genrsa,
// then req -new -x509 with only a CN), a leaf signed by a CA with the
// chain in tls.crt, and one for another name.
func certs(t *testing.T, host string) (notes, chain, other string) {
	dir := t.TempDir()
	read := func(n string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, n))
		must(t, err)
		return b
	}
	openssl(t, dir, "genrsa", "-out", "tls.key", "2048")
	openssl(t, dir, "req", "-new", "-x509", "-key", "tls.key", "-out", "tls.crt", "-days", "365", "-subj", "/CN="+host)
	notes = tlsSecretYAML(read("tls.crt"), read("tls.key"))
	openssl(t, dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "365", "-subj", "/CN=Student CA")
	openssl(t, dir, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "leaf.key", "-out", "leaf.csr", "-subj", "/CN="+host)
	must(t, os.WriteFile(filepath.Join(dir, "ext"), []byte("subjectAltName=DNS:"+host+"\n"), 0o644))
	openssl(t, dir, "x509", "-req", "-in", "leaf.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", "leaf.crt", "-days", "365", "-extfile", "ext")
	chain = tlsSecretYAML(append(read("leaf.crt"), read("ca.crt")...), read("leaf.key"))
	openssl(t, dir, "req", "-new", "-x509", "-key", "tls.key", "-out", "other.crt", "-days", "365", "-subj", "/CN=other.example.com")
	other = tlsSecretYAML(read("other.crt"), read("tls.key"))
	return notes, chain, other
}

// stepChecks reads a step's checks from a chapter's lab.yaml.
func stepChecks(t *testing.T, chapter, step string) yaml.Node {
	dirs := map[string]string{"ch07": "ch07-services", "ch08": "ch08-ingress"}
	data, err := os.ReadFile(filepath.Join("..", "assets", "labs", dirs[chapter], "lab.yaml"))
	must(t, err)
	var lab struct {
		Steps []struct {
			ID     string    `yaml:"id"`
			Checks yaml.Node `yaml:"checks"`
		} `yaml:"steps"`
	}
	must(t, yaml.Unmarshal(data, &lab))
	for _, s := range lab.Steps {
		if s.ID == step {
			return s.Checks
		}
	}
	t.Fatalf("%s has no step %s", chapter, step)
	return yaml.Node{}
}

// lbAddress picks an address near the end of MetalLB's first pool.
func lbAddress(t *testing.T, n int) string {
	dyn := dynamic.NewForConfigOrDie(h.restConfig(t))
	list, err := dyn.Resource(schema.GroupVersionResource{Group: "metallb.io", Version: "v1beta1", Resource: "ipaddresspools"}).
		Namespace("metallb-system").List(context.Background(), metav1.ListOptions{})
	must(t, err)
	if len(list.Items) == 0 {
		t.Fatal("no MetalLB pool")
	}
	addrs, _, _ := unstructuredStrings(list.Items[0].Object, "spec", "addresses")
	r := addrs[0]
	var last netip.Addr
	if lo, hi, ok := strings.Cut(r, "-"); ok {
		_ = lo
		last = netip.MustParseAddr(strings.TrimSpace(hi))
	} else {
		p := netip.MustParsePrefix(r)
		last = p.Addr()
		for a := p.Addr(); p.Contains(a); a = a.Next() {
			last = a
		}
	}
	for range n {
		last = last.Prev()
	}
	return last.String()
}

func unstructuredStrings(obj map[string]any, path ...string) ([]string, bool, error) {
	var cur any = obj
	for _, p := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false, nil
		}
		cur = m[p]
	}
	list, _ := cur.([]any)
	var out []string
	for _, x := range list {
		out = append(out, fmt.Sprint(x))
	}
	return out, true, nil
}

// testAttempts applies each attempt in a namespace of its own (its hosts
// and NodePort its own too, so it disturbs no chapter) just before
// checking it, as a student would, and deletes it afterwards.
func testAttempts(t *testing.T) {
	all := attempts()
	sem := make(chan struct{}, 3) // this machine is shared
	var mu sync.Mutex
	var failTimes []float64
	var wrong, right int
	t.Run("group", func(t *testing.T) {
		for i, a := range all {
			i, a := i, a
			t.Run(a.chapter+"/"+a.step+"/"+a.name, func(t *testing.T) {
				t.Parallel()
				sem <- struct{}{}
				defer func() { <-sem }()
				el, settled := runAttempt(t, i, a)
				mu.Lock()
				defer mu.Unlock()
				if a.check != "" {
					wrong++
					failTimes = append(failTimes, el)
					if !settled {
						t.Logf("did not fail as settled (%.1fs)", el)
					}
				} else {
					right++
				}
			})
		}
	})
	sort.Float64s(failTimes)
	if len(failTimes) > 0 {
		t.Logf("%d correct and %d wrong attempts; time to a fail verdict: median %.1fs, max %.1fs",
			right, wrong, failTimes[len(failTimes)/2], failTimes[len(failTimes)-1])
	}
}

func runAttempt(t *testing.T, i int, a attempt) (elapsed float64, settled bool) {
	ns := fmt.Sprintf("att-%02d", i)
	id := fmt.Sprintf("att%02d", i)
	c := h.client(t)
	ctx := context.Background()
	_, err := c.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{})
	must(t, err)
	t.Cleanup(func() { _ = c.CoreV1().Namespaces().Delete(context.Background(), ns, metav1.DeleteOptions{}) })
	repl := strings.NewReplacer(
		"gasbugs.com", "gasbugs-"+id+".test",
		"kube-book.com", "kube-book-"+id+".test",
		"30001", fmt.Sprint(30200+i),
		".default.svc", "."+ns+".svc",
		"LBIP", lbAddress(t, i%8+2),
	)
	manifest := repl.Replace(a.yaml)
	if strings.Contains(manifest, "#TLS-") {
		n, ch, o := certs(t, "kube-book-"+id+".test")
		manifest = strings.NewReplacer(tlsNotes, n, tlsChain, ch, tlsOther, o,
			"#TLS-NOTES-OPAQUE#", strings.Replace(n, "type: kubernetes.io/tls", "type: Opaque", 1)).Replace(manifest)
	}
	checks := stepChecks(t, a.chapter, a.step)
	lab := map[string]any{
		"format": "labctl/lab/v1", "id": id, "order": 100 + i, "namespace": ns,
		"title":   map[string]string{"ko": "시도 " + id, "en": "Attempt " + id},
		"summary": map[string]string{"ko": a.name, "en": a.name},
		"steps": []map[string]any{{
			"id": a.step, "title": map[string]string{"ko": a.step, "en": a.step}, "text": map[string]string{"ko": a.name, "en": a.name},
			"solution": []string{"manifests/m.yaml"}, "checks": &checks,
		}},
	}
	out, err := yaml.Marshal(lab)
	must(t, err)
	dir := t.TempDir()
	must(t, os.MkdirAll(filepath.Join(dir, id, "manifests"), 0o755))
	must(t, os.WriteFile(filepath.Join(dir, id, "lab.yaml"), []byte(repl.Replace(string(out))), 0o644))
	must(t, os.WriteFile(filepath.Join(dir, id, "manifests", "m.yaml"), []byte(manifest), 0o644))
	must(t, os.WriteFile(filepath.Join(dir, id, "lesson.ko.md"), []byte(a.name), 0o644))
	must(t, os.WriteFile(filepath.Join(dir, id, "lesson.en.md"), []byte(a.name), 0o644))
	r := h.labctl(t, "apply", id, "--labs", dir, "--solution")
	switch {
	case r.code != 0 && a.applyFails == "":
		t.Fatalf("apply:\n%s\n%s", r, manifest)
	case a.applyFails != "" && (r.code == 0 || !strings.Contains(r.stdout+r.stderr, a.applyFails)):
		t.Errorf("apply should fail naming %q:\n%s", a.applyFails, r)
	case a.applyFails != "":
		t.Logf("apply failed after %s naming %q", r.took.Round(time.Millisecond), a.applyFails)
	}
	r = h.labctl(t, "check", id, "--labs", dir, "-o", "json")
	var rep struct {
		Verdict string
		Steps   []struct {
			Checks []struct {
				ID, Verdict, Message string
				Evidence             []string
				Elapsed              float64 `json:"elapsedSeconds"`
				Settled              bool
			}
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || len(rep.Steps) != 1 {
		t.Fatalf("not a report: %v\n%s", err, r)
	}
	for _, ck := range rep.Steps[0].Checks {
		text := ck.Message + "\n" + strings.Join(ck.Evidence, "\n")
		switch {
		case a.check == "" && ck.Verdict != "pass":
			t.Errorf("correct answer: %s %s: %s", ck.ID, ck.Verdict, text)
		case a.check == ck.ID:
			if ck.Verdict != "fail" {
				t.Errorf("wrong answer: %s is %s: %s", ck.ID, ck.Verdict, text)
			}
			var says []string
			for _, w := range a.says {
				says = append(says, repl.Replace(w))
			}
			mustContain(t, a.name, text, says...)
			t.Logf("%s after %.1fs (settled %v): %s", ck.ID, ck.Elapsed, ck.Settled, strings.ReplaceAll(text, "\n", " | "))
			elapsed, settled = ck.Elapsed, ck.Settled
		}
	}
	return elapsed, settled
}
