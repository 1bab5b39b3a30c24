package cli

import (
	"context"
	"strings"

	"github.com/miekg/dns"
	"github.com/spf13/cobra"

	"github.com/labctl/labctl/i18n"
	"github.com/labctl/labctl/proxy"
)

type digFlags struct {
	namespace string
	short     bool
	reverse   bool
	transport string
}

func newDigCommand(g *globals) *cobra.Command {
	f := &digFlags{}
	cmd := &cobra.Command{
		Use:   "dig NAME [TYPE]",
		Short: g.t(helpDig),
		Long:  g.t(helpDigLong),
		Args:  cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runDig(cmd.Context(), g.deps(), f, args)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&f.namespace, "namespace", "n", "default", g.t(flagDigNamespace))
	fl.BoolVar(&f.short, "short", false, g.t(flagDigShort))
	fl.BoolVarP(&f.reverse, "reverse", "x", false, g.t(flagDigReverse))
	fl.StringVar(&f.transport, "transport", string(proxy.TransportAuto), g.t(flagProxyTransport))
	return cmd
}

// runDig is labctl dig: read the command line before anything touches the
// cluster, open the proxy core through d, ask CoreDNS, print the reply as
// dig does (or only its answers with +short).
func runDig(ctx context.Context, d deps, f *digFlags, args []string) error {
	name, qtype, err := parseDig(d, f, args)
	if err != nil {
		return err
	}
	t, err := parseTransport(d, f.transport)
	if err != nil {
		return err
	}
	core, err := d.OpenCore(ctx, t)
	if err != nil {
		return err
	}
	defer core.Close()
	res, err := core.QueryDNS(ctx, proxy.NewDNSQuery(proxy.QualifyName(name, f.namespace, core.ClusterDomain(), qtype), qtype))
	if err != nil {
		return err
	}
	if f.short {
		writeDigShort(d.Out, res)
	} else {
		writeDig(d.Out, d.Lang, res)
	}
	return nil
}

// parseDig reads NAME [TYPE] with dig's own +short among them, and -x ADDR
// for a reverse lookup.
func parseDig(d deps, f *digFlags, args []string) (string, uint16, error) {
	var rest []string
	for _, a := range args {
		switch {
		case a == "+short":
			f.short = true
		case strings.HasPrefix(a, "+"):
			return "", 0, usageErrorf("%q: %s", a, d.t(msgDigPlus))
		default:
			rest = append(rest, a)
		}
	}
	if len(rest) < 1 || len(rest) > 2 || rest[0] == "" {
		return "", 0, usageErrorf("%s", d.t(msgDigArgs))
	}
	qtype := dns.TypeA
	if f.reverse {
		qtype = dns.TypePTR
	}
	if len(rest) == 2 {
		t, err := proxy.ParseQType(rest[1])
		if err != nil {
			return "", 0, usageErrorf("%s", i18n.Localize(err, d.Lang))
		}
		qtype = t
	}
	if f.reverse && (qtype != dns.TypePTR || !isIP(rest[0])) {
		return "", 0, usageErrorf("-x %q: %s", rest[0], d.t(msgDigReverse))
	}
	return rest[0], qtype, nil
}

func isIP(s string) bool { _, err := dns.ReverseAddr(s); return err == nil }

var (
	helpDig = i18n.M("help.dig",
		"ask the cluster DNS (CoreDNS) from this computer, like dig",
		"이 컴퓨터에서 클러스터 DNS(CoreDNS)에 dig 처럼 질의합니다")
	helpDigLong = i18n.M("help.dig.long",
		"Sends the question over TCP to a CoreDNS pod behind kube-system/kube-dns, through labctl's proxy core, so no probe pod is needed. A NAME without dots is a Service in the namespace (-n): web asks for web.default.svc.cluster.local; other names are used as given, as dig does. TYPE is A (default), AAAA, CNAME, SRV, PTR or any record type.\n\nExamples: labctl dig http-go-svc   labctl dig http-go-headless.default.svc.cluster.local   labctl dig _http._tcp.http-go-mp.default.svc.cluster.local SRV   labctl dig externalname-service CNAME   labctl dig -x 10.96.0.10   labctl dig +short http-go-headless",
		"kube-system/kube-dns 뒤의 CoreDNS 파드에 labctl 프록시 코어를 거쳐 TCP 로 질의하므로 테스트용 파드가 필요 없습니다. 점이 없는 NAME 은 네임스페이스(-n)의 서비스로 봅니다: web 은 web.default.svc.cluster.local 을 묻습니다. 다른 이름은 dig 처럼 그대로 씁니다. TYPE 은 A(기본값), AAAA, CNAME, SRV, PTR 등 레코드 타입입니다.\n\n예: labctl dig http-go-svc   labctl dig http-go-headless.default.svc.cluster.local   labctl dig _http._tcp.http-go-mp.default.svc.cluster.local SRV   labctl dig externalname-service CNAME   labctl dig -x 10.96.0.10   labctl dig +short http-go-headless")
	flagDigNamespace = i18n.M("flag.dig.namespace", "namespace for names without dots", "점이 없는 이름에 붙일 네임스페이스")
	flagDigShort     = i18n.M("flag.dig.short", "print only the answers (also +short)", "응답 값만 출력 (+short 와 같음)")
	flagDigReverse   = i18n.M("flag.dig.reverse", "reverse lookup: NAME is an IP address (PTR)", "역방향 조회: NAME 이 IP 주소 (PTR)")
	msgDigArgs       = i18n.M("cli.dig.args", "want NAME [TYPE], e.g. labctl dig http-go-svc A", "NAME [TYPE] 형식이어야 합니다. 예: labctl dig http-go-svc A")
	msgDigPlus       = i18n.M("cli.dig.plus", "of dig's +options, only +short is known here", "dig 의 +옵션 중에서는 +short 만 씁니다")
	msgDigReverse    = i18n.M("cli.dig.reverse", "-x takes an IP address and type PTR", "-x 에는 IP 주소와 PTR 타입만 쓸 수 있습니다")
)
