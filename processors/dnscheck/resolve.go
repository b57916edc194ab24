package dnscheck

import (
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"
	"golang.org/x/net/dns/dnsmessage"
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
	mx      []MX          // the MX records, when found; a null MX has Host ""
	addrs   []netip.Addr  // the A or AAAA records, when found
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
	for _, m := range mx.mx {
		if m.Host == "" {
			null++
			continue
		}
		d.MX = append(d.MX, m)
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
		for _, addr := range ans.addrs {
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
	msg, err := r.exchange(ctx, name, qtype)
	if err != nil {
		return answer{outcome: failed, detail: fmt.Sprintf("%s: %v", typ, err)}
	}
	ans, err := r.read(msg, qtype)
	if err != nil {
		return answer{outcome: failed, detail: fmt.Sprintf("%s: malformed answer: %v", typ, err)}
	}
	return ans
}

// read classifies msg, the answer to a question of type qtype whose ID and
// question send has checked. It reads the message where it lies rather
// than unpacking every record into a value of its own: a bulk check asks
// tens of thousands of questions.
func (r *Resolver) read(msg []byte, qtype uint16) (answer, error) {
	var p dnsmessage.Parser
	h, err := p.Start(msg)
	if err != nil {
		return answer{}, err
	}
	if err := p.SkipAllQuestions(); err != nil {
		return answer{}, err
	}
	switch h.RCode {
	case dnsmessage.RCodeSuccess:
	case dnsmessage.RCodeNameError:
		ttl, err := r.negativeTTL(&p)
		return answer{outcome: nxdomain, ttl: ttl}, err
	default:
		return answer{outcome: failed, detail: fmt.Sprintf("%s: %s", dns.TypeToString[qtype], dns.RcodeToString[int(h.RCode)])}, nil
	}
	var ans answer
	var ttl uint32
	n := 0
	for { // the answers may start with a CNAME chain
		rh, err := p.AnswerHeader()
		if errors.Is(err, dnsmessage.ErrSectionDone) {
			break
		}
		if err != nil {
			return answer{}, err
		}
		if uint16(rh.Type) != qtype || rh.Class != dnsmessage.ClassINET {
			if err := p.SkipAnswer(); err != nil {
				return answer{}, err
			}
			continue
		}
		switch rh.Type {
		case dnsmessage.TypeMX:
			mx, err := p.MXResource()
			if err != nil {
				return answer{}, err
			}
			host := strings.TrimSuffix(strings.ToLower(mx.MX.String()), ".")
			ans.mx = append(ans.mx, MX{Pref: mx.Pref, Host: host})
		case dnsmessage.TypeA:
			a, err := p.AResource()
			if err != nil {
				return answer{}, err
			}
			ans.addrs = append(ans.addrs, netip.AddrFrom4(a.A))
		case dnsmessage.TypeAAAA:
			a, err := p.AAAAResource()
			if err != nil {
				return answer{}, err
			}
			ans.addrs = append(ans.addrs, netip.AddrFrom16(a.AAAA))
		default:
			if err := p.SkipAnswer(); err != nil {
				return answer{}, err
			}
		}
		if n == 0 || rh.TTL < ttl {
			ttl = rh.TTL
		}
		n++
	}
	if n == 0 {
		ttl, err := r.negativeTTL(&p)
		return answer{outcome: nodata, ttl: ttl}, err
	}
	ans.outcome, ans.ttl = found, clamp(seconds(ttl), r.minTTL, r.maxTTL)
	return ans, nil
}

// negativeTTL returns how long a negative answer may be cached: the
// smaller of the SOA record's TTL and MINIMUM (RFC 2308 section 5), within
// the Config bounds. p is anywhere before the authority section.
func (r *Resolver) negativeTTL(p *dnsmessage.Parser) (time.Duration, error) {
	if err := p.SkipAllAnswers(); err != nil {
		return 0, err
	}
	for {
		h, err := p.AuthorityHeader()
		if errors.Is(err, dnsmessage.ErrSectionDone) {
			return r.negTTL, nil
		}
		if err != nil {
			return 0, err
		}
		if h.Type != dnsmessage.TypeSOA {
			if err := p.SkipAuthority(); err != nil {
				return 0, err
			}
			continue
		}
		soa, err := p.SOAResource()
		if err != nil {
			return 0, err
		}
		return clamp(seconds(min(h.TTL, soa.MinTTL)), r.minTTL, r.negTTL), nil
	}
}

// exchange sends a query for name and qtype over UDP, again over TCP if
// the answer is truncated, and repeats it on timeouts up to the number of
// attempts. It returns the answer as received.
func (r *Resolver) exchange(ctx context.Context, name string, qtype uint16) ([]byte, error) {
	var err error
	for attempt := 1; attempt <= r.attempts; attempt++ {
		m := new(dns.Msg)
		m.SetQuestion(dns.Fqdn(name), qtype) // random ID, recursion desired
		m.SetEdns0(ednsSize, false)
		var msg []byte
		msg, err = r.send(ctx, r.udp, m)
		if err == nil && truncated(msg) {
			msg, err = r.send(ctx, r.tcp, m)
		}
		if err == nil {
			return msg, nil
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

// truncated reports whether the TC bit of the DNS message msg is set.
func truncated(msg []byte) bool {
	var p dnsmessage.Parser
	h, err := p.Start(msg)
	return err == nil && h.Truncated
}

// send sends m with c once, holding a concurrency token, and returns the
// answer once it is for the question asked.
func (r *Resolver) send(ctx context.Context, c *dns.Client, m *dns.Msg) ([]byte, error) {
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
	// Closing the connection ends the exchange when ctx is cancelled.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	msg, err := r.roundTrip(ctx, c, conn, m)
	if !stop() || err != nil {
		conn.Close()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, err
	}
	r.release(c, conn)
	return msg, nil
}

// roundTrip writes m to conn and reads the answer, within the Timeout and
// the deadline of ctx. Over UDP, answers with another ID are ignored, as
// they may be late answers to an earlier question; an answer with the ID
// of m must be for its question.
func (r *Resolver) roundTrip(ctx context.Context, c *dns.Client, conn *pooledConn, m *dns.Msg) ([]byte, error) {
	deadline := time.Now().Add(r.timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	if err := conn.SetDeadline(deadline); err != nil {
		return nil, err
	}
	if err := conn.WriteMsg(m); err != nil {
		return nil, err
	}
	size := ednsSize
	if c != r.udp {
		size = dns.MaxMsgSize
	}
	buf := make([]byte, size)
	for {
		n, err := conn.Read(buf)
		if err != nil {
			return nil, err
		}
		msg := buf[:n]
		if len(msg) >= 2 && binary.BigEndian.Uint16(msg) != m.Id {
			if c == r.udp {
				continue
			}
			return nil, dns.ErrId
		}
		if err := answers(msg, m.Question[0]); err != nil {
			return nil, err
		}
		return msg, nil
	}
}

// answers checks that msg is an answer to the question q.
func answers(msg []byte, q dns.Question) error {
	var p dnsmessage.Parser
	h, err := p.Start(msg)
	if err != nil {
		return fmt.Errorf("malformed answer: %w", err)
	}
	if !h.Response {
		return errors.New("a question came back instead of an answer")
	}
	got, err := p.Question() // by value: AllQuestions allocates 264 bytes a question
	if errors.Is(err, dnsmessage.ErrSectionDone) {
		return errors.New("answer does not match the question: it has none")
	}
	if err != nil {
		return fmt.Errorf("malformed answer: %w", err)
	}
	if _, err := p.Question(); !errors.Is(err, dnsmessage.ErrSectionDone) {
		if err != nil {
			return fmt.Errorf("malformed answer: %w", err)
		}
		return errors.New("answer does not match the question: it has more than one")
	}
	if !strings.EqualFold(string(got.Name.Data[:got.Name.Length]), q.Name) ||
		uint16(got.Type) != q.Qtype || uint16(got.Class) != q.Qclass {
		return errors.New("answer does not match the question")
	}
	return nil
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
