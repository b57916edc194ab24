package dnscheck

import (
	"encoding/binary"
	"net/netip"
	"sync"
	"time"
)

// cache is a size-bounded LRU map from domain name to result, where each
// entry also expires at its own time. It is safe for concurrent use.
//
// A cache of a hundred thousand domains must stay small, so the entries
// live in one slice linked by index, not in a node each, and each result
// is packed into one string (see pack), a few dozen bytes for a usual
// domain, that holds no pointers for the garbage collector to follow.
type cache struct {
	mu    sync.Mutex
	max   int
	slots []slot
	index map[string]int32 // name -> position in slots
	free  []int32          // slots of removed entries, to be used again
	head  int32            // the most recently used slot, or -1
	tail  int32            // the least recently used slot, or -1
}

type slot struct {
	name       string
	packed     string // the result but its name, time and TTL; see pack
	checkedAt  time.Time
	ttl        time.Duration
	prev, next int32 // towards head and tail; -1 at the ends
}

func newCache(size int) *cache {
	return &cache{max: size, index: make(map[string]int32), head: -1, tail: -1}
}

// get returns the unexpired entry for name at time now.
func (c *cache) get(name string, now time.Time) (Domain, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	i, ok := c.index[name]
	if !ok {
		return Domain{}, false
	}
	s := &c.slots[i]
	if !now.Before(s.checkedAt.Add(s.ttl)) {
		c.remove(i)
		return Domain{}, false
	}
	c.toFront(i)
	d := unpack(s.packed)
	d.Name, d.CheckedAt, d.TTL = s.name, s.checkedAt, s.ttl
	return d, true
}

// put stores d under its name until d.CheckedAt + d.TTL, evicting the
// least recently used entry when the cache is full.
func (c *cache) put(d Domain) {
	packed := pack(d)
	c.mu.Lock()
	defer c.mu.Unlock()
	if i, ok := c.index[d.Name]; ok {
		s := &c.slots[i]
		s.packed, s.checkedAt, s.ttl = packed, d.CheckedAt, d.TTL
		c.toFront(i)
		return
	}
	if len(c.index) >= c.max && c.tail >= 0 {
		c.remove(c.tail)
	}
	// The name is often cut from a longer string (an address, a record):
	// a copy of its own lets that go.
	s := slot{name: string([]byte(d.Name)), packed: packed, checkedAt: d.CheckedAt, ttl: d.TTL, prev: -1, next: -1}
	var i int32
	if n := len(c.free); n > 0 {
		i, c.free = c.free[n-1], c.free[:n-1]
		c.slots[i] = s
	} else {
		i = int32(len(c.slots))
		c.slots = append(c.slots, s)
	}
	c.index[s.name] = i
	c.link(i)
}

// len returns the number of entries, expired or not.
func (c *cache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.index)
}

func (c *cache) remove(i int32) {
	c.unlink(i)
	delete(c.index, c.slots[i].name)
	c.slots[i] = slot{}
	c.free = append(c.free, i)
}

func (c *cache) toFront(i int32) {
	if c.head != i {
		c.unlink(i)
		c.link(i)
	}
}

// link puts slot i, not in the list, at its head.
func (c *cache) link(i int32) {
	s := &c.slots[i]
	s.prev, s.next = -1, c.head
	if c.head >= 0 {
		c.slots[c.head].prev = i
	}
	c.head = i
	if c.tail < 0 {
		c.tail = i
	}
}

func (c *cache) unlink(i int32) {
	s := &c.slots[i]
	if s.prev >= 0 {
		c.slots[s.prev].next = s.next
	} else {
		c.head = s.next
	}
	if s.next >= 0 {
		c.slots[s.next].prev = s.prev
	} else {
		c.tail = s.prev
	}
	s.prev, s.next = -1, -1
}

// Status codes of a packed result.
var statusCodes = []Status{OK, NullMX, NoRecords, Unroutable, TempFail}

const nxFlag = 0x80

// pack encodes d but its Name, CheckedAt and TTL as one string: a byte of
// status (its index in statusCodes, with nxFlag for NXDomain), the count
// of MX records and each one's preference and host, the count of fallback
// addresses and each one's bytes, then Detail. Counts and lengths are
// unsigned varints.
func pack(d Domain) string {
	n := 1 + 2*binary.MaxVarintLen16 + len(d.Detail)
	for _, m := range d.MX {
		n += 2 + binary.MaxVarintLen16 + len(m.Host)
	}
	n += len(d.Fallback) * 17
	b := make([]byte, 0, n)

	code := byte(0)
	for i, s := range statusCodes {
		if s == d.Status {
			code = byte(i)
		}
	}
	if d.NXDomain {
		code |= nxFlag
	}
	b = append(b, code)
	b = binary.AppendUvarint(b, uint64(len(d.MX)))
	for _, m := range d.MX {
		b = binary.BigEndian.AppendUint16(b, m.Pref)
		b = binary.AppendUvarint(b, uint64(len(m.Host)))
		b = append(b, m.Host...)
	}
	b = binary.AppendUvarint(b, uint64(len(d.Fallback)))
	for _, a := range d.Fallback {
		raw := a.AsSlice()
		b = append(b, byte(len(raw)))
		b = append(b, raw...)
	}
	b = append(b, d.Detail...)
	return string(b)
}

// unpack decodes what pack encoded. The hosts and the detail share the
// memory of p; the slices are new, so a caller may change them.
func unpack(p string) Domain {
	var d Domain
	code := p[0]
	d.NXDomain = code&nxFlag != 0
	d.Status = statusCodes[code&^nxFlag]
	p = p[1:]
	n, p := uvarint(p)
	if n > 0 {
		d.MX = make([]MX, n)
		for i := range d.MX {
			d.MX[i].Pref = uint16(p[0])<<8 | uint16(p[1])
			var l int
			l, p = uvarint(p[2:])
			d.MX[i].Host, p = p[:l], p[l:]
		}
	}
	n, p = uvarint(p)
	if n > 0 {
		d.Fallback = make([]netip.Addr, n)
		for i := range d.Fallback {
			l := int(p[0])
			d.Fallback[i], _ = netip.AddrFromSlice([]byte(p[1 : 1+l]))
			p = p[1+l:]
		}
	}
	d.Detail = p
	return d
}

func uvarint(p string) (int, string) {
	var v uint64
	var shift uint
	for i := 0; i < len(p); i++ {
		c := p[i]
		v |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return int(v), p[i+1:]
		}
		shift += 7
	}
	return int(v), ""
}
