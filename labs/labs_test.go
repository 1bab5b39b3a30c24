package labs_test

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/labctl/labctl/assets"
	"github.com/labctl/labctl/labs"
	"github.com/labctl/labctl/verify"
)

// The embedded chapters are valid: ids unique, every file listed and every
// listed file present, manifests decode strictly, checks known with valid
// parameters, every student-facing text in Korean and English.
func TestEmbeddedChaptersAreValid(t *testing.T) {
	lib, err := labs.Load(assets.Labs(), "assets/labs", verify.Validate)
	if err != nil {
		t.Fatal(err)
	}
	// in course order, whatever chapters come before or after
	if got := strings.Join(lib.IDs(), ","); !strings.Contains(got, "ch04,") || !strings.Contains(got, "ch07,ch08") {
		t.Errorf("chapters %s", got)
	}
	for _, ch := range lib.Chapters {
		for _, s := range ch.Steps {
			if len(s.Solution) == 0 {
				t.Errorf("%s/%s has no solution", ch.ID, s.ID)
			}
		}
	}
}

func TestImagesAreListed(t *testing.T) {
	lib, err := labs.Embedded(verify.Validate)
	if err != nil {
		t.Fatal(err)
	}
	imgs := lib.Images()
	if len(imgs) == 0 || !strings.Contains(strings.Join(imgs, " "), "agnhost") {
		t.Errorf("images %v", imgs)
	}
}

const goodLab = `id: ch99
order: 99
title: {ko: 시험, en: Test}
summary: {ko: 요약, en: Summary}
steps:
- id: one
  title: {ko: 하나, en: One}
  text: {ko: 본문, en: Text}
  manifests: [manifests/svc.yaml]
  solution: [manifests/svc.yaml]
  checks:
  - kind: serviceEndpoints
    title: {ko: 엔드포인트, en: endpoints}
    params: {service: web}
`

const svc = "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports:\n  - port: 80\n"

func fsWith(files map[string]string) fstest.MapFS {
	m := fstest.MapFS{}
	for k, v := range files {
		m[k] = &fstest.MapFile{Data: []byte(v)}
	}
	return m
}

func TestLoadInstructorChapter(t *testing.T) {
	lib, err := labs.Load(fsWith(map[string]string{
		"ch99/lab.yaml": goodLab, "ch99/lesson.ko.md": "# 시험", "ch99/lesson.en.md": "# Test", "ch99/manifests/svc.yaml": svc,
	}), "my-labs", verify.Validate)
	if err != nil {
		t.Fatal(err)
	}
	ch, ok := lib.Chapter("99")
	if !ok || ch.ID != "ch99" || ch.Namespace != "default" {
		t.Fatalf("chapter %+v", ch)
	}
	if _, i, ok := ch.Step("1"); !ok || i != 0 {
		t.Error("step by number")
	}
}

func TestLoadRejects(t *testing.T) {
	base := map[string]string{
		"ch99/lab.yaml": goodLab, "ch99/lesson.ko.md": "#", "ch99/lesson.en.md": "#", "ch99/manifests/svc.yaml": svc,
	}
	for name, tc := range map[string]struct {
		change map[string]string
		want   string
	}{
		"missing korean":    {map[string]string{"ch99/lab.yaml": strings.Replace(goodLab, "{ko: 하나, en: One}", "{en: One}", 1)}, "has no ko text"},
		"unknown field":     {map[string]string{"ch99/lab.yaml": goodLab + "colour: blue\n"}, "field colour not found"},
		"unknown kind":      {map[string]string{"ch99/lab.yaml": strings.Replace(goodLab, "serviceEndpoints", "serviceMagic", 1)}, `unknown check kind "serviceMagic"`},
		"bad params":        {map[string]string{"ch99/lab.yaml": strings.Replace(goodLab, "{service: web}", "{servce: web}", 1)}, "field servce not found"},
		"missing file":      {map[string]string{"ch99/lab.yaml": strings.Replace(goodLab, "solution: [manifests/svc.yaml]", "solution: [solution/nope.yaml]", 1)}, "solution/nope.yaml: listed but missing"},
		"unlisted file":     {map[string]string{"ch99/manifests/extra.yaml": svc}, "manifests/extra.yaml: not listed"},
		"manifest typo":     {map[string]string{"ch99/manifests/svc.yaml": strings.Replace(svc, "ports:", "prots:", 1)}, `unknown field "spec.prots"`},
		"no lesson":         {map[string]string{"ch99/lesson.ko.md": ""}, ""},
		"manifest bad yaml": {map[string]string{"ch99/manifests/svc.yaml": "apiVersion: v1\nkind: Service\nmetadata:\n  name: [x\n"}, "svc.yaml: line 1"},
	} {
		t.Run(name, func(t *testing.T) {
			files := map[string]string{}
			for k, v := range base {
				files[k] = v
			}
			for k, v := range tc.change {
				files[k] = v
			}
			fsys := fsWith(files)
			if name == "no lesson" {
				delete(fsys, "ch99/lesson.ko.md")
				tc.want = "lesson.ko.md is missing"
			}
			_, err := labs.Load(fsys, "my-labs", verify.Validate)
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error does not say %q:\n%v", tc.want, err)
			}
			if !strings.Contains(err.Error(), "my-labs/ch99/") {
				t.Errorf("error does not name the file: %v", err)
			}
		})
	}
}

// ch04's node-agent tolerates the control-plane taint: its image must be
// side-loaded there too, or an offline cluster cannot run it.
func TestControlPlaneImages(t *testing.T) {
	lib, err := labs.Embedded(verify.Validate)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(lib.ControlPlaneImages(), " ")
	if !strings.Contains(got, "agnhost") || strings.Contains(got, "dnsutils") {
		t.Errorf("control-plane images %q: want agnhost (node-agent), not dnsutils (Jobs run on workers)", got)
	}
}
