package cluster

import (
	"context"

	kindcluster "sigs.k8s.io/kind/pkg/cluster"

	"github.com/labctl/labctl/i18n"
	"github.com/labctl/labctl/internal/paths"
)

// Down deletes the lab cluster, labctl's kubeconfig for it, and its context
// in the user's kubeconfig if `up --merge-kubeconfig` put it there. A cluster
// that does not exist is not an error: down is idempotent.
func Down(ctx context.Context, name string, env Env) error {
	if name == "" {
		name = DefaultName
	}
	if _, err := env.Runtime.Info(ctx); err != nil {
		return err
	}
	p := kindcluster.NewProvider(env.Runtime.ProviderOption(), kindcluster.ProviderWithLogger(&kindLogger{}))
	kubeconfig := paths.Kubeconfig(name)
	return env.step(stepDelete.F(env.Lang, name), func() error {
		if err := deleteKind(p, name, kubeconfig); err != nil {
			return i18n.Errorf(msgRuntimeDown, env.Runtime.Name).Marked(ErrRuntime).Wrap(err)
		}
		if _, err := unmergeKubeconfig("kind-"+name, userKubeconfig()); err != nil {
			return err
		}
		if err := RemoveOutside(ctx, env.Runtime, name); err != nil {
			return i18n.Errorf(msgRuntimeDown, env.Runtime.Name).Marked(ErrRuntime).Wrap(err)
		}
		env.Runtime.removeNetworkIfUnused(ctx, kindNetwork())
		return ctx.Err()
	})
}

// clusterExists reports whether kind has a cluster called name.
func clusterExists(rt Runtime, name string) (bool, error) {
	return exists(kindcluster.NewProvider(rt.ProviderOption()), name)
}
