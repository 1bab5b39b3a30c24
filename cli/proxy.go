package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/spf13/cobra"
	"k8s.io/klog/v2"

	"github.com/labctl/labctl/i18n"
	"github.com/labctl/labctl/internal/svcport"
	"github.com/labctl/labctl/proxy"
	"github.com/labctl/labctl/session"
	"github.com/labctl/labctl/tui"
)

type proxyFlags struct {
	namespace string
	port      string
	address   string
	scheduler string
	affinity  string
	timeout   time.Duration
	transport string
	interval  time.Duration
	weights   []string
}

// proxySpec is a validated proxy command line.
type proxySpec struct {
	ns, svc, svcPort string
	listen           string
	transport        proxy.Transport
	opts             []proxy.ProxyOption
	scheduler        string
	interval         time.Duration
}

func newProxyCommand(g *globals) *cobra.Command {
	f := &proxyFlags{}
	cmd := &cobra.Command{
		Use:   "proxy svc/NAME",
		Short: g.t(helpProxy),
		Long:  g.t(helpProxyLong),
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runProxy(cmd.Context(), g.deps(), f, args[0])
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&f.namespace, "namespace", "n", "default", g.t(flagProxyNamespace))
	fl.StringVar(&f.port, "port", "", g.t(flagProxyPort))
	fl.StringVar(&f.address, "address", "127.0.0.1", g.t(flagProxyAddress))
	fl.StringVar(&f.scheduler, "scheduler", proxy.RoundRobin, g.t(flagProxyScheduler))
	fl.StringVar(&f.affinity, "affinity", "", g.t(flagProxyAffinity))
	fl.DurationVar(&f.timeout, "affinity-timeout", 0, g.t(flagProxyAffinityTimeout))
	fl.StringVar(&f.transport, "transport", string(proxy.TransportAuto), g.t(flagProxyTransport))
	fl.DurationVar(&f.interval, "interval", 2*time.Second, g.t(flagProxyInterval))
	fl.StringArrayVar(&f.weights, "weight", nil, g.t(flagProxyWeight))
	return cmd
}

// parseTransport reads --transport; a bad value is a usage error.
func parseTransport(d deps, flag string) (proxy.Transport, error) {
	t, err := proxy.ParseTransport(flag)
	if err != nil {
		return t, usageErrorf("--transport: %s", i18n.Localize(err, d.Lang))
	}
	return t, nil
}

// openCoreWith reads a --transport flag, then opens the core with it
// (labctl curl); the returned func closes it.
func openCoreWith(ctx context.Context, g *globals, transport string) (*proxy.Cluster, func(), error) {
	t, err := parseTransport(g.deps(), transport)
	if err != nil {
		return nil, nil, err
	}
	core, err := session.OpenCore(ctx, g.target(), t)
	if err != nil {
		return nil, nil, err
	}
	return core, func() { core.Close() }, nil
}

// runProxy is labctl proxy: check the command line before anything touches
// the cluster, open the proxy core through d, serve until Ctrl-C (exit
// 130) or q in the live view (exit 0).
func runProxy(ctx context.Context, d deps, f *proxyFlags, target string) error {
	spec, err := parseProxy(d, f, target)
	if err != nil {
		return err
	}
	core, err := d.OpenCore(ctx, spec.transport)
	if err != nil {
		return err
	}
	defer core.Close()
	return serveProxy(ctx, d, core, spec)
}

// parseProxy checks the command line before anything touches the cluster.
func parseProxy(d deps, f *proxyFlags, target string) (proxySpec, error) {
	s := proxySpec{ns: f.namespace, interval: f.interval, scheduler: f.scheduler}
	kind, name, ok := strings.Cut(target, "/")
	if !ok {
		kind, name = "svc", target
	}
	switch kind {
	case "svc", "service", "services":
	default:
		return s, usageErrorf("%q: %s", target, d.t(msgProxyTarget))
	}
	if name == "" || s.ns == "" {
		return s, usageErrorf("%q: %s", target, d.t(msgProxyTarget))
	}
	s.svc = name
	local, svcPort, err := parsePortSpec(f.port)
	if err != nil {
		return s, usageErrorf("--port %q: %s", f.port, d.t(msgProxyPortSpec))
	}
	s.svcPort = svcPort
	if net.ParseIP(f.address) == nil && f.address != "localhost" {
		return s, usageErrorf("--address %q", f.address)
	}
	s.listen = net.JoinHostPort(f.address, strconv.Itoa(local))
	if s.transport, err = parseTransport(d, f.transport); err != nil {
		return s, err
	}
	if !contains(proxy.Schedulers(), f.scheduler) {
		return s, usageErrorf("--scheduler %q (%s)", f.scheduler, strings.Join(proxy.Schedulers(), ", "))
	}
	s.opts = append(s.opts, proxy.WithScheduler(f.scheduler))
	switch strings.ToLower(f.affinity) {
	case "":
		if f.timeout != 0 {
			return s, usageErrorf("--affinity-timeout %s: %s", f.timeout, d.t(msgProxyTimeoutNeedsAffinity))
		}
	case "clientip":
		if f.timeout < 0 {
			return s, usageErrorf("--affinity-timeout %s", f.timeout)
		}
		s.opts = append(s.opts, proxy.WithAffinity(f.timeout))
	case "none":
		s.opts = append(s.opts, proxy.WithoutAffinity())
	default:
		return s, usageErrorf("--affinity %q (clientip, none)", f.affinity)
	}
	if len(f.weights) > 0 {
		w := map[string]int{}
		for _, kv := range f.weights {
			pod, n, ok := strings.Cut(kv, "=")
			v, err := strconv.Atoi(n)
			if !ok || pod == "" || err != nil || v < 0 {
				return s, usageErrorf("--weight %q (POD=N)", kv)
			}
			w[pod] = v
		}
		s.opts = append(s.opts, proxy.WithWeights(w))
	}
	if f.interval <= 0 {
		return s, usageErrorf("--interval %s", f.interval)
	}
	return s, nil
}

// parsePortSpec reads LOCAL:SVC, :SVC or SVC (a free local port), or ""
// (the Service's only TCP port, by internal/svcport's rule). SVC is a port
// number or name.
func parsePortSpec(spec string) (local int, svc string, err error) {
	l, svc, ok := strings.Cut(spec, ":")
	if !ok {
		return 0, spec, nil
	}
	if l != "" {
		if local, err = strconv.Atoi(l); err != nil || local < 0 || local > 65535 {
			return 0, "", errors.New("bad local port")
		}
	}
	if svc == "" || strings.Contains(svc, ":") {
		return 0, "", errors.New("bad service port")
	}
	return local, svc, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// serveProxy serves until Ctrl-C (exit 130) or q in the live view (exit 0).
func serveProxy(ctx context.Context, d deps, core proxyCore, s proxySpec) error {
	eps, err := core.Endpoints(ctx, s.ns, s.svc, s.svcPort)
	var le *i18n.Error
	if errors.As(err, &le) && errors.Is(err, svcport.ErrPort) && le.Fix == nil {
		le.WithFix(fixProxyPort)
	}
	if err != nil {
		return err
	}
	p, err := core.NewProxy(s.ns, s.svc, s.svcPort, s.opts...)
	if err != nil {
		return err
	}
	// On a loopback address the clients are on this computer: no TCP
	// keep-alive for them (setting it up is four system calls per
	// connection). With --address elsewhere, keep-alive finds clients that
	// vanished.
	var lc net.ListenConfig
	if host, _, _ := net.SplitHostPort(s.listen); host == "localhost" || net.ParseIP(host).IsLoopback() {
		lc.KeepAlive = -1
	}
	l, err := lc.Listen(ctx, "tcp", s.listen)
	if err != nil {
		return i18n.Errorf(msgProxyListen, s.listen).Wrap(err).WithFix(fixProxyListen)
	}
	svcPort := s.svcPort
	if svcPort == "" {
		svcPort = "-"
	}
	banner := d.t(msgProxyBanner, l.Addr().String(), s.ns+"/"+s.svc, svcPort, s.scheduler)
	if len(eps) == 0 {
		banner += "\n" + d.t(msgProxyNoEndpointsYet)
	}
	serveCtx, stop := context.WithCancel(ctx)
	defer stop()
	var serveErr error
	served := make(chan struct{})
	go func() { serveErr = p.Serve(serveCtx, l); close(served) }()

	var interrupted bool
	if isTerminal(d.Out) {
		interrupted, err = proxyLive(serveCtx, d, p, banner, s.interval, served)
	} else {
		proxyLines(d, p, banner, s.interval, served)
	}
	stop()
	<-served
	switch {
	case err != nil:
		return err
	case serveErr != nil:
		return serveErr
	case interrupted || ctx.Err() != nil:
		return &silentError{code: exitInterrupted}
	}
	return nil
}

// proxyLines prints the table when it changed, at each reading of the
// live view's one refresh loop (session.Watch, every interval), for logs,
// pipes and CI, until Serve returned (after Ctrl-C, once the open
// connections drained: the last table is the final count).
func proxyLines(d deps, p *proxy.Proxy, banner string, every time.Duration, served <-chan struct{}) {
	w := d.Out
	fmt.Fprintln(w, banner)
	last := ""
	session.Watch(served, every, p.Stats, func(stats []proxy.BackendStats) {
		table := statsTable(d.Lang, stats)
		if table != last {
			last = table
			fmt.Fprintf(w, "--- %s\n%s", time.Now().Format("15:04:05"), table)
		}
	})
}

// proxyModel is the live table on a terminal; session.Watch sends it each
// reading.
type proxyModel struct {
	lang        i18n.Lang
	styles      tui.Styles
	banner      string
	table       string
	interrupted bool
}

type (
	proxyTableMsg string
	proxyDoneMsg  struct{}
)

func (m proxyModel) Init() tea.Cmd { return nil }

func (m proxyModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		switch msg.String() {
		case "ctrl+c":
			m.interrupted = true
			return m, tea.Quit
		case "q", "esc":
			return m, tea.Quit
		}
	case proxyTableMsg:
		m.table = string(msg)
	case proxyDoneMsg:
		return m, tea.Quit
	}
	return m, nil
}

func (m proxyModel) View() tea.View {
	return tea.NewView(m.styles.Title.Render(m.banner) + "\n\n" + m.table + "\n" +
		m.styles.Muted.Render(msgProxyKeys.F(m.lang)) + "\n")
}

func statsTable(l i18n.Lang, stats []proxy.BackendStats) string {
	var b bytes.Buffer
	writeStats(&b, l, stats)
	return b.String()
}

// proxyLive runs the Bubble Tea table until q, Ctrl-C or Serve ending; it
// reports whether the student interrupted. The table is redrawn at each
// reading of session.Watch, at most a second apart. opts are added to the
// program's (a test gives the window size a terminal would).
func proxyLive(ctx context.Context, d deps, p *proxy.Proxy, banner string, every time.Duration, served <-chan struct{}, opts ...tea.ProgramOption) (bool, error) {
	// klog (client-go's informers and port-forward) must not write over
	// the table.
	klog.LogToStderr(false)
	klog.SetOutput(io.Discard)
	defer func() {
		klog.SetOutput(os.Stderr)
		klog.LogToStderr(true)
	}()
	m := proxyModel{lang: d.Lang, styles: tui.NewStyles(), banner: banner, table: statsTable(d.Lang, p.Stats())}
	prog := tea.NewProgram(m, append([]tea.ProgramOption{tea.WithContext(ctx), tea.WithInput(d.In), tea.WithOutput(d.Out),
		tea.WithoutSignalHandler()}, opts...)...)
	quit := make(chan struct{})
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		end := make(chan struct{})
		go func() {
			select {
			case <-served:
			case <-quit:
			}
			close(end)
		}()
		session.Watch(end, min(every, time.Second), p.Stats, func(stats []proxy.BackendStats) {
			prog.Send(proxyTableMsg(statsTable(d.Lang, stats)))
		})
		select {
		case <-served:
			prog.Send(proxyDoneMsg{})
		default:
		}
	}()
	final, err := prog.Run()
	close(quit)
	<-watched // Send returns at once once the program ended
	if fm, ok := final.(proxyModel); ok && err == nil {
		return fm.interrupted, nil
	}
	if errors.Is(err, tea.ErrProgramKilled) || ctx.Err() != nil {
		return true, nil
	}
	return false, err
}

// Messages of labctl proxy.
var (
	helpProxy = i18n.M("help.proxy",
		"run a userspace service proxy (rr, lc, sh, sed, nq) and watch each pod's share live",
		"사용자 공간 서비스 프록시(rr, lc, sh, sed, nq)를 띄우고 파드별 연결 분배를 실시간으로 봅니다")
	helpProxyLong = i18n.M("help.proxy.long",
		"Listens on this computer and sends every connection to a ready pod of the Service, chosen like kube-proxy's IPVS mode would: rr (round robin), lc (least connections), sh (source hashing: one client, one pod), sed (shortest expected delay) or nq (never queue). The Service's sessionAffinity ClientIP is honoured, or set with --affinity. Pods are reached directly when their IPs are routable from here, otherwise through the API server's port-forward, one connection per pod. The table shows connections, open ones, bytes, errors and connect time per pod.\n\nExample: labctl proxy svc/http-go-svc --port 8080:80 --scheduler lc, then: curl localhost:8080 (several times, or in parallel). The kind nodes themselves run kube-proxy in iptables mode; this proxy shows what the IPVS schedulers would do.",
		"이 컴퓨터에서 연결을 받아, 서비스의 준비된 파드 중 하나로 보냅니다. 파드는 kube-proxy 의 IPVS 모드처럼 고릅니다: rr(라운드 로빈), lc(최소 연결), sh(소스 해싱: 같은 클라이언트는 같은 파드), sed(최단 예상 지연), nq(대기 없음). 서비스의 sessionAffinity ClientIP 를 따르며 --affinity 로 바꿀 수 있습니다. 파드 IP 에 이 컴퓨터에서 바로 닿으면 직접, 아니면 API 서버의 포트포워드(파드마다 연결 하나)로 연결합니다. 표에는 파드별 연결 수, 열린 연결, 바이트, 오류, 연결 시간이 나옵니다.\n\n예: labctl proxy svc/http-go-svc --port 8080:80 --scheduler lc 를 띄우고 curl localhost:8080 을 여러 번(또는 동시에) 실행하세요. kind 노드 자체의 kube-proxy 는 iptables 모드로 돌고, 이 프록시는 IPVS 스케줄러라면 어떻게 나눌지를 보여 줍니다.")
	flagProxyNamespace       = i18n.M("flag.proxy.namespace", "namespace of the Service", "서비스의 네임스페이스")
	flagProxyPort            = i18n.M("flag.proxy.port", "LOCAL:SERVICE port (number or name); LOCAL 0 or left out picks a free port; default: the Service's only TCP port (a Service with several must be told which)", "로컬:서비스 포트 (번호 또는 이름). 로컬을 0 으로 두거나 생략하면 빈 포트를 고릅니다. 기본값: 서비스의 유일한 TCP 포트 (TCP 포트가 여러 개면 지정해야 합니다)")
	flagProxyAddress         = i18n.M("flag.proxy.address", "local address to listen on", "연결을 받을 로컬 주소")
	flagProxyScheduler       = i18n.M("flag.proxy.scheduler", "IPVS scheduler: rr, lc, sh, sed or nq", "IPVS 스케줄러: rr, lc, sh, sed, nq")
	flagProxyAffinity        = i18n.M("flag.proxy.affinity", "session affinity: clientip or none (default: as the Service says)", "세션 어피니티: clientip 또는 none (기본값: 서비스 설정을 따름)")
	flagProxyAffinityTimeout = i18n.M("flag.proxy.affinity-timeout", "with --affinity clientip: how long a client stays on its pod (default: the Service's timeoutSeconds, else 3h like kube-proxy)", "--affinity clientip 과 함께: 클라이언트가 같은 파드에 머무는 시간 (기본값: 서비스의 timeoutSeconds, 없으면 kube-proxy 처럼 3시간)")
	flagProxyTransport       = i18n.M("flag.proxy.transport", "how to reach pods: auto, direct or port-forward", "파드에 닿는 방법: auto, direct, port-forward")
	flagProxyInterval        = i18n.M("flag.proxy.interval", "how often the table is refreshed", "표를 새로 고치는 간격")
	flagProxyWeight          = i18n.M("flag.proxy.weight", "POD=N: a scheduler weight for a pod (repeatable; others have 1, 0 takes it out)", "POD=N: 파드의 스케줄러 가중치 (여러 번 지정 가능. 나머지는 1, 0 이면 제외)")

	msgProxyTarget               = i18n.M("cli.proxy.target", "give a Service as svc/NAME", "서비스를 svc/NAME 형식으로 지정하세요")
	msgProxyPortSpec             = i18n.M("cli.proxy.port-spec", "want LOCAL:SERVICE, e.g. 8080:80 or 8080:http", "로컬:서비스 형식이어야 합니다. 예: 8080:80, 8080:http")
	msgProxyTimeoutNeedsAffinity = i18n.M("cli.proxy.timeout-needs-affinity", "only with --affinity clientip", "--affinity clientip 과 함께만 쓸 수 있습니다")
	msgProxyListen               = i18n.M("cli.proxy.listen", "cannot listen on %s", "%s 에서 연결을 받을 수 없습니다")
	fixProxyListen               = i18n.M("cli.proxy.listen.fix", "the port is taken or not allowed: choose another, e.g. --port 18080:80, or --port :80 for a free one", "포트가 이미 쓰이고 있거나 쓸 수 없습니다. 다른 포트를 고르세요. 예: --port 18080:80, 빈 포트는 --port :80")
	fixProxyPort                 = i18n.M("cli.proxy.port.fix", "name the Service port with --port LOCAL:SERVICE, e.g. --port 8080:http, or --port :80 for a free local port", "--port 로컬:서비스 로 서비스 포트를 지정하세요. 예: --port 8080:http, 빈 로컬 포트는 --port :80")
	msgProxyBanner               = i18n.M("cli.proxy.banner", "proxying %s → service %s port %s (scheduler %s)", "%s → 서비스 %s 포트 %s 로 프록시합니다 (스케줄러 %s)")
	msgProxyNoEndpointsYet       = i18n.M("cli.proxy.no-endpoints-yet", "the Service has no ready pods yet: connections are refused until one is ready", "서비스에 아직 준비된 파드가 없습니다. 파드가 준비될 때까지 연결은 거부됩니다")
	msgProxyKeys                 = i18n.M("cli.proxy.keys", "q: quit", "q: 끝내기")
)
