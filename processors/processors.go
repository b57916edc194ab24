// Package processors enriches contacts. A Processor takes one batch and
// answers for every contact in it; it knows nothing of Kafka or storage.
package processors

import (
	"context"

	"github.com/enricher/enricher/schema"
)

// Processor enriches a batch of contacts. It returns exactly one result per
// contact, in the same order. A contact it cannot process comes back with
// status "failed" and the reason; an error never drops a contact.
type Processor interface {
	Process(ctx context.Context, contacts []schema.Contact) []schema.Result
}

// Basic is the minimal enrichment: an email syntax check and the company
// domain of a work address. Its zero value is ready to use.
type Basic struct{}

// Process implements Processor.
func (Basic) Process(ctx context.Context, contacts []schema.Contact) []schema.Result {
	out := make([]schema.Result, len(contacts))
	for i, c := range contacts {
		out[i] = basic(c)
	}
	return out
}

func basic(c schema.Contact) schema.Result {
	r := schema.Result{Input: c}
	if c.Error != "" {
		r.Status, r.Error = schema.StatusFailed, c.Error
		return r
	}
	r.Status = schema.StatusOK
	e := CheckSyntax(c.Email)
	r.Email = &e
	r.Company = CompanyFromEmail(e)
	return r
}
