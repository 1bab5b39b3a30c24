package verify

// The test cluster: client-go's fake clientset holds the objects, and real
// local servers stand in for what would answer on a kind cluster:
//
//   - every Pod's container ports are httptest servers on 127.0.0.1 that
//     answer with the pod's name (like agnhost serve-hostname);
//   - testNet.HTTP sends real HTTP through a dialer that plays kube-proxy: a
//     ClusterIP, a node's NodePort or a LoadBalancer IP (from the fake
//     objects) is mapped onto a ready endpoint's listener, by round robin or
//     ClientIP affinity; the host and a node see different networks;
//   - an ingress controller (ingress-nginx or Traefik flavour) routes by Host
//     and path from the fake Ingresses and picks the certificate by SNI from
//     the fake Secrets, with the controller's own default certificate when
//     none names the host;
//   - a miekg/dns server answers like CoreDNS from the fake Services and
//     EndpointSlices.

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/miekg/dns"
	"go.yaml.in/yaml/v3"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/intstr"
	dynamicfake "k8s.io/client-go/dynamic/fake"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/labctl/labctl/i18n"
)

const ns = "default"

// lab is one test cluster.
type lab struct {
	t      *testing.T
	client *fake.Clientset
	dyn    *dynamicfake.FakeDynamicClient
	net    *testNet
	env    *Env
	ctrl   *ingressController
}

// newLab makes a cluster holding objs. Pods get listeners on their container
// ports; every Service with a selector gets an EndpointSlice, as the
// EndpointSlice controller would make it.
func newLab(t *testing.T, objs ...runtime.Object) *lab {
	t.Helper()
	l := &lab{t: t, client: fake.NewClientset()}
	l.dyn = dynamicfake.NewSimpleDynamicClientWithCustomListKinds(runtime.NewScheme(),
		map[schema.GroupVersionResource]string{ipPoolGVR: "IPAddressPoolList"})
	l.net = &testNet{lab: l, listeners: map[string]string{}, hostIntercept: map[string]string{},
		hostLeak: map[string]bool{}, silentNodes: map[string]bool{}, rr: map[string]int{}}
	l.env = &Env{Client: l.client, Dynamic: l.dyn, Net: l.net, Namespace: ns, Lang: i18n.En}
	l.add(objs...)
	l.startDNS()
	return l
}

// add creates objects, starts the new pods' servers and refreshes the
// EndpointSlices of Services with selectors.
func (l *lab) add(objs ...runtime.Object) {
	l.t.Helper()
	for _, o := range objs {
		if err := l.client.Tracker().Add(o); err != nil {
			l.t.Fatalf("add %T: %v", o, err)
		}
		if p, ok := o.(*corev1.Pod); ok {
			l.serve(p)
		}
	}
	l.syncSlices()
}

// pool adds a MetalLB IPAddressPool.
func (l *lab) pool(name string, addrs ...string) {
	l.t.Helper()
	var as []any
	for _, a := range addrs {
		as = append(as, a)
	}
	u := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "metallb.io/v1beta1", "kind": "IPAddressPool",
		"metadata": map[string]any{"name": name, "namespace": "metallb-system"},
		"spec":     map[string]any{"addresses": as},
	}}
	if _, err := l.dyn.Resource(ipPoolGVR).Namespace("metallb-system").Create(context.Background(), u, metav1.CreateOptions{}); err != nil {
		l.t.Fatal(err)
	}
}

// Annotations on test pods: container ports served with TLS, and ports
// declared but not listened on.
const (
	annTLS  = "test.labctl/tls"
	annDown = "test.labctl/down"
)

// serve starts one server per container port of p, answering with the pod's name.
func (l *lab) serve(p *corev1.Pod) {
	tlsPorts := strings.Split(p.Annotations[annTLS], ",")
	down := strings.Split(p.Annotations[annDown], ",")
	for _, c := range p.Spec.Containers {
		for _, cp := range c.Ports {
			port := strconv.Itoa(int(cp.ContainerPort))
			if contains(down, port) {
				continue
			}
			name := p.Name
			h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, name) })
			var srv *httptest.Server
			if contains(tlsPorts, port) {
				srv = httptest.NewTLSServer(h)
			} else {
				srv = httptest.NewServer(h)
			}
			l.t.Cleanup(srv.Close)
			l.net.mu.Lock()
			l.net.listeners[net.JoinHostPort(p.Status.PodIP, port)] = srv.Listener.Addr().String()
			l.net.mu.Unlock()
		}
	}
}

// syncSlices plays the EndpointSlice controller for Services with selectors.
func (l *lab) syncSlices() {
	ctx := context.Background()
	svcs, _ := l.client.CoreV1().Services("").List(ctx, metav1.ListOptions{})
	pods, _ := l.client.CoreV1().Pods("").List(ctx, metav1.ListOptions{})
	for _, s := range svcs.Items {
		if len(s.Spec.Selector) == 0 || s.Spec.Type == corev1.ServiceTypeExternalName {
			continue
		}
		sl := &discoveryv1.EndpointSlice{
			ObjectMeta:  metav1.ObjectMeta{Namespace: s.Namespace, Name: s.Name + "-auto", Labels: map[string]string{discoveryv1.LabelServiceName: s.Name}},
			AddressType: discoveryv1.AddressTypeIPv4,
		}
		sel := labels.SelectorFromSet(s.Spec.Selector)
		for _, p := range pods.Items {
			if p.Namespace != s.Namespace || !sel.Matches(labels.Set(p.Labels)) {
				continue
			}
			ready := podReady(&p)
			node := p.Spec.NodeName
			sl.Endpoints = append(sl.Endpoints, discoveryv1.Endpoint{
				Addresses:  []string{p.Status.PodIP},
				Conditions: discoveryv1.EndpointConditions{Ready: &ready},
				NodeName:   &node,
				TargetRef:  &corev1.ObjectReference{Kind: "Pod", Namespace: p.Namespace, Name: p.Name},
			})
		}
		_ = l.client.DiscoveryV1().EndpointSlices(s.Namespace).Delete(ctx, sl.Name, metav1.DeleteOptions{})
		if _, err := l.client.DiscoveryV1().EndpointSlices(s.Namespace).Create(ctx, sl, metav1.CreateOptions{}); err != nil {
			l.t.Fatal(err)
		}
	}
}

func podReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// --- object builders ---

// cport is a container port of a test pod.
type cport struct {
	name string
	port int32
	tls  bool // served with TLS
	down bool // declared, but nothing listens
}

func pod(name, ip, node, lbls string, ports ...cport) *corev1.Pod {
	set, err := labels.ConvertSelectorToLabelsMap(lbls)
	if err != nil {
		panic(err)
	}
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Labels: set, Annotations: map[string]string{}},
		Spec:       corev1.PodSpec{NodeName: node, Containers: []corev1.Container{{Name: "app"}}},
		Status: corev1.PodStatus{PodIP: ip, Phase: corev1.PodRunning,
			Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}}},
	}
	var tlsPorts, down []string
	for _, c := range ports {
		p.Spec.Containers[0].Ports = append(p.Spec.Containers[0].Ports, corev1.ContainerPort{Name: c.name, ContainerPort: c.port})
		if c.tls {
			tlsPorts = append(tlsPorts, strconv.Itoa(int(c.port)))
		}
		if c.down {
			down = append(down, strconv.Itoa(int(c.port)))
		}
	}
	p.Annotations[annTLS] = strings.Join(tlsPorts, ",")
	p.Annotations[annDown] = strings.Join(down, ",")
	return p
}

func notReady(p *corev1.Pod) *corev1.Pod {
	p.Status.Conditions[0].Status = corev1.ConditionFalse
	return p
}

// httpGo is n pods like the course's http-go: app=http-go, port 8080, on node worker/worker2.
func httpGo(n int) []runtime.Object {
	var out []runtime.Object
	for i := 0; i < n; i++ {
		out = append(out, pod(fmt.Sprintf("http-go-%c", 'a'+i), fmt.Sprintf("10.244.1.%d", 10+i),
			[]string{"lab-worker", "lab-worker2"}[i%2], "app=http-go", cport{name: "http", port: 8080}))
	}
	return out
}

func svcPort(name string, port int32, target any) corev1.ServicePort {
	sp := corev1.ServicePort{Name: name, Port: port, Protocol: corev1.ProtocolTCP}
	switch t := target.(type) {
	case int:
		sp.TargetPort = intstr.FromInt32(int32(t))
	case string:
		sp.TargetPort = intstr.FromString(t)
	}
	return sp
}

func svcObj(name, clusterIP, selector string, ports ...corev1.ServicePort) *corev1.Service {
	s := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec:       corev1.ServiceSpec{Type: corev1.ServiceTypeClusterIP, ClusterIP: clusterIP, Ports: ports, SessionAffinity: corev1.ServiceAffinityNone},
	}
	if selector != "" {
		s.Spec.Selector, _ = labels.ConvertSelectorToLabelsMap(selector)
	}
	return s
}

func withType(s *corev1.Service, t corev1.ServiceType) *corev1.Service { s.Spec.Type = t; return s }

func nodeObj(name, ip string) *corev1.Node {
	return &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name},
		Status: corev1.NodeStatus{Addresses: []corev1.NodeAddress{
			{Type: corev1.NodeHostName, Address: name}, {Type: corev1.NodeInternalIP, Address: ip}}}}
}

// kindNodes is a three-node kind cluster.
func kindNodes() []runtime.Object {
	return []runtime.Object{nodeObj("lab-control-plane", "172.18.0.2"), nodeObj("lab-worker", "172.18.0.3"), nodeObj("lab-worker2", "172.18.0.4")}
}

// mirroredSlice is what the EndpointSlice mirroring controller makes of
// manual Endpoints (no pods behind the addresses).
func mirroredSlice(svc string, addrs ...string) *discoveryv1.EndpointSlice {
	ready := true
	sl := &discoveryv1.EndpointSlice{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: svc + "-mirrored", Labels: map[string]string{
			discoveryv1.LabelServiceName: svc, discoveryv1.LabelManagedBy: "endpointslicemirroring-controller.k8s.io"}},
		AddressType: discoveryv1.AddressTypeIPv4,
	}
	for _, a := range addrs {
		sl.Endpoints = append(sl.Endpoints, discoveryv1.Endpoint{Addresses: []string{a}, Conditions: discoveryv1.EndpointConditions{Ready: &ready}})
	}
	return sl
}

func ingressClass(name, controller string, isDefault bool) *networkingv1.IngressClass {
	c := &networkingv1.IngressClass{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: networkingv1.IngressClassSpec{Controller: controller}}
	if isDefault {
		c.Annotations = map[string]string{networkingv1.AnnotationIsDefaultIngressClass: "true"}
	}
	return c
}

// route is one host/path rule of a test Ingress.
type route struct{ host, path, service string }

func ingressObj(name, class string, routes ...route) *networkingv1.Ingress {
	ing := &networkingv1.Ingress{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}
	if class != "" {
		ing.Spec.IngressClassName = &class
	}
	prefix := networkingv1.PathTypePrefix
	for _, r := range routes {
		path := networkingv1.HTTPIngressPath{Path: r.path, PathType: &prefix, Backend: networkingv1.IngressBackend{
			Service: &networkingv1.IngressServiceBackend{Name: r.service, Port: networkingv1.ServiceBackendPort{Number: 80}}}}
		var rule *networkingv1.IngressRule
		for i := range ing.Spec.Rules {
			if ing.Spec.Rules[i].Host == r.host {
				rule = &ing.Spec.Rules[i]
			}
		}
		if rule == nil {
			ing.Spec.Rules = append(ing.Spec.Rules, networkingv1.IngressRule{Host: r.host,
				IngressRuleValue: networkingv1.IngressRuleValue{HTTP: &networkingv1.HTTPIngressRuleValue{}}})
			rule = &ing.Spec.Rules[len(ing.Spec.Rules)-1]
		}
		rule.HTTP.Paths = append(rule.HTTP.Paths, path)
	}
	return ing
}

func withTLS(ing *networkingv1.Ingress, secret string, hosts ...string) *networkingv1.Ingress {
	ing.Spec.TLS = append(ing.Spec.TLS, networkingv1.IngressTLS{Hosts: hosts, SecretName: secret})
	return ing
}

func addressed(ing *networkingv1.Ingress, ip string) *networkingv1.Ingress {
	ing.Status.LoadBalancer.Ingress = []networkingv1.IngressLoadBalancerIngress{{IP: ip}}
	return ing
}

// --- certificates ---

// testCert is a self-signed certificate and its key, PEM and parsed.
type testCert struct {
	certPEM, keyPEM []byte
	pair            tls.Certificate
	leaf            *x509.Certificate
}

var serial atomic.Int64

// newCert makes a self-signed certificate with the given subject CN and SANs
// (ECDSA: fast, and the checks only compare certificates).
func newCert(t testing.TB, cn string, sans ...string) testCert {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial.Add(1)),
		Subject:      pkix.Name{CommonName: cn, Organization: []string{"labctl test"}},
		DNSNames:     sans,
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(365 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	c := testCert{
		certPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		keyPEM:  pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}),
	}
	if c.pair, err = tls.X509KeyPair(c.certPEM, c.keyPEM); err != nil {
		t.Fatal(err)
	}
	c.leaf, _ = x509.ParseCertificate(der)
	return c
}

func tlsSecret(name string, c testCert) *corev1.Secret {
	return &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Type: corev1.SecretTypeTLS,
		Data: map[string][]byte{corev1.TLSCertKey: c.certPEM, corev1.TLSPrivateKeyKey: c.keyPEM}}
}

// --- the network ---

// testNet implements Network over the test cluster's real local servers.
type testNet struct {
	lab *lab

	mu sync.Mutex
	// listeners maps podIP:containerPort to the local server's address.
	listeners map[string]string
	// hostReachesNodes: node and LoadBalancer addresses answer from the host (Linux).
	hostReachesNodes bool
	// hostIntercept: from the host, this address is answered by another
	// local server (a proxy on the student's network).
	hostIntercept map[string]string
	// hostLeak: from the host, this cluster address is reachable as from a node.
	hostLeak map[string]bool
	// silentNodes: NodePorts on these node IPs refuse connections.
	silentNodes map[string]bool
	// httpErr makes HTTP fail as a whole (the node exec failed).
	httpErr error
	// rr is kube-proxy's round-robin position per Service port.
	rr map[string]int
	// calls records every request: "from URL Host".
	calls []string

	dnsAddr string
	dnsNet  string
	// dnsCache keeps CoreDNS's first answer to each question for good, as
	// its cache does for up to 30 s after a change (nil: no cache).
	dnsCache map[string]*dns.Msg
}

func (n *testNet) HTTP(ctx context.Context, from Vantage, node string, req HTTPRequest, count int) ([]HTTPResponse, error) {
	n.mu.Lock()
	n.calls = append(n.calls, strings.TrimSpace(fmt.Sprintf("%s %s %s", from, req.URL, req.Host)))
	err := n.httpErr
	n.mu.Unlock()
	if err != nil {
		return nil, err
	}
	out := make([]HTTPResponse, count)
	for i := range out {
		out[i] = n.do(ctx, from, req)
	}
	return out, nil
}

func (n *testNet) callsFrom(v Vantage) []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	var out []string
	for _, c := range n.calls {
		if strings.HasPrefix(c, string(v)+" ") {
			out = append(out, c)
		}
	}
	return out
}

func (n *testNet) do(ctx context.Context, from Vantage, req HTTPRequest) HTTPResponse {
	dial := func(ctx context.Context, _, addr string) (net.Conn, error) { return n.dial(ctx, from, addr) }
	return SendOnce(ctx, dial, 5*time.Second, req)
}

// timeoutErr is what a client sees for an address with no route: nothing
// answers (reported at once, so tests do not wait).
type timeoutErr struct{ addr string }

func (e timeoutErr) Error() string   { return "dial tcp " + e.addr + ": i/o timeout" }
func (e timeoutErr) Timeout() bool   { return true }
func (e timeoutErr) Temporary() bool { return true }

func refused() error {
	return &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
}

// dial plays kube-proxy (and the host's routing table).
func (n *testNet) dial(ctx context.Context, from Vantage, addr string) (net.Conn, error) {
	var d net.Dialer
	ip, port, err := splitAddr(addr)
	if err != nil {
		return nil, err
	}
	if ip.IsLoopback() { // the ingress controller's published ports
		return d.DialContext(ctx, "tcp", addr)
	}
	n.mu.Lock()
	intercept, leak, reach := n.hostIntercept[addr], n.hostLeak[addr], n.hostReachesNodes
	n.mu.Unlock()
	target, kind := n.resolve(ctx, from, ip, port)
	if from == FromHost && !leak {
		switch {
		case intercept != "":
			return d.DialContext(ctx, "tcp", intercept)
		case kind == "clusterIP" || kind == "pod" || kind == "" || !reach:
			return nil, timeoutErr{addr}
		}
	}
	if kind == "" {
		return nil, timeoutErr{addr}
	}
	if target == "" {
		return nil, refused()
	}
	return d.DialContext(ctx, "tcp", target)
}

func splitAddr(addr string) (netip.Addr, int32, error) {
	h, p, err := net.SplitHostPort(addr)
	if err != nil {
		return netip.Addr{}, 0, err
	}
	ip, err := netip.ParseAddr(h)
	if err != nil {
		return netip.Addr{}, 0, fmt.Errorf("no such host %s", h)
	}
	port, _ := strconv.Atoi(p)
	return ip, int32(port), nil
}

// resolve finds what ip:port is in the cluster (kind: clusterIP, nodePort,
// loadBalancer, pod; "" for nothing) and the local listener of the backend
// kube-proxy would pick ("" when nothing listens: connection refused).
func (n *testNet) resolve(ctx context.Context, from Vantage, ip netip.Addr, port int32) (target, kind string) {
	c := n.lab.client
	n.mu.Lock()
	for k, v := range n.listeners {
		if k == net.JoinHostPort(ip.String(), strconv.Itoa(int(port))) {
			n.mu.Unlock()
			return v, "pod"
		}
	}
	n.mu.Unlock()
	nodes, _ := c.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	isNode := false
	for _, nd := range nodes.Items {
		for _, a := range nd.Status.Addresses {
			if a.Type == corev1.NodeInternalIP && a.Address == ip.String() {
				isNode = true
			}
		}
	}
	svcs, _ := c.CoreV1().Services("").List(ctx, metav1.ListOptions{})
	for i := range svcs.Items {
		s := &svcs.Items[i]
		for _, sp := range s.Spec.Ports {
			switch {
			case s.Spec.ClusterIP == ip.String() && sp.Port == port:
				kind = "clusterIP"
			case isNode && sp.NodePort == port && sp.NodePort != 0:
				kind = "nodePort"
				n.mu.Lock()
				silent := n.silentNodes[ip.String()]
				n.mu.Unlock()
				if silent {
					return "", kind
				}
			case s.Spec.Type == corev1.ServiceTypeLoadBalancer && lbIP(s) == ip.String() && sp.Port == port:
				kind = "loadBalancer"
			default:
				continue
			}
			return n.backend(ctx, from, s, sp), kind
		}
	}
	if isNode {
		return "", "node"
	}
	// a pod's IP with nothing listening on the port refuses the connection
	pods, _ := c.CoreV1().Pods("").List(ctx, metav1.ListOptions{})
	for _, p := range pods.Items {
		if p.Status.PodIP == ip.String() {
			return "", "pod"
		}
	}
	return "", ""
}

func lbIP(s *corev1.Service) string {
	for _, in := range s.Status.LoadBalancer.Ingress {
		return in.IP
	}
	return ""
}

// backend picks a ready endpoint of s (ClientIP affinity: always the same
// one for a client; otherwise round robin) and returns its listener for the
// Service port's targetPort.
func (n *testNet) backend(ctx context.Context, from Vantage, s *corev1.Service, sp corev1.ServicePort) string {
	c := n.lab.client
	slices, _ := c.DiscoveryV1().EndpointSlices(s.Namespace).List(ctx, metav1.ListOptions{
		LabelSelector: discoveryv1.LabelServiceName + "=" + s.Name})
	type ep struct{ ip, pod string }
	var eps []ep
	for _, sl := range slices.Items {
		for _, e := range sl.Endpoints {
			if e.Conditions.Ready != nil && !*e.Conditions.Ready {
				continue
			}
			x := ep{ip: e.Addresses[0]}
			if e.TargetRef != nil {
				x.pod = e.TargetRef.Name
			}
			eps = append(eps, x)
		}
	}
	if len(eps) == 0 {
		return ""
	}
	sort.Slice(eps, func(i, j int) bool { return eps[i].ip < eps[j].ip })
	key := s.Namespace + "/" + s.Name + ":" + strconv.Itoa(int(sp.Port))
	n.mu.Lock()
	var e ep
	if s.Spec.SessionAffinity == corev1.ServiceAffinityClientIP {
		e = eps[len(from)%len(eps)]
	} else {
		e = eps[n.rr[key]%len(eps)]
		n.rr[key]++
	}
	n.mu.Unlock()
	tp := sp.TargetPort.IntValue()
	if sp.TargetPort.Type == intstr.String { // a named port: the pod's container port of that name
		tp = 0
		if p, err := c.CoreV1().Pods(s.Namespace).Get(ctx, e.pod, metav1.GetOptions{}); err == nil {
			for _, ct := range p.Spec.Containers {
				for _, cp := range ct.Ports {
					if cp.Name == sp.TargetPort.StrVal {
						tp = int(cp.ContainerPort)
					}
				}
			}
		}
	}
	if tp == 0 {
		tp = int(sp.Port)
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.listeners[net.JoinHostPort(e.ip, strconv.Itoa(tp))]
}

func (n *testNet) HostReachesNodes(context.Context) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.hostReachesNodes
}

func (n *testNet) IngressURLs(context.Context) (string, string, error) {
	if n.lab.ctrl == nil {
		return "", "", errors.New("no ingress controller published")
	}
	return n.lab.ctrl.http.URL, n.lab.ctrl.https.URL, nil
}

// DNS asks the test CoreDNS over UDP (or TCP) with a real dns.Client.
func (n *testNet) DNS(ctx context.Context, name string, qtype uint16) (*dns.Msg, error) {
	c := &dns.Client{Net: n.dnsNet, Timeout: 5 * time.Second}
	m := new(dns.Msg)
	m.SetQuestion(dns.Fqdn(name), qtype)
	r, _, err := c.ExchangeContext(ctx, m, n.dnsAddr)
	return r, err
}

// --- CoreDNS ---

// startDNS serves the cluster zone on 127.0.0.1, UDP and TCP on one port.
func (l *lab) startDNS() {
	l.t.Helper()
	var pc net.PacketConn
	var ln net.Listener
	var err error
	for range 20 {
		if pc, err = net.ListenPacket("udp", "127.0.0.1:0"); err != nil {
			continue
		}
		if ln, err = net.Listen("tcp", pc.LocalAddr().String()); err == nil {
			break
		}
		pc.Close()
	}
	if err != nil {
		l.t.Fatal(err)
	}
	h := dns.HandlerFunc(l.serveDNS)
	for _, s := range []*dns.Server{{PacketConn: pc, Handler: h}, {Listener: ln, Handler: h}} {
		started := make(chan struct{})
		s.NotifyStartedFunc = func() { close(started) }
		go func() { _ = s.ActivateAndServe() }()
		<-started
		l.t.Cleanup(func() { _ = s.Shutdown() })
	}
	l.net.dnsAddr, l.net.dnsNet = pc.LocalAddr().String(), "udp"
}

// cacheDNS makes the fake CoreDNS keep its first answer to each question.
func (n *testNet) cacheDNS() {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.dnsCache = map[string]*dns.Msg{}
}

// serveDNS answers as CoreDNS's kubernetes plugin does for Services:
// ExternalName → CNAME, headless → one A per ready endpoint (every endpoint
// with publishNotReadyAddresses), otherwise the
// ClusterIP; names outside the cluster zone are NXDOMAIN (no upstream).
func (l *lab) serveDNS(w dns.ResponseWriter, r *dns.Msg) {
	m := new(dns.Msg)
	m.SetReply(r)
	m.Authoritative = true
	q := r.Question[0]
	key := q.String()
	l.net.mu.Lock()
	cached, caching := l.net.dnsCache[key]
	caching = caching || l.net.dnsCache != nil
	l.net.mu.Unlock()
	if cached != nil {
		c := cached.Copy()
		c.Id = r.Id
		_ = w.WriteMsg(c)
		return
	}
	defer func() {
		if caching {
			l.net.mu.Lock()
			l.net.dnsCache[key] = m.Copy()
			l.net.mu.Unlock()
		}
		_ = w.WriteMsg(m)
	}()
	rest, ok := strings.CutSuffix(strings.ToLower(q.Name), ".svc.cluster.local.")
	parts := strings.Split(rest, ".")
	if !ok || len(parts) != 2 {
		m.Rcode = dns.RcodeNameError
		return
	}
	ctx := context.Background()
	s, err := l.client.CoreV1().Services(parts[1]).Get(ctx, parts[0], metav1.GetOptions{})
	if err != nil {
		m.Rcode = dns.RcodeNameError
		return
	}
	hdr := func(t uint16) dns.RR_Header {
		return dns.RR_Header{Name: q.Name, Rrtype: t, Class: dns.ClassINET, Ttl: 30}
	}
	switch {
	case s.Spec.Type == corev1.ServiceTypeExternalName:
		m.Answer = append(m.Answer, &dns.CNAME{Hdr: hdr(dns.TypeCNAME), Target: dns.Fqdn(s.Spec.ExternalName)})
	case q.Qtype != dns.TypeA:
		// NODATA
	case s.Spec.ClusterIP == corev1.ClusterIPNone:
		slices, _ := l.client.DiscoveryV1().EndpointSlices(s.Namespace).List(ctx, metav1.ListOptions{
			LabelSelector: discoveryv1.LabelServiceName + "=" + s.Name})
		for _, sl := range slices.Items {
			for _, e := range sl.Endpoints {
				if e.Conditions.Ready != nil && !*e.Conditions.Ready && !s.Spec.PublishNotReadyAddresses {
					continue
				}
				m.Answer = append(m.Answer, &dns.A{Hdr: hdr(dns.TypeA), A: net.ParseIP(e.Addresses[0])})
			}
		}
	default:
		m.Answer = append(m.Answer, &dns.A{Hdr: hdr(dns.TypeA), A: net.ParseIP(s.Spec.ClusterIP)})
	}
	if len(m.Answer) == 0 {
		m.Ns = append(m.Ns, &dns.SOA{Hdr: dns.RR_Header{Name: "cluster.local.", Rrtype: dns.TypeSOA, Class: dns.ClassINET, Ttl: 30},
			Ns: "ns.dns.cluster.local.", Mbox: "hostmaster.cluster.local.", Serial: 1, Refresh: 7200, Retry: 1800, Expire: 86400, Minttl: 30})
	}
}

// --- the ingress controller ---

const (
	nginxFakeCN   = "Kubernetes Ingress Controller Fake Certificate"
	traefikFakeCN = "TRAEFIK DEFAULT CERT"
)

// ingressController routes like ingress-nginx or Traefik from the fake
// Ingresses, on real HTTP and HTTPS listeners on 127.0.0.1.
type ingressController struct {
	l          *lab
	controller string // nginxController or traefikController
	def        testCert
	http       *httptest.Server
	https      *httptest.Server
	// stale: the controller has not loaded any Secret yet (default certificate for all).
	stale bool
}

// startIngress publishes a controller of the given kind.
func (l *lab) startIngress(controller string) *ingressController {
	l.t.Helper()
	c := &ingressController{l: l, controller: controller}
	if controller == traefikController {
		c.def = newCert(l.t, traefikFakeCN, "a1b2c3.traefik.default")
	} else {
		c.def = newCert(l.t, nginxFakeCN, "ingress.local")
	}
	c.http = httptest.NewServer(http.HandlerFunc(c.serveHTTP))
	c.https = httptest.NewUnstartedServer(http.HandlerFunc(c.serveHTTP))
	c.https.TLS = &tls.Config{Certificates: []tls.Certificate{c.def.pair}, GetCertificate: c.certificate}
	c.https.StartTLS()
	l.t.Cleanup(c.http.Close)
	l.t.Cleanup(c.https.Close)
	l.ctrl = c
	return c
}

// ingresses are the Ingresses this controller serves: those of a class
// of its own, and those without class.
func (c *ingressController) ingresses() []networkingv1.Ingress {
	ctx := context.Background()
	list, _ := c.l.client.NetworkingV1().Ingresses("").List(ctx, metav1.ListOptions{})
	var out []networkingv1.Ingress
	for _, ing := range list.Items {
		if n := ing.Spec.IngressClassName; n != nil && *n != "" {
			class, err := c.l.client.NetworkingV1().IngressClasses().Get(ctx, *n, metav1.GetOptions{})
			if err != nil || class.Spec.Controller != c.controller {
				continue
			}
		}
		out = append(out, ing)
	}
	return out
}

// certificate picks the Secret of a tls: entry for the SNI name (an entry
// without hosts covers every host) when its certificate names that host (CN
// or SAN, as both controllers match), else the default certificate.
func (c *ingressController) certificate(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	if c.stale {
		return &c.def.pair, nil
	}
	for _, ing := range c.ingresses() {
		for _, t := range ing.Spec.TLS {
			if len(t.Hosts) > 0 && !contains(t.Hosts, hello.ServerName) {
				continue
			}
			if pair := c.l.pairFor(ing.Namespace, t.SecretName, hello.ServerName); pair != nil {
				return pair, nil
			}
		}
	}
	return &c.def.pair, nil
}

// pairFor is the key pair of a kubernetes.io/tls Secret when its
// certificate names host (CN or SAN, as both controllers match), else nil.
func (l *lab) pairFor(ns, secret, host string) *tls.Certificate {
	sec, err := l.client.CoreV1().Secrets(ns).Get(context.Background(), secret, metav1.GetOptions{})
	if err != nil || sec.Type != corev1.SecretTypeTLS {
		return nil
	}
	pair, err := tls.X509KeyPair(sec.Data[corev1.TLSCertKey], sec.Data[corev1.TLSPrivateKeyKey])
	if err != nil {
		return nil
	}
	leaf, _ := x509.ParseCertificate(pair.Certificate[0])
	if !contains(append([]string{leaf.Subject.CommonName}, leaf.DNSNames...), host) {
		return nil
	}
	return &pair
}

func (c *ingressController) serveHTTP(w http.ResponseWriter, r *http.Request) {
	host := hostOnly(r.Host)
	var best *networkingv1.HTTPIngressPath
	var bestNS string
	// A rule for the host wins over a wildcard rule, and that over a rule
	// without host (which matches every host); within them, the longest
	// matching path. ingress-nginx matches paths as the spec says; Traefik
	// matches a Prefix path as written (trailing slash included).
	_, parent, _ := strings.Cut(host, ".")
	matches := func(p networkingv1.HTTPIngressPath) bool {
		if c.controller == traefikController {
			if p.PathType != nil && *p.PathType == networkingv1.PathTypeExact {
				return r.URL.Path == p.Path
			}
			return strings.HasPrefix(r.URL.Path, p.Path)
		}
		return specMatch(p.PathType, p.Path, r.URL.Path)
	}
	for _, want := range []string{host, "*." + parent, ""} {
		for _, ing := range c.ingresses() {
			for _, rule := range ing.Spec.Rules {
				if rule.Host != want || rule.HTTP == nil {
					continue
				}
				for i, p := range rule.HTTP.Paths {
					if matches(p) && (best == nil || len(p.Path) > len(best.Path)) {
						best, bestNS = &rule.HTTP.Paths[i], ing.Namespace
					}
				}
			}
		}
		if best != nil {
			break
		}
	}
	if best == nil {
		http.NotFound(w, r)
		return
	}
	b := best.Backend.Service
	s, err := c.l.client.CoreV1().Services(bestNS).Get(r.Context(), b.Name, metav1.GetOptions{})
	if err != nil {
		if c.controller == traefikController { // Traefik drops a route to a missing Service
			http.NotFound(w, r)
		} else { // ingress-nginx sends it to its default backend
			http.Error(w, "503 Service Temporarily Unavailable", http.StatusServiceUnavailable)
		}
		return
	}
	port := b.Port.Number
	for _, sp := range s.Spec.Ports {
		if b.Port.Name != "" && sp.Name == b.Port.Name {
			port = sp.Port
		}
	}
	rs, err := c.l.net.HTTP(r.Context(), FromNode, "", HTTPRequest{URL: "http://" + hostPort(s.Spec.ClusterIP, port) + r.URL.Path}, 1)
	if err != nil || rs[0].Status == 0 {
		http.Error(w, "502 Bad Gateway", http.StatusBadGateway)
		return
	}
	w.WriteHeader(rs[0].Status)
	io.WriteString(w, rs[0].Body)
}

// --- helpers for the tests ---

// params parses YAML into the node a check's params are.
func params(t testing.TB, s string) *yaml.Node {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(s), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Content) == 0 {
		return &yaml.Node{}
	}
	return doc.Content[0]
}

// build makes a checker of kind from YAML params.
func build(t testing.TB, kind, p string) Checker {
	t.Helper()
	c, err := Build(kind, params(t, p))
	if err != nil {
		t.Fatalf("Build(%s, %s): %v", kind, p, err)
	}
	return c
}

// check builds and runs one attempt of a check against the lab.
func (l *lab) check(kind, p string) Outcome {
	l.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	o := build(l.t, kind, p).Check(ctx, l.env)
	for _, lang := range i18n.Langs {
		if s := render(o, lang); strings.Contains(s, "%!") {
			l.t.Errorf("badly formatted message (%s): %s", lang, s)
		}
	}
	return o
}

// render is the message and the evidence as a student reads them.
func render(o Outcome, lang i18n.Lang) string {
	var msg string
	if o.Err != nil {
		msg = i18n.Localize(o.Err, lang)
	} else {
		msg = o.Msg.F(lang, o.Args...)
	}
	return strings.Join(append([]string{msg}, o.Evidence...), "\n")
}

// verdict says what the runner would make of one outcome.
func verdict(o Outcome) string {
	switch {
	case o.Err != nil:
		return "error"
	case o.Pass:
		return "pass"
	case o.Final:
		return "fail (final)"
	}
	return "fail"
}

// expect asserts an outcome's verdict, its message ID, and that the
// English message plus evidence contain every want.
func expect(t *testing.T, o Outcome, wantVerdict string, msg i18n.Message, want ...string) {
	t.Helper()
	text := render(o, i18n.En)
	if got := verdict(o); got != wantVerdict {
		t.Errorf("verdict %q, want %q\n%s", got, wantVerdict, text)
	}
	if msg.ID != "" && o.Msg.ID != msg.ID {
		t.Errorf("message %q, want %q\n%s", o.Msg.ID, msg.ID, text)
	}
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("%q not in\n%s", w, text)
		}
	}
}
