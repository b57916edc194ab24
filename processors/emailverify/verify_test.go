package emailverify

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/enricher/enricher/processors/dnscheck"
	"github.com/enricher/enricher/processors/emaillists"
	"github.com/enricher/enricher/processors/smtpprobe"
)

// fakeDNS answers from a table and counts lookups per domain.
type fakeDNS struct {
	mu      sync.Mutex
	answers map[string]dnscheck.Status
	calls   map[string]int
}

func newFakeDNS(answers map[string]dnscheck.Status) *fakeDNS {
	return &fakeDNS{answers: answers, calls: map[string]int{}}
}

func (f *fakeDNS) Lookup(_ context.Context, domain string) dnscheck.Domain {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[domain]++
	st, ok := f.answers[domain]
	if !ok {
		st = dnscheck.OK
	}
	d := dnscheck.Domain{Name: domain, Status: st, Detail: "fake " + string(st)}
	if st == dnscheck.OK {
		d.MX = []dnscheck.MX{{Pref: 10, Host: "mx1." + domain}, {Pref: 20, Host: "mx2." + domain}}
	}
	return d
}

func (f *fakeDNS) total() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.calls {
		n += c
	}
	return n
}

var zone = map[string]dnscheck.Status{
	"nxdomain.com": dnscheck.NoRecords,
	"hotmaik.com":  dnscheck.NoRecords,
	"nullmx.com":   dnscheck.NullMX,
	"private.com":  dnscheck.Unroutable,
	"servfail.com": dnscheck.TempFail,
}

func newVerifier(t testing.TB, cfg Config) *Verifier {
	t.Helper()
	if cfg.DNS == nil {
		cfg.DNS = newFakeDNS(zone)
	}
	cfg.Now = func() time.Time { return time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC) }
	v, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestVerify(t *testing.T) {
	tests := []struct {
		in, status, reason string
		also, flags        []string
		didYouMean         string
	}{
		{"jane@acme.com", "valid", "mailbox_not_checked", nil, []string{"mailbox_not_checked"}, ""},
		{" Jane Doe <jane@Acme.com>;", "valid", "mailbox_not_checked", nil, nil, ""},
		{"jane@@acme.com", "invalid", "failed_syntax_check", []string{"multiple_at_signs"}, nil, ""},
		{"", "invalid", "failed_syntax_check", []string{"empty"}, nil, ""},
		{"a@foo.test", "invalid", "special_use_domain", nil, nil, ""},
		{"bob@gmial.com", "invalid", "possible_typo", nil, nil, "bob@gmail.com"},
		{"bob@nxdomain.com", "invalid", "no_dns_entries", nil, nil, ""},
		{"bob@hotmaik.com", "invalid", "no_dns_entries", []string{"possible_typo"}, nil, "bob@hotmail.com"},
		{"bob@nullmx.com", "invalid", "does_not_accept_mail", nil, nil, ""},
		{"bob@private.com", "invalid", "unroutable_ip_address", nil, nil, ""},
		{"bob@servfail.com", "unknown", "dns_temporary_failure", nil, nil, ""},
		{"x@mailinator.com", "do_not_mail", "disposable", nil, []string{"disposable"}, ""},
		{"x@sub.mailinator.com", "do_not_mail", "disposable", nil, []string{"disposable"}, ""},
		{"info@acme.com", "do_not_mail", "role_based", nil, []string{"role"}, ""},
		{"info@servfail.com", "do_not_mail", "role_based", []string{"dns_temporary_failure"}, []string{"role"}, ""},
		{"info@nxdomain.com", "invalid", "no_dns_entries", nil, []string{"role"}, ""},
		{"joe@gmail.com", "valid", "mailbox_not_checked", nil, []string{"free_email", "mailbox_not_checked"}, ""},
		{"jane+news@acme.com", "valid", "mailbox_not_checked", nil, []string{"alias_address"}, ""},
		{"üser@acme.com", "valid", "mailbox_not_checked", nil, []string{"smtputf8"}, ""},
	}
	v := newVerifier(t, Config{})
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			r := v.Verify(context.Background(), tt.in)
			if r.Status != tt.status || r.Reason != tt.reason || r.Reasons[0] != tt.reason {
				t.Fatalf("got %s/%s (reasons %v, detail %q), want %s/%s", r.Status, r.Reason, r.Reasons, r.Detail, tt.status, tt.reason)
			}
			for _, a := range tt.also {
				if !slices.Contains(r.Reasons, a) {
					t.Errorf("reasons %v lack %s", r.Reasons, a)
				}
			}
			for _, f := range tt.flags {
				if !r.Has(f) {
					t.Errorf("flags %v lack %s", r.Flags, f)
				}
			}
			if r.DidYouMean != tt.didYouMean {
				t.Errorf("did_you_mean %q, want %q", r.DidYouMean, tt.didYouMean)
			}
			if r.Detail == "" || r.Score < 0 || r.Score > 1 || r.CheckedAt.IsZero() {
				t.Errorf("detail %q score %v checked %v", r.Detail, r.Score, r.CheckedAt)
			}
		})
	}
}

func TestVerifyEvidenceAndScore(t *testing.T) {
	v := newVerifier(t, Config{})
	r := v.Verify(context.Background(), " mailto:Jane@ACME.com ")
	if r.Normalized != "Jane@acme.com" || r.Domain != "acme.com" || strings.Join(r.MX, " ") != "mx1.acme.com mx2.acme.com" {
		t.Fatalf("normalized %q domain %q mx %v", r.Normalized, r.Domain, r.MX)
	}
	if !slices.Contains(r.Fixes, "mailto") || !slices.Contains(r.Fixes, "whitespace") {
		t.Errorf("fixes %v", r.Fixes)
	}
	bad := v.Verify(context.Background(), "bob@nxdomain.com")
	if !(r.Score > bad.Score) || r.Score >= 0.97 {
		t.Errorf("unchecked valid scores %v, invalid %v: want invalid < unchecked < 0.97", r.Score, bad.Score)
	}
}

func TestRemapAndOverrides(t *testing.T) {
	lists := emaillists.Default().With(emaillists.Overrides{Deny: []string{"spam.example.org", "evil.com"}, Allow: []string{"mailinator.com"}})
	v := newVerifier(t, Config{Remap: map[string]string{"role_based": "valid", "disposable": "unknown"}, Lists: lists})
	tests := []struct{ in, status, reason, detail string }{
		{"info@acme.com", "valid", "mailbox_not_checked", "acme.com accepts mail; the mailbox itself was not checked (SMTP probing is off)"},
		{"info@nxdomain.com", "invalid", "no_dns_entries", ""},
		{"x@evil.com", "do_not_mail", "denied_domain", "evil.com is on the deny list"},
		{"x@mailinator.com", "valid", "mailbox_not_checked", ""},
		{"x@guerrillamail.com", "unknown", "disposable", "guerrillamail.com hands out throw-away addresses"},
	}
	for _, tt := range tests {
		r := v.Verify(context.Background(), tt.in)
		if r.Status != tt.status || r.Reason != tt.reason || (tt.detail != "" && r.Detail != tt.detail) {
			t.Errorf("%s: %s/%s %v %q, want %s/%s %q", tt.in, r.Status, r.Reason, r.Reasons, r.Detail, tt.status, tt.reason, tt.detail)
		}
	}
	if r := newVerifier(t, Config{}).Verify(context.Background(), "info@acme.com"); r.Detail != "info is a role account, not a person" {
		t.Errorf("role account: detail %q", r.Detail)
	}
	if r := v.Verify(context.Background(), "info@acme.com"); !slices.Contains(r.Reasons, "role_based") {
		t.Errorf("a remapped reason still shows: %v", r.Reasons)
	}
	if _, err := New(Config{DNS: newFakeDNS(nil), Remap: map[string]string{"role_based": "fine"}}); err == nil {
		t.Error("a remap to a status that does not exist should be refused")
	}
	if _, err := New(Config{}); err == nil {
		t.Error("a verifier without DNS should be refused")
	}
}

func TestVerifyAllResolvesEachDomainOnce(t *testing.T) {
	dns := newFakeDNS(zone)
	v := newVerifier(t, Config{DNS: dns})
	var addrs []string
	for i := 0; i < 1000; i++ {
		addrs = append(addrs, fmt.Sprintf("user%d@domain%d.com", i%300, i%10))
	}
	res := v.VerifyAll(context.Background(), addrs)
	if len(res) != len(addrs) {
		t.Fatalf("%d results for %d addresses", len(res), len(addrs))
	}
	for i, r := range res {
		if r.Address != addrs[i] || r.Status != "valid" {
			t.Fatalf("result %d is %s for %s", i, r.Status, r.Address)
		}
	}
	if n := dns.total(); n != 10 {
		t.Fatalf("%d DNS lookups for 10 domains", n)
	}
}

// deadDomains returns n domains that DNS fails for, and an address at
// each.
func deadDomains(n int) (map[string]dnscheck.Status, []string) {
	dead := map[string]dnscheck.Status{}
	var addrs []string
	for i := range n {
		d := fmt.Sprintf("d%d.com", i)
		dead[d] = dnscheck.TempFail
		addrs = append(addrs, "a@"+d)
	}
	return dead, addrs
}

// Without a resolver that answers, a large batch is unknown fast: the
// breaker stops asking after 20 failures in a row.
func TestBreakerStopsAskingADeadResolver(t *testing.T) {
	dead, addrs := deadDomains(200)
	dns := newFakeDNS(dead)
	v := newVerifier(t, Config{DNS: dns, Parallel: 1})
	for _, r := range v.VerifyAll(context.Background(), addrs) {
		if r.Status != "unknown" || r.Reason != "dns_temporary_failure" {
			t.Fatalf("%s: %s/%s", r.Address, r.Status, r.Reason)
		}
	}
	if n := dns.total(); n != breakerTrips {
		t.Fatalf("the dead resolver was asked %d times, want %d", n, breakerTrips)
	}
}

// isStandardDetail is StandardDetail compared without writing it out: a
// detail differing from it anywhere is not standard.
func TestIsStandardDetail(t *testing.T) {
	for _, reason := range []string{ReasonMailboxNotChecked, ReasonAccepted, ReasonAcceptAll, ReasonDenied, ReasonDisposable, ReasonRole, ReasonSyntax} {
		std := StandardDetail(reason, "acme.com", "info")
		tests := []struct {
			detail string
			want   bool
		}{
			{std, std != ""},
			{"", false},
			{std + ".", false},
			{strings.Replace(std, "acme.com", "acne.com", 1), false},
			{strings.Replace(std, "info", "jane", 1), false},
			{strings.Replace(std, "acme.com", "acme.co", 1), false},
			{"x" + std[min(1, len(std)):], false},
		}
		for _, tt := range tests {
			if tt.detail == std && !tt.want && std != "" {
				continue // a change that does not touch this reason's detail
			}
			if got := isStandardDetail(tt.detail, reason, "acme.com", "info"); got != tt.want {
				t.Errorf("isStandardDetail(%q, %s) = %v, want %v", tt.detail, reason, got, tt.want)
			}
		}
	}
}

// A result record leaves out what the reason tells (the standard detail,
// the mailbox_not_checked flag), and Detail and Flags give it back.
func TestImpliedLeftOutAndBack(t *testing.T) {
	lists := emaillists.Default().With(emaillists.Overrides{Deny: []string{"evil.com"}})
	v := newVerifier(t, Config{Lists: lists})
	tests := []struct {
		in      string
		omitted bool
	}{
		{"jane@acme.com", true},    // mailbox_not_checked
		{"info@acme.com", true},    // role_based
		{"x@mailinator.com", true}, // disposable
		{"x@evil.com", true},       // denied_domain
		{"bob@nxdomain.com", false},
		{"jane@@acme.com", false},
		{"bob@gmial.com", false},
	}
	for _, tt := range tests {
		r := v.Verify(context.Background(), tt.in)
		e := r
		OmitImplied(&e)
		e.Compact(tt.in)
		if (e.Detail == "") != tt.omitted {
			t.Errorf("%s (%s): detail in the record %q, want it left out: %v", tt.in, r.Reason, e.Detail, tt.omitted)
		}
		e.Expand(tt.in)
		if got := Detail(&e); got != r.Detail || got == "" {
			t.Errorf("%s (%s): detail read back %q, want %q", tt.in, r.Reason, got, r.Detail)
		}
		if e.Has(FlagMailboxNotChecked) || r.Reason == ReasonMailboxNotChecked && !r.Has(FlagMailboxNotChecked) {
			t.Errorf("%s (%s): flags %q in the record, verdict %q", tt.in, r.Reason, e.Flags, r.Flags)
		}
		if got := Flags(e.Reason, e.Flags); !slices.Equal(got, r.Flags) {
			t.Errorf("%s (%s): flags read back %q, want %q", tt.in, r.Reason, got, r.Flags)
		}
	}
}

// cachingDNS is a fakeDNS whose answers for some domains are cached.
type cachingDNS struct {
	*fakeDNS
	cached map[string]dnscheck.Domain
}

func (c cachingDNS) Cached(domain string) (dnscheck.Domain, bool) {
	d, ok := c.cached[domain]
	return d, ok
}

// A domain the resolver has cached is answered from the cache: without a
// lookup, and even once the breaker has stopped asking the network.
func TestCachedDomainsNeedNoNetwork(t *testing.T) {
	dead, addrs := deadDomains(50)
	dns := cachingDNS{newFakeDNS(dead), map[string]dnscheck.Domain{
		"known.com": {Name: "known.com", Status: dnscheck.OK, MX: []dnscheck.MX{{Host: "mx.known.com"}}},
	}}
	v := newVerifier(t, Config{DNS: dns, Parallel: 1})
	v.VerifyAll(context.Background(), addrs) // the breaker opens
	r := v.Verify(context.Background(), "b@known.com")
	if r.Status != "valid" || len(r.MX) != 1 || r.MX[0] != "mx.known.com" {
		t.Errorf("cached domain: %s/%s %v, want valid from the cache", r.Status, r.Reason, r.MX)
	}
	if n := dns.calls["known.com"]; n != 0 {
		t.Errorf("the cached domain was looked up %d times", n)
	}
}

// fakeSMTP answers every probe with one verdict.
type fakeSMTP struct {
	verdict   smtpprobe.Verdict
	catchAll  bool
	preflight error
	mu        sync.Mutex
	probed    []string
}

func (f *fakeSMTP) Preflight(context.Context, []string) error { return f.preflight }

func (f *fakeSMTP) Probe(_ context.Context, mx []string, addr string) smtpprobe.Result {
	f.mu.Lock()
	f.probed = append(f.probed, addr)
	f.mu.Unlock()
	return smtpprobe.Result{Verdict: f.verdict, MX: mx[0], Code: 250, Enhanced: "2.1.5", Text: "reply", Attempts: 1}
}

func (f *fakeSMTP) CatchAll(_ context.Context, mx []string, _ string) (bool, smtpprobe.Result) {
	return f.catchAll, smtpprobe.Result{Verdict: smtpprobe.Accepted, MX: mx[0], Code: 250, Attempts: 1}
}

func TestSMTPVerdicts(t *testing.T) {
	tests := []struct {
		name           string
		smtp           *fakeSMTP
		status, reason string
		score          float64
	}{
		{"accepted", &fakeSMTP{verdict: smtpprobe.Accepted}, "valid", "accepted_email", 0.97},
		{"catch-all", &fakeSMTP{verdict: smtpprobe.Accepted, catchAll: true}, "catch_all", "accept_all", 0.5},
		{"not found", &fakeSMTP{verdict: smtpprobe.MailboxNotFound}, "invalid", "mailbox_not_found", 0.01},
		{"quota", &fakeSMTP{verdict: smtpprobe.QuotaExceeded}, "invalid", "mailbox_quota_exceeded", 0.01},
		{"greylisted", &fakeSMTP{verdict: smtpprobe.Greylisted}, "unknown", "greylisted", 0.3},
		{"policy", &fakeSMTP{verdict: smtpprobe.Policy}, "unknown", "antispam_system", 0.3},
		{"timeout", &fakeSMTP{verdict: smtpprobe.Timeout}, "unknown", "timeout_exceeded", 0.3},
		{"refused", &fakeSMTP{verdict: smtpprobe.ConnectFailed}, "unknown", "failed_smtp_connection", 0.3},
		{"egress blocked", &fakeSMTP{preflight: errors.New("port 25 unreachable")}, "unknown", "failed_smtp_connection", 0.3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := newVerifier(t, Config{SMTP: tt.smtp})
			r := v.Verify(context.Background(), "jane@acme.com")
			if r.Status != tt.status || r.Reason != tt.reason || r.Score != tt.score {
				t.Fatalf("got %s/%s score %v (%s), want %s/%s %v", r.Status, r.Reason, r.Score, r.Detail, tt.status, tt.reason, tt.score)
			}
			if tt.smtp.preflight == nil && (r.SMTP == nil || r.SMTP.Host != "mx1.acme.com") {
				t.Errorf("no SMTP evidence: %+v", r.SMTP)
			}
			if r.Has(FlagMailboxNotChecked) {
				t.Error("a probed mailbox is flagged as not checked")
			}
		})
	}
	smtp := &fakeSMTP{verdict: smtpprobe.Accepted}
	v := newVerifier(t, Config{SMTP: smtp})
	v.VerifyAll(context.Background(), []string{"x@mailinator.com", "bob@nxdomain.com", "bad@", "a@acme.com", "a@acme.com"})
	if strings.Join(smtp.probed, ",") != "a@acme.com" {
		t.Errorf("probed %v: only a deliverable, non-disposable address, once", smtp.probed)
	}
}
