// Package proxy is labctl's proxy core: a userspace service proxy in the
// spirit of kube-proxy's userspace mode. It resolves a Service to its ready
// endpoints (EndpointSlices, watched with an informer), picks a backend with
// an IPVS scheduler (rr, lc, sh, sed, nq) and optional ClientIP session
// affinity, and reaches it through a transport: direct TCP where the address
// is routable from this computer, otherwise the API server's port-forward
// with one multiplexed connection per pod. The port-forward client (mux) is
// labctl's own over spdystream's framer: it opens a connection's streams
// together with its first bytes instead of waiting for replies, writes each
// batch of frames at once, and never lets an unread stream hold up the
// others; on Linux it reaches the API server at its advertised address
// rather than through Docker's published port.
//
// On top of that core sit a listener that splices connections with live
// per-backend counters (Proxy), a DNS client for the cluster DNS, and an
// http.Client that dials Service hostnames through the core. The verifier,
// the TUI and the labctl proxy/dig/curl commands all use it.
package proxy
