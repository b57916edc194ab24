package schema_test

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/enricher/enricher/schema"
	"github.com/enricher/enricher/store"
)

const base = "file:///records/"

// compile loads every record schema and returns the one of topic.
func compile(t *testing.T, topic string) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	files, err := fs.Glob(schema.Records, "records/*.schema.json")
	if err != nil || len(files) != 3 {
		t.Fatalf("record schemas: %v %v", files, err)
	}
	for _, f := range files {
		raw, _ := fs.ReadFile(schema.Records, f)
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if err := c.AddResource(base+strings.TrimPrefix(f, "records/"), doc); err != nil {
			t.Fatal(err)
		}
	}
	s, err := c.Compile(base + topic + ".schema.json")
	if err != nil {
		t.Fatalf("compile %s: %v", topic, err)
	}
	return s
}

func validate(s *jsonschema.Schema, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return err
	}
	return s.Validate(doc)
}

// The Go types and the published schemas describe the same records: what
// the code writes validates, and the schemas reject what they should.
func TestRecordsMatchTheirSchemas(t *testing.T) {
	contact := schema.Contact{Row: 1, Line: 2, FirstName: "Jane", Email: "jane@acme.com", Fields: []string{"Jane", "jane@acme.com"}}
	batch := schema.ContactBatch{Version: schema.RecordVersion, JobID: "j1", BatchNo: 0, Contacts: []schema.Contact{contact, {Row: 2, Fields: []string{}, Error: "row 2 (line 3): has 3 fields, header has 2"}}}
	results := schema.ResultBatch{Version: schema.RecordVersion, JobID: "j1", Worker: "w", ProcessedAt: time.Now(), Results: []schema.Result{{
		Input: contact, Status: schema.StatusOK,
		Email:   &schema.EmailResult{Address: "jane@acme.com", Normalized: "jane@acme.com", Status: schema.EmailValid, Reason: "valid_syntax", Domain: "acme.com"},
		Company: &schema.CompanyResult{Domain: "acme.com", Status: schema.CompanyMatched, Source: "email_domain", Method: "work_email_domain"},
	}}}
	total := 2
	now := time.Now()
	job := store.Job{Version: schema.RecordVersion, ID: "j1", Status: store.JobSucceeded, Columns: []string{"email"}, Total: &total, Processed: 2, Succeeded: 2, Seq: 3, CreatedAt: now, UpdatedAt: now, FinishedAt: &now}

	tests := []struct {
		topic string
		value any
		ok    bool
	}{
		{"contacts.batches", batch, true},
		{"contacts.batches", schema.ContactBatch{Version: schema.RecordVersion + 1, JobID: "j1", Contacts: []schema.Contact{}}, false},
		{"contacts.batches", map[string]any{"version": 1, "job_id": "j1", "batch_no": 0}, false},
		{"contacts.results", results, true},
		{"contacts.results", schema.ResultBatch{Version: 1, JobID: "j", Worker: "w", ProcessedAt: now, Results: []schema.Result{{Input: contact, Status: "maybe"}}}, false},
		{"jobs.progress", job, true},
		{"jobs.progress", store.Job{Version: 1, ID: "j", Status: "DONE", CreatedAt: now, UpdatedAt: now}, false},
	}
	for _, tt := range tests {
		err := validate(compile(t, tt.topic), tt.value)
		if (err == nil) != tt.ok {
			t.Errorf("%s: %+v: valid = %v, want %v (%v)", tt.topic, tt.value, err == nil, tt.ok, err)
		}
	}
}

func TestEmailResultCompactExpand(t *testing.T) {
	tests := []struct {
		name    string
		email   string
		in      schema.EmailResult
		compact schema.EmailResult
	}{
		{"the contact's address, one reason", "a@x.test",
			schema.EmailResult{Address: "a@x.test", Reason: "accepted_email", Reasons: []string{"accepted_email"}},
			schema.EmailResult{Reason: "accepted_email"}},
		{"another address, more reasons", "A@x.test ",
			schema.EmailResult{Address: "a@x.test", Reason: "role_account", Reasons: []string{"role_account", "free_email"}},
			schema.EmailResult{Address: "a@x.test", Reason: "role_account", Reasons: []string{"role_account", "free_email"}}},
		{"no address, no reason", "",
			schema.EmailResult{},
			schema.EmailResult{}},
		{"normalized as given", "a@x.test",
			schema.EmailResult{Address: "a@x.test", Normalized: "a@x.test", Domain: "x.test", Reason: "r"},
			schema.EmailResult{Domain: "x.test", Reason: "r"}},
		{"normalized as given, another address", "b@x.test",
			schema.EmailResult{Address: "a@x.test", Normalized: "a@x.test", Domain: "x.test", Reason: "r"},
			schema.EmailResult{Address: "a@x.test", Domain: "x.test", Reason: "r"}},
		{"normalized otherwise", "A@X.test ",
			schema.EmailResult{Address: "A@X.test ", Normalized: "A@x.test", Domain: "x.test", Reason: "r"},
			schema.EmailResult{Normalized: "A@x.test", Domain: "x.test", Reason: "r"}},
		{"refused syntax: no normalized address, no domain", "a@",
			schema.EmailResult{Address: "a@", Reason: "failed_syntax_check"},
			schema.EmailResult{Reason: "failed_syntax_check"}},
		{"a normalized address without a domain is kept", "a",
			schema.EmailResult{Address: "a", Normalized: "a", Reason: "r"},
			schema.EmailResult{Normalized: "a", Reason: "r"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := tt.in
			e.Reasons = slices.Clone(tt.in.Reasons)
			e.Compact(tt.email)
			if !reflect.DeepEqual(e, tt.compact) {
				t.Errorf("Compact: %+v, want %+v", e, tt.compact)
			}
			e.Expand(tt.email)
			want := tt.in
			if want.Reasons == nil && want.Reason != "" {
				want.Reasons = []string{want.Reason}
			}
			if !reflect.DeepEqual(e, want) {
				t.Errorf("Expand: %+v, want %+v", e, want)
			}
		})
	}
}

func TestCompanyResultCompactExpand(t *testing.T) {
	asGiven := map[string]schema.Provenance{"name": schema.AsGiven}
	fromData := map[string]schema.Provenance{"name": {Source: "reference_dataset:csv", Method: "domain_lookup", Confidence: 0.9}}
	tests := []struct {
		name    string
		company string
		in      schema.CompanyResult
		compact schema.CompanyResult
	}{
		{"the name as given", " Acme ",
			schema.CompanyResult{Status: schema.CompanyMatched, Domain: "acme.test", Name: "Acme", Fields: asGiven},
			schema.CompanyResult{Status: schema.CompanyMatched, Domain: "acme.test", NameAsGiven: true}},
		{"the name as given and more provenance", "Acme",
			schema.CompanyResult{Status: schema.CompanyMatched, Name: "Acme", Size: "1-10", Fields: map[string]schema.Provenance{"name": schema.AsGiven, "size": schema.AsGiven}},
			schema.CompanyResult{Status: schema.CompanyMatched, Name: "Acme", Size: "1-10", Fields: map[string]schema.Provenance{"name": schema.AsGiven, "size": schema.AsGiven}}},
		{"another name", "Acme Ltd",
			schema.CompanyResult{Status: schema.CompanyMatched, Name: "Acme", Fields: asGiven},
			schema.CompanyResult{Status: schema.CompanyMatched, Name: "Acme", Fields: asGiven}},
		{"a name from the reference data", "Acme",
			schema.CompanyResult{Status: schema.CompanyMatched, Name: "Acme", Fields: fromData},
			schema.CompanyResult{Status: schema.CompanyMatched, Name: "Acme", Fields: fromData}},
		{"not found: the standard reason", "Acme",
			schema.CompanyResult{Status: schema.CompanyNotFound, Name: "Acme", Reason: `no company in the reference data matches "Acme"`},
			schema.CompanyResult{Status: schema.CompanyNotFound, Name: "Acme"}},
		{"not found: the standard reason of a name with quotes", `"Ünïcode" & Co`,
			schema.CompanyResult{Status: schema.CompanyNotFound, Name: `"Ünïcode" & Co`, Reason: `no company in the reference data matches "\"Ünïcode\" & Co"`},
			schema.CompanyResult{Status: schema.CompanyNotFound, Name: `"Ünïcode" & Co`}},
		{"not found: the standard reason of a long name", strings.Repeat("Acme ", 40) + "Ltd",
			schema.CompanyResult{Status: schema.CompanyNotFound, Name: strings.Repeat("Acme ", 40) + "Ltd", Reason: `no company in the reference data matches "` + strings.Repeat("Acme ", 40) + `Ltd"`},
			schema.CompanyResult{Status: schema.CompanyNotFound, Name: strings.Repeat("Acme ", 40) + "Ltd"}},
		{"not found: the standard reason of another name", "Acme",
			schema.CompanyResult{Status: schema.CompanyNotFound, Name: "Acme", Reason: `no company in the reference data matches "Acne"`},
			schema.CompanyResult{Status: schema.CompanyNotFound, Name: "Acme", Reason: `no company in the reference data matches "Acne"`}},
		{"not found: the name unquoted", "Acme",
			schema.CompanyResult{Status: schema.CompanyNotFound, Name: "Acme", Reason: `no company in the reference data matches Acme`},
			schema.CompanyResult{Status: schema.CompanyNotFound, Name: "Acme", Reason: `no company in the reference data matches Acme`}},
		{"not found without a name", "",
			schema.CompanyResult{Status: schema.CompanyNotFound, Reason: "no work email domain and no company name"},
			schema.CompanyResult{Status: schema.CompanyNotFound}},
		{"not found: another reason", "Acme",
			schema.CompanyResult{Status: schema.CompanyNotFound, Name: "Acme", Reason: "the reference data could not be read"},
			schema.CompanyResult{Status: schema.CompanyNotFound, Name: "Acme", Reason: "the reference data could not be read"}},
		{"a personal address", "",
			schema.CompanyResult{Status: schema.CompanyPersonalEmail, Reason: "a free, relay or disposable address and no company name"},
			schema.CompanyResult{Status: schema.CompanyPersonalEmail}},
		{"a reason of its own", "Acme",
			schema.CompanyResult{Status: schema.CompanyMatched, Reason: "1 of 1 contacts named \"Acme\" in this job are at acme.test", Name: "Acme", Fields: asGiven},
			schema.CompanyResult{Status: schema.CompanyMatched, Reason: "1 of 1 contacts named \"Acme\" in this job are at acme.test", NameAsGiven: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.in
			c.Fields = maps.Clone(tt.in.Fields)
			c.Compact(tt.company)
			if !reflect.DeepEqual(c, tt.compact) {
				t.Errorf("Compact: %+v, want %+v", c, tt.compact)
			}
			if v, err := json.Marshal(c); err != nil || c.NameAsGiven != strings.Contains(string(v), `"name_as_given":true`) {
				t.Errorf("record %s (%v)", v, err)
			}
			c.Expand(tt.company)
			if !reflect.DeepEqual(c, tt.in) {
				t.Errorf("Expand: %+v, want %+v", c, tt.in)
			}
		})
	}
}

func TestReadable(t *testing.T) {
	for v, want := range map[int]bool{0: false, 1: true, schema.RecordVersion: true, schema.RecordVersion + 1: false, 99: false} {
		if got := schema.Readable(v); got != want {
			t.Errorf("Readable(%d) = %v, want %v", v, got, want)
		}
	}
}
