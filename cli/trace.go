package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/spf13/cobra"

	"github.com/labctl/labctl/i18n"
	"github.com/labctl/labctl/session"
	"github.com/labctl/labctl/trace"
)

type traceFlags struct {
	namespace string
	from      string
	output    string
	watch     bool
	interval  time.Duration
	duration  time.Duration
}

func newTraceCommand(g *globals) *cobra.Command {
	f := &traceFlags{}
	cmd := &cobra.Command{
		Use:   "trace TARGET",
		Short: g.t(helpTrace),
		Long:  g.t(helpTraceLong),
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			target, from, err := parseTrace(g, f, args[0])
			if err != nil {
				return err
			}
			s, err := session.Open(cmd.Context(), g.target(), g.lang, g.store())
			if err != nil {
				return err
			}
			defer s.Close()
			tr, closeTr := s.Tracer()
			defer closeTr()
			return runTrace(cmd.Context(), g, f, tr, target, from)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&f.namespace, "namespace", "n", "default", g.t(flagTraceNamespace))
	fl.StringVar(&f.from, "from", "host", g.t(flagTraceFrom))
	fl.StringVarP(&f.output, "output", "o", "text", g.t(flagTraceOutput))
	fl.BoolVarP(&f.watch, "watch", "w", false, g.t(flagTraceWatch))
	fl.DurationVar(&f.interval, "interval", time.Second, g.t(flagTraceInterval))
	fl.DurationVar(&f.duration, "duration", 0, g.t(flagTraceDuration))
	return cmd
}

func parseTrace(g *globals, f *traceFlags, arg string) (trace.Target, trace.Vantage, error) {
	if err := outputFlag(g, f.output, "text", "json"); err != nil {
		return trace.Target{}, trace.Vantage{}, err
	}
	if f.interval < 100*time.Millisecond {
		return trace.Target{}, trace.Vantage{}, usageErrorf("--interval %s: %s", f.interval, g.t(msgTraceInterval))
	}
	target, err := trace.ParseTarget(arg, f.namespace)
	if err != nil {
		return target, trace.Vantage{}, usageErrorf("%s", i18n.Localize(err, g.lang))
	}
	from, err := trace.ParseVantage(f.from, f.namespace)
	if err != nil {
		return target, from, usageErrorf("%s", i18n.Localize(err, g.lang))
	}
	return target, from, nil
}

// runTrace prints the hops, then with --watch the live counters.
func runTrace(ctx context.Context, g *globals, f *traceFlags, tr *trace.Tracer, target trace.Target, from trace.Vantage) error {
	t, err := tr.Run(ctx, target, from)
	if err != nil {
		return err
	}
	out := g.streams.Out
	st := traceStyles(out)
	if f.output == "json" {
		if f.watch {
			// One JSON object per line: the trace, then each sample.
			b, _ := json.Marshal(t)
			fmt.Fprintln(out, string(b))
		} else if err := writeJSON(out, t); err != nil {
			return err
		}
	} else {
		for _, l := range trace.Render(t, g.lang, st) {
			fmt.Fprintln(out, l)
		}
		fmt.Fprintln(out, st.Dim("   "+g.t(msgTraceElapsed, t.ElapsedMS)))
	}
	if !f.watch {
		return nil
	}
	parent := ctx
	if f.duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, f.duration)
		defer cancel()
	}
	err = tr.Watch(ctx, t, f.interval, watchPrinter(g, f, out, st))
	switch {
	case f.duration > 0 && errors.Is(err, context.DeadlineExceeded) && parent.Err() == nil:
		return nil
	case errors.Is(err, context.Canceled) && parent.Err() != nil:
		// Ctrl-C is how a watch ends: the bars are the output, no error.
		return &silentError{code: exitInterrupted}
	}
	return err
}

// watchPrinter prints samples: JSON lines, bars redrawn in place on a
// terminal, or a block per sample otherwise.
func watchPrinter(g *globals, f *traceFlags, out io.Writer, st trace.Styles) func(trace.Sample) bool {
	drawn := 0
	tty := isTerminal(out)
	w := terminalWidth(out)
	return func(s trace.Sample) bool {
		if f.output == "json" {
			b, _ := json.Marshal(s)
			fmt.Fprintln(out, string(b))
			return true
		}
		lines := trace.RenderSample(s, g.lang, w, st)
		var b strings.Builder
		if tty && drawn > 0 {
			fmt.Fprintf(&b, "\x1b[%dA", drawn)
		}
		if !tty {
			b.WriteString("\n")
		}
		for _, l := range lines {
			b.WriteString(l)
			if tty {
				b.WriteString("\x1b[K")
			}
			b.WriteString("\n")
		}
		drawn = len(lines)
		fmt.Fprint(out, b.String())
		return true
	}
}

// traceStyles colour the hop list on a terminal unless NO_COLOR is set.
func traceStyles(w io.Writer) trace.Styles {
	plain := func(s string) string { return s }
	if !isTerminal(w) || os.Getenv("NO_COLOR") != "" {
		return trace.Styles{Num: plain, Chain: plain, Dim: plain, Bar: plain}
	}
	num := lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Cyan)
	chain := lipgloss.NewStyle().Foreground(lipgloss.Yellow)
	dim := lipgloss.NewStyle().Foreground(lipgloss.BrightBlack)
	bar := lipgloss.NewStyle().Foreground(lipgloss.Green)
	r := func(st lipgloss.Style) func(string) string { return func(s string) string { return st.Render(s) } }
	return trace.Styles{Num: r(num), Chain: r(chain), Dim: r(dim), Bar: r(bar)}
}

var (
	helpTrace = i18n.M("help.trace",
		"show the path a packet takes to a Service, read live from the nodes' own rules",
		"패킷이 Service 까지 가는 경로를 노드의 실제 규칙에서 읽어 보여 줍니다")
	helpTraceLong = i18n.M("help.trace.long",
		"Follows a packet hop by hop, read-only: for a LoadBalancer address the node that answers ARP (MetalLB); on the node that receives it, the kube-proxy chain it walks (KUBE-SERVICES → KUBE-EXT / KUBE-NODEPORTS → KUBE-SVC → KUBE-SEP, each endpoint's probability) and whether it is masqueraded and why; then the route to each endpoint's node and the pod's veth. TARGET is svc/NAME[:PORT], a ClusterIP or LoadBalancer IP[:PORT], node/NAME:PORT or NODEIP:PORT (a NodePort), or an Ingress host: http://HOST/PATH or ingress/HOST. --watch shows kube-proxy's per-endpoint counters while traffic flows.\n\nExamples: labctl trace svc/http-go-lb   labctl trace svc/http-go-svc --from pod/default/dnsutils   labctl trace node/lab-worker:30001   labctl trace http://myapp.example.com/   labctl trace svc/http-go-svc --watch",
		"패킷을 홉마다 따라갑니다 (읽기만 합니다): LoadBalancer 주소라면 ARP 에 답하는 노드 (MetalLB), 패킷을 받는 노드에서 거치는 kube-proxy 체인 (KUBE-SERVICES → KUBE-EXT / KUBE-NODEPORTS → KUBE-SVC → KUBE-SEP, 엔드포인트별 확률) 과 마스커레이드 여부와 이유, 그리고 각 엔드포인트 노드로 가는 라우트와 파드의 veth 입니다. TARGET 은 svc/NAME[:PORT], ClusterIP 또는 LoadBalancer IP[:PORT], node/NAME:PORT 또는 NODEIP:PORT (NodePort), Ingress 호스트 http://HOST/PATH 또는 ingress/HOST 입니다. --watch 는 트래픽이 흐르는 동안 kube-proxy 의 엔드포인트별 카운터를 보여 줍니다.\n\n예: labctl trace svc/http-go-lb   labctl trace svc/http-go-svc --from pod/default/dnsutils   labctl trace node/lab-worker:30001   labctl trace http://myapp.example.com/   labctl trace svc/http-go-svc --watch")
	flagTraceNamespace = i18n.M("flag.trace.namespace", "namespace of svc/NAME and pod/NAME", "svc/NAME 과 pod/NAME 의 네임스페이스")
	flagTraceFrom      = i18n.M("flag.trace.from", "where the packet starts: host, node/NAME or pod/NAMESPACE/NAME", "패킷이 출발하는 곳: host, node/NAME, pod/NAMESPACE/NAME")
	flagTraceOutput    = i18n.M("flag.trace.output", "output format: text or json", "출력 형식: text 또는 json")
	flagTraceWatch     = i18n.M("flag.trace.watch", "then show kube-proxy's per-endpoint counters live (Ctrl-C ends)", "이어서 kube-proxy 의 엔드포인트별 카운터를 실시간으로 보여 줍니다 (Ctrl-C 로 끝)")
	flagTraceInterval  = i18n.M("flag.trace.interval", "how often --watch reads the counters", "--watch 가 카운터를 읽는 간격")
	flagTraceDuration  = i18n.M("flag.trace.duration", "stop --watch after this long (0: until Ctrl-C)", "--watch 를 이 시간 뒤에 끝냅니다 (0: Ctrl-C 까지)")
	msgTraceInterval   = i18n.M("cli.trace.interval", "want at least 100ms", "100ms 이상이어야 합니다")
	msgTraceElapsed    = i18n.M("cli.trace.elapsed", "read live from the API server and the nodes in %d ms", "API 서버와 노드에서 %d ms 만에 읽었습니다")
)
