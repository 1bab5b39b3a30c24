package verify

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"sync"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/labctl/labctl/i18n"
	"github.com/labctl/labctl/internal/ippool"
)

// nodePort proves a NodePort answers on every node's address: from inside
// the cluster network always, and from this computer where node addresses
// are reachable (Linux; Docker Desktop keeps them inside its VM).
type nodePort struct {
	Service   string `yaml:"service"`
	Namespace string `yaml:"namespace"`
	NodePort  int32  `yaml:"nodePort"`
}

func init() {
	register("nodePort", func(p nodePort) (Checker, error) {
		if p.Service == "" {
			return nil, errors.New("params.service is required")
		}
		if p.NodePort != 0 && (p.NodePort < 30000 || p.NodePort > 32767) {
			return nil, fmt.Errorf("params.nodePort %d: NodePorts are 30000-32767", p.NodePort)
		}
		return p, nil
	})
}

func (p nodePort) Check(ctx context.Context, env *Env) Outcome {
	svc, miss := service(ctx, env, env.ns(p.Namespace), p.Service)
	if miss != nil {
		return *miss
	}
	if svc.Spec.Type != corev1.ServiceTypeNodePort && svc.Spec.Type != corev1.ServiceTypeLoadBalancer {
		return Missing(msgNotNodePort, svc.Name, string(svc.Spec.Type))
	}
	port := int32(0)
	for _, sp := range svc.Spec.Ports {
		if p.NodePort == 0 || sp.NodePort == p.NodePort {
			port = sp.NodePort
			break
		}
	}
	if port == 0 {
		return Missing(msgNoSuchNodePort, svc.Name, p.NodePort, describePorts(svc))
	}
	nodes, err := nodeAddresses(ctx, env)
	if err != nil {
		return Errored(err)
	}
	host := env.Net.HostReachesNodes(ctx)
	type probe struct {
		node, url string
		from      Vantage
	}
	var probes []probe
	for _, n := range nodes {
		url := "http://" + hostPort(n[1], port) + "/"
		probes = append(probes, probe{n[0], url, FromNode})
		if host {
			probes = append(probes, probe{n[0], url, FromHost})
		}
	}
	// every node, from every vantage point, at once
	results := make([]HTTPResponse, len(probes))
	errs := make([]error, len(probes))
	var wg sync.WaitGroup
	for i, pr := range probes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rs, err := env.Net.HTTP(ctx, pr.from, "", HTTPRequest{URL: pr.url}, 1)
			if err == nil {
				results[i] = rs[0]
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	var ev []string
	for i, pr := range probes {
		if errs[i] != nil {
			return Errored(errs[i])
		}
		if results[i].Status == 0 {
			if d := diagnoseService(ctx, env, svc, nil, pr.from); d != nil {
				return d.outcome().With(env.t(evNodeFrom, pr.node, pr.url, env.vantage(pr.from), env.describe(results[i]))).With(endpointsEvidence(ctx, env, svc)...)
			}
			return Failed(msgNodePortSilent, pr.node, pr.url, env.vantage(pr.from)).With(env.describe(results[i])).With(endpointsEvidence(ctx, env, svc)...)
		}
		ev = append(ev, env.t(evNodeFrom, pr.node, pr.url, env.vantage(pr.from), env.describe(results[i])))
	}
	if !host {
		ev = append(ev, msgHostCannotReachNodes.F(env.Lang))
	}
	return Passed(msgNodePortAll, port, len(nodes)).With(ev...)
}

// loadBalancerIP proves a LoadBalancer Service got an EXTERNAL-IP from
// MetalLB's pool and answers on it.
type loadBalancerIP struct {
	Service   string `yaml:"service"`
	Namespace string `yaml:"namespace"`
	Port      string `yaml:"port"`
}

func init() {
	register("loadBalancerIP", func(p loadBalancerIP) (Checker, error) {
		if p.Service == "" {
			return nil, errors.New("params.service is required")
		}
		return p, nil
	})
}

var ipPoolGVR = schema.GroupVersionResource{Group: "metallb.io", Version: "v1beta1", Resource: "ipaddresspools"}

func (p loadBalancerIP) Check(ctx context.Context, env *Env) Outcome {
	svc, miss := service(ctx, env, env.ns(p.Namespace), p.Service)
	if miss != nil {
		return *miss
	}
	if svc.Spec.Type != corev1.ServiceTypeLoadBalancer {
		return Missing(msgNotLoadBalancer, svc.Name, string(svc.Spec.Type))
	}
	sp, miss := servicePort(svc, p.Port)
	if miss != nil {
		return *miss
	}
	var ip string
	for _, in := range svc.Status.LoadBalancer.Ingress {
		if in.IP != "" {
			ip = in.IP
			break
		}
	}
	pools, perr := env.poolRanges(ctx)
	if ip == "" {
		if want := svc.Annotations[metallbIPsAnnotation]; want != "" && perr == nil && len(pools) > 0 && !inPools(want, pools) {
			return Failed(msgDiagLBAnnotation, svc.Name, want, env.pools(pools)).With(metallbIPsAnnotation + ": " + want)
		}
		o := Failed(msgLBPending, svc.Name)
		if perr != nil || len(pools) == 0 {
			o = o.With(env.t(evNoPools))
		}
		return o
	}
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return Failed(msgLBPending, svc.Name).With("status ip: " + ip)
	}
	inPool := false
	for _, r := range pools {
		if r.Contains(addr) {
			inPool = true
		}
	}
	if !inPool {
		return Failed(msgLBNotInPool, ip, env.pools(pools))
	}
	url := "http://" + hostPort(ip, sp.Port) + "/"
	ev := []string{env.t(evInPool, ip, env.pools(pools))}
	vantages := []Vantage{FromNode}
	if env.Net.HostReachesNodes(ctx) {
		vantages = append(vantages, FromHost)
	} else {
		ev = append(ev, msgHostCannotReachNodes.F(env.Lang))
	}
	for _, v := range vantages {
		rs, err := env.Net.HTTP(ctx, v, "", HTTPRequest{URL: url}, 1)
		if err != nil {
			return Errored(err)
		}
		if rs[0].Status == 0 {
			if d := diagnoseService(ctx, env, svc, sp, v); d != nil {
				return d.outcome().With(env.t(evFrom, url, env.vantage(v), env.describe(rs[0]))).With(endpointsEvidence(ctx, env, svc)...)
			}
			return Failed(msgLBSilent, url, env.vantage(v)).With(env.describe(rs[0])).With(endpointsEvidence(ctx, env, svc)...)
		}
		ev = append(ev, env.t(evFrom, url, env.vantage(v), env.describe(rs[0])))
	}
	return Passed(msgLBAnswers, svc.Name, ip).With(ev...)
}

// metallbIPsAnnotation asks MetalLB for given addresses from its pools.
const metallbIPsAnnotation = "metallb.io/loadBalancerIPs"

var msgDiagLBAnnotation = i18n.M("diag.lb-annotation", "Service %s asks MetalLB for %s (metallb.io/loadBalancerIPs), which is not in its pool %s: choose an address from the pool, or remove the annotation", "Service %s 가 MetalLB 에 %s 를 달라고 하지만 (metallb.io/loadBalancerIPs) 그 주소는 주소 풀 %s 밖입니다: 풀 안의 주소를 고르거나 어노테이션을 지우세요")

// inPools reports whether every address of a comma-separated list is in a pool.
func inPools(list string, pools []ippool.Pool) bool {
	for _, a := range strings.Split(list, ",") {
		ip, err := netip.ParseAddr(strings.TrimSpace(a))
		if err != nil {
			return false
		}
		in := false
		for _, r := range pools {
			if r.Contains(ip) {
				in = true
			}
		}
		if !in {
			return false
		}
	}
	return true
}

func (e *Env) pools(rs []ippool.Pool) string {
	var out []string
	for _, r := range rs {
		out = append(out, r.String())
	}
	return e.list(out)
}

// poolRanges reads MetalLB's IPAddressPools.
func (e *Env) poolRanges(ctx context.Context) ([]ippool.Pool, error) {
	if e.Dynamic == nil {
		return nil, errors.New("no dynamic client")
	}
	list, err := e.Dynamic.Resource(ipPoolGVR).Namespace(metav1.NamespaceAll).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, err
	}
	var out []ippool.Pool
	for _, p := range list.Items {
		addrs, _, _ := unstructured.NestedStringSlice(p.Object, "spec", "addresses")
		for _, a := range addrs {
			if r, ok := ippool.Parse(a); ok {
				out = append(out, r)
			}
		}
	}
	return out, nil
}
