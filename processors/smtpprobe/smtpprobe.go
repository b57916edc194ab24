// Package smtpprobe asks a domain's mail servers whether a mailbox exists,
// by opening an SMTP session and issuing RCPT TO without ever sending DATA.
//
// A Prober is polite per MX host: it caps concurrent sessions and the rate
// of new sessions per host, retries 4xx replies (greylisting) after a
// back-off, and caches per-domain catch-all answers and the egress
// preflight. Replies are classified on the RFC 3463 enhanced status code
// first, then the basic reply code, then the text; a refusal aimed at us
// (x.7.x, blocklists) is never reported as a missing mailbox.
//
// The client is a small one on net/textproto rather than net/smtp: probing
// needs the raw code, enhanced code and text of every reply, a deadline per
// command and a null reverse path, and none of net/smtp's AUTH, TLS or DATA.
// It does not use STARTTLS, which RCPT probing does not need.
package smtpprobe

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
	"golang.org/x/time/rate"
)

// Config configures a Prober. Zero fields take their defaults.
type Config struct {
	// HeloName is the name sent with EHLO (or HELO). Required. Use a name
	// whose A record points back at the probing host and that matches its
	// reverse DNS; many servers reject anything else.
	HeloName string

	// MailFrom is the reverse path sent with MAIL FROM. Required: an
	// address such as "verify@example.com", or "<>" to send the null reverse
	// path. The null sender must be accepted by servers (RFC 5321 §4.5.5),
	// but some refuse it for probing, so it is opt-in rather than what an
	// empty field means.
	MailFrom string

	// Port is the SMTP port of the MX hosts. Default 25.
	Port int

	// ConnectTimeout bounds each connection attempt. Default 10s.
	ConnectTimeout time.Duration
	// CommandTimeout bounds each reply, the greeting included. Default 30s.
	CommandTimeout time.Duration

	// PerMX caps the concurrent sessions per MX host. Default 2.
	PerMX int
	// RatePerMX is the number of new sessions per second per MX host.
	// Default 1; negative means unlimited.
	RatePerMX float64

	// Retries is how often a 4xx reply is retried in a new session to the
	// same host (greylisting). Default 2; negative means no retries.
	Retries int
	// Backoff returns the wait before retry attempt (1, 2, ...). The
	// default waits 1 minute, then 5 minutes for every later retry, so that
	// the default two retries outlast Postgrey's default 300 s delay.
	// Callers with a delayed retry queue should set Retries negative instead.
	Backoff func(attempt int) time.Duration

	// Dial opens connections. Default: a net.Dialer.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
}

// Result is the outcome of a probe with its evidence.
type Result struct {
	Verdict   Verdict
	MX        string // the host that gave the answer, or the last one tried
	Code      int    // SMTP reply code, 0 if there was no reply
	Enhanced  string // RFC 3463 enhanced status code, e.g. "5.1.1"
	Text      string // reply text without codes, lines joined by spaces; or the error
	Attempts  int    // sessions attempted, over all hosts and retries
	CheckedAt time.Time
}

// Prober probes addresses. It is safe for concurrent use.
type Prober struct {
	cfg   Config
	group singleflight.Group

	mu        sync.Mutex
	hosts     map[string]*hostLimit
	catchAll  map[string]Result
	preflight *error // nil until a verdict is cached
}

type hostLimit struct {
	sem  chan struct{}
	rate *rate.Limiter
}

// New returns a Prober for cfg.
func New(cfg Config) (*Prober, error) {
	if cfg.HeloName == "" || strings.ContainsAny(cfg.HeloName, " \t\r\n<>") {
		return nil, fmt.Errorf("smtpprobe: invalid HeloName %q", cfg.HeloName)
	}
	if cfg.MailFrom != "<>" {
		if err := checkAddress(cfg.MailFrom); err != nil {
			return nil, fmt.Errorf("smtpprobe: MailFrom: %v (use \"<>\" for the null sender)", err)
		}
	}
	switch {
	case cfg.Port == 0:
		cfg.Port = 25
	case cfg.Port < 0 || cfg.Port > 65535:
		return nil, fmt.Errorf("smtpprobe: invalid Port %d", cfg.Port)
	}
	if cfg.ConnectTimeout < 0 || cfg.CommandTimeout < 0 || cfg.PerMX < 0 {
		return nil, errors.New("smtpprobe: negative timeout or PerMX")
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = 10 * time.Second
	}
	if cfg.CommandTimeout == 0 {
		cfg.CommandTimeout = 30 * time.Second
	}
	if cfg.PerMX == 0 {
		cfg.PerMX = 2
	}
	if cfg.RatePerMX == 0 {
		cfg.RatePerMX = 1
	}
	switch {
	case cfg.Retries == 0:
		cfg.Retries = 2
	case cfg.Retries < 0:
		cfg.Retries = 0
	}
	if cfg.Backoff == nil {
		cfg.Backoff = defaultBackoff
	}
	if cfg.Dial == nil {
		cfg.Dial = (&net.Dialer{}).DialContext
	}
	return &Prober{
		cfg:      cfg,
		hosts:    make(map[string]*hostLimit),
		catchAll: make(map[string]Result),
	}, nil
}

func defaultBackoff(attempt int) time.Duration {
	if attempt <= 1 {
		return time.Minute
	}
	return 5 * time.Minute
}

// Probe checks one address against the MX hosts, in order. It moves on to
// the next host only when a host cannot be reached or times out; an SMTP
// reply, even 4xx, is the answer (4xx is retried on the same host, since
// backup MX hosts often accept every recipient). Addresses with non-ASCII
// characters are not probed (that needs SMTPUTF8); pass the domain as an
// A-label.
func (p *Prober) Probe(ctx context.Context, mx []string, address string) Result {
	if err := checkAddress(address); err != nil {
		return Result{Verdict: Unknown, Text: err.Error(), CheckedAt: time.Now()}
	}
	return p.probe(ctx, mx, address)
}

// CatchAll probes a random local part at domain and reports whether the
// server accepted it, that is whether the domain accepts any address. The
// answer is cached per domain for the life of the Prober when the server
// gave a final (2xx or 5xx) reply; timeouts, connection failures and 4xx
// are not cached. Concurrent calls for one domain share one probe.
func (p *Prober) CatchAll(ctx context.Context, mx []string, domain string) (bool, Result) {
	domain = strings.ToLower(strings.TrimSuffix(domain, "."))
	p.mu.Lock()
	res, ok := p.catchAll[domain]
	p.mu.Unlock()
	if ok {
		return res.Verdict == Accepted, res
	}
	for {
		ch := p.group.DoChan("catchall:"+domain, func() (any, error) {
			p.mu.Lock()
			res, ok := p.catchAll[domain] // stored by a flight that just ended
			p.mu.Unlock()
			if ok {
				return res, nil
			}
			local := strings.ToLower(rand.Text()) // 26 letters and digits
			addr := local + "@" + domain
			if err := checkAddress(addr); err != nil {
				return Result{Verdict: Unknown, Text: "domain: " + err.Error(), CheckedAt: time.Now()}, nil
			}
			res = p.probe(ctx, mx, addr)
			if res.Code/100 == 2 || res.Code/100 == 5 {
				p.mu.Lock()
				p.catchAll[domain] = res
				p.mu.Unlock()
			}
			return res, ctx.Err()
		})
		select {
		case r := <-ch:
			if r.Err != nil && ctx.Err() == nil {
				continue // we joined a probe whose caller gave up: probe again
			}
			res := r.Val.(Result)
			return res.Verdict == Accepted, res
		case <-ctx.Done():
			return false, ctxResult(ctx.Err(), "")
		}
	}
}

// Preflight checks whether outbound connections to Config.Port work at all
// by connecting to the hosts in mx, in order, until one connection succeeds;
// it sends nothing. An error means egress to that port is most likely
// blocked: callers should then report every SMTP answer as ConnectFailed
// instead of timing out per address. The first verdict is cached for the
// life of the Prober and later calls return it whatever their mx, unless it
// was cut short by ctx.
func (p *Prober) Preflight(ctx context.Context, mx []string) error {
	p.mu.Lock()
	cached := p.preflight
	p.mu.Unlock()
	if cached != nil {
		return *cached
	}
	if len(mx) == 0 {
		return errors.New("smtpprobe: preflight: no MX hosts")
	}
	for {
		ch := p.group.DoChan("preflight", func() (any, error) {
			var err error
			for _, host := range mx {
				var c net.Conn
				c, err = p.dial(ctx, normHost(host))
				if err == nil {
					c.Close()
					break
				}
			}
			if err != nil {
				err = fmt.Errorf("smtpprobe: preflight: cannot connect to port %d of %s: %w", p.cfg.Port, strings.Join(mx, ", "), err)
			}
			if ctx.Err() != nil {
				return false, err
			}
			p.mu.Lock()
			p.preflight = &err
			p.mu.Unlock()
			return true, err
		})
		select {
		case r := <-ch:
			if !r.Val.(bool) && ctx.Err() == nil {
				continue // we joined a check whose caller gave up: check again
			}
			return r.Err
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (p *Prober) probe(ctx context.Context, mx []string, rcpt string) Result {
	res := Result{Verdict: Unknown, Text: "no MX hosts", CheckedAt: time.Now()}
	attempts := 0
	for _, host := range mx {
		host = normHost(host)
		for retry := 0; ; retry++ {
			attempts++
			var transient bool
			res, transient = p.session(ctx, host, rcpt)
			res.Attempts = attempts
			if !transient || retry >= p.cfg.Retries {
				break
			}
			if err := wait(ctx, p.cfg.Backoff(retry+1)); err != nil {
				break // keep the 4xx result: it is the best evidence we have
			}
		}
		if (res.Verdict != ConnectFailed && res.Verdict != Timeout) || ctx.Err() != nil {
			break
		}
	}
	return res
}

// acquire waits for a session slot for host and for the host's rate limit.
func (p *Prober) acquire(ctx context.Context, host string) (release func(), err error) {
	p.mu.Lock()
	h := p.hosts[host]
	if h == nil {
		limit := rate.Limit(p.cfg.RatePerMX)
		if p.cfg.RatePerMX < 0 {
			limit = rate.Inf
		}
		h = &hostLimit{sem: make(chan struct{}, p.cfg.PerMX), rate: rate.NewLimiter(limit, 1)}
		p.hosts[host] = h
	}
	p.mu.Unlock()
	select {
	case h.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if err := h.rate.Wait(ctx); err != nil {
		<-h.sem
		return nil, err
	}
	return func() { <-h.sem }, nil
}

func (p *Prober) dial(ctx context.Context, host string) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, p.cfg.ConnectTimeout)
	defer cancel()
	return p.cfg.Dial(ctx, "tcp", net.JoinHostPort(host, fmt.Sprint(p.cfg.Port)))
}

// wait waits for d or until ctx is done.
func wait(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func normHost(h string) string { return strings.ToLower(strings.TrimSuffix(h, ".")) }

// checkAddress accepts what can be sent safely as an SMTP path: one "@"
// with a non-empty local part and domain, printable ASCII, no spaces, angle
// brackets or line breaks.
func checkAddress(a string) error {
	at := strings.LastIndexByte(a, '@')
	if at <= 0 || at == len(a)-1 || len(a) > 254 {
		return fmt.Errorf("invalid address %q", a)
	}
	for i := 0; i < len(a); i++ {
		if c := a[i]; c <= ' ' || c >= 0x7f || c == '<' || c == '>' {
			return fmt.Errorf("address %q: non-ASCII, space or control characters are not probed", a)
		}
	}
	return nil
}
