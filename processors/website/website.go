// Package website reads what a company's homepage says about the
// company: schema.org Organization data in JSON-LD, and OpenGraph tags.
package website

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"strings"

	"golang.org/x/net/html/charset"
	"golang.org/x/net/idna"

	"github.com/enricher/enricher/internal/safehttp"
)

// Info is what a homepage says about the organisation behind it. Empty
// fields were not found.
type Info struct {
	Name      string // schema.org name, or og:site_name when Source is SourceOpenGraph
	LegalName string // schema.org legalName

	// From a schema.org PostalAddress (address, else location.address).
	// An address given as plain text is not split, so these stay empty.
	Locality, Region, Country string

	// Employees is numberOfEmployees: an exact count ("250"), a range
	// ("51-200"), an open range ("1000+") or the site's own text.
	Employees string
	Founded   int      // year of foundingDate
	SameAs    []string // sameAs http(s) URLs, e.g. the LinkedIn page

	OGSiteName, OGTitle string
	Description         string // schema.org description, else og:description, else meta description
	Title               string // the page's <title>

	Source string // SourceSchemaOrg, SourceOpenGraph, or empty when neither was found
	URL    string // the page's URL, after redirects
}

// ErrNotHTML means the homepage answered with something other than HTML.
var ErrNotHTML = errors.New("website: not an HTML page")

// Fetcher fetches and parses homepages. It is safe for concurrent use
// once configured.
type Fetcher struct {
	// URLs returns the addresses to try for a domain, in order. Nil means
	// https://domain/ then http://domain/. Tests set it to reach an
	// httptest server.
	URLs func(domain string) []string

	client *http.Client
}

// New returns a Fetcher that fetches through client, which should be a
// safehttp client: the domains come from user data.
func New(client *http.Client) *Fetcher {
	return &Fetcher{client: client}
}

// Fetch fetches the homepage of domain and parses it with Parse.
//
// It tries https://domain/ first. It falls back to http://domain/ only
// when no HTTP response came back for a reason the plain-HTTP site might
// not share: a refused or reset connection, a TLS failure or a timeout.
// It does not fall back on DNS failures, on addresses or schemes the
// client refuses (safehttp errors), on too many redirects, or when ctx is
// done; an HTTP error status is an error, not a reason to fall back.
//
// A body longer than the client's limit is parsed up to the limit, since
// the JSON-LD and meta tags sit in the head. Pages that do not declare
// UTF-8 are converted from their declared or detected charset.
func (f *Fetcher) Fetch(ctx context.Context, domain string) (Info, error) {
	host, err := idna.Lookup.ToASCII(strings.TrimSuffix(strings.TrimSpace(domain), "."))
	if err != nil || host == "" || strings.ContainsAny(host, "/:@?#[]% ") {
		return Info{}, fmt.Errorf("website: invalid domain %q", domain)
	}
	urls := []string{"https://" + host + "/", "http://" + host + "/"}
	if f.URLs != nil {
		urls = f.URLs(host)
	}
	if len(urls) == 0 {
		return Info{}, fmt.Errorf("website: no URL to fetch for %q", domain)
	}
	var info Info
	for _, u := range urls {
		info, err = f.fetch(ctx, u)
		if err == nil || !fallBack(ctx, err) {
			break
		}
	}
	return info, err
}

// fallBack reports whether err, from a request that got no response, is
// worth trying the next URL for.
func fallBack(ctx context.Context, err error) bool {
	var dnsErr *net.DNSError
	var statusErr *StatusError
	switch {
	case ctx.Err() != nil,
		errors.As(err, &statusErr),
		errors.Is(err, ErrNotHTML),
		errors.As(err, &dnsErr),
		errors.Is(err, safehttp.ErrForbiddenAddress),
		errors.Is(err, safehttp.ErrForbiddenScheme),
		errors.Is(err, safehttp.ErrTooManyRedirects),
		errors.Is(err, safehttp.ErrBodyTooLarge):
		return false
	}
	return true
}

// StatusError is the error of a homepage that answered with a status
// other than 2xx.
type StatusError struct {
	URL        string
	StatusCode int
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("website: %s: HTTP status %d", e.URL, e.StatusCode)
}

func (f *Fetcher) fetch(ctx context.Context, u string) (Info, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return Info{}, err
	}
	req.Header.Set("Accept", "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1")
	resp, err := f.client.Do(req)
	if err != nil {
		return Info{}, err
	}
	defer resp.Body.Close()
	final := resp.Request.URL.String()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return Info{}, &StatusError{URL: final, StatusCode: resp.StatusCode}
	}
	ct := resp.Header.Get("Content-Type")
	if mt, _, err := mime.ParseMediaType(ct); ct != "" && (err != nil || (mt != "text/html" && mt != "application/xhtml+xml")) {
		return Info{}, fmt.Errorf("%w: %s is %q", ErrNotHTML, final, ct)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil && !errors.Is(err, safehttp.ErrBodyTooLarge) {
		return Info{}, err
	}
	r, err := charset.NewReader(bytes.NewReader(body), ct)
	if err != nil {
		return Info{}, err
	}
	return Parse(r, final)
}
