package proxy

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// apiShortcut finds a way to the API server that skips a port published
// on this computer's loopback. A kind cluster's kubeconfig names
// https://127.0.0.1:PORT, which Docker forwards to the control-plane
// container through a userland proxy process: one more process copying
// every byte of every forwarded connection (about a tenth of the CPU a
// forwarded request costs the whole machine, measured). On Linux
// the container's own address (the one the API server advertises, in the
// default/kubernetes EndpointSlice) is on a network this computer is
// attached to, so port-forward connections go there instead — the same
// server, verified against the same CA and under the kubeconfig's own
// server name, with the same credentials. Where that address is not
// reachable (Docker Desktop on macOS and Windows, rootless Docker) or the
// kubeconfig does not name a loopback address, nothing changes. If the
// shortcut ever fails for a reason other than the API server's own answer,
// it is dropped for good.
type apiShortcut struct {
	cfg      *rest.Config
	client   kubernetes.Interface
	routable func(netip.Addr) bool

	once     sync.Once
	direct   *rest.Config // nil: none
	disabled atomic.Bool
}

// config returns the shortcut's config, or nil to use the kubeconfig's.
func (a *apiShortcut) config() *rest.Config {
	if a == nil || a.disabled.Load() {
		return nil
	}
	a.once.Do(func() { a.direct = a.find() })
	return a.direct
}

// drop stops using the shortcut after err, unless err is the API server
// answering (a pod that does not exist is not the shortcut's fault).
func (a *apiShortcut) drop(err error) bool {
	var st *apierrors.StatusError
	if errors.As(err, &st) {
		if c := st.ErrStatus.Code; c != http.StatusUnauthorized && c != http.StatusForbidden {
			return false
		}
	}
	a.disabled.Store(true)
	return true
}

func (a *apiShortcut) find() *rest.Config {
	base, _, err := rest.DefaultServerUrlFor(a.cfg)
	if err != nil {
		return nil
	}
	host, err := netip.ParseAddr(base.Hostname())
	if base.Hostname() != "localhost" && (err != nil || !host.IsLoopback()) {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	slices, err := a.client.DiscoveryV1().EndpointSlices(metav1.NamespaceDefault).List(ctx,
		metav1.ListOptions{LabelSelector: "kubernetes.io/service-name=kubernetes"})
	if err != nil {
		return nil
	}
	for _, s := range slices.Items {
		port := 0
		for _, p := range s.Ports {
			if p.Port != nil && (p.Name == nil || *p.Name == "https") {
				port = int(*p.Port)
			}
		}
		for _, e := range s.Endpoints {
			if port == 0 || (e.Conditions.Ready != nil && !*e.Conditions.Ready) {
				continue
			}
			for _, addr := range e.Addresses {
				ip, err := netip.ParseAddr(addr)
				if err != nil || !a.routable(ip.Unmap()) {
					continue
				}
				c := rest.CopyConfig(a.cfg)
				u := url.URL{Scheme: base.Scheme, Host: net.JoinHostPort(ip.Unmap().String(), strconv.Itoa(port)), Path: base.Path}
				c.Host = u.String()
				if c.TLSClientConfig.ServerName == "" {
					c.TLSClientConfig.ServerName = base.Hostname() // the certificate names what the kubeconfig names
				}
				return c
			}
		}
	}
	return nil
}
