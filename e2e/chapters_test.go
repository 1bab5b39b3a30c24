//go:build e2e

package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

type checkReport struct {
	Schema  string
	Verdict string
	Steps   []struct {
		ID      string
		Verdict string
		Checks  []struct {
			ID, Verdict, Message, Hint string
			Evidence                   []string
		}
	}
}

// check runs `labctl check` and parses its JSON report.
func (h *harness) check(t *testing.T, args ...string) (checkReport, result) {
	t.Helper()
	r := h.labctl(t, append(append([]string{"check"}, args...), "-o", "json")...)
	var rep checkReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("check %v: not a JSON report: %v\n%s", args, err, r)
	}
	if rep.Schema != "labctl/check/v1" {
		t.Errorf("schema %q", rep.Schema)
	}
	return rep, r
}

// negativeControl proves every step of the chapter fails when its work is
// not done: a check that cannot fail proves nothing.
func negativeControl(t *testing.T, ch string) {
	t.Helper()
	rep, r := h.check(t, ch, "--timeout", "10s")
	if r.code != 1 {
		t.Errorf("check %s on a cluster without the work: exit %d, want 1", ch, r.code)
	}
	for _, s := range rep.Steps {
		if s.Verdict != "fail" {
			t.Errorf("%s step %s is %s without the work: a step that cannot fail is a defect", ch, s.ID, s.Verdict)
		}
	}
}

// solved applies the chapter's solution and proves every step passes.
func solved(t *testing.T, ch string) {
	t.Helper()
	if r := h.labctl(t, "apply", ch, "--solution"); r.code != 0 {
		t.Fatalf("apply %s:\n%s", ch, r)
	}
	rep, r := h.check(t, ch)
	for _, s := range rep.Steps {
		for _, c := range s.Checks {
			if c.Verdict != "pass" {
				t.Errorf("%s/%s/%s after the solution: %s: %s %v", ch, s.ID, c.ID, c.Verdict, c.Message, c.Evidence)
			}
		}
	}
	if r.code != 0 {
		t.Fatalf("check %s after apply: exit %d", ch, r.code)
	}
	// the figure the README reports: check on a ready, solved cluster
	text := h.labctl(t, "check", ch)
	t.Logf("labctl check %s on the solved cluster: %s\n%s", ch, text.took.Round(time.Millisecond), text.stdout)
}

// expectFail checks one step and requires one check to fail saying all of says.
func expectFail(t *testing.T, ch, step, check string, says ...string) {
	t.Helper()
	rep, r := h.check(t, ch, "--step", step, "--timeout", "15s")
	if r.code != 1 {
		t.Errorf("%s --step %s: exit %d, want 1", ch, step, r.code)
	}
	for _, s := range rep.Steps {
		for _, c := range s.Checks {
			if c.ID != check {
				continue
			}
			if c.Verdict != "fail" {
				t.Errorf("%s/%s/%s: %s, want fail", ch, step, check, c.Verdict)
			}
			all := c.Message + "\n" + strings.Join(c.Evidence, "\n")
			mustContain(t, fmt.Sprintf("%s/%s/%s", ch, step, check), all, says...)
			t.Logf("broken %s/%s: %s | %s", step, check, c.Message, strings.Join(c.Evidence, " | "))
			return
		}
	}
	t.Errorf("no check %s in step %s", check, step)
}

func expectPass(t *testing.T, ch, step string) {
	t.Helper()
	rep, r := h.check(t, ch, "--step", step)
	if r.code != 0 {
		t.Errorf("%s --step %s: exit %d, want 0: %+v", ch, step, r.code, rep.Steps)
	}
}

func (h *harness) patch(t *testing.T, kind, name, patch string) {
	t.Helper()
	c := h.client(t)
	ctx := context.Background()
	var err error
	switch kind {
	case "service":
		_, err = c.CoreV1().Services("default").Patch(ctx, name, types.MergePatchType, []byte(patch), metav1.PatchOptions{})
	case "secret":
		_, err = c.CoreV1().Secrets("default").Patch(ctx, name, types.MergePatchType, []byte(patch), metav1.PatchOptions{})
	case "deployment":
		_, err = c.AppsV1().Deployments("default").Patch(ctx, name, types.MergePatchType, []byte(patch), metav1.PatchOptions{})
	}
	must(t, err)
}

func testChapter07(t *testing.T) {
	negativeControl(t, "ch07")
	exercises(t, "ch07")
	solved(t, "ch07")

	// Broken variants each fail naming the problem; the fix passes again.
	h.patch(t, "service", "http-go-svc", `{"spec":{"selector":{"app":"http-og"}}}`)
	expectFail(t, "ch07", "clusterip", "endpoints", "no ready endpoints", "selector: app=http-og", "other pods' labels: app=http-go")
	h.patch(t, "service", "http-go-svc", `{"spec":{"selector":{"app":"http-go"}}}`)
	expectPass(t, "ch07", "clusterip")

	h.patch(t, "service", "http-go-svc", `{"spec":{"ports":[{"port":8080,"targetPort":8080,"protocol":"TCP"}]}}`)
	expectFail(t, "ch07", "clusterip", "from-node", "has no port 80", "8080")
	// kubectl-edited port entries stay beside the manifest's: apply says so and --force re-creates
	if r := h.labctl(t, "apply", "ch07", "--step", "clusterip", "--solution"); r.code == 0 || !strings.Contains(r.stderr, "--force") {
		t.Errorf("apply over an edited port list should fail and suggest --force:\n%s", r)
	}
	if r := h.labctl(t, "apply", "ch07", "--step", "clusterip", "--solution", "--force"); r.code != 0 {
		t.Fatalf("restore:\n%s", r)
	}
	expectPass(t, "ch07", "clusterip")

	h.patch(t, "service", "externalname-service", `{"spec":{"externalName":"example.com"}}`)
	expectFail(t, "ch07", "externalname", "cname", "CNAME to example.com.", "want google.com.")
	h.patch(t, "service", "externalname-service", `{"spec":{"externalName":"google.com"}}`)
	expectPass(t, "ch07", "externalname")

	// The headless step's given manifest lacks clusterIP: None: a student who applies it as is
	// gets a normal Service, and the fix needs a re-create (clusterIP is immutable).
	must(t, h.client(t).CoreV1().Services("default").Delete(context.Background(), "http-go-headless", metav1.DeleteOptions{}))
	eventually(t, time.Minute, func() error {
		_, err := h.client(t).CoreV1().Services("default").Get(context.Background(), "http-go-headless", metav1.GetOptions{})
		if err == nil {
			return fmt.Errorf("still there")
		}
		return nil
	})
	// the starter as given, the way a student applies it with kubectl
	applyFile(t, "../assets/labs/ch07-services/manifests/headless.yaml")
	expectFail(t, "ch07", "headless", "a-records", "a headless Service needs clusterIP: None")
	if r := h.labctl(t, "apply", "ch07", "--step", "headless", "--solution"); r.code == 0 || !strings.Contains(r.stderr, "--force") {
		t.Errorf("applying a headless solution over a ClusterIP Service should fail and suggest --force:\n%s", r)
	}
	if r := h.labctl(t, "apply", "ch07", "--step", "headless", "--solution", "--force"); r.code != 0 {
		t.Fatalf("apply --force:\n%s", r)
	}
	expectPass(t, "ch07", "headless")

	// The DNS answer follows a scale up: 4 ready pods, 4 A records.
	h.patch(t, "deployment", "http-go", `{"spec":{"replicas":4}}`)
	eventually(t, 2*time.Minute, func() error {
		rep, r := h.check(t, "ch07", "--step", "headless")
		if r.code != 0 {
			return fmt.Errorf("%+v", rep.Steps)
		}
		for _, c := range rep.Steps[0].Checks {
			if !strings.Contains(c.Message, "(4)") {
				return fmt.Errorf("not 4 records yet: %s", c.Message)
			}
		}
		return nil
	})
	h.patch(t, "deployment", "http-go", `{"spec":{"replicas":3}}`)

	if r := h.labctl(t, "reset", "ch07"); r.code != 0 {
		t.Fatalf("reset:\n%s", r)
	}
	negativeControl(t, "ch07")
}

func testChapter08(t *testing.T) {
	negativeControl(t, "ch08")
	exercises(t, "ch08")
	solved(t, "ch08")

	// A TLS Secret for another name: the controller serves its default
	// certificate, and the check says exactly that.
	dir := t.TempDir()
	if r := h.run(t, time.Minute, nil, "tls", "cert", "--cn", "other.example.com", "-o", dir); r.code != 0 {
		t.Fatalf("tls cert:\n%s", r)
	}
	crt, _ := os.ReadFile(dir + "/tls.crt")
	key, _ := os.ReadFile(dir + "/tls.key")
	if st, _ := os.Stat(dir + "/tls.key"); st == nil || st.Mode().Perm() != 0o600 {
		t.Errorf("tls.key mode %v, want 0600", st.Mode())
	}
	h.patch(t, "secret", "tls-secret", fmt.Sprintf(`{"data":{"tls.crt":%q,"tls.key":%q}}`, b64(crt), b64(key)))
	expectFail(t, "ch08", "tls", "certificate", "does not name kube-book.com", "DEFAULT CERT")
	if r := h.labctl(t, "apply", "ch08", "--step", "tls", "--solution"); r.code != 0 {
		t.Fatalf("restore:\n%s", r)
	}
	expectPass(t, "ch08", "tls")

	if r := h.labctl(t, "reset", "ch08"); r.code != 0 {
		t.Fatalf("reset:\n%s", r)
	}
	negativeControl(t, "ch08")
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// applyFile applies a manifest the way a student would with kubectl, but
// through labctl's own engine (no kubectl needed on the test machine).
func applyFile(t *testing.T, path string) {
	t.Helper()
	dir := t.TempDir()
	must(t, os.MkdirAll(dir+"/chx/manifests", 0o755))
	data, err := os.ReadFile(path)
	must(t, err)
	must(t, os.WriteFile(dir+"/chx/manifests/m.yaml", data, 0o644))
	lab := "id: chx\norder: 1\ntitle: {ko: x, en: x}\nsummary: {ko: x, en: x}\nsteps:\n- id: s\n  title: {ko: x, en: x}\n  text: {ko: x, en: x}\n  solution: [manifests/m.yaml]\n  checks:\n  - kind: serviceEndpoints\n    title: {ko: x, en: x}\n    params: {service: x}\nformat: labctl/lab/v1\n"
	must(t, os.WriteFile(dir+"/chx/lab.yaml", []byte(lab), 0o644))
	must(t, os.WriteFile(dir+"/chx/lesson.ko.md", []byte("x"), 0o644))
	must(t, os.WriteFile(dir+"/chx/lesson.en.md", []byte("x"), 0o644))
	if r := h.labctl(t, "apply", "chx", "--labs", dir, "--solution"); r.code != 0 {
		t.Fatalf("apply %s:\n%s", path, r)
	}
}
