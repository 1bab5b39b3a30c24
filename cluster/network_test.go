package cluster

import (
	"errors"
	"net/netip"
	"testing"

	"github.com/labctl/labctl/i18n"
	"github.com/labctl/labctl/internal/ippool"
)

func TestCarvePool(t *testing.T) {
	for _, tc := range []struct {
		subnets []string
		want    string
		size    int
	}{
		{[]string{"172.18.0.0/16"}, "172.18.255.200-172.18.255.250", 51},
		{[]string{"fc00:f853:ccd:e793::/64", "172.18.0.0/16"}, "172.18.255.200-172.18.255.250", 51}, // dual stack: the IPv4 one
		{[]string{"10.89.0.0/20"}, "10.89.15.200-10.89.15.250", 51},
		{[]string{"192.168.49.0/24"}, "192.168.49.200-192.168.49.250", 51},
		{[]string{"192.168.49.128/26"}, "192.168.49.176-192.168.49.190", 15},
		{[]string{"192.168.49.0/28"}, "192.168.49.12-192.168.49.14", 3},
	} {
		var ps []netip.Prefix
		for _, s := range tc.subnets {
			ps = append(ps, netip.MustParsePrefix(s))
		}
		p, err := carvePool(ps, 0)
		if err != nil {
			t.Errorf("%v: %v", tc.subnets, err)
			continue
		}
		if p.String() != tc.want || p.Size() != tc.size {
			t.Errorf("%v: got %s (%d), want %s (%d)", tc.subnets, p, p.Size(), tc.want, tc.size)
		}
		// nodes get the low addresses: the gateway and the first 100 hosts stay outside the pool
		first := ps[len(ps)-1].Masked().Addr()
		for i, a := 0, first.Next(); i < 10; i, a = i+1, a.Next() {
			if p.Contains(a) {
				t.Errorf("%v: pool %s contains node address %s", tc.subnets, p, a)
			}
		}
	}
}

func TestCarvePoolErrors(t *testing.T) {
	var le *i18n.Error
	_, err := carvePool([]netip.Prefix{netip.MustParsePrefix("fc00:f853:ccd:e793::/64")}, 0)
	if !errors.As(err, &le) || le.Msg.ID != msgNoIPv4.ID {
		t.Errorf("IPv6-only network: got %v", err)
	}
	if le != nil && le.Fix == nil {
		t.Error("IPv6-only error has no fix")
	}
	_, err = carvePool([]netip.Prefix{netip.MustParsePrefix("192.168.1.0/29")}, 0)
	if !errors.As(err, &le) || le.Msg.ID != msgSubnetTooSmall.ID {
		t.Errorf("/29: got %v", err)
	}
	_, err = carvePool(nil, 0)
	if err == nil {
		t.Error("no subnet accepted")
	}
}

// Two labctl clusters on the same kind network must not hand out the same
// addresses: MetalLB's ARP answers from both would break both.
func TestCarvePoolSlots(t *testing.T) {
	kind := []netip.Prefix{netip.MustParsePrefix("172.18.0.0/16")}
	seen := map[string]int{}
	for slot := 0; slot < poolSlots; slot++ {
		p, err := carvePool(kind, slot)
		if err != nil {
			t.Fatal(err)
		}
		if other, dup := seen[p.String()]; dup {
			t.Errorf("slots %d and %d both get %s", slot, other, p)
		}
		seen[p.String()] = slot
		if !netip.MustParsePrefix("172.18.240.0/20").Contains(p.First) || p.Size() != 51 {
			t.Errorf("slot %d: %s is not 51 addresses at the top of the network", slot, p)
		}
	}
	if p, _ := carvePool(kind, 1); p.String() != "172.18.254.200-172.18.254.250" {
		t.Errorf("slot 1: %s", p)
	}
	// a /24 has room for one pool only
	p, _ := carvePool([]netip.Prefix{netip.MustParsePrefix("192.168.49.0/24")}, 3)
	if p.String() != "192.168.49.200-192.168.49.250" {
		t.Errorf("/24: %s", p)
	}
}

func TestOverlapsAndParse(t *testing.T) {
	a, ok := ippool.Parse("172.18.255.200-172.18.255.250")
	if !ok {
		t.Fatal("parse")
	}
	b, _ := ippool.Parse("172.18.255.250 - 172.18.255.251")
	c, _ := ippool.Parse("172.18.254.200-172.18.254.250")
	if !overlapsAny(a, []addrPool{b}) || overlapsAny(a, []addrPool{c}) {
		t.Error("overlap")
	}
	for _, c := range []struct{ in, want string }{
		{"172.18.255.200/29", "172.18.255.200-172.18.255.207"},
		{"172.18.0.0/20", "172.18.0.0-172.18.15.255"},
		{"172.18.255.7/32", "172.18.255.7-172.18.255.7"},
		{"10.1.2.3/8", "10.0.0.0-10.255.255.255"},
		{"fc00:f853:ccd:e793::/120", "fc00:f853:ccd:e793::-fc00:f853:ccd:e793::ff"},
	} {
		if p, ok := ippool.Parse(c.in); !ok || p.String() != c.want {
			t.Errorf("ippool.Parse(%s) = %s, %v; want %s", c.in, p, ok, c.want)
		}
	}
	for _, bad := range []string{"not-an-address", "172.18.0.0", "1.2.3.4-x"} {
		if _, ok := ippool.Parse(bad); ok {
			t.Errorf("ippool.Parse(%q) accepted", bad)
		}
	}
}
