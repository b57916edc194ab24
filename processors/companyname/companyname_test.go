package companyname

import (
	"fmt"
	"strings"
	"testing"
)

func TestNormalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Acme, Inc.", "acme"},
		{"ACME Incorporated", "acme"},
		{"The Home Depot", "home depot"},
		{"Home Depot, Inc.", "home depot"},
		{"Johnson & Johnson", "johnson and johnson"},
		{"Société Générale S.A.", "societe generale"},
		{"Siemens AG", "siemens"},
		{"Müller GmbH & Co. KG", "muller"},
		{"Koninklijke Philips N.V.", "koninklijke philips"},
		{"Atlassian Pty Ltd", "atlassian"},
		{"L.L.C. Holdings LLC", "l l c holdings"},
		{"Inc.", "inc"},
		{"The", "the"},
		{"3M Company", "3m"},
		{"株式会社トヨタ", "株式会社トヨタ"},
		{"Яндекс", "яндекс"},
		{"  Straße  Bau ", "strasse bau"},
	}
	for _, tt := range tests {
		if got := Normalize(tt.in); got != tt.want {
			t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSimilarity(t *testing.T) {
	tests := []struct {
		a, b   string
		lo, hi float64
	}{
		{"The Home Depot", "Home Depot, Inc.", 1, 1},
		{"Johnson & Johnson", "Johnson and Johnson", 1, 1},
		{"Globex Corp", "Globex Corporation", 1, 1},
		{"Microsft", "Microsoft", 0.9, 0.99},
		{"Google", "Google Cloud", 0.5, 0.9},
		{"Google", "Alphabet", 0, 0.5},
		{"HP", "3M", 0, 0.1},
		{"Яндекс", "Яндекс ООО", 0.5, 0.95},
		{"", "Acme", 0, 0},
	}
	for _, tt := range tests {
		got := Similarity(tt.a, tt.b)
		if got < tt.lo || got > tt.hi || got != Similarity(tt.b, tt.a) {
			t.Errorf("Similarity(%q, %q) = %.3f, want in [%v, %v] and symmetric", tt.a, tt.b, got, tt.lo, tt.hi)
		}
	}
}

func TestChoose(t *testing.T) {
	apples := []Candidate{
		{ID: "1", Name: "Apple Inc.", Domain: "apple.com", Country: "US"},
		{ID: "2", Name: "Apple Hospitality REIT", Domain: "applehospitalityreit.com", Country: "US"},
		{ID: "3", Name: "Apple Bank for Savings", Domain: "applebank.com", Country: "US"},
	}
	googles := []Candidate{
		{ID: "g", Name: "Google LLC", Domain: "google.com"},
		{ID: "c", Name: "Google Cloud", Domain: "cloud.google.com"},
		{ID: "a", Name: "Alphabet Inc.", Domain: "abc.xyz"},
	}
	twins := []Candidate{{ID: "x", Name: "Acme Ltd", Domain: "acme.co.uk", Country: "GB"}, {ID: "y", Name: "Acme Inc", Domain: "acme.com", Country: "US"}}
	tests := []struct {
		name    string
		q       Query
		cands   []Candidate
		verdict Verdict
		best    string
	}{
		{"namesakes by name alone", Query{Name: "Apple"}, apples, Ambiguous, ""},
		{"namesakes with the email domain", Query{Name: "Apple", EmailDomain: "apple.com"}, apples, Matched, "1"},
		{"full name", Query{Name: "Apple Hospitality REIT, Inc."}, apples, Matched, "2"},
		{"subsidiary name", Query{Name: "Google Cloud"}, googles, Matched, "c"},
		{"parent by name", Query{Name: "Alphabet"}, googles, Matched, "a"},
		{"twins", Query{Name: "ACME"}, twins, Ambiguous, ""},
		{"twins told apart by country", Query{Name: "ACME", Country: "GB"}, twins, Matched, "x"},
		{"twins told apart by domain", Query{Name: "ACME", EmailDomain: "acme.com"}, twins, Matched, "y"},
		{"nothing close", Query{Name: "Initech"}, apples, NotFound, ""},
		{"no candidates", Query{Name: "Initech"}, nil, NotFound, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Choose(tt.q, tt.cands, Options{})
			if d.Verdict != tt.verdict {
				t.Fatalf("verdict %s, want %s (top %+v)", d.Verdict, tt.verdict, d.Top)
			}
			if tt.best != "" && (d.Best == nil || d.Best.ID != tt.best) {
				t.Fatalf("best %+v, want %s", d.Best, tt.best)
			}
			if tt.verdict != Matched && d.Best != nil {
				t.Fatalf("a %s decision names a company: %+v", d.Verdict, d.Best)
			}
			if d.Confidence < 0 || d.Confidence > 1 {
				t.Fatalf("confidence %v", d.Confidence)
			}
		})
	}
}

func TestSizes(t *testing.T) {
	tests := []struct {
		in, canonical, bucket string
		ok                    bool
	}{
		{"51-200", "51-200", "51-200", true},
		{"10001+", "10001+", "10001+", true},
		{"1,001-5,000", "1001-5000", "1001-5000", true},
		{"51 to 200", "51-200", "51-200", true},
		{"250", "250", "201-500", true},
		{"100-1000", "100-1000", "501-1000", true},
		{"1000+", "1000+", "10001+", true},
		{"", "", "", false},
		{"many", "", "", false},
		{"200-51", "", "", false},
	}
	for _, tt := range tests {
		s, ok := ParseSize(tt.in)
		if ok != tt.ok || (ok && (s.String() != tt.canonical || s.Bucket() != tt.bucket)) {
			t.Errorf("ParseSize(%q) = %v %v (bucket %s), want %q bucket %q ok %v", tt.in, s, ok, s.Bucket(), tt.canonical, tt.bucket, tt.ok)
		}
	}
	if got := Overlap(Size{51, 200}, Size{100, 150}); got != 51 {
		t.Errorf("overlap = %d", got)
	}
	if got := Overlap(Size{1, 10}, Size{11, 50}); got != 0 {
		t.Errorf("disjoint overlap = %d", got)
	}
}

func TestCountry(t *testing.T) {
	tests := []struct{ in, code, name string }{
		{"united states", "US", "United States"},
		{"USA", "US", "United States"},
		{"us", "US", "United States"},
		{"United Kingdom", "GB", "United Kingdom"},
		{"uk", "GB", "United Kingdom"},
		{"france", "FR", "France"},
		{"DEU", "DE", "Germany"},
		{"south korea", "KR", "South Korea"},
		{"Ivory Coast", "CI", "Côte d’Ivoire"},
		{"atlantis", "", ""},
	}
	for _, tt := range tests {
		code, name, ok := Country(tt.in)
		if code != tt.code || (ok && name != tt.name) || ok != (tt.code != "") {
			t.Errorf("Country(%q) = %s %q %v, want %s %q", tt.in, code, name, ok, tt.code, tt.name)
		}
	}
}

func BenchmarkChoose(b *testing.B) {
	var cands []Candidate
	for i := 0; i < 20; i++ {
		cands = append(cands, Candidate{ID: fmt.Sprint(i), Name: fmt.Sprintf("Company %d Holdings Ltd", i), Domain: fmt.Sprintf("c%d.com", i)})
	}
	for b.Loop() {
		Choose(Query{Name: "Company 7 Holdings", EmailDomain: "c7.com"}, cands, Options{})
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"The Home Depot, Inc.", "Müller GmbH & Co. KG", "株式会社トヨタ", "Inc.", "", "A & B & C Ltd"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		key := Normalize(name)
		if again := Normalize(key); again != key && !strings.Contains(key, " ") {
			t.Fatalf("Normalize is not stable on %q: %q then %q", name, key, again)
		}
		if s := Similarity(name, name); key != "" && s != 1 {
			t.Fatalf("Similarity(%q, itself) = %v", name, s)
		}
		Trigrams(key)
	})
}
