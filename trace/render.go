package trace

import (
	"fmt"
	"strings"

	"github.com/mattn/go-runewidth"

	"github.com/labctl/labctl/i18n"
)

// Styles colour parts of the hop list; nil fields leave text plain.
type Styles struct {
	Num   func(string) string // hop numbers
	Chain func(string) string // chain names and addresses
	Dim   func(string) string // explanations
	Bar   func(string) string // counter bars
	// Width, when set, is the columns the list may take: endpoint rows
	// wider than that put their route on a line of its own.
	Width int
}

func apply(f func(string) string, s string) string {
	if f == nil {
		return s
	}
	return f(s)
}

// Render is the numbered hop list as lines of text.
func Render(t *Trace, lang i18n.Lang, st Styles) []string {
	var out []string
	n := 0
	hop := func(s string) {
		n++
		out = append(out, apply(st.Num, fmt.Sprintf("%d", n))+"  "+s)
	}
	sub := func(s string) { out = append(out, "   "+s) }
	e := t.Entry
	from := vantageText(t, lang)
	if t.Ingress != nil {
		h := t.Ingress
		hop(msgIngressCtrl.F(lang, from, h.Host, h.Path, apply(st.Chain, e.Address), h.Controller, h.ControllerNode))
		if h.Published != "" {
			sub(apply(st.Dim, msgIngressPublished.F(lang, h.Published, e.Address)))
		}
		hop(msgHopChain.F(lang, e.Node, apply(st.Chain, strings.Join(e.Chain, " → ")+dnatTail(t))))
		sub(apply(st.Dim, msgMasqNo.F(lang, msgReasonHostPort.F(lang))))
		hop(msgIngressRule.F(lang, h.ControllerNode, h.Ingress, h.Rule, h.Backend.Ref(), h.Backend.Port))
		if len(h.Endpoints) == 0 {
			sub(msgIngressNoBackends.F(lang))
		} else {
			sub(msgIngressBackends.F(lang))
			for _, l := range endpointLines(h.Endpoints, lang, false, st.Width) {
				sub("  " + l)
			}
		}
		return out
	}
	s := t.Service
	kind := string(e.Via)
	switch e.Via {
	case ViaLoadBalancer:
		kind = "LoadBalancer"
	case ViaNodePort:
		kind = "NodePort"
	case ViaClusterIP:
		kind = "ClusterIP"
	}
	line := msgHopSend.F(lang, from, apply(st.Chain, e.Address), kind, s.Ref())
	if e.Via == ViaLoadBalancer {
		if e.ARP != nil {
			line += " · " + msgHopARP.F(lang, e.ARP.Node, e.ARP.Source)
		} else {
			line += " · " + msgHopNoARP.F(lang)
		}
	}
	hop(line)
	switch e.Note {
	case NoteClusterIPFromHost:
		sub(apply(st.Dim, msgNoteClusterIPHost.F(lang, e.Node)))
	case NoteLBInCluster:
		sub(apply(st.Dim, msgNoteLBInCluster.F(lang)))
	}
	hop(msgHopChain.F(lang, e.Node, apply(st.Chain, strings.Join(e.Chain, " → "))))
	if e.NoRule {
		sub(msgHopNoEps.F(lang, e.Node))
		return out
	}
	if r := masqText(t, lang); r != "" {
		sub(apply(st.Dim, r))
	}
	if e.Note == NoteNoLocalEndpoints {
		sub(msgHopNoLocal.F(lang, e.Node))
		return out
	}
	hop(msgHopEps.F(lang))
	for _, l := range endpointLines(t.Endpoints, lang, true, st.Width) {
		sub("  " + l)
	}
	return out
}

// endpointLines are the endpoint rows, aligned; when they are wider than
// width, each row's route goes on a line of its own below it.
func endpointLines(eps []Endpoint, lang i18n.Lang, withProb bool, width int) []string {
	rows := endpointRows(eps, lang, withProb)
	lines := align(rows)
	wide := false
	for _, l := range lines {
		wide = wide || width > 0 && Width(l)+5 > width
	}
	if !wide {
		return lines
	}
	var heads [][]string
	var tails []string
	for _, r := range rows {
		heads = append(heads, r[:len(r)-1])
		tails = append(tails, r[len(r)-1])
	}
	var out []string
	for i, l := range align(heads) {
		out = append(out, l, "  └ "+tails[i])
	}
	return out
}

func dnatTail(t *Trace) string {
	if len(t.Endpoints) == 1 {
		return " → DNAT " + t.Endpoints[0].Address
	}
	return ""
}

func vantageText(t *Trace, lang i18n.Lang) string {
	switch {
	case strings.HasPrefix(t.From, "node/"):
		return msgFromNode.F(lang, strings.TrimPrefix(t.From, "node/"))
	case strings.HasPrefix(t.From, "pod/"):
		return msgFromPod.F(lang, strings.TrimPrefix(t.From, "pod/"), t.Source)
	}
	return msgFromHost.F(lang)
}

func masqText(t *Trace, lang i18n.Lang) string {
	e := t.Entry
	var why string
	switch e.Reason {
	case ReasonOutsidePodCIDR:
		why = msgReasonOutside.F(lang, e.PodCIDR)
	case ReasonPodSource:
		why = msgReasonPod.F(lang, t.Source)
	case ReasonExternalCluster:
		why = msgReasonCluster.F(lang)
	case ReasonExternalLocal:
		why = msgReasonLocal.F(lang)
	case ReasonLocalFromNode:
		why = msgReasonLocalNode.F(lang)
	default:
		return ""
	}
	if e.Masquerade {
		return msgMasqYes.F(lang, why)
	}
	return msgMasqNo.F(lang, why)
}

func endpointRows(eps []Endpoint, lang i18n.Lang, withProb bool) [][]string {
	var rows [][]string
	for _, ep := range eps {
		row := []string{ep.Address}
		if withProb {
			p := "p=" + prob(ep.Probability)
			if ep.Remainder {
				p = "p=1 (rest)"
				if lang == i18n.Ko {
					p = "p=1 (나머지)"
				}
			}
			row = append(row, p, msgShare.F(lang, ep.Share*100))
		}
		row = append(row, ep.Pod)
		route := routeText(ep, lang)
		if ep.Hairpin {
			route += " · " + msgHairpin.F(lang)
		}
		row = append(row, route)
		rows = append(rows, row)
	}
	return rows
}

func routeText(ep Endpoint, lang i18n.Lang) string {
	r := ep.Route
	var s string
	switch {
	case r.Local:
		s = msgRouteLocal.F(lang, ep.Node)
	case r.Via != "":
		s = msgRouteVia.F(lang, ep.Node, r.Via)
	default:
		s = ep.Node
	}
	if r.Veth != "" {
		s += " · " + msgRouteVeth.F(lang, r.Veth)
	}
	return s
}

// displayWidth counts terminal columns: Hangul takes two; the arrows and
// marks labctl prints are East Asian "ambiguous" and drawn narrow.
var displayWidth = &runewidth.Condition{EastAsianWidth: false}

// Width is how many terminal columns s takes.
func Width(s string) int { return displayWidth.StringWidth(s) }

// align pads every cell but the last of each row to its column's widest
// cell plus two spaces.
func align(rows [][]string) []string {
	var widths []int
	for _, r := range rows {
		for i, c := range r[:max(len(r)-1, 0)] {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], Width(c))
		}
	}
	out := make([]string, len(rows))
	for k, r := range rows {
		var b strings.Builder
		for i, c := range r {
			b.WriteString(c)
			if i < len(r)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-Width(c)+2))
			}
		}
		out[k] = strings.TrimRight(b.String(), " ")
	}
	return out
}
