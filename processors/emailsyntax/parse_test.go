package emailsyntax

import (
	"slices"
	"strings"
	"testing"
)

var (
	strict  = Options{}
	testEnv = Options{AllowSpecialUse: true}
	quoted  = Options{AllowQuotedLocal: true}
	literal = Options{AllowDomainLiteral: true}
)

func TestParseValid(t *testing.T) {
	tests := []struct {
		in            string
		opt           Options
		normalized    string
		unicodeDomain string // "" means same as Domain
		smtputf8      bool
		quoted        bool
		literal       bool
	}{
		// Plain dot-atoms and every atext special.
		{in: "Abc@example.tld", normalized: "Abc@example.tld"},
		{in: "user+mailbox/department=shipping@example.tld", normalized: "user+mailbox/department=shipping@example.tld"},
		{in: "!#$%&'*+-/=?^_`.{|}~@example.tld", normalized: "!#$%&'*+-/=?^_`.{|}~@example.tld"},
		{in: "a_b@github.com", normalized: "a_b@github.com"},
		{in: "tool@163.com", normalized: "tool@163.com"},
		{in: "user@gma3il.com", normalized: "user@gma3il.com"},
		{in: "first.middle.last@sub.domain.co.uk", normalized: "first.middle.last@sub.domain.co.uk"},
		{in: "xn--test@iana.org", normalized: "xn--test@iana.org"},
		{in: "test@g--a.com", normalized: "test@g--a.com"},
		{in: "x@a1.b-c.d2e.com", normalized: "x@a1.b-c.d2e.com"},
		// Case: local part kept, domain lowered.
		{in: "JOHN.Doe@EXAMPLE.ORG.UK", normalized: "JOHN.Doe@example.org.uk"},
		// IDNA.
		{in: "jeff@臺網中心.tw", normalized: "jeff@xn--fiqq24b10vi0d.tw", unicodeDomain: "臺網中心.tw"},
		{in: "user@Bücher.de", normalized: "user@xn--bcher-kva.de", unicodeDomain: "bücher.de"},
		{in: "JOHN@XN--BCHER-KVA.COM", normalized: "JOHN@xn--bcher-kva.com", unicodeDomain: "bücher.com"},
		{in: "abc@доменное.com", normalized: "abc@xn--d1aca0agade.com", unicodeDomain: "доменное.com"},
		{in: "x@faß.de", normalized: "x@xn--fa-hia.de", unicodeDomain: "faß.de"}, // IDNA 2008: no transitional ß→ss
		{in: "x@ＢＵＣＨ．de", normalized: "x@buch.de"},                               // full-width letters and dot are mapped
		{in: "x@a\u3002b.com", normalized: "x@a.b.com"},                          // ideographic full stop separates labels
		// Internationalised local parts.
		{in: "伊昭傑@郵件.商務", normalized: "伊昭傑@xn--5nqv22n.xn--lhr59c", unicodeDomain: "郵件.商務", smtputf8: true},
		{in: "ñoñó@example.tld", normalized: "ñoñó@example.tld", smtputf8: true},
		{in: "n\u0303o@example.tld", normalized: "\u00f1o@example.tld", smtputf8: true}, // NFC
		{in: "＠@fullwidth.at", normalized: "＠@fullwidth.at", smtputf8: true},
		{in: "😀@gmail.com", normalized: "😀@gmail.com", smtputf8: true},
		{in: "λambdaツ@test", opt: testEnv, normalized: "", smtputf8: true}, // no dot: see invalid table
		// Special-use domains in test mode.
		{in: "anything@mycompany.test", opt: testEnv, normalized: "anything@mycompany.test"},
		{in: "me@example.com", opt: testEnv, normalized: "me@example.com"},
		{in: "me@host.localhost", opt: testEnv, normalized: "me@host.localhost"},
		// Quoted local parts.
		{in: `"quoted with space"@example.co`, opt: quoted, normalized: `"quoted with space"@example.co`, quoted: true},
		{in: `"de-quoted.local.part"@example.org.uk`, opt: quoted, normalized: "de-quoted.local.part@example.org.uk"},
		{in: `"quoted.with..unicode.λ"@example.co`, opt: quoted, normalized: `"quoted.with..unicode.λ"@example.co`, smtputf8: true, quoted: true},
		{in: `"a\"b\\c"@example.co`, opt: quoted, normalized: `"a\"b\\c"@example.co`, quoted: true},
		{in: `"\a\b"@example.co`, opt: quoted, normalized: `ab@example.co`}, // needless escapes dropped
		{in: `"a@b"@example.co`, opt: quoted, normalized: `"a@b"@example.co`, quoted: true},
		// Domain literals.
		{in: "me@[127.0.0.1]", opt: literal, normalized: "me@[127.0.0.1]", literal: true},
		{in: "test@[IPv6:1111:2222:3333:4444:5555:6666:7777:8888]", opt: literal, normalized: "test@[IPv6:1111:2222:3333:4444:5555:6666:7777:8888]", literal: true},
		{in: "test@[ipv6:2001:DB8:0:0:0:0:0:1]", opt: literal, normalized: "test@[IPv6:2001:db8::1]", literal: true},
	}
	for _, tt := range tests {
		if tt.normalized == "" {
			continue
		}
		a, err := Parse(tt.in, tt.opt)
		if err != nil {
			t.Errorf("Parse(%q) error %v", tt.in, err)
			continue
		}
		ud := tt.unicodeDomain
		if ud == "" {
			ud = a.Domain
		}
		if a.Normalized != tt.normalized || a.UnicodeDomain != ud || a.SMTPUTF8 != tt.smtputf8 ||
			a.Quoted != tt.quoted || a.Literal != tt.literal || a.Input != tt.in || len(a.Fixes) != 0 {
			t.Errorf("Parse(%q) = %+v; want normalized %q unicode %q smtputf8 %v quoted %v literal %v",
				tt.in, a, tt.normalized, ud, tt.smtputf8, tt.quoted, tt.literal)
		}
		if a.Normalized != a.Local+"@"+a.Domain {
			t.Errorf("Parse(%q): Normalized %q != Local@Domain", tt.in, a.Normalized)
		}
	}
}

func TestParseInvalid(t *testing.T) {
	tests := []struct {
		in   string
		opt  Options
		rule string
	}{
		{"", strict, RuleEmpty},
		{" \t\uFEFF ", strict, RuleEmpty},
		{"<>", strict, RuleEmpty},
		{"a@b\xffc.com", strict, RuleInvalidUTF8},
		// Unsafe Unicode.
		{"\u200B@test", testEnv, RuleEmptyLocalPart}, // an edge zero-width space is trimmed, leaving "@test"
		{"a\u200B@test.co", testEnv, RuleUnsafeUnicode},
		{"a\u200Bb@example.co", strict, RuleUnsafeUnicode},
		{"ab@exa\u200Cmple.co", strict, RuleUnsafeUnicode},
		{"a\u200Db@example.co", strict, RuleUnsafeUnicode},
		{"a\u2060b@example.co", strict, RuleUnsafeUnicode},
		{"a\uFEFFb@example.co", strict, RuleUnsafeUnicode},
		{"\u202Dforward-\u202Ereversed@test", testEnv, RuleUnsafeUnicode},
		{"a\u2066b\u2069@example.co", strict, RuleUnsafeUnicode},
		{"a\u200Eb@example.co", strict, RuleUnsafeUnicode},
		{"a\u200Fb@example.co", strict, RuleUnsafeUnicode},
		{"a\u00ADb@example.co", strict, RuleUnsafeUnicode},     // soft hyphen (Cf)
		{"a\tb@example.co", strict, RuleUnsafeUnicode},         // control
		{"a\u0085b@example.co", strict, RuleUnsafeUnicode},     // C1 control
		{"a\u00A0b@example.co", strict, RuleUnsafeUnicode},     // no-break space
		{"a\u2028b@example.co", strict, RuleUnsafeUnicode},     // line separator
		{"a\uE000b@example.co", strict, RuleUnsafeUnicode},     // private use
		{"a\U000F0000b@example.co", strict, RuleUnsafeUnicode}, // supplementary private use
		{"a\U000E0001b@example.co", strict, RuleUnsafeUnicode}, // language tag (Cf)
		{"a\uFFFFb@example.co", strict, RuleUnsafeUnicode},     // noncharacter
		{"a\U0003FFFDb@example.co", strict, RuleUnsafeUnicode}, // unassigned
		{"\u0301abc@example.co", strict, RuleUnsafeUnicode},    // initial combining mark
		{"my@example.com\u000Ax@y.z", strict, RuleUnsafeUnicode},
		// At-signs.
		{"hello.world", strict, RuleNoAtSign},
		{"hello＠world.com", strict, RuleNoAtSign},
		{"a@b@example.com", strict, RuleMultipleAtSigns},
		{`"a"@b@example.com`, quoted, RuleMultipleAtSigns},
		{"@example.com", strict, RuleEmptyLocalPart},
		{"me@", strict, RuleEmptyDomain},
		// Local part.
		{"white space@example.co", strict, RuleLocalInvalidChar},
		{`bad"quotes"@example.com`, strict, RuleLocalInvalidChar},
		{`obsolete."quoted".atom@example.com`, strict, RuleLocalInvalidChar},
		{"(comment)test@iana.org", strict, RuleLocalInvalidChar},
		{"a[b]@example.co", strict, RuleLocalInvalidChar},
		{"a\\b@example.co", strict, RuleLocalInvalidChar},
		{"a:b@example.co", strict, RuleLocalInvalidChar},
		{"a\u037Eb@example.co", strict, RuleLocalInvalidChar}, // Greek question mark is NFC ';'
		{".leadingdot@domain.com", strict, RuleLocalLeadingDot},
		{"trailingdot.@domain.email", strict, RuleLocalTrailingDot},
		{"twodots..here@domain.com", strict, RuleLocalConsecutiveDots},
		{`"test"@iana.org`, strict, RuleQuotedLocalPart},
		{`"quoted with space"@example.com`, strict, RuleQuotedLocalPart},
		{`""@iana.org`, quoted, RuleInvalidQuotedLocalPart},
		{`"unterminated@iana.org`, quoted, RuleInvalidQuotedLocalPart},
		{`"a"b@iana.org`, quoted, RuleInvalidQuotedLocalPart},
		{`"unterminated@iana.org`, strict, RuleLocalInvalidChar},
		{strings.Repeat("a", 65) + "@example.com", strict, RuleLocalPartTooLong},
		{strings.Repeat("é", 33) + "@example.com", strict, RuleLocalPartTooLong}, // 66 octets
		{`"` + strings.Repeat("a ", 32) + `"@example.com`, quoted, RuleLocalPartTooLong},
		// Domain characters and IDNA.
		{"me@x!.com", strict, RuleDomainInvalidChar},
		{"test@iana/icann.org", strict, RuleDomainInvalidChar},
		{"test@under_score.org", strict, RuleDomainInvalidChar},
		{"test@iana.org (comment)", strict, RuleDomainInvalidChar},
		{"me@⒈wouldbeinvalid.com", strict, RuleInvalidIDNA},
		{"me@\u037E.com", strict, RuleInvalidIDNA},
		{"me@xn--0.tld", strict, RuleInvalidIDNA},
		{"me@xn--abc.com", strict, RuleInvalidIDNA},    // decodes to ASCII
		{"me@xn--a-ecp.com", strict, RuleInvalidIDNA},  // not NFC / disallowed after decoding
		{"me@a\u200Db.com", strict, RuleUnsafeUnicode}, // ZWJ is caught before IDNA
		{"me@1\u05D0.com", strict, RuleInvalidIDNA},    // Bidi rule: an RTL label must start with an RTL letter
		{"me@\u0301a.com", strict, RuleInvalidIDNA},    // label starts with combining mark
		// Domain structure.
		{"my@.leadingdot.com", strict, RuleDomainEmptyLabel},
		{"my@twodots..com", strict, RuleDomainEmptyLabel},
		{"a@b.com\u3002", strict, RuleDomainEmptyLabel},
		{"me@" + strings.Repeat("1", 64) + ".com", strict, RuleDomainLabelTooLong},
		{"me@" + strings.Repeat("ü", 60) + ".com", strict, RuleDomainLabelTooLong}, // A-label too long
		{"me@-leadingdash.com", strict, RuleDomainHyphen},
		{"me@trailingdash-.com", strict, RuleDomainHyphen},
		{"my@baddash.-a.com", strict, RuleDomainHyphen},
		{"test@iana.org-", strict, RuleDomainHyphen},
		{"a@-bücher.com", strict, RuleDomainHyphen},
		{"me@yy--0.tld", strict, RuleDomainReservedHyphens},
		{"me@ab--ü.com", strict, RuleDomainReservedHyphens},
		{"me@bad-tld-1", strict, RuleNoDotInDomain},
		{"my@localhost", strict, RuleNoDotInDomain},
		{"my@localhost", testEnv, RuleNoDotInDomain},
		{"λambdaツ@test", testEnv, RuleNoDotInDomain},
		{"me@bad.tld-2", strict, RuleInvalidTLD},
		{"me@example.123", strict, RuleInvalidTLD},
		{"me@192.168.0.1", strict, RuleInvalidTLD},
		// Domain literals.
		{"me@[127.0.0.1]", strict, RuleDomainLiteral},
		{"test@[IPv6:1111:2222:3333:4444:5555:6666:7777:8888]", strict, RuleDomainLiteral},
		{"me@[127.0.0.999]", strict, RuleInvalidDomainLiteral},
		{"me@[127.0.0.999]", literal, RuleInvalidDomainLiteral},
		{"me@[127.0.0.1", literal, RuleInvalidDomainLiteral},
		{"me@[IPv6:127.0.0.1]", literal, RuleInvalidDomainLiteral},
		{"me@[1111:2222::1]", literal, RuleInvalidDomainLiteral},
		{"me@[IPv6:fe80::1%eth0]", literal, RuleInvalidDomainLiteral},
		{"me@[010.0.0.1]", literal, RuleInvalidDomainLiteral},
		// Special-use.
		{"me@anything.arpa", strict, RuleSpecialUseDomain},
		{"me@valid.invalid", strict, RuleSpecialUseDomain},
		{"me@link.local", strict, RuleSpecialUseDomain},
		{"me@host.localhost", strict, RuleSpecialUseDomain},
		{"me@onion.onion.onion", strict, RuleSpecialUseDomain},
		{"me@test.test.test", strict, RuleSpecialUseDomain},
		{"me@mycompany.example", strict, RuleSpecialUseDomain},
		{"me@example.com", strict, RuleSpecialUseDomain},
		{"me@mail.example.net", strict, RuleSpecialUseDomain},
		{"me@EXAMPLE.ORG", strict, RuleSpecialUseDomain},
		{"me@foo.alt", strict, RuleSpecialUseDomain},
		// Whole address.
		{"meme@1111111111222222222233333333334444444444555555555.6666666666777777777788888888889999999999000000000.1111111111222222222233333333334444444444555555555.6666666666777777777788888888889999999999000000000.1111111111222222222233333333334444444444555555555.com", strict, RuleTooLong},
	}
	for _, tt := range tests {
		a, err := Parse(tt.in, tt.opt)
		if err == nil {
			t.Errorf("Parse(%q, %+v) = %q; want error %s", tt.in, tt.opt, a.Normalized, tt.rule)
			continue
		}
		if err.Rule != tt.rule {
			t.Errorf("Parse(%q, %+v) rule %s (%s); want %s", tt.in, tt.opt, err.Rule, err.Message, tt.rule)
		}
		if err.Message == "" || !strings.Contains(err.Error(), err.Rule) {
			t.Errorf("Parse(%q): bad error text %q", tt.in, err.Error())
		}
	}
}

// allRules lists every rule id; TestRuleCoverage checks each is exercised.
var allRules = []string{
	RuleEmpty, RuleInvalidUTF8, RuleUnsafeUnicode, RuleNoAtSign, RuleMultipleAtSigns,
	RuleEmptyLocalPart, RuleLocalInvalidChar, RuleLocalLeadingDot, RuleLocalTrailingDot,
	RuleLocalConsecutiveDots, RuleQuotedLocalPart, RuleInvalidQuotedLocalPart,
	RuleLocalPartTooLong, RuleEmptyDomain, RuleDomainInvalidChar, RuleInvalidIDNA,
	RuleDomainEmptyLabel, RuleDomainLabelTooLong, RuleDomainHyphen, RuleDomainReservedHyphens,
	RuleDomainTooLong, RuleNoDotInDomain, RuleInvalidTLD, RuleDomainLiteral,
	RuleInvalidDomainLiteral, RuleSpecialUseDomain, RuleTooLong,
}

func TestRuleCoverage(t *testing.T) {
	seen := map[string]bool{}
	inputs := []string{
		"", "a@b\xffc.com", "a\u200Bb@example.co", "hello", "a@b@c.co", "@x.co", "a b@x.co",
		".a@x.co", "a.@x.co", "a..b@x.co", `"a"@x.co`, strings.Repeat("a", 65) + "@x.co", "a@",
		"a@x!.co", "a@xn--0.co", "a@.x.co", "a@" + strings.Repeat("x", 64) + ".co", "a@-x.co",
		"a@ab--c.co", "a@" + strings.Repeat("abcdefghi.", 26) + "co", "a@x", "a@x.c0", "a@[1.2.3.4]",
		"a@[1.2.3]", "a@x.test", "ab@" + strings.Repeat("abcdefghi.", 25) + "co",
	}
	for _, in := range inputs {
		if _, err := Parse(in, Options{}); err != nil {
			seen[err.Rule] = true
		}
	}
	if _, err := Parse(`""@x.co`, Options{AllowQuotedLocal: true}); err != nil {
		seen[err.Rule] = true
	}
	for _, r := range allRules {
		if !seen[r] {
			t.Errorf("rule %s not exercised", r)
		}
	}
}

func TestLengths(t *testing.T) {
	label := func(c string, n int) string { return strings.Repeat(c, n) }
	dom252 := label("a", 63) + "." + label("b", 63) + "." + label("c", 63) + "." + label("d", 60)
	dom253 := dom252 + "d"
	dom254 := dom253 + "d"
	tests := []struct {
		in   string
		rule string // "" means valid
	}{
		{label("l", 64) + "@example.co", ""},
		{label("l", 65) + "@example.co", RuleLocalPartTooLong},
		{label("é", 32) + "@example.co", ""},                                                      // 64 octets
		{label("é", 32) + "a@example.co", RuleLocalPartTooLong},                                   // 65 octets
		{"x@" + label("a", 63) + ".co", ""},                                                       // 63-octet label
		{"x@" + label("a", 64) + ".co", RuleDomainLabelTooLong},                                   // 64-octet label
		{"x@" + dom252, ""},                                                                       // total 254
		{"xy@" + dom252, RuleTooLong},                                                             // total 255
		{"x@" + dom253, RuleTooLong},                                                              // 253-octet domain is fine, the total is not
		{"x@" + dom254, RuleDomainTooLong},                                                        // 254-octet domain
		{label("l", 64) + "@" + label("a", 63) + "." + label("b", 63) + "." + label("c", 61), ""}, // 64+1+189
	}
	for _, tt := range tests {
		a, err := Parse(tt.in, Options{})
		switch {
		case tt.rule == "" && err != nil:
			t.Errorf("Parse(len %d) error %v", len(tt.in), err)
		case tt.rule != "" && err == nil:
			t.Errorf("Parse(len %d) = valid (len %d); want %s", len(tt.in), len(a.Normalized), tt.rule)
		case tt.rule != "" && err.Rule != tt.rule:
			t.Errorf("Parse(len %d) rule %s; want %s", len(tt.in), err.Rule, tt.rule)
		}
	}
}

func TestHygiene(t *testing.T) {
	tests := []struct {
		in         string
		normalized string
		fixes      []string
	}{
		{"john@example.co", "john@example.co", nil},
		{"\uFEFFjohn@example.co", "john@example.co", []string{FixBOM}},
		{"  john@example.co \r\n", "john@example.co", []string{FixWhitespace}},
		{"\u00A0john@example.co\t", "john@example.co", []string{FixWhitespace}},
		{"\u200Bjohn@example.co\u200D", "john@example.co", []string{FixZeroWidth}},
		{"\uFEFF \u200Bjohn@example.co", "john@example.co", []string{FixBOM, FixWhitespace, FixZeroWidth}},
		{"mailto:john@example.co", "john@example.co", []string{FixMailto}},
		{"MAILTO:john@example.co?subject=Hi&body=x", "john@example.co", []string{FixMailto}},
		{"mailto:john%2Bnews@example.co", "john+news@example.co", []string{FixMailto}},
		{"mailto:bad%zz@example.co", "bad%zz@example.co", []string{FixMailto}},
		{"John Doe <john@example.co>", "john@example.co", []string{FixDisplayName}},
		{`"Doe, John" <john@example.co>`, "john@example.co", []string{FixDisplayName}},
		{"<john@example.co>", "john@example.co", []string{FixAngleBrackets}},
		{"< john@example.co >", "john@example.co", []string{FixAngleBrackets, FixWhitespace}},
		{"John <mailto:john@example.co>", "john@example.co", []string{FixDisplayName, FixMailto}},
		{"john@example.co;", "john@example.co", []string{FixTrailingPunctuation}},
		{"john@example.co,", "john@example.co", []string{FixTrailingPunctuation}},
		{"john@example.co.", "john@example.co", []string{FixTrailingPunctuation}},
		{"John <john@example.co>;,", "john@example.co", []string{FixTrailingPunctuation, FixDisplayName}},
		{" John Doe <JOHN@Example.CO>; ", "JOHN@example.co", []string{FixWhitespace, FixTrailingPunctuation, FixDisplayName}},
		{"john@example.co\n", "john@example.co", []string{FixWhitespace}},
	}
	for _, tt := range tests {
		a, err := Parse(tt.in, Options{})
		if err != nil {
			t.Errorf("Parse(%q) error %v", tt.in, err)
			continue
		}
		if a.Normalized != tt.normalized || !slices.Equal(a.Fixes, tt.fixes) {
			t.Errorf("Parse(%q) = %q fixes %q; want %q fixes %q", tt.in, a.Normalized, a.Fixes, tt.normalized, tt.fixes)
		}
	}
	// Fixes are reported on failure too.
	a, err := Parse(" mailto:nobody ", Options{})
	if err == nil || err.Rule != RuleNoAtSign || !slices.Equal(a.Fixes, []string{FixWhitespace, FixMailto}) {
		t.Errorf("Parse(mailto:nobody) = %+v, %v", a, err)
	}
}
