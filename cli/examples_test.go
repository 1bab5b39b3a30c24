package cli

import (
	"net"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/labctl/labctl/i18n"
	"github.com/labctl/labctl/labs"
	"github.com/labctl/labctl/verify"
)

// Every labctl command line a student can copy — from help texts, messages,
// lessons, step texts and hints — names objects that exist: a chapter and
// its steps, or a Service some chapter creates, in its namespace.
func TestExamplesNameRealObjects(t *testing.T) {
	lib, err := labs.Embedded(verify.Validate)
	if err != nil {
		t.Fatal(err)
	}
	services := map[string]bool{} // "ns/name"
	for _, ch := range lib.Chapters {
		objs, err := ch.AllObjects()
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range objs {
			if o.GetKind() == "Service" {
				ns := o.GetNamespace()
				if ns == "" {
					ns = ch.Namespace
				}
				if ns == "" {
					ns = "default"
				}
				services[ns+"/"+o.GetName()] = true
			}
		}
	}
	var texts []string
	for _, m := range i18n.All() {
		texts = append(texts, m.En, m.Ko)
	}
	for _, ch := range lib.Chapters {
		for _, l := range i18n.Langs {
			lesson, err := ch.Lesson(l)
			if err != nil {
				t.Fatal(err)
			}
			texts = append(texts, lesson)
		}
		for _, s := range ch.Steps {
			texts = append(texts, s.Text.En, s.Text.Ko)
			for _, h := range s.Hints {
				texts = append(texts, h.En, h.Ko)
			}
			for _, c := range s.Checks {
				texts = append(texts, c.Hint.En, c.Hint.Ko)
			}
		}
	}
	seen := 0
	for _, text := range texts {
		for _, cmd := range commandLines(text) {
			seen++
			if problem := exampleProblem(lib, services, cmd); problem != "" {
				t.Errorf("%q: %s", cmd, problem)
			}
		}
	}
	if seen < 20 {
		t.Fatalf("only %d labctl command lines found: is the scan broken?", seen)
	}
}

var commandLine = regexp.MustCompile(`labctl (dig|curl|proxy|check|apply|reset|show|manifests|hint) [^\n` + "`" + `|;)(]*`)

// commandLines finds "labctl VERB ..." up to the end of the command (a
// newline, a backtick, three spaces between examples, a shell separator).
func commandLines(text string) []string {
	var out []string
	for _, part := range strings.Split(text, "   ") {
		for _, m := range commandLine.FindAllString(part, -1) {
			out = append(out, strings.TrimSpace(m))
		}
	}
	return out
}

// flagsWithValues are the flags whose next word is their value.
var flagsWithValues = map[string]bool{"-n": true, "--namespace": true, "--port": true, "--scheduler": true, "--host": true,
	"-m": true, "--max-time": true, "--transport": true, "-o": true, "--step": true, "-H": true, "-X": true, "-d": true, "--affinity": true, "--timeout": true}

func exampleProblem(lib *labs.Library, services map[string]bool, cmd string) string {
	words := strings.Fields(cmd)[1:]
	verb := words[0]
	ns, step := "default", ""
	var args []string
	for i := 1; i < len(words); i++ {
		w := words[i]
		switch {
		case flagsWithValues[w] && i+1 < len(words):
			if w == "-n" || w == "--namespace" {
				ns = words[i+1]
			}
			if w == "--step" {
				step = words[i+1]
			}
			i++
		case strings.HasPrefix(w, "-"), strings.HasPrefix(w, "+"):
		default:
			args = append(args, w)
		}
	}
	if len(args) == 0 || strings.ContainsAny(args[0], "<>%$") || strings.ToUpper(args[0]) == args[0] {
		return "" // a placeholder (NAME, CHAPTER, %s), not an example
	}
	chapterVerb := verb != "dig" && verb != "curl" && verb != "proxy"
	if chapterVerb && !strings.HasPrefix(args[0], "ch") && strings.Trim(args[0], "0123456789") != "" {
		return "" // prose ("labctl apply makes the pod"), not a command line
	}
	switch verb {
	case "dig":
		if strings.Contains(cmd, " -x ") {
			return ""
		}
		return serviceProblem(services, args[0], ns)
	case "curl":
		u, err := url.Parse(args[0])
		if err != nil || !strings.Contains(args[0], "://") {
			u = &url.URL{Host: args[0]}
		}
		return serviceProblem(services, u.Hostname(), ns)
	case "proxy":
		name, ok := strings.CutPrefix(args[0], "svc/")
		if !ok {
			return "" // prose ("labctl proxy opens a port"); examples say svc/NAME
		}
		if !services[ns+"/"+name] {
			return "no chapter creates Service " + ns + "/" + name
		}
		return ""
	}
	ch, ok := lib.Chapter(args[0])
	if !ok {
		return "no chapter " + args[0]
	}
	for _, s := range strings.Split(step, ",") {
		if s == "" || strings.ToUpper(s) == s && strings.Trim(s, "0123456789") != "" {
			continue
		}
		if _, _, ok := ch.Step(s); !ok {
			return "no step " + s + " in " + ch.ID
		}
	}
	return ""
}

// serviceProblem resolves a name as labctl does (NAME in the namespace,
// [_port._proto.]NAME.NS.svc[.cluster.local]) and checks the Service exists.
func serviceProblem(services map[string]bool, host, ns string) string {
	host = strings.TrimSuffix(host, ".")
	if host == "localhost" || net.ParseIP(host) != nil {
		return ""
	}
	labels := strings.Split(host, ".")
	for len(labels) > 0 && strings.HasPrefix(labels[0], "_") {
		labels = labels[1:]
	}
	switch {
	case len(labels) == 1:
	case len(labels) >= 3 && labels[2] == "svc":
		ns = labels[1]
	default:
		return "" // a name outside the cluster (google.com), used as given
	}
	if !services[ns+"/"+labels[0]] {
		return "no chapter creates Service " + ns + "/" + labels[0]
	}
	return ""
}

func TestExampleScanner(t *testing.T) {
	got := commandLines("Examples: labctl dig web -n ch07   labctl curl http://x/\n`labctl proxy svc/a --port 1:2`")
	want := []string{"labctl dig web -n ch07", "labctl curl http://x/", "labctl proxy svc/a --port 1:2"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("got %q", got)
	}
	services := map[string]bool{"default/http-go-svc": true}
	for host, bad := range map[string]bool{"web": true, "http-go-svc": false, "_http._tcp.http-go-svc.default.svc.cluster.local": false,
		"web.ch07.svc": true, "google.com": false, "10.96.0.10": false} {
		if got := serviceProblem(services, host, "default") != ""; got != bad {
			t.Errorf("%s: problem %v, want %v", host, got, bad)
		}
	}
}
