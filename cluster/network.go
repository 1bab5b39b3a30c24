package cluster

import (
	"fmt"
	"net/netip"

	"github.com/labctl/labctl/i18n"
	"github.com/labctl/labctl/internal/ippool"
)

// poolSlots is how many clusters' pools a large subnet holds.
const poolSlots = 16

// addrPool is a range of addresses MetalLB may hand out.
type addrPool = ippool.Pool

// carvePool picks MetalLB's address range from the runtime network's IPv4
// subnet, as far as possible from the addresses the runtime gives nodes
// (it allocates from the bottom): the top of the subnet, leaving the last
// few addresses free. A /24 or larger gives 51 addresses (x.x.x.200-250 of
// one of the subnet's top /24s); smaller subnets, down to /28, give their
// top quarter minus the broadcast address.
//
// Every kind cluster shares one network, and two MetalLBs announcing the
// same address break both, so a subnet with room (/20 or larger) holds 16
// pools: slot 0 is the last /24, slot k the k-th /24 below it. Smaller
// subnets have one pool; slot is ignored there.
func carvePool(subnets []netip.Prefix, slot int) (addrPool, error) {
	var v4 *netip.Prefix
	for i := range subnets {
		if subnets[i].Addr().Is4() {
			v4 = &subnets[i]
			break
		}
	}
	if v4 == nil {
		return addrPool{}, i18n.Errorf(msgNoIPv4, fmt.Sprint(subnets)).WithFix(fixNoIPv4)
	}
	bits := v4.Bits()
	if bits > 28 {
		return addrPool{}, i18n.Errorf(msgSubnetTooSmall, v4.String())
	}
	base := v4.Masked().Addr().As4()
	n := uint32(base[0])<<24 | uint32(base[1])<<16 | uint32(base[2])<<8 | uint32(base[3])
	size := uint32(1) << (32 - bits)
	last := n + size - 1 // broadcast
	var first, end uint32
	if bits <= 24 {
		// .200 to .250 of a /24 at the top of the subnet
		top := last &^ 0xff
		if room := uint32(1) << (24 - bits); room >= poolSlots && slot > 0 && slot < poolSlots {
			top -= uint32(slot) << 8
		}
		first, end = top+200, top+250
	} else {
		quarter := size / 4
		first, end = last-quarter+1, last-1
	}
	return addrPool{First: u32(first), Last: u32(end)}, nil
}

func u32(v uint32) netip.Addr {
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}
