package dnscheck

import (
	"container/list"
	"sync"
	"time"
)

// cache is a size-bounded LRU map from domain name to result, where each
// entry also expires at its own time. It is safe for concurrent use.
type cache struct {
	mu    sync.Mutex
	max   int
	ll    *list.List // front is most recently used; values are *entry
	items map[string]*list.Element
}

type entry struct {
	name    string
	d       Domain
	expires time.Time
}

func newCache(size int) *cache {
	return &cache{max: size, ll: list.New(), items: make(map[string]*list.Element)}
}

// get returns the unexpired entry for name at time now.
func (c *cache) get(name string, now time.Time) (Domain, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[name]
	if !ok {
		return Domain{}, false
	}
	e := el.Value.(*entry)
	if !now.Before(e.expires) {
		c.ll.Remove(el)
		delete(c.items, name)
		return Domain{}, false
	}
	c.ll.MoveToFront(el)
	return e.d, true
}

// put stores d for name until expires, evicting the least recently used
// entry when the cache is full.
func (c *cache) put(name string, d Domain, expires time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[name]; ok {
		el.Value = &entry{name, d, expires}
		c.ll.MoveToFront(el)
		return
	}
	c.items[name] = c.ll.PushFront(&entry{name, d, expires})
	for c.ll.Len() > c.max {
		old := c.ll.Back()
		c.ll.Remove(old)
		delete(c.items, old.Value.(*entry).name)
	}
}

// len returns the number of entries, expired or not.
func (c *cache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ll.Len()
}
