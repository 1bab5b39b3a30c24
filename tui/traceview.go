package tui

import (
	"context"
	"strings"
	"sync"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/labctl/labctl/apply"
	"github.com/labctl/labctl/i18n"
	"github.com/labctl/labctl/labs"
	"github.com/labctl/labctl/trace"
)

// TraceView gives steps the trace view (t): the path a packet takes to one
// of the chapter's Services or Ingress hosts, read live from the nodes. It
// is optional: without one, no step offers the view.
type TraceView interface {
	// Trace follows a packet to target in the chapter's namespace.
	Trace(ctx context.Context, lang i18n.Lang, ch *labs.Chapter, target string) (*trace.Trace, error)
}

// traceModel is the trace view inside the step pane: a short list to pick
// the target when the chapter has several, then the hop list.
type traceModel struct {
	on      bool
	id      int
	ch      *labs.Chapter
	targets []string
	cursor  int
	picking bool
	target  string
	res     *trace.Trace
	err     error
	cancel  context.CancelFunc
}

type traceDoneMsg struct {
	id  int
	res *trace.Trace
	err error
}

// openTrace opens the view: the pick list, or the trace at once when there
// is one target.
func openTrace(c *common, ch *labs.Chapter, targets []string) (traceModel, tea.Cmd) {
	m := traceModel{on: true, ch: ch, targets: targets}
	if len(targets) == 1 {
		return m.run(c, targets[0])
	}
	m.picking = true
	return m, nil
}

func (m traceModel) run(c *common, target string) (traceModel, tea.Cmd) {
	m.stop()
	ctx, cancel := context.WithCancel(c.ctx)
	m.picking, m.target, m.res, m.err, m.cancel = false, target, nil, nil, cancel
	m.id = c.nextOp()
	id, tv, lang, ch := m.id, c.tracer, c.lang, m.ch
	return m, func() tea.Msg {
		res, err := tv.Trace(ctx, lang, ch, target)
		return traceDoneMsg{id: id, res: res, err: err}
	}
}

func (m traceModel) stop() {
	if m.cancel != nil {
		m.cancel()
	}
}

// key handles the pick list; handled is false for keys it leaves to the step.
func (m traceModel) key(c *common, msg tea.KeyPressMsg) (traceModel, tea.Cmd, bool) {
	if !m.picking {
		return m, nil, false
	}
	k := c.keys
	switch {
	case key.Matches(msg, k.Up):
		m.cursor = max(m.cursor-1, 0)
	case key.Matches(msg, k.Down):
		m.cursor = min(m.cursor+1, len(m.targets)-1)
	case key.Matches(msg, k.Open):
		mm, cmd := m.run(c, m.targets[m.cursor])
		return mm, cmd, true
	case key.Matches(msg, k.Back), key.Matches(msg, k.Trace):
		m.stop()
		return traceModel{}, nil, true
	default:
		return m, nil, false
	}
	return m, nil, true
}

func (m traceModel) update(msg traceDoneMsg) traceModel {
	if msg.id != m.id || !m.on {
		return m
	}
	m.res, m.err = msg.res, msg.err
	return m
}

func (m traceModel) view(c *common, width int) string {
	st := c.styles
	var b strings.Builder
	switch {
	case m.picking:
		b.WriteString("  " + st.Muted.Render(c.t(msgTracePick)) + "\n")
		for i, t := range m.targets {
			mark := "  "
			if i == m.cursor {
				mark = st.Accent.Render("▸ ")
			}
			b.WriteString("  " + mark + t + "\n")
		}
	case m.err != nil:
		b.WriteString(errorText(c, m.err, width) + "\n")
	case m.res == nil:
		b.WriteString("  " + st.Muted.Render(c.t(msgTraceRunning, m.target)) + "\n")
	default:
		styles := trace.Styles{
			Num:   func(s string) string { return st.Accent.Render(s) },
			Chain: func(s string) string { return st.Key.Render(s) },
			Dim:   func(s string) string { return st.Muted.Render(s) },
			Width: width - 2,
		}
		for _, l := range trace.Render(m.res, c.lang, styles) {
			b.WriteString(fitLine(l, width-2) + "\n")
		}
	}
	return strings.TrimSuffix(b.String(), "\n")
}

var (
	msgSecTrace     = i18n.M("tui.trace.section", "Packet path (t)", "패킷 경로 (t)")
	msgTracePick    = i18n.M("tui.trace.pick", "trace which? ↑/↓ then enter (esc closes)", "무엇을 추적할까요? ↑/↓ 후 enter (esc 로 닫기)")
	msgTraceRunning = i18n.M("tui.trace.running", "reading the nodes' rules for %s …", "%s 의 노드 규칙을 읽는 중 …")
	msgTraceNone    = i18n.M("tui.trace.none", "this chapter has no Service or Ingress to trace", "이 챕터에는 추적할 Service 나 Ingress 가 없습니다")
	msgKeyTrace     = i18n.M("key.trace", "packet path", "패킷 경로")
)

// hasTrace says whether the step offers the trace view.
func (m stepModel) hasTrace() bool {
	return m.c.tracer != nil && len(StepTraceTargets(m.ch, m.st)) > 0
}

// toggleTrace opens or closes the trace view.
func (m stepModel) toggleTrace() (stepModel, tea.Cmd) {
	if m.trace.on {
		m.trace.stop()
		m.trace = traceModel{}
		return m, nil
	}
	if !m.hasTrace() {
		m.note = m.c.styles.Muted.Render(m.c.t(msgTraceNone))
		return m, nil
	}
	var cmd tea.Cmd
	m.trace, cmd = openTrace(m.c, m.ch, StepTraceTargets(m.ch, m.st))
	return m.showTrace(), cmd
}

// showTrace brings the trace section to the top of the pane.
func (m stepModel) showTrace() stepModel {
	m = m.refresh()
	m.vp.SetYOffset(m.traceLine)
	return m
}

// stepTargets caches StepTraceTargets: the help bar asks on every frame.
var stepTargets sync.Map

// StepTraceTargets is what a step can trace: the Services (with a
// ClusterIP) and Ingress hosts of the step's own files, or else of the
// whole chapter, as svc/NAME and http://HOST/.
func StepTraceTargets(ch *labs.Chapter, st *labs.Step) []string {
	k := ch.ID + "/" + st.ID
	if v, ok := stepTargets.Load(k); ok {
		return v.([]string)
	}
	var own []string
	for _, s := range ch.Steps {
		if s.ID == st.ID {
			own = append(append(append(own, s.Prerequisites...), s.Manifests...), s.Solution...)
		}
	}
	out := targetsOf(ch, own)
	if len(out) == 0 {
		if all, err := ch.AllObjects(); err == nil {
			out = targetsIn(all)
		}
	}
	stepTargets.Store(k, out)
	return out
}

func targetsOf(ch *labs.Chapter, files []string) []string {
	objs, err := ch.Objects(files)
	if err != nil {
		return nil
	}
	return targetsIn(objs)
}

func targetsIn(objs []apply.Object) []string {
	var out []string
	seen := map[string]bool{}
	add := func(s string) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, o := range objs {
		switch o.GetKind() {
		case "Service":
			typ, _, _ := unstructured.NestedString(o.Object, "spec", "type")
			ip, _, _ := unstructured.NestedString(o.Object, "spec", "clusterIP")
			if typ != "ExternalName" && ip != "None" {
				add("svc/" + o.GetName())
			}
		case "Ingress":
			rules, _, _ := unstructured.NestedSlice(o.Object, "spec", "rules")
			for _, r := range rules {
				if m, ok := r.(map[string]any); ok {
					if h, _ := m["host"].(string); h != "" {
						add("http://" + h + "/")
					}
				}
			}
		}
	}
	return out
}

// fitLine keeps a hop line as it is when it fits (its columns are aligned)
// and otherwise wraps it under its own indentation, a little deeper.
func fitLine(l string, w int) string {
	if displayWidth(l) <= w {
		return "  " + l
	}
	body := strings.TrimLeft(l, " ")
	lead := strings.Repeat(" ", len(l)-len(body)+2)
	// A numbered hop keeps its number apart from the wrapped text.
	if n, rest, ok := strings.Cut(body, "  "); ok && n != "" && strings.Trim(ansi.Strip(n), "0123456789") == "" {
		nw := displayWidth(n)
		lines := strings.Split(wrap(rest, max(w-len(lead)-nw-2, 20)), "\n")
		for i := range lines {
			if i == 0 {
				lines[i] = lead + n + "  " + lines[i]
			} else {
				lines[i] = lead + strings.Repeat(" ", nw+2) + lines[i]
			}
		}
		return strings.Join(lines, "\n")
	}
	lines := strings.Split(wrap(body, max(w-len(lead), 20)), "\n")
	for i := range lines {
		if i > 0 {
			lines[i] = lead + "    " + lines[i]
		} else {
			lines[i] = lead + lines[i]
		}
	}
	return strings.Join(lines, "\n")
}
