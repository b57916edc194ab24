package companymatch

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

var (
	appleInc   = Candidate{ID: "apple", Name: "Apple Inc.", Domain: "apple.com", Country: "US"}
	appleREIT  = Candidate{ID: "aple", Name: "Apple Hospitality REIT, Inc.", Domain: "applehospitalityreit.com", Country: "US"}
	appleBank  = Candidate{ID: "applebank", Name: "Apple Bank", Domain: "applebank.com", Country: "US"}
	google     = Candidate{ID: "google", Name: "Google LLC", Domain: "google.com", Country: "US"}
	googleCl   = Candidate{ID: "gcloud", Name: "Google Cloud", Domain: "https://cloud.google.com/", Country: "US"}
	alphabet   = Candidate{ID: "alphabet", Name: "Alphabet Inc.", Domain: "abc.xyz", Country: "US"}
	homeDepot  = Candidate{ID: "hd", Name: "Home Depot, Inc.", Domain: "homedepot.com", Country: "US"}
	jnj        = Candidate{ID: "jnj", Name: "Johnson and Johnson", Domain: "jnj.com", Country: "US"}
	jci        = Candidate{ID: "jci", Name: "Johnson Controls International plc", Domain: "johnsoncontrols.com", Country: "IE"}
	socgen     = Candidate{ID: "sg", Name: "societe generale", Domain: "societegenerale.com", Country: "FR"}
	toyota     = Candidate{ID: "toyota", Name: "トヨタ自動車株式会社", Domain: "toyota.co.jp", Country: "JP"}
	toyotaTsu  = Candidate{ID: "ttc", Name: "豊田通商株式会社", Domain: "toyota-tsusho.com", Country: "JP"}
	yandex     = Candidate{ID: "yandex", Name: "ООО «Яндекс»", Domain: "yandex.ru", Country: "RU"}
	yandexEN   = Candidate{ID: "yandex-en", Name: "Yandex N.V.", Domain: "yandex.com", Country: "NL"}
	threeM     = Candidate{ID: "3m", Name: "3M Company", Domain: "3m.com", Country: "US"}
	hp         = Candidate{ID: "hp", Name: "HP Inc.", Domain: "hp.com", Country: "US"}
	hpe        = Candidate{ID: "hpe", Name: "Hewlett Packard Enterprise", Domain: "hpe.com", Country: "US"}
	ge         = Candidate{ID: "ge", Name: "GE", Domain: "ge.com", Country: "US"}
	gea        = Candidate{ID: "gea", Name: "GEA Group AG", Domain: "gea.com", Country: "DE"}
	acmeUS     = Candidate{ID: "acme-us", Name: "Acme Inc.", Domain: "acme.com", Country: "US"}
	acmeGB     = Candidate{ID: "acme-gb", Name: "Acme Ltd", Domain: "acme.co.uk", Country: "GB"}
	microsoft  = Candidate{ID: "msft", Name: "Microsoft Corporation", Domain: "microsoft.com", Country: "US"}
	micron     = Candidate{ID: "mu", Name: "Micron Technology", Domain: "micron.com", Country: "US"}
	allApples  = []Candidate{appleInc, appleREIT, appleBank}
	allGoogles = []Candidate{google, googleCl, alphabet}
)

func TestChoose(t *testing.T) {
	tests := []struct {
		name    string
		q       Query
		cands   []Candidate
		verdict Verdict
		best    string   // ID of Best when Matched
		top     []string // IDs expected among Top, when set
	}{
		{"namesakes, email domain decides", Query{Name: "Apple", EmailDomain: "apple.com"}, allApples, Matched, "apple", nil},
		{"namesakes, email with subdomain", Query{Name: "Apple", EmailDomain: "mail.apple.com"}, allApples, Matched, "apple", nil},
		{"namesakes without domain", Query{Name: "Apple"}, allApples, Ambiguous, "", []string{"apple", "applebank"}},
		{"namesakes, country does not decide", Query{Name: "Apple", Country: "US"}, allApples, Ambiguous, "", []string{"apple", "applebank"}},
		{"namesake named in full", Query{Name: "Apple Bank for Savings"}, allApples, NotFound, "", nil},
		{"namesake named exactly", Query{Name: "Apple Bank"}, allApples, Matched, "applebank", nil},
		{"parent with email domain", Query{Name: "Google", EmailDomain: "google.com"}, allGoogles, Matched, "google", nil},
		{"parent without domain", Query{Name: "Google"}, allGoogles, Ambiguous, "", []string{"google", "gcloud"}},
		{"subsidiary named", Query{Name: "Google Cloud", EmailDomain: "google.com"}, allGoogles, Matched, "gcloud", nil},
		{"holding named, group email", Query{Name: "Alphabet", EmailDomain: "google.com"}, allGoogles, Matched, "alphabet", nil},
		{"subsidiary only, never a silent guess", Query{Name: "Google"}, []Candidate{googleCl, alphabet}, NotFound, "", nil},
		{"leading the and suffix", Query{Name: "The Home Depot"}, []Candidate{homeDepot, jnj}, Matched, "hd", nil},
		{"ampersand", Query{Name: "Johnson & Johnson"}, []Candidate{jnj, jci}, Matched, "jnj", nil},
		{"accents and S.A.", Query{Name: "Société Générale S.A.", Country: "FR"}, []Candidate{socgen, acmeGB}, Matched, "sg", nil},
		{"japanese", Query{Name: "トヨタ自動車", Country: "JP"}, []Candidate{toyota, toyotaTsu}, Matched, "toyota", nil},
		{"cyrillic", Query{Name: "Яндекс"}, []Candidate{yandex, yandexEN}, Matched, "yandex", nil},
		{"latin name of cyrillic company", Query{Name: "Yandex", EmailDomain: "yandex-team.ru"}, []Candidate{yandex, yandexEN}, Matched, "yandex-en", nil},
		{"short 3M", Query{Name: "3M"}, []Candidate{threeM, hp, ge}, Matched, "3m", nil},
		{"short HP", Query{Name: "HP"}, []Candidate{hp, hpe}, Matched, "hp", nil},
		{"short GE", Query{Name: "GE"}, []Candidate{ge, gea}, Matched, "ge", nil},
		{"typo", Query{Name: "Micrsoft", EmailDomain: "microsoft.com"}, []Candidate{microsoft, micron}, Matched, "msft", nil},
		{"exact namesakes tie", Query{Name: "Acme"}, []Candidate{acmeUS, acmeGB}, Ambiguous, "", []string{"acme-us", "acme-gb"}},
		{"exact namesakes, country decides", Query{Name: "Acme", Country: "United Kingdom"}, []Candidate{acmeUS, acmeGB}, Matched, "acme-gb", nil},
		{"exact namesakes, domain decides", Query{Name: "Acme Corp", EmailDomain: "acme.com"}, []Candidate{acmeGB, acmeUS}, Matched, "acme-us", nil},
		{"nothing close", Query{Name: "Initech"}, allApples, NotFound, "", nil},
		{"domain alone is not enough", Query{Name: "Globex", EmailDomain: "apple.com"}, allApples, NotFound, "", nil},
		{"no candidates", Query{Name: "Apple"}, nil, NotFound, "", nil},
		{"empty name", Query{}, allApples, NotFound, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Choose(tt.q, tt.cands, Options{})
			if d.Verdict != tt.verdict {
				t.Fatalf("Verdict = %s, want %s; top %s", d.Verdict, tt.verdict, describe(d.Top))
			}
			if tt.verdict == Matched {
				if d.Best == nil || d.Best.ID != tt.best {
					t.Fatalf("Best = %v, want %s; top %s", d.Best, tt.best, describe(d.Top))
				}
				if d.Confidence <= 0.5 || d.Confidence > 1 {
					t.Errorf("Confidence = %.3f, want in (0.5,1]", d.Confidence)
				}
			} else {
				if d.Best != nil {
					t.Errorf("Best = %v, want nil for %s", d.Best, d.Verdict)
				}
				if d.Confidence > 0.5 || d.Confidence < 0 {
					t.Errorf("Confidence = %.3f, want in [0,0.5]", d.Confidence)
				}
			}
			if len(d.Top) > 3 || len(d.Top) > len(tt.cands) {
				t.Errorf("len(Top) = %d", len(d.Top))
			}
			for i := 1; i < len(d.Top); i++ {
				if d.Top[i].Score > d.Top[i-1].Score {
					t.Errorf("Top not sorted: %s", describe(d.Top))
				}
			}
			for _, id := range tt.top {
				if !slices.ContainsFunc(d.Top, func(s Scored) bool { return s.ID == id }) {
					t.Errorf("Top %s lacks %s", describe(d.Top), id)
				}
			}
		})
	}
}

func TestChooseWhy(t *testing.T) {
	d := Choose(Query{Name: "Apple Inc", EmailDomain: "apple.com", Country: "us"},
		[]Candidate{appleInc, {ID: "x", Name: "Apple", Domain: "apple.de", Country: "DE"}}, Options{})
	if d.Verdict != Matched {
		t.Fatalf("Verdict = %s", d.Verdict)
	}
	want := []string{"name 1.00", "domain agrees", "country agrees"}
	if !slices.Equal(d.Best.Why, want) {
		t.Errorf("Best.Why = %q, want %q", d.Best.Why, want)
	}
	want = []string{"name 1.00", "domain differs (apple.de)", "country differs (DE)"}
	if !slices.Equal(d.Top[1].Why, want) {
		t.Errorf("Top[1].Why = %q, want %q", d.Top[1].Why, want)
	}
	amb := Choose(Query{Name: "Apple"}, allApples, Options{})
	if !slices.ContainsFunc(amb.Top[0].Why, func(s string) bool { return strings.HasPrefix(s, "namesake ") }) {
		t.Errorf("ambiguous Why = %q, want a namesake note", amb.Top[0].Why)
	}
}

func TestChooseOptions(t *testing.T) {
	q := Query{Name: "Micrsoft"}
	cands := []Candidate{microsoft}
	if d := Choose(q, cands, Options{}); d.Verdict != Matched {
		t.Errorf("default: %s", d.Verdict)
	}
	if d := Choose(q, cands, Options{Accept: 0.99}); d.Verdict != NotFound {
		t.Errorf("strict Accept: %s", d.Verdict)
	}
	two := []Candidate{acmeUS, acmeGB}
	if d := Choose(Query{Name: "Acme", Country: "GB"}, two, Options{Margin: 0.2}); d.Verdict != Ambiguous {
		t.Errorf("wide Margin: %s", d.Verdict)
	}
}

func TestRegistrable(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"Apple.com", "apple.com"},
		{"www.apple.com", "apple.com"},
		{"https://cloud.google.com/pricing?x=1", "google.com"},
		{"jane@mail.example.co.uk", "example.co.uk"},
		{"example.com:8080", "example.com"},
		{"example.com.", "example.com"},
	}
	for _, tt := range tests {
		if got := registrable(tt.in); got != tt.want {
			t.Errorf("registrable(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func describe(top []Scored) string {
	var b strings.Builder
	for _, s := range top {
		fmt.Fprintf(&b, "[%s %.3f %v] ", s.ID, s.Score, s.Why)
	}
	return b.String()
}

func BenchmarkChoose(b *testing.B) {
	cands := make([]Candidate, 0, 50)
	for i := range 47 {
		cands = append(cands, Candidate{ID: fmt.Sprint(i), Name: fmt.Sprintf("Apple Company %d Holdings GmbH", i), Domain: fmt.Sprintf("apple%d.com", i), Country: "DE"})
	}
	cands = append(cands, allApples...)
	q := Query{Name: "Apple Inc.", EmailDomain: "apple.com", Country: "US"}
	b.ReportAllocs()
	for b.Loop() {
		Choose(q, cands, Options{})
	}
}
