package schema_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/enricher/enricher/internal/fixture"
	"github.com/enricher/enricher/schema"
)

func rawRecord(results string) []byte {
	return []byte(`{"version":1,"job_id":"j","batch_no":3,"worker":"w","processed_at":"2026-11-30T12:00:00Z","results":[` + results + `]}`)
}

func TestDecodeRawResultBatch(t *testing.T) {
	tests := []struct {
		name                        string
		result                      string
		email, company              string // the raw JSON kept; "" for none
		emailStatus, status, domain string
	}{
		{"both", `{"input":{"row":1,"fields":[]},"status":"ok","email":{"address":"a@b.c","status":"valid","reason":"x","score":1,"checked_at":"2026-11-30T12:00:00Z"},"company":{"status":"matched","confidence":0.9,"domain":"b.c","fields":{"name":{"source":"s","method":"m","confidence":1}}}}`,
			`{"address":"a@b.c","status":"valid","reason":"x","score":1,"checked_at":"2026-11-30T12:00:00Z"}`, `{"status":"matched","confidence":0.9,"domain":"b.c","fields":{"name":{"source":"s","method":"m","confidence":1}}}`, "valid", "matched", "b.c"},
		{"absent", `{"input":{"row":1},"status":"failed","error":"bad row"}`, "", "", "", "", ""},
		{"null", `{"input":{"row":1},"status":"ok","email":null,"company":null}`, "", "", "", "", ""},
		{"white space, nesting and escapes", `{"input":{"row":1},"status":"ok","email": { "mx" : ["}", "\"{"], "smtp":{"status":"no"}, "status" : "in\u0076alid" } ,"company":{"candidates":[{"domain":"x.y","status":"z"}],"domain":"d\"q"}}`,
			`{ "mx" : ["}", "\"{"], "smtp":{"status":"no"}, "status" : "in\u0076alid" }`, `{"candidates":[{"domain":"x.y","status":"z"}],"domain":"d\"q"}`, "invalid", "", `d"q`},
		{"a backslash before the closing quote", `{"input":{"row":1},"status":"ok","email":{"detail":"ends in \\","status":"valid"},"company":{"domain":"d\\","name":"\\\"x\\"}}`,
			`{"detail":"ends in \\","status":"valid"}`, `{"domain":"d\\","name":"\\\"x\\"}`, "valid", "", `d\`},
		{"names fold, the last wins, null changes nothing", `{"input":{"row":1},"status":"ok","email":{"status":"valid","STATUS":"unknown","Status":null},"company":{"st\u0061tus":"matched","\u017ftatus":"ambiguous","domain":"a","domain":null}}`,
			`{"status":"valid","STATUS":"unknown","Status":null}`, `{"st\u0061tus":"matched","\u017ftatus":"ambiguous","domain":"a","domain":null}`, "unknown", "ambiguous", "a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b schema.RawResultBatch
			if err := schema.DecodeRawResultBatch(rawRecord(tt.result), &b); err != nil {
				t.Fatal(err)
			}
			if b.JobID != "j" || b.BatchNo != 3 || len(b.Results) != 1 {
				t.Fatalf("batch %+v", b)
			}
			r := b.Results[0]
			if string(r.Email) != tt.email || string(r.Company) != tt.company || (tt.email == "") != (r.Email == nil) || (tt.company == "") != (r.Company == nil) {
				t.Errorf("kept email %q company %q, want %q and %q", r.Email, r.Company, tt.email, tt.company)
			}
			if r.EmailStatus != tt.emailStatus || r.CompanyStatus != tt.status || r.CompanyDomain != tt.domain {
				t.Errorf("read %q %q %q, want %q %q %q", r.EmailStatus, r.CompanyStatus, r.CompanyDomain, tt.emailStatus, tt.status, tt.domain)
			}
			// What was read agrees with a full decode.
			var full schema.ResultBatch
			if err := json.Unmarshal(rawRecord(tt.result), &full); err != nil {
				t.Fatal(err)
			}
			f := full.Results[0]
			if (f.Email == nil) != (r.Email == nil) || (f.Company == nil) != (r.Company == nil) {
				t.Fatalf("full decode has email %v company %v", f.Email != nil, f.Company != nil)
			}
			if f.Email != nil && f.Email.Status != r.EmailStatus {
				t.Errorf("email status %q, a full decode %q", r.EmailStatus, f.Email.Status)
			}
			if f.Company != nil && (f.Company.Status != r.CompanyStatus || f.Company.Domain != r.CompanyDomain) {
				t.Errorf("company %q %q, a full decode %q %q", r.CompanyStatus, r.CompanyDomain, f.Company.Status, f.Company.Domain)
			}
		})
	}
}

func TestDecodeRawResultBatchRefuses(t *testing.T) {
	for _, result := range []string{
		`{"input":{"row":1},"status":"ok","email":"valid"}`,
		`{"input":{"row":1},"status":"ok","email":[]}`,
		`{"input":{"row":1},"status":"ok","company":5}`,
		`{"input":{"row":1},"status":"ok","email":{"status":5}}`,
		`{"input":{"row":1},"status":"ok","company":{"domain":{}}}`,
		`{"input":{"row":1},"status":"ok","company":{"status":"matched"}`,
		`{"input":{"row":"1"},"status":"ok"}`,
	} {
		var b schema.RawResultBatch
		if err := schema.DecodeRawResultBatch(rawRecord(result), &b); err == nil {
			t.Errorf("%s: no error", result)
		}
		var full schema.ResultBatch
		if err := json.Unmarshal(rawRecord(result), &full); err == nil {
			t.Errorf("%s: a full decode takes it", result)
		}
	}
}

// Invalid UTF-8 is not kept: the result is encoded again, as a full
// decode would have left it.
func TestDecodeRawResultBatchInvalidUTF8(t *testing.T) {
	var b schema.RawResultBatch
	rec := rawRecord("{\"input\":{\"row\":1},\"status\":\"ok\",\"email\":{\"address\":\"a\xff@b.c\",\"status\":\"valid\",\"checked_at\":\"2026-11-30T12:00:00Z\"}," +
		"\"company\":{\"status\":\"matched\",\"name\":\"Ac\xfeme\",\"domain\":\"b.c\"}}")
	if err := schema.DecodeRawResultBatch(rec, &b); err != nil {
		t.Fatal(err)
	}
	r := b.Results[0]
	if !utf8.Valid(r.Email) || !utf8.Valid(r.Company) || !strings.Contains(string(r.Company), "Ac\ufffdme") {
		t.Fatalf("kept %q and %q", r.Email, r.Company)
	}
	if r.EmailStatus != "valid" || r.CompanyStatus != "matched" || r.CompanyDomain != "b.c" {
		t.Fatalf("read %q %q %q", r.EmailStatus, r.CompanyStatus, r.CompanyDomain)
	}
	var e schema.EmailResult
	if err := json.Unmarshal(r.Email, &e); err != nil || e.Address != "a\ufffd@b.c" || !e.CheckedAt.Equal(time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)) {
		t.Fatalf("email %+v %v", e, err)
	}
}

// A RawResultBatch encodes as the ResultBatch it was read from.
func TestRawResultBatchRoundTrip(t *testing.T) {
	in := schema.ResultBatch{Version: 1, JobID: "j", Worker: "w", ProcessedAt: time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC), Results: []schema.Result{
		{Input: schema.Contact{Row: 1, Email: "a@b.c", Fields: []string{"a@b.c"}}, Status: schema.StatusOK,
			Email:   &schema.EmailResult{Address: "a@b.c", Status: schema.EmailValid, Reason: "accepted_email", Score: 0.97, Flags: []string{"free_email"}},
			Company: &schema.CompanyResult{Status: schema.CompanyMatched, Domain: "b.c", Fields: map[string]schema.Provenance{"name": {Source: "s", Method: "m", Confidence: 1}}}},
		{Input: schema.Contact{Row: 2}, Status: schema.StatusFailed, Error: "bad"},
	}}
	v, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var raw schema.RawResultBatch
	if err := schema.DecodeRawResultBatch(v, &raw); err != nil {
		t.Fatal(err)
	}
	again, err := json.Marshal(raw)
	if err != nil {
		t.Fatal(err)
	}
	var out schema.ResultBatch
	if err := json.Unmarshal(again, &out); err != nil {
		t.Fatal(err)
	}
	if string(again) != string(v) || !reflect.DeepEqual(in, out) {
		t.Fatalf("round trip:\n%s\n%s", v, again)
	}
}

// Records as the workers write them take the one-pass reader, which reads
// what the general decoder reads; anything else is left to the latter.
func TestReadCanonical(t *testing.T) {
	odd := schema.ResultBatch{Version: schema.RecordVersion, JobID: "j\"1", BatchNo: -2, Worker: "wörker", ProcessedAt: time.Date(2026, 11, 30, 12, 0, 0, 1, time.FixedZone("x", 3600)), Results: []schema.Result{
		{Input: schema.Contact{Row: 1, Line: 2, FirstName: "José", LastName: `O"Brien\`, Email: "a@b.c", Company: "Smith & Sons <UK>", Phone: "+1 555", Fields: []string{"", "a\tb", "\u2028"}},
			Status: schema.StatusOK,
			Email:  &schema.EmailResult{Status: schema.EmailDoNotMail, Reason: "role_account", Detail: "\"x\" & y", Score: -1.5e-7, Flags: []string{"role"}},
			Company: &schema.CompanyResult{Status: schema.CompanyAmbiguous, Domain: "b.c", Name: "Ünï", Candidates: []schema.CompanyCandidate{{Name: "a", Domain: "d"}},
				Fields: map[string]schema.Provenance{"name": {Source: "s", Method: "m", Confidence: 1}}}},
		{Input: schema.Contact{Row: 2, Fields: []string{}, Error: "wrong field count"}, Status: schema.StatusFailed, Error: "bad row"},
		{Input: schema.Contact{Row: 3}, Status: schema.StatusOK},
	}}
	batches := append(fixture.Results("job", 3, 40, 7), odd, schema.ResultBatch{JobID: "empty"})
	for _, in := range batches {
		v, err := schema.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		var fast, general schema.RawResultBatch
		if !schema.ReadCanonical(v, &fast) {
			t.Fatalf("a worker's record not read in one pass: %s", v)
		}
		if err := schema.DecodeGeneral(v, &general); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(fast, general) {
			t.Fatalf("one pass read\n%+v\nthe general decoder\n%+v", fast, general)
		}
	}
	for _, v := range []string{
		`{"version":1, "job_id":"j","batch_no":3,"worker":"w","processed_at":"2026-11-30T12:00:00Z","results":[]}`,
		`{"job_id":"j","version":1,"batch_no":3,"worker":"w","processed_at":"2026-11-30T12:00:00Z","results":[]}`,
		`{"version":1.0,"job_id":"j","batch_no":3,"worker":"w","processed_at":"2026-11-30T12:00:00Z","results":[]}`,
		`{"version":1,"job_id":"j","batch_no":3,"worker":"w","processed_at":"2026-11-30T12:00:00Z","results":[]} `,
		string(rawRecord(`{"input":{"row":1,"row":2},"status":"ok"}`)),
		string(rawRecord(`{"input":{"row":1},"status":"ok","email":{"Status":"valid"}}`)),
		string(rawRecord(`{"input":{"row":1},"status":"ok","email":{"status":null}}`)),
		string(rawRecord(`{"input":{"row":1},"status":"ok","email":{"status":"v\u0061lid"}}`)),
		string(rawRecord("{\"input\":{\"row\":1},\"status\":\"ok\",\"company\":{\"name\":\"\xff\"}}")),
		string(rawRecord(`{"input":{"row":1},"status":"ok","email":{"x":01}}`)),
	} {
		var b schema.RawResultBatch
		if schema.ReadCanonical([]byte(v), &b) {
			t.Errorf("read in one pass: %s", v)
		}
	}
}
