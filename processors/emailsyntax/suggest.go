package emailsyntax

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/net/publicsuffix"
)

// providers are the major mailbox provider domains that Suggest corrects
// towards, most popular first (ties are resolved in this order). Each is a
// single label followed by its public suffix.
var providers = []string{
	"gmail.com", "yahoo.com", "hotmail.com", "outlook.com", "aol.com",
	"icloud.com", "live.com", "msn.com", "googlemail.com", "me.com",
	"mac.com", "ymail.com", "rocketmail.com", "gmx.com", "gmx.de", "web.de",
	"yandex.ru", "mail.ru", "protonmail.com", "proton.me", "comcast.net",
	"verizon.net", "att.net", "sbcglobal.net", "bellsouth.net",
	"yahoo.co.uk", "hotmail.co.uk", "btinternet.com", "hotmail.fr",
	"orange.fr", "free.fr", "laposte.net", "wanadoo.fr", "libero.it",
	"t-online.de", "qq.com", "163.com",
}

// realDomains are genuine domains that are close to a provider but must
// never be "corrected" (in addition to the providers themselves).
var realDomains = map[string]bool{
	"mail.com": true, "email.com": true, "gmx.net": true, "gmx.at": true,
	"gmx.ch": true, "aim.com": true, "cloud.com": true, "google.com": true,
	"126.com": true, "yeah.net": true, "live.fr": true, "live.co.uk": true,
	"outlook.fr": true, "outlook.de": true, "hotmail.de": true,
	"hotmail.it": true, "hotmail.es": true, "yahoo.fr": true,
	"yahoo.de": true, "yahoo.it": true, "yahoo.es": true, "yahoo.ca": true,
	"yahoo.co.jp": true, "yahoo.com.au": true, "orange.com": true,
	"free.com": true, "mail.de": true, "proton.com": true,
}

// knownTypos maps common misspellings of provider domains to the provider.
var knownTypos = map[string]string{
	// gmail.com
	"gmial.com": "gmail.com", "gmal.com": "gmail.com", "gamil.com": "gmail.com",
	"gnail.com": "gmail.com", "gmai.com": "gmail.com", "gmaill.com": "gmail.com",
	"gmali.com": "gmail.com", "gmaii.com": "gmail.com", "gmil.com": "gmail.com",
	"gmaik.com": "gmail.com", "gmsil.com": "gmail.com", "gmeil.com": "gmail.com",
	"gemail.com": "gmail.com", "gmail.co": "gmail.com", "gmail.con": "gmail.com",
	"gmail.cm": "gmail.com", "gmail.om": "gmail.com", "gmail.cmo": "gmail.com",
	"gmail.comm": "gmail.com", "gmail.cim": "gmail.com", "gmail.vom": "gmail.com",
	"gmail.xom": "gmail.com", "gmailcom": "gmail.com", "gmailc.om": "gmail.com",
	"gnail.con": "gmail.com", "googlemial.com": "googlemail.com",
	"googlmail.com": "googlemail.com", "gogglemail.com": "googlemail.com",
	// hotmail
	"hotmial.com": "hotmail.com", "hotmal.com": "hotmail.com", "hotmai.com": "hotmail.com",
	"hotmil.com": "hotmail.com", "hotamil.com": "hotmail.com", "homail.com": "hotmail.com",
	"hotnail.com": "hotmail.com", "hormail.com": "hotmail.com", "hotmaill.com": "hotmail.com",
	"hotmail.con": "hotmail.com", "hotmail.co": "hotmail.com", "hotmail.cm": "hotmail.com",
	"homail.con": "hotmail.com", "hotmial.co.uk": "hotmail.co.uk", "hotmail.co.uj": "hotmail.co.uk",
	// yahoo
	"yahooo.com": "yahoo.com", "yaho.com": "yahoo.com", "yahho.com": "yahoo.com",
	"yhaoo.com": "yahoo.com", "yhoo.com": "yahoo.com", "yaoo.com": "yahoo.com",
	"yahoo.con": "yahoo.com", "yahoo.cm": "yahoo.com", "yajoo.com": "yahoo.com",
	"tahoo.com": "yahoo.com", "uahoo.com": "yahoo.com", "yahoo.co.ul": "yahoo.co.uk",
	// outlook, live, msn
	"outlok.com": "outlook.com", "outllok.com": "outlook.com", "outloo.com": "outlook.com",
	"oulook.com": "outlook.com", "otlook.com": "outlook.com", "outook.com": "outlook.com",
	"outlool.com": "outlook.com", "outlook.con": "outlook.com", "outlook.co": "outlook.com",
	"livr.com": "live.com", "live.con": "live.com",
	// others
	"iclod.com": "icloud.com", "icoud.com": "icloud.com", "iclould.com": "icloud.com",
	"icloud.con": "icloud.com", "icloud.co": "icloud.com", "aol.con": "aol.com",
	"aol.co": "aol.com", "protonmial.com": "protonmail.com", "protonmal.com": "protonmail.com",
	"comcast.nte": "comcast.net", "comcast.ner": "comcast.net", "verizon.ner": "verizon.net",
	"btinternet.co": "btinternet.com", "btinterent.com": "btinternet.com",
}

// typoTLDs lists real top-level domains that are common slips for a
// provider's suffix; other real public suffixes are never corrected.
var typoTLDs = map[string]map[string]bool{
	"com": {"co": true, "cm": true, "om": true, "cam": true},
	"net": {"ne": true, "et": true},
}

var isProvider = func() map[string]bool {
	m := make(map[string]bool, len(providers))
	for _, d := range providers {
		m[d] = true
	}
	return m
}()

type provider struct{ domain, name, suffix string }

var splitProviders = func() []provider {
	ps := make([]provider, len(providers))
	for i, d := range providers {
		name, suffix, _ := strings.Cut(d, ".")
		ps[i] = provider{d, name, suffix}
	}
	return ps
}()

// nameBudget is the edit distance tolerated in a provider's name label of
// n characters: short names are too close to other real names to guess.
func nameBudget(n int) int {
	switch {
	case n <= 4:
		return 0 // 4-letter names still accept a single transposition
	case n <= 7:
		return 1
	}
	return 2
}

// Suggest proposes a correction of a mistyped domain of a major provider.
// It returns the provider domain and whether domain is a known typo (in a
// curated list of common misspellings) as opposed to merely close. It
// returns "" for provider domains, other known real domains and anything
// not close enough. domain may be given in any case; an address is accepted
// too (the part after the last '@' is used).
//
// The label before the suffix and the suffix are compared separately with
// the optimal-string-alignment Damerau-Levenshtein distance: names of up to
// 3 characters must match exactly, 4-character names tolerate one
// transposition, 5-7 characters one edit and longer names two edits; the
// suffix tolerates one edit, unless it is itself a real public suffix that
// is not a known slip (such as "co" or "cm" for "com").
func Suggest(domain string) (suggestion string, knownTypo bool) {
	d := bareDomain(domain)
	if p, ok := knownTypos[d]; ok {
		return p, true
	}
	return closest(d), false
}

// KnownTypo is the curated half of Suggest, without the search for a close
// provider: the provider domain of which domain is a common misspelling,
// and whether it is one. It costs one map lookup, so it can run on every
// address where Suggest would be too slow.
func KnownTypo(domain string) (string, bool) {
	p, ok := knownTypos[bareDomain(domain)]
	return p, ok
}

// bareDomain is domain (or the part of an address after its last '@') in
// lower case, without surrounding space or a trailing dot.
func bareDomain(domain string) string {
	if i := strings.LastIndexByte(domain, '@'); i >= 0 {
		domain = domain[i+1:]
	}
	return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(domain)), ".")
}

// closest returns the provider nearest to the lower-case domain d within the
// thresholds documented on Suggest, or "".
func closest(d string) string {
	if d == "" || realDomains[d] || isProvider[d] {
		return ""
	}
	name, suffix, hasDot := strings.Cut(d, ".")
	best, bestDist := "", 1<<30
	for _, p := range splitProviders {
		var dist int
		if !hasDot {
			// A missing dot: "gmailcom".
			if d != p.name+p.suffix {
				continue
			}
			dist = 1
		} else {
			dn, ok := nameDistance(name, p.name)
			if !ok {
				continue
			}
			ds := 0
			if suffix != p.suffix {
				ds = osa(suffix, p.suffix)
				if ds > 1 || !correctableSuffix(d, suffix, p.suffix) {
					continue
				}
				if dn > 0 && len(p.name) < 5 {
					continue // both parts wrong in a short name: too speculative
				}
			}
			dist = dn + ds
		}
		if dist < bestDist {
			best, bestDist = p.domain, dist
		}
	}
	return best
}

// nameDistance returns the distance between a name label and a provider
// name and whether it is within the provider's budget.
func nameDistance(name, pname string) (int, bool) {
	if name == pname {
		return 0, true
	}
	n := utf8.RuneCountInString(pname)
	if n == 4 {
		return 1, isTransposition(name, pname)
	}
	// The distance is at least the difference in length.
	if diff := utf8.RuneCountInString(name) - n; diff > nameBudget(n) || -diff > nameBudget(n) {
		return diff, false
	}
	d := osa(name, pname)
	return d, d <= nameBudget(n)
}

// correctableSuffix reports whether the suffix of domain d may be replaced
// by the provider suffix ps: it must not be a real public suffix, unless it
// is a known slip for ps.
func correctableSuffix(d, suffix, ps string) bool {
	if typoTLDs[ps][suffix] {
		return true
	}
	real, icann := publicsuffix.PublicSuffix(d)
	return !(icann && real == suffix)
}

// isTransposition reports whether a and b differ by exactly one swap of
// adjacent characters.
func isTransposition(a, b string) bool {
	ra, rb := []rune(a), []rune(b)
	if len(ra) != len(rb) {
		return false
	}
	i := 0
	for i < len(ra) && ra[i] == rb[i] {
		i++
	}
	return i+1 < len(ra) && ra[i] == rb[i+1] && ra[i+1] == rb[i] && string(ra[i+2:]) == string(rb[i+2:])
}

// osa returns the optimal string alignment distance between a and b: the
// Levenshtein distance where a swap of adjacent characters counts as one
// edit (and no substring is edited twice).
func osa(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) == 0 {
		return len(rb)
	}
	if len(rb) == 0 {
		return len(ra)
	}
	// Three rolling rows: i-2, i-1 and i.
	w := len(rb) + 1
	prev2, prev, cur := make([]int, w), make([]int, w), make([]int, w)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}
