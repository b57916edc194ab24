package store

import (
	"slices"
	"testing"

	"github.com/enricher/enricher/schema"
)

// decodeFields decodes what schema.Unmarshal decodes, to the same strings.
func FuzzDecodeFields(f *testing.F) {
	for _, s := range []string{`[]`, `["a","b"]`, `["","x y","ü"]`, `["a\"b"]`, `["a\u0000"]`, `null`, `[ "a" ]`, `["a",]`, `["a""b"]`, "[\"\xff\"]", `["a"`, `[1]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		got, err := decodeFields(raw)
		var want []string
		wantErr := schema.Unmarshal(raw, &want)
		if (err == nil) != (wantErr == nil) {
			t.Fatalf("%q: error %v, schema.Unmarshal %v", raw, err, wantErr)
		}
		if err == nil && (!slices.Equal(got, want) || (got == nil) != (want == nil)) {
			t.Fatalf("%q: got %q, want %q", raw, got, want)
		}
	})
}
