// Package processors enriches contacts. A Processor takes one batch and
// answers for every contact in it; it knows nothing of Kafka or storage.
package processors

import (
	"context"

	"github.com/enricher/enricher/processors/emailverify"
	"github.com/enricher/enricher/schema"
)

// Processor enriches a batch of contacts. It returns exactly one result per
// contact, in the same order. A contact it cannot process comes back with
// status "failed" and the reason; an error never drops a contact.
type Processor interface {
	Process(ctx context.Context, contacts []schema.Contact) []schema.Result
}

type jobKey struct{}

// WithJob tells a Processor which job the batch belongs to, for what is
// counted per job (such as paid API calls).
func WithJob(ctx context.Context, jobID string) context.Context {
	return context.WithValue(ctx, jobKey{}, jobID)
}

func jobOf(ctx context.Context) string {
	id, _ := ctx.Value(jobKey{}).(string)
	return id
}

// Enricher verifies each contact's email and finds its company. The
// batch's addresses are verified together, so each distinct domain is
// resolved once.
type Enricher struct {
	Email     *emailverify.Verifier
	Companies *Companies // nil: companies from email domains and company columns only
}

// Process implements Processor.
func (e Enricher) Process(ctx context.Context, contacts []schema.Contact) []schema.Result {
	out := make([]schema.Result, len(contacts))
	var addrs []string
	var idx []int
	for i, c := range contacts {
		out[i].Input = c
		if c.Error != "" {
			out[i].Status, out[i].Error = schema.StatusFailed, c.Error
			continue
		}
		out[i].Status = schema.StatusOK
		addrs = append(addrs, c.Email)
		idx = append(idx, i)
	}
	emails := make([]*schema.EmailResult, len(contacts))
	verified := e.Email.VerifyAll(ctx, addrs)
	for k := range verified {
		out[idx[k]].Email = &verified[k]
		emails[idx[k]] = &verified[k]
	}
	companies := e.Companies
	if companies == nil {
		companies = &Companies{}
	}
	for i, c := range companies.Resolve(ctx, contacts, emails) {
		out[i].Company = c
	}
	return out
}
