// Package companyname matches company names: it folds them to keys,
// scores how alike two names are, and picks the one company a name means
// from candidates, or says it cannot. It also reads employee ranges and
// country names, the other values matching and merging compare.
package companyname

import (
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// legalForms are the legal-form words dropped from the end of a name,
// written as Normalize's token sequences.
var legalForms = [][]string{
	{"inc"}, {"incorporated"}, {"llc"}, {"l", "l", "c"}, {"ltd"}, {"limited"}, {"corp"}, {"corporation"},
	{"co"}, {"company"}, {"gmbh"}, {"ag"}, {"sa"}, {"s", "a"}, {"sas"}, {"s", "a", "s"}, {"sarl"}, {"bv"}, {"b", "v"},
	{"nv"}, {"n", "v"}, {"pty"}, {"pty", "ltd"}, {"plc"}, {"oy"}, {"ab"}, {"as"}, {"aps"}, {"spa"}, {"s", "p", "a"},
	{"srl"}, {"kk"}, {"sdn", "bhd"}, {"lp"}, {"llp"}, {"gmbh", "and", "co", "kg"}, {"gmbh", "co", "kg"}, {"kg"},
	{"and", "co"}, {"se"}, {"oyj"}, {"asa"}, {"ooo"}, {"oao"}, {"zao"}, {"pjsc"}, {"kabushiki", "kaisha"},
}

// Normalize folds a company name for matching: lower case, accents
// removed, "&" read as "and", punctuation dropped, white space collapsed,
// a leading "the" and trailing legal forms (Inc, LLC, Ltd, GmbH, S.A.,
// B.V., AG, Pty...) removed. Names in other scripts keep their letters.
// A name that is nothing but a legal form keeps it.
func Normalize(name string) string {
	folded, _, err := transform.String(transform.Chain(norm.NFKD, runes.Remove(runes.In(unicode.Mn)), norm.NFKC), name)
	if err != nil {
		folded = name
	}
	folded = strings.NewReplacer("ß", "ss", "æ", "ae", "ø", "o", "œ", "oe", "ł", "l", "&", " and ", "+", " and ").Replace(strings.ToLower(folded))
	tokens := strings.FieldsFunc(folded, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) })
	if len(tokens) > 1 && tokens[0] == "the" {
		tokens = tokens[1:]
	}
	for trimmed := true; trimmed && len(tokens) > 1; {
		trimmed = false
		for _, lf := range legalForms {
			if len(lf) < len(tokens) && equal(tokens[len(tokens)-len(lf):], lf) {
				tokens, trimmed = tokens[:len(tokens)-len(lf)], true
				break
			}
		}
	}
	return strings.Join(tokens, " ")
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Trigrams are the distinct character trigrams of a normalised name,
// padded with spaces at both ends, for retrieving candidates.
func Trigrams(key string) []string {
	r := []rune(" " + key + " ")
	seen := map[string]bool{}
	var out []string
	for i := 0; i+3 <= len(r); i++ {
		g := string(r[i : i+3])
		if !seen[g] {
			seen[g] = true
			out = append(out, g)
		}
	}
	return out
}

// Similarity scores how alike two company names are, from 0 to 1, on
// their normalised forms: the larger of token-set similarity (shared words
// over the words of the shorter name, scaled down by how many words the
// longer one adds) and, for near-identical spellings only (typos), the
// Jaro-Winkler similarity of the whole keys.
func Similarity(a, b string) float64 {
	ka, kb := Normalize(a), Normalize(b)
	if ka == "" || kb == "" {
		return 0
	}
	if ka == kb {
		return 1
	}
	jw := jaroWinkler(ka, kb)
	if jw < jwTypo {
		jw = 0
	}
	return max(tokenSet(ka, kb), jw)
}

func tokenSet(a, b string) float64 {
	ta, tb := strings.Fields(a), strings.Fields(b)
	set := map[string]bool{}
	for _, t := range ta {
		set[t] = true
	}
	common := 0
	seen := map[string]bool{}
	for _, t := range tb {
		if set[t] && !seen[t] {
			common++
			seen[t] = true
		}
	}
	short, long := min(len(ta), len(tb)), max(len(ta), len(tb))
	if short == 0 {
		return 0
	}
	// "google" in "google cloud": all of the short name, half of the long.
	return float64(common) / float64(short) * (0.5 + 0.5*float64(short)/float64(long)) * 0.95
}

// jwTypo is the Jaro-Winkler similarity from which two keys are taken for
// spellings of one name.
const jwTypo = 0.9

// jaroWinkler is the Jaro-Winkler similarity of two strings, by runes.
func jaroWinkler(s1, s2 string) float64 {
	a, b := []rune(s1), []rune(s2)
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	window := max(len(a), len(b))/2 - 1
	window = max(window, 0)
	ma, mb := make([]bool, len(a)), make([]bool, len(b))
	matches := 0
	for i := range a {
		lo, hi := max(0, i-window), min(len(b), i+window+1)
		for j := lo; j < hi; j++ {
			if !mb[j] && a[i] == b[j] {
				ma[i], mb[j] = true, true
				matches++
				break
			}
		}
	}
	if matches == 0 {
		return 0
	}
	transpositions, k := 0, 0
	for i := range a {
		if !ma[i] {
			continue
		}
		for !mb[k] {
			k++
		}
		if a[i] != b[k] {
			transpositions++
		}
		k++
	}
	m := float64(matches)
	jaro := (m/float64(len(a)) + m/float64(len(b)) + (m-float64(transpositions)/2)/m) / 3
	prefix := 0
	for prefix < min(4, len(a), len(b)) && a[prefix] == b[prefix] {
		prefix++
	}
	return jaro + float64(prefix)*0.1*(1-jaro)
}
