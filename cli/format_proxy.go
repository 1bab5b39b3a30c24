package cli

// The proxy core's results as `labctl dig` and `labctl proxy` print them:
// dig's own layout, and the per-pod table of the live proxy view.

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/miekg/dns"

	"github.com/labctl/labctl/i18n"
	"github.com/labctl/labctl/proxy"
)

// writeDig prints a reply the way dig does: the header, the question, the
// answer (and the authority when there is no answer, where an NXDOMAIN's
// SOA sits), the additional records (an SRV's targets), then where the
// answer came from. The section names stay dig's own, so the output
// matches the course notes; the closing lines are in the student's
// language.
func writeDig(w io.Writer, l i18n.Lang, res *proxy.DNSResult) {
	m := res.Msg
	fmt.Fprintf(w, ";; ->>HEADER<<- opcode: %s, status: %s, id: %d\n",
		dns.OpcodeToString[m.Opcode], dns.RcodeToString[m.Rcode], m.Id)
	fmt.Fprintf(w, ";; flags:%s; QUERY: %d, ANSWER: %d, AUTHORITY: %d, ADDITIONAL: %d\n",
		digHeaderFlags(m), len(m.Question), len(m.Answer), len(m.Ns), len(m.Extra))
	fmt.Fprintln(w, "\n;; QUESTION SECTION:")
	for _, q := range m.Question {
		fmt.Fprintf(w, ";%s\t%s\t%s\n", q.Name, dns.ClassToString[q.Qclass], dns.TypeToString[q.Qtype])
	}
	section := func(title string, rrs []dns.RR) {
		var shown []dns.RR
		for _, rr := range rrs {
			if rr.Header().Rrtype != dns.TypeOPT {
				shown = append(shown, rr)
			}
		}
		if len(shown) == 0 {
			return
		}
		fmt.Fprintf(w, "\n;; %s SECTION:\n", title)
		for _, rr := range shown {
			fmt.Fprintln(w, rr.String())
		}
	}
	section("ANSWER", m.Answer)
	if len(m.Answer) == 0 {
		section("AUTHORITY", m.Ns)
	}
	section("ADDITIONAL", m.Extra)
	fmt.Fprintln(w)
	fmt.Fprintln(w, msgDigTime.F(l, res.RTT.Milliseconds()))
	fmt.Fprintln(w, msgDigServer.F(l, res.Server.Addr(), res.Server.Pod, proxy.DNSService))
	if len(m.Answer) == 0 {
		fmt.Fprintln(w, msgDigNoAnswer.F(l))
	}
}

// writeDigShort prints only the answers' data, one a line, as dig +short.
func writeDigShort(w io.Writer, res *proxy.DNSResult) {
	for _, rr := range res.Msg.Answer {
		s := rr.String()
		hdr := rr.Header().String()
		fmt.Fprintln(w, strings.TrimPrefix(s, hdr))
	}
}

func digHeaderFlags(m *dns.Msg) string {
	var b strings.Builder
	for _, f := range []struct {
		on   bool
		name string
	}{
		{m.Response, "qr"}, {m.Authoritative, "aa"}, {m.Truncated, "tc"},
		{m.RecursionDesired, "rd"}, {m.RecursionAvailable, "ra"},
		{m.AuthenticatedData, "ad"}, {m.CheckingDisabled, "cd"},
	} {
		if f.on {
			b.WriteString(" " + f.name)
		}
	}
	return b.String()
}

var (
	msgDigTime = i18n.M("proxy.dig.time",
		";; Query time: %d msec",
		";; 질의 시간: %d msec")
	msgDigServer = i18n.M("proxy.dig.server",
		";; SERVER: %[1]s (pod %[2]s behind %[3]s, TCP, through labctl's proxy core)",
		";; 서버: %[1]s (%[3]s 뒤의 파드 %[2]s, TCP, labctl 프록시 코어 경유)")
	msgDigNoAnswer = i18n.M("proxy.dig.no-answer",
		";; no answer: the name has no record of this type (NXDOMAIN: the name does not exist)",
		";; 응답 없음: 이 이름에 이 타입의 레코드가 없습니다 (NXDOMAIN 은 이름 자체가 없다는 뜻)")
)

// writeStats prints the per-backend table: which pod on which node got how
// many connections (and what share of them), how many are open, the bytes
// each way, errors, the median connect time and the transport.
func writeStats(w io.Writer, l i18n.Lang, stats []proxy.BackendStats) {
	var total uint64
	for _, s := range stats {
		total += s.Conns
	}
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, msgStatsHeader.F(l))
	for _, s := range stats {
		pod := s.Endpoint.Pod
		if pod == "" {
			pod = "-"
		}
		if !s.Ready {
			pod += " " + msgStatsGone.F(l)
		}
		node := s.Endpoint.Node
		if node == "" {
			node = "-"
		}
		via := s.Transport
		if via == "" {
			via = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%d\t%s\t%s\t%d\t%s\t%s\n",
			pod, node, s.Endpoint.Addr(), s.Conns, share(s.Conns, total), s.Active+s.Inactive,
			humanBytes(s.BytesIn), humanBytes(s.BytesOut), s.Errors, humanDuration(s.LatencyP50), via)
	}
	tw.Flush()
}

// share formats part/total as a percentage.
func share(part, total uint64) string {
	if total == 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f%%", 100*float64(part)/float64(total))
}

// humanBytes formats a byte count with a binary unit.
func humanBytes(n uint64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%dB", n)
	}
	div, exp := uint64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f%ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// humanDuration formats a latency for a table cell ("-" before the first).
func humanDuration(d time.Duration) string {
	switch {
	case d <= 0:
		return "-"
	case d < time.Millisecond:
		return fmt.Sprintf("%dµs", d.Microseconds())
	case d < time.Second:
		return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000)
	}
	return d.Round(10 * time.Millisecond).String()
}

var (
	msgStatsHeader = i18n.M("proxy.stats.header",
		"POD\tNODE\tENDPOINT\tCONNS\tSHARE\tOPEN\tTO-POD\tFROM-POD\tERRORS\tP50\tVIA",
		"파드\t노드\t엔드포인트\t연결\t비율\t열림\t파드로\t파드에서\t오류\tP50\t경로")
	msgStatsGone = i18n.M("proxy.stats.gone",
		"(gone)",
		"(사라짐)")
)
