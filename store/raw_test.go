package store_test

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/enricher/enricher/internal/fixture"
	"github.com/enricher/enricher/store"
)

// storedRow is a contact row as the database holds it, JSON columns as text.
type storedRow struct {
	Row           int     `bun:"row_no"`
	Status        string  `bun:"status"`
	Error         string  `bun:"error"`
	FirstName     string  `bun:"first_name"`
	LastName      string  `bun:"last_name"`
	Email         string  `bun:"email"`
	Company       string  `bun:"company"`
	Phone         string  `bun:"phone"`
	Fields        string  `bun:"fields"`
	EmailStatus   string  `bun:"email_status"`
	CompanyDomain string  `bun:"company_domain"`
	EmailResult   *string `bun:"email_result"`
	CompanyResult *string `bun:"company_result"`
}

func storedRows(t *testing.T, s *store.Store, job string) []storedRow {
	t.Helper()
	var rows []storedRow
	err := s.DB().NewRaw(`SELECT row_no, status, error, first_name, last_name, email, company, phone, CAST(fields AS text) AS fields,
		email_status, company_domain, CAST(email_result AS text) AS email_result, CAST(company_result AS text) AS company_result
		FROM contacts WHERE job_id = ? ORDER BY row_no`, job).Scan(context.Background(), &rows)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// The contacts ApplyResults writes from the results' JSON are the rows it
// wrote when it decoded every result and had bun encode it again: the same
// columns, the same JSON text, NULL where a result
// is absent.
func TestApplyResultsStoresWhatAFullDecodeStored(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	newJob := func() string {
		j, err := s.CreateJob(ctx, "", "f.csv", fixture.Columns)
		if err != nil {
			t.Fatal(err)
		}
		return j.ID
	}
	before, now := newJob(), newJob()

	// Before: full results, stored through the Contact model.
	var old []store.Contact
	for _, b := range fixture.Results(before, 4, 500, 3) {
		for _, r := range b.Results {
			c := store.Contact{JobID: before, Row: r.Input.Row, Status: r.Status, Error: r.Error,
				FirstName: r.Input.FirstName, LastName: r.Input.LastName, Email: r.Input.Email, Company: r.Input.Company, Phone: r.Input.Phone,
				EmailResult: r.Email, CompanyResult: r.Company}
			fields := r.Input.Fields
			if fields == nil {
				fields = []string{}
			}
			j, err := json.Marshal(fields) // as bun wrote a []string
			if err != nil {
				t.Fatal(err)
			}
			c.StoredFields = string(j)
			if r.Email != nil {
				c.EmailStatus = r.Email.Status
			}
			if r.Company != nil {
				c.CompanyDomain = r.Company.Domain
			}
			old = append(old, c)
		}
	}
	for i := 0; i < len(old); i += 500 {
		if _, err := s.DB().NewInsert().Model(ptr(old[i : i+500])).Exec(ctx); err != nil {
			t.Fatal(err)
		}
	}

	raw, err := fixture.Raw(fixture.Results(now, 4, 500, 3)...)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ApplyResults(ctx, raw); err != nil {
		t.Fatal(err)
	}

	want, got := storedRows(t, s, before), storedRows(t, s, now)
	if len(got) != 2000 || len(want) != 2000 {
		t.Fatalf("%d and %d rows, want 2000", len(got), len(want))
	}
	var nulls, nul int
	for i := range got {
		if got[i].EmailResult == nil || got[i].CompanyResult == nil {
			nulls++
		}
		if c := got[i].CompanyResult; c != nil && reflect.DeepEqual(*c, *want[i].CompanyResult) && containsNUL(*c) {
			nul++
		}
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Fatalf("row %d:\n got %+v\nwant %+v", got[i].Row, show(got[i]), show(want[i]))
		}
	}
	if nulls == 0 || nul == 0 {
		t.Fatalf("the fixture has %d rows without a result and %d with a NUL escape, want some of each", nulls, nul)
	}
}

func ptr[T any](v T) *T { return &v }

func containsNUL(s string) bool {
	for i := 0; i+5 < len(s); i++ {
		if s[i] == '\\' && s[i+1] == 'u' && s[i+2:i+6] == "0000" {
			return true
		}
	}
	return false
}

func show(r storedRow) map[string]any {
	deref := func(p *string) any {
		if p == nil {
			return nil
		}
		return *p
	}
	return map[string]any{"row": r.Row, "fields": r.Fields, "email_status": r.EmailStatus, "company_domain": r.CompanyDomain,
		"email_result": deref(r.EmailResult), "company_result": deref(r.CompanyResult)}
}
