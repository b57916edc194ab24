// Package dnscheck finds out what DNS says about mail domains, in bulk.
//
// A Resolver asks one recursive resolver for a domain's MX records and,
// when there are none, for its A and AAAA records (the implicit MX of RFC
// 5321 section 5.1). It tells a domain that does not exist (NXDOMAIN) from
// one that exists without mail records (NODATA), recognises null MX
// records (RFC 7505), rejects address fallbacks that are not globally
// routable, and never reports a DNS failure as a verdict on the domain.
//
// Results are cached per domain, concurrent lookups of one domain share one
// resolution, and the number of queries in flight is bounded, so that a
// list of many addresses costs one resolution per distinct domain.
package dnscheck

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/miekg/dns"
	"golang.org/x/sync/singleflight"
)

// Defaults of Config fields left zero.
const (
	DefaultTimeout     = 2 * time.Second
	DefaultAttempts    = 2
	DefaultMaxTTL      = time.Hour
	DefaultMinTTL      = 30 * time.Second
	DefaultNegativeTTL = 5 * time.Minute
	DefaultCacheSize   = 100000
	DefaultConcurrency = 64
)

// tempFailTTL is how long a temporary failure is cached, so that a
// failing domain in a big list is not asked about for every address.
const tempFailTTL = 10 * time.Second

// ednsSize is the UDP payload size advertised with EDNS0, the value
// recommended by DNS Flag Day 2020 to avoid IP fragmentation.
const ednsSize = 1232

// resolvConf is the file read when Config.Server is empty.
var resolvConf = "/etc/resolv.conf"

// Config configures a Resolver. The zero value is usable: it asks the
// first name server of /etc/resolv.conf with the defaults above.
type Config struct {
	// Server is the "host:port" of the recursive resolver to ask. If
	// empty, the first nameserver of /etc/resolv.conf is used.
	Server string
	// Timeout bounds each query attempt, from sending to answer.
	Timeout time.Duration
	// Attempts is how many times a query is sent when it times out.
	Attempts int
	// MaxTTL and MinTTL bound how long an answer is cached, whatever the
	// record TTLs say. NegativeTTL bounds (and, without an SOA record,
	// sets) how long NXDOMAIN and NODATA answers are cached. Temporary
	// failures are cached for about 10 seconds.
	MaxTTL, MinTTL, NegativeTTL time.Duration
	// CacheSize is the most domains the cache holds; the least recently
	// used are evicted first.
	CacheSize int
	// Concurrency is the most DNS queries in flight at once.
	Concurrency int
	// AllowPrivate makes private, loopback and other non-global A/AAAA
	// records count as mail hosts. It is meant for tests.
	AllowPrivate bool
}

// Status is the verdict of DNS on a mail domain.
type Status string

// Statuses of a Domain.
const (
	// OK: the domain has MX records, or no MX but a globally routable
	// A or AAAA record.
	OK Status = "ok"
	// NullMX: the domain publishes a null MX (RFC 7505), it does not
	// accept mail.
	NullMX Status = "null_mx"
	// NoRecords: the domain does not exist (NXDOMAIN), or has neither MX
	// nor A/AAAA records, or the name is not a valid domain name.
	NoRecords Status = "no_dns_entries"
	// Unroutable: the domain has no MX and its A/AAAA records are all
	// private, loopback, link-local, documentation or otherwise not
	// globally routable.
	Unroutable Status = "unroutable_ip_address"
	// TempFail: DNS could not tell (SERVFAIL, REFUSED, timeout,
	// cancelled lookup). It says nothing about the domain.
	TempFail Status = "dns_temporary_failure"
)

// MX is a mail exchanger of a domain.
type MX struct {
	Pref uint16
	Host string // lower case, without the trailing dot
}

// Domain is what DNS says about a mail domain.
type Domain struct {
	Name   string // lower case, without the trailing dot
	Status Status
	// MX holds the mail exchangers, sorted by preference then host. It is
	// empty for a null MX.
	MX []MX
	// Fallback holds the addresses found when the domain has no MX: the
	// routable ones if Status is OK, all of them if it is Unroutable.
	Fallback []netip.Addr
	// NXDomain reports that the domain does not exist.
	NXDomain bool
	// Detail says in words which query gave what, or failed how.
	Detail string
	// TTL is how long the result is cached from CheckedAt.
	TTL time.Duration
	// CheckedAt is when the DNS resolution started.
	CheckedAt time.Time
}

// clone returns d with slices of its own, so that callers can't change the
// cached copy.
func (d Domain) clone() Domain {
	d.MX = slices.Clone(d.MX)
	d.Fallback = slices.Clone(d.Fallback)
	return d
}

// Resolver looks up mail domains. Its methods are safe for concurrent use.
type Resolver struct {
	server       string
	udp, tcp     *dns.Client
	timeout      time.Duration // of one attempt
	attempts     int
	minTTL       time.Duration
	maxTTL       time.Duration
	negTTL       time.Duration
	allowPrivate bool
	sem          chan struct{}    // one token per query in flight
	idle         chan *pooledConn // UDP sockets between queries (see send)
	cache        *cache
	queries      atomic.Int64
	now          func() time.Time // replaced in tests

	group   singleflight.Group
	mu      sync.Mutex         // guards flights, and orders them with group
	flights map[string]*flight // by domain name
}

// flight is a resolution shared by concurrent Lookups of one domain. Its
// context is cancelled when every Lookup waiting for it has given up.
type flight struct {
	ctx    context.Context
	cancel context.CancelFunc
	refs   int
}

// New returns a Resolver configured by cfg.
func New(cfg Config) (*Resolver, error) {
	setDefault(&cfg.Timeout, DefaultTimeout)
	setDefault(&cfg.Attempts, DefaultAttempts)
	setDefault(&cfg.MaxTTL, DefaultMaxTTL)
	setDefault(&cfg.MinTTL, DefaultMinTTL)
	setDefault(&cfg.NegativeTTL, DefaultNegativeTTL)
	setDefault(&cfg.CacheSize, DefaultCacheSize)
	setDefault(&cfg.Concurrency, DefaultConcurrency)
	switch {
	case cfg.Timeout < 0 || cfg.Attempts < 0 || cfg.CacheSize < 0 || cfg.Concurrency < 0:
		return nil, errors.New("dnscheck: negative Timeout, Attempts, CacheSize or Concurrency")
	case cfg.MinTTL < 0 || cfg.MinTTL > cfg.MaxTTL || cfg.MinTTL > cfg.NegativeTTL:
		return nil, errors.New("dnscheck: MinTTL must be between 0 and MaxTTL and NegativeTTL")
	}
	server := cfg.Server
	if server == "" {
		cc, err := dns.ClientConfigFromFile(resolvConf)
		if err != nil {
			return nil, fmt.Errorf("dnscheck: %w", err)
		}
		if len(cc.Servers) == 0 {
			return nil, fmt.Errorf("dnscheck: no nameserver in %s", resolvConf)
		}
		server = net.JoinHostPort(cc.Servers[0], "53")
	}
	if _, _, err := net.SplitHostPort(server); err != nil {
		return nil, fmt.Errorf("dnscheck: server %q: %w", server, err)
	}
	r := &Resolver{
		server:       server,
		udp:          &dns.Client{Net: "udp", Timeout: cfg.Timeout},
		tcp:          &dns.Client{Net: "tcp", Timeout: cfg.Timeout},
		timeout:      cfg.Timeout,
		attempts:     cfg.Attempts,
		minTTL:       cfg.MinTTL,
		maxTTL:       cfg.MaxTTL,
		negTTL:       cfg.NegativeTTL,
		allowPrivate: cfg.AllowPrivate,
		sem:          make(chan struct{}, cfg.Concurrency),
		idle:         make(chan *pooledConn, cfg.Concurrency),
		cache:        newCache(cfg.CacheSize),
		now:          time.Now,
		flights:      make(map[string]*flight),
	}
	// The idle sockets of a Resolver no longer used are closed with it.
	runtime.AddCleanup(r, closeIdle, r.idle)
	return r, nil
}

// closeIdle closes the sockets waiting in idle.
func closeIdle(idle chan *pooledConn) {
	for {
		select {
		case pc := <-idle:
			pc.Close()
		default:
			return
		}
	}
}

func setDefault[T comparable](v *T, def T) {
	var zero T
	if *v == zero {
		*v = def
	}
}

// Queries returns the number of DNS messages sent so far, retries and TCP
// retries of truncated answers included.
func (r *Resolver) Queries() int64 { return r.queries.Load() }

// Lookup resolves a mail domain (an ASCII name; convert internationalised
// names to A-labels first). It asks for MX records and, when the domain
// has none, for A and AAAA records, of which only globally routable ones
// count.
//
// Results are cached for the TTL of the records, within the bounds of the
// Config. Lookups of the same domain at the same time share one
// resolution. When ctx is done before the answer, Lookup returns a
// TempFail result at once; the resolution goes on as long as another
// Lookup waits for it.
func (r *Resolver) Lookup(ctx context.Context, domain string) Domain {
	name := cleanName(domain)
	if !validName(name) {
		return Domain{Name: name, Status: NoRecords, Detail: "not a valid domain name", CheckedAt: r.now()}
	}
	if d, ok := r.cache.get(name, r.now()); ok {
		return d // slices of its own already
	}
	if err := ctx.Err(); err != nil {
		return r.canceled(name, err)
	}

	r.mu.Lock()
	f := r.flights[name]
	if f == nil {
		fctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		f = &flight{ctx: fctx, cancel: cancel}
		r.flights[name] = f
	}
	f.refs++
	// The group holds a call for name only while the flight for name has
	// references, so a new call always runs under a live flight context.
	ch := r.group.DoChan(name, func() (any, error) { return r.resolve(f.ctx, name), nil })
	r.mu.Unlock()

	var d Domain
	select {
	case res := <-ch:
		d = res.Val.(Domain)
	case <-ctx.Done():
		d = r.canceled(name, ctx.Err())
	}

	r.mu.Lock()
	if f.refs--; f.refs == 0 {
		f.cancel()
		delete(r.flights, name)
		r.group.Forget(name)
	}
	r.mu.Unlock()
	return d.clone()
}

// Cached returns what Lookup would answer from the cache alone, without
// asking the network: false if the cache has no unexpired answer.
func (r *Resolver) Cached(domain string) (Domain, bool) {
	name := cleanName(domain)
	if !validName(name) {
		return Domain{}, false
	}
	return r.cache.get(name, r.now())
}

func cleanName(domain string) string {
	return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(domain)), ".")
}

func (r *Resolver) canceled(name string, err error) Domain {
	return Domain{Name: name, Status: TempFail, Detail: "lookup abandoned: " + err.Error(), CheckedAt: r.now()}
}

// validName reports whether name is a host name: dot-separated labels of
// 1 to 63 letters, digits, hyphens or underscores, 253 bytes at most.
func validName(name string) bool {
	if name == "" || len(name) > 253 {
		return false
	}
	for label := range strings.SplitSeq(name, ".") {
		if label == "" || len(label) > 63 {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}
