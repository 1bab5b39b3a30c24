package labs

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/labctl/labctl/apply"
)

// ExerciseProblems holds every step to the exercise rule (rustlings'): it
// has a starter, the starter says what to do in a "# TODO" comment, and it
// is not already the answer. Whether the starter really fails and the
// solution really passes is for a cluster to say: the e2e suite proves both
// for every step. go test holds the shipped chapters to it; an instructor's
// chapter may still be a walkthrough.
func (c *Chapter) ExerciseProblems() []string {
	var out []string
	for i := range c.Steps {
		for _, p := range exerciseProblems(c, i) {
			out = append(out, fmt.Sprintf("%s step %d (%s): %s", c.ID, i+1, c.Steps[i].ID, p))
		}
	}
	return out
}

func exerciseProblems(c *Chapter, step int) []string {
	s := c.Steps[step]
	if len(s.Manifests) == 0 {
		return []string{"no starter (manifests:): even a task of commands names the files it works with"}
	}
	var out []string
	todo := false
	for _, f := range s.Manifests {
		data, err := c.ReadFile(f)
		if err == nil && bytes.Contains(data, []byte("# TODO")) {
			todo = true
		}
	}
	if !todo {
		out = append(out, fmt.Sprintf("no starter file (%s) says what to do in a \"# TODO\" comment", strings.Join(s.Manifests, ", ")))
	}
	starter, err1 := c.Objects(s.Manifests)
	solution, err2 := c.Objects(s.Solution)
	if err1 != nil || err2 != nil {
		return out // the files' own problems are reported on their own
	}
	if fingerprint(starter) == fingerprint(solution) {
		out = append(out, "the starter is the solution: make the part the step teaches missing or wrong")
	}
	return out
}

// fingerprint is a set of objects as a comparable string: their content,
// whatever the order of files and documents.
func fingerprint(objs []apply.Object) string {
	var parts []string
	for _, o := range objs {
		b, err := o.MarshalJSON()
		if err != nil {
			continue
		}
		var v any
		if json.Unmarshal(b, &v) == nil {
			b, _ = json.Marshal(v) // keys sorted
		}
		parts = append(parts, string(b))
	}
	sort.Strings(parts)
	return strings.Join(parts, "\n")
}
