package bench

import (
	"net/netip"
	"time"

	"github.com/enricher/enricher/internal/dnstest"
)

// DomainFate says what DNS answers for company domain i: most have an MX,
// one in 20 only an A record, one in 50 a null MX (RFC 7505), one in 40
// does not exist (NXDOMAIN).
func DomainFate(i int) string {
	switch {
	case i%40 == 9:
		return "nxdomain"
	case i%50 == 7:
		return "null_mx"
	case i%20 == 3:
		return "a_only"
	}
	return "mx"
}

// Zone returns the DNS zone of a generated file with the given number of
// company domains, plus the webmail and disposable providers.
func Zone(domains int) dnstest.Zone {
	zone := make(dnstest.Zone, domains+len(Webmail)+len(Disposable))
	for _, p := range append(append([]string{}, Webmail...), Disposable...) {
		zone[p] = dnstest.Domain{MX: []dnstest.MX{{Pref: 10, Host: "mx1." + p}, {Pref: 20, Host: "mx2." + p}}}
	}
	for i := range domains {
		name := Domain(i)
		switch DomainFate(i) {
		case "nxdomain":
		case "null_mx":
			zone[name] = dnstest.Domain{MX: []dnstest.MX{{Pref: 0, Host: "."}}}
		case "a_only":
			zone[name] = dnstest.Domain{A: []netip.Addr{netip.AddrFrom4([4]byte{192, 0, 2, byte(1 + i%250)})}}
		default:
			zone[name] = dnstest.Domain{MX: []dnstest.MX{{Pref: 10, Host: "mx." + name}}}
		}
	}
	return zone
}

// StartDNS serves the zone of a generated file on 127.0.0.1, answering
// each question after delay.
func StartDNS(domains int, delay time.Duration) (*dnstest.Server, error) {
	return dnstest.Start(Zone(domains), dnstest.Delay(delay))
}
