package dnscheck

import "net/netip"

// nonGlobal lists special-purpose blocks (IANA IPv4 and IPv6
// Special-Purpose Address Registries) that are unicast but not reachable
// on the public internet, beyond what netip's predicates already catch.
var nonGlobal = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network" (RFC 791)
	netip.MustParsePrefix("100.64.0.0/10"),   // shared address space, CGN (RFC 6598)
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments (RFC 6890)
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation TEST-NET-1 (RFC 5737)
	netip.MustParsePrefix("192.88.99.0/24"),  // deprecated 6to4 relay anycast (RFC 7526)
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking (RFC 2544)
	netip.MustParsePrefix("198.51.100.0/24"), // documentation TEST-NET-2 (RFC 5737)
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation TEST-NET-3 (RFC 5737)
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, includes broadcast (RFC 1112)

	netip.MustParsePrefix("2001::/23"),     // IETF protocol assignments, incl. Teredo, benchmarking, ORCHID (RFC 2928)
	netip.MustParsePrefix("2001:db8::/32"), // documentation (RFC 3849)
	netip.MustParsePrefix("3fff::/20"),     // documentation (RFC 9637)
}

// globalUnicast6 is the only IPv6 block IANA allocates global unicast
// addresses from (RFC 4291); everything outside it (loopback, mapped,
// NAT64, ULA, link-local, multicast...) is not a public mail host.
var globalUnicast6 = netip.MustParsePrefix("2000::/3")

// isRoutable reports whether a is a globally routable unicast address, the
// kind a mail server without MX records must have to be reachable (RFC
// 5321 section 5.1). IPv4-mapped IPv6 addresses are not routable: an AAAA
// record holding one is a misconfiguration.
func isRoutable(a netip.Addr) bool {
	if !a.IsValid() || a.Zone() != "" {
		return false
	}
	if a.Is6() && !globalUnicast6.Contains(a) {
		return false
	}
	if !a.IsGlobalUnicast() || a.IsPrivate() {
		return false
	}
	for _, p := range nonGlobal {
		if p.Contains(a) {
			return false
		}
	}
	return true
}

// isUsable reports whether a counts as a mail host address when private
// addresses are allowed (Config.AllowPrivate): anything but unspecified
// and multicast addresses.
func isUsable(a netip.Addr) bool {
	return a.IsValid() && !a.IsUnspecified() && !a.IsMulticast()
}
