package proxy

import (
	"context"
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"

	"github.com/labctl/labctl/i18n"
	"github.com/labctl/labctl/internal/svcport"
)

// resolver turns Services into ready endpoints. It watches Services and
// EndpointSlices per namespace with informers started on first use, so a
// lab's pods coming and going are seen without polling the API server.
type resolver struct {
	client kubernetes.Interface
	stop   chan struct{}

	mu     sync.Mutex
	closed bool
	caches map[string]*nsCache
	byIP   *ipIndex
	wg     sync.WaitGroup
}

func newResolver(client kubernetes.Interface) *resolver {
	return &resolver{client: client, stop: make(chan struct{}), caches: map[string]*nsCache{}}
}

// indexService indexes EndpointSlices by the Service they belong to.
const indexService = "service"

// nsCache is one namespace's watched Services and EndpointSlices. gen moves
// on every change, so balancers know when to rebuild their backend list.
type nsCache struct {
	ns       string
	factory  informers.SharedInformerFactory
	services cache.Indexer
	slices   cache.Indexer
	gen      atomic.Uint64
	sync     syncState
}

// namespace returns the namespace's cache, starting its informers on first
// use and waiting until they have listed everything once.
func (r *resolver) namespace(ctx context.Context, ns string) (*nsCache, error) {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil, errClosed()
	}
	nc, ok := r.caches[ns]
	if !ok {
		nc = r.startNamespace(ns)
		r.caches[ns] = nc
	}
	r.mu.Unlock()
	if err := nc.sync.wait(ctx); err != nil {
		return nil, err
	}
	return nc, nil
}

func (r *resolver) startNamespace(ns string) *nsCache {
	f := informers.NewSharedInformerFactoryWithOptions(r.client, 0, informers.WithNamespace(ns))
	svcInf := f.Core().V1().Services().Informer()
	sliceInf := f.Discovery().V1().EndpointSlices().Informer()
	_ = sliceInf.AddIndexers(cache.Indexers{indexService: func(obj any) ([]string, error) {
		if s, ok := obj.(*discoveryv1.EndpointSlice); ok {
			if name := s.Labels[discoveryv1.LabelServiceName]; name != "" {
				return []string{name}, nil
			}
		}
		return nil, nil
	}})
	nc := &nsCache{ns: ns, factory: f, services: svcInf.GetIndexer(), slices: sliceInf.GetIndexer()}
	nc.sync.init()
	bump := cache.ResourceEventHandlerFuncs{
		AddFunc:    func(any) { nc.gen.Add(1) },
		UpdateFunc: func(any, any) { nc.gen.Add(1) },
		DeleteFunc: func(any) { nc.gen.Add(1) },
	}
	for _, inf := range []cache.SharedIndexInformer{svcInf, sliceInf} {
		_, _ = inf.AddEventHandler(bump)
		_ = inf.SetWatchErrorHandler(func(_ *cache.Reflector, err error) { nc.sync.fail(err) })
	}
	f.Start(r.stop)
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		if cache.WaitForCacheSync(r.stop, svcInf.HasSynced, sliceInf.HasSynced) {
			nc.sync.done()
		}
	}()
	return nc
}

// close stops every informer and waits for their goroutines.
func (r *resolver) close() {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return
	}
	r.closed = true
	r.mu.Unlock()
	close(r.stop)
	r.wg.Wait()
	for _, nc := range r.caches {
		nc.factory.Shutdown()
	}
	if r.byIP != nil {
		r.byIP.factory.Shutdown()
	}
}

// resolved is a Service port and its ready endpoints at one moment.
type resolved struct {
	svc       *corev1.Service
	port      servicePortRef
	endpoints []endpointInfo
	gen       uint64
}

// resolve looks up a Service port and its ready endpoints. port is a port
// name or number; "" is the Service's only TCP port (internal/svcport).
func (r *resolver) resolve(ctx context.Context, ns, name, port string) (*resolved, error) {
	nc, err := r.namespace(ctx, ns)
	if err != nil {
		return nil, err
	}
	gen := nc.gen.Load() // before reading, so a change during the read is seen next time
	svc, err := r.service(ctx, nc, name)
	if err != nil {
		return nil, err
	}
	sp, err := servicePort(svc, port)
	if err != nil {
		return nil, err
	}
	return &resolved{svc: svc, port: sp, endpoints: nc.endpoints(name, sp), gen: gen}, nil
}

// service reads the Service from the cache and, on a miss, asks the API
// server: a Service created a moment ago may not have reached the watch yet.
func (r *resolver) service(ctx context.Context, nc *nsCache, name string) (*corev1.Service, error) {
	obj, ok, _ := nc.services.GetByKey(nc.ns + "/" + name)
	if ok {
		return obj.(*corev1.Service), nil
	}
	svc, err := r.client.CoreV1().Services(nc.ns).Get(ctx, name, metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
		return nil, i18n.Errorf(msgServiceNotFound, nc.ns, name).WithFix(fixServiceNotFound)
	case err != nil:
		return nil, apiError(err)
	}
	return svc, nil
}

// servicePortRef is the Service port a caller asked for. Headless Services
// may declare no ports at all; then a number names the pods' port (raw).
type servicePortRef struct {
	name   string
	number int32
	raw    bool
}

func (p servicePortRef) String() string {
	if p.name != "" {
		return fmt.Sprintf("%d (%s)", p.number, p.name)
	}
	return strconv.Itoa(int(p.number))
}

// servicePort finds the Service port a caller asked for by labctl's one
// rule (internal/svcport: by name or number, or for "" the Service's only
// TCP port), then requires it to be TCP: the proxy carries TCP only. A
// Service without ports (headless) takes a port number as the pods' port.
func servicePort(svc *corev1.Service, port string) (servicePortRef, error) {
	id := svc.Namespace + "/" + svc.Name
	if svc.Spec.Type == corev1.ServiceTypeExternalName {
		return servicePortRef{}, i18n.Errorf(msgExternalName, id, svc.Spec.ExternalName)
	}
	n, numErr := strconv.ParseInt(port, 10, 32)
	if len(svc.Spec.Ports) == 0 && numErr == nil && n > 0 && n < 65536 {
		return servicePortRef{number: int32(n), raw: true}, nil
	}
	sp, err := svcport.Pick(svc, port)
	if err != nil {
		return servicePortRef{}, err
	}
	if !svcport.IsTCP(sp.Protocol) {
		return servicePortRef{}, i18n.Errorf(msgPortNotTCP, id, port, svcport.List(svc))
	}
	return servicePortRef{name: sp.Name, number: sp.Port}, nil
}

// endpoints collects the ready endpoints of a Service port from all its
// EndpointSlices, deduplicated and sorted by address.
func (nc *nsCache) endpoints(name string, sp servicePortRef) []endpointInfo {
	objs, _ := nc.slices.ByIndex(indexService, name)
	seen := map[netip.AddrPort]bool{}
	var out []endpointInfo
	for _, obj := range objs {
		s := obj.(*discoveryv1.EndpointSlice)
		if s.AddressType != discoveryv1.AddressTypeIPv4 && s.AddressType != discoveryv1.AddressTypeIPv6 {
			continue
		}
		port, ok := slicePort(s, sp)
		if !ok {
			continue
		}
		for _, ep := range s.Endpoints {
			info, ok := endpointOf(nc.ns, ep, port)
			if !ok || seen[info.key()] {
				continue
			}
			seen[info.key()] = true
			out = append(out, info)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key().Compare(out[j].key()) < 0 })
	return out
}

func slicePort(s *discoveryv1.EndpointSlice, sp servicePortRef) (int32, bool) {
	if sp.raw {
		return sp.number, true
	}
	for _, p := range s.Ports {
		name := ""
		if p.Name != nil {
			name = *p.Name
		}
		if p.Port != nil && name == sp.name && (p.Protocol == nil || svcport.IsTCP(*p.Protocol)) {
			return *p.Port, true
		}
	}
	return 0, false
}

// endpointOf reads one slice endpoint; not-ready (including terminating)
// endpoints are left out, as kube-proxy leaves them out.
func endpointOf(ns string, ep discoveryv1.Endpoint, port int32) (endpointInfo, bool) {
	if (ep.Conditions.Ready != nil && !*ep.Conditions.Ready) || len(ep.Addresses) == 0 {
		return endpointInfo{}, false
	}
	ip, err := netip.ParseAddr(ep.Addresses[0])
	if err != nil {
		return endpointInfo{}, false
	}
	info := endpointInfo{Endpoint: Endpoint{Namespace: ns, IP: ip.Unmap(), Port: port}}
	if ep.NodeName != nil {
		info.Node = *ep.NodeName
	}
	if ep.Hostname != nil {
		info.Hostname = *ep.Hostname
	}
	if ref := ep.TargetRef; ref != nil && ref.Kind == "Pod" {
		info.Pod, info.UID = ref.Name, string(ref.UID)
		if ref.Namespace != "" {
			info.Namespace = ref.Namespace
		}
	}
	return info, true
}
