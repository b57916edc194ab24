package schema_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/enricher/enricher/internal/fixture"
	"github.com/enricher/enricher/schema"
)

// FuzzDecodeRawResultBatch holds DecodeRawResultBatch to encoding/json: it
// accepts only valid JSON, keeps only valid JSON, and where a full decode
// of the same record succeeds, reads the same batch; and that its one-pass
// reader of the workers' records reads what its general decoder reads.
func FuzzDecodeRawResultBatch(f *testing.F) {
	for _, b := range fixture.Results("job", 3, 2, 1) {
		v, err := json.Marshal(b)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(v)
	}
	f.Add(rawRecord(`{"input":{"row":1},"status":"ok","email":{"status":"valid","STATUS":"unknown","Status":null},"company":{"st\u0061tus":"matched","domain":"a","domain":null}}`))
	f.Add(rawRecord(`{"input":{"row":1},"status":"ok","email":{"status":"\xff"},"company":null}`))
	f.Add(rawRecord(`{"input":{"row":1},"status":"ok","email":{"status":"valid",}}`))
	f.Add([]byte(`{"version":5,"job_id":"j","batch_no":0,"worker":"w","processed_at":"2026-12-01T00:00:00Z","results":[]}`))
	f.Fuzz(func(t *testing.T, value []byte) {
		var fast, general schema.RawResultBatch
		if schema.ReadCanonical(value, &fast) {
			if err := schema.DecodeGeneral(value, &general); err != nil {
				t.Fatalf("read in one pass; the general decoder says %v", err)
			}
			// No results may come as nil from one and empty from the other.
			if len(fast.Results) == 0 && len(general.Results) == 0 {
				general.Results = fast.Results
			}
			if !reflect.DeepEqual(fast, general) {
				t.Fatalf("one pass read\n%+v\nthe general decoder\n%+v", fast, general)
			}
		}
		var b schema.RawResultBatch
		if err := schema.DecodeRawResultBatch(value, &b); err != nil {
			return
		}
		if !json.Valid(value) {
			t.Fatalf("accepted invalid JSON %q", value)
		}
		for _, r := range b.Results {
			for _, raw := range [][]byte{r.Email, r.Company} {
				if raw != nil && !json.Valid(raw) {
					t.Fatalf("kept invalid JSON %q", raw)
				}
			}
		}
		var full schema.ResultBatch
		if err := json.Unmarshal(value, &full); err != nil {
			return // a field of the wrong type inside email or company: only the raw decode accepts it
		}
		if b.Version != full.Version || b.JobID != full.JobID || b.BatchNo != full.BatchNo || b.Worker != full.Worker ||
			!b.ProcessedAt.Equal(full.ProcessedAt) || len(b.Results) != len(full.Results) {
			t.Fatalf("batch %+v; a full decode read %+v", b, full)
		}
		for i, r := range b.Results {
			want := full.Results[i]
			if !reflect.DeepEqual(r.Input, want.Input) || r.Status != want.Status || r.Error != want.Error {
				t.Fatalf("result %d: %+v; a full decode read %+v", i, r, want)
			}
			if (r.Email != nil) != (want.Email != nil) || (r.Company != nil) != (want.Company != nil) {
				t.Fatalf("result %d: email %q company %q; a full decode read %+v, %+v", i, r.Email, r.Company, want.Email, want.Company)
			}
			if want.Email != nil && r.EmailStatus != want.Email.Status {
				t.Fatalf("result %d: email status %q; a full decode read %q", i, r.EmailStatus, want.Email.Status)
			}
			if want.Company != nil && (r.CompanyStatus != want.Company.Status || r.CompanyDomain != want.Company.Domain) {
				t.Fatalf("result %d: company %q %q; a full decode read %q %q", i, r.CompanyStatus, r.CompanyDomain, want.Company.Status, want.Company.Domain)
			}
		}
	})
}
