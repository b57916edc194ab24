package processors

import (
	"golang.org/x/net/publicsuffix"

	"github.com/enricher/enricher/processors/emaillists"
	"github.com/enricher/enricher/schema"
)

// Sources and methods of company answers.
const (
	SourceEmailDomain = "email_domain"
	MethodWorkEmail   = "work_email_domain"
)

// CompanyFromEmail takes the company domain from a work address: the
// registrable domain (public suffix list) of a well-formed address that
// is not at a free, webmail, ISP, relay or disposable provider.
func CompanyFromEmail(e schema.EmailResult, lists *emaillists.Lists) *schema.CompanyResult {
	d := e.Domain
	switch {
	case d == "":
		return &schema.CompanyResult{Status: schema.CompanyNotFound, Reason: "no well-formed email address to take a domain from"}
	case lists.Free(d) || lists.Disposable(d) || lists.Relay(d):
		return &schema.CompanyResult{Status: schema.CompanyPersonalEmail, Reason: d + " is a free, relay or disposable provider, not a company"}
	}
	if reg, err := publicsuffix.EffectiveTLDPlusOne(d); err == nil {
		d = reg
	}
	return &schema.CompanyResult{Domain: d, Status: schema.CompanyMatched, Confidence: 0.9, Source: SourceEmailDomain, Method: MethodWorkEmail}
}
