package labs

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"regexp"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/client-go/kubernetes/scheme"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/labctl/labctl/apply"
	"github.com/labctl/labctl/assets"
	"github.com/labctl/labctl/i18n"
)

// CheckValidator checks one check's kind and parameters; the verifier
// provides it (labs does not depend on the verifier).
type CheckValidator func(kind string, params *yaml.Node) error

// Problems collects every validation error of a library, each naming its
// file and line, so an instructor fixes them all in one pass.
type Problems []string

func (p Problems) Error() string { return p.Localize(i18n.En) }

// Localize renders the list with its heading in l (the problems themselves
// name files, lines and fields, as the instructor wrote them).
func (p Problems) Localize(l i18n.Lang) string {
	return msgProblems.F(l, len(p), strings.Join(p, "\n  "))
}

// FormatV1 is the lab format this labctl reads: every lab.yaml says
// `format: labctl/lab/v1`. Within v1 fields are only ever added; a change
// of meaning is a new version, which an older labctl refuses by name
// instead of misreading.
const FormatV1 = "labctl/lab/v1"

// checkFormat refuses a lab.yaml that does not say it is in FormatV1,
// before its fields are read: a lab written for another version would fail
// on fields whose names mean nothing here.
func checkFormat(file string, data []byte) error {
	var head struct {
		Format string `yaml:"format"`
	}
	_ = yaml.Unmarshal(data, &head) // a file that is not YAML fails in the strict decode, with its line
	switch head.Format {
	case FormatV1:
		return nil
	case "":
		return i18n.Errorf(msgNoFormat, file, FormatV1)
	}
	return i18n.Errorf(msgBadFormat, file, head.Format, FormatV1)
}

var (
	msgNoFormat   = i18n.M("labs.format.missing", "%[1]s has no format line: labctl reads labs in format %[2]s; add the line format: %[2]s at the top", "%[1]s 에 format 줄이 없습니다: labctl 은 %[2]s 형식의 실습을 읽습니다. 맨 위에 format: %[2]s 줄을 넣으세요")
	msgBadFormat  = i18n.M("labs.format.unknown", "%[1]s is in format %[2]q, which this labctl does not read: it reads %[3]s (a newer labctl may read it)", "%[1]s 는 %[2]q 형식이라 이 labctl 이 읽지 못합니다: 읽을 수 있는 형식은 %[3]s 입니다 (더 새 labctl 이면 읽을 수도 있습니다)")
	msgProblems   = i18n.M("labs.problems", "problems in the lab content (%d):\n  %s", "실습 내용에 문제가 %d 개 있습니다:\n  %s")
	msgNoChapters = i18n.M("labs.no-chapters", "%s: no chapters (directories with a lab.yaml)", "%s: 챕터가 없습니다 (lab.yaml 이 든 디렉터리)")
	msgNotDir     = i18n.M("labs.not-dir", "%s is not a directory", "%s 는 디렉터리가 아닙니다")
)

// Embedded loads the chapters shipped in the binary. Their manifests are
// not decoded again on every run: go test proves them (see Load), and every
// labctl command would pay for it.
func Embedded(validate CheckValidator) (*Library, error) {
	return load(assets.Labs(), "assets/labs", validate, false)
}

// LoadDir loads an instructor's chapters from a directory on disk.
func LoadDir(dir string, validate CheckValidator) (*Library, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return nil, i18n.Errorf(msgNotDir, dir)
	}
	return Load(os.DirFS(dir), dir, validate)
}

// Load reads every chapter directory (one containing lab.yaml) at the top of
// fsys and validates it. origin prefixes file names in errors.
func Load(fsys fs.FS, origin string, validate CheckValidator) (*Library, error) {
	return load(fsys, origin, validate, true)
}

// load reads the chapters; strict also decodes every manifest against the
// API types, which an instructor's new chapter needs and embedded ones do
// not (their tests did it).
func load(fsys fs.FS, origin string, validate CheckValidator, strict bool) (*Library, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, err
	}
	lib := &Library{}
	var problems Problems
	ids := map[string]string{}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		if _, err := fs.Stat(fsys, path.Join(e.Name(), "lab.yaml")); err != nil {
			continue
		}
		ch, ps, err := loadChapter(fsys, origin, e.Name(), validate, strict)
		if err != nil {
			return nil, err
		}
		problems = append(problems, ps...)
		if ch == nil {
			continue
		}
		if prev, dup := ids[ch.ID]; dup {
			problems = append(problems, fmt.Sprintf("%s/%s/lab.yaml: chapter id %q is also used by %s", origin, e.Name(), ch.ID, prev))
			continue
		}
		ids[ch.ID] = e.Name()
		lib.Chapters = append(lib.Chapters, ch)
	}
	if len(problems) > 0 {
		return nil, problems
	}
	if len(lib.Chapters) == 0 {
		return nil, i18n.Errorf(msgNoChapters, origin)
	}
	lib.sort()
	return lib, nil
}

var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

// loadChapter reads one chapter: its problems, or an error that stops the
// load (a lab.yaml in a format labctl does not read).
func loadChapter(fsys fs.FS, origin, dir string, validate CheckValidator, strict bool) (*Chapter, Problems, error) {
	file := path.Join(origin, dir, "lab.yaml")
	data, err := fs.ReadFile(fsys, path.Join(dir, "lab.yaml"))
	if err != nil {
		return nil, Problems{file + ": " + err.Error()}, nil
	}
	if err := checkFormat(file, data); err != nil {
		return nil, nil, err
	}
	ch := &Chapter{Dir: dir, fsys: fsys}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(ch); err != nil {
		return nil, Problems{file + ": " + err.Error()}, nil
	}
	checkLines(data, ch)
	if ch.Namespace == "" {
		ch.Namespace = "default"
	}
	var ps Problems
	bad := func(format string, args ...any) { ps = append(ps, file+": "+fmt.Sprintf(format, args...)) }

	if !idPattern.MatchString(ch.ID) {
		bad("chapter id %q: use lower-case letters, digits and dashes", ch.ID)
	}
	textProblems(bad, "title", ch.Title)
	textProblems(bad, "summary", ch.Summary)
	for _, r := range ch.Requires {
		if r != "metallb" && r != "ingress" {
			bad("requires %q: known add-ons are metallb and ingress", r)
		}
	}
	for _, l := range i18n.Langs {
		if _, err := ch.Lesson(l); err != nil {
			bad("lesson.%s.md is missing", l)
		}
	}
	if len(ch.Steps) == 0 {
		bad("no steps")
	}
	listed := map[string]bool{}
	stepIDs := map[string]bool{}
	for i := range ch.Steps {
		s := &ch.Steps[i]
		where := fmt.Sprintf("step %d (%s)", i+1, s.ID)
		if !idPattern.MatchString(s.ID) {
			bad("%s: id %q: use lower-case letters, digits and dashes", where, s.ID)
		}
		if stepIDs[s.ID] {
			bad("%s: step id %q used twice", where, s.ID)
		}
		stepIDs[s.ID] = true
		textProblems(bad, where+" title", s.Title)
		textProblems(bad, where+" text", s.Text)
		for j, h := range s.Hints {
			textProblems(bad, fmt.Sprintf("%s hint %d", where, j+1), h)
		}
		if len(s.Checks) == 0 {
			bad("%s: no checks (a step that cannot fail proves nothing)", where)
		}
		checkIDs := map[string]bool{}
		for _, c := range s.Checks {
			cw := fmt.Sprintf("line %d: %s check %s", c.Line, where, c.Name())
			if checkIDs[c.Name()] {
				bad("%s: check id used twice in the step (give each an id)", cw)
			}
			checkIDs[c.Name()] = true
			textProblems(bad, cw+" title", c.Title)
			if c.Hint != (i18n.Text{}) {
				textProblems(bad, cw+" hint", c.Hint)
			}
			if validate != nil {
				params := c.Params
				if err := validate(c.Kind, &params); err != nil {
					bad("%s: %v", cw, err)
				}
			}
		}
		for g, group := range [][]string{s.Prerequisites, s.Manifests, s.Solution} {
			for _, f := range group {
				if listed[path.Clean(f)] {
					continue // a file several steps use is reported once
				}
				listed[path.Clean(f)] = true
				if !strict {
					continue
				}
				// a starter may hold only comments: "write it from nothing"
				for _, p := range manifestProblems(ch, f, g == 1) {
					ps = append(ps, path.Join(origin, dir, f)+": "+p)
				}
			}
		}
		if len(s.Solution) == 0 {
			bad("%s: no solution (the e2e suite proves every step passes after its solution)", where)
		}
	}
	// a prerequisite is what another step's solution makes
	for i, s := range ch.Steps {
		for _, f := range s.Prerequisites {
			if from := ch.SolvedBy(f); from < 0 || from == i {
				bad("step %d (%s): prerequisite %s is not in another step's solution", i+1, s.ID, f)
			}
		}
	}
	// every file under manifests/ and solution/ is used by a step
	for _, sub := range []string{"manifests", "solution"} {
		_ = fs.WalkDir(fsys, path.Join(dir, sub), func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil
			}
			rel := strings.TrimPrefix(p, dir+"/")
			if !listed[rel] {
				ps = append(ps, path.Join(origin, p)+": not listed by any step")
			}
			return nil
		})
	}
	return ch, ps, nil
}

func textProblems(bad func(string, ...any), what string, t i18n.Text) {
	for _, l := range t.Missing() {
		bad("%s has no %s text", what, l)
	}
}

// strict decodes against every kind client-go knows and Gateway API's
// (sigs.k8s.io/gateway-api, the version whose CRDs labctl installs),
// rejecting unknown and duplicate fields, so a typo in a given manifest is
// caught by go test.
var strict = func() runtime.Decoder {
	s := runtime.NewScheme()
	utilruntime.Must(scheme.AddToScheme(s))
	utilruntime.Must(gatewayv1.Install(s))
	utilruntime.Must(addLocalKinds(s))
	return serializer.NewCodecFactory(s, serializer.EnableStrict).UniversalDeserializer()
}()

func manifestProblems(ch *Chapter, name string, mayBeEmpty bool) []string {
	data, err := ch.ReadFile(name)
	if err != nil {
		return []string{"listed but missing"}
	}
	objs, err := apply.Decode(name, data)
	if err != nil {
		var de *apply.DecodeError
		if errors.As(err, &de) {
			return []string{fmt.Sprintf("line %d: %v", de.Line, de.Err)}
		}
		return []string{err.Error()}
	}
	if len(objs) == 0 && !mayBeEmpty {
		return []string{"no objects"}
	}
	var out []string
	for _, o := range objs {
		js, err := o.MarshalJSON()
		if err == nil {
			_, _, err = strict.Decode(js, nil, nil)
		}
		if err != nil {
			out = append(out, fmt.Sprintf("line %d: %s: %v", o.Line, o.Ref(), err))
		}
	}
	return out
}

// checkLines records where each check starts, for error messages.
func checkLines(data []byte, ch *Chapter) {
	var root yaml.Node
	if yaml.Unmarshal(data, &root) != nil || len(root.Content) == 0 {
		return
	}
	steps := mapValue(root.Content[0], "steps")
	if steps == nil {
		return
	}
	for i, sn := range steps.Content {
		if i >= len(ch.Steps) {
			break
		}
		checks := mapValue(sn, "checks")
		if checks == nil {
			continue
		}
		for j, cn := range checks.Content {
			if j < len(ch.Steps[i].Checks) {
				ch.Steps[i].Checks[j].Line = cn.Line
			}
		}
	}
}

func mapValue(n *yaml.Node, key string) *yaml.Node {
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// ImagePlan is where the chapters' pods can run, per image (the
// control-plane too for ch04's DaemonSet, which tolerates its taint; the
// low-limit worker only for ch15's pods, which tolerate its taint): `up`
// side-loads each image there, so an offline cluster runs them.
func (lib *Library) ImagePlan() apply.ImagePlan {
	plan := apply.ImagePlan{}
	for _, ch := range lib.Chapters {
		for _, s := range ch.Steps {
			objs, _ := ch.Objects(append(append([]string{}, s.Manifests...), s.Solution...))
			plan.AddObjects(objs)
		}
	}
	return plan
}

// Images lists the container images the chapters' manifests and solutions use.
func (lib *Library) Images() []string {
	seen := map[string]bool{}
	var out []string
	for _, ch := range lib.Chapters {
		for _, s := range ch.Steps {
			objs, _ := ch.Objects(append(append([]string{}, s.Manifests...), s.Solution...))
			for _, img := range apply.ImagesOf(objs) {
				if !seen[img] {
					seen[img] = true
					out = append(out, img)
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

// Objects decodes the named files of the chapter, in order.
func (c *Chapter) Objects(files []string) ([]apply.Object, error) {
	var out []apply.Object
	for _, f := range files {
		data, err := c.ReadFile(f)
		if err != nil {
			return nil, err
		}
		objs, err := apply.Decode(path.Join(c.Dir, f), data)
		if err != nil {
			return nil, err
		}
		out = append(out, objs...)
	}
	return out, nil
}

// SolutionObjects gathers the prerequisites and solution files of the steps
// (all when none), each file once, in step order.
func (c *Chapter) SolutionObjects(steps []int) ([]apply.Object, error) {
	if len(steps) == 0 {
		for i := range c.Steps {
			steps = append(steps, i)
		}
	}
	var files []string
	seen := map[string]bool{}
	for _, i := range steps {
		for _, f := range append(append([]string{}, c.Steps[i].Prerequisites...), c.Steps[i].Solution...) {
			if !seen[f] {
				seen[f] = true
				files = append(files, f)
			}
		}
	}
	return c.Objects(files)
}

// StarterObjects decodes a step's starter (possibly no object: a task to
// write from nothing).
func (c *Chapter) StarterObjects(step int) ([]apply.Object, error) {
	return c.Objects(c.Steps[step].Manifests)
}

// PrerequisiteObjects decodes what a step builds on, from other steps'
// solutions.
func (c *Chapter) PrerequisiteObjects(step int) ([]apply.Object, error) {
	return c.Objects(c.Steps[step].Prerequisites)
}

// SolvedBy is the index of the first step whose solution lists file, or -1.
func (c *Chapter) SolvedBy(file string) int {
	for i, s := range c.Steps {
		for _, f := range s.Solution {
			if path.Clean(f) == path.Clean(file) {
				return i
			}
		}
	}
	return -1
}

// AllObjects is every object the chapter's manifests and solutions create,
// once each: what reset deletes, and nothing else.
func (c *Chapter) AllObjects() ([]apply.Object, error) {
	var files []string
	seen := map[string]bool{}
	for _, s := range c.Steps {
		for _, f := range append(append(append([]string{}, s.Prerequisites...), s.Manifests...), s.Solution...) {
			if !seen[f] {
				seen[f] = true
				files = append(files, f)
			}
		}
	}
	objs, err := c.Objects(files)
	if err != nil {
		return nil, err
	}
	var out []apply.Object
	refs := map[string]bool{}
	for _, o := range objs {
		key := o.GroupVersionKind().GroupKind().String() + "/" + o.GetNamespace() + "/" + o.GetName()
		if !refs[key] {
			refs[key] = true
			out = append(out, o)
		}
	}
	return out, nil
}
