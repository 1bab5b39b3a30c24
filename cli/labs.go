package cli

import (
	"strings"

	"github.com/labctl/labctl/labs"
	"github.com/labctl/labctl/verify"
)

// library loads the chapters: the embedded ones, or an instructor's (--labs DIR).
func (g *globals) library() (*labs.Library, error) {
	if g.lib != nil {
		return g.lib, nil
	}
	var err error
	if g.labsDir != "" {
		// An instructor's chapters with an error: --labs names a directory
		// labctl cannot use, a usage error whose message names file and line.
		if g.lib, err = labs.LoadDir(g.labsDir, verify.Validate); err != nil {
			return nil, &usageError{err: err}
		}
	} else {
		g.lib, err = labs.Embedded(verify.Validate)
	}
	return g.lib, err
}

// chapter finds a chapter by ID or number, or fails with the list.
func (g *globals) chapter(ref string) (*labs.Chapter, error) { return g.deps().chapter(ref) }

// store is the progress store of the target cluster.
func (g *globals) store() *labs.Store {
	name := g.name
	if g.target().External() {
		name = "ctx-" + strings.NewReplacer("/", "_", ":", "_").Replace(g.context+g.kubeconfig)
	}
	return labs.DefaultStore(name)
}
