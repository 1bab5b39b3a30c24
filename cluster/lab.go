// Package cluster provisions and reaches the lab cluster: kind through its Go
// library, the pinned add-ons (MetalLB, ingress-nginx or Traefik), the
// kubeconfig labctl keeps for it, readiness, status, doctor's probes and
// node access. Any conformant cluster can stand in for the kind one
// (--kubeconfig/--context); then node access is unavailable.
package cluster

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	kindcluster "sigs.k8s.io/kind/pkg/cluster"
	"sigs.k8s.io/kind/pkg/cluster/nodes"
	"sigs.k8s.io/kind/pkg/cluster/nodeutils"

	"github.com/labctl/labctl/apply"
	"github.com/labctl/labctl/cluster/internal/runtime"
	"github.com/labctl/labctl/i18n"
	"github.com/labctl/labctl/internal/paths"
)

// Target says which cluster a command works on.
type Target struct {
	// Name is the kind cluster labctl made (default "lab").
	Name string
	// Kubeconfig and Context select any other cluster instead.
	Kubeconfig string
	Context    string
	// Runtime overrides runtime detection (docker, podman, nerdctl).
	Runtime string
}

// External is true when the target is a cluster labctl did not create.
func (t Target) External() bool { return t.Kubeconfig != "" || t.Context != "" }

// Lab is an open handle on a running cluster.
type Lab struct {
	Name       string
	Kubeconfig string
	Context    string
	REST       *rest.Config
	Client     kubernetes.Interface
	// Provider is set for kind clusters labctl made.
	Provider *kindcluster.Provider
	// rt is the runtime of a kind cluster labctl made.
	rt runtime.Runtime
}

// Sentinels for the states of the student's environment that a front end
// must recognise (errors.Is): each is an environment error, exit code 2.
var (
	// ErrNoCluster: the lab cluster does not exist.
	ErrNoCluster = errors.New("no lab cluster")
	// ErrUnreachable: the API server does not answer.
	ErrUnreachable = errors.New("API server unreachable")
	// ErrKubeconfig: the kubeconfig cannot be read or used.
	ErrKubeconfig = errors.New("kubeconfig unusable")
	// ErrRuntime: no container runtime, or it does not answer.
	ErrRuntime = runtime.ErrRuntime
)

// IsEnvironment tells whether err is one of the environment states above.
func IsEnvironment(err error) bool {
	for _, s := range []error{ErrNoCluster, ErrUnreachable, ErrKubeconfig, ErrRuntime} {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}

// Open connects to the target cluster without touching the container
// runtime when it can: the kubeconfig labctl wrote is enough. Only when that
// file is missing does it ask kind whether the cluster exists.
func Open(ctx context.Context, t Target) (*Lab, error) {
	if t.Name == "" {
		t.Name = defaultName
	}
	if t.External() {
		return openExternal(t)
	}
	path := paths.Kubeconfig(t.Name)
	lab := &Lab{Name: t.Name, Kubeconfig: path, Context: "kind-" + t.Name}
	if _, err := os.Stat(path); err != nil {
		rt, err := runtime.Detect(t.Runtime)
		if err != nil {
			return nil, err
		}
		p := kindcluster.NewProvider(rt.ProviderOption())
		if err := requireCluster(ctx, rt, t.Name); err != nil {
			return nil, err
		}
		// kind reads the kubeconfig from inside the control-plane node.
		if err := requireRunning(ctx, rt, t.Name); err != nil {
			return nil, err
		}
		// The cluster exists but our kubeconfig went missing: write it again.
		if err := writeKubeconfig(p, t.Name, path); err != nil {
			return nil, err
		}
		lab.Provider, lab.rt = p, rt
	}
	cfg, err := restConfig(path, lab.Context)
	if err != nil {
		return nil, err
	}
	if err := lab.connect(cfg); err != nil {
		return nil, err
	}
	return lab, nil
}

func openExternal(t Target) (*Lab, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	if t.Kubeconfig != "" {
		if _, err := os.Stat(t.Kubeconfig); err != nil {
			return nil, i18n.Errorf(msgKubeconfig, t.Kubeconfig).Marked(ErrKubeconfig).Wrap(err).WithFix(fixKubeconfig)
		}
		rules.ExplicitPath = t.Kubeconfig
	}
	cc := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{CurrentContext: t.Context})
	cfg, err := cc.ClientConfig()
	if err != nil {
		return nil, i18n.Errorf(msgKubeconfig, describe(t.Kubeconfig, t.Context)).Marked(ErrKubeconfig).Wrap(err).WithFix(fixKubeconfig)
	}
	raw, _ := cc.RawConfig()
	ctxName := t.Context
	if ctxName == "" {
		ctxName = raw.CurrentContext
	}
	lab := &Lab{Name: ctxName, Kubeconfig: t.Kubeconfig, Context: ctxName}
	return lab, lab.connect(cfg)
}

func describe(path, ctx string) string {
	if path == "" {
		path = "~/.kube/config"
	}
	if ctx != "" {
		return path + " (context " + ctx + ")"
	}
	return path
}

func restConfig(path, context string) (*rest.Config, error) {
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(
		&clientcmd.ClientConfigLoadingRules{ExplicitPath: path},
		&clientcmd.ConfigOverrides{CurrentContext: context}).ClientConfig()
	if err != nil {
		return nil, i18n.Errorf(msgKubeconfig, path).Marked(ErrKubeconfig).Wrap(err).WithFix(fixKubeconfig)
	}
	return cfg, nil
}

func (l *Lab) connect(cfg *rest.Config) error {
	cfg.QPS, cfg.Burst = 50, 100 // checks and waits poll; the default 5 QPS throttles them
	if cfg.Timeout == 0 {
		cfg.Timeout = 30 * time.Second
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return i18n.Errorf(msgKubeconfig, l.Kubeconfig).Marked(ErrKubeconfig).Wrap(err).WithFix(fixKubeconfig)
	}
	l.REST, l.Client = cfg, cs
	return nil
}

// pingTimeout bounds how long a command waits to learn that the API server
// is gone: a kind API server answers in milliseconds, even under load.
const pingTimeout = 5 * time.Second

// Ping checks that the API server answers, with an error that says what to do.
func (l *Lab) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, pingTimeout)
	defer cancel()
	_, err := l.Client.CoreV1().Namespaces().Get(ctx, metav1.NamespaceSystem, metav1.GetOptions{})
	if err != nil {
		return l.diagnose(ctx, i18n.Errorf(msgAPIUnreachable, l.REST.Host).Marked(ErrUnreachable).Wrap(err).WithFix(fixAPIUnreachable))
	}
	return nil
}

// Applier returns an apply engine for the cluster.
func (l *Lab) Applier() (*apply.Applier, error) { return apply.New(l.REST) }

// kind returns the provider, creating it on first use.
func (l *Lab) kind() (*kindcluster.Provider, error) {
	if l.Provider != nil {
		return l.Provider, nil
	}
	if l.Kubeconfig != paths.Kubeconfig(l.Name) {
		return nil, i18n.Errorf(msgNoNodeAPI)
	}
	rt, err := runtime.Detect("")
	if err != nil {
		return nil, err
	}
	l.rt, l.Provider = rt, kindcluster.NewProvider(rt.ProviderOption())
	return l.Provider, nil
}

// Nodes returns the kind nodes, for running commands inside them.
func (l *Lab) Nodes() ([]nodes.Node, error) {
	p, err := l.kind()
	if err != nil {
		return nil, err
	}
	ns, err := p.ListNodes(l.Name)
	if err != nil {
		return nil, err
	}
	return nodeutils.InternalNodes(ns)
}

// Node returns the kind node called name (the Kubernetes node name).
func (l *Lab) Node(name string) (nodes.Node, error) {
	ns, err := l.Nodes()
	if err != nil {
		return nil, err
	}
	for _, n := range ns {
		if n.String() == name {
			return n, nil
		}
	}
	return nil, fmt.Errorf("node %s not found in cluster %s", name, l.Name)
}

// NodeList returns the Kubernetes view of the nodes.
func (l *Lab) NodeList(ctx context.Context) ([]corev1.Node, error) {
	list, err := l.Client.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, err
	}
	return list.Items, nil
}

// requireCluster returns ErrNoCluster (localized) when kind has no cluster
// called name, and the runtime's own error when it cannot be asked.
func requireCluster(ctx context.Context, rt runtime.Runtime, name string) error {
	if _, err := rt.Info(ctx); err != nil {
		return err
	}
	ok, err := rt.ClusterExists(name)
	if err != nil {
		return err
	}
	if !ok {
		return i18n.Errorf(msgNoCluster, name).Marked(ErrNoCluster).WithFix(runtime.FixNoCluster)
	}
	return nil
}

// writeKubeconfig writes the cluster's kubeconfig to labctl's own file.
func writeKubeconfig(p *kindcluster.Provider, name, path string) error {
	cfg, err := p.KubeConfig(name, false)
	if err != nil {
		return fmt.Errorf("read kubeconfig of %s: %w", name, err)
	}
	return paths.WriteFileAtomic(path, []byte(cfg), 0o600)
}
