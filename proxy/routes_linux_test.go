package proxy

import (
	"bufio"
	"net/netip"
	"strings"
	"testing"
)

func TestRouteTable(t *testing.T) {
	table := `Iface	Destination	Gateway 	Flags	RefCnt	Use	Metric	Mask		MTU	Window	IRTT
eth0	00000000	010200C0	0003	0	0	0	00000000	0	0	0
br-e0427eb9d085	000012AC	00000000	0001	0	0	0	0000FFFF	0	0	0
br-e0427eb9d085	0001F40A	030012AC	0003	0	0	0	00FFFFFF	0	0	0
`
	for ip, want := range map[string]bool{
		"172.18.0.3": true,  // the kind bridge
		"10.244.1.7": true,  // a pod CIDR routed through a node
		"10.244.2.7": false, // only the default route
		"8.8.8.8":    false,
		"172.19.0.1": false,
	} {
		sc := bufio.NewScanner(strings.NewReader(table))
		if got := routeCovers(sc, netip.MustParseAddr(ip)); got != want {
			t.Errorf("%s: %v, want %v", ip, got, want)
		}
	}
	if !hostRoutes(netip.MustParseAddr("127.0.0.1")) {
		t.Error("loopback not routable")
	}
}
