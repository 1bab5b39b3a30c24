package cli

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/miekg/dns"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/labctl/labctl/cluster"
	"github.com/labctl/labctl/i18n"
	"github.com/labctl/labctl/internal/svcport"
	"github.com/labctl/labctl/proxy"
)

// syncBuffer is a command's stdout written from the proxy's goroutines;
// seen is signalled at every write.
type syncBuffer struct {
	mu   sync.Mutex
	b    bytes.Buffer
	seen chan struct{}
}

func newSyncBuffer() *syncBuffer { return &syncBuffer{seen: make(chan struct{}, 1)} }

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, err := s.b.Write(p)
	select {
	case s.seen <- struct{}{}:
	default:
	}
	return n, err
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitFor waits until the output matches re (a hang detector, not a
// timing requirement) and returns the first submatch.
func (s *syncBuffer) waitFor(t *testing.T, re *regexp.Regexp) string {
	t.Helper()
	deadline := time.After(time.Minute)
	for {
		if m := re.FindStringSubmatch(s.String()); m != nil {
			return m[len(m)-1]
		}
		select {
		case <-s.seen:
		case <-deadline:
			t.Fatalf("output never matched %s:\n%s", re, s.String())
		}
	}
}

// coreDeps are deps whose OpenCore gives core (or fails with openErr);
// opened counts the calls.
func coreDeps(l i18n.Lang, out io.Writer, core proxyCore, openErr error, opened *int) deps {
	return deps{Out: out, ErrOut: io.Discard, Lang: l, In: strings.NewReader(""),
		OpenCore: func(context.Context, proxy.Transport) (proxyCore, error) {
			*opened++
			if openErr != nil {
				return nil, openErr
			}
			return core, nil
		}}
}

// fakeCore is the proxy core on a fake clientset, reaching endpoints
// directly (they listen on this computer).
func fakeCore(t *testing.T, objs ...runtime.Object) *proxy.Cluster {
	t.Helper()
	c := proxy.NewCluster(nil, fake.NewSimpleClientset(objs...), proxy.WithTransport(proxy.TransportDirect))
	t.Cleanup(func() { c.Close() })
	return c
}

func webService(ports ...corev1.ServicePort) *corev1.Service {
	return &corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "web"},
		Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeClusterIP, ClusterIP: "10.96.0.20", Ports: ports}}
}

// webSlice puts one ready pod, web-a, at addr behind the Service's port
// named name.
func webSlice(addr *net.TCPAddr, name string) *discoveryv1.EndpointSlice {
	port, proto, ready, node := int32(addr.Port), corev1.ProtocolTCP, true, "lab-worker"
	return &discoveryv1.EndpointSlice{
		ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "web-x",
			Labels: map[string]string{discoveryv1.LabelServiceName: "web"}},
		AddressType: discoveryv1.AddressTypeIPv4,
		Ports:       []discoveryv1.EndpointPort{{Name: &name, Port: &port, Protocol: &proto}},
		Endpoints: []discoveryv1.Endpoint{{Addresses: []string{addr.IP.String()},
			Conditions: discoveryv1.EndpointConditions{Ready: &ready}, NodeName: &node,
			TargetRef: &corev1.ObjectReference{Kind: "Pod", Namespace: "default", Name: "web-a", UID: types.UID("uid-web-a")}}},
	}
}

func proxyArgs(edit func(*proxyFlags)) *proxyFlags {
	f := &proxyFlags{namespace: "default", address: "127.0.0.1", scheduler: "rr", transport: "direct", interval: time.Hour}
	if edit != nil {
		edit(f)
	}
	return f
}

// labctl proxy's failures, before and after the cluster is reached: the
// exit code and what the student reads, in both languages.
func TestRunProxyFails(t *testing.T) {
	http := corev1.ServicePort{Name: "http", Port: 80}
	metrics := corev1.ServicePort{Name: "metrics", Port: 9090}
	cases := []struct {
		name    string
		target  string
		edit    func(*proxyFlags)
		objs    []runtime.Object
		openErr error
		opens   int // whether the cluster was reached
		code    int
		en, ko  string
	}{
		{"not a Service", "pod/web", nil, nil, nil, 0, exitUsage, "svc/NAME", "svc/NAME"},
		{"bad --port", "svc/web", func(f *proxyFlags) { f.port = "a:b:c" }, nil, nil, 0, exitUsage, "LOCAL:SERVICE", "로컬:서비스"},
		{"no cluster", "svc/web", nil, nil, marked(cluster.ErrNoCluster), 1, exitUsage, "the lab is not there", "실습 클러스터가 없습니다"},
		{"no such Service", "svc/nope", nil, nil, nil, 1, exitFailure, "default/nope", "default/nope"},
		{"several TCP ports, none given: they are named", "svc/web", nil, []runtime.Object{webService(http, metrics)}, nil, 1, exitFailure,
			"several TCP ports: say which one, by name or number (it has: 80 (http), 9090 (metrics))", "TCP 포트가 여러 개입니다"},
		{"no such port", "svc/web", func(f *proxyFlags) { f.port = ":https" }, []runtime.Object{webService(http, metrics)}, nil, 1, exitFailure,
			"has no port https (it has: 80 (http), 9090 (metrics))", "https 포트가 없습니다"},
	}
	for _, tc := range cases {
		for _, l := range []i18n.Lang{i18n.En, i18n.Ko} {
			t.Run(tc.name+"/"+string(l), func(t *testing.T) {
				opened := 0
				d := coreDeps(l, io.Discard, fakeCore(t, tc.objs...), tc.openErr, &opened)
				err := runProxy(context.Background(), d, proxyArgs(tc.edit), tc.target)
				if got := exitCode(context.Background(), err); got != tc.code {
					t.Errorf("exit %d, want %d (%v)", got, tc.code, err)
				}
				if opened != tc.opens {
					t.Errorf("the cluster was opened %d times, want %d", opened, tc.opens)
				}
				want := tc.en
				if l == i18n.Ko {
					want = tc.ko
				}
				if msg := i18n.Localize(err, l); !strings.Contains(msg, want) {
					t.Errorf("%q does not say %q", msg, want)
				}
				if fix := i18n.FixOf(err, l); errors.Is(err, svcport.ErrPort) && !strings.Contains(fix, "--port") {
					t.Errorf("a port error's fix does not name --port: %q", fix)
				}
			})
		}
	}
}

// labctl proxy end to end on a fake cluster: the banner names the port the
// rule chose, a connection reaches the pod, and after Ctrl-C the last
// table counts it; the exit code is 130.
func TestRunProxyServes(t *testing.T) {
	backend, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer backend.Close()
	go func() {
		for {
			c, err := backend.Accept()
			if err != nil {
				return
			}
			_, _ = c.Write([]byte("hello from web-a\n"))
			c.Close()
		}
	}()
	addr := backend.Addr().(*net.TCPAddr)
	dnsPort := corev1.ServicePort{Name: "dns", Port: 53, Protocol: corev1.ProtocolUDP}
	core := fakeCore(t, webService(dnsPort, corev1.ServicePort{Name: "http", Port: 80}), webSlice(addr, "http"))
	out := newSyncBuffer()
	opened := 0
	d := coreDeps(i18n.En, out, core, nil, &opened)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- runProxy(ctx, d, proxyArgs(nil), "svc/web") }()

	listen := out.waitFor(t, regexp.MustCompile(`proxying (127\.0\.0\.1:\d+) → service default/web port - \(scheduler rr\)`))
	out.waitFor(t, regexp.MustCompile(`POD +NODE`)) // the first reading, at once
	conn, err := net.Dial("tcp", listen)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(conn)
	conn.Close()
	if string(got) != "hello from web-a\n" {
		t.Fatalf("through the proxy: %q", got)
	}
	cancel()
	var runErr error
	select {
	case runErr = <-done:
	case <-time.After(time.Minute):
		t.Fatal("runProxy did not return after Ctrl-C")
	}
	if code := exitCode(ctx, runErr); code != exitInterrupted {
		t.Errorf("exit %d, want %d (%v)", code, exitInterrupted, runErr)
	}
	// the last table, after Ctrl-C: web-a had the one connection
	tables := strings.Split(out.String(), "--- ")
	last := tables[len(tables)-1]
	if !regexp.MustCompile(`web-a +lab-worker +127\.0\.0\.1:` + strconv.Itoa(addr.Port) + ` +1 +100%`).MatchString(last) {
		t.Errorf("the last table does not count the connection:\n%s", out.String())
	}
}

// dnsCore answers QueryDNS with a fixed reply and records the question.
type dnsCore struct {
	proxyCore
	asked  string
	err    error
	closed bool
}

func (c *dnsCore) ClusterDomain() string { return "cluster.local" }
func (c *dnsCore) Close() error          { c.closed = true; return nil }
func (c *dnsCore) QueryDNS(_ context.Context, m *dns.Msg) (*proxy.DNSResult, error) {
	c.asked = m.Question[0].Name + " " + dns.TypeToString[m.Question[0].Qtype]
	if c.err != nil {
		return nil, c.err
	}
	res := &proxy.DNSResult{Msg: new(dns.Msg), RTT: 2 * time.Millisecond,
		Server: proxy.Endpoint{Namespace: "kube-system", Pod: "coredns-abc", IP: netip.MustParseAddr("10.244.0.3"), Port: 53}}
	res.Msg.SetReply(m)
	rr, err := dns.NewRR(m.Question[0].Name + " 30 IN A 10.96.0.20")
	if err != nil {
		return nil, err
	}
	res.Msg.Answer = []dns.RR{rr}
	return res, nil
}

func TestRunDig(t *testing.T) {
	failed := errors.New("no CoreDNS pod is ready")
	cases := []struct {
		name    string
		args    []string
		edit    func(*digFlags)
		openErr error
		dnsErr  error
		code    int
		asked   string
		out     []string // in the output, in this order
		notOut  string
	}{
		{"a Service name", []string{"web"}, nil, nil, nil, exitOK, "web.default.svc.cluster.local. A",
			[]string{";; ANSWER SECTION:", "web.default.svc.cluster.local.\t30\tIN\tA\t10.96.0.20", "coredns-abc"}, ""},
		{"in a namespace, +short", []string{"web", "+short"}, func(f *digFlags) { f.namespace = "ch07" }, nil, nil, exitOK,
			"web.ch07.svc.cluster.local. A", []string{"10.96.0.20\n"}, "ANSWER"},
		{"a type", []string{"web.default.svc.cluster.local", "AAAA"}, nil, nil, nil, exitOK, "web.default.svc.cluster.local. AAAA", nil, ""},
		{"bad argument: no cluster reached", []string{}, nil, nil, nil, exitUsage, "", nil, ""},
		{"bad transport", []string{"web"}, func(f *digFlags) { f.transport = "pigeon" }, nil, nil, exitUsage, "", nil, ""},
		{"no cluster", []string{"web"}, nil, marked(cluster.ErrNoCluster), nil, exitUsage, "", nil, ""},
		{"the query fails", []string{"web"}, nil, nil, failed, exitFailure, "web.default.svc.cluster.local. A", nil, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			core := &dnsCore{err: tc.dnsErr}
			var out bytes.Buffer
			opened := 0
			d := coreDeps(i18n.En, &out, core, tc.openErr, &opened)
			f := &digFlags{namespace: "default", transport: "auto"}
			if tc.edit != nil {
				tc.edit(f)
			}
			err := runDig(context.Background(), d, f, tc.args)
			if got := exitCode(context.Background(), err); got != tc.code {
				t.Errorf("exit %d, want %d (%v)", got, tc.code, err)
			}
			if core.asked != tc.asked {
				t.Errorf("asked %q, want %q", core.asked, tc.asked)
			}
			if opened > 0 && tc.openErr == nil && !core.closed {
				t.Error("the core was not closed")
			}
			rest := out.String()
			for _, w := range tc.out {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("output lacks %q (in order):\n%s", w, out.String())
				}
				rest = rest[i+len(w):]
			}
			if tc.notOut != "" && strings.Contains(out.String(), tc.notOut) {
				t.Errorf("output has %q:\n%s", tc.notOut, out.String())
			}
		})
	}
}

// The terminal table (Bubble Tea) is fed by session.Watch too: it draws the
// first reading at once, and ends on q (not interrupted), on Ctrl-C
// (interrupted) or when Serve returns.
func TestProxyLive(t *testing.T) {
	core := fakeCore(t, webService(corev1.ServicePort{Name: "http", Port: 80}))
	p, err := core.NewProxy("default", "web", "", proxy.WithScheduler("rr"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name        string
		key         string // typed once the table shows; "" ends Serve instead
		interrupted bool
	}{
		{"q", "q", false}, {"ctrl+c", "\x03", true}, {"serve ended", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in, typed := io.Pipe()
			defer typed.Close()
			out := newSyncBuffer()
			d := deps{Out: out, ErrOut: io.Discard, Lang: i18n.Ko, In: in}
			served := make(chan struct{})
			type result struct {
				interrupted bool
				err         error
			}
			done := make(chan result, 1)
			go func() {
				i, err := proxyLive(context.Background(), d, p, "banner-line", time.Hour, served, tea.WithWindowSize(120, 20))
				done <- result{i, err}
			}()
			out.waitFor(t, regexp.MustCompile(`(파드)`)) // the Korean table header, before any tick
			if tc.key != "" {
				go func() { _, _ = typed.Write([]byte(tc.key)) }()
			} else {
				close(served)
			}
			select {
			case r := <-done:
				if r.err != nil || r.interrupted != tc.interrupted {
					t.Errorf("proxyLive = %v, %v; want interrupted %v", r.interrupted, r.err, tc.interrupted)
				}
			case <-time.After(time.Minute):
				t.Fatal("proxyLive did not end")
			}
			if !strings.Contains(out.String(), "banner-line") {
				t.Errorf("no banner:\n%q", out.String())
			}
		})
	}
}
