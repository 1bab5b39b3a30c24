package main

import (
	"go/build"
	"path"
	"sort"
	"strings"
	"testing"
)

const module = "github.com/labctl/labctl"

// deps returns every package of this module that pkg (a path relative to
// the module root) imports, directly or through others, test files left out.
func deps(t *testing.T, pkg string) []string {
	t.Helper()
	seen := map[string]bool{}
	var walk func(rel string)
	walk = func(rel string) {
		p, err := build.ImportDir(rel, 0)
		if err != nil {
			t.Fatalf("read package %s: %v", rel, err)
		}
		for _, imp := range p.Imports {
			if imp != module && !strings.HasPrefix(imp, module+"/") {
				continue
			}
			r := strings.TrimPrefix(strings.TrimPrefix(imp, module), "/")
			if !seen[r] {
				seen[r] = true
				walk(r)
			}
		}
	}
	walk(pkg)
	var out []string
	for r := range seen {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}

// within reports whether rel is the package dir or one below it.
func within(rel, dir string) bool {
	return rel == dir || strings.HasPrefix(rel, dir+"/")
}

// TestLayers holds the package graph docs/design.md draws: data flows one
// way, and the front ends reach the cluster only through session.
func TestLayers(t *testing.T) {
	for _, tc := range []struct {
		pkg       string
		forbidden []string
	}{
		// The TUI is a front end over its own Backend interface: the real
		// backend is session's, passed in by cli.
		{"tui", []string{"cluster", "proxy", "session", "cli"}},
		// What a chapter is, whether it worked and what a packet does know
		// nothing of kind or of the front ends.
		{"labs", []string{"cluster", "proxy", "session", "verify", "trace", "tui", "cli"}},
		{"verify", []string{"cluster", "proxy", "session", "tui", "cli"}},
		{"trace", []string{"cluster", "proxy", "session", "verify", "tui", "cli"}},
		{"proxy", []string{"cluster", "session", "verify", "trace", "tui", "cli"}},
		{"apply", []string{"cluster", "proxy", "session", "verify", "trace", "labs", "tui", "cli"}},
		// session wires a lab; it never draws one.
		{"session", []string{"tui", "cli"}},
		{"cluster", []string{"session", "verify", "trace", "proxy", "tui", "cli"}},
	} {
		for _, d := range deps(t, tc.pkg) {
			for _, f := range tc.forbidden {
				if within(d, f) {
					t.Errorf("%s depends on %s (through its imports); %s must not depend on anything under %s/", tc.pkg, d, tc.pkg, f)
				}
			}
		}
	}
}

// TestLayersSeeImports proves the walk follows imports: a test that found
// nothing because it read nothing could not fail.
func TestLayersSeeImports(t *testing.T) {
	got := deps(t, "cli")
	for _, want := range []string{"session", "tui", "cluster", path.Join("cluster", "internal", "runtime"), "apply"} {
		i := sort.SearchStrings(got, want)
		if i == len(got) || got[i] != want {
			t.Errorf("cli's dependencies %v lack %s", got, want)
		}
	}
}
