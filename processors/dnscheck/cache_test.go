package dnscheck

import (
	"fmt"
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestPackRoundTrip(t *testing.T) {
	long := strings.Repeat("a", 63) + "." + strings.Repeat("b", 63) + "." + strings.Repeat("c", 63) + ".example"
	many := make([]MX, 300) // more than a byte can count
	for i := range many {
		many[i] = MX{Pref: uint16(i * 300), Host: fmt.Sprintf("mx%d.example", i)}
	}
	tests := []Domain{
		{Status: OK, MX: []MX{{Pref: 10, Host: "mx1.example.com"}, {Pref: 20, Host: "mx2.example.com"}}, Detail: "MX: 2 record(s)"},
		{Status: OK, MX: []MX{{Pref: 65535, Host: long}}},
		{Status: OK, MX: many, Detail: "MX: 300 record(s)"},
		{Status: OK, Fallback: []netip.Addr{netip.MustParseAddr("8.8.8.8"), netip.MustParseAddr("2001:4860::8888")}, Detail: "no MX; 2 routable A/AAAA address(es) used as implicit MX"},
		{Status: Unroutable, Fallback: []netip.Addr{netip.MustParseAddr("10.0.0.1")}, Detail: "no MX; A/AAAA [10.0.0.1] not globally routable"},
		{Status: NullMX, Detail: "MX: null MX (RFC 7505), the domain accepts no mail"},
		{Status: NoRecords, NXDomain: true, Detail: "MX: NXDOMAIN, the domain does not exist"},
		{Status: NoRecords, Detail: "no MX, A or AAAA records"},
		{Status: TempFail, Detail: "MX: SERVFAIL"},
		{Status: TempFail, NXDomain: true},
		{Status: OK, Detail: "é ünïcode \x00 and \xff bytes"},
	}
	for _, want := range tests {
		got := unpack(pack(want))
		if !reflect.DeepEqual(got, want) {
			t.Errorf("unpack(pack(%+v))\n = %+v", want, got)
		}
	}
}

// TestCacheReusesSlots fills a small cache over and over, with entries
// that expire and entries pushed out, and checks it against a plain model.
func TestCacheReusesSlots(t *testing.T) {
	const size = 8
	c := newCache(size)
	now := time.Unix(1_700_000_000, 0)
	var order []string // model: most recently used first
	touch := func(name string) {
		for i, n := range order {
			if n == name {
				order = append(order[:i], order[i+1:]...)
				break
			}
		}
		order = append([]string{name}, order...)
	}
	for i := range 200 {
		name := fmt.Sprintf("d%d.example", i%13)
		if i%7 == 0 { // a short-lived answer, gone by the next step
			c.put(Domain{Name: name, Status: TempFail, Detail: "x", CheckedAt: now, TTL: time.Second})
		} else {
			c.put(Domain{Name: name, Status: OK, MX: []MX{{Pref: 1, Host: "mx." + name}}, CheckedAt: now, TTL: time.Hour})
		}
		touch(name)
		if len(order) > size {
			order = order[:size]
		}
		if d, ok := c.get(name, now); !ok || d.Name != name {
			t.Fatalf("step %d: get(%s) = %+v, %v just after put", i, name, d, ok)
		}
		if i%7 == 0 {
			now = now.Add(2 * time.Second)
			if _, ok := c.get(name, now); ok {
				t.Fatalf("step %d: %s still there after its TTL", i, name)
			}
			order = order[1:]
		}
		if c.len() != len(order) {
			t.Fatalf("step %d: cache holds %d entries, the model %d", i, c.len(), len(order))
		}
		if len(c.slots) > size {
			t.Fatalf("step %d: %d slots for a cache of %d", i, len(c.slots), size)
		}
	}
	// Walk the list from the head: the model's order, most recent first.
	var got []string
	for i := c.head; i >= 0; i = c.slots[i].next {
		got = append(got, c.slots[i].name)
	}
	if !reflect.DeepEqual(got, order) {
		t.Errorf("LRU order %v, want %v", got, order)
	}
}
