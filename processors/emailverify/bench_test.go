package emailverify

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/enricher/enricher/internal/dnstest"
	"github.com/enricher/enricher/processors/dnscheck"
)

func BenchmarkSyntaxAndLists(b *testing.B) {
	v := newVerifier(b, Config{DNS: newFakeDNS(nil)})
	addrs := []string{"jane.doe@acme.com", " Bob <bob@gmial.com>;", "info@sub.mailinator.com", "üser@bücher.example.org", "not-an-email"}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		v.start(addrs[i%len(addrs)], nil)
	}
}

// BenchmarkBulk verifies 100,000 addresses over 5,000 domains against a
// DNS server on loopback that takes 2 ms per answer, in batches of 500 as
// the workers do. DNS queries must be about the number of domains (MX,
// plus A/AAAA where a domain has no MX), not the number of addresses.
func BenchmarkBulk(b *testing.B) {
	const addresses, domains, batch = 100000, 5000, 500
	zone := dnstest.Zone{}
	for d := 0; d < domains; d++ {
		name := fmt.Sprintf("company%d.com", d)
		zone[name] = dnstest.Domain{MX: []dnstest.MX{{Pref: 10, Host: "mx." + name}}}
	}
	srv, err := dnstest.Start(zone, dnstest.Delay(2*time.Millisecond))
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	addrs := make([]string, addresses)
	used := map[int]bool{}
	for i := range addrs {
		d := (i * 7919) % domains // every domain, each 20 times, spread out
		used[d] = true
		addrs[i] = fmt.Sprintf("person%d@company%d.com", i, d)
	}
	for b.Loop() {
		resolver, err := dnscheck.New(dnscheck.Config{Server: srv.Addr()})
		if err != nil {
			b.Fatal(err)
		}
		v, err := New(Config{DNS: resolver})
		if err != nil {
			b.Fatal(err)
		}
		before := srv.Queries()
		start := time.Now()
		for i := 0; i < addresses; i += batch {
			for _, r := range v.VerifyAll(context.Background(), addrs[i:i+batch]) {
				if r.Status != "valid" {
					b.Fatalf("%s: %s %s", r.Address, r.Status, r.Detail)
				}
			}
		}
		b.ReportMetric(float64(addresses)/time.Since(start).Seconds(), "addresses/s")
		b.ReportMetric(float64(srv.Queries()-before), "dns-queries")
		b.ReportMetric(float64(len(used)), "distinct-domains")
	}
}
