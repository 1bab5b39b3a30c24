package cluster

import (
	"context"
	"fmt"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/labctl/labctl/cluster/addons"
	"github.com/labctl/labctl/internal/ippool"
)

var ipPoolGVR = schema.GroupVersionResource{Group: "metallb.io", Version: "v1beta1", Resource: "ipaddresspools"}

// addrPool is the MetalLB address range of this lab. A cluster that has one
// keeps it (a second `up` must not move LoadBalancer addresses). A new one
// takes the first slot of the kind network that no other labctl cluster's
// pool uses, so two labs side by side never announce the same address.
func (l *Lab) Pool(ctx context.Context) (addrPool, error) {
	if _, err := l.kind(); err != nil {
		return addrPool{}, err
	}
	if p, ok := readPoolOf(ctx, l); ok {
		return p, nil
	}
	network := kindNetwork()
	subnets, err := l.rt.NetworkSubnets(ctx, network)
	if err != nil {
		return addrPool{}, fmt.Errorf("inspect network %s: %w", network, err)
	}
	used := l.poolsOfOtherLabs(ctx)
	for slot := 0; slot < poolSlots; slot++ {
		p, err := carvePool(subnets, slot)
		if err != nil {
			return addrPool{}, err
		}
		if !overlapsAny(p, used) {
			return p, nil
		}
	}
	return carvePool(subnets, 0) // sixteen labs at once: share, as before
}

// readPoolOf reads the pool labctl created in a cluster, if there is one.
func readPoolOf(ctx context.Context, l *Lab) (addrPool, bool) {
	dyn, err := dynamic.NewForConfig(l.REST)
	if err != nil {
		return addrPool{}, false
	}
	u, err := dyn.Resource(ipPoolGVR).Namespace(addons.MetalLB.Namespace).Get(ctx, poolName, metav1.GetOptions{})
	if err != nil {
		return addrPool{}, false
	}
	addrs, _, _ := unstructured.NestedStringSlice(u.Object, "spec", "addresses")
	if len(addrs) != 1 {
		return addrPool{}, false
	}
	return ippool.Parse(addrs[0])
}

// poolsOfOtherLabs asks every other running kind cluster for the pool
// labctl made in it. kind gives the kubeconfig of any of its clusters, so
// this sees labs made with another LABCTL_HOME too; clusters that do not
// answer quickly are skipped.
func (l *Lab) poolsOfOtherLabs(ctx context.Context) []addrPool {
	names, err := l.Provider.List()
	if err != nil {
		return nil
	}
	var out []addrPool
	for _, name := range names {
		if name == l.Name {
			continue
		}
		raw, err := l.Provider.KubeConfig(name, false)
		if err != nil {
			continue
		}
		cfg, err := clientcmd.RESTConfigFromKubeConfig([]byte(raw))
		if err != nil {
			continue
		}
		cfg.Timeout = 3 * time.Second
		cctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		if p, ok := readPoolOf(cctx, &Lab{Name: name, REST: cfg}); ok {
			out = append(out, p)
		}
		cancel()
	}
	return out
}

func overlapsAny(p addrPool, others []addrPool) bool {
	for _, o := range others {
		if p.First.Compare(o.Last) <= 0 && o.First.Compare(p.Last) <= 0 {
			return true
		}
	}
	return false
}
