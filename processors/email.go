package processors

import (
	"strings"

	"github.com/enricher/enricher/schema"
)

// Reason codes of the syntax check.
const (
	ReasonNoEmail     = "no_email"
	ReasonSyntax      = "failed_syntax_check"
	ReasonSyntaxValid = "valid_syntax"
)

// CheckSyntax checks the form of an address (RFC 5321/5322 dot-atom local
// part, a host name with at least one dot, the length limits) and
// normalises it: surrounding whitespace trimmed, domain lower-cased. It
// does not look anything up, so an address that passes is "valid" only as
// far as its form goes; the reason says so.
func CheckSyntax(address string) schema.EmailResult {
	addr := strings.TrimSpace(address)
	res := schema.EmailResult{Address: address, Status: schema.EmailInvalid}
	if addr == "" {
		res.Reason = ReasonNoEmail
		return res
	}
	at := strings.LastIndexByte(addr, '@')
	if at <= 0 || at == len(addr)-1 {
		res.Reason = ReasonSyntax
		return res
	}
	local, domain := addr[:at], strings.ToLower(strings.TrimSuffix(addr[at+1:], "."))
	if !validLocal(local) || !validDomain(domain) || len(local)+1+len(domain) > 254 {
		res.Reason = ReasonSyntax
		return res
	}
	res.Status = schema.EmailValid
	res.Reason = ReasonSyntaxValid
	res.Normalized = local + "@" + domain
	res.Domain = domain
	res.FreeEmail = freeProviders[domain]
	return res
}

// validLocal reports whether s is a dot-atom of at most 64 octets.
func validLocal(s string) bool {
	if len(s) > 64 || s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("!#$%&'*+-/=?^_`{|}~.", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// validDomain reports whether s is a host name of letters, digits and
// hyphens, with at least two labels and an alphabetic top-level label.
func validDomain(s string) bool {
	if len(s) > 253 {
		return false
	}
	labels := strings.Split(s, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
				return false
			}
		}
	}
	tld := labels[len(labels)-1]
	for i := 0; i < len(tld); i++ {
		if tld[i] < 'a' || tld[i] > 'z' {
			return len(tld) > 4 && strings.HasPrefix(tld, "xn--")
		}
	}
	return len(tld) >= 2
}
