//go:build e2e

package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// gatewayChapter writes ch08's Gateway API steps as chapters of their own
// under a temporary --labs directory: "chgw" exactly as ch08 has them, and
// "chgwstart" whose "solution" is each step's starter (so labctl apply puts
// the given manifests in place as a student would). Reset then deletes the
// Gateway steps' objects only, never the Ingress steps' (the suite may run
// ch08's Ingress phase at the same time).
func gatewayChapter(t *testing.T) (dir string, steps []string) {
	t.Helper()
	src := "../assets/labs/ch08-ingress"
	data, err := os.ReadFile(src + "/lab.yaml")
	must(t, err)
	var ch map[string]any
	must(t, yaml.Unmarshal(data, &ch))
	var gw []map[string]any
	for _, s := range ch["steps"].([]any) {
		m := s.(map[string]any)
		if strings.HasPrefix(m["id"].(string), "gw-") {
			gw = append(gw, m)
			steps = append(steps, m["id"].(string))
		}
	}
	if len(gw) < 6 {
		t.Fatalf("ch08 has %d Gateway API steps, want 6", len(gw))
	}
	dir = t.TempDir()
	write := func(id string, starter bool) {
		var out []any
		for _, s := range gw {
			c := map[string]any{}
			for k, v := range s {
				c[k] = v
			}
			if starter {
				c["solution"] = s["manifests"]
			}
			for _, list := range []string{"manifests", "solution"} {
				for _, f := range c[list].([]any) {
					b, err := os.ReadFile(filepath.Join(src, f.(string)))
					must(t, err)
					must(t, os.MkdirAll(filepath.Join(dir, id, filepath.Dir(f.(string))), 0o755))
					must(t, os.WriteFile(filepath.Join(dir, id, f.(string)), b, 0o644))
				}
			}
			out = append(out, c)
		}
		lab := map[string]any{"format": ch["format"], "id": id, "order": 90, "title": ch["title"], "summary": ch["summary"], "requires": ch["requires"], "steps": out}
		if starter {
			lab["order"] = 91
		}
		b, err := yaml.Marshal(lab)
		must(t, err)
		must(t, os.WriteFile(filepath.Join(dir, id, "lab.yaml"), b, 0o644))
		for _, l := range []string{"ko", "en"} {
			must(t, os.WriteFile(filepath.Join(dir, id, "lesson."+l+".md"), []byte("x"), 0o644))
		}
	}
	write("chgw", false)
	write("chgwstart", true)
	return dir, steps
}

// gwCheck runs labctl check on the Gateway steps (one step, or all).
func gwCheck(t *testing.T, dir string, args ...string) (checkReport, result) {
	t.Helper()
	r := h.labctl(t, append(append([]string{"check", "chgw", "--labs", dir}, args...), "-o", "json")...)
	var rep checkReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("check chgw %v: not a JSON report: %v\n%s", args, err, r)
	}
	return rep, r
}

// gwAllFail proves every Gateway step fails (no step that cannot fail).
func gwAllFail(t *testing.T, dir, when string) {
	t.Helper()
	rep, r := gwCheck(t, dir, "--timeout", "10s")
	if r.code != 1 {
		t.Errorf("%s: check exit %d, want 1", when, r.code)
	}
	for _, s := range rep.Steps {
		if s.Verdict != "fail" {
			t.Errorf("%s: step %s is %s, want fail", when, s.ID, s.Verdict)
		}
	}
}

// testGatewaySteps is ch08's Gateway API proof on the real cluster:
// fresh → every step fails; each starter as given → a check of its step
// fails; the solution → every check passes; reset → every step fails.
func testGatewaySteps(t *testing.T) {
	dir, steps := gatewayChapter(t)
	start := time.Now()
	gwAllFail(t, dir, "fresh")

	if r := h.labctl(t, "apply", "chgwstart", "--labs", dir, "--solution"); r.code != 0 {
		t.Fatalf("apply the starters:\n%s", r)
	}
	for _, s := range steps {
		rep, r := gwCheck(t, dir, "--step", s, "--timeout", "15s")
		failed := []string{}
		for _, st := range rep.Steps {
			for _, c := range st.Checks {
				if c.Verdict == "fail" {
					failed = append(failed, c.ID+": "+c.Message+" | "+strings.Join(c.Evidence, " | "))
				}
				if c.Verdict == "error" {
					t.Errorf("starter %s/%s: error %s", s, c.ID, c.Message)
				}
			}
		}
		if r.code != 1 || len(failed) == 0 {
			t.Errorf("starter of %s passes every check (exit %d): a starter must fail", s, r.code)
		}
		t.Logf("starter %s fails: %s", s, strings.Join(failed, "\n    "))
	}

	if r := h.labctl(t, "apply", "chgw", "--labs", dir, "--solution"); r.code != 0 {
		t.Fatalf("apply the solutions:\n%s", r)
	}
	rep, r := gwCheck(t, dir)
	for _, s := range rep.Steps {
		for _, c := range s.Checks {
			if c.Verdict != "pass" {
				t.Errorf("solution %s/%s: %s: %s %v", s.ID, c.ID, c.Verdict, c.Message, c.Evidence)
			} else {
				t.Logf("solution %s/%s: %s | %s", s.ID, c.ID, c.Message, strings.Join(c.Evidence, " | "))
			}
		}
	}
	if r.code != 0 {
		t.Fatalf("check chgw after the solutions: exit %d", r.code)
	}
	text := h.labctl(t, "check", "chgw", "--labs", dir)
	t.Logf("labctl check (Gateway steps) on the solved cluster: %s", text.took.Round(time.Millisecond))

	if r := h.labctl(t, "reset", "chgw", "--labs", dir); r.code != 0 {
		t.Fatalf("reset:\n%s", r)
	}
	if r := h.labctl(t, "reset", "chgwstart", "--labs", dir); r.code != 0 {
		t.Fatalf("reset the starters:\n%s", r)
	}
	gwAllFail(t, dir, "after reset")
	t.Logf("Gateway API phase: %s", time.Since(start).Round(time.Second))
}

// gatewayNeedsTraefik proves that on an ingress-nginx lab the Gateway
// steps' checks say they need Traefik, as an error rather than a failure.
func gatewayNeedsTraefik(t *testing.T) {
	t.Helper()
	rep, _ := h.check(t, "ch08", "--step", "gw-host-rule", "--timeout", "10s")
	for _, s := range rep.Steps {
		for _, c := range s.Checks {
			if c.Verdict != "error" || !strings.Contains(c.Message, "need Traefik") {
				t.Errorf("gw-host-rule/%s on ingress-nginx: %s %q, want an error saying the steps need Traefik", c.ID, c.Verdict, c.Message)
			}
		}
	}
}
