package cli

import (
	"bytes"
	"context"
	"crypto/tls"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/labctl/labctl/cluster"
	"github.com/labctl/labctl/i18n"
	"github.com/labctl/labctl/internal/settings"
)

func TestParsePortSpec(t *testing.T) {
	for _, tc := range []struct {
		spec  string
		local int
		svc   string
		bad   bool
	}{
		{"", 0, "", false},             // the Service's only TCP port, a free local one
		{"80", 0, "80", false},         // SVC
		{"http", 0, "http", false},     // a port name
		{":8080", 0, "8080", false},    // :SVC
		{"9000:80", 9000, "80", false}, // LOCAL:SVC
		{"9000:web", 9000, "web", false},
		{"x:80", 0, "", true},
		{"70000:80", 0, "", true},
		{"-1:80", 0, "", true},
		{"9000:", 0, "", true},
		{"1:2:3", 0, "", true},
	} {
		local, svc, err := parsePortSpec(tc.spec)
		if (err != nil) != tc.bad || !tc.bad && (local != tc.local || svc != tc.svc) {
			t.Errorf("parsePortSpec(%q) = %d, %q, %v; want %d, %q, bad %v", tc.spec, local, svc, err, tc.local, tc.svc, tc.bad)
		}
	}
}

func TestParseProxy(t *testing.T) {
	d, _, _ := fakeDeps(i18n.En, nil, nil)
	ok := func() proxyFlags {
		return proxyFlags{namespace: "default", address: "127.0.0.1", scheduler: "rr", transport: "auto", interval: time.Second}
	}
	for _, tc := range []struct {
		name   string
		target string
		edit   func(*proxyFlags)
		bad    string // part of the usage error; "" for none
		svc    string
		listen string
	}{
		{"svc/NAME", "svc/web", nil, "", "web", "127.0.0.1:0"},
		{"a bare name", "web", nil, "", "web", "127.0.0.1:0"},
		{"service/NAME", "service/web", func(f *proxyFlags) { f.port = "8080:80" }, "", "web", "127.0.0.1:8080"},
		{"another kind", "deploy/web", nil, `"deploy/web"`, "", ""},
		{"no name", "svc/", nil, `"svc/"`, "", ""},
		{"bad port", "svc/web", func(f *proxyFlags) { f.port = "x:80" }, `--port "x:80"`, "", ""},
		{"bad address", "svc/web", func(f *proxyFlags) { f.address = "nowhere" }, `--address "nowhere"`, "", ""},
		{"bad transport", "svc/web", func(f *proxyFlags) { f.transport = "carrier-pigeon" }, "--transport", "", ""},
		{"bad scheduler", "svc/web", func(f *proxyFlags) { f.scheduler = "random" }, `--scheduler "random"`, "", ""},
		{"affinity", "svc/web", func(f *proxyFlags) { f.affinity = "ClientIP"; f.timeout = time.Minute }, "", "web", "127.0.0.1:0"},
		{"no affinity", "svc/web", func(f *proxyFlags) { f.affinity = "none" }, "", "web", "127.0.0.1:0"},
		{"timeout without affinity", "svc/web", func(f *proxyFlags) { f.timeout = time.Minute }, "--affinity-timeout", "", ""},
		{"negative timeout", "svc/web", func(f *proxyFlags) { f.affinity = "clientip"; f.timeout = -time.Second }, "--affinity-timeout", "", ""},
		{"bad affinity", "svc/web", func(f *proxyFlags) { f.affinity = "cookie" }, `--affinity "cookie"`, "", ""},
		{"weights", "svc/web", func(f *proxyFlags) { f.weights = []string{"a=1", "b=3"} }, "", "web", "127.0.0.1:0"},
		{"bad weight", "svc/web", func(f *proxyFlags) { f.weights = []string{"a=-1"} }, `--weight "a=-1"`, "", ""},
		{"bad interval", "svc/web", func(f *proxyFlags) { f.interval = 0 }, "--interval", "", ""},
	} {
		f := ok()
		if tc.edit != nil {
			tc.edit(&f)
		}
		s, err := parseProxy(d, &f, tc.target)
		if tc.bad != "" {
			if exitCode(context.Background(), err) != exitUsage || !strings.Contains(i18n.Localize(err, i18n.En), tc.bad) {
				t.Errorf("%s: %v, want a usage error naming %s", tc.name, err, tc.bad)
			}
			continue
		}
		if err != nil || s.svc != tc.svc || s.listen != tc.listen {
			t.Errorf("%s: %+v, %v", tc.name, s, err)
		}
	}
}

func TestParseDig(t *testing.T) {
	d, _, _ := fakeDeps(i18n.En, nil, nil)
	for _, tc := range []struct {
		args    []string
		reverse bool
		name    string
		qtype   string
		short   bool
		bad     bool
	}{
		{[]string{"web"}, false, "web", "A", false, false},
		{[]string{"web", "SRV"}, false, "web", "SRV", false, false},
		{[]string{"+short", "web", "aaaa"}, false, "web", "AAAA", true, false},
		{[]string{"10.96.0.10"}, true, "10.96.0.10", "PTR", false, false},
		{[]string{"web"}, true, "", "", false, true}, // -x needs an address
		{[]string{"+trace", "web"}, false, "", "", false, true},
		{[]string{"web", "BOGUS"}, false, "", "", false, true},
		{[]string{"a", "A", "extra"}, false, "", "", false, true},
		{nil, false, "", "", false, true},
	} {
		f := &digFlags{reverse: tc.reverse}
		name, qtype, err := parseDig(d, f, tc.args)
		if tc.bad {
			if exitCode(context.Background(), err) != exitUsage {
				t.Errorf("dig %v -x=%v: %v, want a usage error", tc.args, tc.reverse, err)
			}
			continue
		}
		if err != nil || name != tc.name || typeName(qtype) != tc.qtype || f.short != tc.short {
			t.Errorf("dig %v: %q %s short=%v, %v", tc.args, name, typeName(qtype), f.short, err)
		}
	}
}

func typeName(t uint16) string {
	return map[uint16]string{1: "A", 28: "AAAA", 33: "SRV", 12: "PTR"}[t]
}

func TestBuildCurlRequest(t *testing.T) {
	d, _, _ := fakeDeps(i18n.En, nil, nil)
	base := func() curlFlags { return curlFlags{namespace: "default", maxTime: 30 * time.Second} }
	for _, tc := range []struct {
		raw    string
		edit   func(*curlFlags)
		url    string
		method string
		host   string
		bad    bool
	}{
		{"web", nil, "http://web.default.svc", "GET", "", false},
		{"http://web:8080/x", func(f *curlFlags) { f.namespace = "shop" }, "http://web.shop.svc:8080/x", "GET", "", false},
		{"https://localhost/", func(f *curlFlags) { f.host = "kube-book.com" }, "https://localhost/", "GET", "kube-book.com", false},
		{"http://10.96.0.1/", nil, "http://10.96.0.1/", "GET", "", false},
		{"http://web.default.svc.cluster.local/", nil, "http://web.default.svc.cluster.local/", "GET", "", false},
		{"web", func(f *curlFlags) { f.data = "a=1" }, "http://web.default.svc", "POST", "", false},
		{"web", func(f *curlFlags) { f.method = "DELETE" }, "http://web.default.svc", "DELETE", "", false},
		{"web", func(f *curlFlags) { f.headers = []string{"X-A: 1"} }, "http://web.default.svc", "GET", "", false},
		{"ftp://web/", nil, "", "", "", true},
		{"http://", nil, "", "", "", true},
		{"web", func(f *curlFlags) { f.maxTime = 0 }, "", "", "", true},
		{"web", func(f *curlFlags) { f.headers = []string{"no colon"} }, "", "", "", true},
		{"web", func(f *curlFlags) { f.method = "BAD METHOD" }, "", "", "", true},
	} {
		f := base()
		if tc.edit != nil {
			tc.edit(&f)
		}
		req, err := buildCurlRequest(d, &f, tc.raw)
		if tc.bad {
			if exitCode(context.Background(), err) != exitUsage {
				t.Errorf("curl %q: %v, want a usage error", tc.raw, err)
			}
			continue
		}
		if err != nil || req.URL.String() != tc.url || req.Method != tc.method || req.Host != tc.host && tc.host != "" {
			t.Errorf("curl %q: %v %v host %q, %v; want %s %s", tc.raw, req.Method, req.URL, req.Host, err, tc.method, tc.url)
			continue
		}
		if f.data != "" && req.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
			t.Errorf("curl -d: Content-Type %q", req.Header.Get("Content-Type"))
		}
		if len(f.headers) > 0 && req.Header.Get("X-A") != "1" {
			t.Errorf("-H X-A: 1 not sent: %v", req.Header)
		}
	}
}

// runCurl prints like curl: with -i the status and headers first, then the
// body; --show-cert the certificate; an unverified one is an error whose
// fix says -k.
func TestRunCurl(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Pod", "web-1")
		io.WriteString(w, "hello from "+r.Host)
	}))
	defer srv.Close()
	d, out, _ := fakeDeps(i18n.En, nil, nil)
	f := &curlFlags{namespace: "default", maxTime: 5 * time.Second, include: true, showCert: true, insecure: true}
	req, err := buildCurlRequest(d, f, srv.URL+"/")
	if err != nil {
		t.Fatal(err)
	}
	client := srv.Client()
	client.Transport.(*http.Transport).TLSClientConfig = &tls.Config{InsecureSkipVerify: true}
	if err := runCurl(d, client, req, f); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"HTTP/1.1 200 OK", "X-Pod: web-1", "hello from 127.0.0.1", "SHA-256"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output does not contain %q:\n%s", want, out.String())
		}
	}
	d, _, _ = fakeDeps(i18n.Ko, nil, nil)
	f = &curlFlags{namespace: "default", maxTime: 5 * time.Second}
	req, _ = buildCurlRequest(d, f, srv.URL+"/")
	err = runCurl(d, &http.Client{}, req, f) // verifies against the system roots: fails
	if err == nil || i18n.FixOf(err, i18n.Ko) == "" || exitCode(context.Background(), err) != exitFailure {
		t.Errorf("an unverified certificate: %v (fix %q)", err, i18n.FixOf(err, i18n.Ko))
	}
}

func TestPrintStatus(t *testing.T) {
	st := cluster.Status{Name: "lab", State: cluster.LabRunning, Kubeconfig: "/k", Context: "kind-lab", Server: "https://127.0.0.1:6443", Version: "v1.35.8",
		Nodes:   []cluster.NodeStatus{{Name: "lab-control-plane", Role: "control-plane", Ready: true, Version: "v1.35.8", InternalIP: "172.18.0.2"}, {Name: "lab-worker", Role: "worker", Version: "v1.35.8"}},
		Addons:  []cluster.AddonStatus{{Name: "metallb", Version: "v0.15.2", Installed: true, Healthy: true}, {Name: "traefik", Version: "v3.6.12", Installed: true, Detail: "0/1 ready"}, {Name: "ingress-nginx"}},
		Gateway: &cluster.GatewayStatus{Version: "v1.4.0", Class: "traefik", ClassAccepted: true, Gateway: "traefik-gateway", Programmed: true, Addresses: []string{"172.18.255.200"}},
		Pool:    "172.18.255.200-172.18.255.250", IngressClass: "traefik", HTTPPort: 80, HTTPSPort: 443, Memory: 3 << 30, NginxRetired: true}
	for _, l := range i18n.Langs {
		var b bytes.Buffer
		printStatus(&b, l, st)
		for _, want := range []string{"✓ lab-control-plane", "✗ lab-worker", "0/1 ready", "- ingress-nginx", "172.18.255.200", "http://localhost:80", "labctl stop", "GatewayClass traefik"} {
			if !strings.Contains(b.String(), want) {
				t.Errorf("%s: no %q in\n%s", l, want, b.String())
			}
		}
		if l == i18n.Ko && !hasHangul(b.String()) {
			t.Errorf("ko status without Korean:\n%s", b.String())
		}
	}
	stopped := cluster.Status{Name: "lab", State: cluster.LabStopped, Kubeconfig: "/k", Context: "kind-lab",
		Nodes: []cluster.NodeStatus{{Name: "lab-control-plane", Role: "control-plane", Container: "exited"}}}
	var b bytes.Buffer
	printStatus(&b, i18n.En, stopped)
	if !strings.Contains(b.String(), "✗ lab-control-plane") || !strings.Contains(b.String(), "exited") {
		t.Errorf("a stopped lab:\n%s", b.String())
	}
}

// detectLang: --lang, then LABCTL_LANG, then the TUI's choice, then the locale.
func TestDetectLang(t *testing.T) {
	for _, tc := range []struct {
		flag, env, saved, locale string
		want                     i18n.Lang
		bad                      bool
	}{
		{"ko", "en", "en", "en_US.UTF-8", i18n.Ko, false},
		{"", "ko", "en", "en_US.UTF-8", i18n.Ko, false},
		{"", "", "ko", "en_US.UTF-8", i18n.Ko, false},
		{"", "", "", "ko_KR.UTF-8", i18n.Ko, false},
		{"", "", "", "en_US.UTF-8", i18n.En, false},
		{"", "xx", "ko", "en_US.UTF-8", i18n.Ko, true}, // said in the saved language
		{"", "xx", "", "en_US.UTF-8", i18n.En, true},
		{"en", "xx", "", "ko_KR.UTF-8", i18n.En, false},
	} {
		t.Setenv("LABCTL_HOME", t.TempDir())
		t.Setenv("LABCTL_LANG", tc.env)
		t.Setenv("LANG", tc.locale)
		t.Setenv("LC_ALL", "")
		t.Setenv("LC_MESSAGES", "")
		if tc.saved != "" {
			if err := settings.Save(settings.Settings{Schema: settings.Schema, Lang: i18n.Lang(tc.saved)}); err != nil {
				t.Fatal(err)
			}
		}
		got, err := detectLang(tc.flag)
		if got != tc.want || (err != nil) != tc.bad {
			t.Errorf("--lang %q LABCTL_LANG %q saved %q LANG %q: %s, %v; want %s (error %v)", tc.flag, tc.env, tc.saved, tc.locale, got, err, tc.want, tc.bad)
		}
	}
}

func TestEnvLineFor(t *testing.T) {
	for shell, want := range map[string]string{
		"sh":         `export KUBECONFIG="/k c"`,
		"bash":       `export KUBECONFIG="/k c"`,
		"zsh":        `export KUBECONFIG="/k c"`,
		"fish":       `set -gx KUBECONFIG "/k c"`,
		"powershell": `$Env:KUBECONFIG = "/k c"`,
		"pwsh":       `$Env:KUBECONFIG = "/k c"`,
		"cmd":        `set KUBECONFIG=/k c`,
	} {
		if got := envLineFor(shell, "/k c"); got != want {
			t.Errorf("%s: %s, want %s", shell, got, want)
		}
	}
}

// cluster.DefaultOptions is the one source of up's, start's and doctor's
// flag defaults and of what the TUI's cluster key builds.
func TestDefaultOptionsAreTheFlagDefaults(t *testing.T) {
	t.Setenv("LABCTL_HOME", t.TempDir())
	t.Setenv("LABCTL_NODE_IMAGE", "")
	d := cluster.DefaultOptions()
	g := &globals{lang: i18n.En, name: cluster.DefaultOptions().Name}
	root := newRoot(g)
	for cmd, flags := range map[string]map[string]string{
		"up":     {"workers": "2", "http-port": "80", "https-port": "443", "wait": d.Wait.String(), "ingress": string(d.Ingress)},
		"start":  {"wait": d.Wait.String()},
		"doctor": {"http-port": "80", "https-port": "443"},
	} {
		c, _, err := root.Find([]string{cmd})
		if err != nil {
			t.Fatal(err)
		}
		for name, want := range flags {
			if got := c.Flags().Lookup(name).DefValue; got != want {
				t.Errorf("%s --%s defaults to %s, DefaultOptions says %s", cmd, name, got, want)
			}
		}
	}
	if d.Workers != 2 || d.HTTPPort != 80 || d.HTTPSPort != 443 {
		t.Errorf("DefaultOptions changed: %+v (update the table above and the README)", d)
	}
	o := tuiUpOptions(g)
	if o.Workers != d.Workers || o.HTTPPort != d.HTTPPort || o.HTTPSPort != d.HTTPSPort || o.Wait != d.Wait || o.Ingress != d.Ingress || o.Image != d.Image || o.IngressExplicit {
		t.Errorf("the TUI builds %+v, up's defaults are %+v", o, d)
	}
}
