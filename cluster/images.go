package cluster

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	kindcluster "sigs.k8s.io/kind/pkg/cluster"
	"sigs.k8s.io/kind/pkg/cluster/constants"
	"sigs.k8s.io/kind/pkg/cluster/nodes"
	"sigs.k8s.io/kind/pkg/cluster/nodeutils"

	"github.com/labctl/labctl/cluster/addons"
	"github.com/labctl/labctl/cluster/apply"
	"github.com/labctl/labctl/cluster/internal/runtime"
)

// addonPlan is where `up` needs the add-ons' images for an ingress choice.
func addonPlan(i Ingress) apply.ImagePlan {
	p := apply.ImagePlan{}
	for _, a := range []addons.Addon{addons.MetalLB} {
		objs, _ := a.Objects()
		p.AddObjects(objs)
	}
	if a, ok := ingressAddon(i); ok {
		objs, _ := a.Objects()
		p.AddObjects(objs)
	}
	return p
}

// sideload copies images the runtime has locally into the nodes that need
// them and lack them (what `kind load docker-image` does), so nodes never
// download what the computer already has: a classroom bundle, or the
// offline test images. Images the runtime does not have are left for the
// nodes to pull.
func sideload(ctx context.Context, lab *Lab, plan apply.ImagePlan, env Env) error {
	kindNodes, err := lab.Nodes()
	if err != nil {
		return err
	}
	work, err := missingOnNodes(ctx, lab.rt, kindNodes, plan)
	if err != nil || len(work) == 0 {
		return err
	}
	return env.step(stepSideload.F(env.Lang, countImages(work)), func() error {
		return loadPlan(ctx, lab.rt, kindNodes, work, env.Reporter)
	})
}

func countImages(work map[string][]string) int {
	seen := map[string]bool{}
	for _, imgs := range work {
		for _, i := range imgs {
			seen[i] = true
		}
	}
	return len(seen)
}

// missingOnNodes returns, per node name, the images the runtime has that the
// node needs and does not have (compared by image ID, like kind does).
func missingOnNodes(ctx context.Context, rt runtime.Runtime, ns []nodes.Node, plan apply.ImagePlan) (map[string][]string, error) {
	hasWorkers := false
	roles := map[string]string{}
	for _, n := range ns {
		role, _ := n.Role()
		roles[n.String()] = role
		if role == constants.WorkerNodeRoleValue {
			hasWorkers = true
		}
	}
	work := map[string][]string{}
	for _, img := range plan.Images() {
		id, err := rt.ImageID(ctx, img)
		if err != nil {
			return nil, err
		}
		if id == "" {
			continue
		}
		pl := plan[img]
		for _, n := range ns {
			needed := pl.Workers && roles[n.String()] == constants.WorkerNodeRoleValue ||
				pl.ControlPlane && roles[n.String()] == constants.ControlPlaneNodeRoleValue ||
				pl.Workers && !hasWorkers // a single-node cluster runs everything on the control-plane
			if !needed {
				continue
			}
			if nid, err := nodeutils.ImageID(n, img); err != nil || nid != id {
				work[n.String()] = append(work[n.String()], img)
			}
		}
	}
	return work, nil
}

// loadPlan saves each image once from the runtime, then imports into every
// node, concurrently, the archives that node needs.
func loadPlan(ctx context.Context, rt runtime.Runtime, ns []nodes.Node, work map[string][]string, rep Reporter) error {
	dir, err := os.MkdirTemp("", "labctl-images-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	archives := map[string]string{}
	var names []string
	for _, imgs := range work {
		for _, img := range imgs {
			if _, ok := archives[img]; !ok {
				archives[img] = filepath.Join(dir, fmt.Sprintf("%d.tar", len(archives)))
				names = append(names, img)
			}
		}
	}
	sort.Strings(names)
	rep.Progress(strings.Join(names, ", "))
	for _, img := range names {
		f, err := os.Create(archives[img])
		if err != nil {
			return err
		}
		err = rt.Save(ctx, f, img)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("save %s: %w", img, err)
		}
	}
	var wg sync.WaitGroup
	errs := make([]error, len(ns))
	for i, n := range ns {
		imgs := work[n.String()]
		if len(imgs) == 0 {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, img := range imgs {
				if err := importArchive(n, archives[img]); err != nil {
					errs[i] = fmt.Errorf("load %s into %s: %w", img, n.String(), err)
					return
				}
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return ctx.Err()
}

func importArchive(n nodes.Node, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return nodeutils.LoadImageArchive(n, f)
}

// earlySideload loads local images into the nodes of a cluster being created
// as soon as their containerd answers, while kind is still bootstrapping
// Kubernetes. It is best effort: whatever it misses, the sideload step after
// creation loads. The channel closes when it is done.
func earlySideload(ctx context.Context, rt runtime.Runtime, p *kindcluster.Provider, o Options, plan apply.ImagePlan, rep Reporter) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		want := o.Workers + 1
		for ctx.Err() == nil {
			ns, err := p.ListNodes(o.Name)
			if err == nil && len(ns) == want && containerdReady(ctx, ns) {
				work, err := missingOnNodes(ctx, rt, ns, plan)
				if err == nil && len(work) > 0 {
					_ = loadPlan(ctx, rt, ns, work, rep)
				}
				return
			}
			select {
			case <-ctx.Done():
			case <-time.After(500 * time.Millisecond):
			}
		}
	}()
	return done
}

func containerdReady(ctx context.Context, ns []nodes.Node) bool {
	for _, n := range ns {
		if err := n.CommandContext(ctx, "ctr", "--namespace=k8s.io", "version").Run(); err != nil {
			return false
		}
	}
	return true
}
