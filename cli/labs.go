package cli

import (
	"strings"

	"github.com/labctl/labctl/labs"
	"github.com/labctl/labctl/verify"
)

func init() {
	labImages = func(g *globals) []string {
		lib, err := g.library()
		if err != nil {
			return nil
		}
		return lib.Images()
	}
	labControlPlaneImages = func(g *globals) []string {
		lib, err := g.library()
		if err != nil {
			return nil
		}
		return lib.ControlPlaneImages()
	}
}

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
func (g *globals) chapter(ref string) (*labs.Chapter, error) {
	lib, err := g.library()
	if err != nil {
		return nil, err
	}
	ch, ok := lib.Chapter(ref)
	if !ok {
		return nil, usageErrorf(g, "%s: %s", g.t(msgNoChapter, ref), strings.Join(lib.IDs(), ", "))
	}
	return ch, nil
}

// chapterSteps resolves a chapter argument and its --step values.
func (g *globals) chapterSteps(ref string, steps []string) (*labs.Chapter, []int, error) {
	ch, err := g.chapter(ref)
	if err != nil {
		return nil, nil, err
	}
	idx, err := g.steps(ch, steps)
	return ch, idx, err
}

// steps resolves --step values (IDs or numbers, comma separated) to indexes.
func (g *globals) steps(ch *labs.Chapter, refs []string) ([]int, error) {
	var out []int
	for _, r := range refs {
		for _, part := range strings.Split(r, ",") {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			_, i, ok := ch.Step(part)
			if !ok {
				return nil, usageErrorf(g, "%s: %s", g.t(msgNoStep, part, ch.ID), strings.Join(ch.StepIDs(), ", "))
			}
			out = append(out, i)
		}
	}
	return out, nil
}

// store is the progress store of the target cluster.
func (g *globals) store() *labs.Store {
	name := g.name
	if g.target().External() {
		name = "ctx-" + strings.NewReplacer("/", "_", ":", "_").Replace(g.context+g.kubeconfig)
	}
	return labs.DefaultStore(name)
}
