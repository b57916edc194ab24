package companyapi

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
)

// PDLBaseURL is the public People Data Labs API.
const PDLBaseURL = "https://api.peopledatalabs.com"

// NewPDL returns the People Data Labs company enrichment provider, named
// "people_data_labs". It sends GET {BaseURL}/v5/company/enrich?website=…
// with the key in the X-Api-Key header. PDL bills per match; a 404 (no
// match) is free and means ErrNotFound.
func NewPDL(cfg Config) Provider {
	c := newClient("people_data_labs", PDLBaseURL, cfg)
	c.auth = func(h http.Header, key string) { h.Set("X-Api-Key", key) }
	return pdl{c}
}

type pdl struct{ *client }

func (p pdl) Name() string { return p.name }

// pdlCompany is the part of a PDL company record that Company holds. PDL
// puts the record's fields at the top level, next to status and
// likelihood; most may be null.
type pdlCompany struct {
	Name        string `json:"name"`
	DisplayName string `json:"display_name"`
	Website     string `json:"website"`
	Industry    string `json:"industry"`
	Size        string `json:"size"`
	Founded     *int   `json:"founded"`
	LinkedInURL string `json:"linkedin_url"`
	Location    *struct {
		Locality string `json:"locality"`
		Region   string `json:"region"`
		Country  string `json:"country"`
	} `json:"location"`
}

// Lookup implements Provider.
func (p pdl) Lookup(ctx context.Context, domain string) (Company, error) {
	if domain == "" {
		return Company{}, errors.New("companyapi: people_data_labs: empty domain")
	}
	var r pdlCompany
	if err := p.get(ctx, "/v5/company/enrich", url.Values{"website": {domain}}, &r); err != nil {
		return Company{}, err
	}
	c := Company{
		Name:     r.Name,
		Domain:   hostOf(r.Website),
		Industry: r.Industry,
		LinkedIn: linkedIn(r.LinkedInURL),
		SizeText: r.Size,
	}
	if r.DisplayName != "" {
		c.Name = r.DisplayName // PDL's name is lowercased; display_name keeps the case
	}
	if c.Domain == "" {
		c.Domain = domain
	}
	if r.Founded != nil {
		c.Founded = *r.Founded
	}
	if l := r.Location; l != nil {
		c.Locality, c.Region, c.Country = l.Locality, l.Region, l.Country
	}
	return c, nil
}

// hostOf reduces a website as providers give it ("google.com",
// "www.google.com", "https://google.com/about") to a lowercase host.
func hostOf(site string) string {
	s := strings.ToLower(strings.TrimSpace(site))
	if i := strings.Index(s, "://"); i >= 0 {
		s = s[i+3:]
	}
	if i := strings.IndexAny(s, "/?#"); i >= 0 {
		s = s[:i]
	}
	return strings.TrimPrefix(s, "www.")
}

// linkedIn turns a LinkedIn URL or handle ("https://www.linkedin.com/company/x",
// "linkedin.com/company/x", "company/x") into "linkedin.com/company/x".
func linkedIn(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	if i := strings.Index(s, "://"); i >= 0 {
		s = s[i+3:]
	}
	s = strings.TrimPrefix(s, "www.")
	if !strings.HasPrefix(strings.ToLower(s), "linkedin.com/") {
		s = "linkedin.com/" + strings.TrimPrefix(s, "/")
	}
	return strings.TrimRight(s, "/")
}
