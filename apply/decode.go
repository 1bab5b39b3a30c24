// Package apply is labctl's apply engine: multi-document YAML in, server-side
// apply through the dynamic client out, then waiting until what was applied
// works (rollouts, Jobs, CRDs). `labctl up` installs add-ons with it and
// `labctl apply` a chapter's solution; errors name the file, the object and the
// API server's reason.
package apply

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

// Object is one document of a manifest, with where it came from.
type Object struct {
	*unstructured.Unstructured
	// Source is the file (or embedded path) the document was read from.
	Source string
	// Line is the 1-based line where the document starts.
	Line int
}

// Ref names the object the way kubectl prints it: kind/namespace/name.
func (o Object) Ref() string {
	if ns := o.GetNamespace(); ns != "" {
		return fmt.Sprintf("%s %s/%s", o.GetKind(), ns, o.GetName())
	}
	return fmt.Sprintf("%s %s", o.GetKind(), o.GetName())
}

// Where is "file:line", for error messages.
func (o Object) Where() string { return fmt.Sprintf("%s:%d", o.Source, o.Line) }

// DecodeError says which document of which file could not be read.
type DecodeError struct {
	Source string
	Line   int
	Err    error
}

func (e *DecodeError) Error() string { return fmt.Sprintf("%s:%d: %v", e.Source, e.Line, e.Err) }
func (e *DecodeError) Unwrap() error { return e.Err }

// Decode splits a multi-document YAML (or JSON) manifest into objects. Empty
// documents and comment-only documents are skipped; a document without
// apiVersion, kind or metadata.name is an error naming its line. Lists
// (kind: List, e.g. from `kubectl get -o yaml`) are flattened.
func Decode(source string, data []byte) ([]Object, error) {
	var out []Object
	for _, d := range splitDocuments(data) {
		objs, err := decodeDoc(d.body)
		if err != nil {
			return nil, docError(source, d, err)
		}
		for _, u := range objs {
			out = append(out, Object{Unstructured: u, Source: source, Line: d.line})
		}
	}
	return out, nil
}

type document struct {
	body  []byte
	line  int // first line with content
	start int // line of the body's first line, where the parser counts from
}

// splitDocuments cuts YAML at "---" lines, remembering where each document's
// content starts so errors can point at it.
func splitDocuments(data []byte) []document {
	var docs []document
	var cur bytes.Buffer
	first, start := 0, 1
	flush := func() {
		if first > 0 {
			docs = append(docs, document{body: append([]byte(nil), cur.Bytes()...), line: first, start: start})
		}
		cur.Reset()
		first = 0
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	for n := 1; sc.Scan(); n++ {
		l := sc.Text()
		if isSeparator(l) {
			flush()
			start = n + 1
			continue
		}
		if t := strings.TrimSpace(l); first == 0 && t != "" && !strings.HasPrefix(t, "#") {
			first = n
		}
		cur.WriteString(l)
		cur.WriteByte('\n')
	}
	flush()
	return docs
}

func isSeparator(l string) bool {
	if !strings.HasPrefix(l, "---") {
		return false
	}
	rest := strings.TrimSpace(l[3:])
	return rest == "" || strings.HasPrefix(rest, "#")
}

func decodeDoc(doc []byte) ([]*unstructured.Unstructured, error) {
	js, err := yaml.YAMLToJSON(doc)
	if err != nil {
		return nil, err
	}
	if bytes.Equal(bytes.TrimSpace(js), []byte("null")) {
		return nil, nil
	}
	var m map[string]any
	if err := json.Unmarshal(js, &m); err != nil {
		return nil, errors.New("a manifest document must be a mapping (apiVersion, kind, metadata, ...)")
	}
	u := &unstructured.Unstructured{Object: m}
	if u.IsList() {
		list, err := u.ToList()
		if err != nil {
			return nil, err
		}
		var out []*unstructured.Unstructured
		for i := range list.Items {
			item := list.Items[i]
			if err := checkObject(&item); err != nil {
				return nil, fmt.Errorf("item %d: %w", i, err)
			}
			out = append(out, &item)
		}
		return out, nil
	}
	if err := checkObject(u); err != nil {
		return nil, err
	}
	return []*unstructured.Unstructured{u}, nil
}

func checkObject(u *unstructured.Unstructured) error {
	switch {
	case u.GetAPIVersion() == "":
		return errors.New("apiVersion is missing")
	case u.GetKind() == "":
		return errors.New("kind is missing")
	case u.GetName() == "":
		return fmt.Errorf("%s has no metadata.name", u.GetKind())
	}
	return nil
}

// yamlLine is how the YAML parser says where it stopped: "yaml: line N: ...",
// N counted from the document's first line.
var yamlLine = regexp.MustCompile(`^(?:error converting YAML to JSON: )?yaml: line (\d+): (.*)$`)

// docError points at the line of the file the student edits: the parser's
// line within the document moved to the file's numbering, said once.
func docError(source string, d document, err error) *DecodeError {
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		n, _ := strconv.Atoi(m[1])
		return &DecodeError{Source: source, Line: d.start + n - 1, Err: errors.New(m[2])}
	}
	return &DecodeError{Source: source, Line: d.line, Err: err}
}
