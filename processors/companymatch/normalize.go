// Package companymatch matches company names. It folds names to a form
// that compares well (Normalize), scores how alike two names are
// (Similarity), and picks the one company a query means from a list of
// candidates, or says that it cannot (Choose). It also reads employee
// size ranges (ParseSize) and country names and codes (Country), the
// other values that matching and merging compare.
package companymatch

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// legalSuffixes are legal-form designators removed from the end of a
// name, written as token sequences after folding. Dotted forms such as
// "L.L.C." or "S.p.A." fold to one token ("llc", "spa"); spaced forms
// ("L. L. C.") keep one token per letter and are listed too.
var legalSuffixes = [][]string{
	{"inc"}, {"incorporated"}, {"llc"}, {"l", "l", "c"}, {"limited", "liability", "company"},
	{"llp"}, {"lp"}, {"ltd"}, {"limited"}, {"corp"}, {"corporation"}, {"co"}, {"company"},
	{"and", "co"}, {"co", "ltd"}, {"co", "kg"}, {"and", "co", "kg"}, {"gmbh", "and", "co", "kg"},
	{"ag", "and", "co", "kg"}, {"gmbh"}, {"gesellschaft", "mit", "beschrankter", "haftung"},
	{"ag"}, {"aktiengesellschaft"}, {"kg"}, {"kgaa"}, {"ohg"}, {"ug"}, {"se"},
	{"sa"}, {"s", "a"}, {"sas"}, {"s", "a", "s"}, {"sarl"}, {"sa", "rl"}, {"s", "a", "r", "l"},
	{"societe", "anonyme"}, {"sociedad", "anonima"}, {"sa", "de", "cv"}, {"de", "cv"}, {"sab"},
	{"bv"}, {"b", "v"}, {"nv"}, {"n", "v"}, {"pty"}, {"pty", "ltd"}, {"pte"}, {"pte", "ltd"},
	{"pvt"}, {"pvt", "ltd"}, {"private", "limited"}, {"plc"}, {"public", "limited", "company"},
	{"oy"}, {"oyj"}, {"ab"}, {"as"}, {"a", "s"}, {"asa"}, {"aps"}, {"spa"}, {"s", "p", "a"},
	{"srl"}, {"s", "r", "l"}, {"sl"}, {"slu"}, {"sau"}, {"ltda"}, {"sro"}, {"sp", "z", "oo"},
	{"kk"}, {"k", "k"}, {"kabushiki", "kaisha"}, {"gk"}, {"sdn", "bhd"}, {"bhd"}, {"berhad"},
	{"tbk"}, {"kft"}, {"zrt"}, {"nyrt"}, {"doo"}, {"jsc"}, {"pjsc"}, {"ojsc"}, {"cjsc"},
	{"ooo"}, {"oao"}, {"zao"}, {"pao"}, {"ооо"}, {"оао"}, {"зао"}, {"пао"}, {"ао"},
	{"株式会社"}, {"有限会社"}, {"合同会社"}, {"有限公司"}, {"股份有限公司"}, {"주식회사"},
}

// legalPrefixes are legal forms written before the name, as in Russian
// ("ООО Яндекс") or Japanese and Korean abbreviations ("(株)トヨタ").
var legalPrefixes = map[string]bool{
	"ооо": true, "оао": true, "зао": true, "пао": true, "ао": true, "тов": true,
	"株": true, "有": true, "주": true, "株式会社": true, "有限会社": true, "주식회사": true,
}

// scriptForms are legal forms written without spaces around them in
// Chinese, Japanese and Korean names; they are cut from the start or the
// end of a token.
var scriptForms = []string{"股份有限公司", "有限责任公司", "有限公司", "株式会社", "有限会社", "合同会社", "주식회사"}

// legalIndex maps a sequence's last token to the sequences ending in it.
var legalIndex = func() map[string][][]string {
	m := make(map[string][][]string)
	for _, seq := range legalSuffixes {
		last := seq[len(seq)-1]
		m[last] = append(m[last], seq)
	}
	return m
}()

// Normalize folds a company name for matching. It applies Unicode NFKC,
// lower-cases, removes accents from Latin letters (é→e, ß→ss, ø→o),
// reads "&" as "and", drops apostrophes and the dots of abbreviations
// ("S.A."→"sa"), turns other punctuation into spaces and collapses white
// space. It then drops a leading or trailing "the" and removes legal-form
// designators (Inc, LLC, Ltd, GmbH, S.A., B.V., Pty Ltd, Sdn Bhd, ООО,
// 株式会社, ...) from the end, repeatedly, and from the start where
// languages put them there.
//
// Letters of other scripts are kept, so "Яндекс" folds to "яндекс" and
// "株式会社トヨタ" to "トヨタ". Normalize never removes the last word: a
// name that is only a legal form, such as "Inc.", folds to itself ("inc").
func Normalize(name string) string {
	return strings.Join(normTokens(name), " ")
}

// normTokens is Normalize returning the words.
func normTokens(name string) []string {
	toks := tokenize(dropAbbrevDots(fold(name)))
	if len(toks) == 0 {
		return nil
	}
	toks = cutScriptForms(toks)
	if len(toks) > 1 && toks[0] == "the" {
		toks = toks[1:]
	}
	if len(toks) > 1 && toks[len(toks)-1] == "the" {
		toks = toks[:len(toks)-1]
	}
	for len(toks) > 1 && legalPrefixes[toks[0]] {
		toks = toks[1:]
	}
	for len(toks) > 1 {
		n := legalSuffixLen(toks)
		if n == 0 {
			break
		}
		toks = toks[:len(toks)-n]
	}
	return toks
}

// legalSuffixLen returns the length of the longest legal form ending
// toks that still leaves at least one word, or 0.
func legalSuffixLen(toks []string) int {
	best := 0
	for _, seq := range legalIndex[toks[len(toks)-1]] {
		if len(seq) <= best || len(seq) >= len(toks) {
			continue
		}
		tail := toks[len(toks)-len(seq):]
		match := true
		for i := range seq {
			if seq[i] != tail[i] {
				match = false
				break
			}
		}
		if match {
			best = len(seq)
		}
	}
	return best
}

// cutScriptForms removes CJK legal forms glued to the first or last word.
func cutScriptForms(toks []string) []string {
	for _, f := range scriptForms {
		if t := toks[0]; strings.HasPrefix(t, f) && len(t) > len(f) {
			toks[0] = t[len(f):]
		}
		if t := toks[len(toks)-1]; strings.HasSuffix(t, f) && len(t) > len(f) {
			toks[len(toks)-1] = t[:len(t)-len(f)]
		}
	}
	return toks
}

// latinFold spells out Latin letters that have no decomposition.
var latinFold = map[rune]string{
	'ß': "ss", 'æ': "ae", 'œ': "oe", 'ø': "o", 'đ': "d", 'ð': "d", 'ł': "l",
	'þ': "th", 'ı': "i", 'ħ': "h", 'ŧ': "t", 'ŋ': "n",
}

// fold applies NFKC, lower-cases and removes the accents of Latin
// letters. Combining marks on other scripts are kept: they are part of
// the letter there.
func fold(s string) string {
	if isASCII(s) {
		return strings.ToLower(s)
	}
	s = norm.NFKC.String(s)
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		r = unicode.ToLower(r)
		if f, ok := latinFold[r]; ok {
			b.WriteString(f)
			continue
		}
		b.WriteRune(r)
	}
	d := norm.NFD.String(b.String())
	b.Reset()
	latinBase := false
	for _, r := range d {
		if unicode.Is(unicode.Mn, r) {
			if latinBase {
				continue
			}
		} else {
			latinBase = r < utf8.RuneSelf || unicode.Is(unicode.Latin, r)
		}
		b.WriteRune(r)
	}
	return norm.NFC.String(b.String())
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// dropAbbrevDots removes the dots of abbreviations written letter by
// letter ("s.a.", "l.l.c.", "e.on"): a dot that follows a single letter
// standing at the start of a word. Other dots stay and later split words.
func dropAbbrevDots(s string) string {
	if !strings.Contains(s, ".") {
		return s
	}
	rs := []rune(s)
	out := rs[:0:0]
	for i, r := range rs {
		if r == '.' && i > 0 && unicode.IsLetter(rs[i-1]) &&
			(i == 1 || !isWordRune(rs[i-2])) {
			continue
		}
		out = append(out, r)
	}
	return string(out)
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
}

func isApostrophe(r rune) bool {
	switch r {
	case '\'', '’', 'ʼ', '`', '´', '‘':
		return true
	}
	return false
}

// tokenize splits a folded name into words. "&" becomes the word "and",
// apostrophes join ("McDonald's"→"mcdonalds"), all other non-word runes
// separate words.
func tokenize(s string) []string {
	toks := make([]string, 0, 4)
	start, apos := -1, false
	flush := func(end int) {
		if start < 0 {
			return
		}
		t := s[start:end]
		if apos {
			t = strings.Map(func(r rune) rune {
				if isApostrophe(r) {
					return -1
				}
				return r
			}, t)
		}
		toks = append(toks, strings.TrimRightFunc(t, isApostrophe))
		start, apos = -1, false
	}
	for i, r := range s {
		switch {
		case isWordRune(r):
			if start < 0 {
				start = i
			}
		case isApostrophe(r) && start >= 0:
			apos = true // joins the two halves of the word
		case r == '&':
			flush(i)
			toks = append(toks, "and")
		default:
			flush(i)
		}
	}
	flush(len(s))
	return toks
}

// Trigrams returns the distinct character trigrams of a normalised name,
// sorted, for retrieving candidates from an index. Like PostgreSQL's
// pg_trgm, each word is padded with two spaces in front and one behind,
// so "hp" gives "  h", " hp" and "hp ". Trigrams are built from runes,
// so names in any script work. An empty name has no trigrams.
func Trigrams(normalized string) []string {
	seen := make(map[string]bool)
	for _, w := range strings.Fields(normalized) {
		rs := []rune("  " + w + " ")
		for i := 0; i+3 <= len(rs); i++ {
			seen[string(rs[i:i+3])] = true
		}
	}
	if len(seen) == 0 {
		return nil
	}
	out := make([]string, 0, len(seen))
	for t := range seen {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// Keys hands Normalize, Trigrams and Country to code that stores names
// for matching (companydata.Normalizer is what it satisfies).
type Keys struct{}

// Normalize is Normalize.
func (Keys) Normalize(name string) string { return Normalize(name) }

// Trigrams is Trigrams.
func (Keys) Trigrams(key string) []string { return Trigrams(key) }

// Country is Country.
func (Keys) Country(s string) (code, name string, ok bool) { return Country(s) }
