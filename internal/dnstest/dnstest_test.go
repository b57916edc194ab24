package dnstest

import (
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/miekg/dns"
)

func start(t *testing.T, zone Zone, opts ...Option) *Server {
	t.Helper()
	s, err := Start(zone, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func exchange(t *testing.T, s *Server, network, name string, qtype uint16) *dns.Msg {
	t.Helper()
	m := new(dns.Msg)
	m.SetQuestion(dns.Fqdn(name), qtype)
	c := &dns.Client{Net: network, Timeout: 2 * time.Second}
	r, _, err := c.Exchange(m, s.Addr())
	if err != nil {
		t.Fatalf("%s %s %s: %v", network, name, dns.TypeToString[qtype], err)
	}
	return r
}

func TestAnswers(t *testing.T) {
	zone := Zone{
		"Example.COM":      {MX: []MX{{10, "mx.example.com"}}, A: []netip.Addr{netip.MustParseAddr("8.8.4.4")}, TTL: 60},
		"mx.example.com":   {A: []netip.Addr{netip.MustParseAddr("8.8.8.8")}},
		"null.example":     {MX: []MX{{0, "."}}},
		"v6.example":       {AAAA: []netip.Addr{netip.MustParseAddr("2606:4700::1")}},
		"servfail.example": {Rcode: dns.RcodeServerFailure},
		"refused.example":  {Rcode: dns.RcodeRefused},
	}
	s := start(t, zone)
	tests := []struct {
		name      string
		qtype     uint16
		rcode     int
		answer    []string // record data, in order
		soa       bool
		extraLens int
	}{
		{"example.com", dns.TypeMX, dns.RcodeSuccess, []string{"10 mx.example.com."}, false, 1},
		{"EXAMPLE.com.", dns.TypeA, dns.RcodeSuccess, []string{"8.8.4.4"}, false, 0},
		{"example.com", dns.TypeAAAA, dns.RcodeSuccess, nil, true, 0},
		{"null.example", dns.TypeMX, dns.RcodeSuccess, []string{"0 ."}, false, 0},
		{"v6.example", dns.TypeAAAA, dns.RcodeSuccess, []string{"2606:4700::1"}, false, 0},
		{"v6.example", dns.TypeMX, dns.RcodeSuccess, nil, true, 0},
		{"missing.example", dns.TypeMX, dns.RcodeNameError, nil, true, 0},
		{"servfail.example", dns.TypeMX, dns.RcodeServerFailure, nil, false, 0},
		{"refused.example", dns.TypeA, dns.RcodeRefused, nil, false, 0},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%s", tt.name, dns.TypeToString[tt.qtype]), func(t *testing.T) {
			r := exchange(t, s, "udp", tt.name, tt.qtype)
			if r.Rcode != tt.rcode {
				t.Fatalf("rcode = %s, want %s", dns.RcodeToString[r.Rcode], dns.RcodeToString[tt.rcode])
			}
			var got []string
			for _, rr := range r.Answer {
				hdr := rr.Header().String()
				got = append(got, rr.String()[len(hdr):])
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.answer) {
				t.Errorf("answer = %q, want %q", got, tt.answer)
			}
			hasSOA := len(r.Ns) == 1 && r.Ns[0].Header().Rrtype == dns.TypeSOA
			if hasSOA != tt.soa {
				t.Errorf("SOA in authority = %v, want %v (%v)", hasSOA, tt.soa, r.Ns)
			}
			if len(r.Extra) != tt.extraLens {
				t.Errorf("additional = %v, want %d records", r.Extra, tt.extraLens)
			}
		})
	}
	if got, want := s.Queries(), int64(len(tests)); got != want {
		t.Errorf("Queries() = %d, want %d", got, want)
	}
}

func TestTruncationAndTCP(t *testing.T) {
	var mx []MX
	for i := range 100 {
		mx = append(mx, MX{uint16(i), fmt.Sprintf("mail-exchanger-%03d.big.example", i)})
	}
	s := start(t, Zone{"big.example": {MX: mx}})
	if r := exchange(t, s, "udp", "big.example", dns.TypeMX); !r.Truncated {
		t.Errorf("UDP answer of %d records not truncated", len(r.Answer))
	}
	if r := exchange(t, s, "tcp", "big.example", dns.TypeMX); r.Truncated || len(r.Answer) != len(mx) {
		t.Errorf("TCP answer: truncated %v, %d records, want %d", r.Truncated, len(r.Answer), len(mx))
	}
}

func TestDrop(t *testing.T) {
	s := start(t, Zone{"drop.example": {Drop: true}})
	m := new(dns.Msg)
	m.SetQuestion("drop.example.", dns.TypeMX)
	c := &dns.Client{Timeout: 50 * time.Millisecond}
	if _, _, err := c.Exchange(m, s.Addr()); err == nil {
		t.Fatal("dropped question answered")
	}
	if n := s.Queries(); n != 0 {
		t.Errorf("Queries() = %d, want 0", n)
	}
}

func TestDelayAndClose(t *testing.T) {
	const delay = 30 * time.Millisecond
	s := start(t, Zone{"a.example": {}}, Delay(delay))
	begin := time.Now()
	exchange(t, s, "udp", "a.example", dns.TypeA)
	if d := time.Since(begin); d < delay {
		t.Errorf("answer after %v, want at least %v", d, delay)
	}
	if err := s.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// TestDelayedBurst sends many questions at once: each is answered, the
// answer to its own question, no sooner than the delay.
func TestDelayedBurst(t *testing.T) {
	const delay, n = 20 * time.Millisecond, 200
	zone := Zone{}
	for i := range n {
		zone[fmt.Sprintf("d%d.example", i)] = Domain{A: []netip.Addr{netip.AddrFrom4([4]byte{192, 0, 2, byte(i)})}}
	}
	s := start(t, zone, Delay(delay))
	errs := make(chan error, n)
	for i := range n {
		go func() {
			name := fmt.Sprintf("d%d.example.", i)
			m := new(dns.Msg)
			m.SetQuestion(name, dns.TypeA)
			begin := time.Now()
			r, _, err := (&dns.Client{Timeout: 5 * time.Second}).Exchange(m, s.Addr())
			switch {
			case err != nil:
				errs <- fmt.Errorf("%s: %w", name, err)
			case time.Since(begin) < delay:
				errs <- fmt.Errorf("%s answered after %v, before the delay", name, time.Since(begin))
			case len(r.Answer) != 1 || r.Answer[0].(*dns.A).A[3] != byte(i):
				errs <- fmt.Errorf("%s: answer %v", name, r.Answer)
			default:
				errs <- nil
			}
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if got := s.Queries(); got != n {
		t.Errorf("Queries() = %d, want %d", got, n)
	}
}

// A delay of zero or less answers at once.
func TestNoDelay(t *testing.T) {
	for _, d := range []time.Duration{0, -time.Millisecond} {
		s := start(t, Zone{"a.example": {A: []netip.Addr{netip.MustParseAddr("192.0.2.1")}}}, Delay(d))
		if r := exchange(t, s, "udp", "a.example", dns.TypeA); len(r.Answer) != 1 {
			t.Errorf("delay %v: answer %v", d, r.Answer)
		}
	}
}
