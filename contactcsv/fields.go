package contactcsv

import (
	"strconv"
	"strings"
	"unicode"
)

// A Field is a column the service knows how to use.
type Field int

// The known fields.
const (
	FirstName Field = iota
	LastName
	FullName
	Email
	Company
	Phone
	numFields
)

var fieldNames = [numFields]string{"first_name", "last_name", "full_name", "email", "company", "phone"}

// String returns the field's snake_case name, such as "first_name".
func (f Field) String() string {
	if f < 0 || f >= numFields {
		return "Field(" + strconv.Itoa(int(f)) + ")"
	}
	return fieldNames[f]
}

// aliases maps normalised header names to fields.
var aliases = map[string]Field{}

func init() {
	for f, names := range [numFields][]string{
		FirstName: {"first_name", "first", "given_name", "forename"},
		LastName:  {"last_name", "last", "surname", "family_name"},
		FullName:  {"name", "full_name", "contact_name", "contact"},
		Email:     {"email", "e-mail", "email_address", "mail", "work_email", "business_email"},
		Company:   {"company", "company_name", "organization", "organisation", "org", "account", "account_name", "employer"},
		Phone:     {"phone", "phone_number", "telephone", "tel", "mobile", "work_phone"},
	} {
		for _, n := range names {
			aliases[normalizeHeader(n)] = Field(f)
		}
	}
}

// normalizeHeader lower-cases a header cell and removes byte order marks,
// white space and the separators _ - and . so that "E-Mail Address" and
// "email_address" compare equal.
func normalizeHeader(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r == '_', r == '-', r == '.', r == '\uFEFF', unicode.IsSpace(r):
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// fieldFor reports which known field a header cell names.
func fieldFor(header string) (Field, bool) {
	f, ok := aliases[normalizeHeader(header)]
	return f, ok
}

// columns holds the column index of each known field, -1 if absent.
type columns [numFields]int

// mapColumns maps a header to known fields; the leftmost matching column
// wins.
func mapColumns(header []string) *columns {
	c := new(columns)
	for i := range c {
		c[i] = -1
	}
	for i, h := range header {
		if f, ok := fieldFor(h); ok && c[f] < 0 {
			c[f] = i
		}
	}
	return c
}

// NamedColumns returns the name of each column's field ("first_name",
// "email"...) when every column of header is the first to name a distinct
// one of FirstName, LastName, Email, Company and Phone, the values a
// contact carries by name; otherwise nil. A row of such a file whose
// values have no surrounding white space is all in its named values.
func NamedColumns(header []string) []string {
	if len(header) == 0 {
		return nil
	}
	var seen [numFields]bool
	names := make([]string, len(header))
	for i, h := range header {
		f, ok := fieldFor(h)
		if !ok || f == FullName || seen[f] {
			return nil
		}
		seen[f] = true
		names[i] = f.String()
	}
	return names
}

// splitName splits a full name at its last run of white space.
func splitName(full string) (first, last string) {
	full = strings.TrimSpace(full)
	i := strings.LastIndexFunc(full, unicode.IsSpace)
	if i < 0 {
		return full, ""
	}
	return strings.TrimSpace(full[:i]), strings.TrimSpace(full[i:])
}
