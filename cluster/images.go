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

	"github.com/labctl/labctl/apply"
	"github.com/labctl/labctl/cluster/addons"
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
// node needs and does not have (compared by image ID, like kind does). Each
// comparison is a command in a node; the nodes are asked at the same time
// (one after the other, a restarted lab's busy nodes took 7-10 s here).
func missingOnNodes(ctx context.Context, rt runtime.Runtime, ns []nodes.Node, plan apply.ImagePlan) (map[string][]string, error) {
	roles := make([]string, len(ns))
	each(ns, func(i int, n nodes.Node) { roles[i], _ = n.Role() })
	var workers []string
	for i, r := range roles {
		if r == constants.WorkerNodeRoleValue {
			workers = append(workers, ns[i].String())
		}
	}
	lowLimit := lowLimitWorker(workers)
	var imgs, ids []string
	for _, img := range plan.Images() {
		id, err := rt.ImageID(ctx, img)
		if err != nil {
			return nil, err
		}
		if id != "" {
			imgs, ids = append(imgs, img), append(ids, id)
		}
	}
	missing := make([][]string, len(ns))
	each(ns, func(i int, n nodes.Node) {
		for j, img := range imgs {
			if !needs(plan[img], roles[i], ns[i].String() == lowLimit, len(workers) > 0, lowLimit != "") {
				continue
			}
			if nid, err := nodeutils.ImageID(n, img); err != nil || nid != ids[j] {
				missing[i] = append(missing[i], img)
			}
		}
	})
	work := map[string][]string{}
	for i, n := range ns {
		if len(missing[i]) > 0 {
			work[n.String()] = missing[i]
		}
	}
	return work, nil
}

// needs says whether a node needs an image placed pl: by its role, and
// whether it is the low-limit worker. Without a low-limit worker, pods that
// would go there run on the workers; without workers, everything runs on
// the control-plane.
func needs(pl apply.Placement, role string, isLowLimit, hasWorkers, hasLowLimit bool) bool {
	switch {
	case role == constants.ControlPlaneNodeRoleValue:
		return pl.ControlPlane || !hasWorkers && (pl.Workers || pl.LowLimit)
	case role != constants.WorkerNodeRoleValue:
		return false // kind's external load balancer runs no pods
	case isLowLimit:
		return pl.LowLimit
	default:
		return pl.Workers || !hasLowLimit && pl.LowLimit
	}
}

// each runs f for every item (a node, a node container) at once and
// returns when all are done.
func each[T any](items []T, f func(int, T)) {
	var wg sync.WaitGroup
	for i, item := range items {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f(i, item)
		}()
	}
	wg.Wait()
}

// loadPlan saves each image once from the runtime, then imports into every
// node, concurrently, the archives that node needs. It is a pipeline: a node
// imports an image as soon as its archive is saved, while the next one is
// being saved, instead of after all of them.
func loadPlan(ctx context.Context, rt runtime.Runtime, ns []nodes.Node, work map[string][]string, rep Reporter) error {
	dir, err := os.MkdirTemp("", "labctl-images-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	type archive struct {
		path  string
		order int
		saved chan struct{} // closed once saved (or failed: err)
		err   error
	}
	archives := map[string]*archive{}
	var names []string
	for _, imgs := range work {
		for _, img := range imgs {
			if _, ok := archives[img]; !ok {
				archives[img] = &archive{saved: make(chan struct{})}
				names = append(names, img)
			}
		}
	}
	if len(names) == 0 {
		return nil
	}
	sort.Strings(names)
	for i, img := range names {
		archives[img].path = filepath.Join(dir, fmt.Sprintf("%d.tar", i))
		archives[img].order = i
	}
	rep.Progress(strings.Join(names, ", "))
	// one save at a time: the runtime serialises them anyway
	go func() {
		for _, img := range names {
			a := archives[img]
			a.err = saveArchive(ctx, rt, img, a.path)
			close(a.saved)
		}
	}()
	errs := make([]error, len(ns))
	each(ns, func(i int, n nodes.Node) {
		imgs := append([]string(nil), work[n.String()]...)
		sort.Slice(imgs, func(a, b int) bool { return archives[imgs[a]].order < archives[imgs[b]].order })
		for _, img := range imgs {
			a := archives[img]
			<-a.saved
			if a.err != nil {
				errs[i] = a.err
				return
			}
			if err := importArchive(n, a.path); err != nil {
				errs[i] = fmt.Errorf("load %s into %s: %w", img, n.String(), err)
				return
			}
		}
	})
	// the saver ends too before the directory goes
	<-archives[names[len(names)-1]].saved
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	for _, img := range names {
		if err := archives[img].err; err != nil {
			return err
		}
	}
	return ctx.Err()
}

// saveArchive writes one image from the runtime to path.
func saveArchive(ctx context.Context, rt runtime.Runtime, img, path string) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	f, err := os.Create(path)
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
	return nil
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
// Kubernetes: plans one after the other (the add-ons' images first, which
// the next steps wait for; then the chapters', which they need not). Each
// returned channel is closed when its plan is done. It is best effort:
// whatever it misses, the sideload steps after it load.
func earlySideload(ctx context.Context, rt runtime.Runtime, p *kindcluster.Provider, o Options, rep Reporter, plans ...apply.ImagePlan) []<-chan struct{} {
	dones := make([]chan struct{}, len(plans))
	out := make([]<-chan struct{}, len(plans))
	for i := range plans {
		dones[i] = make(chan struct{})
		out[i] = dones[i]
	}
	go func() {
		closed := 0
		defer func() {
			for _, d := range dones[closed:] {
				close(d)
			}
		}()
		want := o.Workers + 1
		for ctx.Err() == nil {
			ns, err := p.ListNodes(o.Name)
			if err == nil && len(ns) == want && containerdReady(ctx, ns) {
				for _, plan := range plans {
					work, err := missingOnNodes(ctx, rt, ns, plan)
					if err == nil && len(work) > 0 {
						_ = loadPlan(ctx, rt, ns, work, rep)
					}
					close(dones[closed])
					closed++
				}
				return
			}
			select {
			case <-ctx.Done():
			case <-time.After(500 * time.Millisecond):
			}
		}
	}()
	return out
}

func containerdReady(ctx context.Context, ns []nodes.Node) bool {
	for _, n := range ns {
		if err := n.CommandContext(ctx, "ctr", "--namespace=k8s.io", "version").Run(); err != nil {
			return false
		}
	}
	return true
}
