// Package safehttp provides an HTTP client for fetching URLs that come
// from users or from the data being enriched, without letting them reach
// the machine's own network (server-side request forgery).
//
// The guard works when connecting, after name resolution: the client
// resolves each host itself, refuses the connection if any of its
// addresses is not a public unicast address, and dials the checked
// address, so a name that resolves differently the second time (DNS
// rebinding) cannot slip through. Every redirect hop connects through the
// same guard. Refused addresses are never dialled.
//
// Refused unless inside Config.Allow: loopback, private (RFC 1918,
// fc00::/7), link-local (169.254.0.0/16 with the 169.254.169.254 metadata
// service, fe80::/10), unspecified, "this network" 0.0.0.0/8, multicast,
// broadcast and reserved 240.0.0.0/4, CGNAT 100.64.0.0/10, benchmarking,
// documentation, IETF protocol assignments (incl. Teredo), every IPv6
// address outside global unicast 2000::/3, and the IPv4-mapped, NAT64
// and 6to4 forms of refused IPv4 addresses. The cloud metadata host names
// metadata.google.internal and metadata are refused by name, always.
// Only http and https URLs are fetched, proxies from the environment are
// ignored, and response bodies are capped.
package safehttp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"syscall"
	"time"
)

// Errors returned, wrapped, by clients made with New. Test them with
// errors.Is.
var (
	// ErrForbiddenAddress means a host resolved to, or was, an address
	// the guard refuses, or was a cloud metadata host name.
	ErrForbiddenAddress = errors.New("safehttp: forbidden address")
	// ErrForbiddenScheme means a URL, or a redirect, was not http or https.
	ErrForbiddenScheme = errors.New("safehttp: forbidden URL scheme")
	// ErrTooManyRedirects means a request was redirected more than
	// Config.MaxRedirects times.
	ErrTooManyRedirects = errors.New("safehttp: too many redirects")
	// ErrBodyTooLarge is returned by a response body's Read once more
	// than Config.MaxBytes bytes were sent.
	ErrBodyTooLarge = errors.New("safehttp: response body too large")
)

// Defaults for the zero fields of Config.
const (
	DefaultTimeout      = 10 * time.Second
	DefaultMaxBytes     = 2 << 20
	DefaultMaxRedirects = 5
)

// Resolver looks up the addresses of a host; *net.Resolver is one.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// Config configures a client. The zero value is ready to use.
type Config struct {
	// Timeout limits a whole request: connecting, redirects and reading
	// the body. Zero means DefaultTimeout.
	Timeout time.Duration
	// MaxBytes caps each response body. Reads deliver the first MaxBytes
	// bytes and then fail with ErrBodyTooLarge if the body was longer, so
	// a caller may choose to use the prefix. The cap applies after
	// decompression. Zero means DefaultMaxBytes.
	MaxBytes int64
	// MaxRedirects is the most redirects a request follows. Zero means
	// DefaultMaxRedirects; a negative value refuses every redirect with
	// ErrTooManyRedirects.
	MaxRedirects int
	// Allow opens address blocks the guard would refuse, for example
	// 127.0.0.1/32 in tests or a trusted internal network.
	Allow []netip.Prefix
	// Resolver resolves host names. Nil means net.DefaultResolver.
	Resolver Resolver
	// UserAgent is sent with requests that do not set one. Empty means
	// Go's default.
	UserAgent string
}

// New returns an http.Client that applies the guard and limits of cfg.
// Its Transport must not be replaced; its CheckRedirect enforces the
// redirect limit and scheme rule. Like any http.Client it is safe for
// concurrent use.
func New(cfg Config) *http.Client {
	return newClient(cfg, nil)
}

// dialFunc connects to an address "ip:port" already checked by the guard.
type dialFunc func(ctx context.Context, network, address string) (net.Conn, error)

// newClient is New with the dialling of checked addresses replaceable,
// so that tests can prove refused addresses are never dialled. A nil dial
// means a net.Dialer that checks the address once more.

func newClient(cfg Config, dial dialFunc) *http.Client {
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = DefaultMaxBytes
	}
	switch {
	case cfg.MaxRedirects == 0:
		cfg.MaxRedirects = DefaultMaxRedirects
	case cfg.MaxRedirects < 0:
		cfg.MaxRedirects = 0
	}
	if cfg.Resolver == nil {
		cfg.Resolver = net.DefaultResolver
	}
	g := &guard{allow: append([]netip.Prefix(nil), cfg.Allow...), resolver: cfg.Resolver, dial: dial}
	if g.dial == nil {
		d := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second, Control: g.control}
		g.dial = d.DialContext
	}
	tr := &http.Transport{
		Proxy:                  nil, // a proxy would connect on our behalf, unchecked
		DialContext:            g.dialContext,
		ForceAttemptHTTP2:      true,
		TLSHandshakeTimeout:    5 * time.Second,
		MaxResponseHeaderBytes: 64 << 10,
		MaxIdleConns:           100,
		IdleConnTimeout:        90 * time.Second,
	}
	max := cfg.MaxRedirects
	return &http.Client{
		Transport: &roundTripper{next: tr, maxBytes: cfg.MaxBytes, userAgent: cfg.UserAgent},
		Timeout:   cfg.Timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > max {
				return fmt.Errorf("%w: more than %d", ErrTooManyRedirects, max)
			}
			return checkScheme(req)
		},
	}
}

func checkScheme(req *http.Request) error {
	if s := req.URL.Scheme; s != "http" && s != "https" {
		return fmt.Errorf("%w: %q", ErrForbiddenScheme, s)
	}
	return nil
}

// roundTripper checks the scheme, sets the User-Agent and caps the body.
type roundTripper struct {
	next      http.RoundTripper
	maxBytes  int64
	userAgent string
}

func (rt *roundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := checkScheme(req); err != nil {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, err
	}
	if rt.userAgent != "" && req.Header.Get("User-Agent") == "" {
		req = req.Clone(req.Context())
		req.Header.Set("User-Agent", rt.userAgent)
	}
	resp, err := rt.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	resp.Body = &limitedBody{rc: resp.Body, left: rt.maxBytes}
	return resp, nil
}

// limitedBody delivers at most left bytes, then ErrBodyTooLarge if the
// body goes on.
type limitedBody struct {
	rc   io.ReadCloser
	left int64
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left < 0 {
		return 0, ErrBodyTooLarge
	}
	// Read one byte past the limit to tell "exactly full" from "too long".
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	if b.left < 0 {
		return n - 1, ErrBodyTooLarge
	}
	return n, err
}

func (b *limitedBody) Close() error { return b.rc.Close() }

// guard resolves and checks hosts before dialling them.
type guard struct {
	allow    []netip.Prefix
	resolver Resolver
	dial     dialFunc
}

func (g *guard) dialContext(ctx context.Context, network, address string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		return nil, err
	}
	addrs, err := g.resolve(ctx, network, host)
	if err != nil {
		return nil, err
	}
	var firstErr error
	for _, a := range addrs {
		c, err := g.dial(ctx, network, net.JoinHostPort(a.String(), port))
		if err == nil {
			return c, nil
		}
		if firstErr == nil {
			firstErr = err
		}
		if ctx.Err() != nil {
			break
		}
	}
	return nil, firstErr
}

// resolve returns the addresses of host, or ErrForbiddenAddress if the
// host is a metadata name or any of its addresses is refused.
func (g *guard) resolve(ctx context.Context, network, host string) ([]netip.Addr, error) {
	if a, err := netip.ParseAddr(host); err == nil {
		if !permitted(a, g.allow) {
			return nil, fmt.Errorf("%w: %s", ErrForbiddenAddress, a)
		}
		return []netip.Addr{a}, nil
	}
	name := strings.TrimSuffix(strings.ToLower(host), ".")
	if metadataNames[name] {
		return nil, fmt.Errorf("%w: %s is a cloud metadata host", ErrForbiddenAddress, host)
	}
	ipNet := "ip"
	switch network {
	case "tcp4":
		ipNet = "ip4"
	case "tcp6":
		ipNet = "ip6"
	}
	addrs, err := g.resolver.LookupNetIP(ctx, ipNet, host)
	if err != nil {
		return nil, err
	}
	if len(addrs) == 0 {
		return nil, &net.DNSError{Err: "no addresses", Name: host, IsNotFound: true}
	}
	for _, a := range addrs {
		if !permitted(a, g.allow) {
			return nil, fmt.Errorf("%w: %s resolves to %s", ErrForbiddenAddress, host, a)
		}
	}
	return addrs, nil
}

// control re-checks the address a socket is about to connect to. The
// guard has checked it already; this keeps the rule in force should the
// dial path ever change.
func (g *guard) control(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil || !permitted(ap.Addr(), g.allow) {
		return fmt.Errorf("%w: %s", ErrForbiddenAddress, address)
	}
	return nil
}
