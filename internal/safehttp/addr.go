package safehttp

import "net/netip"

// forbidden4 lists the IPv4 blocks that are not the public internet: the
// IANA IPv4 Special-Purpose Address Registry plus multicast.
var forbidden4 = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network", incl. unspecified (RFC 791)
	netip.MustParsePrefix("10.0.0.0/8"),      // private (RFC 1918)
	netip.MustParsePrefix("100.64.0.0/10"),   // shared address space, CGNAT (RFC 6598)
	netip.MustParsePrefix("127.0.0.0/8"),     // loopback (RFC 1122)
	netip.MustParsePrefix("169.254.0.0/16"),  // link-local, incl. cloud metadata 169.254.169.254 (RFC 3927)
	netip.MustParsePrefix("172.16.0.0/12"),   // private (RFC 1918)
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments (RFC 6890)
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation TEST-NET-1 (RFC 5737)
	netip.MustParsePrefix("192.88.99.0/24"),  // deprecated 6to4 relay anycast (RFC 7526)
	netip.MustParsePrefix("192.168.0.0/16"),  // private (RFC 1918)
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking (RFC 2544)
	netip.MustParsePrefix("198.51.100.0/24"), // documentation TEST-NET-2 (RFC 5737)
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation TEST-NET-3 (RFC 5737)
	netip.MustParsePrefix("224.0.0.0/4"),     // multicast (RFC 5771)
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, incl. broadcast (RFC 1112)
}

// IPv6 addresses must be global unicast (2000::/3, RFC 4291), which
// already excludes unspecified, loopback, ULA fc00::/7, link-local
// fe80::/10, site-local, multicast and the deprecated IPv4-compatible
// forms. Inside it, these blocks are still not the public internet.
var (
	global6    = netip.MustParsePrefix("2000::/3")
	forbidden6 = []netip.Prefix{
		netip.MustParsePrefix("2001::/23"),     // IETF protocol assignments, incl. Teredo, benchmarking 2001:2::/48, ORCHID (RFC 2928)
		netip.MustParsePrefix("2001:db8::/32"), // documentation (RFC 3849)
		netip.MustParsePrefix("3fff::/20"),     // documentation (RFC 9637)
	}
	// Blocks that embed an IPv4 address, which is checked in turn.
	nat64  = netip.MustParsePrefix("64:ff9b::/96") // well-known NAT64 prefix (RFC 6052), IPv4 in the last 32 bits
	sixTo4 = netip.MustParsePrefix("2002::/16")    // 6to4 (RFC 3056), IPv4 in bits 16-47
)

// metadataNames are host names of cloud instance metadata services. They
// are refused by name, before any lookup.
var metadataNames = map[string]bool{
	"metadata.google.internal": true,
	"metadata":                 true,
}

// permitted reports whether a may be dialled: it is inside one of allow,
// or it is a public unicast address. IPv4-mapped IPv6 addresses are
// judged as the IPv4 address they carry, and so are the IPv4 addresses
// embedded in NAT64 and 6to4 addresses.
func permitted(a netip.Addr, allow []netip.Prefix) bool {
	if !a.IsValid() {
		return false
	}
	a = a.WithZone("").Unmap()
	for _, p := range allow {
		if p.Contains(a) {
			return true
		}
	}
	if a.Is4() {
		for _, p := range forbidden4 {
			if p.Contains(a) {
				return false
			}
		}
		return true
	}
	b := a.As16()
	switch {
	case nat64.Contains(a):
		return permitted(netip.AddrFrom4([4]byte(b[12:16])), allow)
	case sixTo4.Contains(a):
		return permitted(netip.AddrFrom4([4]byte(b[2:6])), allow)
	case !global6.Contains(a):
		return false
	}
	for _, p := range forbidden6 {
		if p.Contains(a) {
			return false
		}
	}
	return true
}
