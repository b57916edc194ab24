// Package emailverify decides whether an email address can receive mail,
// and says why. It chains the checks in order: input hygiene and syntax
// (emailsyntax), lists (emaillists), DNS (dnscheck), optionally SMTP
// (smtpprobe), and thinks in domains: a batch resolves each distinct
// domain once, and the resolver caches answers across batches.
//
// Statuses follow the five of the best-known paid verifier: valid,
// invalid, catch_all, do_not_mail, unknown. The primary reason code and
// every reason that applied come with each answer (see Reasons).
package emailverify

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/enricher/enricher/processors/dnscheck"
	"github.com/enricher/enricher/processors/emaillists"
	"github.com/enricher/enricher/processors/emailsyntax"
	"github.com/enricher/enricher/processors/smtpprobe"
	"github.com/enricher/enricher/schema"
)

// Reason codes. The README's table says what triggers each.
const (
	ReasonAccepted          = "accepted_email"
	ReasonMailboxNotChecked = "mailbox_not_checked"
	ReasonSyntax            = "failed_syntax_check"
	ReasonSpecialUse        = "special_use_domain"
	ReasonNoDNS             = "no_dns_entries"
	ReasonNullMX            = "does_not_accept_mail"
	ReasonUnroutable        = "unroutable_ip_address"
	ReasonDNSTemporary      = "dns_temporary_failure"
	ReasonTypo              = "possible_typo"
	ReasonDisposable        = "disposable"
	ReasonRole              = "role_based"
	ReasonDenied            = "denied_domain"
	ReasonMailboxNotFound   = "mailbox_not_found"
	ReasonQuota             = "mailbox_quota_exceeded"
	ReasonAcceptAll         = "accept_all"
	ReasonGreylisted        = "greylisted"
	ReasonAntispam          = "antispam_system"
	ReasonTimeout           = "timeout_exceeded"
	ReasonSMTPConnection    = "failed_smtp_connection"
	ReasonSMTPUnknown       = "smtp_unknown_reply"
)

// Flags.
const (
	FlagFree              = "free_email"
	FlagRole              = "role"
	FlagDisposable        = "disposable"
	FlagSMTPUTF8          = "smtputf8"
	FlagAlias             = "alias_address"
	FlagRelay             = "relay"
	FlagMailboxNotChecked = "mailbox_not_checked"
)

// Resolver answers what DNS says of a mail domain. *dnscheck.Resolver is one.
type Resolver interface {
	Lookup(ctx context.Context, domain string) dnscheck.Domain
}

// Prober asks mail servers about mailboxes. *smtpprobe.Prober is one.
type Prober interface {
	Preflight(ctx context.Context, mx []string) error
	Probe(ctx context.Context, mx []string, address string) smtpprobe.Result
	CatchAll(ctx context.Context, mx []string, domain string) (bool, smtpprobe.Result)
}

// Config is what a Verifier uses. DNS is required; SMTP is optional (nil:
// off, the default, since most networks block port 25).
type Config struct {
	Syntax emailsyntax.Options
	Lists  *emaillists.Lists // nil: the embedded lists
	DNS    Resolver
	SMTP   Prober
	// Remap changes the status a reason leads to, e.g. {"role_based":
	// "valid"} to accept role accounts for B2B mailing.
	Remap map[string]string
	// Parallel bounds the domains resolved at once in a batch; default 64.
	Parallel int
	Now      func() time.Time
}

// Verifier verifies addresses. Safe for concurrent use.
type Verifier struct {
	cfg     Config
	breaker breaker
}

// New returns a Verifier, or an error when the configuration cannot work.
func New(cfg Config) (*Verifier, error) {
	if cfg.DNS == nil {
		return nil, errors.New("email verification needs a DNS resolver")
	}
	if cfg.Lists == nil {
		cfg.Lists = emaillists.Default()
	}
	if cfg.Parallel <= 0 {
		cfg.Parallel = 64
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	for reason, status := range cfg.Remap {
		switch status {
		case schema.EmailValid, schema.EmailInvalid, schema.EmailCatchAll, schema.EmailDoNotMail, schema.EmailUnknown:
		default:
			return nil, fmt.Errorf("remap of %s: %q is not a status (valid, invalid, catch_all, do_not_mail, unknown)", reason, status)
		}
	}
	return &Verifier{cfg: cfg}, nil
}

// Verify checks one address.
func (v *Verifier) Verify(ctx context.Context, address string) schema.EmailResult {
	return v.VerifyAll(ctx, []string{address})[0]
}

// VerifyAll checks addresses in bulk: each distinct domain is resolved
// once, concurrently, and each distinct address checked once. Results
// come in input order.
func (v *Verifier) VerifyAll(ctx context.Context, addresses []string) []schema.EmailResult {
	out := make([]schema.EmailResult, len(addresses))
	checks := make([]*check, len(addresses))
	byInput := make(map[string]*check, len(addresses))
	domains := make(map[string]*dnscheck.Domain, len(addresses)/2)
	kinds := make(map[string]domainKind, len(addresses)/2) // what the lists say of each domain
	for i, a := range addresses {
		if c, ok := byInput[a]; ok {
			checks[i] = c
			continue
		}
		c := v.start(a, kinds)
		byInput[a], checks[i] = c, c
		if c.needsDNS() {
			domains[c.addr.Domain] = nil
		}
	}
	v.resolve(ctx, domains)
	var wg sync.WaitGroup
	sem := make(chan struct{}, v.cfg.Parallel)
	for _, c := range byInput {
		if c.needsDNS() {
			c.dns(domains[c.addr.Domain])
		}
		if v.cfg.SMTP != nil && c.needsSMTP() {
			wg.Add(1)
			sem <- struct{}{}
			go func() { defer func() { <-sem; wg.Done() }(); c.smtp(ctx, v.cfg.SMTP) }()
		}
	}
	wg.Wait()
	for i, c := range checks {
		out[i] = v.finish(c)
	}
	return out
}

// cachedResolver is a Resolver that can answer from its cache alone, as
// *dnscheck.Resolver does.
type cachedResolver interface {
	Cached(domain string) (dnscheck.Domain, bool)
}

// resolve looks up every domain: those the resolver has cached at once,
// the others a bounded number at a time.
func (v *Verifier) resolve(ctx context.Context, domains map[string]*dnscheck.Domain) {
	names := make([]string, 0, len(domains))
	cache, _ := v.cfg.DNS.(cachedResolver)
	for name := range domains {
		if cache != nil {
			// A cached answer needs no network: neither the breaker
			// nor a goroutine.
			if d, ok := cache.Cached(name); ok {
				domains[name] = &d
				continue
			}
		}
		names = append(names, name)
	}
	// A few goroutines take the names in turn.
	found := make([]dnscheck.Domain, len(names))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(v.cfg.Parallel, len(names)) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < len(names); i = int(next.Add(1) - 1) {
				found[i] = v.lookup(ctx, names[i])
			}
		})
	}
	wg.Wait()
	for i, name := range names {
		domains[name] = &found[i]
	}
}

// lookup asks DNS unless the resolver has not answered at all for a while,
// in which case it answers "temporary failure" at once: without a network
// every address is unknown quickly, not after one timeout each.
func (v *Verifier) lookup(ctx context.Context, domain string) dnscheck.Domain {
	if v.breaker.open(v.cfg.Now()) {
		return dnscheck.Domain{Name: domain, Status: dnscheck.TempFail, Detail: "the DNS resolver has not answered recently; not asked"}
	}
	d := v.cfg.DNS.Lookup(ctx, domain)
	v.breaker.record(d.Status != dnscheck.TempFail, v.cfg.Now())
	return d
}

// check is the state of one address's verification.
type check struct {
	res     schema.EmailResult
	addr    emailsyntax.Address
	reasons []string
	// verdict is the status the evidence so far leads to, "" while open.
	verdict string
	domain  *dnscheck.Domain
	smtpRes *smtpprobe.Result
	catch   bool
}

func (c *check) reason(r string) {
	for _, x := range c.reasons {
		if x == r {
			return
		}
	}
	c.reasons = append(c.reasons, r)
}

func (c *check) flag(f string) { c.res.Flags = append(c.res.Flags, f) }

// decide settles the status, unless an earlier step already did.
func (c *check) decide(status, reason, detail string) {
	c.reason(reason)
	if c.verdict == "" {
		c.verdict, c.res.Reason, c.res.Detail = status, reason, detail
	}
}

// domainKind is what the lists say of a domain.
type domainKind struct{ free, relay, disposable bool }

// kindOf looks domain up in the lists, once per domain in memo (every
// time if memo is nil).
func (v *Verifier) kindOf(domain string, memo map[string]domainKind) domainKind {
	if k, ok := memo[domain]; ok {
		return k
	}
	var k domainKind
	k.disposable, k.free, k.relay = v.cfg.Lists.Kinds(domain)
	if memo != nil {
		memo[domain] = k
	}
	return k
}

// start runs the checks that need no network: hygiene, syntax, lists.
// kinds memoises the list lookups of domains across the calls of a batch.
func (v *Verifier) start(input string, kinds map[string]domainKind) *check {
	c := &check{res: schema.EmailResult{Address: input}}
	addr, err := emailsyntax.Parse(input, v.cfg.Syntax)
	c.addr = addr
	c.res.Fixes = addr.Fixes
	if err != nil {
		reason := ReasonSyntax
		if err.Rule == emailsyntax.RuleSpecialUseDomain {
			reason = ReasonSpecialUse
		}
		c.decide(schema.EmailInvalid, reason, err.Message)
		c.reason(err.Rule)
		return c
	}
	c.res.Normalized, c.res.Domain = addr.Normalized, addr.Domain
	l := v.cfg.Lists
	if addr.SMTPUTF8 {
		c.flag(FlagSMTPUTF8)
	}
	kind := v.kindOf(addr.Domain, kinds)
	if kind.free {
		c.flag(FlagFree)
	}
	if kind.relay {
		c.flag(FlagRelay)
	}
	if _, ok := l.Alias(addr.Local, addr.Domain); ok {
		c.flag(FlagAlias)
	}
	if kind.disposable {
		c.flag(FlagDisposable)
	}
	if l.Role(addr.Local) {
		c.flag(FlagRole)
	}
	if suggestion, known := emailsyntax.KnownTypo(addr.Domain); known {
		c.res.DidYouMean = addr.Local + "@" + suggestion
		c.decide(schema.EmailInvalid, ReasonTypo, fmt.Sprintf("%s is a common misspelling of %s", addr.Domain, suggestion))
	}
	return c
}

func (c *check) needsDNS() bool { return c.verdict == "" }

// dns applies what DNS said of the address's domain.
func (c *check) dns(d *dnscheck.Domain) {
	c.domain = d
	for _, mx := range d.MX {
		c.res.MX = append(c.res.MX, mx.Host)
	}
	switch d.Status {
	case dnscheck.NullMX:
		c.decide(schema.EmailInvalid, ReasonNullMX, d.Name+" publishes a null MX record (RFC 7505): it accepts no mail")
	case dnscheck.NoRecords:
		c.decide(schema.EmailInvalid, ReasonNoDNS, d.Detail)
		if s, _ := emailsyntax.Suggest(c.addr.Domain); s != "" {
			c.res.DidYouMean = c.addr.Local + "@" + s
			c.reason(ReasonTypo)
		}
	case dnscheck.Unroutable:
		c.decide(schema.EmailInvalid, ReasonUnroutable, d.Detail)
	case dnscheck.TempFail:
		c.decide(schema.EmailUnknown, ReasonDNSTemporary, d.Detail)
	}
}

func (c *check) needsSMTP() bool {
	return c.verdict == "" && c.domain != nil && c.domain.Status == dnscheck.OK && !c.res.Has(FlagDisposable)
}

// hosts are the mail servers to talk to: the MX hosts, or the domain
// itself when it has only A/AAAA records (RFC 5321 implicit MX).
func (c *check) hosts() []string {
	if len(c.res.MX) > 0 {
		return c.res.MX
	}
	return []string{c.domain.Name}
}

// smtp asks the domain's mail servers about the mailbox.
func (c *check) smtp(ctx context.Context, p Prober) {
	hosts := c.hosts()
	if err := p.Preflight(ctx, hosts); err != nil {
		c.decide(schema.EmailUnknown, ReasonSMTPConnection, "SMTP probing is on but outbound connections fail: "+err.Error())
		return
	}
	r := p.Probe(ctx, hosts, c.addr.Normalized)
	c.smtpRes = &r
	c.res.SMTP = evidence(r, "rcpt")
	switch r.Verdict {
	case smtpprobe.Accepted:
		if all, cr := p.CatchAll(ctx, hosts, c.addr.Domain); all {
			c.catch = true
			c.res.SMTP = evidence(cr, "catch_all")
		}
	case smtpprobe.MailboxNotFound:
		c.decide(schema.EmailInvalid, ReasonMailboxNotFound, "the mail server refused the mailbox: "+r.Text)
	case smtpprobe.QuotaExceeded:
		c.decide(schema.EmailInvalid, ReasonQuota, "the mailbox is full: "+r.Text)
	case smtpprobe.Greylisted:
		c.decide(schema.EmailUnknown, ReasonGreylisted, "the mail server asked to try later, every time: "+r.Text)
	case smtpprobe.Policy:
		c.decide(schema.EmailUnknown, ReasonAntispam, "the mail server refused for policy, not for the mailbox: "+r.Text)
	case smtpprobe.Timeout:
		c.decide(schema.EmailUnknown, ReasonTimeout, "the mail server did not answer in time")
	case smtpprobe.ConnectFailed:
		c.decide(schema.EmailUnknown, ReasonSMTPConnection, "no mail server could be reached")
	default:
		c.decide(schema.EmailUnknown, ReasonSMTPUnknown, "the mail server's answer says nothing sure: "+r.Text)
	}
}

func evidence(r smtpprobe.Result, probe string) *schema.SMTPEvidence {
	return &schema.SMTPEvidence{Host: r.MX, Code: r.Code, EnhancedCode: r.Enhanced, Text: r.Text, Probe: probe, Attempts: r.Attempts}
}

// finish settles the status. An address proven undeliverable stays
// invalid; otherwise the list policies (deny list, disposable, role
// accounts) make it do_not_mail; then what the mail servers and DNS said
// decides. A remap of a policy reason to valid turns that policy off; a
// remap of any other primary reason changes its status.
func (v *Verifier) finish(c *check) schema.EmailResult {
	r := c.res // a copy: duplicates of an address share its check
	r.CheckedAt = v.cfg.Now().UTC()
	r.Flags = append([]string{}, r.Flags...)
	reasons := append([]string{}, c.reasons...)
	status, reason, detail := c.verdict, r.Reason, r.Detail
	standard := false // the detail follows from the reason (see StandardDetail)
	if status != schema.EmailInvalid {
		for _, p := range []struct {
			on     bool
			reason string
		}{
			{r.Domain != "" && v.cfg.Lists.Denied(r.Domain), ReasonDenied},
			{r.Has(FlagDisposable), ReasonDisposable},
			{r.Has(FlagRole), ReasonRole},
		} {
			if !p.on {
				continue
			}
			reasons = append(reasons, p.reason)
			to, remapped := v.cfg.Remap[p.reason]
			if remapped && to == schema.EmailValid {
				continue
			}
			if !remapped {
				to = schema.EmailDoNotMail
			}
			status, reason, standard = to, p.reason, true
			break
		}
	}
	switch {
	case status != "":
	case c.catch:
		status, reason, standard = schema.EmailCatchAll, ReasonAcceptAll, true
	case c.smtpRes != nil:
		status, reason, standard = schema.EmailValid, ReasonAccepted, true
	default:
		status, reason, standard = schema.EmailValid, ReasonMailboxNotChecked, true
		r.Flags = append(r.Flags, FlagMailboxNotChecked)
	}
	if standard {
		detail = StandardDetail(reason, r.Domain, c.addr.Local)
	}
	if to, ok := v.cfg.Remap[reason]; ok {
		status = to
	}
	r.Status, r.Reason, r.Detail = status, reason, detail
	r.Reasons = append([]string{reason}, without(reasons, reason)...)
	r.Score = score(status, reason)
	return r
}

// StandardDetail is the detail of a result whose reason is reason, for an
// address with this domain and local part, when that reason's detail
// follows from them alone; "" for the other reasons, whose details carry
// what DNS, the syntax check or a mail server said.
func StandardDetail(reason, domain, local string) string {
	before, subject, after := standardDetail(reason, domain, local)
	return before + subject + after
}

// isStandardDetail reports whether detail is StandardDetail(reason,
// domain, local) and not "", without writing that out.
func isStandardDetail(detail, reason, domain, local string) bool {
	before, subject, after := standardDetail(reason, domain, local)
	return detail != "" && len(detail) == len(before)+len(subject)+len(after) &&
		strings.HasPrefix(detail, before) && strings.HasSuffix(detail, after) &&
		detail[len(before):len(before)+len(subject)] == subject
}

// standardDetail is StandardDetail as the text before its subject (the
// domain or the local part), the subject and the text after it.
func standardDetail(reason, domain, local string) (before, subject, after string) {
	switch reason {
	case ReasonMailboxNotChecked:
		return "", domain, " accepts mail; the mailbox itself was not checked (SMTP probing is off)"
	case ReasonAccepted:
		return "the mail server accepted the mailbox", "", ""
	case ReasonAcceptAll:
		return "the mail server accepts any address at ", domain, ""
	case ReasonDenied:
		return "", domain, " is on the deny list"
	case ReasonDisposable:
		return "", domain, " hands out throw-away addresses"
	case ReasonRole:
		return "", local, " is a role account, not a person"
	}
	return "", "", ""
}

// OmitImplied leaves out of e, as a result record does, what its reason
// tells: its detail when it is the reason's standard one (see
// StandardDetail), and the mailbox_not_checked flag, last of the flags,
// when that is the reason; Detail and Flags tell them again. Call it before
// schema.EmailResult.Compact, which may leave out the normalized address
// it reads.
func OmitImplied(e *schema.EmailResult) {
	if isStandardDetail(e.Detail, e.Reason, e.Domain, localPart(e.Normalized)) {
		e.Detail = ""
	}
	if n := len(e.Flags); e.Reason == ReasonMailboxNotChecked && n > 0 && e.Flags[n-1] == FlagMailboxNotChecked {
		e.Flags = e.Flags[:n-1]
	}
}

// Flags are the flags of a result whose reason is reason and whose
// record has flags, with the one a record left out (see OmitImplied).
func Flags(reason string, flags []string) []string {
	if reason != ReasonMailboxNotChecked || slices.Contains(flags, FlagMailboxNotChecked) {
		return flags
	}
	return append(flags[:len(flags):len(flags)], FlagMailboxNotChecked)
}

// Detail is e's detail, the standard one of its reason when a result record
// left it out (see OmitImplied). Call it after
// schema.EmailResult.Expand.
func Detail(e *schema.EmailResult) string {
	if e.Detail != "" || e.Normalized == "" {
		return e.Detail
	}
	return StandardDetail(e.Reason, e.Domain, localPart(e.Normalized))
}

// localPart is what comes before the last @ of a normalized address.
func localPart(normalized string) string {
	if i := strings.LastIndexByte(normalized, '@'); i >= 0 {
		return normalized[:i]
	}
	return ""
}

func without(list []string, x string) []string {
	var out []string
	for _, s := range list {
		if s != x {
			out = append(out, s)
		}
	}
	return out
}

// score says how sure a status is. A mailbox the server accepted is the
// surest valid; one whose domain takes mail but that was not asked about
// is less sure by the share of such addresses that bounce.
func score(status, reason string) float64 {
	switch status {
	case schema.EmailValid:
		if reason == ReasonAccepted {
			return 0.97
		}
		return 0.8
	case schema.EmailCatchAll:
		return 0.5
	case schema.EmailUnknown:
		return 0.3
	case schema.EmailDoNotMail:
		return 0.1
	}
	if reason == ReasonTypo {
		return 0.05
	}
	return 0.01
}

// breaker opens after many DNS answers in a row that were all temporary
// failures, and stays open a while: the resolver is unreachable.
type breaker struct {
	mu        sync.Mutex
	failures  int
	openUntil time.Time
}

const (
	breakerTrips = 20
	breakerOpen  = 30 * time.Second
)

func (b *breaker) open(now time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return now.Before(b.openUntil)
}

func (b *breaker) record(answered bool, now time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if answered {
		b.failures = 0
		return
	}
	b.failures++
	if b.failures >= breakerTrips {
		b.openUntil = now.Add(breakerOpen)
		b.failures = 0
	}
}
