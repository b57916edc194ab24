package companyapi

import (
	"net/http"
	"testing"
)

// pdlGoogle is a PDL company enrichment response, cut down, in the shape
// PDL documents: record fields at the top level beside status and
// likelihood.
const pdlGoogle = `{
  "status": 200,
  "likelihood": 9,
  "id": "aKCIYBNF9ey6o5CjHCCO4goHYKlf",
  "name": "google",
  "display_name": "Google",
  "size": "10001+",
  "employee_count": 290000,
  "founded": 1998,
  "industry": "internet",
  "location": {
    "name": "mountain view, california, united states",
    "locality": "mountain view",
    "region": "california",
    "metro": "san francisco, california",
    "country": "united states",
    "continent": "north america",
    "postal_code": "94043",
    "geo": "37.38,-122.08"
  },
  "linkedin_id": "1441",
  "linkedin_url": "linkedin.com/company/google",
  "linkedin_slug": "google",
  "website": "google.com",
  "ticker": "googl",
  "type": "public",
  "tags": ["search", "cloud"]
}`

func TestPDLLookup(t *testing.T) {
	tests := []struct {
		name string
		body string
		want Company
	}{
		{"full record", pdlGoogle, Company{
			Name: "Google", Domain: "google.com", Industry: "internet",
			LinkedIn: "linkedin.com/company/google", Locality: "mountain view",
			Region: "california", Country: "united states", SizeText: "10001+", Founded: 1998,
		}},
		{"nulls", `{"status":200,"likelihood":6,"name":"tiny co","display_name":null,"website":null,
			"industry":null,"size":"1-10","founded":null,"location":null,"linkedin_url":null}`,
			Company{Name: "tiny co", Domain: "tiny.example", SizeText: "1-10"}},
		{"website with scheme", `{"status":200,"name":"x","website":"https://www.X.example/about"}`,
			Company{Name: "x", Domain: "x.example"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var gotReq *http.Request
			s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				gotReq = r
				body(tt.body)(w, r)
			})
			domain := tt.want.Domain
			got, err := NewPDL(config(s, newClock())).Lookup(t.Context(), domain)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
			if gotReq.Method != http.MethodGet || gotReq.URL.Path != "/v5/company/enrich" || gotReq.URL.Query().Get("website") != domain {
				t.Errorf("request %s %s", gotReq.Method, gotReq.URL)
			}
			if gotReq.Header.Get("X-Api-Key") != testKey {
				t.Errorf("X-Api-Key not sent")
			}
			if gotReq.URL.Query().Has("api_key") || gotReq.Header.Get("Authorization") != "" {
				t.Errorf("key sent other than in X-Api-Key: %s", gotReq.URL)
			}
		})
	}
}

// clearbitStripe is a Clearbit company object, cut down, in the shape
// Clearbit documents.
const clearbitStripe = `{
  "id": "3f5d6a4e-c284-4f78-bfdf-7669b45af907",
  "name": "Stripe",
  "legalName": "Stripe, Inc.",
  "domain": "stripe.com",
  "domainAliases": ["stripe.network"],
  "category": {"sector": "Information Technology", "industryGroup": "Software & Services",
    "industry": "Internet Software & Services", "subIndustry": "Internet Software & Services",
    "sicCode": "73", "naicsCode": "54"},
  "foundedYear": 2010,
  "geo": {"streetNumber": "510", "streetName": "Townsend Street", "city": "San Francisco",
    "postalCode": "94103", "state": "California", "stateCode": "CA",
    "country": "United States", "countryCode": "US", "lat": 37.77, "lng": -122.40},
  "linkedin": {"handle": "company/stripe"},
  "metrics": {"employees": 8000, "employeesRange": "5K-10K", "raised": 2200000000},
  "type": "private"
}`

func TestClearbitLookup(t *testing.T) {
	tests := []struct {
		name string
		body string
		want Company
	}{
		{"full record", clearbitStripe, Company{
			Name: "Stripe", Domain: "stripe.com", Industry: "Internet Software & Services",
			LinkedIn: "linkedin.com/company/stripe", Locality: "San Francisco",
			Region: "California", Country: "United States", SizeText: "5K-10K", Founded: 2010,
		}},
		{"employees as range string", `{"name":"A","domain":"a.example","metrics":{"employees":"251-1K"}}`,
			Company{Name: "A", Domain: "a.example", SizeText: "251-1K"}},
		{"employees as count", `{"name":"B","domain":"b.example","metrics":{"employees":42,"employeesRange":null}}`,
			Company{Name: "B", Domain: "b.example", SizeText: "42"}},
		{"nulls", `{"name":"C","domain":null,"category":{"industry":null},"foundedYear":null,
			"geo":{"city":null},"linkedin":{"handle":null},"metrics":{"employees":null}}`,
			Company{Name: "C", Domain: "c.example"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var gotReq *http.Request
			s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				gotReq = r
				body(tt.body)(w, r)
			})
			domain := tt.want.Domain
			got, err := NewClearbit(config(s, newClock())).Lookup(t.Context(), domain)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
			if gotReq.URL.Path != "/v2/companies/find" || gotReq.URL.Query().Get("domain") != domain {
				t.Errorf("request %s", gotReq.URL)
			}
			if gotReq.Header.Get("Authorization") != "Bearer "+testKey {
				t.Errorf("Authorization = %q", gotReq.Header.Get("Authorization"))
			}
		})
	}
}

func TestLinkedIn(t *testing.T) {
	for in, want := range map[string]string{
		"":                                    "",
		"company/stripe":                      "linkedin.com/company/stripe",
		"linkedin.com/company/google":         "linkedin.com/company/google",
		"https://www.linkedin.com/company/x/": "linkedin.com/company/x",
		"/company/y":                          "linkedin.com/company/y",
	} {
		if got := linkedIn(in); got != want {
			t.Errorf("linkedIn(%q) = %q, want %q", in, got, want)
		}
	}
}
