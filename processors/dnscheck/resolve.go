package dnscheck

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"
)

// outcome classifies the answer to one query.
type outcome int

const (
	found    outcome = iota // records of the asked type
	nodata                  // NOERROR without records of the asked type
	nxdomain                // the name does not exist
	failed                  // no usable answer: SERVFAIL, REFUSED, timeout...
)

// answer is the result of one query.
type answer struct {
	outcome outcome
	rrs     []dns.RR      // records of the asked type, when found
	ttl     time.Duration // cache time allowed by the answer
	detail  string        // "MX: SERVFAIL" and the like, when failed
}

// resolve looks name up and caches the result, unless ctx was cancelled.
func (r *Resolver) resolve(ctx context.Context, name string) Domain {
	now := r.now()
	if d, ok := r.cache.get(name, now); ok {
		return d // a resolution that ended since Lookup looked
	}
	d := Domain{Name: name, CheckedAt: now}
	mx := r.query(ctx, name, dns.TypeMX)
	switch mx.outcome {
	case found:
		r.fromMX(&d, mx)
	case nxdomain:
		d.Status, d.NXDomain, d.TTL = NoRecords, true, mx.ttl
		d.Detail = "MX: NXDOMAIN, the domain does not exist"
	case failed:
		d.Status, d.Detail, d.TTL = TempFail, mx.detail, tempFailTTL
	case nodata:
		r.fromAddrs(ctx, &d, mx.ttl)
	}
	if err := ctx.Err(); err != nil {
		return r.canceled(name, err)
	}
	r.cache.put(d)
	return d
}

// fromMX fills d from MX records.
func (r *Resolver) fromMX(d *Domain, mx answer) {
	d.TTL = mx.ttl
	null := 0
	for _, rr := range mx.rrs {
		m := rr.(*dns.MX)
		host := strings.TrimSuffix(strings.ToLower(m.Mx), ".")
		if host == "" {
			null++
			continue
		}
		d.MX = append(d.MX, MX{Pref: m.Preference, Host: host})
	}
	if len(d.MX) == 0 {
		// RFC 7505 section 3: a single "0 ." record; anything else
		// made only of "." hosts is no more deliverable.
		d.Status, d.Detail = NullMX, "MX: null MX (RFC 7505), the domain accepts no mail"
		return
	}
	slices.SortFunc(d.MX, func(a, b MX) int {
		return cmp.Or(cmp.Compare(a.Pref, b.Pref), strings.Compare(a.Host, b.Host))
	})
	d.MX = slices.Compact(d.MX)
	d.Status = OK
	d.Detail = fmt.Sprintf("MX: %d record(s)", len(d.MX))
	if null > 0 {
		d.Detail += fmt.Sprintf(", %d null MX record(s) ignored", null)
	}
}

// fromAddrs fills d for a domain without MX records from its A and AAAA
// records, asked for in parallel. mxTTL is the negative TTL of the MX
// query.
func (r *Resolver) fromAddrs(ctx context.Context, d *Domain, mxTTL time.Duration) {
	var a, aaaa answer
	var wg sync.WaitGroup
	wg.Go(func() { a = r.query(ctx, d.Name, dns.TypeA) })
	aaaa = r.query(ctx, d.Name, dns.TypeAAAA)
	wg.Wait()

	d.TTL = mxTTL
	var all, routable []netip.Addr
	var failures []string
	for _, ans := range []answer{a, aaaa} {
		switch ans.outcome {
		case failed:
			failures = append(failures, ans.detail)
			continue
		case nxdomain:
			d.NXDomain = true // the name vanished since the MX query
		}
		d.TTL = min(d.TTL, ans.ttl)
		for _, rr := range ans.rrs {
			var ip net.IP
			switch rr := rr.(type) {
			case *dns.A:
				ip = rr.A
			case *dns.AAAA:
				ip = rr.AAAA
			}
			addr, ok := netip.AddrFromSlice(ip)
			if !ok {
				continue
			}
			if rr.Header().Rrtype == dns.TypeA {
				addr = addr.Unmap()
			}
			all = append(all, addr)
			if isRoutable(addr) || r.allowPrivate && isUsable(addr) {
				routable = append(routable, addr)
			}
		}
	}
	switch {
	case len(routable) > 0:
		d.Status, d.Fallback = OK, routable
		d.Detail = fmt.Sprintf("no MX; %d routable A/AAAA address(es) used as implicit MX", len(routable))
	case len(failures) > 0:
		d.Status, d.TTL = TempFail, tempFailTTL
		d.Detail = "no MX; " + strings.Join(failures, "; ")
	case len(all) > 0:
		d.Status, d.Fallback = Unroutable, all
		d.Detail = fmt.Sprintf("no MX; A/AAAA %v not globally routable", all)
	default:
		d.Status = NoRecords
		d.Detail = "no MX, A or AAAA records"
	}
}

// query asks for the records of type qtype of name and classifies the
// answer.
func (r *Resolver) query(ctx context.Context, name string, qtype uint16) answer {
	typ := dns.TypeToString[qtype]
	resp, err := r.exchange(ctx, name, qtype)
	if err != nil {
		return answer{outcome: failed, detail: fmt.Sprintf("%s: %v", typ, err)}
	}
	switch resp.Rcode {
	case dns.RcodeSuccess:
		var rrs []dns.RR
		var ttl uint32
		for _, rr := range resp.Answer { // may start with a CNAME chain
			if h := rr.Header(); h.Rrtype == qtype && h.Class == dns.ClassINET {
				if len(rrs) == 0 || h.Ttl < ttl {
					ttl = h.Ttl
				}
				rrs = append(rrs, rr)
			}
		}
		if len(rrs) == 0 {
			return answer{outcome: nodata, ttl: r.negativeTTL(resp)}
		}
		return answer{outcome: found, rrs: rrs, ttl: clamp(seconds(ttl), r.minTTL, r.maxTTL)}
	case dns.RcodeNameError:
		return answer{outcome: nxdomain, ttl: r.negativeTTL(resp)}
	default:
		return answer{outcome: failed, detail: fmt.Sprintf("%s: %s", typ, dns.RcodeToString[resp.Rcode])}
	}
}

// negativeTTL returns how long a negative answer may be cached: the
// smaller of the SOA record's TTL and MINIMUM (RFC 2308 section 5), within
// the Config bounds.
func (r *Resolver) negativeTTL(resp *dns.Msg) time.Duration {
	for _, rr := range resp.Ns {
		if soa, ok := rr.(*dns.SOA); ok {
			return clamp(seconds(min(soa.Hdr.Ttl, soa.Minttl)), r.minTTL, r.negTTL)
		}
	}
	return r.negTTL
}

// exchange sends a query for name and qtype over UDP, again over TCP if
// the answer is truncated, and repeats it on timeouts up to the number of
// attempts.
func (r *Resolver) exchange(ctx context.Context, name string, qtype uint16) (*dns.Msg, error) {
	var err error
	for attempt := 1; attempt <= r.attempts; attempt++ {
		m := new(dns.Msg)
		m.SetQuestion(dns.Fqdn(name), qtype) // random ID, recursion desired
		m.SetEdns0(ednsSize, false)
		var resp *dns.Msg
		resp, err = r.send(ctx, r.udp, m)
		if err == nil && resp.Truncated {
			resp, err = r.send(ctx, r.tcp, m)
		}
		if err == nil {
			return resp, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		var nerr net.Error
		if !errors.As(err, &nerr) || !nerr.Timeout() {
			return nil, err
		}
	}
	if r.attempts > 1 {
		return nil, fmt.Errorf("no answer after %d attempts: %w", r.attempts, err)
	}
	return nil, err
}

// send sends m with c once, holding a concurrency token, and checks that
// the answer is for the question asked.
func (r *Resolver) send(ctx context.Context, c *dns.Client, m *dns.Msg) (*dns.Msg, error) {
	select {
	case r.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-r.sem }()

	r.queries.Add(1)
	conn, err := r.conn(ctx, c)
	if err != nil {
		return nil, err
	}
	// The client obeys only the deadline of ctx; closing the connection
	// ends the exchange on cancellation too.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	resp, _, err := c.ExchangeWithConnContext(ctx, m, conn.Conn)
	if err == nil {
		q := m.Question[0]
		if len(resp.Question) != 1 || !strings.EqualFold(resp.Question[0].Name, q.Name) ||
			resp.Question[0].Qtype != q.Qtype || resp.Question[0].Qclass != q.Qclass {
			err = errors.New("answer does not match the question")
		}
	}
	if !stop() || err != nil {
		conn.Close()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, err
	}
	r.release(c, conn)
	return resp, nil
}

// A UDP socket serves at most socketUses queries, one at a time, before it
// is closed: each new one gets a port of the kernel's random choosing, so
// the port an answer must hit keeps changing (RFC 5452), while the cost of
// a socket is shared by a few queries.
const socketUses = 32

// pooledConn is a connection to the server with the number of queries it
// has sent.
type pooledConn struct {
	*dns.Conn
	uses int
}

// conn returns a connection for one exchange with c: an idle UDP socket
// when there is one, else a new connection.
func (r *Resolver) conn(ctx context.Context, c *dns.Client) (*pooledConn, error) {
	if c == r.udp {
		select {
		case pc := <-r.idle:
			pc.uses++
			return pc, nil
		default:
		}
	}
	conn, err := c.DialContext(ctx, r.server)
	if err != nil {
		return nil, err
	}
	return &pooledConn{Conn: conn, uses: 1}, nil
}

// release keeps pc, a connection of c, for the next query when it is a
// UDP socket with uses left, or closes it.
func (r *Resolver) release(c *dns.Client, pc *pooledConn) {
	if c != r.udp || pc.uses >= socketUses {
		pc.Close()
		return
	}
	select {
	case r.idle <- pc:
	default:
		pc.Close()
	}
}

func seconds(s uint32) time.Duration { return time.Duration(s) * time.Second }

func clamp(d, lo, hi time.Duration) time.Duration { return max(lo, min(d, hi)) }
