package companyapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const testKey = "sk-test-SECRET-0123456789"

// fakeClock is a clock whose Sleep records the wait and moves time on.
type fakeClock struct {
	mu    sync.Mutex
	t     time.Time
	slept []time.Duration
}

func newClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.slept = append(c.slept, d)
	c.t = c.t.Add(d)
	return ctx.Err()
}

func (c *fakeClock) Slept() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.slept...)
}

// server answers with the given handlers in turn, repeating the last, and
// counts requests.
type server struct {
	*httptest.Server
	n atomic.Int32
}

func newServer(t *testing.T, hs ...http.HandlerFunc) *server {
	t.Helper()
	s := new(server)
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := int(s.n.Add(1)) - 1
		hs[min(i, len(hs)-1)](w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

func status(code int, header ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		fmt.Fprintf(w, `{"status":%d,"error":{"type":"error","message":"status %d"}}`, code, code)
	}
}

func body(js string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(js))
	}
}

type newFunc func(Config) Provider

var providers = []struct {
	name string
	new  newFunc
	ok   string // a minimal 200 body
}{
	{"people_data_labs", NewPDL, `{"status":200,"likelihood":8,"name":"acme","website":"acme.com"}`},
	{"clearbit", NewClearbit, `{"name":"Acme","domain":"acme.com"}`},
}

func config(s *server, clk *fakeClock) Config {
	return Config{APIKey: testKey, BaseURL: s.URL, HTTP: s.Client(), Now: clk.Now, Sleep: clk.Sleep}
}

func noKey(t *testing.T, err error) {
	t.Helper()
	if err != nil && strings.Contains(err.Error(), testKey) {
		t.Errorf("error reveals the API key: %v", err)
	}
}

func TestLookupStatus(t *testing.T) {
	tests := []struct {
		provider string
		code     int
		want     error
	}{
		{"people_data_labs", 404, ErrNotFound},
		{"people_data_labs", 401, ErrUnauthorized},
		{"people_data_labs", 403, ErrUnauthorized},
		{"clearbit", 404, ErrNotFound},
		{"clearbit", 422, ErrNotFound},
		{"clearbit", 202, ErrNotFound},
		{"clearbit", 401, ErrUnauthorized},
		{"clearbit", 403, ErrUnauthorized},
	}
	for _, tt := range tests {
		for _, p := range providers {
			if p.name != tt.provider {
				continue
			}
			t.Run(fmt.Sprintf("%s/%d", p.name, tt.code), func(t *testing.T) {
				s := newServer(t, status(tt.code))
				clk := newClock()
				_, err := p.new(config(s, clk)).Lookup(t.Context(), "acme.com")
				if !errors.Is(err, tt.want) {
					t.Fatalf("err = %v, want %v", err, tt.want)
				}
				if !strings.Contains(err.Error(), p.name) || !strings.Contains(err.Error(), fmt.Sprint(tt.code)) {
					t.Errorf("error %q names neither provider nor status", err)
				}
				noKey(t, err)
				if n := s.n.Load(); n != 1 {
					t.Errorf("%d requests, want 1 (no retry)", n)
				}
				if len(clk.Slept()) != 0 {
					t.Errorf("slept %v", clk.Slept())
				}
			})
		}
	}
}

func TestRetryThenSuccess(t *testing.T) {
	clk := newClock()
	in30s := clk.Now().Add(30 * time.Second).Format(http.TimeFormat)
	tests := []struct {
		name  string
		first http.HandlerFunc
		want  time.Duration
	}{
		{"Retry-After seconds", status(429, "Retry-After", "7"), 7 * time.Second},
		{"Retry-After date", status(429, "Retry-After", in30s), 30 * time.Second},
		{"Retry-After zero", status(429, "Retry-After", "0"), 0},
		{"X-RateLimit-Reset epoch", status(429, "X-RateLimit-Reset", fmt.Sprint(clk.Now().Add(12*time.Second).Unix())), 12 * time.Second},
		{"no header backs off", status(429), firstBackoff},
		{"503 backs off", status(503), firstBackoff},
		{"503 with Retry-After", status(503, "Retry-After", "3"), 3 * time.Second},
	}
	for _, tt := range tests {
		for _, p := range providers {
			t.Run(tt.name+"/"+p.name, func(t *testing.T) {
				clk := newClock()
				s := newServer(t, tt.first, body(p.ok))
				c, err := p.new(config(s, clk)).Lookup(t.Context(), "acme.com")
				if err != nil {
					t.Fatal(err)
				}
				if c.Domain != "acme.com" {
					t.Errorf("Domain = %q", c.Domain)
				}
				var want []time.Duration
				if tt.want > 0 {
					want = []time.Duration{tt.want}
				}
				if got := clk.Slept(); !reflect.DeepEqual(got, want) {
					t.Errorf("slept %v, want %v", got, want)
				}
				if n := s.n.Load(); n != 2 {
					t.Errorf("%d requests, want 2", n)
				}
			})
		}
	}
}

func TestRetriesExhausted(t *testing.T) {
	tests := []struct {
		name       string
		maxRetries int
		handler    http.HandlerFunc
		code       string
		requests   int32
		slept      []time.Duration
	}{
		{"500 default retries", 0, status(500), "500", 4, []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second}},
		{"503 two retries", 2, status(503), "503", 3, []time.Duration{500 * time.Millisecond, time.Second}},
		{"429 no retries", -1, status(429, "Retry-After", "1"), "429", 1, nil},
		{"429 two retries", 2, status(429, "Retry-After", "1"), "429", 3, []time.Duration{time.Second, time.Second}},
		{"429 wait too long", 3, status(429, "Retry-After", "3600"), "429", 1, nil},
	}
	for _, tt := range tests {
		for _, p := range providers {
			t.Run(tt.name+"/"+p.name, func(t *testing.T) {
				clk := newClock()
				s := newServer(t, tt.handler)
				cfg := config(s, clk)
				cfg.MaxRetries = tt.maxRetries
				_, err := p.new(cfg).Lookup(t.Context(), "acme.com")
				if err == nil {
					t.Fatal("no error")
				}
				if errors.Is(err, ErrNotFound) || errors.Is(err, ErrUnauthorized) {
					t.Errorf("err = %v, want a plain failure", err)
				}
				if msg := err.Error(); !strings.Contains(msg, p.name) || !strings.Contains(msg, "HTTP "+tt.code) {
					t.Errorf("error %q names neither provider nor status", msg)
				}
				noKey(t, err)
				if n := s.n.Load(); n != tt.requests {
					t.Errorf("%d requests, want %d", n, tt.requests)
				}
				if got := clk.Slept(); !reflect.DeepEqual(got, tt.slept) {
					t.Errorf("slept %v, want %v", got, tt.slept)
				}
			})
		}
	}
}

func TestTransportErrorHidesKey(t *testing.T) {
	s := newServer(t, status(200))
	s.Close() // nothing listens any more
	for _, p := range providers {
		clk := newClock()
		cfg := config(s, clk)
		cfg.MaxRetries = 1
		_, err := p.new(cfg).Lookup(t.Context(), "acme.com")
		if err == nil || !strings.Contains(err.Error(), p.name) {
			t.Errorf("%s: err = %v", p.name, err)
		}
		noKey(t, err)
		if got := clk.Slept(); len(got) != 1 {
			t.Errorf("%s: slept %v, want one back-off", p.name, got)
		}
	}
}

func TestRateLimit(t *testing.T) {
	for _, p := range providers {
		t.Run(p.name, func(t *testing.T) {
			clk := newClock()
			s := newServer(t, body(p.ok))
			cfg := config(s, clk)
			cfg.Rate, cfg.Burst = 2, 2
			prov := p.new(cfg)
			for range 4 {
				if _, err := prov.Lookup(t.Context(), "acme.com"); err != nil {
					t.Fatal(err)
				}
			}
			// The burst of two goes at once; each later request waits
			// half a second of the injected clock for its token.
			want := []time.Duration{500 * time.Millisecond, 500 * time.Millisecond}
			if got := clk.Slept(); !reflect.DeepEqual(got, want) {
				t.Errorf("slept %v, want %v", got, want)
			}
		})
	}
}

func TestRateLimitCancelled(t *testing.T) {
	clk := newClock()
	s := newServer(t, body(providers[0].ok))
	cfg := config(s, clk)
	cfg.Rate = 1
	prov := NewPDL(cfg)
	if _, err := prov.Lookup(t.Context(), "acme.com"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := prov.Lookup(ctx, "acme.com"); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if n := s.n.Load(); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

func TestNotConfigured(t *testing.T) {
	for _, p := range providers {
		s := newServer(t, body(p.ok))
		cfg := config(s, newClock())
		cfg.APIKey = ""
		_, err := p.new(cfg).Lookup(t.Context(), "acme.com")
		if !errors.Is(err, ErrNotConfigured) {
			t.Errorf("%s: err = %v, want ErrNotConfigured", p.name, err)
		}
		if n := s.n.Load(); n != 0 {
			t.Errorf("%s: %d requests, want 0", p.name, n)
		}
	}
}

func TestDefaults(t *testing.T) {
	// Only inspects the configuration: no request is sent.
	tests := []struct {
		p        Provider
		base     string
		retries  int
		infinite bool
	}{
		{NewPDL(Config{APIKey: testKey}), PDLBaseURL, 3, true},
		{NewClearbit(Config{APIKey: testKey, BaseURL: "http://127.0.0.1:1/", MaxRetries: -1, Rate: 5}), "http://127.0.0.1:1", 0, false},
	}
	for _, tt := range tests {
		var c *client
		switch p := tt.p.(type) {
		case pdl:
			c = p.client
		case clearbit:
			c = p.client
		}
		if c.base != tt.base || c.retries != tt.retries || (c.limit.Limit() == 0) || (c.limit.Burst() != 1) {
			t.Errorf("%s: base %q retries %d limit %v burst %d", tt.p.Name(), c.base, c.retries, c.limit.Limit(), c.limit.Burst())
		}
	}
}

func TestParseWait(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		v       string
		lenient bool
		want    time.Duration
		ok      bool
	}{
		{"", false, 0, false},
		{"5", false, 5 * time.Second, true},
		{" 5 ", false, 5 * time.Second, true},
		{"-1", false, 0, false},
		{"soon", false, 0, false},
		{now.Add(time.Minute).Format(http.TimeFormat), false, time.Minute, true},
		{now.Add(-time.Minute).Format(http.TimeFormat), false, 0, true},
		{fmt.Sprint(now.Add(9 * time.Second).Unix()), true, 9 * time.Second, true},
		{now.Add(4 * time.Second).Format(time.RFC3339), true, 4 * time.Second, true},
		{now.Add(4 * time.Second).Format(time.RFC3339), false, 0, false},
		{"99999999999999", false, 24 * time.Hour, true},
	}
	for _, tt := range tests {
		got, ok := parseWait(tt.v, now, tt.lenient)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseWait(%q, %v) = %v, %v; want %v, %v", tt.v, tt.lenient, got, ok, tt.want, tt.ok)
		}
	}
}

func TestBackoff(t *testing.T) {
	want := []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second}
	for i, w := range want {
		if got := backoff(i); got != w {
			t.Errorf("backoff(%d) = %v, want %v", i, got, w)
		}
	}
	if got := backoff(100); got != maxBackoff {
		t.Errorf("backoff(100) = %v, want %v", got, maxBackoff)
	}
}
