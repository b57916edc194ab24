package schema

import (
	"bytes"
	"fmt"
	json "github.com/goccy/go-json"
	"time"
	"unicode/utf8"
)

// RawResultBatch is a ResultBatch as the aggregator reads it (see
// DecodeRawResultBatch): each result's email and company stay the JSON
// they came as, and only what the job's counters and the contact's columns
// need is read from them. Its JSON form is that of a ResultBatch.
type RawResultBatch struct {
	Version     int         `json:"version"`
	JobID       string      `json:"job_id"`
	BatchNo     int         `json:"batch_no"`
	Worker      string      `json:"worker"`
	ProcessedAt time.Time   `json:"processed_at"`
	Results     []RawResult `json:"results"`
}

// RawResult is a Result whose Email and Company are JSON objects, or nil
// when there is none.
type RawResult struct {
	Input   Contact         `json:"input"`
	Status  string          `json:"status"`
	Error   string          `json:"error,omitempty"`
	Email   json.RawMessage `json:"email,omitempty"`
	Company json.RawMessage `json:"company,omitempty"`

	// EmailStatus is Email's status, "" without an Email.
	EmailStatus string `json:"-"`
	// CompanyStatus and CompanyDomain are Company's, "" without a Company.
	CompanyStatus string `json:"-"`
	CompanyDomain string `json:"-"`
}

// DecodeRawResultBatch reads a results-topic record value into b, which
// should be empty. Each email and company must be a JSON object or null;
// it is kept as it came, valid JSON in valid UTF-8 (one with invalid UTF-8
// is decoded and encoded again, as a full decode would have left it), and
// may share value's memory.
func DecodeRawResultBatch(value []byte, b *RawResultBatch) error {
	if readCanonical(value, b) {
		return nil
	}
	*b = RawResultBatch{}
	return decodeGeneral(value, b)
}

// decodeGeneral is DecodeRawResultBatch for any record.
func decodeGeneral(value []byte, b *RawResultBatch) error {
	if err := json.Unmarshal(value, b); err != nil {
		return err
	}
	for i := range b.Results {
		if err := b.Results[i].summarize(); err != nil {
			return fmt.Errorf("result of row %d: %w", b.Results[i].Input.Row, err)
		}
	}
	return nil
}

var jsonNull = []byte("null")

func (r *RawResult) summarize() error {
	if bytes.Equal(r.Email, jsonNull) {
		r.Email = nil
	}
	if bytes.Equal(r.Company, jsonNull) {
		r.Company = nil
	}
	if r.Email != nil {
		if !utf8.Valid(r.Email) {
			var e EmailResult
			if err := reencode(&r.Email, &e); err != nil {
				return fmt.Errorf("email: %w", err)
			}
			r.EmailStatus = e.Status
		} else if err := readMembers(r.Email, "email", "status", &r.EmailStatus, "", nil); err != nil {
			return err
		}
	}
	if r.Company != nil {
		if !utf8.Valid(r.Company) {
			var c CompanyResult
			if err := reencode(&r.Company, &c); err != nil {
				return fmt.Errorf("company: %w", err)
			}
			r.CompanyStatus, r.CompanyDomain = c.Status, c.Domain
		} else if err := readMembers(r.Company, "company", "status", &r.CompanyStatus, "domain", &r.CompanyDomain); err != nil {
			return err
		}
	}
	return nil
}

// readMembers reads the string members name1 and name2 (if not "") of obj,
// valid JSON in valid UTF-8 that must be an object, into v1 and v2, as
// encoding/json would: names match case-insensitively, the last one wins,
// null changes nothing, any other kind of value is an error.
func readMembers(obj []byte, what, name1 string, v1 *string, name2 string, v2 *string) error {
	i := skipSpace(obj, 0)
	if i >= len(obj) || obj[i] != '{' {
		return fmt.Errorf("%s is not a JSON object", what)
	}
	i = skipSpace(obj, i+1)
	for i < len(obj) && obj[i] == '"' {
		kEnd := stringEnd(obj, i)
		key := obj[i+1 : kEnd-1]
		if bytes.IndexByte(key, '\\') >= 0 {
			var k string
			if err := json.Unmarshal(obj[i:kEnd], &k); err != nil {
				return fmt.Errorf("%s: %w", what, err)
			}
			key = []byte(k)
		}
		i = skipSpace(obj, kEnd)
		i = skipSpace(obj, i+1) // past ':'
		vEnd := valueEnd(obj, i)
		var dst *string
		switch {
		case bytes.EqualFold(key, []byte(name1)):
			dst = v1
		case name2 != "" && bytes.EqualFold(key, []byte(name2)):
			dst = v2
		}
		if dst != nil {
			if err := readString(obj[i:vEnd], dst); err != nil {
				return fmt.Errorf("%s: %s: %w", what, key, err)
			}
		}
		i = skipSpace(obj, vEnd)
		if i < len(obj) && obj[i] == ',' {
			i = skipSpace(obj, i+1)
		}
	}
	return nil
}

// readString sets *dst to the JSON string v; null leaves it as it is.
func readString(v []byte, dst *string) error {
	switch {
	case bytes.Equal(v, jsonNull):
		return nil
	case len(v) < 2 || v[0] != '"':
		return fmt.Errorf("%s is not a string", v)
	case bytes.IndexByte(v, '\\') < 0:
		*dst = string(v[1 : len(v)-1])
		return nil
	}
	return json.Unmarshal(v, dst)
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// stringEnd is the index just past the JSON string that starts at b[i]:
// past its first quote after an even run of backslashes (none included).
func stringEnd(b []byte, i int) int {
	start := i
	for i++; i < len(b); i++ {
		q := bytes.IndexByte(b[i:], '"')
		if q < 0 {
			break
		}
		i += q
		k := i
		for k > start+1 && b[k-1] == '\\' {
			k--
		}
		if (i-k)%2 == 0 {
			return i + 1
		}
	}
	return len(b)
}

// valueEnd is the index just past the JSON value that starts at b[i].
func valueEnd(b []byte, i int) int {
	if i >= len(b) {
		return i
	}
	switch b[i] {
	case '"':
		return stringEnd(b, i)
	case '{', '[':
		depth := 0
		for i < len(b) {
			switch b[i] {
			case '"':
				i = stringEnd(b, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return i
	}
	for i < len(b) {
		switch b[i] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return i
		}
		i++
	}
	return i
}

// reencode decodes *raw into v and replaces *raw with v's encoding.
func reencode(raw *json.RawMessage, v any) error {
	if err := json.Unmarshal(*raw, v); err != nil {
		return err
	}
	out, err := json.Marshal(v)
	if err != nil {
		return err
	}
	*raw = out
	return nil
}
