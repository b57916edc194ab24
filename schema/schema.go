// Package schema holds the project's contracts: the GraphQL SDL that gqlgen
// reads (schema.graphqls) and the JSON records that travel on Kafka, as Go
// types with a JSON Schema per topic in records/.
//
// The progress topic carries store.Job values; its JSON Schema is here too.
//
// Every record carries "version"; a consumer rejects a version it does not
// know (the record goes to the dead-letter topic) instead of guessing.
package schema

import (
	"embed"
	"strconv"
	"strings"
	"time"
)

// RecordVersion is the version of the record formats defined here. In
// version 2 a contact may leave out its fields and an email result its
// address and reasons (see Contact.Fields and EmailResult.Compact), and in
// version 3 an email result its normalized address too, and in version 4
// its detail when it is the standard one of its reason (see
// emailverify.OmitImplied), and in version 5 a company result its name as
// given and its standard reason (see CompanyResult.Compact) and an email
// result the mailbox_not_checked flag of that reason; records
// of the earlier versions always have them, and are read as well.
const RecordVersion = 5

// Readable reports whether records of version v can be read.
func Readable(v int) bool { return v >= 1 && v <= RecordVersion }

// Records holds the JSON Schema of each topic's record value, named
// <topic>.schema.json.
//
//go:embed records/*.schema.json
var Records embed.FS

// ContactBatch is the value of a record on the batches topic: a slice of one
// job's uploaded rows, in file order.
type ContactBatch struct {
	Version  int       `json:"version"`
	JobID    string    `json:"job_id"`
	BatchNo  int       `json:"batch_no"`
	Contacts []Contact `json:"contacts"`
}

// Contact is one uploaded row: the values mapped to the fields the pipeline
// knows, and its original values in header order so the export can give
// the file back as it came.
type Contact struct {
	Row       int    `json:"row"`
	Line      int    `json:"line,omitempty"`
	FirstName string `json:"first_name,omitempty"`
	LastName  string `json:"last_name,omitempty"`
	Email     string `json:"email,omitempty"`
	Company   string `json:"company,omitempty"`
	Phone     string `json:"phone,omitempty"`
	// Fields are the row's values in the order of the file's columns. A
	// row without Error leaves them out when every column is one of the
	// named fields above and every value is its named one (the file's
	// contactcsv.NamedColumns are not nil): its fields are then Values of
	// those names.
	Fields []string `json:"fields,omitempty"`
	// Error is set when the row could not be read (wrong field count, bad
	// encoding...). Such a row is passed through as a failed result.
	Error string `json:"error,omitempty"`
}

// Named returns the value of the named field name ("first_name",
// "last_name", "email", "company" or "phone"), or "" for another name.
func (c *Contact) Named(name string) string {
	switch name {
	case "first_name":
		return c.FirstName
	case "last_name":
		return c.LastName
	case "email":
		return c.Email
	case "company":
		return c.Company
	case "phone":
		return c.Phone
	}
	return ""
}

// Values returns the named values of names, in their order: the fields of
// a contact sent without them.
func (c *Contact) Values(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = c.Named(n)
	}
	return out
}

// ResultBatch is the value of a record on the results topic: the outcome of
// one ContactBatch, one Result per contact. Its key is the job ID.
type ResultBatch struct {
	Version     int       `json:"version"`
	JobID       string    `json:"job_id"`
	BatchNo     int       `json:"batch_no"`
	Worker      string    `json:"worker"`
	ProcessedAt time.Time `json:"processed_at"`
	Results     []Result  `json:"results"`
}

// Result statuses: a contact was enriched, or could not be processed at all.
// An undeliverable email is a successful check: StatusOK with an email
// status of "invalid".
const (
	StatusOK     = "ok"
	StatusFailed = "failed"
)

// Result is the enrichment of one contact.
type Result struct {
	Input   Contact        `json:"input"`
	Status  string         `json:"status"`
	Error   string         `json:"error,omitempty"`
	Email   *EmailResult   `json:"email,omitempty"`
	Company *CompanyResult `json:"company,omitempty"`
}

// Email verification statuses.
const (
	EmailValid     = "valid"
	EmailInvalid   = "invalid"
	EmailCatchAll  = "catch_all"
	EmailDoNotMail = "do_not_mail"
	EmailUnknown   = "unknown"
)

// EmailResult is the verdict on an email address with the reasons for it
// and the evidence behind them.
type EmailResult struct {
	// Address is the address as given. A result record leaves it out
	// when it is the contact's email (see Compact).
	Address string `json:"address,omitempty"`
	// Normalized is the address as checked; it and Domain are both set or
	// both empty (the syntax was refused). A result record leaves it out
	// when it is the address as given (see Compact).
	Normalized string `json:"normalized,omitempty"`
	Status     string `json:"status"`
	// Reason is the primary reason code; Reasons every one that applied,
	// Reason first. A result record leaves Reasons out when Reason is the
	// only one (see Compact).
	Reason  string   `json:"reason"`
	Reasons []string `json:"reasons,omitempty"`
	// Detail says in words what decided the status. A result record
	// leaves it out when it follows from the reason, the domain and the
	// local part (see emailverify.StandardDetail).
	Detail     string `json:"detail,omitempty"`
	Domain     string `json:"domain,omitempty"`
	DidYouMean string `json:"did_you_mean,omitempty"`
	// Score is how sure the status is, from 0 to 1.
	Score float64 `json:"score"`
	// Flags are facts about the address: free_email, role, disposable,
	// smtputf8, alias_address, relay, mailbox_not_checked.
	Flags []string `json:"flags,omitempty"`
	// Fixes are the clean-ups made to the input before checking it.
	Fixes     []string      `json:"fixes,omitempty"`
	MX        []string      `json:"mx,omitempty"`
	SMTP      *SMTPEvidence `json:"smtp,omitempty"`
	CheckedAt time.Time     `json:"checked_at"`
}

// Compact leaves out of e what a reader of a result record can tell
// without it: the normalized address when it is the address (and there is
// a domain), the address when it is the contact's email, the reasons when
// they are only the reason. Expand puts them back.
func (e *EmailResult) Compact(email string) {
	if e.Normalized == e.Address && e.Domain != "" {
		e.Normalized = ""
	}
	if e.Address == email {
		e.Address = ""
	}
	if len(e.Reasons) == 1 && e.Reasons[0] == e.Reason {
		e.Reasons = nil
	}
}

// Expand puts back what Compact left out, given the contact's email.
func (e *EmailResult) Expand(email string) {
	if e.Address == "" {
		e.Address = email
	}
	if e.Normalized == "" && e.Domain != "" {
		e.Normalized = e.Address
	}
	if len(e.Reasons) == 0 && e.Reason != "" {
		e.Reasons = []string{e.Reason}
	}
}

// Has reports whether the result carries a flag.
func (e *EmailResult) Has(flag string) bool {
	for _, f := range e.Flags {
		if f == flag {
			return true
		}
	}
	return false
}

// SMTPEvidence is what a mail server answered.
type SMTPEvidence struct {
	Host         string `json:"host"`
	Code         int    `json:"code,omitempty"`
	EnhancedCode string `json:"enhanced_code,omitempty"`
	Text         string `json:"text,omitempty"`
	// Probe is "rcpt" for the address itself, "catch_all" for a made-up
	// address at its domain.
	Probe    string `json:"probe"`
	Attempts int    `json:"attempts"`
}

// CompanyResult is what is known of a contact's company. Source and
// Method say how the company itself (its domain) was found; Fields say
// where every other value came from.
type CompanyResult struct {
	Status     string  `json:"status"`
	Confidence float64 `json:"confidence"`
	// Reason says why the company is not found, ambiguous or in conflict.
	Reason      string `json:"reason,omitempty"`
	Domain      string `json:"domain,omitempty"`
	Name        string `json:"name,omitempty"`
	Size        string `json:"size,omitempty"`     // employee range, e.g. "51-200"
	SizeMin     int    `json:"size_min,omitempty"` // employees, at least
	SizeMax     int    `json:"size_max,omitempty"` // employees, at most; 0: no upper bound
	Locality    string `json:"locality,omitempty"`
	Region      string `json:"region,omitempty"`
	CountryCode string `json:"country_code,omitempty"` // ISO 3166-1 alpha-2
	CountryName string `json:"country_name,omitempty"`
	Industry    string `json:"industry,omitempty"`
	LinkedIn    string `json:"linkedin,omitempty"`
	Founded     int    `json:"founded,omitempty"`
	Source      string `json:"source,omitempty"`
	Method      string `json:"method,omitempty"`
	// Fields maps each value given above (name, size, location, industry,
	// linkedin, founded) to where it came from.
	Fields map[string]Provenance `json:"fields,omitempty"`
	// Candidates are the closest companies when the name was ambiguous.
	Candidates []CompanyCandidate `json:"candidates,omitempty"`
	// EmailDomain and NameDomain are both kept on an identity conflict.
	EmailDomain string `json:"email_domain,omitempty"`
	NameDomain  string `json:"name_domain,omitempty"`
	// NameAsGiven stands, in a result record, for a Name that is the
	// contact's company as given, whose provenance NameAsGiven is all of
	// Fields (see Compact).
	NameAsGiven bool `json:"name_as_given,omitempty"`
}

// AsGiven is the provenance of a company name taken from the contact as
// given, when nothing better is known.
var AsGiven = Provenance{Source: "contact", Method: "as_given", Confidence: 0.5}

// CompanyReason is the reason of a company result of the status for a
// contact whose company name, trimmed, is name, when nothing more is known
// of it than its status: "" when the status has no such reason.
func CompanyReason(status, name string) string {
	switch {
	case status == CompanyPersonalEmail && name == "":
		return "a free, relay or disposable address and no company name"
	case status == CompanyNotFound && name == "":
		return "no work email domain and no company name"
	case status == CompanyNotFound:
		return noMatch + strconv.Quote(name)
	}
	return ""
}

// noMatch begins the reason of a company not found by its name.
const noMatch = "no company in the reference data matches "

// isCompanyReason reports whether reason is CompanyReason(status, name),
// without writing that out.
func isCompanyReason(reason, status, name string) bool {
	if status != CompanyNotFound || name == "" {
		return reason == CompanyReason(status, name)
	}
	quoted, ok := strings.CutPrefix(reason, noMatch)
	var buf [128]byte
	return ok && string(strconv.AppendQuote(buf[:0], name)) == quoted
}

// Compact leaves out of c what a reader of a result record can tell
// without it, given the contact's company: the name when it is the
// company as given, with AsGiven its only provenance (NameAsGiven says
// so), and the reason when it is CompanyReason's. Expand puts them back.
func (c *CompanyResult) Compact(company string) {
	company = strings.TrimSpace(company)
	if c.Reason != "" && isCompanyReason(c.Reason, c.Status, c.Name) {
		c.Reason = ""
	}
	if c.Name != "" && c.Name == company && len(c.Fields) == 1 && c.Fields["name"] == AsGiven {
		c.Name, c.Fields, c.NameAsGiven = "", nil, true
	}
}

// Expand puts back what Compact left out, given the contact's company.
func (c *CompanyResult) Expand(company string) {
	if c.NameAsGiven {
		c.Name, c.Fields, c.NameAsGiven = strings.TrimSpace(company), map[string]Provenance{"name": AsGiven}, false
	}
	if c.Reason == "" {
		c.Reason = CompanyReason(c.Status, c.Name)
	}
}

// CompanyFields are the company values that carry a Provenance, in the
// order they are listed.
var CompanyFields = []string{"name", "size", "location", "industry", "linkedin", "founded"}

// Provenance is where a value came from.
type Provenance struct {
	Source     string  `json:"source"`
	Method     string  `json:"method"`
	Confidence float64 `json:"confidence"`
}

// CompanyCandidate is one of the companies a name could mean.
type CompanyCandidate struct {
	Name   string  `json:"name"`
	Domain string  `json:"domain,omitempty"`
	Score  float64 `json:"score"`
}

// Company match statuses.
const (
	CompanyMatched          = "matched"
	CompanyAmbiguous        = "ambiguous"
	CompanyNotFound         = "not_found"
	CompanyPersonalEmail    = "personal_email"
	CompanyIdentityConflict = "identity_conflict"
)
