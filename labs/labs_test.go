package labs_test

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/labctl/labctl/assets"
	"github.com/labctl/labctl/i18n"
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
	// in the course's order, whatever chapters sit between these
	got := "," + strings.Join(lib.IDs(), ",") + ","
	at := -1
	for _, id := range []string{"ch03", "ch04", "ch07", "ch08"} {
		i := strings.Index(got, ","+id+",")
		if i <= at {
			t.Errorf("chapters %s: %s missing or out of order", got, id)
		}
		at = i
	}
	for _, ch := range lib.Chapters {
		for _, s := range ch.Steps {
			if len(s.Solution) == 0 {
				t.Errorf("%s/%s has no solution", ch.ID, s.ID)
			}
		}
		for _, p := range ch.ExerciseProblems() {
			t.Error(p)
		}
	}
}

// Every step of the shipped chapters is an exercise: a starter with a TODO
// that is not the answer, and a task in both languages' step text.
func TestShippedStepsAreExercises(t *testing.T) {
	lib, err := labs.Load(assets.Labs(), "assets/labs", verify.Validate)
	if err != nil {
		t.Fatal(err)
	}
	for _, ch := range lib.Chapters {
		if ch.ID != "ch07" && ch.ID != "ch08" {
			continue // chapters still being written say so in their own tests
		}
		for _, s := range ch.Steps {
			if !strings.Contains(s.Text.En, "task") {
				t.Errorf("%s/%s: the English step text does not state the task (\"Your task: ...\")", ch.ID, s.ID)
			}
			if !strings.Contains(s.Text.Ko, "과제") {
				t.Errorf("%s/%s: the Korean step text does not state the task (\"과제: ...\")", ch.ID, s.ID)
			}
		}
	}
}

func TestExerciseProblems(t *testing.T) {
	base := map[string]string{"ch99/lab.yaml": goodLab, "ch99/lesson.ko.md": "#", "ch99/lesson.en.md": "#", "ch99/manifests/svc.yaml": svc}
	for name, tc := range map[string]struct {
		change map[string]string
		want   string
	}{
		"starter is the solution": {map[string]string{"ch99/manifests/svc.yaml": "# TODO: nothing\n" + svc}, "the starter is the solution"},
		// a task of commands states the command in its solution (labctl's
		// own kinds, e.g. PodAction) like any step: the same files are no answer
		"a task of commands with the starter as its solution": {map[string]string{"ch99/manifests/svc.yaml": "# TODO: delete a pod\n" + svc, "ch99/lab.yaml": strings.Replace(goodLab, "  manifests: [manifests/svc.yaml]\n", "  manifests: [manifests/svc.yaml]\n  task: action\n", 1)}, "the starter is the solution"},
		"no todo":      {map[string]string{"ch99/lab.yaml": strings.Replace(goodLab, "solution: [manifests/svc.yaml]", "solution: [solution/svc.yaml]", 1), "ch99/solution/svc.yaml": strings.Replace(svc, "80", "81", 1)}, `"# TODO" comment`},
		"no starter":   {map[string]string{"ch99/lab.yaml": strings.Replace(goodLab, "  manifests: [manifests/svc.yaml]\n", "", 1)}, "no starter"},
		"an exercise":  {map[string]string{"ch99/manifests/svc.yaml": "# TODO: write the port\n" + strings.Replace(svc, "80", "81", 1), "ch99/lab.yaml": strings.Replace(goodLab, "solution: [manifests/svc.yaml]", "solution: [solution/svc.yaml]", 1), "ch99/solution/svc.yaml": svc}, ""},
		"from nothing": {map[string]string{"ch99/manifests/svc.yaml": "# TODO: write the Service web\n", "ch99/lab.yaml": strings.Replace(goodLab, "solution: [manifests/svc.yaml]", "solution: [solution/svc.yaml]", 1), "ch99/solution/svc.yaml": svc}, ""},
	} {
		t.Run(name, func(t *testing.T) {
			files := map[string]string{}
			for k, v := range base {
				files[k] = v
			}
			for k, v := range tc.change {
				files[k] = v
			}
			lib, err := labs.Load(fsWith(files), "my-labs", verify.Validate)
			if err != nil {
				t.Fatal(err)
			}
			got := strings.Join(lib.Chapters[0].ExerciseProblems(), "\n")
			if tc.want == "" && got != "" {
				t.Errorf("an exercise reported: %s", got)
			}
			if tc.want != "" && !strings.Contains(got, tc.want) {
				t.Errorf("problems %q do not say %q", got, tc.want)
			}
		})
	}
}

func TestPrerequisiteMustBeAnotherStepsSolution(t *testing.T) {
	lab := strings.Replace(goodLab, "  manifests: [manifests/svc.yaml]", "  prerequisites: [manifests/svc.yaml]\n  manifests: [manifests/svc.yaml]", 1)
	_, err := labs.Load(fsWith(map[string]string{"ch99/lab.yaml": lab, "ch99/lesson.ko.md": "#", "ch99/lesson.en.md": "#", "ch99/manifests/svc.yaml": svc}), "my-labs", verify.Validate)
	if err == nil || !strings.Contains(err.Error(), "prerequisite manifests/svc.yaml is not in another step's solution") {
		t.Errorf("err = %v", err)
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

const goodLab = `format: labctl/lab/v1
id: ch99
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
		"manifest bad yaml": {map[string]string{"ch99/manifests/svc.yaml": "apiVersion: v1\nkind: Service\nmetadata:\n  name: [x\n"}, "svc.yaml: line 4"},
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

// A broken manifest several lists name (a step's starter and its solution)
// is one problem, reported once.
func TestLoadReportsABrokenFileOnce(t *testing.T) {
	lab := goodLab // its step lists manifests/svc.yaml as starter and solution
	_, err := labs.Load(fsWith(map[string]string{
		"ch99/lab.yaml": lab, "ch99/lesson.ko.md": "#", "ch99/lesson.en.md": "#",
		"ch99/manifests/svc.yaml": strings.Replace(svc, "ports:", "prots:", 1),
	}), "my-labs", verify.Validate)
	if err == nil || strings.Count(err.Error(), "spec.prots") != 1 {
		t.Errorf("want the broken file reported once, got:\n%v", err)
	}
}

// ch04's node-agent tolerates the control-plane taint, ch15's pods the
// low-limit worker's: their image must be side-loaded there too, or an
// offline cluster cannot run them; nothing else goes to those nodes.
func TestImagePlan(t *testing.T) {
	lib, err := labs.Embedded(verify.Validate)
	if err != nil {
		t.Fatal(err)
	}
	plan := lib.ImagePlan()
	if got := strings.Join(plan.Images(), " "); got != strings.Join(lib.Images(), " ") {
		t.Errorf("the plan has %q, the chapters use %q", got, strings.Join(lib.Images(), " "))
	}
	for img, pl := range plan {
		agnhost := strings.Contains(img, "agnhost")
		if !pl.Workers {
			t.Errorf("%s: not on the workers (%+v)", img, pl)
		}
		if pl.ControlPlane != agnhost || pl.LowLimit != agnhost {
			t.Errorf("%s placed %+v: only agnhost (ch04's node-agent, ch15's pods) goes to the control-plane and the low-limit worker", img, pl)
		}
	}
}

// Lessons speak to students: no references to labctl's own files.
func TestLessonsNameNoInternalFiles(t *testing.T) {
	lib, err := labs.Embedded(verify.Validate)
	if err != nil {
		t.Fatal(err)
	}
	for _, ch := range lib.Chapters {
		for _, l := range i18n.Langs {
			md, err := ch.Lesson(l)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(md, "lab.yaml") {
				t.Errorf("%s lesson (%s) mentions lab.yaml, an internal file", ch.ID, l)
			}
		}
	}
}

// A lab.yaml says which format it is in; a missing or unknown format stops
// the load with a message naming the file and the format labctl reads.
func TestLabFormat(t *testing.T) {
	for name, tc := range map[string]struct {
		lab    string
		en, ko string
	}{
		"missing": {strings.Replace(goodLab, "format: labctl/lab/v1\n", "", 1), "lab.yaml has no format line: labctl reads labs in format labctl/lab/v1", "lab.yaml 에 format 줄이 없습니다"},
		"unknown": {strings.Replace(goodLab, "labctl/lab/v1", "labctl/lab/v2", 1), `lab.yaml is in format "labctl/lab/v2", which this labctl does not read: it reads labctl/lab/v1`, "읽을 수 있는 형식은 labctl/lab/v1"},
		// A newer format's new fields are not reported as unknown fields:
		// the format is the problem.
		"newer fields": {strings.Replace(goodLab, "labctl/lab/v1", "labctl/lab/v2", 1) + "newField: x\n", `lab.yaml is in format "labctl/lab/v2"`, `"labctl/lab/v2" 형식이라`},
	} {
		fsys := fstest.MapFS{}
		for p, c := range map[string]string{"ch99/lab.yaml": tc.lab, "ch99/lesson.ko.md": "#", "ch99/lesson.en.md": "#", "ch99/manifests/svc.yaml": svc} {
			fsys[p] = &fstest.MapFile{Data: []byte(c)}
		}
		_, err := labs.Load(fsys, "mylabs", verify.Validate)
		if err == nil {
			t.Errorf("%s: loaded", name)
			continue
		}
		for l, want := range map[i18n.Lang]string{i18n.En: "mylabs/ch99/" + tc.en, i18n.Ko: tc.ko} {
			if got := i18n.Localize(err, l); !strings.Contains(got, want) || strings.Contains(got, "not found") {
				t.Errorf("%s (%s): %q, want %q", name, l, got, want)
			}
		}
	}
}
