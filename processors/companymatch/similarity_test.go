package companymatch

import "testing"

func TestSimilarity(t *testing.T) {
	tests := []struct {
		a, b   string
		lo, hi float64 // want lo <= score <= hi
	}{
		{"The Home Depot", "Home Depot, Inc.", 1, 1},
		{"Johnson & Johnson", "Johnson and Johnson", 1, 1},
		{"Société Générale S.A.", "societe generale", 1, 1},
		{"株式会社トヨタ", "トヨタ株式会社", 1, 1},
		{"HP", "HP Inc.", 1, 1},
		{"3M", "3M Company", 1, 1},
		{"Microsoft", "Micrsoft", 0.9, 0.99},
		{"Deutsche Bank AG", "Bank Deutsche", 0.75, 0.95}, // word order
		{"Google", "Google Cloud", 0.6, 0.84},
		{"Apple", "Apple Bank", 0.6, 0.84},
		{"Apple", "Apple Hospitality REIT", 0.5, 0.7},
		{"Google", "Alphabet", 0, 0.4},
		{"HP", "HPE", 0, 0.5},
		{"GE", "GEA Group", 0, 0.5},
		{"Johnson & Johnson", "Johnson Controls", 0.4, 0.7},
		{"Яндекс", "Yandex", 0, 0.1},
		{"", "Acme", 0, 0},
		{"Acme", "", 0, 0},
	}
	for _, tt := range tests {
		got := Similarity(tt.a, tt.b)
		if got < tt.lo || got > tt.hi {
			t.Errorf("Similarity(%q, %q) = %.3f, want in [%.2f, %.2f]", tt.a, tt.b, got, tt.lo, tt.hi)
		}
		if rev := Similarity(tt.b, tt.a); rev != got {
			t.Errorf("Similarity not symmetric for %q, %q: %.4f vs %.4f", tt.a, tt.b, got, rev)
		}
	}
}

func TestJaroWinkler(t *testing.T) {
	tests := []struct {
		a, b string
		want float64
	}{
		{"martha", "marhta", 0.961},
		{"dwayne", "duane", 0.840},
		{"dixon", "dicksonx", 0.813},
		{"abc", "abc", 1},
		{"abc", "xyz", 0},
	}
	for _, tt := range tests {
		got := jaroWinkler([]rune(tt.a), []rune(tt.b))
		if d := got - tt.want; d > 0.001 || d < -0.001 {
			t.Errorf("jaroWinkler(%q, %q) = %.4f, want %.3f", tt.a, tt.b, got, tt.want)
		}
	}
}
