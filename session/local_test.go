package session

import (
	"testing"

	"github.com/labctl/labctl/cluster/apply"
)

func decode(t *testing.T, s string) []apply.Object {
	t.Helper()
	objs, err := apply.Decode("test.yaml", []byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return objs
}

const mixed = `apiVersion: v1
kind: ConfigMap
metadata: {name: a, namespace: ch15}
---
apiVersion: labctl.dev/v1
kind: Answers
metadata: {name: ch15-cni}
spec: {facts: cni}
---
apiVersion: labctl.dev/v1
kind: KubeletConfig
metadata: {name: max-pods}
spec:
  nodeSelector: {labctl.dev/max-pods-node: ch15}
  maxPods: 30
`

func TestSplitLocal(t *testing.T) {
	objs := decode(t, mixed)
	api, local := splitLocal(objs, "ch15", false)
	if len(api) != 1 || len(local) != 2 {
		t.Fatalf("apply: %d API objects, %d local, want 1 and 2", len(api), len(local))
	}
	// for a delete, an Answers object stands for its ConfigMap (in the
	// chapter's namespace); a KubeletConfig has nothing to delete
	api, _ = splitLocal(objs, "ch15", true)
	if len(api) != 2 || api[1].GetKind() != "ConfigMap" || api[1].GetNamespace() != "ch15" || api[1].GetName() != "ch15-cni" {
		t.Errorf("delete: %v", api)
	}
}

func TestMaxPods(t *testing.T) {
	objs := decode(t, mixed)
	if n, ok := maxPods(objs[2]); !ok || n != 30 {
		t.Errorf("maxPods = %d, %v; want 30", n, ok)
	}
	bad := decode(t, "apiVersion: labctl.dev/v1\nkind: KubeletConfig\nmetadata: {name: m}\nspec: {maxPods: many}\n")
	if _, ok := maxPods(bad[0]); ok {
		t.Error("maxPods: many accepted")
	}
}
