package companyname

import (
	"strings"
	"sync"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// aliases are common names of countries that differ from their English
// short names.
var aliases = map[string]string{
	"usa": "US", "united states of america": "US", "america": "US", "uk": "GB", "great britain": "GB",
	"england": "GB", "scotland": "GB", "wales": "GB", "northern ireland": "GB", "britain": "GB",
	"south korea": "KR", "korea": "KR", "republic of korea": "KR", "north korea": "KP", "russia": "RU",
	"russian federation": "RU", "czech republic": "CZ", "czechia": "CZ", "ivory coast": "CI",
	"cote d'ivoire": "CI", "holland": "NL", "the netherlands": "NL", "uae": "AE", "viet nam": "VN",
	"vietnam": "VN", "iran": "IR", "syria": "SY", "laos": "LA", "bolivia": "BO", "venezuela": "VE",
	"tanzania": "TZ", "taiwan": "TW", "macau": "MO", "macao": "MO", "hong kong": "HK", "burma": "MM",
	"myanmar": "MM", "moldova": "MD", "palestine": "PS", "vatican": "VA", "brunei": "BN",
	"cape verde": "CV", "swaziland": "SZ", "eswatini": "SZ", "congo": "CG", "dr congo": "CD",
	"democratic republic of the congo": "CD", "micronesia": "FM", "turkey": "TR", "turkiye": "TR",
	"deutschland": "DE", "espana": "ES", "españa": "ES", "brasil": "BR", "mexico": "MX", "méxico": "MX",
}

var countries = sync.OnceValue(func() map[string]language.Region {
	m := map[string]language.Region{}
	for a := 'A'; a <= 'Z'; a++ {
		for b := 'A'; b <= 'Z'; b++ {
			r, err := language.ParseRegion(string([]rune{a, b}))
			if err != nil || !r.IsCountry() || r.Canonicalize() != r {
				continue
			}
			m[strings.ToLower(r.String())] = r
			m[strings.ToLower(r.ISO3())] = r
			m[strings.ToLower(display.English.Regions().Name(r))] = r
		}
	}
	for alias, code := range aliases {
		if r, err := language.ParseRegion(code); err == nil {
			m[alias] = r
		}
	}
	return m
})

// Country reads a country given by English name, a common alias, or an
// ISO 3166-1 alpha-2 or alpha-3 code, and returns its alpha-2 code and
// English name.
func Country(nameOrCode string) (code, name string, ok bool) {
	r, ok := countries()[strings.ToLower(strings.TrimSpace(nameOrCode))]
	if !ok {
		return "", "", false
	}
	return r.String(), display.English.Regions().Name(r), true
}
