package companymatch

import "strings"

// Country resolves an ISO 3166-1 country from an alpha-2 code ("us"),
// an alpha-3 code ("USA"), an English short name ("united states"), or a
// common alias or native name ("UK", "Great Britain", "Czech Republic",
// "Ivory Coast", "Deutschland"). Case, accents, punctuation, "St." for
// "Saint" and a leading "the" do not matter. It returns the alpha-2 code
// and the English short name, or ok false for anything it does not know.
func Country(nameOrCode string) (code, name string, ok bool) {
	if e, ok := countryByKey[nameOrCode]; ok { // fast path: folded already
		return e.code, e.name, true
	}
	e, ok := countryByKey[countryKey(nameOrCode)]
	return e.code, e.name, ok
}

// countryKey folds a country name or code for lookup.
func countryKey(s string) string {
	toks := tokenize(dropAbbrevDots(fold(s)))
	if len(toks) > 1 && toks[0] == "the" {
		toks = toks[1:]
	}
	for i, t := range toks {
		if t == "st" {
			toks[i] = "saint"
		}
	}
	return strings.Join(toks, " ")
}
