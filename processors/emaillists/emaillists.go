// Package emaillists answers list questions about e-mail domains and local
// parts: is a domain disposable, a free/webmail or ISP provider, or a relay
// (alias-forwarding) service; is a local part a role mailbox; is an address a
// sub-addressed alias of another.
//
// The lists are embedded from the data directory; see data/README.md for
// their sources, licences and how to refresh them. Domains are matched on the
// domain itself and on every parent down to, but never including, its public
// suffix, so "x.mailinator.com" is disposable while a list entry can never
// make a whole public suffix such as "co.uk" or "dynv6.net" match.
package emaillists

import (
	"bufio"
	"embed"
	"fmt"
	"io/fs"
	"strings"
	"sync"

	"golang.org/x/net/publicsuffix"
)

//go:embed data/*.txt
var dataFS embed.FS

// Names of the data files.
const (
	fileDisposable = "data/disposable.txt"
	fileFree       = "data/free.txt"
	fileFreeExtra  = "data/free_extra.txt"
	fileRelay      = "data/relay.txt"
	fileRole       = "data/role.txt"
)

// Lists answers list questions about domains and local parts.
// A Lists is immutable and safe for concurrent use. The zero Lists matches
// nothing; use Default.
type Lists struct {
	domains    domainIndex         // disposable, free (none disposable or relay) and relay
	roles      map[string]struct{} // normalised local parts
	rolePrefix []string            // normalised local-part prefixes
	allow      map[string]struct{}
	deny       map[string]struct{}
	versions   Versions
}

// Versions reports the versions of the embedded lists, as
// "package version" of the published package each list was taken from.
type Versions struct {
	Disposable string // e.g. "disposable-email-domains 0.0.293"
	Free       string // e.g. "email-providers 2.26.0 + free_extra 2026.11.28"
}

// Overrides are user-supplied domain lists. Each entry matches the domain
// itself and all of its subdomains. Entries are normalised: surrounding
// space, a leading "@", "*." or "." and a trailing "." are removed, and
// letters are lower-cased. Empty entries are ignored.
type Overrides struct {
	// Allow lists domains that are never reported as disposable, free,
	// relay or denied.
	Allow []string
	// Deny lists domains that are reported as denied, which callers should
	// treat like disposable ones.
	Deny []string
}

var defaultLists = sync.OnceValue(func() *Lists {
	l, err := load(dataFS)
	if err != nil {
		panic("emaillists: embedded data: " + err.Error())
	}
	return l
})

// Default returns the embedded lists. They are parsed on first use and
// shared by all callers.
func Default() *Lists { return defaultLists() }

// With returns a copy of l with the overrides o added to any that l already
// has. An allowed domain wins over every list, including Deny.
func (l *Lists) With(o Overrides) *Lists {
	c := *l
	c.allow = mergeDomains(l.allow, o.Allow)
	c.deny = mergeDomains(l.deny, o.Deny)
	return &c
}

// Disposable reports whether domain belongs to a disposable (throw-away)
// e-mail service, unless it is allowed.
func (l *Lists) Disposable(domain string) bool {
	return l.kinds(domain)&kindDisposable != 0
}

// Free reports whether domain belongs to a free webmail provider or to a
// consumer ISP's mail service (gmail.com, yahoo.co.uk, gmx.de, comcast.net),
// unless it is allowed. Disposable and relay domains are not free.
func (l *Lists) Free(domain string) bool {
	return l.kinds(domain)&kindFree != 0
}

// Relay reports whether domain belongs to a relay or alias-forwarding
// service (privaterelay.appleid.com, duck.com, mozmail.com, simplelogin.*,
// anonaddy.*, addy.io), unless it is allowed.
func (l *Lists) Relay(domain string) bool {
	return l.kinds(domain)&kindRelay != 0
}

// Kinds reports what Disposable, Free and Relay report of domain, in one
// look-up.
func (l *Lists) Kinds(domain string) (disposable, free, relay bool) {
	k := l.kinds(domain)
	return k&kindDisposable != 0, k&kindFree != 0, k&kindRelay != 0
}

// kinds returns the lists that have domain, or none if it is allowed.
func (l *Lists) kinds(domain string) kinds {
	d := normDomain(domain)
	k := l.domains.match(d)
	if k != 0 && matchParents(l.allow, d) {
		return 0
	}
	return k
}

// Denied reports whether domain or one of its parents is in the Deny
// overrides and neither it nor a parent is allowed.
func (l *Lists) Denied(domain string) bool {
	if len(l.deny) == 0 {
		return false
	}
	d := normDomain(domain)
	return matchParents(l.deny, d) && !matchParents(l.allow, d)
}

// Allowed reports whether domain or one of its parents is in the Allow
// overrides.
func (l *Lists) Allowed(domain string) bool {
	return matchParents(l.allow, normDomain(domain))
}

// Role reports whether local is a role (non-personal) mailbox name such as
// the RFC 2142 names (info, sales, support, abuse, postmaster, ...) or common
// ones (admin, contact, billing, careers, noreply, ...). The match ignores
// case, a "+tag" and the separators '.', '-' and '_', so "No-Reply",
// "no.reply" and "support+eu" are role names.
func (l *Lists) Role(local string) bool {
	var buf [64]byte
	n, ok := normLocal(buf[:], local)
	if !ok || n == 0 {
		return false
	}
	b := buf[:n]
	if _, ok := l.roles[string(b)]; ok {
		return true
	}
	for _, p := range l.rolePrefix {
		if len(b) >= len(p) && string(b[:len(p)]) == p {
			return true
		}
	}
	return false
}

// Alias reports whether the address local@domain is an alternative form of
// another mailbox, and returns that mailbox's address as base. Forms are
// sub-addressing ("jane+news" has base "jane") and, for gmail.com and
// googlemail.com, dots in the local part and the googlemail.com domain
// ("j.ane@googlemail.com" has base "jane@gmail.com"; Gmail local parts are
// also lower-cased). Domains are lower-cased. If the address is not an alias
// form, base is the address itself and ok is false; base is empty if local
// or domain is empty.
func (l *Lists) Alias(local, domain string) (base string, ok bool) {
	domain = normDomain(domain)
	if local == "" || domain == "" {
		return "", false
	}
	if local[0] == '"' { // quoted local part: taken literally
		return local + "@" + domain, false
	}
	b := local
	if i := strings.IndexByte(b, '+'); i > 0 {
		b, ok = b[:i], true
	}
	if domain == "gmail.com" || domain == "googlemail.com" {
		if domain == "googlemail.com" {
			domain, ok = "gmail.com", true
		}
		if strings.Contains(b, ".") {
			if nd := strings.ReplaceAll(b, ".", ""); nd != "" {
				b, ok = nd, true
			}
		}
		b = strings.ToLower(b)
	}
	return b + "@" + domain, ok
}

// Versions returns the versions of the embedded lists.
func (l *Lists) Versions() Versions { return l.versions }

// kinds is a set of the domain lists.
type kinds uint8

const (
	kindDisposable kinds = 1 << iota
	kindFree
	kindRelay
)

// domainIndex says which lists have a domain, matched on the domain and
// its parents above the public suffix. labels holds "name.*" entries: the
// registrable label that matches under any public suffix.
type domainIndex struct {
	exact  map[string]kinds
	labels map[string]kinds
}

// add puts the list entries of the list k in x.
func (x *domainIndex) add(k kinds, entries []string) {
	if x.exact == nil {
		x.exact, x.labels = map[string]kinds{}, map[string]kinds{}
	}
	for _, e := range entries {
		if name, ok := strings.CutSuffix(e, ".*"); ok {
			x.labels[strings.ToLower(name)] |= k
		} else if e = normEntry(e); e != "" && !reserved(e) {
			x.exact[e] |= k
		}
	}
}

// match returns the lists that have d, or a parent of d that is not a
// public suffix. d must be normalised. The public suffix is looked up only
// when a candidate hits, so misses, the common case, cost one or two map
// lookups per label, for all the lists at once.
func (x *domainIndex) match(d string) kinds {
	if d == "" || len(x.exact) == 0 && len(x.labels) == 0 {
		return 0
	}
	var out kinds
	suffix, known := "", false
	for c := d; ; {
		dot := strings.IndexByte(c, '.')
		exact, wild := x.exact[c], kinds(0)
		if dot > 0 && len(x.labels) > 0 {
			wild = x.labels[c[:dot]]
		}
		if (exact|wild)&^out != 0 {
			if !known {
				suffix, _ = publicsuffix.PublicSuffix(d)
				known = true
			}
			// An exact entry must be longer than the public suffix; a
			// "name.*" entry must be exactly name plus the suffix.
			if len(c) > len(suffix) {
				out |= exact
			}
			if dot > 0 && c[dot+1:] == suffix {
				out |= wild
			}
		}
		if dot < 0 {
			return out
		}
		c = c[dot+1:]
	}
}

// matchParents reports whether d or any parent of d is in m.
func matchParents(m map[string]struct{}, d string) bool {
	if len(m) == 0 || d == "" {
		return false
	}
	for {
		if _, ok := m[d]; ok {
			return true
		}
		i := strings.IndexByte(d, '.')
		if i < 0 {
			return false
		}
		d = d[i+1:]
	}
}

// normDomain trims space and a trailing dot and lower-cases d, allocating
// only when d needs changing.
func normDomain(d string) string {
	d = strings.TrimSpace(d)
	d = strings.TrimSuffix(d, ".")
	for i := 0; i < len(d); i++ {
		if c := d[i]; 'A' <= c && c <= 'Z' {
			return strings.ToLower(d)
		}
	}
	return d
}

// normEntry normalises a list or override entry.
func normEntry(e string) string {
	e = normDomain(e)
	e = strings.TrimPrefix(e, "@")
	e = strings.TrimPrefix(e, "*.")
	e = strings.TrimPrefix(e, ".")
	return e
}

// normLocal writes the normalised form of local into buf: the part before
// a "+tag", lower-cased, without '.', '-' and '_'. It reports false if the
// result does not fit in buf.
func normLocal(buf []byte, local string) (int, bool) {
	local = strings.TrimSpace(local)
	if i := strings.IndexByte(local, '+'); i >= 0 {
		local = local[:i]
	}
	n := 0
	for i := 0; i < len(local); i++ {
		c := local[i]
		switch {
		case c == '.' || c == '-' || c == '_':
			continue
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		if n == len(buf) {
			return 0, false
		}
		buf[n] = c
		n++
	}
	return n, true
}

// reservedNames are domains reserved for documentation and testing
// (RFC 2606, RFC 6761, RFC 6762, RFC 7686). List entries at or under them are
// ignored: a published list that contains example.com is wrong.
var reservedNames = []string{
	"example", "invalid", "local", "localhost", "onion", "test",
	"example.com", "example.net", "example.org",
}

// reserved reports whether d is at or under a reserved name.
func reserved(d string) bool {
	for _, r := range reservedNames {
		if d == r || strings.HasSuffix(d, r) && d[len(d)-len(r)-1] == '.' {
			return true
		}
	}
	return false
}

// mergeDomains returns a new set holding old and the normalised entries of add.
func mergeDomains(old map[string]struct{}, add []string) map[string]struct{} {
	if len(add) == 0 {
		return old
	}
	m := make(map[string]struct{}, len(old)+len(add))
	for d := range old {
		m[d] = struct{}{}
	}
	for _, d := range add {
		if d = normEntry(d); d != "" {
			m[d] = struct{}{}
		}
	}
	return m
}

// load parses the lists from fsys.
func load(fsys fs.FS) (*Lists, error) {
	disp, dispVer, err := readList(fsys, fileDisposable)
	if err != nil {
		return nil, err
	}
	free, freeVer, err := readList(fsys, fileFree)
	if err != nil {
		return nil, err
	}
	extra, extraVer, err := readList(fsys, fileFreeExtra)
	if err != nil {
		return nil, err
	}
	relay, _, err := readList(fsys, fileRelay)
	if err != nil {
		return nil, err
	}
	roles, _, err := readList(fsys, fileRole)
	if err != nil {
		return nil, err
	}

	l := &Lists{
		roles: make(map[string]struct{}, len(roles)),
		versions: Versions{
			Disposable: dispVer,
			Free:       freeVer + " + " + extraVer,
		},
	}
	l.domains.add(kindDisposable, disp)
	l.domains.add(kindRelay, relay)
	// A domain that is disposable or a relay is not a free provider, even
	// if the free list (which mixes categories) says so.
	// Its entries are domains only, never "name.*".
	for _, d := range append(free, extra...) {
		if d = normEntry(d); d != "" && !reserved(d) && l.domains.match(d)&(kindDisposable|kindRelay) == 0 {
			l.domains.exact[d] |= kindFree
		}
	}
	for _, r := range roles {
		prefix := strings.HasSuffix(r, "*")
		var buf [64]byte
		n, ok := normLocal(buf[:], strings.TrimSuffix(r, "*"))
		if !ok || n == 0 {
			return nil, fmt.Errorf("%s: bad role %q", fileRole, r)
		}
		if prefix {
			l.rolePrefix = append(l.rolePrefix, string(buf[:n]))
		} else {
			l.roles[string(buf[:n])] = struct{}{}
		}
	}
	return l, nil
}

// readList reads a list file: one entry per line, blank lines and lines
// starting with '#' ignored. The first line must be a header
// "# source: NAME VERSION ..."; version is "NAME VERSION".
func readList(fsys fs.FS, name string) (entries []string, version string, err error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, "", err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	first := true
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if first {
			first = false
			h, ok := strings.CutPrefix(line, "# source:")
			fields := strings.Fields(h)
			if !ok || len(fields) < 2 {
				return nil, "", fmt.Errorf("%s: missing \"# source: NAME VERSION\" header", name)
			}
			version = fields[0] + " " + strings.TrimSuffix(fields[1], ";")
			continue
		}
		if line == "" || line[0] == '#' {
			continue
		}
		entries = append(entries, line)
	}
	if err := sc.Err(); err != nil {
		return nil, "", fmt.Errorf("%s: %w", name, err)
	}
	if first {
		return nil, "", fmt.Errorf("%s: empty", name)
	}
	return entries, version, nil
}
