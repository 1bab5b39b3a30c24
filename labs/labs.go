// Package labs is the lab format: chapters as data (lab.yaml, lessons in
// Korean and English, the manifests a student is given and the solution
// that passes every check), loaded from the embedded content or from an
// instructor's directory, validated strictly, plus the progress store the
// CLI and the TUI share.
package labs

import (
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/labctl/labctl/i18n"
)

// Chapter is one lab chapter (lab.yaml plus its files).
type Chapter struct {
	// Format is the lab format's version, FormatV1; load refuses another.
	Format  string    `yaml:"format"`
	ID      string    `yaml:"id"`
	Order   int       `yaml:"order"`
	Title   i18n.Text `yaml:"title"`
	Summary i18n.Text `yaml:"summary"`
	// Seeds names the course notes the chapter reproduces.
	Seeds []string `yaml:"seeds,omitempty"`
	// Namespace is where the chapter's namespaced objects go unless a
	// manifest names one (default "default", as in the course).
	Namespace string `yaml:"namespace,omitempty"`
	// Requires lists add-ons the chapter needs: metallb, ingress.
	Requires []string `yaml:"requires,omitempty"`
	Steps    []Step   `yaml:"steps"`

	// Dir is the chapter's directory inside its file system.
	Dir  string `yaml:"-"`
	fsys fs.FS
}

// Step is one exercise: text, the starter given, the solution, checks, hints.
type Step struct {
	ID    string    `yaml:"id"`
	Title i18n.Text `yaml:"title"`
	Text  i18n.Text `yaml:"text"`
	// Prerequisites are files another step's solution makes (step 1's pods)
	// that this step builds on: applied for the student before the starter
	// or the solution, so any step can be started on its own.
	Prerequisites []string `yaml:"prerequisites,omitempty"`
	// Manifests is the starter: complete except for the part the step
	// teaches, which is missing or wrong and marked with a TODO comment.
	// Applied as given it fails at least one check.
	Manifests []string `yaml:"manifests,omitempty"`
	// Solution is the answer: with the prerequisites it passes every check.
	Solution []string `yaml:"solution,omitempty"`
	// Task is "action" when the student's task is something done with
	// kubectl to what the starter makes (delete a pod, run a port-forward)
	// rather than a change to a file: the checks observe the action, and
	// the solution still differs from the starter (it states the command in
	// labctl's own kinds, e.g. PodAction, where one can).
	Task   string      `yaml:"task,omitempty"`
	Checks []CheckSpec `yaml:"checks"`
	Hints  []i18n.Text `yaml:"hints,omitempty"`
}

// CheckSpec is one check of a step: a kind from the verifier's vocabulary
// and its parameters, kept as YAML so the verifier decodes them strictly.
type CheckSpec struct {
	Kind string `yaml:"kind"`
	// ID names the check in reports; defaults to the kind.
	ID      string    `yaml:"id,omitempty"`
	Title   i18n.Text `yaml:"title"`
	Hint    i18n.Text `yaml:"hint,omitempty"`
	Timeout Duration  `yaml:"timeout,omitempty"`
	Params  yaml.Node `yaml:"params,omitempty"`
	// Line is where the check starts in lab.yaml, for error messages.
	Line int `yaml:"-"`
}

// Name is the check's ID, or its kind when it has none.
func (c CheckSpec) Name() string {
	if c.ID != "" {
		return c.ID
	}
	return c.Kind
}

// Duration is a time.Duration written as "30s" in YAML.
type Duration time.Duration

// UnmarshalYAML parses "30s", "2m".
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	var s string
	if err := n.Decode(&s); err != nil {
		return err
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	*d = Duration(v)
	return nil
}

// Lesson returns the chapter's lesson in l (markdown).
func (c *Chapter) Lesson(l i18n.Lang) (string, error) {
	b, err := fs.ReadFile(c.fsys, path.Join(c.Dir, "lesson."+string(l)+".md"))
	return string(b), err
}

// ReadFile reads a file of the chapter (a manifest, a solution).
func (c *Chapter) ReadFile(name string) ([]byte, error) {
	return fs.ReadFile(c.fsys, path.Join(c.Dir, name))
}

// Step returns the step with the given ID, or by 1-based number ("3").
func (c *Chapter) Step(ref string) (*Step, int, bool) {
	for i := range c.Steps {
		if c.Steps[i].ID == ref || fmt.Sprint(i+1) == ref {
			return &c.Steps[i], i, true
		}
	}
	return nil, -1, false
}

// StepIDs lists the steps' IDs in order.
func (c *Chapter) StepIDs() []string {
	out := make([]string, len(c.Steps))
	for i, s := range c.Steps {
		out[i] = s.ID
	}
	return out
}

// Library is a set of chapters, in order.
type Library struct {
	Chapters []*Chapter
}

// Chapter finds a chapter by ID ("ch07") or by number ("7", "07").
func (lib *Library) Chapter(ref string) (*Chapter, bool) {
	ref = strings.ToLower(strings.TrimSpace(ref))
	for _, c := range lib.Chapters {
		if c.ID == ref {
			return c, true
		}
	}
	for _, c := range lib.Chapters {
		if fmt.Sprintf("ch%02s", ref) == c.ID || fmt.Sprintf("ch%s", ref) == c.ID || strings.TrimLeft(ref, "0") == fmt.Sprint(c.Order) {
			return c, true
		}
	}
	return nil, false
}

// IDs lists chapter IDs in order.
func (lib *Library) IDs() []string {
	out := make([]string, len(lib.Chapters))
	for i, c := range lib.Chapters {
		out[i] = c.ID
	}
	return out
}

func (lib *Library) sort() {
	sort.SliceStable(lib.Chapters, func(i, j int) bool {
		if lib.Chapters[i].Order != lib.Chapters[j].Order {
			return lib.Chapters[i].Order < lib.Chapters[j].Order
		}
		return lib.Chapters[i].ID < lib.Chapters[j].ID
	})
}
