package companymatch

import "testing"

func TestCountry(t *testing.T) {
	tests := []struct {
		in, code, name string
		ok             bool
	}{
		{"US", "US", "United States", true},
		{"us", "US", "United States", true},
		{"USA", "US", "United States", true},
		{"U.S.A.", "US", "United States", true},
		{"united states", "US", "United States", true},
		{"United States of America", "US", "United States", true},
		{"UK", "GB", "United Kingdom", true},
		{"gb", "GB", "United Kingdom", true},
		{"GBR", "GB", "United Kingdom", true},
		{"Great Britain", "GB", "United Kingdom", true},
		{"England", "GB", "United Kingdom", true},
		{"south korea", "KR", "South Korea", true},
		{"Korea, Republic of", "KR", "South Korea", true},
		{"north korea", "KP", "North Korea", true},
		{"Russia", "RU", "Russia", true},
		{"Russian Federation", "RU", "Russia", true},
		{"Czechia", "CZ", "Czechia", true},
		{"Czech Republic", "CZ", "Czechia", true},
		{"Ivory Coast", "CI", "Côte d'Ivoire", true},
		{"Côte d’Ivoire", "CI", "Côte d'Ivoire", true},
		{"cote d'ivoire", "CI", "Côte d'Ivoire", true},
		{"Deutschland", "DE", "Germany", true},
		{"germany", "DE", "Germany", true},
		{"DEU", "DE", "Germany", true},
		{"The Netherlands", "NL", "Netherlands", true},
		{"Holland", "NL", "Netherlands", true},
		{"St. Lucia", "LC", "Saint Lucia", true},
		{"Saint Barthelemy", "BL", "Saint Barthélemy", true},
		{"Åland Islands", "AX", "Åland Islands", true},
		{"Aland Islands", "AX", "Åland Islands", true},
		{"turkey", "TR", "Türkiye", true},
		{"Viet Nam", "VN", "Vietnam", true},
		{"UAE", "AE", "United Arab Emirates", true},
		{"DR Congo", "CD", "Democratic Republic of the Congo", true},
		{"日本", "JP", "Japan", true},
		{" japan ", "JP", "Japan", true},
		{"", "", "", false},
		{"XX", "", "", false},
		{"EU", "", "", false},
		{"Atlantis", "", "", false},
		{"United", "", "", false},
	}
	for _, tt := range tests {
		code, name, ok := Country(tt.in)
		if code != tt.code || name != tt.name || ok != tt.ok {
			t.Errorf("Country(%q) = %q, %q, %v; want %q, %q, %v", tt.in, code, name, ok, tt.code, tt.name, tt.ok)
		}
	}
}

func TestCountryTable(t *testing.T) {
	if len(countries) != 249 {
		t.Errorf("%d countries, want 249", len(countries))
	}
	a2 := map[string]bool{}
	a3 := map[string]bool{}
	for _, c := range countries {
		if len(c.a2) != 2 || len(c.a3) != 3 || c.name == "" {
			t.Errorf("bad entry %v", c)
		}
		if a2[c.a2] || a3[c.a3] {
			t.Errorf("duplicate %v", c)
		}
		a2[c.a2], a3[c.a3] = true, true
		for _, in := range []string{c.a2, c.a3, c.name} {
			if code, _, ok := Country(in); !ok || code != c.a2 {
				t.Errorf("Country(%q) = %q, %v; want %q", in, code, ok, c.a2)
			}
		}
	}
}
