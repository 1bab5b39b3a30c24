package cluster

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"sigs.k8s.io/kind/pkg/apis/config/v1alpha4"
	kindcluster "sigs.k8s.io/kind/pkg/cluster"

	"github.com/labctl/labctl/cluster/addons"
	"github.com/labctl/labctl/cluster/internal/runtime"
	"github.com/labctl/labctl/i18n"
	"github.com/labctl/labctl/internal/paths"
	"github.com/labctl/labctl/internal/view"
	"github.com/labctl/labctl/labs"
)

// Up creates the lab cluster, or checks and repairs an existing one: nodes
// ready, MetalLB with its pool, the ingress controller (Traefik: with the
// Gateway API CRDs and the lab Gateway). Every step is
// idempotent (server-side apply), so a second run changes nothing on a
// healthy cluster. When ctx is cancelled (Ctrl-C) while creating, the
// half-made cluster is deleted unless o.Retain.
func Up(ctx context.Context, o Options, env Env) (*Lab, error) {
	o.Defaults()
	if err := env.resolve(); err != nil {
		return nil, err
	}
	rt := env.rt
	var info runtime.EngineInfo
	if err := env.step(stepRuntime.F(env.Lang), func() (err error) {
		info, err = rt.Info(ctx)
		return err
	}); err != nil {
		return nil, err
	}
	logger := &kindLogger{rep: env.Reporter}
	p := kindcluster.NewProvider(rt.ProviderOption(), kindcluster.ProviderWithLogger(logger))
	found, err := rt.ClusterExists(o.Name)
	if err != nil {
		return nil, i18n.Errorf(runtime.MsgDown, rt.Name).Marked(ErrRuntime).Wrap(err).WithFix(runtime.FixDown)
	}
	kubeconfig := paths.Kubeconfig(o.Name)

	created := false
	var back restart
	var chaptersEarly <-chan struct{} // closed when the early load of the chapters' images is done
	if !found && o.StartOnly {
		return nil, i18n.Errorf(msgNoStart, o.Name).Marked(ErrNoCluster).WithFix(runtime.FixNoCluster)
	}
	if found {
		if back, err = startStopped(ctx, rt, o, env); err != nil {
			return nil, err
		}
	}
	if !found {
		if err := preflight(o, env); err != nil {
			return nil, err
		}
		if info.CgroupVersion == 1 {
			env.note(noteCgroupV1)
		}
		image := resolveNodeImage(ctx, rt, o.Image, env)
		// Images the computer already has go into the nodes while kubeadm
		// starts Kubernetes in them, instead of after: the add-ons' first,
		// then the chapters', which provision waits for only at its end.
		earlyCtx, stopEarly := context.WithCancel(ctx)
		defer stopEarly()
		early := earlySideload(earlyCtx, rt, p, o, env.Reporter, addonPlan(o.Ingress), o.Images)
		chaptersEarly = early[1]
		err := env.step(stepCreate.F(env.Lang, o.Name, o.Workers), func() error {
			return createKind(ctx, p, o, kindConfig(o, info.CgroupVersion == 1), image, kubeconfig, logger)
		})
		if err != nil {
			stopEarly()
			<-early[1]
		} else {
			select {
			case <-early[0]:
			default:
				_ = env.step(stepSideloadEarly.F(env.Lang), func() error { <-early[0]; return nil })
			}
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil, interrupted(env, p, o, kubeconfig, true)
			}
			return nil, i18n.Errorf(msgCreateFailed).Wrap(fmt.Errorf("%w\n%s", err, logger.Tail()))
		}
		created = true
	} else if err := env.step(stepExisting.F(env.Lang, o.Name), func() error {
		return writeKubeconfig(p, o.Name, kubeconfig)
	}); err != nil {
		return nil, err
	}

	lab := &Lab{Name: o.Name, Kubeconfig: kubeconfig, Context: "kind-" + o.Name, Provider: p, rt: rt}
	cfg, err := restConfig(kubeconfig, lab.Context)
	if err == nil {
		err = lab.connect(cfg)
	}
	if err == nil && back.started != nil {
		// kubelet starts etcd and the API server from their static pods
		// after the node boots: most of a restart's first half, so a step
		// of its own that says how long it took
		err = env.step(stepAPIBack.F(env.Lang), func() error { return waitAPI(ctx, lab, o.Wait, env) })
	}
	if err == nil {
		err = provision(ctx, lab, o, chaptersEarly, found, back, env)
	}
	if err != nil {
		if ctx.Err() != nil && errors.Is(err, context.Canceled) {
			return nil, interrupted(env, p, o, kubeconfig, created)
		}
		if created || found {
			env.note(noteKeptCluster)
		}
		return nil, err
	}
	if o.MergeKubeconfig {
		target := userKubeconfig()
		if err := env.step(stepMerge.F(env.Lang, lab.Context, target), func() error {
			return mergeKubeconfig(kubeconfig, target)
		}); err != nil {
			return nil, err
		}
	}
	return lab, nil
}

// provision brings a running cluster to the lab's shape. chaptersEarly, when
// not nil, is closed once the early load of the chapters' images is over.
func provision(ctx context.Context, lab *Lab, o Options, chaptersEarly <-chan struct{}, existed bool, back restart, env Env) error {
	// Work in the background of the steps ends with provision: when a step
	// fails, it is stopped and waited for, so nothing runs on after up.
	bgCtx, stopBg := context.WithCancel(ctx)
	var bg sync.WaitGroup
	defer func() { stopBg(); bg.Wait() }()
	// On nodes just started, the wait for them and their pods to run again
	// begins at once: the checks below (ingress, images, pool, the
	// low-limit worker) ask the busy nodes and the API server for 5-7 s,
	// which the wait, 20 s or more, covers.
	// Its progress shows once its step does.
	var backDone chan error
	backRep := &heldProgress{Reporter: env.Reporter}
	if back.started != nil {
		backDone = make(chan error, 1)
		backEnv := env
		backEnv.Reporter = backRep
		bg.Add(1)
		go func() {
			defer bg.Done()
			backDone <- waitBack(bgCtx, lab, back.started, back.since, o.Wait, backEnv)
		}()
	}
	kindNodes, err := lab.Nodes()
	if err != nil {
		return err
	}
	if existed && o.Workers != len(kindNodes)-1 && o.Workers != defaultWorkers {
		env.note(noteTopology, o.Name, len(kindNodes)-1)
	}
	ingress, err := chooseIngress(ctx, lab, o)
	if err != nil {
		return err
	}
	// The add-ons' images first, so no add-on pod ever asks a registry for
	// an image the computer has (nodes only need containerd for this, not
	// Ready). The chapters' images are loaded meanwhile, and waited for last.
	if err := sideload(ctx, lab, addonPlan(ingress), env); err != nil {
		return err
	}
	chaptersDone := make(chan error, 1)
	bg.Add(1)
	go func() {
		defer bg.Done()
		if chaptersEarly != nil {
			select {
			case <-chaptersEarly:
			case <-bgCtx.Done():
			}
		}
		chaptersDone <- sideload(bgCtx, lab, o.Images, Env{Lang: env.Lang, Reporter: quiet{}})
	}()
	if err := uninstallOtherIngress(ctx, lab, ingress, o.Wait, env); err != nil {
		return err
	}
	pool, err := lab.Pool(ctx)
	if err != nil {
		return err
	}
	// ch15's cluster network: the worker with a low pod limit is tainted
	// before the add-ons are applied (the taint keeps their pods off it);
	// its kubelet takes the limit, and the outside server starts beside the
	// nodes, while they start.
	maxPods, err := ensureMaxPodsNode(bgCtx, lab, o.Wait)
	if err != nil {
		return err
	}
	labNetDone := make(chan error, 1)
	bg.Add(1)
	go func() {
		defer bg.Done()
		if err := ensureOutside(bgCtx, lab.rt, lab.Name); err != nil || maxPods == nil {
			labNetDone <- err
			return
		}
		labNetDone <- maxPods()
	}()
	// The add-ons are applied now and start as soon as the nodes are Ready:
	// their rollouts overlap the wait for the nodes, and each other (the
	// ingress controller does not need MetalLB). They are reported one
	// after the other.
	metallbDone := make(chan error, 1)
	go func() { metallbDone <- installAddon(ctx, lab, addons.MetalLB, o.Wait, env.Lang, poolObjects(pool)...) }()
	ingressDone := make(chan error, 1)
	addon, hasIngress := ingressAddon(ingress)
	if hasIngress {
		go func() {
			if ingress == IngressTraefik {
				ingressDone <- installTraefik(ctx, lab, o.Wait, env.Lang)
				return
			}
			ingressDone <- installAddon(ctx, lab, addon, o.Wait, env.Lang)
		}()
	}
	var readyErr error
	if back.started == nil {
		readyErr = env.step(stepReady.F(env.Lang), func() error {
			return waitReady(ctx, lab, len(kindNodes), o.Wait, env)
		})
	} else {
		// Nodes that were stopped: what the API shows of them and of their
		// pods is from before the stop until their kubelets say otherwise.
		readyErr = env.step(stepBack.F(env.Lang), func() error {
			backRep.show.Store(true)
			if err := <-backDone; err != nil {
				return err
			}
			return waitReady(ctx, lab, len(kindNodes), o.Wait, env)
		})
		if readyErr == nil {
			readyErr = env.step(stepAddresses.F(env.Lang), func() error { return checkAddresses(ctx, lab, env) })
		}
	}
	metallbErr := env.step(stepMetalLB.F(env.Lang, addons.MetalLB.Version, pool.String()), func() error {
		if readyErr != nil {
			return readyErr
		}
		return <-metallbDone
	})
	ingressErr := error(nil)
	if hasIngress {
		if ingress == IngressNginx {
			env.note(noteNginxRetired, addon.Version)
		}
		title := stepIngress.F(env.Lang, addon.Name, addon.Version)
		if ingress == IngressTraefik {
			title = stepTraefik.F(env.Lang, addon.Name, addon.Version, addons.GatewayAPI.Version, labGatewayNS+"/"+labGatewayName)
		}
		ingressErr = env.step(title, func() error {
			if readyErr != nil {
				return readyErr
			}
			return <-ingressDone
		})
	}
	for _, err := range []error{readyErr, metallbErr, ingressErr} {
		if err != nil {
			return err
		}
	}
	if err := waitStep(env, stepLabNetwork.F(env.Lang, outsideName(lab.Name), labs.LowMaxPods), labNetDone); err != nil {
		return err
	}
	return waitStep(env, stepSideloadChapters.F(env.Lang), chaptersDone)
}

// heldProgress passes progress on once show is set: work started before
// its step reports nothing under the steps before it.
type heldProgress struct {
	Reporter
	show atomic.Bool
}

func (h *heldProgress) Progress(detail string) {
	if h.show.Load() {
		h.Reporter.Progress(detail)
	}
}

// waitStep waits for work done in the background of other steps: at once
// when it is over, else as a step of its own.
func waitStep(env Env, title string, done <-chan error) error {
	select {
	case err := <-done:
		return err
	default:
		return env.step(title, func() error { return <-done })
	}
}

func preflight(o Options, env Env) error {
	if o.Ingress == IngressNone {
		return nil
	}
	return env.step(stepPorts.F(env.Lang, o.HTTPPort, o.HTTPSPort), func() error {
		if err := runtime.CheckPortFree(o.HTTPPort, "--http-port"); err != nil {
			return err
		}
		return runtime.CheckPortFree(o.HTTPSPort, "--https-port")
	})
}

// resolveNodeImage prefers the pinned reference; when only its tag is
// present (a bundle loaded with `labctl images load` on an engine that does
// not keep registry digests) it uses the tag rather than downloading again.
func resolveNodeImage(ctx context.Context, rt runtime.Runtime, image string, env Env) string {
	if id, _ := rt.ImageID(ctx, image); id != "" {
		return image
	}
	if i := strings.Index(image, "@"); i > 0 {
		tag := image[:i]
		if id, _ := rt.ImageID(ctx, tag); id != "" {
			env.note(noteNodeTag, tag)
			return tag
		}
	}
	env.note(notePullNode, image)
	return image
}

// createKind runs kind's Create. kind's library has no context, so on
// cancellation labctl keeps deleting the cluster's containers until Create
// gives up (its next docker command fails), then deletes once more: nothing
// half-made is left behind.
func createKind(ctx context.Context, p *kindcluster.Provider, o Options, cfg *v1alpha4.Cluster, image, kubeconfig string, logger *kindLogger) error {
	done := make(chan error, 1)
	go func() {
		done <- p.Create(o.Name,
			kindcluster.CreateWithV1Alpha4Config(cfg),
			kindcluster.CreateWithNodeImage(image),
			kindcluster.CreateWithRetain(o.Retain),
			kindcluster.CreateWithWaitForReady(0), // labctl waits itself, with a real error on timeout
			kindcluster.CreateWithKubeconfigPath(kubeconfig),
			kindcluster.CreateWithDisplayUsage(false),
			kindcluster.CreateWithDisplaySalutation(false),
		)
	}()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	if o.Retain {
		return ctx.Err()
	}
	tick := time.NewTicker(2 * time.Second)
	defer tick.Stop()
	giveUp := time.After(2 * time.Minute)
	for {
		_ = p.Delete(o.Name, kubeconfig)
		select {
		case <-done:
			return ctx.Err()
		case <-giveUp:
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// interrupted cleans up after Ctrl-C: a cluster this run created is deleted
// (unless --retain), an existing one is left as it was.
func interrupted(env Env, p *kindcluster.Provider, o Options, kubeconfig string, created bool) error {
	if created && !o.Retain {
		_ = env.step(stepCleanup.F(env.Lang, o.Name), func() error {
			// ctx is cancelled: the outside server goes with a fresh one
			_ = removeOutside(context.Background(), env.rt, o.Name)
			return deleteKind(p, o.Name, kubeconfig)
		})
	}
	return i18n.Errorf(msgInterrupted).Marked(view.ErrInterrupted)
}

// deleteKind removes the cluster's containers and labctl's kubeconfig for it.
func deleteKind(p *kindcluster.Provider, name, kubeconfig string) error {
	err := p.Delete(name, kubeconfig)
	if rmErr := os.Remove(kubeconfig); rmErr != nil && !os.IsNotExist(rmErr) && err == nil {
		err = rmErr
	}
	return err
}
