package emailsyntax

import (
	"net/netip"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// idnaProfile converts domains per IDNA 2008 with UTS #46 non-transitional
// mapping (case folding, width and compatibility mapping, NFC), STD3 ASCII
// rules, label validation (including CONTEXTJ joiner rules and A-label
// round trips) and the RFC 5893 Bidi rule. Hyphen placement and lengths are
// checked by this package afterwards so that they get their own rule ids.
var idnaProfile = idna.New(
	idna.MapForLookup(),
	idna.BidiRule(),
	idna.Transitional(false),
	idna.CheckHyphens(false),
	idna.VerifyDNSLength(false),
)

// specialTLDs are special-use or reserved top-level names (RFC 2606,
// RFC 6761, RFC 6762, RFC 7686, RFC 9476, and "arpa", RFC 3172).
var specialTLDs = map[string]bool{
	"test": true, "invalid": true, "local": true, "localhost": true,
	"onion": true, "arpa": true, "example": true, "alt": true,
}

// specialDomains are reserved second-level names (RFC 2606 section 3).
var specialDomains = map[string]bool{
	"example.com": true, "example.net": true, "example.org": true,
}

// checkLiteral validates a domain literal and returns its canonical form.
func checkLiteral(d string, opt Options) (string, *Error) {
	if len(d) < 2 || d[len(d)-1] != ']' {
		return "", fail(RuleInvalidDomainLiteral, "The bracketed address after the @-sign is missing its closing ']'.")
	}
	body := d[1 : len(d)-1]
	var canon string
	const tag = "IPv6:"
	if len(body) >= len(tag) && strings.EqualFold(body[:len(tag)], tag) {
		ip, err := netip.ParseAddr(body[len(tag):])
		if err != nil || !ip.Is6() || ip.Zone() != "" {
			return "", fail(RuleInvalidDomainLiteral, "The address in brackets after the @-sign is not a valid IPv6 address.")
		}
		canon = "[IPv6:" + ip.String() + "]"
	} else {
		ip, err := netip.ParseAddr(body)
		if err != nil || !ip.Is4() {
			return "", fail(RuleInvalidDomainLiteral, "The address in brackets after the @-sign is not a valid IPv4 address "+
				"and has no IPv6: tag.")
		}
		canon = "[" + ip.String() + "]"
	}
	if !opt.AllowDomainLiteral {
		return "", fail(RuleDomainLiteral, "A bracketed IP address after the @-sign is not allowed here.")
	}
	return canon, nil
}

func isLDH(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-'
}

// checkDomain validates a domain name and returns its A-label and U-label
// forms.
func checkDomain(d string, opt Options) (ascii, unicode string, err *Error) {
	var bad []rune
	plain := true // ASCII only and no A-labels: IDNA processing is a no-op
	for _, r := range d {
		switch {
		case r >= utf8.RuneSelf:
			plain = false
		case r != '.' && !isLDH(byte(r)):
			bad = appendUnique(bad, r)
		}
	}
	if bad != nil {
		return "", "", fail(RuleDomainInvalidChar, "The part after the @-sign contains invalid characters: "+
			describeRunes(bad)+".")
	}
	ascii = strings.ToLower(d)
	if plain && !strings.HasPrefix(ascii, "xn--") && !strings.Contains(ascii, ".xn--") {
		unicode = ascii
	} else {
		a, e := idnaProfile.ToASCII(d)
		if e != nil {
			return "", "", fail(RuleInvalidIDNA, "The part after the @-sign is not a valid internationalized domain name ("+
				strings.TrimPrefix(e.Error(), "idna: ")+").")
		}
		ascii = strings.ToLower(a)
		bad = nil
		for _, r := range ascii {
			if r != '.' && (r >= utf8.RuneSelf || !isLDH(byte(r))) {
				bad = appendUnique(bad, r)
			}
		}
		if bad != nil {
			return "", "", fail(RuleDomainInvalidChar, "The part after the @-sign contains invalid characters "+
				"after Unicode normalization: "+describeRunes(bad)+".")
		}
		unicode = ascii
		if u, e := idnaProfile.ToUnicode(ascii); e == nil {
			unicode = u
		}
	}
	if err := checkLabels(ascii, unicode); err != nil {
		return "", "", err
	}
	if !opt.AllowSpecialUse && isSpecialUse(ascii) {
		return "", "", fail(RuleSpecialUseDomain, "The part after the @-sign is a special-use or reserved name ("+
			ascii+") that cannot be used with email.")
	}
	return ascii, unicode, nil
}

// checkLabels checks the structure of the lower-case ASCII domain a; u is
// its U-label form, used for the hyphen rules of internationalised labels.
func checkLabels(a, u string) *Error {
	switch {
	case a == "":
		return fail(RuleEmptyDomain, "There must be something after the @-sign.")
	case a[0] == '.':
		return fail(RuleDomainEmptyLabel, "An email address cannot have a period immediately after the @-sign.")
	case a[len(a)-1] == '.':
		return fail(RuleDomainEmptyLabel, "An email address cannot end with a period.")
	case strings.Contains(a, ".."):
		return fail(RuleDomainEmptyLabel, "An email address cannot have two periods in a row.")
	}
	labels := 0
	for l := range strings.SplitSeq(a, ".") {
		labels++
		if len(l) > maxLabelLen {
			return fail(RuleDomainLabelTooLong, "The label "+clip(l)+" after the @-sign is too long ("+
				plural(len(l)-maxLabelLen, "octet")+" too many; at most 63 are allowed).")
		}
		if err := checkHyphens(l); err != nil {
			return err
		}
	}
	if u != a {
		for l := range strings.SplitSeq(u, ".") {
			if !isASCII(l) {
				if err := checkHyphens(l); err != nil {
					return err
				}
			}
		}
	}
	if len(a) > maxDomainLen {
		return fail(RuleDomainTooLong, "The part after the @-sign is too long ("+
			plural(len(a)-maxDomainLen, "octet")+" too many; at most 253 are allowed).")
	}
	if labels < 2 {
		return fail(RuleNoDotInDomain, "The part after the @-sign is not valid. It should have a period.")
	}
	tld := a[strings.LastIndexByte(a, '.')+1:]
	if !strings.HasPrefix(tld, "xn--") {
		for i := 0; i < len(tld); i++ {
			if c := tld[i]; c < 'a' || c > 'z' {
				return fail(RuleInvalidTLD, "The part after the @-sign is not within a valid top-level domain ("+
					clip(tld)+" is not alphabetic).")
			}
		}
	}
	return nil
}

// checkHyphens applies the hyphen rules of RFC 5891 section 4.2.3.1 to a
// label (A-label or U-label).
func checkHyphens(l string) *Error {
	switch {
	case strings.HasPrefix(l, "-"):
		return fail(RuleDomainHyphen, "A label after the @-sign cannot start with a hyphen ("+clip(l)+").")
	case strings.HasSuffix(l, "-"):
		return fail(RuleDomainHyphen, "A label after the @-sign cannot end with a hyphen ("+clip(l)+").")
	case hyphens34(l) && !strings.HasPrefix(l, "xn--"):
		return fail(RuleDomainReservedHyphens, "A label after the @-sign cannot have two hyphens in the third "+
			"and fourth positions unless it is Punycode (xn--) ("+clip(l)+").")
	}
	return nil
}

// hyphens34 reports whether the third and fourth code points of l are hyphens.
func hyphens34(l string) bool {
	if isASCII(l) {
		return len(l) >= 4 && l[2] == '-' && l[3] == '-'
	}
	r := []rune(l)
	return len(r) >= 4 && r[2] == '-' && r[3] == '-'
}

// isSpecialUse reports whether the ASCII domain a is special-use or reserved.
func isSpecialUse(a string) bool {
	if specialTLDs[a[strings.LastIndexByte(a, '.')+1:]] {
		return true
	}
	for d := range specialDomains {
		if a == d || strings.HasSuffix(a, "."+d) {
			return true
		}
	}
	return false
}

// clip quotes s for a message, shortening long labels.
func clip(s string) string {
	if n := 0; len(s) > 24 {
		for i := range s {
			if n++; n > 20 {
				s = s[:i] + "…"
				break
			}
		}
	}
	return "\"" + s + "\""
}
