package cluster

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/labctl/labctl/apply"
	"github.com/labctl/labctl/cluster/internal/runtime"
	"github.com/labctl/labctl/i18n"
)

// tagOnly strips a digest: "name:tag@sha256:..." -> "name:tag".
func tagOnly(ref string) string {
	if i := strings.Index(ref, "@"); i > 0 {
		return ref[:i]
	}
	return ref
}

// SaveBundle writes every image in refs into one archive at path, pulling
// those the runtime does not have. Images pinned by digest are saved under
// their tag: an archive cannot carry a registry digest, and labctl resolves
// the tag when the digest is unknown (see resolveNodeImage).
func SaveBundle(ctx context.Context, refs []string, path string, env Env) error {
	if err := env.resolve(); err != nil {
		return err
	}
	if _, err := env.rt.Info(ctx); err != nil {
		return err
	}
	return saveBundle(ctx, env.rt, refs, path, env.Reporter, env.Lang)
}

func saveBundle(ctx context.Context, rt runtime.Runtime, refs []string, path string, rep Reporter, l i18n.Lang) error {
	var names []string
	for _, ref := range refs {
		id, err := rt.ImageID(ctx, ref)
		if err != nil {
			return err
		}
		if id == "" {
			rep.Start(stepPull.F(l, ref))
			err := rt.Pull(ctx, ref)
			rep.Done(err, 0)
			if err != nil {
				return i18n.Errorf(msgPullFailed, ref).Wrap(err)
			}
		}
		name := tagOnly(ref)
		if name != ref {
			if err := rt.Tag(ctx, ref, name); err != nil {
				return err
			}
		}
		names = append(names, name)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	rep.Start(stepSave.F(l, len(names), path))
	err = rt.Save(ctx, f, names...)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	rep.Done(err, 0)
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("save bundle: %w", err)
	}
	return nil
}

// LoadBundle loads an archive into the runtime, then, when the target is a
// lab labctl made and it exists, side-loads images into its nodes.
func LoadBundle(ctx context.Context, t Target, path string, images []string, env Env) error {
	if env.Runtime == "" {
		env.Runtime = t.Runtime
	}
	if err := env.resolve(); err != nil {
		return err
	}
	if _, err := env.rt.Info(ctx); err != nil {
		return err
	}
	lab, err := Open(ctx, t)
	switch {
	case errors.Is(err, ErrNoCluster):
		lab = nil
	case err != nil:
		return err
	case t.External():
		lab = nil // only kind nodes can be side-loaded
	}
	return loadBundle(ctx, env.rt, path, lab, images, env)
}

func loadBundle(ctx context.Context, rt runtime.Runtime, path string, lab *Lab, images []string, env Env) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := env.step(stepLoad.F(env.Lang, path), func() error { return rt.Load(ctx, f) }); err != nil {
		return err
	}
	if lab == nil {
		return nil
	}
	lab.rt = rt
	plan := apply.ImagePlan{}
	plan.Add(apply.Placement{ControlPlane: true, Workers: true, LowLimit: true}, images...)
	return sideload(ctx, lab, plan, env)
}

var (
	stepPull      = i18n.M("images.step.pull", "Pulling %s", "%s 내려받기")
	stepSave      = i18n.M("images.step.save", "Saving %d images to %s", "이미지 %d 개를 %s 에 저장")
	stepLoad      = i18n.M("images.step.load", "Loading %s", "%s 올리기")
	msgPullFailed = i18n.M("images.pull.failed", "cannot pull %s", "%s 를 내려받을 수 없습니다")
)
