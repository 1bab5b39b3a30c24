package proxy

import (
	"crypto/tls"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

// httpBackend is a web server that says who it is and what it was asked.
func httpBackend(t *testing.T, name string, tlsOn bool) (port int32, sni func() string) {
	t.Helper()
	var mu sync.Mutex
	var lastSNI string
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%s host=%s", name, r.Host)
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // expected handshake failures
	if tlsOn {
		srv.TLS = &tls.Config{GetConfigForClient: func(h *tls.ClientHelloInfo) (*tls.Config, error) {
			mu.Lock()
			lastSNI = h.ServerName
			mu.Unlock()
			return nil, nil
		}}
		srv.StartTLS()
	} else {
		srv.Start()
	}
	t.Cleanup(srv.Close)
	return int32(srv.Listener.Addr().(*net.TCPAddr).Port), func() string {
		mu.Lock()
		defer mu.Unlock()
		return lastSNI
	}
}

func get(t *testing.T, client *http.Client, url, host string) (string, *http.Response, error) {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctxT(t), http.MethodGet, url, nil)
	if host != "" {
		req.Host = host
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", nil, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b), resp, nil
}

func TestHTTPClientServiceHostsHostHeaderAndSNI(t *testing.T) {
	tlsPort, sni := httpBackend(t, "secure", true)
	plainPort, _ := httpBackend(t, "plain", false)
	ext := &corev1.Service{}
	ext.Namespace, ext.Name = "lab", "alias"
	ext.Spec.Type, ext.Spec.ExternalName = corev1.ServiceTypeExternalName, "web.lab.svc.cluster.local"
	web := service("lab", "web", svcPort{"http", 80, false}, svcPort{"https", 443, false})
	web.Spec.ClusterIP, web.Spec.ClusterIPs = "10.96.7.7", []string{"10.96.7.7"}
	headless := service("lab", "db")
	headless.Spec.ClusterIP = corev1.ClusterIPNone
	c, _ := newTestCluster(t, nil, nil, web, ext, headless,
		slice("lab", "web", "web-https", "https", tlsPort, ep{pod: "web-1", ip: "127.0.0.1"}),
		slice("lab", "web", "web-http", "http", plainPort, ep{pod: "web-1", ip: "127.0.0.1"}),
		slice("lab", "db", "db-1", "", 0, ep{pod: "db-0", ip: "127.0.0.1", hostname: "db-0"}))

	insecure := c.NewHTTPClient(HTTPOptions{Insecure: true})
	body, resp, err := get(t, insecure, "https://web.lab.svc/", "shop.example.com")
	if err != nil {
		t.Fatal(err)
	}
	if body != "secure host=shop.example.com" || sni() != "shop.example.com" {
		t.Errorf("body %q, SNI %q; want Host and SNI shop.example.com", body, sni())
	}
	if cert := ServedCertificate(resp, nil); cert == nil || !strings.Contains(strings.Join(cert.DNSNames, ","), "example.com") {
		t.Errorf("served certificate not captured: %v", cert)
	}
	// Verification on: the request fails, the certificate is still there.
	_, _, err = get(t, c.HTTPClient(), "https://web.lab.svc.cluster.local:443/", "")
	if err == nil {
		t.Fatal("httptest's self-signed certificate verified")
	}
	if ServedCertificate(nil, err) == nil {
		t.Errorf("no certificate in the verification error %v", err)
	}
	for _, tc := range []struct{ url, want string }{
		{"http://web.lab.svc/", "plain host=web.lab.svc"},
		{"http://web.lab.svc.cluster.local:80/x", "plain host=web.lab.svc.cluster.local:80"},
		{"http://10.96.7.7/", "plain host=10.96.7.7"},
		{"http://alias.lab.svc/", "plain host=alias.lab.svc"},
		{fmt.Sprintf("http://db-0.db.lab.svc:%d/", plainPort), fmt.Sprintf("plain host=db-0.db.lab.svc:%d", plainPort)},
		{fmt.Sprintf("http://127.0.0.1:%d/", plainPort), fmt.Sprintf("plain host=127.0.0.1:%d", plainPort)},
	} {
		body, _, err := get(t, insecure, tc.url, "")
		if err != nil || body != tc.want {
			t.Errorf("%s: %q, %v; want %q", tc.url, body, err, tc.want)
		}
	}
	if _, _, err := get(t, insecure, "http://web-9.db.lab.svc:80/", ""); err == nil || !strings.Contains(err.Error(), "web-9.db.lab.svc") {
		t.Errorf("unknown pod hostname: %v", err)
	}
}

// A LoadBalancer address that does not answer from here (macOS, Windows)
// is reached through the Service's pods instead.
func TestHTTPClientUnroutableLoadBalancer(t *testing.T) {
	port, _ := httpBackend(t, "lb", false)
	svc := service("lab", "front", svcPort{"http", 80, false})
	svc.Spec.Type = corev1.ServiceTypeLoadBalancer
	svc.Status.LoadBalancer.Ingress = []corev1.LoadBalancerIngress{{IP: "198.51.100.99"}}
	c, _ := newTestCluster(t, nil, []Option{withRoutable(netip.Addr.IsLoopback)}, svc,
		slice("lab", "front", "front-1", "http", port, ep{pod: "front-1", ip: "127.0.0.1"}))
	body, _, err := get(t, c.HTTPClient(), "http://198.51.100.99/", "")
	if err != nil || body != "lb host=198.51.100.99" {
		t.Fatalf("%q, %v", body, err)
	}
}

func TestParseServiceHost(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want ServiceHost
		ok   bool
	}{
		{"web.lab.svc", ServiceHost{Namespace: "lab", Service: "web"}, true},
		{"web.lab.svc.cluster.local", ServiceHost{Namespace: "lab", Service: "web"}, true},
		{"WEB.Lab.svc.cluster.local.", ServiceHost{Namespace: "lab", Service: "web"}, true},
		{"db-0.db.lab.svc.cluster.local", ServiceHost{Namespace: "lab", Service: "db", Pod: "db-0"}, true},
		{"web", ServiceHost{}, false},
		{"web.lab", ServiceHost{}, false},
		{"lab.svc", ServiceHost{}, false},
		{"a.b.c.d.svc", ServiceHost{}, false},
		{"example.com", ServiceHost{}, false},
		{"web..svc", ServiceHost{}, false},
	} {
		got, ok := ParseServiceHost(tc.in, "cluster.local")
		if ok != tc.ok || got != tc.want {
			t.Errorf("ParseServiceHost(%q) = %+v, %v", tc.in, got, ok)
		}
	}
	if h, _ := ParseServiceHost("web.lab.svc.corp.example", "corp.example"); h.Service != "web" {
		t.Error("custom cluster domain not honoured")
	}
}
