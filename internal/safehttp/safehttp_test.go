package safehttp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

var loopback = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}

// fakeResolver answers from a table and records the names asked.
type fakeResolver struct {
	mu    sync.Mutex
	hosts map[string][]string
	asked []string
}

func (r *fakeResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.asked = append(r.asked, host)
	ss, ok := r.hosts[host]
	if !ok {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	var as []netip.Addr
	for _, s := range ss {
		as = append(as, netip.MustParseAddr(s))
	}
	return as, nil
}

// testDialer dials only 127.0.0.1, the httptest servers' address, and
// records every address it is asked to dial. Anything else is an error
// of the guard: refused addresses must never reach it.
type testDialer struct {
	mu     sync.Mutex
	dialed []string
}

func (d *testDialer) dial(ctx context.Context, network, address string) (net.Conn, error) {
	d.mu.Lock()
	d.dialed = append(d.dialed, address)
	d.mu.Unlock()
	host, _, _ := net.SplitHostPort(address)
	if host != "127.0.0.1" {
		return nil, fmt.Errorf("test dialer: not dialling %s", address)
	}
	var nd net.Dialer
	return nd.DialContext(ctx, network, address)
}

func (d *testDialer) addresses() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.dialed...)
}

func get(c *http.Client, u string) ([]byte, error) {
	resp, err := c.Get(u)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

func TestPermitted(t *testing.T) {
	tests := []struct {
		addr  string
		allow []netip.Prefix
		want  bool
	}{
		{"8.8.8.8", nil, true},
		{"93.184.215.14", nil, true},
		{"2606:4700::6810:84e5", nil, true},
		{"127.0.0.1", nil, false},
		{"127.0.0.1", loopback, true},
		{"127.0.0.2", loopback, false},
		{"10.0.0.1", nil, false},
		{"172.16.5.4", nil, false},
		{"192.168.1.1", nil, false},
		{"169.254.169.254", nil, false},
		{"100.64.0.1", nil, false},
		{"100.127.255.255", nil, false},
		{"100.128.0.1", nil, true},
		{"0.0.0.0", nil, false},
		{"0.1.2.3", nil, false},
		{"224.0.0.1", nil, false},
		{"255.255.255.255", nil, false},
		{"198.18.0.1", nil, false},
		{"192.0.2.1", nil, false},
		{"198.51.100.1", nil, false},
		{"203.0.113.1", nil, false},
		{"::", nil, false},
		{"::1", nil, false},
		{"::ffff:127.0.0.1", nil, false},
		{"::ffff:127.0.0.1", loopback, true},
		{"::ffff:169.254.169.254", nil, false},
		{"::ffff:8.8.8.8", nil, true},
		{"::127.0.0.1", nil, false}, // deprecated IPv4-compatible
		{"fe80::1", nil, false},
		{"fe80::1%eth0", nil, false},
		{"fc00::1", nil, false},
		{"fd00:ec2::254", nil, false}, // AWS IPv6 metadata
		{"ff02::1", nil, false},
		{"2001:db8::1", nil, false},
		{"2001:2::1", nil, false}, // benchmarking
		{"2001::1", nil, false},   // Teredo
		{"3fff::1", nil, false},
		{"64:ff9b::a00:1", nil, false}, // NAT64 of 10.0.0.1
		{"64:ff9b::808:808", nil, true},
		{"2002:a00:1::1", nil, false}, // 6to4 of 10.0.0.1
		{"2002:808:808::1", nil, true},
	}
	for _, tt := range tests {
		if got := permitted(netip.MustParseAddr(tt.addr), tt.allow); got != tt.want {
			t.Errorf("permitted(%s, %v) = %v, want %v", tt.addr, tt.allow, got, tt.want)
		}
	}
}

// TestRefused checks that forbidden targets fail with the right error
// before any connection is attempted.
func TestRefused(t *testing.T) {
	res := &fakeResolver{hosts: map[string][]string{
		"rebind.test": {"127.0.0.1"},
		"split.test":  {"8.8.8.8", "10.0.0.1"},
		"meta.test":   {"169.254.169.254"},
	}}
	d := &testDialer{}
	c := newClient(Config{Resolver: res}, d.dial)
	tests := []struct {
		url  string
		want error
	}{
		{"http://169.254.169.254/latest/meta-data/", ErrForbiddenAddress},
		{"http://10.0.0.1/", ErrForbiddenAddress},
		{"http://[::1]/", ErrForbiddenAddress},
		{"http://[fe80::1]/", ErrForbiddenAddress},
		{"http://[fe80::1%25eth0]/", ErrForbiddenAddress},
		{"http://100.64.0.1/", ErrForbiddenAddress},
		{"https://0.0.0.0/", ErrForbiddenAddress},
		{"http://[::ffff:127.0.0.1]/", ErrForbiddenAddress},
		{"http://[::ffff:a9fe:a9fe]/", ErrForbiddenAddress},
		{"http://metadata.google.internal/computeMetadata/v1/", ErrForbiddenAddress},
		{"http://METADATA.google.internal./", ErrForbiddenAddress},
		{"http://rebind.test/", ErrForbiddenAddress},
		{"http://split.test/", ErrForbiddenAddress},
		{"https://meta.test/", ErrForbiddenAddress},
		{"ftp://example.test/", ErrForbiddenScheme},
		{"file:///etc/passwd", ErrForbiddenScheme},
	}
	for _, tt := range tests {
		_, err := get(c, tt.url)
		if !errors.Is(err, tt.want) {
			t.Errorf("GET %s: err = %v, want %v", tt.url, err, tt.want)
		}
	}
	if a := d.addresses(); len(a) != 0 {
		t.Errorf("dialled %v, want nothing", a)
	}
	for _, h := range res.asked {
		if strings.Contains(strings.ToLower(h), "metadata") {
			t.Errorf("resolved %q; metadata names must be refused before lookup", h)
		}
	}
}

// TestDialsCheckedAddress checks that the address dialled is the one the
// resolver returned and the guard checked, not a second lookup's.
func TestDialsCheckedAddress(t *testing.T) {
	res := &fakeResolver{hosts: map[string][]string{"public.test": {"8.8.8.8"}}}
	d := &testDialer{}
	c := newClient(Config{Resolver: res}, d.dial)
	if _, err := get(c, "http://public.test:8080/"); err == nil {
		t.Fatal("GET succeeded through a dialer that refuses 8.8.8.8")
	}
	if got, want := d.addresses(), []string{"8.8.8.8:8080"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("dialled %v, want %v", got, want)
	}
	if got := len(res.asked); got != 1 {
		t.Errorf("resolver asked %d times, want 1", got)
	}
}

func TestLoopbackSite(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello")
	}))
	defer srv.Close()
	port := srv.Listener.Addr().(*net.TCPAddr).Port
	byName := "http://site.test:" + strconv.Itoa(port) + "/"
	res := &fakeResolver{hosts: map[string][]string{"site.test": {"127.0.0.1"}}}

	tests := []struct {
		name  string
		url   string
		allow []netip.Prefix
		want  error
	}{
		{"address refused", srv.URL, nil, ErrForbiddenAddress},
		{"address allowed", srv.URL, loopback, nil},
		{"name refused", byName, nil, ErrForbiddenAddress},
		{"name allowed", byName, loopback, nil},
		{"other loopback refused", srv.URL, []netip.Prefix{netip.MustParsePrefix("127.0.0.2/32")}, ErrForbiddenAddress},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := New(Config{Allow: tt.allow, Resolver: res})
			defer c.CloseIdleConnections()
			body, err := get(c, tt.url)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if err == nil && string(body) != "hello" {
				t.Errorf("body = %q, want hello", body)
			}
		})
	}
}

func TestRedirectToForbidden(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if to := r.URL.Query().Get("to"); to != "" {
			http.Redirect(w, r, to, http.StatusFound)
			return
		}
		io.WriteString(w, "landed")
	}))
	defer srv.Close()
	port := strconv.Itoa(srv.Listener.Addr().(*net.TCPAddr).Port)
	res := &fakeResolver{hosts: map[string][]string{
		"rebind.test": {"10.1.2.3"},
		"ok.test":     {"127.0.0.1"},
	}}
	d := &testDialer{}
	c := newClient(Config{Allow: loopback, Resolver: res}, d.dial)
	defer c.CloseIdleConnections()

	tests := []struct {
		to   string
		want error
	}{
		{"http://ok.test:" + port + "/", nil},
		{"http://10.0.0.1/", ErrForbiddenAddress},
		{"http://169.254.169.254/latest/meta-data/", ErrForbiddenAddress},
		{"http://[::1]:" + port + "/", ErrForbiddenAddress},
		{"https://rebind.test/", ErrForbiddenAddress},
		{"http://metadata.google.internal/", ErrForbiddenAddress},
		{"gopher://ok.test/", ErrForbiddenScheme},
		{"file:///etc/passwd", ErrForbiddenScheme},
	}
	for _, tt := range tests {
		_, err := get(c, srv.URL+"/?to="+url.QueryEscape(tt.to))
		if !errors.Is(err, tt.want) {
			t.Errorf("redirect to %s: err = %v, want %v", tt.to, err, tt.want)
		}
	}
	for _, a := range d.addresses() {
		if !strings.HasPrefix(a, "127.0.0.1:") {
			t.Errorf("dialled %s", a)
		}
	}
}

func TestRedirectLimit(t *testing.T) {
	// /n redirects to /n-1; /0 answers.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/"))
		if n > 0 {
			http.Redirect(w, r, "/"+strconv.Itoa(n-1), http.StatusMovedPermanently)
			return
		}
		io.WriteString(w, "done")
	}))
	defer srv.Close()

	tests := []struct {
		max, hops int
		want      error
	}{
		{0, DefaultMaxRedirects, nil},
		{0, DefaultMaxRedirects + 1, ErrTooManyRedirects},
		{2, 0, nil},
		{2, 2, nil},
		{2, 3, ErrTooManyRedirects},
		{-1, 0, nil},
		{-1, 1, ErrTooManyRedirects},
	}
	for _, tt := range tests {
		c := New(Config{Allow: loopback, MaxRedirects: tt.max})
		_, err := get(c, srv.URL+"/"+strconv.Itoa(tt.hops))
		if !errors.Is(err, tt.want) {
			t.Errorf("MaxRedirects %d, %d hops: err = %v, want %v", tt.max, tt.hops, err, tt.want)
		}
		c.CloseIdleConnections()
	}
}

func TestBodyLimit(t *testing.T) {
	const max = 1000
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		if r.URL.Query().Get("chunked") == "" {
			w.Header().Set("Content-Length", strconv.Itoa(n))
		}
		for i := 0; i < n; i += 100 {
			w.Write([]byte(strings.Repeat("x", min(100, n-i))))
			w.(http.Flusher).Flush()
		}
	}))
	defer srv.Close()
	c := New(Config{Allow: loopback, MaxBytes: max})
	defer c.CloseIdleConnections()

	for _, chunked := range []string{"", "1"} {
		for _, n := range []int{0, max - 1, max, max + 1, 10 * max} {
			body, err := get(c, fmt.Sprintf("%s/?n=%d&chunked=%s", srv.URL, n, chunked))
			var want error
			if n > max {
				want = ErrBodyTooLarge
			}
			if !errors.Is(err, want) {
				t.Errorf("n=%d chunked=%q: err = %v, want %v", n, chunked, err, want)
			}
			if got := len(body); got != min(n, max) {
				t.Errorf("n=%d chunked=%q: read %d bytes, want %d", n, chunked, got, min(n, max))
			}
		}
	}
}

func TestTimeout(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done() // never answers; returns when the client gives up
	}))
	defer srv.Close()
	c := New(Config{Allow: loopback, Timeout: 100 * time.Millisecond})
	defer c.CloseIdleConnections()
	_, err := get(c, srv.URL)
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("err = %v, want a timeout", err)
	}
}

func TestUserAgent(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.UserAgent())
	}))
	defer srv.Close()
	c := New(Config{Allow: loopback, UserAgent: "enricher-test/1"})
	defer c.CloseIdleConnections()

	body, err := get(c, srv.URL)
	if err != nil || string(body) != "enricher-test/1" {
		t.Errorf("default: got %q, %v", body, err)
	}
	req, _ := http.NewRequest("GET", srv.URL, nil)
	req.Header.Set("User-Agent", "caller/2")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if b, _ := io.ReadAll(resp.Body); string(b) != "caller/2" {
		t.Errorf("caller's User-Agent replaced: got %q", b)
	}
}

func TestControl(t *testing.T) {
	g := &guard{allow: loopback}
	tests := []struct {
		address string
		want    error
	}{
		{"127.0.0.1:80", nil},
		{"[::1]:80", ErrForbiddenAddress},
		{"169.254.169.254:80", ErrForbiddenAddress},
		{"8.8.8.8:443", nil},
		{"not-an-address", ErrForbiddenAddress},
	}
	for _, tt := range tests {
		if err := g.control("tcp", tt.address, nil); !errors.Is(err, tt.want) {
			t.Errorf("control(%s) = %v, want %v", tt.address, err, tt.want)
		}
	}
}
