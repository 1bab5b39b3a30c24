package apply

import (
	"errors"
	"strings"
	"testing"
)

func TestDecode(t *testing.T) {
	in := `# a comment before anything
apiVersion: v1
kind: Namespace
metadata:
  name: lab
---
# only a comment
---

---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: lab
spec:
  replicas: 3
--- # trailing comment on a separator
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Service
  metadata: {name: a}
- apiVersion: v1
  kind: Service
  metadata: {name: b}
`
	objs, err := Decode("in.yaml", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range objs {
		got = append(got, o.Ref()+"@"+o.Where())
	}
	want := []string{"Namespace lab@in.yaml:2", "Deployment lab/web@in.yaml:11", "Service a@in.yaml:19", "Service b@in.yaml:19"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("got %v\nwant %v", got, want)
	}
}

func TestDecodeErrorsNameTheLine(t *testing.T) {
	for name, tc := range map[string]struct {
		in   string
		line int
		msg  string
	}{
		"no kind":       {"apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\napiVersion: v1\nmetadata: {name: b}\n", 5, "kind is missing"},
		"no name":       {"apiVersion: v1\nkind: Service\nspec: {}\n", 1, "Service has no metadata.name"},
		"no apiVersion": {"kind: Pod\nmetadata: {name: x}\n", 1, "apiVersion is missing"},
		"bad yaml":      {"---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: [unclosed\n", 5, ""}, // the unclosed line, not the document's first
		"tab indent":    {"apiVersion: v1\nkind: Pod\nmetadata:\n\tname: x\n", 4, ""},              // the tab's own line
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Decode("f.yaml", []byte(tc.in))
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("want DecodeError, got %v", err)
			}
			if de.Line != tc.line {
				t.Errorf("line %d, want %d (%v)", de.Line, tc.line, err)
			}
			if tc.msg != "" && !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %q does not say %q", err, tc.msg)
			}
			if !strings.HasPrefix(err.Error(), "f.yaml:") {
				t.Errorf("error does not name the file: %v", err)
			}
		})
	}
}

func TestDecodeEmpty(t *testing.T) {
	objs, err := Decode("e.yaml", []byte("---\n# nothing\n---\n"))
	if err != nil || len(objs) != 0 {
		t.Fatalf("got %v, %v", objs, err)
	}
}
