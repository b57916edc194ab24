package emailsyntax

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Rule identifiers reported in [Error.Rule]. See the package documentation
// for their meaning.
const (
	RuleEmpty                  = "empty"
	RuleInvalidUTF8            = "invalid_utf8"
	RuleUnsafeUnicode          = "unsafe_unicode"
	RuleNoAtSign               = "no_at_sign"
	RuleMultipleAtSigns        = "multiple_at_signs"
	RuleEmptyLocalPart         = "empty_local_part"
	RuleLocalInvalidChar       = "local_invalid_char"
	RuleLocalLeadingDot        = "local_leading_dot"
	RuleLocalTrailingDot       = "local_trailing_dot"
	RuleLocalConsecutiveDots   = "local_consecutive_dots"
	RuleQuotedLocalPart        = "quoted_local_part"
	RuleInvalidQuotedLocalPart = "invalid_quoted_local_part"
	RuleLocalPartTooLong       = "local_part_too_long"
	RuleEmptyDomain            = "empty_domain"
	RuleDomainInvalidChar      = "domain_invalid_char"
	RuleInvalidIDNA            = "invalid_idna"
	RuleDomainEmptyLabel       = "domain_empty_label"
	RuleDomainLabelTooLong     = "domain_label_too_long"
	RuleDomainHyphen           = "domain_hyphen"
	RuleDomainReservedHyphens  = "domain_reserved_hyphens"
	RuleDomainTooLong          = "domain_too_long"
	RuleNoDotInDomain          = "no_dot_in_domain"
	RuleInvalidTLD             = "invalid_tld"
	RuleDomainLiteral          = "domain_literal"
	RuleInvalidDomainLiteral   = "invalid_domain_literal"
	RuleSpecialUseDomain       = "special_use_domain"
	RuleTooLong                = "too_long"
)

// Length limits in octets (RFC 5321 section 4.5.3.1 and RFC 1035).
const (
	maxLocalLen   = 64
	maxLabelLen   = 63
	maxDomainLen  = 253
	maxAddressLen = 254
)

// Options controls what [Parse] accepts. The zero value is the strict default.
type Options struct {
	// AllowQuotedLocal accepts quoted-string local parts such as
	// "john doe"@example.com.
	AllowQuotedLocal bool
	// AllowDomainLiteral accepts domain literals such as user@[192.0.2.1]
	// and user@[IPv6:2001:db8::1].
	AllowDomainLiteral bool
	// AllowSpecialUse accepts special-use and reserved domains (test,
	// invalid, local, localhost, onion, arpa, example and alt TLDs and
	// example.com, example.net, example.org); meant for tests.
	AllowSpecialUse bool
}

// Address is a parsed e-mail address.
type Address struct {
	// Input is the string given to Parse.
	Input string
	// Fixes lists the hygiene fixes applied to Input, in order of first
	// application; see the package documentation for the possible values.
	Fixes []string
	// Local is the local part, case preserved and NFC-normalised. A quoted
	// local part keeps its quotes only when they are needed, with '"' and
	// '\' escaped by a backslash.
	Local string
	// Domain is the domain in ASCII (A-label) form, lower case, without a
	// trailing dot, or the canonical domain literal, e.g. "[192.0.2.1]".
	Domain string
	// UnicodeDomain is the domain in U-label form for display; it equals
	// Domain when the domain is plain ASCII or a literal.
	UnicodeDomain string
	// Normalized is Local + "@" + Domain.
	Normalized string
	// SMTPUTF8 reports that the local part is not ASCII, so delivery needs
	// the SMTPUTF8 extension (RFC 6531).
	SMTPUTF8 bool
	// Quoted reports that Local is a quoted string.
	Quoted bool
	// Literal reports that Domain is a domain literal.
	Literal bool
}

// Error is a syntax failure: a stable rule identifier and a human message.
type Error struct {
	Rule    string
	Message string
}

// Error returns the human message prefixed with the rule identifier.
func (e *Error) Error() string {
	return "emailsyntax: " + e.Rule + ": " + e.Message
}

func fail(rule, msg string) *Error {
	return &Error{Rule: rule, Message: msg}
}

// Parse cleans up input, checks its syntax and returns the parsed address.
// On failure the returned Address still carries Input and Fixes.
func Parse(input string, opt Options) (Address, *Error) {
	a := Address{Input: input}
	if !utf8.ValidString(input) {
		return a, fail(RuleInvalidUTF8, "The email address is not valid UTF-8 text.")
	}
	s, fixes := clean(input)
	a.Fixes = fixes
	if s == "" {
		return a, fail(RuleEmpty, "The email address is empty.")
	}
	if err := checkUnsafe(s); err != nil {
		return a, err
	}

	local, domain, quoted, err := split(s, opt)
	if err != nil {
		return a, err
	}
	if quoted {
		a.Local, a.Quoted, err = checkQuotedLocal(local)
	} else {
		a.Local, err = checkLocal(local)
	}
	if err != nil {
		return a, err
	}
	if len(a.Local) > maxLocalLen {
		return a, fail(RuleLocalPartTooLong, "The part before the @-sign is too long ("+
			plural(len(a.Local)-maxLocalLen, "octet")+" too many; at most 64 are allowed).")
	}
	a.SMTPUTF8 = !isASCII(a.Local)

	if domain == "" {
		return a, fail(RuleEmptyDomain, "There must be something after the @-sign.")
	}
	if domain[0] == '[' {
		a.Domain, err = checkLiteral(domain, opt)
		a.UnicodeDomain = a.Domain
		a.Literal = true
	} else {
		a.Domain, a.UnicodeDomain, err = checkDomain(domain, opt)
	}
	if err != nil {
		return a, err
	}

	if n := len(a.Local); len(s) == n+1+len(a.Domain) && s[:n] == a.Local && s[n] == '@' && s[n+1:] == a.Domain {
		a.Normalized = s // most addresses come normalized: no copy
	} else {
		a.Normalized = a.Local + "@" + a.Domain
	}
	if n := len(a.Normalized); n > maxAddressLen {
		return a, fail(RuleTooLong, "The email address is too long ("+
			plural(n-maxAddressLen, "octet")+" too many; at most 254 are allowed).")
	}
	return a, nil
}

// split separates the local part from the domain. quoted reports that local
// is a complete quoted string (including its quotes).
func split(s string, opt Options) (local, domain string, quoted bool, err *Error) {
	if s[0] == '"' {
		if end, ok := scanQuoted(s); ok && end < len(s) && s[end] == '@' {
			if !opt.AllowQuotedLocal {
				return "", "", false, fail(RuleQuotedLocalPart,
					"Quoting the part before the @-sign is not allowed here.")
			}
			local, domain = s[:end], s[end+1:]
			if strings.IndexByte(domain, '@') >= 0 {
				return "", "", false, fail(RuleMultipleAtSigns,
					"An email address cannot have more than one @-sign outside quotes.")
			}
			return local, domain, true, nil
		}
		if opt.AllowQuotedLocal {
			return "", "", false, fail(RuleInvalidQuotedLocalPart,
				"The quoted part before the @-sign is not terminated or not followed by the @-sign.")
		}
	}
	i := strings.IndexByte(s, '@')
	if i < 0 {
		if strings.ContainsAny(s, "\uFF20\uFE6B") {
			return "", "", false, fail(RuleNoAtSign,
				"The email address has a full-width or small at-sign instead of a regular @-sign.")
		}
		return "", "", false, fail(RuleNoAtSign, "An email address must have an @-sign.")
	}
	local, domain = s[:i], s[i+1:]
	if strings.IndexByte(domain, '@') >= 0 {
		return "", "", false, fail(RuleMultipleAtSigns, "An email address cannot have more than one @-sign.")
	}
	if local == "" {
		return "", "", false, fail(RuleEmptyLocalPart, "There must be something before the @-sign.")
	}
	return local, domain, false, nil
}

// isAtext reports whether c is an RFC 5322 atext character.
func isAtext(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-/=?^_`{|}~", c) >= 0
}

// isDotAtom reports whether s is a non-empty RFC 5322/6531 dot-atom. Any
// non-ASCII character is accepted (unsafe ones have been rejected already).
func isDotAtom(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < utf8.RuneSelf && c != '.' && !isAtext(c) {
			return false
		}
	}
	return true
}

// checkLocal validates an unquoted local part and returns its NFC form.
func checkLocal(local string) (string, *Error) {
	if err := checkLocalText(local, ""); err != nil {
		return "", err
	}
	if isASCII(local) {
		return local, nil
	}
	n := norm.NFC.String(local)
	if n != local {
		if err := checkLocalText(n, " after Unicode normalization"); err != nil {
			return "", err
		}
	}
	return n, nil
}

func checkLocalText(local, suffix string) *Error {
	var bad []rune
	for _, r := range local {
		if r < utf8.RuneSelf && r != '.' && !isAtext(byte(r)) {
			bad = appendUnique(bad, r)
		}
	}
	if bad != nil {
		return fail(RuleLocalInvalidChar, "The part before the @-sign contains invalid characters"+
			suffix+": "+describeRunes(bad)+".")
	}
	if r, _ := utf8.DecodeRuneInString(local); isMark(r) {
		return fail(RuleUnsafeUnicode, "The part before the @-sign starts with a combining character "+
			describeRune(r)+".")
	}
	switch {
	case local[0] == '.':
		return fail(RuleLocalLeadingDot, "An email address cannot start with a period.")
	case local[len(local)-1] == '.':
		return fail(RuleLocalTrailingDot, "An email address cannot have a period immediately before the @-sign.")
	case strings.Contains(local, ".."):
		return fail(RuleLocalConsecutiveDots, "An email address cannot have two periods in a row.")
	}
	return nil
}

// scanQuoted scans the quoted string at the start of s and returns the
// index just past its closing quote.
func scanQuoted(s string) (end int, ok bool) {
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++ // skip the escaped byte; a multi-byte rune continues harmlessly
		case '"':
			return i + 1, true
		}
	}
	return 0, false
}

// checkQuotedLocal validates a quoted local part (quotes included) and
// returns its canonical form: unquoted when the content is a dot-atom,
// otherwise quoted with only '"' and '\' escaped.
func checkQuotedLocal(q string) (local string, quoted bool, err *Error) {
	var b strings.Builder
	body := q[1 : len(q)-1]
	for i := 0; i < len(body); i++ {
		c := body[i]
		if c == '\\' {
			i++
			c = body[i] // scanQuoted guarantees the escape is followed by a byte
		}
		// Control characters were rejected as unsafe; any printable ASCII,
		// space or non-ASCII byte is acceptable once escaped.
		b.WriteByte(c)
	}
	content := b.String()
	if content == "" {
		return "", false, fail(RuleInvalidQuotedLocalPart, "The quoted part before the @-sign is empty.")
	}
	if !utf8.ValidString(content) {
		return "", false, fail(RuleInvalidQuotedLocalPart, "The quoted part before the @-sign has a broken escape.")
	}
	content = norm.NFC.String(content)
	if err := checkUnsafe(content); err != nil {
		return "", false, err
	}
	if isDotAtom(content) {
		if r, _ := utf8.DecodeRuneInString(content); !isMark(r) {
			return content, false, nil
		}
	}
	b.Reset()
	b.WriteByte('"')
	for i := 0; i < len(content); i++ {
		if c := content[i]; c == '"' || c == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(content[i])
	}
	b.WriteByte('"')
	return b.String(), true, nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// appendUnique appends r to rs unless present; it stops growing past
// maxReported+1 entries, which is all an error message shows.
func appendUnique(rs []rune, r rune) []rune {
	if len(rs) > maxReported {
		return rs
	}
	for _, x := range rs {
		if x == r {
			return rs
		}
	}
	return append(rs, r)
}

func plural(n int, unit string) string {
	s := strconv.Itoa(n) + " " + unit
	if n != 1 {
		s += "s"
	}
	return s
}
