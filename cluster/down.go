package cluster

import (
	"context"

	kindcluster "sigs.k8s.io/kind/pkg/cluster"

	"github.com/labctl/labctl/cluster/internal/runtime"
	"github.com/labctl/labctl/i18n"
	"github.com/labctl/labctl/internal/paths"
)

// Down deletes the lab cluster, labctl's kubeconfig for it, and its context
// in the user's kubeconfig if `up --merge-kubeconfig` put it there. A cluster
// that does not exist is not an error: down is idempotent.
func Down(ctx context.Context, name string, env Env) error {
	if name == "" {
		name = defaultName
	}
	if err := env.resolve(); err != nil {
		return err
	}
	if _, err := env.rt.Info(ctx); err != nil {
		return err
	}
	p := kindcluster.NewProvider(env.rt.ProviderOption(), kindcluster.ProviderWithLogger(&kindLogger{}))
	kubeconfig := paths.Kubeconfig(name)
	return env.step(stepDelete.F(env.Lang, name), func() error {
		if err := deleteKind(p, name, kubeconfig); err != nil {
			return i18n.Errorf(runtime.MsgDown, env.rt.Name).Marked(ErrRuntime).Wrap(err)
		}
		if _, err := unmergeKubeconfig("kind-"+name, userKubeconfig()); err != nil {
			return err
		}
		if err := removeOutside(ctx, env.rt, name); err != nil {
			return i18n.Errorf(runtime.MsgDown, env.rt.Name).Marked(ErrRuntime).Wrap(err)
		}
		env.rt.RemoveNetworkIfUnused(ctx, kindNetwork())
		return ctx.Err()
	})
}
