// Package ippool is a range of IPv4 addresses as MetalLB's IPAddressPool
// writes it: labctl's up carves one, its checks read them.
package ippool

import (
	"net/netip"
	"strings"
)

// Pool is a range of addresses MetalLB may hand out.
type Pool struct {
	First, Last netip.Addr
}

func (p Pool) String() string { return p.First.String() + "-" + p.Last.String() }

// Contains reports whether a is in the pool.
func (p Pool) Contains(a netip.Addr) bool {
	return p.First.Compare(a) <= 0 && a.Compare(p.Last) <= 0
}

// Size is the number of addresses in the pool.
func (p Pool) Size() int {
	f, l := p.First.As4(), p.Last.As4()
	fi := int(f[0])<<24 | int(f[1])<<16 | int(f[2])<<8 | int(f[3])
	li := int(l[0])<<24 | int(l[1])<<16 | int(l[2])<<8 | int(l[3])
	return li - fi + 1
}

// Parse reads an address range as MetalLB's IPAddressPool writes them:
// "first-last" or a CIDR.
func Parse(s string) (Pool, bool) {
	if first, last, ok := strings.Cut(s, "-"); ok {
		f, err1 := netip.ParseAddr(strings.TrimSpace(first))
		t, err2 := netip.ParseAddr(strings.TrimSpace(last))
		return Pool{First: f, Last: t}, err1 == nil && err2 == nil
	}
	p, err := netip.ParsePrefix(strings.TrimSpace(s))
	if err != nil {
		return Pool{}, false
	}
	return Pool{First: p.Masked().Addr(), Last: lastAddr(p)}, true
}

// lastAddr is the highest address of a prefix.
func lastAddr(p netip.Prefix) netip.Addr {
	b := p.Masked().Addr().AsSlice()
	host := len(b)*8 - p.Bits()
	for i := len(b) - 1; i >= 0 && host > 0; i-- {
		n := min(host, 8)
		b[i] |= byte(1<<n - 1)
		host -= n
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}
