package trace

import (
	"net/netip"
	"strings"
)

// route is one line of `ip -4 route`.
type route struct {
	prefix netip.Prefix
	via    string
	dev    string
	line   string
}

func parseRoutes(text string) []route {
	var out []route
	for _, line := range strings.Split(text, "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		r := route{line: strings.TrimSpace(line)}
		switch {
		case f[0] == "default":
			r.prefix = netip.MustParsePrefix("0.0.0.0/0")
		case strings.Contains(f[0], "/"):
			p, err := netip.ParsePrefix(f[0])
			if err != nil {
				continue
			}
			r.prefix = p.Masked()
		default:
			a, err := netip.ParseAddr(f[0])
			if err != nil {
				continue
			}
			r.prefix = netip.PrefixFrom(a, a.BitLen())
		}
		for i := 1; i+1 < len(f); i++ {
			switch f[i] {
			case "via":
				r.via = f[i+1]
			case "dev":
				r.dev = f[i+1]
			}
		}
		out = append(out, r)
	}
	return out
}

// lookup is the longest-prefix route to ip.
func lookup(routes []route, ip string) (route, bool) {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return route{}, false
	}
	best, found := route{}, false
	for _, r := range routes {
		if r.prefix.Contains(a) && (!found || r.prefix.Bits() > best.prefix.Bits()) {
			best, found = r, true
		}
	}
	return best, found
}

// routeTo is how the entry node reaches the endpoint, and the pod's veth on
// its own node (kindnet gives each local pod a /32 route on its veth).
func routeTo(w *world, all map[string]*facts, entry string, ep *Endpoint) Route {
	ip := ipOf(ep.Address)
	var rt Route
	if f := all[entry]; f != nil && f.err == nil {
		if r, ok := lookup(f.routes, ip); ok {
			rt.Rule, rt.Dev, rt.Via = r.line, r.dev, r.via
			rt.ViaNode = w.byIP[r.via]
			rt.Local = r.via == "" && r.prefix.Bits() == 32
		}
	}
	if ep.Node == entry {
		rt.Local = true
	}
	if rt.ViaNode != "" && ep.Node == "" {
		ep.Node = rt.ViaNode
	}
	if f := all[ep.Node]; f != nil && f.err == nil {
		if r, ok := lookup(f.routes, ip); ok && r.via == "" && r.prefix.Bits() == 32 {
			rt.Veth = r.dev
		}
	}
	return rt
}
