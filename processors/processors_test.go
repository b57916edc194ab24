package processors

import (
	"context"
	"testing"

	"github.com/enricher/enricher/internal/dnstest"
	"github.com/enricher/enricher/processors/dnscheck"
	"github.com/enricher/enricher/processors/emaillists"
	"github.com/enricher/enricher/processors/emailverify"
	"github.com/enricher/enricher/schema"
)

// resolverFor is a resolver asking a loopback DNS server that knows zone,
// stopped when the test ends.
func resolverFor(t *testing.T, zone dnstest.Zone) *dnscheck.Resolver {
	t.Helper()
	srv, err := dnstest.Start(zone)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	resolver, err := dnscheck.New(dnscheck.Config{Server: srv.Addr()})
	if err != nil {
		t.Fatal(err)
	}
	return resolver
}

func TestEnricherProcess(t *testing.T) {
	mx := func(h string) dnstest.Domain { return dnstest.Domain{MX: []dnstest.MX{{Pref: 10, Host: h}}} }
	resolver := resolverFor(t, dnstest.Zone{"acme.com": mx("mx.acme.com"), "gmail.com": mx("mx.gmail.com"), "eu.acme.co.uk": mx("mx.acme.co.uk"), "mailinator.com": mx("mx.mailinator.com")})
	v, err := emailverify.New(emailverify.Config{DNS: resolver})
	if err != nil {
		t.Fatal(err)
	}
	in := []schema.Contact{
		{Row: 1, Email: "jane@acme.com"},
		{Row: 2, Email: "joe@gmail.com"},
		{Row: 3, Email: "broken"},
		{Row: 4, Error: "row 4 (line 5): has 9 fields, the header has 4"},
		{Row: 5, Email: "sales@eu.acme.co.uk"},
		{Row: 6, Email: "x@mailinator.com"},
	}
	out := Enricher{Email: v}.Process(context.Background(), in)
	if len(out) != len(in) {
		t.Fatalf("%d results for %d contacts", len(out), len(in))
	}
	want := []struct{ status, email, company, domain string }{
		{schema.StatusOK, schema.EmailValid, schema.CompanyMatched, "acme.com"},
		{schema.StatusOK, schema.EmailValid, schema.CompanyPersonalEmail, ""},
		{schema.StatusOK, schema.EmailInvalid, schema.CompanyNotFound, ""},
		{schema.StatusFailed, "", "", ""},
		{schema.StatusOK, schema.EmailDoNotMail, schema.CompanyMatched, "acme.co.uk"},
		{schema.StatusOK, schema.EmailDoNotMail, schema.CompanyPersonalEmail, ""},
	}
	for i, w := range want {
		r := out[i]
		if r.Input.Row != in[i].Row || r.Status != w.status {
			t.Errorf("row %d: status %s, want %s", in[i].Row, r.Status, w.status)
			continue
		}
		if w.status == schema.StatusFailed {
			if r.Email != nil || r.Company != nil || r.Error == "" {
				t.Errorf("row %d: a failed row carries its error and nothing else", in[i].Row)
			}
			continue
		}
		if r.Email.Status != w.email || r.Company.Status != w.company || r.Company.Domain != w.domain {
			t.Errorf("row %d: email %s (%s), company %+v; want %s, %s %q", in[i].Row, r.Email.Status, r.Email.Reason, r.Company, w.email, w.company, w.domain)
		}
	}
}

// A webmail domain the operator allowed is checked as a work domain and
// is its contacts' company, as the email check and the company agree.
func TestEnricherAllowedDomainIsTheCompany(t *testing.T) {
	resolver := resolverFor(t, dnstest.Zone{"gmail.com": {MX: []dnstest.MX{{Pref: 10, Host: "mx.gmail.com"}}}})
	for _, tt := range []struct {
		allow   []string
		company string
		domain  string
	}{
		{nil, schema.CompanyPersonalEmail, ""},
		{[]string{"gmail.com"}, schema.CompanyMatched, "gmail.com"},
	} {
		lists := emaillists.Default().With(emaillists.Overrides{Allow: tt.allow})
		v, err := emailverify.New(emailverify.Config{DNS: resolver, Lists: lists})
		if err != nil {
			t.Fatal(err)
		}
		r := Enricher{Email: v}.Process(context.Background(), []schema.Contact{{Row: 1, Email: "joe@gmail.com"}})[0]
		if r.Company == nil || r.Company.Status != tt.company || r.Company.Domain != tt.domain {
			t.Errorf("allowed %v: company %+v, want %s %q", tt.allow, r.Company, tt.company, tt.domain)
		}
	}
}
