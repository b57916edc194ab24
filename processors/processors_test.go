package processors

import (
	"context"
	"testing"

	"github.com/enricher/enricher/schema"
)

func TestCheckSyntax(t *testing.T) {
	tests := []struct {
		in, status, reason, normalized string
		free                           bool
	}{
		{"jane.doe@Acme.COM", schema.EmailValid, ReasonSyntaxValid, "jane.doe@acme.com", false},
		{"  bob+tag@example.co.uk ", schema.EmailValid, ReasonSyntaxValid, "bob+tag@example.co.uk", false},
		{"someone@gmail.com", schema.EmailValid, ReasonSyntaxValid, "someone@gmail.com", true},
		{"", schema.EmailInvalid, ReasonNoEmail, "", false},
		{"no-at-sign", schema.EmailInvalid, ReasonSyntax, "", false},
		{"a@b", schema.EmailInvalid, ReasonSyntax, "", false},
		{"a..b@acme.com", schema.EmailInvalid, ReasonSyntax, "", false},
		{".a@acme.com", schema.EmailInvalid, ReasonSyntax, "", false},
		{"a b@acme.com", schema.EmailInvalid, ReasonSyntax, "", false},
		{"a@-acme.com", schema.EmailInvalid, ReasonSyntax, "", false},
		{"a@acme.c0m", schema.EmailInvalid, ReasonSyntax, "", false},
		{"a@acme..com", schema.EmailInvalid, ReasonSyntax, "", false},
		{"@acme.com", schema.EmailInvalid, ReasonSyntax, "", false},
		{"a@", schema.EmailInvalid, ReasonSyntax, "", false},
		{"x@xn--bcher-kva.example", schema.EmailValid, ReasonSyntaxValid, "x@xn--bcher-kva.example", false},
		{string(make([]byte, 65)) + "@acme.com", schema.EmailInvalid, ReasonSyntax, "", false},
	}
	for _, tt := range tests {
		got := CheckSyntax(tt.in)
		if got.Status != tt.status || got.Reason != tt.reason || got.Normalized != tt.normalized || got.FreeEmail != tt.free {
			t.Errorf("CheckSyntax(%q) = %+v, want status %s reason %s normalized %q free %v", tt.in, got, tt.status, tt.reason, tt.normalized, tt.free)
		}
	}
}

func TestBasicProcess(t *testing.T) {
	in := []schema.Contact{
		{Row: 1, Email: "jane@acme.com"},
		{Row: 2, Email: "joe@gmail.com"},
		{Row: 3, Email: "broken"},
		{Row: 4, Error: "row has 9 fields, header has 4"},
	}
	out := Basic{}.Process(context.Background(), in)
	if len(out) != len(in) {
		t.Fatalf("%d results for %d contacts", len(out), len(in))
	}
	want := []struct{ status, company, domain string }{
		{schema.StatusOK, schema.CompanyMatched, "acme.com"},
		{schema.StatusOK, schema.CompanyPersonalEmail, ""},
		{schema.StatusOK, schema.CompanyNotFound, ""},
		{schema.StatusFailed, "", ""},
	}
	for i, w := range want {
		r := out[i]
		if r.Input.Row != in[i].Row || r.Status != w.status {
			t.Errorf("row %d: status %s, want %s", in[i].Row, r.Status, w.status)
		}
		if w.company == "" {
			if r.Company != nil || r.Error == "" {
				t.Errorf("row %d: failed row should carry its error and no company", in[i].Row)
			}
			continue
		}
		if r.Company.Status != w.company || r.Company.Domain != w.domain {
			t.Errorf("row %d: company %+v, want %s %q", in[i].Row, r.Company, w.company, w.domain)
		}
	}
}
