package dnscheck

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/enricher/enricher/internal/dnstest"
	"github.com/miekg/dns"
)

// All tests talk only to dnstest servers on 127.0.0.1. Addresses that look
// public appear only as record data.

func addrs(ss ...string) []netip.Addr {
	var out []netip.Addr
	for _, s := range ss {
		out = append(out, netip.MustParseAddr(s))
	}
	return out
}

func startServer(t testing.TB, zone dnstest.Zone, opts ...dnstest.Option) *dnstest.Server {
	t.Helper()
	s, err := dnstest.Start(zone, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func newResolver(t testing.TB, cfg Config) *Resolver {
	t.Helper()
	r, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// clock is a manual clock for cache expiry tests.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func bigMX() []dnstest.MX {
	var mx []dnstest.MX
	for i := range 100 {
		mx = append(mx, dnstest.MX{Pref: uint16(100 - i), Host: fmt.Sprintf("mail-exchanger-%03d.big.example", i)})
	}
	return mx
}

var testZone = dnstest.Zone{
	"mx.example": {MX: []dnstest.MX{
		{Pref: 20, Host: "b.mx.example"},
		{Pref: 10, Host: "Z.MX.Example."},
		{Pref: 10, Host: "a.mx.example"},
	}},
	"a.mx.example":     {A: addrs("8.8.8.8")},
	"null.example":     {MX: []dnstest.MX{{Pref: 0, Host: "."}}},
	"halfnull.example": {MX: []dnstest.MX{{Pref: 0, Host: "."}, {Pref: 5, Host: "mail.halfnull.example"}}},
	"big.example":      {MX: bigMX()},
	"a-public.example": {A: addrs("8.8.4.4", "1.1.1.1")},
	"v6.example":       {AAAA: addrs("2606:4700:4700::1111")},
	"mixed.example":    {A: addrs("10.0.0.1", "1.0.0.1"), AAAA: addrs("fd00::1")},
	"private.example":  {A: addrs("10.1.2.3", "192.168.0.10"), AAAA: addrs("fd00::25")},
	"loopback.example": {A: addrs("127.0.0.1"), AAAA: addrs("::1")},
	"docs.example":     {A: addrs("203.0.113.5", "198.51.100.7")},
	"empty.example":    {},
	"servfail.example": {Rcode: dns.RcodeServerFailure},
	"refused.example":  {Rcode: dns.RcodeRefused},
	"drop.example":     {Drop: true},
}

func TestLookup(t *testing.T) {
	s := startServer(t, testZone)
	r := newResolver(t, Config{Server: s.Addr(), Timeout: 50 * time.Millisecond, Attempts: 1})
	tests := []struct {
		domain   string
		status   Status
		mx       []MX
		fallback []netip.Addr
		nx       bool
		detail   string // substring
	}{
		{"mx.example", OK, []MX{{10, "a.mx.example"}, {10, "z.mx.example"}, {20, "b.mx.example"}}, nil, false, "3 record"},
		{" MX.Example. ", OK, []MX{{10, "a.mx.example"}, {10, "z.mx.example"}, {20, "b.mx.example"}}, nil, false, ""},
		{"null.example", NullMX, nil, nil, false, "RFC 7505"},
		{"halfnull.example", OK, []MX{{5, "mail.halfnull.example"}}, nil, false, "null MX record(s) ignored"},
		{"a-public.example", OK, nil, addrs("8.8.4.4", "1.1.1.1"), false, "implicit MX"},
		{"v6.example", OK, nil, addrs("2606:4700:4700::1111"), false, ""},
		{"mixed.example", OK, nil, addrs("1.0.0.1"), false, ""},
		{"private.example", Unroutable, nil, addrs("10.1.2.3", "192.168.0.10", "fd00::25"), false, "not globally routable"},
		{"loopback.example", Unroutable, nil, addrs("127.0.0.1", "::1"), false, ""},
		{"docs.example", Unroutable, nil, addrs("203.0.113.5", "198.51.100.7"), false, ""},
		{"missing.example", NoRecords, nil, nil, true, "NXDOMAIN"},
		{"empty.example", NoRecords, nil, nil, false, "no MX, A or AAAA"},
		{"servfail.example", TempFail, nil, nil, false, "MX: SERVFAIL"},
		{"refused.example", TempFail, nil, nil, false, "MX: REFUSED"},
		{"drop.example", TempFail, nil, nil, false, "timeout"},
		{"", NoRecords, nil, nil, false, "not a valid domain name"},
		{"bad..example", NoRecords, nil, nil, false, "not a valid domain name"},
		{"spa ce.example", NoRecords, nil, nil, false, "not a valid domain name"},
		{"bücher.example", NoRecords, nil, nil, false, "not a valid domain name"},
	}
	for _, tt := range tests {
		t.Run(tt.domain, func(t *testing.T) {
			d := r.Lookup(context.Background(), tt.domain)
			if d.Status != tt.status {
				t.Fatalf("Status = %q, want %q (%s)", d.Status, tt.status, d.Detail)
			}
			if !reflect.DeepEqual(d.MX, tt.mx) {
				t.Errorf("MX = %v, want %v", d.MX, tt.mx)
			}
			if !reflect.DeepEqual(d.Fallback, tt.fallback) {
				t.Errorf("Fallback = %v, want %v", d.Fallback, tt.fallback)
			}
			if d.NXDomain != tt.nx {
				t.Errorf("NXDomain = %v, want %v", d.NXDomain, tt.nx)
			}
			if !strings.Contains(d.Detail, tt.detail) {
				t.Errorf("Detail = %q, want it to contain %q", d.Detail, tt.detail)
			}
			if want := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(tt.domain)), "."); d.Name != want {
				t.Errorf("Name = %q, want %q", d.Name, want)
			}
		})
	}
}

func TestTruncatedAnswerRetriedOverTCP(t *testing.T) {
	s := startServer(t, testZone)
	r := newResolver(t, Config{Server: s.Addr()})
	d := r.Lookup(context.Background(), "big.example")
	if d.Status != OK || len(d.MX) != 100 {
		t.Fatalf("got %s with %d MX, want ok with 100 (%s)", d.Status, len(d.MX), d.Detail)
	}
	if d.MX[0] != (MX{1, "mail-exchanger-099.big.example"}) {
		t.Errorf("MX[0] = %v", d.MX[0])
	}
	if got := r.Queries(); got != 2 {
		t.Errorf("Queries() = %d, want 2 (UDP then TCP)", got)
	}
}

func TestAllowPrivate(t *testing.T) {
	s := startServer(t, testZone)
	r := newResolver(t, Config{Server: s.Addr(), AllowPrivate: true})
	tests := []struct {
		domain   string
		fallback []netip.Addr
	}{
		{"private.example", addrs("10.1.2.3", "192.168.0.10", "fd00::25")},
		{"loopback.example", addrs("127.0.0.1", "::1")},
	}
	for _, tt := range tests {
		d := r.Lookup(context.Background(), tt.domain)
		if d.Status != OK || !reflect.DeepEqual(d.Fallback, tt.fallback) {
			t.Errorf("%s: got %s %v, want ok %v", tt.domain, d.Status, d.Fallback, tt.fallback)
		}
	}
}

func TestTimeout(t *testing.T) {
	s := startServer(t, testZone)
	const timeout = 50 * time.Millisecond
	r := newResolver(t, Config{Server: s.Addr(), Timeout: timeout, Attempts: 2})
	begin := time.Now()
	d := r.Lookup(context.Background(), "drop.example")
	elapsed := time.Since(begin)
	if d.Status != TempFail || !strings.Contains(d.Detail, "2 attempts") {
		t.Errorf("got %s (%s), want temporary failure after 2 attempts", d.Status, d.Detail)
	}
	if got := r.Queries(); got != 2 {
		t.Errorf("Queries() = %d, want 2", got)
	}
	if elapsed < 2*timeout || elapsed > 2*time.Second {
		t.Errorf("took %v, want about %v", elapsed, 2*timeout)
	}
	if d.TTL != tempFailTTL {
		t.Errorf("TTL = %v, want %v", d.TTL, tempFailTTL)
	}
}

func TestCacheHit(t *testing.T) {
	s := startServer(t, testZone)
	r := newResolver(t, Config{Server: s.Addr(), Timeout: 50 * time.Millisecond, Attempts: 1})
	for _, domain := range []string{"mx.example", "a-public.example", "missing.example", "servfail.example", "drop.example"} {
		if d, ok := r.Cached(domain); ok {
			t.Errorf("%s: cached before any lookup: %+v", domain, d)
		}
		first := r.Lookup(context.Background(), domain)
		sent, answered := r.Queries(), s.Queries()
		second := r.Lookup(context.Background(), "  "+strings.ToUpper(domain)+".")
		cached, ok := r.Cached("  " + strings.ToUpper(domain) + ".")
		if r.Queries() != sent || s.Queries() != answered {
			t.Errorf("%s: second lookup sent %d queries", domain, r.Queries()-sent)
		}
		if !reflect.DeepEqual(first, second) || !ok || !reflect.DeepEqual(first, cached) {
			t.Errorf("%s: cached result %+v (Cached: %+v, %v) differs from %+v", domain, second, cached, ok, first)
		}
	}
	if _, ok := r.Cached("not a name"); ok {
		t.Error("Cached answered for an invalid name")
	}
	// Results are copies: changing one does not change the cache.
	d := r.Lookup(context.Background(), "mx.example")
	d.MX[0].Host = "changed"
	if d := r.Lookup(context.Background(), "mx.example"); d.MX[0].Host != "a.mx.example" {
		t.Errorf("cache changed through a result: %v", d.MX)
	}
}

func TestCacheEviction(t *testing.T) {
	s := startServer(t, testZone)
	r := newResolver(t, Config{Server: s.Addr(), CacheSize: 2})
	ctx := context.Background()
	r.Lookup(ctx, "mx.example")
	r.Lookup(ctx, "null.example")
	r.Lookup(ctx, "mx.example") // now most recently used
	r.Lookup(ctx, "halfnull.example")
	if n := r.cache.len(); n != 2 {
		t.Errorf("cache holds %d entries, want 2", n)
	}
	tests := []struct {
		domain string
		query  bool
	}{
		{"mx.example", false},
		{"halfnull.example", false},
		{"null.example", true}, // evicted
	}
	for _, tt := range tests {
		before := r.Queries()
		r.Lookup(ctx, tt.domain)
		if queried := r.Queries() > before; queried != tt.query {
			t.Errorf("%s: queried = %v, want %v", tt.domain, queried, tt.query)
		}
	}
}

func TestSingleflight(t *testing.T) {
	s := startServer(t, testZone, dnstest.Delay(20*time.Millisecond))
	r := newResolver(t, Config{Server: s.Addr()})
	const n = 100
	start := make(chan struct{})
	results := make(chan Domain, n)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			<-start
			results <- r.Lookup(context.Background(), "mx.example")
		})
	}
	close(start)
	wg.Wait()
	close(results)
	for d := range results {
		if d.Status != OK || len(d.MX) != 3 {
			t.Fatalf("got %s %v", d.Status, d.MX)
		}
	}
	if q := s.Queries(); q < 1 || q > 3 {
		t.Errorf("%d concurrent lookups made %d queries, want 1 to 3", n, q)
	}
}

func TestTTL(t *testing.T) {
	zone := dnstest.Zone{
		"ttl60.example":      {MX: []dnstest.MX{{Pref: 1, Host: "mx.ttl60.example"}}, TTL: 60},
		"ttl5.example":       {MX: []dnstest.MX{{Pref: 1, Host: "mx.ttl5.example"}}, TTL: 5},
		"ttlday.example":     {MX: []dnstest.MX{{Pref: 1, Host: "mx.ttlday.example"}}, TTL: 86400},
		"fallback.example":   {A: addrs("8.8.8.8"), TTL: 120}, // negative MX TTL 120 too
		"nodata.example":     {TTL: 90},
		"nodatalong.example": {TTL: 3600},
		"servfail.example":   {Rcode: dns.RcodeServerFailure},
	}
	s := startServer(t, zone)
	tests := []struct {
		domain string
		ttl    time.Duration
	}{
		{"ttl60.example", 60 * time.Second},
		{"ttl5.example", 30 * time.Second}, // raised to MinTTL
		{"ttlday.example", time.Hour},      // lowered to MaxTTL
		{"fallback.example", 120 * time.Second},
		{"nodata.example", 90 * time.Second},    // SOA of the NODATA answer
		{"nodatalong.example", 5 * time.Minute}, // lowered to NegativeTTL
		{"missing.example", 5 * time.Minute},    // dnstest's NXDOMAIN SOA is 300s
		{"servfail.example", tempFailTTL},
	}
	for _, tt := range tests {
		t.Run(tt.domain, func(t *testing.T) {
			clk := &clock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
			r := newResolver(t, Config{Server: s.Addr()})
			r.now = clk.Now
			d := r.Lookup(context.Background(), tt.domain)
			if d.TTL != tt.ttl {
				t.Errorf("TTL = %v, want %v", d.TTL, tt.ttl)
			}
			if !d.CheckedAt.Equal(clk.Now()) {
				t.Errorf("CheckedAt = %v, want %v", d.CheckedAt, clk.Now())
			}
			sent := r.Queries()
			clk.Advance(tt.ttl - time.Second)
			r.Lookup(context.Background(), tt.domain)
			if r.Queries() != sent {
				t.Errorf("queried again %v before expiry", time.Second)
			}
			clk.Advance(time.Second)
			if _, ok := r.Cached(tt.domain); ok {
				t.Errorf("Cached answered at expiry")
			}
			d = r.Lookup(context.Background(), tt.domain)
			if r.Queries() == sent {
				t.Errorf("not queried again at expiry")
			}
			if !d.CheckedAt.Equal(clk.Now()) {
				t.Errorf("CheckedAt after expiry = %v, want %v", d.CheckedAt, clk.Now())
			}
		})
	}
}

// waitQueries waits until r has sent at least n queries.
func waitQueries(r *Resolver, n int64) {
	for r.Queries() < n {
		runtime.Gosched()
	}
}

// waitWaiters waits until n Lookups wait for the resolution of name.
func waitWaiters(r *Resolver, name string, n int) {
	for {
		r.mu.Lock()
		f := r.flights[name]
		joined := f != nil && f.refs >= n
		r.mu.Unlock()
		if joined {
			return
		}
		runtime.Gosched()
	}
}

func TestCancel(t *testing.T) {
	t.Run("before", func(t *testing.T) {
		s := startServer(t, testZone)
		r := newResolver(t, Config{Server: s.Addr()})
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		d := r.Lookup(ctx, "mx.example")
		if d.Status != TempFail || !strings.Contains(d.Detail, "canceled") || r.Queries() != 0 {
			t.Errorf("got %s (%s) after %d queries, want a temporary failure without query", d.Status, d.Detail, r.Queries())
		}
	})
	t.Run("in flight", func(t *testing.T) {
		s := startServer(t, testZone)
		r := newResolver(t, Config{Server: s.Addr(), Timeout: time.Minute})
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			waitQueries(r, 1)
			cancel()
		}()
		begin := time.Now()
		d := r.Lookup(ctx, "drop.example")
		if d.Status != TempFail || !strings.Contains(d.Detail, "canceled") {
			t.Errorf("got %s (%s), want a cancelled temporary failure", d.Status, d.Detail)
		}
		if elapsed := time.Since(begin); elapsed > 10*time.Second {
			t.Errorf("cancelled lookup took %v", elapsed)
		}
	})
	t.Run("shared", func(t *testing.T) {
		// One of two waiters gives up; the other still gets the answer,
		// and the cancelled result is not cached.
		s := startServer(t, testZone, dnstest.Delay(200*time.Millisecond))
		r := newResolver(t, Config{Server: s.Addr()})
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		var kept Domain
		wg.Go(func() { kept = r.Lookup(context.Background(), "mx.example") })
		go func() {
			waitWaiters(r, "mx.example", 2)
			cancel()
		}()
		gaveUp := r.Lookup(ctx, "mx.example")
		wg.Wait()
		if gaveUp.Status != TempFail {
			t.Errorf("cancelled waiter got %s", gaveUp.Status)
		}
		if kept.Status != OK {
			t.Errorf("other waiter got %s (%s)", kept.Status, kept.Detail)
		}
		if d := r.Lookup(context.Background(), "mx.example"); d.Status != OK {
			t.Errorf("later lookup got %s (%s)", d.Status, d.Detail)
		}
	})
	t.Run("alone then again", func(t *testing.T) {
		s := startServer(t, testZone, dnstest.Delay(50*time.Millisecond))
		r := newResolver(t, Config{Server: s.Addr()})
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			waitQueries(r, 1)
			cancel()
		}()
		if d := r.Lookup(ctx, "mx.example"); d.Status != TempFail {
			t.Errorf("cancelled lookup got %s", d.Status)
		}
		if d := r.Lookup(context.Background(), "mx.example"); d.Status != OK {
			t.Errorf("lookup after a cancelled one got %s (%s)", d.Status, d.Detail)
		}
	})
}

func TestNew(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "resolv.conf")
	if err := os.WriteFile(conf, []byte("# test\nnameserver 127.0.0.53\nnameserver 127.0.0.54\noptions edns0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty.conf")
	if err := os.WriteFile(empty, []byte("search example\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		file   string
		cfg    Config
		server string // "" if New must fail
	}{
		{"resolv.conf", conf, Config{}, "127.0.0.53:53"},
		{"explicit", conf, Config{Server: "127.0.0.1:5353"}, "127.0.0.1:5353"},
		{"ipv6", conf, Config{Server: "[::1]:53"}, "[::1]:53"},
		{"no nameserver", empty, Config{}, ""},
		{"no file", filepath.Join(dir, "missing"), Config{}, ""},
		{"no port", conf, Config{Server: "127.0.0.1"}, ""},
		{"negative timeout", conf, Config{Server: "127.0.0.1:53", Timeout: -1}, ""},
		{"min above max", conf, Config{Server: "127.0.0.1:53", MinTTL: 2 * time.Hour}, ""},
	}
	defer func(old string) { resolvConf = old }(resolvConf)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resolvConf = tt.file
			r, err := New(tt.cfg)
			switch {
			case tt.server == "" && err == nil:
				t.Errorf("New succeeded with server %q, want an error", r.server)
			case tt.server != "" && err != nil:
				t.Errorf("New: %v", err)
			case tt.server != "" && r.server != tt.server:
				t.Errorf("server = %q, want %q", r.server, tt.server)
			}
		})
	}
	r := newResolver(t, Config{Server: "127.0.0.1:53"})
	if r.attempts != DefaultAttempts || cap(r.sem) != DefaultConcurrency || r.minTTL != DefaultMinTTL ||
		r.maxTTL != DefaultMaxTTL || r.negTTL != DefaultNegativeTTL || r.cache.max != DefaultCacheSize ||
		r.udp.Timeout != DefaultTimeout {
		t.Errorf("defaults not applied: %+v", r)
	}
}

// BenchmarkLookupBulk looks up 100,000 addresses' domains, 5,000 distinct
// ones, with 2ms of server latency, as a bulk job would.
func BenchmarkLookupBulk(b *testing.B) {
	const (
		domains = 5000
		lookups = 100000
		workers = 256
	)
	zone := make(dnstest.Zone, domains)
	names := make([]string, domains)
	for i := range domains {
		names[i] = fmt.Sprintf("domain%04d.example", i)
		zone[names[i]] = dnstest.Domain{MX: []dnstest.MX{{Pref: 10, Host: "mx." + names[i]}}}
	}
	s := startServer(b, zone, dnstest.Delay(2*time.Millisecond))
	var total time.Duration
	var queries int64
	for b.Loop() {
		r := newResolver(b, Config{Server: s.Addr(), Timeout: 5 * time.Second})
		begin := time.Now()
		jobs := make(chan string, workers)
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				for name := range jobs {
					if d := r.Lookup(context.Background(), name); d.Status != OK {
						b.Errorf("%s: %s (%s)", name, d.Status, d.Detail)
					}
				}
			})
		}
		for i := range lookups {
			jobs <- names[(i*7919)%domains] // spread repeats over the run
		}
		close(jobs)
		wg.Wait()
		total += time.Since(begin)
		queries += r.Queries()
	}
	b.ReportMetric(float64(lookups*b.N)/total.Seconds(), "lookups/s")
	b.ReportMetric(float64(queries)/float64(domains*b.N), "queries/domain")
}

func TestUDPSocketsReused(t *testing.T) {
	zone := dnstest.Zone{}
	const domains = 100
	for i := range domains {
		zone[fmt.Sprintf("d%d.example", i)] = dnstest.Domain{MX: []dnstest.MX{{Pref: 10, Host: "mx.example"}}}
	}
	s := startServer(t, zone)
	r := newResolver(t, Config{Server: s.Addr(), Concurrency: 1})
	for i := range domains {
		if d := r.Lookup(context.Background(), fmt.Sprintf("d%d.example", i)); d.Status != OK {
			t.Fatalf("d%d.example: %s (%s)", i, d.Status, d.Detail)
		}
	}
	// One query at a time: each socket serves socketUses queries, then a
	// new one (with a new port) takes over.
	clients := s.Clients()
	want := (domains + socketUses - 1) / socketUses
	if len(clients) != want {
		t.Errorf("%d queries came from %d sockets, want %d: %v", domains, len(clients), want, clients)
	}
	for addr, n := range clients {
		if n > socketUses {
			t.Errorf("%s sent %d queries, more than %d", addr, n, socketUses)
		}
	}
}

func TestUDPSocketClosedAfterTimeout(t *testing.T) {
	s := startServer(t, dnstest.Zone{
		"one.example":  {MX: []dnstest.MX{{Pref: 10, Host: "mx.example"}}},
		"drop.example": {Drop: true},
		"two.example":  {MX: []dnstest.MX{{Pref: 10, Host: "mx.example"}}},
	})
	r := newResolver(t, Config{Server: s.Addr(), Concurrency: 1, Attempts: 1, Timeout: 50 * time.Millisecond})
	for _, name := range []string{"one.example", "drop.example", "two.example"} {
		r.Lookup(context.Background(), name)
	}
	// The socket that waited in vain for an answer is not used again: a
	// late answer must not be read as the next question's.
	var counts []int
	for _, n := range s.Clients() {
		counts = append(counts, n)
	}
	slices.Sort(counts)
	if !slices.Equal(counts, []int{1, 2}) {
		t.Errorf("queries by socket %v, want [1 2] (the timed-out socket closed): %v", counts, s.Clients())
	}
}
