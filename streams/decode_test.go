package streams

import (
	"strings"
	"testing"

	"github.com/enricher/enricher/schema"
)

// decodeBatch makes room for a batch's contacts before it reads them, but
// never for more than maxPresized, whatever the record repeats.
func TestDecodeBatchPresize(t *testing.T) {
	tests := []struct {
		name     string
		value    string
		contacts int
		maxCap   int
	}{
		{"three contacts", `{"version":5,"job_id":"j","batch_no":0,"contacts":[{"row":1},{"row":2,"email":"a@b.test"},{"row":3}]}`, 3, 3},
		{"a key repeated in one contact", `{"version":5,"job_id":"j","batch_no":0,"contacts":[{` + strings.Repeat(`"row":1,`, 20000) + `"row":1}]}`, 1, maxPresized},
		{"the key inside a value", `{"version":5,"job_id":"j","batch_no":0,"contacts":[{"row":1,"company":"\"row\":\"row\":"}]}`, 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b schema.ContactBatch
			if err := decodeBatch([]byte(tt.value), &b); err != nil {
				t.Fatal(err)
			}
			if len(b.Contacts) != tt.contacts || cap(b.Contacts) > tt.maxCap {
				t.Errorf("%d contacts in room for %d, want %d in at most %d", len(b.Contacts), cap(b.Contacts), tt.contacts, tt.maxCap)
			}
		})
	}
}
