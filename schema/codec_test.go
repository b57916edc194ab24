package schema_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/enricher/enricher/internal/fixture"
	"github.com/enricher/enricher/schema"
)

func TestMarshalWritesWhatEncodingJSONWrites(t *testing.T) {
	var buf bytes.Buffer // reused, as the workers do
	for _, b := range fixture.Results("job", 8, 50, 7) {
		want, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		got, err := schema.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("schema.Marshal:\n%s\nencoding/json:\n%s", got, want)
		}
		if to, err := schema.MarshalTo(&buf, b); err != nil || !bytes.Equal(to, want) {
			t.Fatalf("schema.MarshalTo:\n%s (%v)\nencoding/json:\n%s", to, err, want)
		}
		var back schema.ResultBatch
		if err := schema.Unmarshal(got, &back); err != nil {
			t.Fatal(err)
		}
		var ref schema.ResultBatch
		if err := json.Unmarshal(want, &ref); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(back, ref) {
			t.Fatalf("schema.Unmarshal read %+v; encoding/json read %+v", back, ref)
		}
	}
}

// FuzzMarshal holds Marshal and Unmarshal to encoding/json on contact
// batches with any text in them: invalid UTF-8, control characters, HTML.
func FuzzMarshal(f *testing.F) {
	f.Add("Ada", "Lovelace <ada@example.com>", "a&b\u2028", "\xff\xfe", 3)
	f.Add("", "\x00\x1f\"\\", "é", "\u007f", 0)
	f.Fuzz(func(t *testing.T, a, b, c, d string, row int) {
		v := schema.ContactBatch{Version: schema.RecordVersion, JobID: a, BatchNo: row,
			Contacts: []schema.Contact{{Row: row, FirstName: a, LastName: b, Email: c, Company: d, Fields: []string{a, b, c, d}, Error: b}}}
		want, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		got, err := schema.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("schema.Marshal:\n%q\nencoding/json:\n%q", got, want)
		}
		var back, ref schema.ContactBatch
		errGot, errRef := schema.Unmarshal(got, &back), json.Unmarshal(want, &ref)
		if (errGot != nil) != (errRef != nil) || !reflect.DeepEqual(back, ref) {
			t.Fatalf("schema.Unmarshal read %+v (%v); encoding/json read %+v (%v)", back, errGot, ref, errRef)
		}
		r := schema.ResultBatch{JobID: b, ProcessedAt: time.Unix(int64(row), 0).UTC(), Results: []schema.Result{{Input: v.Contacts[0], Status: c, Error: d,
			Email: &schema.EmailResult{Address: a, Status: b, Reasons: []string{c, d}, Flags: []string{}}}}}
		want, _ = json.Marshal(r)
		got, err = schema.Marshal(r)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("schema.Marshal:\n%q (%v)\nencoding/json:\n%q", got, err, want)
		}
		buf := bytes.NewBufferString("left over from the last value")
		got, err = schema.MarshalTo(buf, r)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("schema.MarshalTo:\n%q (%v)\nencoding/json:\n%q", got, err, want)
		}
	})
}
