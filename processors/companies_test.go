package processors

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/enricher/enricher/companydata"
	"github.com/enricher/enricher/internal/safehttp"
	"github.com/enricher/enricher/internal/testenv"
	"github.com/enricher/enricher/processors/companyapi"
	"github.com/enricher/enricher/processors/companymatch"
	"github.com/enricher/enricher/processors/emaillists"
	"github.com/enricher/enricher/processors/emailverify"
	"github.com/enricher/enricher/processors/website"
	"github.com/enricher/enricher/schema"
)

const reference = `name,domain,size,locality,region,country,industry,linkedin_url,founded
Apple Inc.,apple.com,10001+,cupertino,california,united states,consumer electronics,linkedin.com/company/apple,1976
Apple Hospitality REIT,applehospitalityreit.com,51-200,richmond,virginia,united states,real estate,linkedin.com/company/apple-hospitality-reit,2007
Apple Bank for Savings,applebank.com,501-1000,new york,new york,united states,banking,linkedin.com/company/apple-bank,1863
Globex Corporation,globex.com,1001-5000,springfield,oregon,united states,utilities,linkedin.com/company/globex,1989
Initech LLC,initech.com,201-500,austin,texas,united states,computer software,linkedin.com/company/initech,1999
Société Générale S.A.,societegenerale.com,10001+,paris,ile-de-france,france,banking,linkedin.com/company/societe-generale,1864
`

// companies returns a resolver over the reference data above, in the
// test's database.
func companies(t *testing.T) *Companies {
	t.Helper()
	ctx := context.Background()
	st := testenv.Store(t)
	path := filepath.Join(t.TempDir(), "ref.csv")
	if err := os.WriteFile(path, []byte(reference), 0o644); err != nil {
		t.Fatal(err)
	}
	data := companydata.New(st.DB())
	if _, err := data.Import(ctx, path, companydata.FormatCSV, companymatch.Keys{}, nil); err != nil {
		t.Fatal(err)
	}
	return &Companies{Data: data}
}

// resolve is c.Resolve, and checks that each result a worker compacts for
// its record reads back the same (see schema.CompanyResult.Compact).
func resolve(t *testing.T, c *Companies, ctx context.Context, contacts []schema.Contact, emails []*schema.EmailResult) []*schema.CompanyResult {
	t.Helper()
	out := c.Resolve(ctx, contacts, emails)
	for i, r := range out {
		if r == nil {
			continue
		}
		want, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		var back schema.CompanyResult
		if err := json.Unmarshal(want, &back); err != nil {
			t.Fatal(err)
		}
		back.Compact(contacts[i].Company)
		compact, err := json.Marshal(back)
		if err != nil {
			t.Fatal(err)
		}
		back = schema.CompanyResult{}
		if err := json.Unmarshal(compact, &back); err != nil {
			t.Fatal(err)
		}
		back.Expand(contacts[i].Company)
		if got, _ := json.Marshal(back); string(got) != string(want) {
			t.Errorf("row %d: compacted as %s, read back as %s, want %s", contacts[i].Row, compact, got, want)
		}
	}
	return out
}

func TestCompaniesResolve(t *testing.T) {
	c := companies(t)
	tests := []struct {
		name, email, company   string
		status, domain, method string
		wantName, wantSize, cc string
	}{
		{"work email in the reference data", "tim@apple.com", "", schema.CompanyMatched, "apple.com", MethodWorkEmail, "Apple Inc.", "10001+", "US"},
		{"work email on a subdomain", "x@eu.globex.com", "", schema.CompanyMatched, "globex.com", MethodWorkEmail, "Globex Corporation", "1001-5000", "US"},
		{"domain in the company column", "joe@gmail.com", "https://www.initech.com/about", schema.CompanyMatched, "initech.com", MethodDomainGiven, "Initech LLC", "201-500", "US"},
		{"name match", "joe@gmail.com", "Globex Corp", schema.CompanyMatched, "globex.com", MethodNameMatch, "Globex Corporation", "1001-5000", "US"},
		{"accented name", "joe@gmail.com", "Societe Generale", schema.CompanyMatched, "societegenerale.com", MethodNameMatch, "Société Générale S.A.", "10001+", "FR"},
		{"namesakes are ambiguous", "joe@gmail.com", "Apple", schema.CompanyAmbiguous, "", "", "", "", ""},
		{"namesakes with a work email", "tim@apple.com", "Apple", schema.CompanyMatched, "apple.com", MethodWorkEmail, "Apple Inc.", "10001+", "US"},
		{"email and name disagree", "peter@initech.com", "Globex Corporation", schema.CompanyIdentityConflict, "initech.com", MethodWorkEmail, "Initech LLC", "201-500", "US"},
		{"unknown name", "joe@gmail.com", "Unknown Widgets", schema.CompanyNotFound, "", "", "Unknown Widgets", "", ""},
		{"webmail and no name", "joe@gmail.com", "", schema.CompanyPersonalEmail, "", "", "", "", ""},
		{"work email not in the reference data", "ann@hooli.com", "Hooli", schema.CompanyMatched, "hooli.com", MethodWorkEmail, "Hooli", "", ""},
		{"the name as given, trimmed", "ann@hooli.com", " Hooli XYZ ", schema.CompanyMatched, "hooli.com", MethodWorkEmail, "Hooli XYZ", "", ""},
		{"a domain as the name, at a work email", "ann@hooli.com", "hooli.com", schema.CompanyMatched, "hooli.com", MethodWorkEmail, "", "", ""},
		{"no name, a work email not in the reference data", "ann@hooli.com", "", schema.CompanyMatched, "hooli.com", MethodWorkEmail, "", "", ""},
		{"no work email, no name", "", "", schema.CompanyNotFound, "", "", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			contacts := []schema.Contact{{Row: 1, Email: tt.email, Company: tt.company}}
			got := resolve(t, c, context.Background(), contacts, []*schema.EmailResult{checked(tt.email)})[0]
			if got.Status != tt.status || got.Domain != tt.domain || got.Method != tt.method {
				t.Fatalf("got %s %q by %q (%s), want %s %q by %q", got.Status, got.Domain, got.Method, got.Reason, tt.status, tt.domain, tt.method)
			}
			if got.Name != tt.wantName || got.Size != tt.wantSize || got.CountryCode != tt.cc {
				t.Errorf("name %q size %q country %q, want %q %q %q", got.Name, got.Size, got.CountryCode, tt.wantName, tt.wantSize, tt.cc)
			}
			if tt.wantSize != "" {
				if p, ok := got.Fields["size"]; !ok || p.Source != "reference_dataset:csv" || p.Method != MethodDomainLookup {
					t.Errorf("size provenance %+v", got.Fields)
				}
			}
			if got.Status == schema.CompanyAmbiguous && len(got.Candidates) < 2 {
				t.Errorf("ambiguous without candidates: %+v", got)
			}
			if got.Status == schema.CompanyIdentityConflict && (got.EmailDomain != "initech.com" || got.NameDomain != "globex.com") {
				t.Errorf("conflict keeps %q and %q", got.EmailDomain, got.NameDomain)
			}
		})
	}
}

// Contacts of a batch with the same company name vote for its domain.
func TestCompaniesVote(t *testing.T) {
	c := &Companies{}
	var contacts []schema.Contact
	var emails []*schema.EmailResult
	for _, e := range []string{"a@pied-piper.com", "b@pied-piper.com", "c@gmail.com", "d@hooli.com"} {
		contacts = append(contacts, schema.Contact{Email: e, Company: "Pied Piper"})
		emails = append(emails, checked(e))
	}
	got := resolve(t, c, context.Background(), contacts, emails)
	if r := got[2]; r.Status != schema.CompanyMatched || r.Domain != "pied-piper.com" || r.Method != MethodNameVote {
		t.Fatalf("webmail contact of Pied Piper: %+v", r)
	}
}

// The vote spans the job: a later batch learns from an earlier one, and
// another job learns nothing from either.
func TestCompaniesVoteAcrossBatches(t *testing.T) {
	c := &Companies{}
	batch := func(job string, addrs ...string) []*schema.CompanyResult {
		var contacts []schema.Contact
		var emails []*schema.EmailResult
		for _, e := range addrs {
			contacts = append(contacts, schema.Contact{Email: e, Company: "Initech LLC"})
			emails = append(emails, checked(e))
		}
		return resolve(t, c, WithJob(context.Background(), job), contacts, emails)
	}
	batch("job-1", "a@initech.com", "b@initech.com")
	batch("job-1", "c@initech-mail.com")
	if r := batch("job-1", "peter@gmail.com")[0]; r.Status != schema.CompanyMatched || r.Domain != "initech.com" || r.Method != MethodNameVote {
		t.Fatalf("webmail contact in a later batch: %+v", r)
	} else if !strings.Contains(r.Reason, "2 of 3") {
		t.Errorf("reason %q does not give the count", r.Reason)
	}
	if r := batch("job-2", "peter@gmail.com")[0]; r.Method == MethodNameVote {
		t.Fatalf("another job took the vote of job-1: %+v", r)
	}
}

// checked is the email check's result for email as far as companies go:
// its domain, and the flags the embedded lists give the domain.
func checked(email string) *schema.EmailResult {
	_, d, _ := cutAt(email)
	r := &schema.EmailResult{Address: email, Domain: d}
	if d == "" {
		return r
	}
	disposable, free, relay := emaillists.Default().Kinds(d)
	for _, f := range []struct {
		on   bool
		flag string
	}{{free, emailverify.FlagFree}, {disposable, emailverify.FlagDisposable}, {relay, emailverify.FlagRelay}} {
		if f.on {
			r.Flags = append(r.Flags, f.flag)
		}
	}
	return r
}

// A domain is personal when the email check says so, with the operator's
// overrides: a webmail domain allowed is the company's, a work domain
// flagged free is no one's.
func TestCompaniesPersonalFromEmailCheck(t *testing.T) {
	tests := []struct {
		name   string
		email  *schema.EmailResult
		status string
		domain string
	}{
		{"webmail flagged free", &schema.EmailResult{Domain: "gmail.com", Flags: []string{emailverify.FlagFree}}, schema.CompanyPersonalEmail, ""},
		{"webmail the operator allowed", &schema.EmailResult{Domain: "gmail.com"}, schema.CompanyMatched, "gmail.com"},
		{"work domain flagged disposable", &schema.EmailResult{Domain: "hooli.com", Flags: []string{emailverify.FlagRole, emailverify.FlagDisposable}}, schema.CompanyPersonalEmail, ""},
		{"work domain flagged relay", &schema.EmailResult{Domain: "hooli.com", Flags: []string{emailverify.FlagRelay}}, schema.CompanyPersonalEmail, ""},
		{"work domain with other flags", &schema.EmailResult{Domain: "hooli.com", Flags: []string{emailverify.FlagRole, emailverify.FlagAlias}}, schema.CompanyMatched, "hooli.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := (&Companies{}).Resolve(context.Background(), []schema.Contact{{Row: 1, Email: "joe@" + tt.email.Domain}}, []*schema.EmailResult{tt.email})[0]
			if got.Status != tt.status || got.Domain != tt.domain {
				t.Fatalf("got %s %q (%s), want %s %q", got.Status, got.Domain, got.Reason, tt.status, tt.domain)
			}
		})
	}
}

func cutAt(email string) (string, string, bool) {
	for i := len(email) - 1; i >= 0; i-- {
		if email[i] == '@' {
			return email[:i], email[i+1:], true
		}
	}
	return email, "", false
}

// Values the reference data lacks come from the company's homepage, read
// through the SSRF guard opened for the test's loopback site only.
func TestCompaniesFromWebsite(t *testing.T) {
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<html><head><title>Hooli</title><script type="application/ld+json">
{"@context":"https://schema.org","@type":"Organization","name":"Hooli XYZ","url":"https://hooli.com",
 "foundingDate":"2004-03-01","numberOfEmployees":{"@type":"QuantitativeValue","minValue":51,"maxValue":200},
 "address":{"@type":"PostalAddress","addressLocality":"Palo Alto","addressRegion":"CA","addressCountry":"US"},
 "sameAs":["https://www.linkedin.com/company/hooli"]}</script></head><body></body></html>`)
	}))
	defer site.Close()
	web := website.New(safehttp.New(safehttp.Config{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}}))
	web.URLs = func(string) []string { return []string{site.URL + "/"} }
	c := companies(t)
	c.Web = web
	got := resolve(t, c, context.Background(), []schema.Contact{{Email: "gavin@hooli.com", Company: "Hooli"}, {Email: "tim@apple.com"}},
		[]*schema.EmailResult{{Domain: "hooli.com"}, {Domain: "apple.com"}})
	h := got[0]
	if h.Name != "Hooli XYZ" || h.Size != "51-200" || h.Locality != "Palo Alto" || h.CountryCode != "US" || h.Founded != 2004 ||
		h.LinkedIn != "https://www.linkedin.com/company/hooli" {
		t.Fatalf("from the homepage: %+v", h)
	}
	if p := h.Fields["size"]; p.Source != "company_website" || p.Method != "schema_org" {
		t.Errorf("size provenance %+v", p)
	}
	if a := got[1]; a.Fields["name"].Source != "reference_dataset:csv" {
		t.Errorf("the reference data comes first: %+v", a.Fields)
	}
	if p := h.Fields["name"]; p.Source != "company_website" {
		t.Errorf("name provenance %+v, want the homepage's over the name as given", p)
	}
	assertNameAsGivenUnchanged(t)
}

// assertNameAsGivenUnchanged fails when the Fields that results with a
// name as given share were written to.
func assertNameAsGivenUnchanged(t *testing.T) {
	t.Helper()
	if want := map[string]schema.Provenance{"name": schema.AsGiven}; !maps.Equal(nameAsGiven, want) {
		t.Errorf("shared Fields of a name as given changed to %v", nameAsGiven)
	}
}

// Paid APIs are asked only for what is still missing, once per domain,
// within the job's budget; their values say which provider gave them.
func TestCompaniesFromPaidAPI(t *testing.T) {
	calls := 0
	pdl := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		if r.Header.Get("X-Api-Key") != "secret" || r.URL.Query().Get("website") != "hooli.com" {
			http.Error(w, `{"status":404}`, http.StatusNotFound)
			return
		}
		fmt.Fprint(w, `{"status":200,"name":"hooli","display_name":"Hooli","website":"hooli.com","industry":"internet","size":"1001-5000",
			"founded":2004,"linkedin_url":"linkedin.com/company/hooli","location":{"locality":"palo alto","region":"california","country":"united states"}}`)
	}))
	defer pdl.Close()
	c := companies(t)
	c.APIs = []companyapi.Provider{companyapi.NewPDL(companyapi.Config{APIKey: "secret", BaseURL: pdl.URL})}
	c.APIBudget = 10
	ctx := WithJob(context.Background(), "job-1")
	contacts := []schema.Contact{{Email: "gavin@hooli.com", Company: "Hooli Inc"}, {Email: "tim@apple.com"}, {Email: "big@hooli.com"}}
	emails := []*schema.EmailResult{{Domain: "hooli.com"}, {Domain: "apple.com"}, {Domain: "hooli.com"}}
	got := resolve(t, c, ctx, contacts, emails)
	h := got[0]
	if h.Name != "Hooli" || h.Size != "1001-5000" || h.CountryCode != "US" || h.Industry != "internet" || h.Founded != 2004 {
		t.Fatalf("from the API: %+v", h)
	}
	if p := h.Fields["industry"]; p.Source != "people_data_labs" || p.Method != "company_api" {
		t.Errorf("industry provenance %+v", p)
	}
	if calls != 1 {
		t.Errorf("%d API calls, want 1: apple.com has every value already, hooli.com is asked once", calls)
	}
	if p := h.Fields["name"]; p.Source != "people_data_labs" {
		t.Errorf("name provenance %+v, want the API's over the name as given", p)
	}
	assertNameAsGivenUnchanged(t)
}

func TestVotesLeader(t *testing.T) {
	tests := []struct {
		domains     []string
		winner      string
		best, total int
	}{
		{nil, "", 0, 0},
		{[]string{"a.com"}, "a.com", 1, 1},
		{[]string{"a.com", "a.com", "b.com"}, "a.com", 2, 3},
		{[]string{"b.com", "a.com"}, "a.com", 1, 2}, // a tie goes to the first in order
		{[]string{"c.com", "b.com", "b.com", "d.com", "b.com"}, "b.com", 3, 5},
	}
	for _, tt := range tests {
		var v *votes
		for _, d := range tt.domains {
			if v == nil {
				v = &votes{}
			}
			v.add(d)
		}
		w, b, n := v.leader()
		if w != tt.winner || b != tt.best || n != tt.total {
			t.Errorf("%v: leader = %q %d of %d; want %q %d of %d", tt.domains, w, b, n, tt.winner, tt.best, tt.total)
		}
	}
}
