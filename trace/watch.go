package trace

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/labctl/labctl/i18n"
	"github.com/labctl/labctl/trace/iptables"
)

// Sample is one reading of the endpoints' counters on the entry node.
type Sample struct {
	Node    string    `json:"node"`
	Elapsed float64   `json:"elapsedSeconds"`
	Counts  []Counter `json:"endpoints"`
}

// Counter is one endpoint's DNAT counter: new connections kube-proxy sent
// there, in total and since the watch began.
type Counter struct {
	Address string `json:"address"`
	Pod     string `json:"pod,omitempty"`
	Packets uint64 `json:"packets"`
	Delta   uint64 `json:"delta"`
}

// Watch reads the entry node's KUBE-SEP counters every interval and calls
// fn with each sample, until ctx ends (its error is returned) or fn
// returns false.
func (tr *Tracer) Watch(ctx context.Context, t *Trace, interval time.Duration, fn func(Sample) bool) error {
	if t.Service == nil || t.Ingress != nil || len(t.Endpoints) == 0 {
		return i18n.Errorf(msgWatchNeedsService)
	}
	start := time.Now()
	base := map[string]uint64{}
	for _, ep := range t.Endpoints {
		base[ep.Chain] = ep.Packets
	}
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		text, err := tr.Nodes.Run(ctx, t.Entry.Node, "iptables-save -c -t nat")
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return err
		}
		d, err := iptables.Parse(text)
		if err != nil {
			return err
		}
		s := Sample{Node: t.Entry.Node, Elapsed: time.Since(start).Seconds()}
		nat := d.Table("nat")
		for _, ep := range t.Endpoints {
			c := Counter{Address: ep.Address, Pod: ep.Pod}
			if sep := nat.Chain(ep.Chain); sep != nil {
				for _, r := range sep.Rules {
					if r.Target == "DNAT" {
						c.Packets = r.Counters.Packets
					}
				}
			}
			if c.Packets >= base[ep.Chain] {
				c.Delta = c.Packets - base[ep.Chain]
			}
			s.Counts = append(s.Counts, c)
		}
		if !fn(s) {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// RenderSample draws a sample as bars of new connections since the start,
// width columns wide at most.
func RenderSample(s Sample, lang i18n.Lang, width int, st Styles) []string {
	var total, most uint64
	for _, c := range s.Counts {
		total += c.Delta
		most = max(most, c.Delta)
	}
	out := []string{msgWatchHead.F(lang, s.Node, s.Elapsed, total)}
	rows := make([][]string, len(s.Counts))
	for i, c := range s.Counts {
		rows[i] = []string{c.Address, c.Pod}
	}
	labels := align(rows)
	lw := 0
	for _, l := range labels {
		lw = max(lw, Width(l))
	}
	barW := max(width-lw-16, 10)
	for i, c := range s.Counts {
		n := 0
		if most > 0 {
			n = int(float64(barW) * float64(c.Delta) / float64(most))
		}
		pct := 0.0
		if total > 0 {
			pct = 100 * float64(c.Delta) / float64(total)
		}
		l := labels[i] + strings.Repeat(" ", lw-Width(labels[i]))
		bar := apply(st.Bar, strings.Repeat("█", n)) + strings.Repeat("·", barW-n)
		out = append(out, fmt.Sprintf("  %s  %s %5d %3.0f%%", l, bar, c.Delta, pct))
	}
	return out
}

var (
	msgWatchNeedsService = i18n.M("trace.watch.service", "--watch follows kube-proxy's counters: give a Service target with ready endpoints",
		"--watch 는 kube-proxy 의 카운터를 봅니다: 준비된 엔드포인트가 있는 Service 를 대상으로 주세요")
	msgWatchHead = i18n.M("trace.watch.head", "new connections per endpoint on %s (kube-proxy's DNAT counters), %.0f s, %d in all:",
		"%s 의 엔드포인트별 새 연결 수 (kube-proxy DNAT 카운터), %.0f 초, 모두 %d 개:")
)
