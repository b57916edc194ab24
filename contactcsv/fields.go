package contactcsv

import (
	"strings"
	"unicode"
)

// Field is a column the pipeline knows.
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

func (f Field) String() string {
	if f < 0 || f >= numFields {
		return "unknown"
	}
	return fieldNames[f]
}

// aliases are the header names of each field, normalised (see normalise).
var aliases = map[string]Field{}

func init() {
	for f, names := range map[Field][]string{
		FirstName: {"firstname", "first", "givenname", "forename"},
		LastName:  {"lastname", "last", "surname", "familyname"},
		FullName:  {"name", "fullname", "contactname", "contact"},
		Email:     {"email", "emailaddress", "mail", "workemail", "businessemail", "emailaddr"},
		Company:   {"company", "companyname", "organization", "organisation", "org", "account", "accountname", "employer"},
		Phone:     {"phone", "phonenumber", "telephone", "tel", "mobile", "workphone"},
	} {
		for _, n := range names {
			aliases[n] = f
		}
	}
}

// normalise folds a header name: lower case, without white space,
// underscores, hyphens, dots or a BOM.
func normalise(h string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case unicode.IsSpace(r), r == '_', r == '-', r == '.', r == '\uFEFF':
			return -1
		}
		return unicode.ToLower(r)
	}, h)
}

// mapHeader finds each known field's column; the first match wins.
func mapHeader(header []string) [numFields]int {
	var cols [numFields]int
	for i := range cols {
		cols[i] = -1
	}
	for i, h := range header {
		if f, ok := aliases[normalise(h)]; ok && cols[f] < 0 {
			cols[f] = i
		}
	}
	return cols
}
