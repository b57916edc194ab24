// Package dnstest runs a small authoritative-style DNS server on the
// loopback interface for tests and benchmarks.
//
// The server answers from an in-memory Zone over UDP and TCP on the same
// port. It never recurses and never sends traffic anywhere but back to the
// client that asked.
package dnstest

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/miekg/dns"
)

// DefaultTTL is the TTL of records whose Domain has no TTL set.
const DefaultTTL = 300

// Zone maps a domain name (lower case, without the trailing dot) to its
// records. Names not in the zone are answered with NXDOMAIN. To make MX
// host addresses resolvable, add the MX host names to the zone as well.
type Zone map[string]Domain

// MX is a mail exchanger record. A single MX with Host "." is a null MX
// (RFC 7505).
type MX struct {
	Pref uint16
	Host string
}

// Domain holds the records and the behaviour of one name.
type Domain struct {
	MX   []MX
	A    []netip.Addr // IPv4 addresses; others are ignored
	AAAA []netip.Addr // IPv6 addresses; others are ignored
	TTL  uint32       // TTL of every record of the name; DefaultTTL if 0

	// Rcode, if not zero, is returned for every question about the name
	// (for example dns.RcodeServerFailure or dns.RcodeRefused), with no
	// records.
	Rcode int
	// Drop makes the server read questions about the name and never
	// answer them, so that clients time out.
	Drop bool
}

// Option configures a Server.
type Option func(*Server)

// Delay makes the server wait d before sending every answer.
func Delay(d time.Duration) Option {
	return func(s *Server) { s.delay = d }
}

// Server is a running DNS server. Its methods are safe for concurrent use.
type Server struct {
	zone    Zone
	delay   time.Duration
	addr    string
	udp     *net.UDPConn
	served  sync.WaitGroup // the UDP loop and the sender of delayed answers
	delayed chan delayedAnswer
	tcp     *dns.Server
	done    chan struct{}
	closing sync.Once
	queries atomic.Int64

	mu      sync.Mutex
	clients map[netip.AddrPort]int // questions by client address, dropped ones too
}

// Start listens on 127.0.0.1 on a free port, for UDP and TCP on the same
// port, and serves zone until Close. The zone must not be modified while
// the server runs.
func Start(zone Zone, opts ...Option) (*Server, error) {
	s := &Server{zone: make(Zone, len(zone)), done: make(chan struct{})}
	for name, d := range zone {
		s.zone[canonical(name)] = d
	}
	for _, o := range opts {
		o(s)
	}
	pc, ln, err := listen()
	if err != nil {
		return nil, err
	}
	s.addr = pc.LocalAddr().String()
	s.udp = pc
	if s.delay > 0 {
		s.delayed = make(chan delayedAnswer, 4096)
		s.served.Go(s.sendDelayed)
	}
	s.served.Go(s.serveUDP)
	s.tcp = &dns.Server{Listener: ln, Handler: s}
	started := make(chan struct{})
	s.tcp.NotifyStartedFunc = func() { close(started) }
	failed := make(chan error, 1)
	go func() { failed <- s.tcp.ActivateAndServe() }()
	select {
	case <-started:
	case err := <-failed:
		s.Close()
		return nil, fmt.Errorf("dnstest: serve: %w", err)
	}
	return s, nil
}

// listen binds a UDP socket on a free loopback port and a TCP listener on
// the same port, retrying when the TCP port happens to be taken.
func listen() (*net.UDPConn, net.Listener, error) {
	var lastErr error
	for range 20 {
		pc, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			return nil, nil, fmt.Errorf("dnstest: %w", err)
		}
		ln, err := net.Listen("tcp4", pc.LocalAddr().String())
		if err == nil {
			return pc, ln, nil
		}
		pc.Close()
		lastErr = err
	}
	return nil, nil, fmt.Errorf("dnstest: no port free for UDP and TCP: %w", lastErr)
}

// Addr returns the address of the server, "127.0.0.1:port".
func (s *Server) Addr() string { return s.addr }

// Queries returns the number of questions answered so far, over UDP and
// TCP. Dropped questions are not counted.
func (s *Server) Queries() int64 { return s.queries.Load() }

// Clients returns how many questions came from each client address
// ("127.0.0.1:40123"), dropped ones included.
func (s *Server) Clients() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.clients))
	for addr, n := range s.clients {
		out[addr.String()] = n
	}
	return out
}

// Close stops the server. Answers still waiting for their Delay are not
// sent.
func (s *Server) Close() error {
	var errs []error
	s.closing.Do(func() {
		close(s.done)
		if err := s.udp.Close(); err != nil {
			errs = append(errs, err)
		}
		s.served.Wait()
		if s.tcp != nil {
			if err := s.tcp.Shutdown(); err != nil {
				errs = append(errs, err)
			}
		}
	})
	return errors.Join(errs...)
}

// serveUDP answers the questions that come over UDP until the socket is
// closed. It reads, parses and answers each in turn, on one goroutine, and
// hands an answer to sendDelayed when there is a Delay: a benchmark sends
// it tens of thousands of questions, and the server's CPU is taken from
// the clients it serves.
func (s *Server) serveUDP() {
	buf := make([]byte, dns.MaxMsgSize)
	for {
		n, from, err := s.udp.ReadFromUDPAddrPort(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		req := new(dns.Msg)
		if req.Unpack(buf[:n]) != nil {
			continue // not a DNS message
		}
		m := s.reply(req, from)
		if m == nil {
			continue
		}
		size := dns.MinMsgSize
		if opt := req.IsEdns0(); opt != nil {
			size = int(opt.UDPSize())
		}
		m.Truncate(size)
		out, err := m.Pack()
		if err != nil {
			continue
		}
		if s.delay <= 0 {
			s.queries.Add(1)
			s.udp.WriteToUDPAddrPort(out, from)
			continue
		}
		select {
		case s.delayed <- delayedAnswer{out: out, to: from, due: time.Now().Add(s.delay)}:
		case <-s.done:
			return
		}
	}
}

// delayedAnswer is an answer to send to at due.
type delayedAnswer struct {
	out []byte
	to  netip.AddrPort
	due time.Time
}

// sendDelayed sends the delayed answers in the order they were made. Every
// answer waits the same Delay, so they fall due in that order too, and one
// goroutine and one timer serve them all: when a burst of questions is
// answered, the answers of the burst are sent on one wake.
func (s *Server) sendDelayed() {
	t := time.NewTimer(s.delay)
	defer t.Stop()
	for {
		var a delayedAnswer
		select {
		case a = <-s.delayed:
		case <-s.done:
			return // answers still waiting are not sent
		}
		if wait := time.Until(a.due); wait > 0 {
			t.Reset(wait)
			select {
			case <-t.C:
			case <-s.done:
				return
			}
		}
		s.queries.Add(1)
		s.udp.WriteToUDPAddrPort(a.out, a.to)
	}
}

// ServeDNS implements dns.Handler, for questions over TCP.
func (s *Server) ServeDNS(w dns.ResponseWriter, req *dns.Msg) {
	var from netip.AddrPort
	if a, ok := w.RemoteAddr().(*net.TCPAddr); ok {
		from = netip.AddrPortFrom(a.AddrPort().Addr().Unmap(), a.AddrPort().Port())
	}
	m := s.reply(req, from)
	if m == nil {
		return
	}
	if s.delay > 0 {
		t := time.NewTimer(s.delay)
		select {
		case <-t.C:
		case <-s.done:
			t.Stop()
			return
		}
	}
	s.queries.Add(1)
	w.WriteMsg(m)
}

// reply counts the question of req from the client at from and returns
// the answer, or nil when the question is to be dropped.
func (s *Server) reply(req *dns.Msg, from netip.AddrPort) *dns.Msg {
	if len(req.Question) != 1 {
		m := new(dns.Msg)
		m.SetRcode(req, dns.RcodeFormatError)
		return m
	}
	s.mu.Lock()
	if s.clients == nil {
		s.clients = map[netip.AddrPort]int{}
	}
	s.clients[from]++
	s.mu.Unlock()
	name := canonical(req.Question[0].Name)
	d, ok := s.zone[name]
	if ok && d.Drop {
		return nil
	}
	return s.answer(req, name, d, ok)
}

// answer builds the reply to the single question of req.
func (s *Server) answer(req *dns.Msg, name string, d Domain, ok bool) *dns.Msg {
	m := new(dns.Msg)
	m.SetReply(req)
	m.Authoritative = true
	m.RecursionAvailable = req.RecursionDesired
	if opt := req.IsEdns0(); opt != nil {
		m.SetEdns0(opt.UDPSize(), false)
	}
	if !ok {
		m.Rcode = dns.RcodeNameError
		m.Ns = []dns.RR{soa(name, DefaultTTL)}
		return m
	}
	if d.Rcode != dns.RcodeSuccess {
		m.Rcode = d.Rcode
		return m
	}
	q := req.Question[0]
	m.Answer = records(q.Name, q.Qtype, d)
	if len(m.Answer) == 0 {
		m.Ns = []dns.RR{soa(name, ttl(d))}
		return m
	}
	if q.Qtype == dns.TypeMX {
		// Like an authoritative server, add the addresses of MX hosts
		// that the zone knows.
		for _, mx := range d.MX {
			host := canonical(mx.Host)
			if h, ok := s.zone[host]; ok && host != "" && !h.Drop && h.Rcode == 0 {
				m.Extra = append(m.Extra, records(dns.Fqdn(host), dns.TypeA, h)...)
				m.Extra = append(m.Extra, records(dns.Fqdn(host), dns.TypeAAAA, h)...)
			}
		}
	}
	return m
}

// records returns the records of d of type qtype, owned by owner.
func records(owner string, qtype uint16, d Domain) []dns.RR {
	hdr := func(t uint16) dns.RR_Header {
		return dns.RR_Header{Name: owner, Rrtype: t, Class: dns.ClassINET, Ttl: ttl(d)}
	}
	var rrs []dns.RR
	switch qtype {
	case dns.TypeMX:
		for _, mx := range d.MX {
			rrs = append(rrs, &dns.MX{Hdr: hdr(dns.TypeMX), Preference: mx.Pref, Mx: dns.Fqdn(mx.Host)})
		}
	case dns.TypeA:
		for _, a := range d.A {
			if a.Is4() {
				rrs = append(rrs, &dns.A{Hdr: hdr(dns.TypeA), A: a.AsSlice()})
			}
		}
	case dns.TypeAAAA:
		for _, a := range d.AAAA {
			if a.Is6() {
				rrs = append(rrs, &dns.AAAA{Hdr: hdr(dns.TypeAAAA), AAAA: a.AsSlice()})
			}
		}
	}
	return rrs
}

// soa returns the SOA record sent in the authority section of negative
// answers; its TTL and MINIMUM are both ttl (RFC 2308).
func soa(name string, ttl uint32) dns.RR {
	return &dns.SOA{
		Hdr:     dns.RR_Header{Name: dns.Fqdn(name), Rrtype: dns.TypeSOA, Class: dns.ClassINET, Ttl: ttl},
		Ns:      "ns.dnstest.invalid.",
		Mbox:    "hostmaster.dnstest.invalid.",
		Serial:  1,
		Refresh: 3600,
		Retry:   600,
		Expire:  86400,
		Minttl:  ttl,
	}
}

func ttl(d Domain) uint32 {
	if d.TTL == 0 {
		return DefaultTTL
	}
	return d.TTL
}

// canonical lower-cases name and removes its trailing dot.
func canonical(name string) string {
	return strings.TrimSuffix(strings.ToLower(name), ".")
}

// Ensure Server keeps satisfying dns.Handler.
var _ dns.Handler = (*Server)(nil)
