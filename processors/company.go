package processors

import "github.com/enricher/enricher/schema"

// Sources and methods of company answers.
const (
	SourceEmailDomain = "email_domain"
	MethodWorkEmail   = "work_email_domain"
)

// CompanyFromEmail takes the company domain from a work address: the
// domain of a syntactically valid address that is not a free or webmail
// provider's.
func CompanyFromEmail(e schema.EmailResult) *schema.CompanyResult {
	switch {
	case e.Domain == "":
		return &schema.CompanyResult{Status: schema.CompanyNotFound}
	case e.FreeEmail:
		return &schema.CompanyResult{Status: schema.CompanyPersonalEmail, Source: SourceEmailDomain}
	}
	return &schema.CompanyResult{Domain: e.Domain, Status: schema.CompanyMatched, Source: SourceEmailDomain, Method: MethodWorkEmail}
}

// freeProviders are the largest free and webmail providers. The company of
// an address there is unknown from the address alone.
var freeProviders = map[string]bool{
	"gmail.com": true, "googlemail.com": true, "yahoo.com": true, "yahoo.co.uk": true, "ymail.com": true,
	"hotmail.com": true, "hotmail.co.uk": true, "outlook.com": true, "live.com": true, "msn.com": true,
	"aol.com": true, "icloud.com": true, "me.com": true, "mac.com": true, "proton.me": true,
	"protonmail.com": true, "gmx.com": true, "gmx.de": true, "gmx.net": true, "web.de": true,
	"mail.com": true, "yandex.ru": true, "yandex.com": true, "mail.ru": true, "zoho.com": true,
	"qq.com": true, "163.com": true, "126.com": true, "fastmail.com": true, "tutanota.com": true,
}
