// Package companyapi looks companies up in optional, paid firmographic
// APIs: People Data Labs company enrichment and Clearbit company
// enrichment.
//
// The lookups are off unless an API key is configured: a Provider built
// from a Config without a key answers every lookup with ErrNotConfigured
// and never touches the network, and Fill skips it without spending
// budget.
//
// Each Provider limits its own request rate, retries rate-limited (429) and
// failing (5xx) responses with back-off, and never puts its API key in an
// error. Fill asks providers in order, only while requested fields are
// still missing, within a per-job Budget.
package companyapi

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
)

// Company is what a provider knows about a company. Values are kept as the
// provider gives them (PDL, for example, lowercases names and places), with
// one exception: LinkedIn is always of the form "linkedin.com/company/x".
type Company struct {
	Name     string
	Domain   string
	Industry string
	LinkedIn string
	Locality string // city
	Region   string // state or region
	Country  string
	SizeText string // employee range as the provider gives it, e.g. "51-200", or a count
	Founded  int    // year; 0 if unknown
}

// Field names a group of Company values that Fill can be asked for.
type Field string

// Fields that Fill can fill. FieldLocation covers Locality, Region and
// Country together, which always come from one provider.
const (
	FieldName     Field = "name"
	FieldIndustry Field = "industry"
	FieldSize     Field = "size"
	FieldLocation Field = "location"
	FieldLinkedIn Field = "linkedin"
	FieldFounded  Field = "founded"
)

// Provider looks a company up by its domain in one paid API.
type Provider interface {
	// Name identifies the provider: "people_data_labs" or "clearbit".
	Name() string
	// Lookup returns what the provider knows about domain, or an error
	// wrapping ErrNotFound when it has no record.
	Lookup(ctx context.Context, domain string) (Company, error)
}

// Errors that Lookup and Fill wrap; test for them with errors.Is.
var (
	// ErrNotFound means the provider has no record of the company.
	ErrNotFound = errors.New("companyapi: company not found")
	// ErrBudgetExhausted means the job's Budget allowed no more calls.
	ErrBudgetExhausted = errors.New("companyapi: call budget exhausted")
	// ErrUnauthorized means the provider rejected the API key.
	ErrUnauthorized = errors.New("companyapi: unauthorized")
	// ErrNotConfigured means the provider has no API key, so it is off.
	ErrNotConfigured = errors.New("companyapi: provider not configured")
)

// Budget caps the calls one job may make to providers. One successful
// Take allows one Lookup, however many HTTP retries that lookup needs.
// A Budget is safe for concurrent use; a nil *Budget is unlimited.
type Budget struct {
	left atomic.Int64
}

// NewBudget returns a Budget that allows calls lookups.
func NewBudget(calls int) *Budget {
	b := new(Budget)
	b.left.Store(int64(max(calls, 0)))
	return b
}

// Take spends one call and reports whether one was left.
func (b *Budget) Take() bool {
	if b == nil {
		return true
	}
	for {
		n := b.left.Load()
		if n <= 0 {
			return false
		}
		if b.left.CompareAndSwap(n, n-1) {
			return true
		}
	}
}

// Left reports how many calls remain; -1 for a nil (unlimited) Budget.
func (b *Budget) Left() int {
	if b == nil {
		return -1
	}
	return int(b.left.Load())
}

// configurer is implemented by this package's providers so that Fill can
// skip a provider that has no key without spending budget on it.
type configurer interface{ configured() bool }

// Fill asks providers in order about domain, but only while some of the
// missing fields are still unknown, and spends one budget call per
// provider asked. Each field is taken from the first provider that knows
// it. Fill returns the values found, the domain (as the first answering
// provider gives it, else as asked) and, for each field filled, the Name
// of the provider that gave it.
//
// A provider that has no record, or no API key, is passed over. A
// provider that fails is passed over too, and its error is part of the
// returned error, as is ErrBudgetExhausted when the budget ran out while
// fields were still missing. The partial result is returned either way.
func Fill(ctx context.Context, providers []Provider, budget *Budget, domain string, missing []Field) (Company, map[Field]string, error) {
	got := Company{Domain: domain}
	from := make(map[Field]string)
	need := make(map[Field]bool, len(missing))
	for _, f := range missing {
		if !known(f) {
			return got, from, fmt.Errorf("companyapi: unknown field %q", f)
		}
		need[f] = true
	}
	domainSet := false
	var errs []error
	for _, p := range providers {
		if len(need) == 0 {
			break
		}
		if c, ok := p.(configurer); ok && !c.configured() {
			continue
		}
		if err := ctx.Err(); err != nil {
			return got, from, errors.Join(append(errs, err)...)
		}
		if !budget.Take() {
			errs = append(errs, ErrBudgetExhausted)
			break
		}
		c, err := p.Lookup(ctx, domain)
		switch {
		case errors.Is(err, ErrNotFound) || errors.Is(err, ErrNotConfigured):
			continue
		case err != nil:
			errs = append(errs, err)
			continue
		}
		if !domainSet && c.Domain != "" {
			got.Domain, domainSet = c.Domain, true
		}
		for f := range need {
			if take(&got, c, f) {
				from[f] = p.Name()
				delete(need, f)
			}
		}
	}
	return got, from, errors.Join(errs...)
}

func known(f Field) bool {
	switch f {
	case FieldName, FieldIndustry, FieldSize, FieldLocation, FieldLinkedIn, FieldFounded:
		return true
	}
	return false
}

// take copies field f from src to dst if src has it, and reports whether
// it did.
func take(dst *Company, src Company, f Field) bool {
	switch f {
	case FieldName:
		dst.Name = src.Name
		return src.Name != ""
	case FieldIndustry:
		dst.Industry = src.Industry
		return src.Industry != ""
	case FieldSize:
		dst.SizeText = src.SizeText
		return src.SizeText != ""
	case FieldLinkedIn:
		dst.LinkedIn = src.LinkedIn
		return src.LinkedIn != ""
	case FieldFounded:
		dst.Founded = src.Founded
		return src.Founded != 0
	case FieldLocation:
		if src.Locality == "" && src.Region == "" && src.Country == "" {
			return false
		}
		dst.Locality, dst.Region, dst.Country = src.Locality, src.Region, src.Country
		return true
	}
	return false
}
