package companymatch

import "testing"

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"The Home Depot, Inc.", "Müller GmbH & Co. KG", "株式会社トヨタ", "Inc.", "", "A & B & C Ltd", "Яндекс ООО"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		key := Normalize(name)
		if s := Similarity(name, name); key != "" && s != 1 {
			t.Fatalf("Similarity(%q, itself) = %v", name, s)
		}
		for _, g := range Trigrams(key) {
			if g == "" {
				t.Fatalf("empty trigram of %q", key)
			}
		}
		_, _ = ParseSize(name)
		_, _, _ = Country(name)
	})
}
