package companyapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/time/rate"
)

// Config configures one provider. Only APIKey is required; without it the
// provider is off.
type Config struct {
	// APIKey authenticates with the provider. It never appears in errors.
	APIKey string
	// BaseURL is the scheme and host (and optional path prefix) of the
	// API; empty means the provider's public endpoint.
	BaseURL string
	// HTTP sends the requests; nil means http.DefaultClient. Set a
	// Timeout on it: Lookup has no deadline of its own beyond ctx.
	HTTP *http.Client

	// Rate limits the requests per second sent to the provider, retries
	// included; 0 or less means unlimited. Burst is the number of
	// requests that may go at once; it defaults to 1.
	Rate  float64
	Burst int

	// MaxRetries is how often a lookup is retried after a 429, a 5xx or
	// a transport error: 0 means the default of 3, less than 0 means
	// never.
	MaxRetries int

	// Now and Sleep stand in for the clock in tests. Sleep must return
	// early with ctx's error when ctx is done. nil means time.Now and a
	// timer.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
}

const (
	defaultRetries = 3
	firstBackoff   = 500 * time.Millisecond
	maxBackoff     = 30 * time.Second
	// maxWait is the longest a provider may ask us to wait before a
	// retry; a longer Retry-After (a quota exhausted for the hour or the
	// month, say) ends the lookup instead of stalling the job.
	maxWait = 2 * time.Minute
	// maxBody caps the bytes read from a response. PDL company records
	// with all fields run to tens of kilobytes.
	maxBody = 4 << 20
)

// client is the HTTP machinery the providers share: rate limit, retries,
// and status mapping.
type client struct {
	name    string
	key     string
	base    string
	http    *http.Client
	limit   *rate.Limiter
	retries int
	now     func() time.Time
	sleep   func(context.Context, time.Duration) error
	auth    func(h http.Header, key string)
	// notFound lists the statuses, besides 404, that mean "no record".
	notFound []int
}

func newClient(name, defaultBase string, cfg Config) *client {
	c := &client{
		name:    name,
		key:     cfg.APIKey,
		base:    strings.TrimRight(cfg.BaseURL, "/"),
		http:    cfg.HTTP,
		retries: cfg.MaxRetries,
		now:     cfg.Now,
		sleep:   cfg.Sleep,
	}
	if c.base == "" {
		c.base = defaultBase
	}
	if c.http == nil {
		c.http = http.DefaultClient
	}
	switch {
	case c.retries == 0:
		c.retries = defaultRetries
	case c.retries < 0:
		c.retries = 0
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.sleep == nil {
		c.sleep = sleep
	}
	limit, burst := rate.Inf, max(cfg.Burst, 1)
	if cfg.Rate > 0 {
		limit = rate.Limit(cfg.Rate)
	}
	c.limit = rate.NewLimiter(limit, burst)
	return c
}

func (c *client) configured() bool { return c.key != "" }

// sleep waits for d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// get sends GET {base}{path}?{query} and decodes a 200 response's JSON body
// into v, retrying as configured.
func (c *client) get(ctx context.Context, path string, query url.Values, v any) error {
	if !c.configured() {
		return fmt.Errorf("%w: %s has no API key", ErrNotConfigured, c.name)
	}
	u := c.base + path + "?" + query.Encode()
	for attempt := 0; ; attempt++ {
		if err := c.wait(ctx); err != nil {
			return c.errorf("waiting for rate limit: %w", err)
		}
		status, retryAfter, err := c.do(ctx, u, v)
		if err == nil {
			return nil
		}
		if !retryable(status, err) || ctx.Err() != nil {
			return c.errorf("%w", err)
		}
		if attempt >= c.retries {
			return c.errorf("giving up after %d retries: %w", attempt, err)
		}
		d := retryAfter
		if d < 0 {
			d = backoff(attempt)
		}
		if d > maxWait {
			return c.errorf("asked to wait %v before retrying: %w", d, err)
		}
		if d > 0 {
			if err := c.sleep(ctx, d); err != nil {
				return c.errorf("waiting to retry: %w", err)
			}
		}
	}
}

// do sends one request. It returns the response status (0 if there was
// none), the wait the provider asked for before a retry (negative if it
// did not say), and an error unless the status was 200 and the body
// decoded. Its errors do not name the provider; get adds that.
func (c *client) do(ctx context.Context, u string, v any) (int, time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		// The URL holds no key (keys go in headers), but the base may be
		// malformed; say so without echoing anything else.
		return 0, -1, errors.New("bad base URL")
	}
	req.Header.Set("Accept", "application/json")
	c.auth(req.Header, c.key)
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, -1, fmt.Errorf("request failed: %w", redact(err, c.key))
	}
	defer func() {
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // let the connection be reused
		resp.Body.Close()
	}()
	code := resp.StatusCode
	switch {
	case code == http.StatusOK:
		if err := json.NewDecoder(io.LimitReader(resp.Body, maxBody)).Decode(v); err != nil {
			return code, -1, fmt.Errorf("decoding response: %w", err)
		}
		return code, -1, nil
	case code == http.StatusNotFound || slices.Contains(c.notFound, code):
		return code, -1, fmt.Errorf("HTTP %d: %w", code, ErrNotFound)
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		return code, -1, fmt.Errorf("HTTP %d: %w", code, ErrUnauthorized)
	}
	return code, retryDelay(resp.Header, c.now()), fmt.Errorf("HTTP %d", code)
}

// wait takes a token from the rate limiter, sleeping (through c.sleep, on
// c.now's clock) until it is due.
func (c *client) wait(ctx context.Context) error {
	now := c.now()
	r := c.limit.ReserveN(now, 1)
	if !r.OK() {
		return errors.New("rate limiter cannot grant a request")
	}
	d := r.DelayFrom(now)
	if d <= 0 {
		return nil
	}
	if err := c.sleep(ctx, d); err != nil {
		r.CancelAt(c.now())
		return err
	}
	return nil
}

// errorf formats an error that names the provider. The key is never an
// argument, and redact strips it from wrapped transport errors.
func (c *client) errorf(format string, args ...any) error {
	return fmt.Errorf("companyapi: %s: "+format, append([]any{c.name}, args...)...)
}

func retryable(status int, err error) bool {
	switch {
	case status == http.StatusTooManyRequests || status >= 500:
		return true
	case status == 0: // transport error, not a bad URL or a cancelled ctx
		var ue *url.Error
		return errors.As(err, &ue)
	}
	return false
}

// backoff is the wait before retry attempt+1 when the provider gave no
// hint: 0.5s, 1s, 2s, … up to 30s. It has no jitter: each provider's
// requests already pass through one rate limiter.
func backoff(attempt int) time.Duration {
	d := firstBackoff << min(attempt, 16)
	return min(d, maxBackoff)
}

// retryDelay reads how long the provider asks us to wait, or returns -1.
//
// Retry-After (RFC 9110 section 10.2.3) is either delay-seconds or an
// HTTP-date. The research notes are silent on the providers' own rate
// headers; both document an X-RateLimit-Reset header, but from memory its
// form is not certain (epoch seconds, seconds to go, or a timestamp), so
// it is read leniently and only when Retry-After is absent.
func retryDelay(h http.Header, now time.Time) time.Duration {
	if d, ok := parseWait(h.Get("Retry-After"), now, false); ok {
		return d
	}
	if d, ok := parseWait(h.Get("X-RateLimit-Reset"), now, true); ok {
		return d
	}
	return -1
}

// parseWait parses a delay in seconds or an HTTP date into a wait from
// now. With lenient, it also takes an RFC 3339 time, and reads integers
// that look like Unix times (after 2001) as instants, not delays.
func parseWait(v string, now time.Time, lenient bool) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < 0 {
			return 0, false
		}
		if lenient && n > 1e9 {
			return untilTime(time.Unix(n, 0), now), true
		}
		if n > int64(24*time.Hour/time.Second) {
			n = int64(24 * time.Hour / time.Second) // avoid overflow; anything this long ends the lookup
		}
		return time.Duration(n) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return untilTime(t, now), true
	}
	if lenient {
		if t, err := time.Parse(time.RFC3339, v); err == nil {
			return untilTime(t, now), true
		}
	}
	return 0, false
}

func untilTime(t, now time.Time) time.Duration {
	return max(t.Sub(now), 0)
}

// redact replaces the key in a transport error's text. Keys travel in
// headers, never in URLs, so this is a second line of defence.
func redact(err error, key string) error {
	if key == "" || !strings.Contains(err.Error(), key) {
		return err
	}
	return redacted{msg: strings.ReplaceAll(err.Error(), key, "REDACTED"), err: err}
}

type redacted struct {
	msg string
	err error
}

func (r redacted) Error() string { return r.msg }
func (r redacted) Unwrap() error { return r.err }
