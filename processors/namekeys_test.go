package processors

import (
	"strconv"
	"testing"

	"github.com/enricher/enricher/processors/companymatch"
)

func TestNameKeys(t *testing.T) {
	var k nameKeys
	for _, name := range []string{"The Acme Corp., Inc.", "ACME corp", "Яндекс ООО", ""} {
		for range 2 { // asked, then remembered
			if got, want := k.get(name), companymatch.Normalize(name); got != want {
				t.Errorf("get(%q) = %q, want %q", name, got, want)
			}
		}
	}
	for i := range maxNameKeys + 10 {
		k.get("company " + strconv.Itoa(i))
	}
	if n := len(k.m); n > maxNameKeys {
		t.Errorf("holds %d names, more than %d", n, maxNameKeys)
	}
	if got := k.get("company 7"); got != "company 7" {
		t.Errorf("get after forgetting = %q", got)
	}
}
