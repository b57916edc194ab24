package companyapi

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
)

// ClearbitBaseURL is the public Clearbit (HubSpot) company API.
const ClearbitBaseURL = "https://company.clearbit.com"

// NewClearbit returns the Clearbit company enrichment provider, named
// "clearbit". It sends GET {BaseURL}/v2/companies/find?domain=… with the
// key as a Bearer token. 404 (unknown company) and 422 (a domain Clearbit
// will not look up) mean ErrNotFound.
//
// Not in the research notes, from Clearbit's documentation as remembered:
// this endpoint may answer 202 Accepted while it looks an unseen company
// up asynchronously; that too is reported as ErrNotFound, since the record
// is not available to this call.
func NewClearbit(cfg Config) Provider {
	c := newClient("clearbit", ClearbitBaseURL, cfg)
	c.auth = func(h http.Header, key string) { h.Set("Authorization", "Bearer "+key) }
	c.notFound = []int{http.StatusAccepted, http.StatusUnprocessableEntity}
	return clearbit{c}
}

type clearbit struct{ *client }

func (p clearbit) Name() string { return p.name }

// clearbitCompany is the part of a Clearbit company object that Company
// holds.
type clearbitCompany struct {
	Name     string `json:"name"`
	Domain   string `json:"domain"`
	Category struct {
		Industry string `json:"industry"`
	} `json:"category"`
	Metrics struct {
		// Employees is a count in older records and a range string
		// such as "251-1K" in newer ones, where EmployeesRange is
		// absent.
		Employees      json.RawMessage `json:"employees"`
		EmployeesRange string          `json:"employeesRange"`
	} `json:"metrics"`
	FoundedYear *int `json:"foundedYear"`
	LinkedIn    struct {
		Handle string `json:"handle"` // "company/x"
	} `json:"linkedin"`
	Geo struct {
		City    string `json:"city"`
		State   string `json:"state"`
		Country string `json:"country"`
	} `json:"geo"`
}

// Lookup implements Provider.
func (p clearbit) Lookup(ctx context.Context, domain string) (Company, error) {
	if domain == "" {
		return Company{}, errors.New("companyapi: clearbit: empty domain")
	}
	var r clearbitCompany
	if err := p.get(ctx, "/v2/companies/find", url.Values{"domain": {domain}}, &r); err != nil {
		return Company{}, err
	}
	c := Company{
		Name:     r.Name,
		Domain:   hostOf(r.Domain),
		Industry: r.Category.Industry,
		LinkedIn: linkedIn(r.LinkedIn.Handle),
		Locality: r.Geo.City,
		Region:   r.Geo.State,
		Country:  r.Geo.Country,
		SizeText: r.Metrics.EmployeesRange,
	}
	if c.SizeText == "" {
		c.SizeText = employees(r.Metrics.Employees)
	}
	if c.Domain == "" {
		c.Domain = domain
	}
	if r.FoundedYear != nil {
		c.Founded = *r.FoundedYear
	}
	return c, nil
}

// employees renders metrics.employees, a number or a string, as text.
func employees(raw json.RawMessage) string {
	var n json.Number
	if err := json.Unmarshal(raw, &n); err == nil {
		return n.String()
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return strings.TrimSpace(s)
	}
	return ""
}
