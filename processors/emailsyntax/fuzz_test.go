package emailsyntax

import (
	"strings"
	"testing"
	"unicode/utf8"
)

var fuzzSeeds = []string{
	"john@example.co", "JOHN@XN--BCHER-KVA.COM", "伊昭傑@郵件.商務", `"a b"@x.co`, `"a\"b"@x.co`,
	"me@[127.0.0.1]", "test@[IPv6:2001:db8::1]", " John <mailto:john@x.co?s=1>; ", "\uFEFFa@b.co",
	"a\u200Bb@x.co", "a..b@x.co", "a@-b.co", "a@xn--0.co", "a@ab--c.co", "x@faß.de", "x@a\u3002b.co",
	"n\u0303o@x.co", "＠@x.co", "a@b@c", "", "<<<<a@b.co>>>>", `"\`, "a@1\u05D0.com",
}

func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s, uint8(0))
		f.Add(s, uint8(7))
	}
	f.Fuzz(func(t *testing.T, in string, flags uint8) {
		opt := Options{AllowQuotedLocal: flags&1 != 0, AllowDomainLiteral: flags&2 != 0, AllowSpecialUse: flags&4 != 0}
		a, err := Parse(in, opt)
		if err != nil {
			if err.Rule == "" || err.Message == "" {
				t.Fatalf("Parse(%q): empty rule or message: %+v", in, err)
			}
			return
		}
		if a.Normalized != a.Local+"@"+a.Domain || len(a.Normalized) > maxAddressLen ||
			len(a.Local) > maxLocalLen || !utf8.ValidString(a.Normalized) || !isASCII(a.Domain) {
			t.Fatalf("Parse(%q) = %+v: inconsistent result", in, a)
		}
		if !a.Literal && a.Domain != strings.ToLower(a.Domain) {
			t.Fatalf("Parse(%q): domain %q not lower case", in, a.Domain)
		}
		b, err := Parse(a.Normalized, opt)
		if err != nil {
			t.Fatalf("Parse(%q) = %q, which does not re-parse: %v", in, a.Normalized, err)
		}
		if b.Normalized != a.Normalized || len(b.Fixes) != 0 || b.UnicodeDomain != a.UnicodeDomain {
			t.Fatalf("Parse(%q) = %q; re-parsed as %q fixes %q", in, a.Normalized, b.Normalized, b.Fixes)
		}
	})
}

func FuzzSuggest(f *testing.F) {
	for _, s := range []string{"gmial.com", "gmail.com", "", "a.b.c", "ü.com", "gmailcom"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, d string) {
		s, known := Suggest(d)
		if known && s == "" {
			t.Fatalf("Suggest(%q): known typo without suggestion", d)
		}
		if s != "" && !isProvider[s] {
			t.Fatalf("Suggest(%q) = %q, not a provider", d, s)
		}
	})
}

var benchAddrs = []string{
	"john.doe@gmail.com",
	"Jane.Smith+news@Example-Company.co.uk",
	" John Doe <john@acme.io>; ",
	"mailto:info@bücher.de?subject=x",
	"伊昭傑@郵件.商務",
	"user@xn--bcher-kva.com",
	"bad..dots@example.org",
	"no-at-sign.example.com",
	"a\u200Bb@example.co",
	"first.last@sub.domain.example.travel",
}

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for i := range b.N {
		Parse(benchAddrs[i%len(benchAddrs)], Options{})
	}
}

func BenchmarkSuggest(b *testing.B) {
	domains := []string{"gmial.com", "acme.com", "hotmaul.com", "example.org", "yahoo.co.uj"}
	b.ReportAllocs()
	for i := range b.N {
		Suggest(domains[i%len(domains)])
	}
}
