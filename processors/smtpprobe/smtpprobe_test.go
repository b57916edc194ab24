package smtpprobe

import (
	"context"
	"fmt"
	"net"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/enricher/enricher/internal/smtptest"
)

var loopback = []string{"127.0.0.1"}

func startServer(t *testing.T, s smtptest.Script) *smtptest.Server {
	t.Helper()
	srv, err := smtptest.Start(s)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

// newProber returns a Prober for port with test-friendly settings: short
// timeouts, no rate limit, no back-off; mod may change them.
func newProber(t *testing.T, port int, mod func(*Config)) *Prober {
	t.Helper()
	cfg := Config{
		HeloName:       "probe.example.net",
		MailFrom:       "verify@example.net",
		Port:           port,
		ConnectTimeout: 5 * time.Second,
		CommandTimeout: 5 * time.Second,
		RatePerMX:      -1,
		Backoff:        func(int) time.Duration { return 0 },
	}
	if mod != nil {
		mod(&cfg)
	}
	p, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// closedPort returns a loopback port nothing listens on.
func closedPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return port
}

// routes returns a Dial that connects "host:port" to the address routes
// maps it to, and refuses everything else.
func routes(m map[string]string) func(context.Context, string, string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		target, ok := m[addr]
		if !ok {
			return nil, fmt.Errorf("dial %s: no route in test", addr)
		}
		var d net.Dialer
		return d.DialContext(ctx, network, target)
	}
}

func always(reply string) func(string, int) string {
	return func(string, int) string { return reply }
}

func TestProbe(t *testing.T) {
	tests := []struct {
		name     string
		script   smtptest.Script
		verdict  Verdict
		code     int
		enhanced string
		attempts int
	}{
		{"250", smtptest.Script{Rcpt: always("250 2.1.5 OK")}, Accepted, 250, "2.1.5", 1},
		{"251", smtptest.Script{Rcpt: always("251 2.1.5 user not local; will forward")}, Accepted, 251, "2.1.5", 1},
		{"550 5.1.1", smtptest.Script{Rcpt: always("550 5.1.1 <x@test>: no such user")}, MailboxNotFound, 550, "5.1.1", 1},
		{"553 5.1.3", smtptest.Script{Rcpt: always("553 5.1.3 bad recipient address syntax")}, MailboxNotFound, 553, "5.1.3", 1},
		{"multi-line 550", smtptest.Script{Rcpt: always("550-5.1.1 The email account that you tried to reach does\n550-5.1.1 not exist. Please try double-checking the recipient's\n550 5.1.1 email address.")}, MailboxNotFound, 550, "5.1.1", 1},
		{"552 quota", smtptest.Script{Rcpt: always("552 mailbox full")}, QuotaExceeded, 552, "", 1},
		{"552 5.2.2 quota", smtptest.Script{Rcpt: always("552 5.2.2 over quota")}, QuotaExceeded, 552, "5.2.2", 1},
		{"550 5.2.2 quota", smtptest.Script{Rcpt: always("550 5.2.2 mailbox full")}, QuotaExceeded, 550, "5.2.2", 1},
		{"554 5.7.1 spamhaus", smtptest.Script{Rcpt: always("554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org")}, Policy, 554, "5.7.1", 1},
		{"550 5.1.1 with blocklist text", smtptest.Script{Rcpt: always("550 5.1.1 rejected: your IP is listed at dnsbl.example")}, Policy, 550, "5.1.1", 1},
		{"550 5.7.1 relay", smtptest.Script{Rcpt: always("550 5.7.1 relaying denied")}, Policy, 550, "5.7.1", 1},
		{"plain 550 user unknown", smtptest.Script{Rcpt: always("550 User unknown")}, MailboxNotFound, 550, "", 1},
		{"plain 550 blocked", smtptest.Script{Rcpt: always("550 Blocked for poor reputation")}, Policy, 550, "", 1},
		{"plain 550 other", smtptest.Script{Rcpt: always("550 Requested action not taken: mailbox unavailable")}, Unknown, 550, "", 1},
		{"550 5.4.1 access denied", smtptest.Script{Rcpt: always("550 5.4.1 Recipient address rejected: Access denied")}, Unknown, 550, "5.4.1", 1},
		{"553 5.1.8 sender at RCPT", smtptest.Script{Rcpt: always("553 5.1.8 <verify@example.net>: Sender address rejected: Domain not found")}, Unknown, 553, "5.1.8", 1},
		{"greylisted then accepted", smtptest.Script{Rcpt: func(_ string, n int) string {
			if n == 1 {
				return "450 4.2.0 Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/"
			}
			return "250 2.1.5 OK"
		}}, Accepted, 250, "2.1.5", 2},
		{"greylisted throughout", smtptest.Script{Rcpt: always("450 4.7.1 greylisted, try again later")}, Greylisted, 450, "4.7.1", 3},
		{"4xx blocklist", smtptest.Script{Rcpt: always("421 4.7.0 blocked using bl.spamcop.net")}, Policy, 421, "4.7.0", 3},
		{"greeting 554 blocklist", smtptest.Script{Greeting: "554 5.7.1 blocked using zen.spamhaus.org", Rcpt: always("250 OK")}, Policy, 554, "5.7.1", 1},
		{"greeting 554 other", smtptest.Script{Greeting: "554 no SMTP service here"}, Unknown, 554, "", 1},
		{"MAIL 553 5.1.8", smtptest.Script{Mail: func(string) string { return "553 5.1.8 sender domain does not exist" }}, Unknown, 553, "5.1.8", 1},
		{"EHLO refused, HELO works", smtptest.Script{EHLO: "502 5.5.2 command not recognised"}, Accepted, 250, "2.1.5", 1},
		{"greeting 421 retried", smtptest.Script{Greeting: "421 4.3.2 service not available"}, Greylisted, 421, "4.3.2", 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startServer(t, tt.script)
			p := newProber(t, srv.Port(), nil)
			before := time.Now()
			res := p.Probe(context.Background(), loopback, "x@test")
			if res.Verdict != tt.verdict || res.Code != tt.code || res.Enhanced != tt.enhanced || res.Attempts != tt.attempts {
				t.Errorf("Probe = %+v; want verdict %s, code %d, enhanced %q, attempts %d",
					res, tt.verdict, tt.code, tt.enhanced, tt.attempts)
			}
			if res.MX != "127.0.0.1" || res.CheckedAt.Before(before) {
				t.Errorf("MX = %q, CheckedAt = %v", res.MX, res.CheckedAt)
			}
			if srv.Sessions() != tt.attempts {
				t.Errorf("server saw %d sessions, want %d", srv.Sessions(), tt.attempts)
			}
		})
	}
}

func TestProbeSendsConfiguredNames(t *testing.T) {
	tests := []struct {
		mailFrom, wantMail string
	}{
		{"verify@example.net", "MAIL FROM:<verify@example.net>"},
		{"<>", "MAIL FROM:<>"},
	}
	for _, tt := range tests {
		srv := startServer(t, smtptest.Script{})
		p := newProber(t, srv.Port(), func(c *Config) {
			c.HeloName = "mta.example.net"
			c.MailFrom = tt.mailFrom
		})
		if res := p.Probe(context.Background(), loopback, "jane@test"); res.Verdict != Accepted {
			t.Fatalf("Probe = %+v", res)
		}
		want := []string{"EHLO mta.example.net", tt.wantMail, "RCPT TO:<jane@test>", "QUIT"}
		if got := srv.Commands(); !slices.Equal(got, want) {
			t.Errorf("server saw %q, want %q", got, want)
		}
	}
}

func TestProbeRejectsUnsafeAddresses(t *testing.T) {
	p := newProber(t, closedPort(t), nil)
	for _, a := range []string{"", "nobody", "@test", "x@", "a b@test", "x@test>\r\nDATA", "jürgen@test"} {
		if res := p.Probe(context.Background(), loopback, a); res.Verdict != Unknown || res.Attempts != 0 {
			t.Errorf("Probe(%q) = %+v, want unknown without attempts", a, res)
		}
	}
}

func TestConnectionRefused(t *testing.T) {
	p := newProber(t, closedPort(t), func(c *Config) { c.ConnectTimeout = 10 * time.Second })
	start := time.Now()
	res := p.Probe(context.Background(), []string{"127.0.0.1", "127.0.0.1."}, "x@test")
	if res.Verdict != ConnectFailed || res.Attempts != 2 || res.Code != 0 {
		t.Errorf("Probe = %+v, want %s after 2 attempts", res, ConnectFailed)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v; a refused connection must not wait for the connect timeout", d)
	}
}

func TestTarpit(t *testing.T) {
	srv := startServer(t, smtptest.Script{Hang: true})
	p := newProber(t, srv.Port(), func(c *Config) { c.CommandTimeout = 200 * time.Millisecond })
	res := p.Probe(context.Background(), loopback, "x@test")
	if res.Verdict != Timeout || res.Attempts != 1 {
		t.Errorf("Probe = %+v, want %s", res, Timeout)
	}
}

func TestFailover(t *testing.T) {
	tarpit := startServer(t, smtptest.Script{Hang: true})
	good := startServer(t, smtptest.Script{Rcpt: always("550 5.1.1 no such user")})
	p := newProber(t, 25, func(c *Config) {
		c.CommandTimeout = 200 * time.Millisecond
		c.Dial = routes(map[string]string{
			"mx1.test:25": tarpit.Addr(),
			"mx3.test:25": good.Addr(),
		})
	})
	// mx1 hangs, mx2 refuses the connection, mx3 answers.
	res := p.Probe(context.Background(), []string{"MX1.test.", "mx2.test", "mx3.test"}, "x@test")
	if res.Verdict != MailboxNotFound || res.MX != "mx3.test" || res.Attempts != 3 {
		t.Errorf("Probe = %+v, want %s from mx3.test after 3 attempts", res, MailboxNotFound)
	}
}

func TestBackoffHonoursContext(t *testing.T) {
	srv := startServer(t, smtptest.Script{Rcpt: always("450 4.7.1 greylisted")})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var asked []int
	p := newProber(t, srv.Port(), func(c *Config) {
		c.Backoff = func(n int) time.Duration {
			asked = append(asked, n)
			cancel() // the caller gives up while we wait
			return time.Hour
		}
	})
	res := p.Probe(ctx, loopback, "x@test")
	if res.Verdict != Greylisted || res.Attempts != 1 || !slices.Equal(asked, []int{1}) {
		t.Errorf("Probe = %+v, backoff asked for %v; want %s after 1 attempt", res, asked, Greylisted)
	}
}

func TestCatchAll(t *testing.T) {
	tests := []struct {
		name     string
		rcpt     string
		want     bool
		sessions int // after two rounds of calls
	}{
		{"accepts anything", "250 2.1.5 OK", true, 1},
		{"rejects unknown users", "550 5.1.1 no such user", false, 1},
		{"greylisting is not cached", "450 4.7.1 greylisted", false, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var mu sync.Mutex
			var probed []string
			srv := startServer(t, smtptest.Script{Rcpt: func(rcpt string, _ int) string {
				mu.Lock()
				probed = append(probed, rcpt)
				mu.Unlock()
				return tt.rcpt
			}})
			p := newProber(t, srv.Port(), func(c *Config) { c.Retries = -1 })
			for _, domain := range []string{"Example.test", "example.test."} {
				got, res := p.CatchAll(context.Background(), loopback, domain)
				if got != tt.want {
					t.Errorf("CatchAll(%q) = %v, %+v; want %v", domain, got, res, tt.want)
				}
			}
			if srv.Sessions() != tt.sessions {
				t.Errorf("server saw %d sessions, want %d", srv.Sessions(), tt.sessions)
			}
			local, domain, _ := strings.Cut(probed[0], "@")
			if len(local) < 20 || domain != "example.test" {
				t.Errorf("probed %q, want a long random local part at example.test", probed[0])
			}
		})
	}
}

func TestCatchAllConcurrentCallersShareOneProbe(t *testing.T) {
	srv := startServer(t, smtptest.Script{})
	p := newProber(t, srv.Port(), nil)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if got, res := p.CatchAll(context.Background(), loopback, "example.test"); !got {
				t.Errorf("CatchAll = false, %+v", res)
			}
		})
	}
	wg.Wait()
	if srv.Sessions() != 1 {
		t.Errorf("server saw %d sessions, want 1", srv.Sessions())
	}
}

func TestPerMXConcurrency(t *testing.T) {
	const perMX, probes = 2, 8
	arrived := make(chan struct{}, probes)
	release := make(chan struct{})
	srv := startServer(t, smtptest.Script{Rcpt: func(string, int) string {
		arrived <- struct{}{}
		<-release
		return "250 2.1.5 OK"
	}})
	other := startServer(t, smtptest.Script{Rcpt: func(string, int) string {
		arrived <- struct{}{}
		<-release
		return "250 2.1.5 OK"
	}})
	p := newProber(t, 25, func(c *Config) {
		c.PerMX = perMX
		c.Dial = routes(map[string]string{"a.test:25": srv.Addr(), "b.test:25": other.Addr()})
	})
	var wg sync.WaitGroup
	var accepted atomic.Int32
	for i := range probes {
		mx := []string{"a.test"}
		if i%4 == 0 {
			mx = []string{"b.test"} // another host has its own slots
		}
		wg.Go(func() {
			if p.Probe(context.Background(), mx, fmt.Sprintf("u%d@test", i)).Verdict == Accepted {
				accepted.Add(1)
			}
		})
	}
	// Both hosts fill their slots: 2 sessions each are held in RCPT.
	for range 2 * perMX {
		<-arrived
	}
	close(release)
	wg.Wait()
	if accepted.Load() != probes {
		t.Errorf("%d of %d probes accepted", accepted.Load(), probes)
	}
	if srv.MaxConcurrent() != perMX || other.MaxConcurrent() != perMX {
		t.Errorf("max concurrent sessions %d and %d, want %d each", srv.MaxConcurrent(), other.MaxConcurrent(), perMX)
	}
	if srv.Sessions()+other.Sessions() != probes {
		t.Errorf("%d sessions, want %d", srv.Sessions()+other.Sessions(), probes)
	}
}

func TestPreflight(t *testing.T) {
	t.Run("closed port fails fast and is cached", func(t *testing.T) {
		var dials atomic.Int32
		p := newProber(t, closedPort(t), func(c *Config) {
			c.ConnectTimeout = 10 * time.Second
			c.Dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
				dials.Add(1)
				var d net.Dialer
				return d.DialContext(ctx, network, addr)
			}
		})
		start := time.Now()
		err := p.Preflight(context.Background(), loopback)
		if err == nil {
			t.Fatal("Preflight on a closed port succeeded")
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("took %v", d)
		}
		if err2 := p.Preflight(context.Background(), []string{"127.0.0.2"}); err2 == nil || err2.Error() != err.Error() {
			t.Errorf("second Preflight = %v, want the cached %v", err2, err)
		}
		if dials.Load() != 1 {
			t.Errorf("%d dials, want 1", dials.Load())
		}
	})
	t.Run("open port", func(t *testing.T) {
		srv := startServer(t, smtptest.Script{})
		var dialed []string
		dial := routes(map[string]string{"mx2.test:25": srv.Addr()})
		p := newProber(t, 25, func(c *Config) {
			c.Dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
				dialed = append(dialed, addr)
				return dial(ctx, network, addr)
			}
		})
		for range 2 {
			if err := p.Preflight(context.Background(), []string{"mx1.test", "mx2.test"}); err != nil {
				t.Fatal(err)
			}
		}
		if want := []string{"mx1.test:25", "mx2.test:25"}; !slices.Equal(dialed, want) {
			t.Errorf("dialed %q, want %q once", dialed, want)
		}
	})
	t.Run("cancelled is not cached", func(t *testing.T) {
		srv := startServer(t, smtptest.Script{})
		p := newProber(t, srv.Port(), nil)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if err := p.Preflight(ctx, loopback); err == nil {
			t.Fatal("Preflight with a cancelled context succeeded")
		}
		if err := p.Preflight(context.Background(), loopback); err != nil {
			t.Fatal(err)
		}
	})
}

func TestNew(t *testing.T) {
	valid := Config{HeloName: "probe.example.net", MailFrom: "verify@example.net"}
	tests := []struct {
		name string
		mod  func(*Config)
		ok   bool
	}{
		{"valid", func(*Config) {}, true},
		{"null sender", func(c *Config) { c.MailFrom = "<>" }, true},
		{"no HeloName", func(c *Config) { c.HeloName = "" }, false},
		{"HeloName with CRLF", func(c *Config) { c.HeloName = "a\r\nRCPT TO:<x@y>" }, false},
		{"empty MailFrom", func(c *Config) { c.MailFrom = "" }, false},
		{"MailFrom without @", func(c *Config) { c.MailFrom = "verify" }, false},
		{"bad port", func(c *Config) { c.Port = 70000 }, false},
		{"negative timeout", func(c *Config) { c.CommandTimeout = -1 }, false},
	}
	for _, tt := range tests {
		cfg := valid
		tt.mod(&cfg)
		p, err := New(cfg)
		if (err == nil) != tt.ok {
			t.Errorf("%s: New error %v", tt.name, err)
		}
		if tt.name == "valid" && (p.cfg.Port != 25 || p.cfg.PerMX != 2 || p.cfg.Retries != 2 ||
			p.cfg.ConnectTimeout != 10*time.Second || p.cfg.CommandTimeout != 30*time.Second ||
			p.cfg.RatePerMX != 1 || p.cfg.Backoff(1) != time.Minute || p.cfg.Backoff(2) != 5*time.Minute) {
			t.Errorf("defaults: %+v", p.cfg)
		}
	}
}
