package schema

import (
	"bytes"
	"encoding/binary"
	stdjson "encoding/json"
	"slices"
	"time"
	"unicode/utf8"

	json "github.com/goccy/go-json"
)

// readCanonical reads value into b as DecodeRawResultBatch does, when value
// is a record as the workers write it: the members of ResultBatch, Result
// and Contact in the order of their fields, no white space, valid UTF-8. It
// reports false for anything else, b then half read, and the general
// decoder reads the record instead (FuzzDecodeRawResultBatch holds the two
// to the same batches). One pass over the record: the email and company
// objects are checked as JSON and kept where they lie in value.
func readCanonical(value []byte, b *RawResultBatch) bool {
	// Its strings are cut from one copy of value: one allocation, not
	// one a string.
	s := scanner{v: value, text: string(value)}
	if !(s.lit(`{"version":`) && s.int(&b.Version) &&
		s.lit(`,"job_id":`) && s.str(&b.JobID) &&
		s.lit(`,"batch_no":`) && s.int(&b.BatchNo) &&
		s.lit(`,"worker":`) && s.str(&b.Worker) &&
		s.lit(`,"processed_at":`) && s.time(&b.ProcessedAt) &&
		s.lit(`,"results":`)) {
		return false
	}
	if s.lit(`null}`) {
		return s.i == len(value)
	}
	if !s.lit(`[`) {
		return false
	}
	if !s.lit(`]`) {
		for {
			start := s.i
			b.Results = append(b.Results, RawResult{})
			if !s.result(&b.Results[len(b.Results)-1]) {
				return false
			}
			if len(b.Results) == 1 { // room for as many as there is room for of its size
				b.Results = slices.Grow(b.Results, (len(value)-s.i)/(s.i-start+1))
			}
			if s.lit(`,`) {
				continue
			}
			if !s.lit(`]`) {
				return false
			}
			break
		}
	}
	return s.lit(`}`) && s.i == len(value)
}

// scanner reads JSON from v at i; each method advances i past what it read
// and reports whether it could. text is v as a string.
type scanner struct {
	v    []byte
	text string
	i    int
}

// lit reads the text t.
func (s *scanner) lit(t string) bool {
	if len(s.v)-s.i < len(t) || string(s.v[s.i:s.i+len(t)]) != t {
		return false
	}
	s.i += len(t)
	return true
}

func (s *scanner) result(r *RawResult) bool {
	c := &r.Input
	if !(s.lit(`{"input":{"row":`) && s.int(&c.Row)) {
		return false
	}
	ok := (!s.lit(`,"line":`) || s.int(&c.Line)) &&
		(!s.lit(`,"first_name":`) || s.str(&c.FirstName)) &&
		(!s.lit(`,"last_name":`) || s.str(&c.LastName)) &&
		(!s.lit(`,"email":`) || s.str(&c.Email)) &&
		(!s.lit(`,"company":`) || s.str(&c.Company)) &&
		(!s.lit(`,"phone":`) || s.str(&c.Phone)) &&
		(!s.lit(`,"fields":`) || s.strings(&c.Fields)) &&
		(!s.lit(`,"error":`) || s.str(&c.Error)) &&
		s.lit(`},"status":`) && s.str(&r.Status) &&
		(!s.lit(`,"error":`) || s.str(&r.Error)) &&
		(!s.lit(`,"email":`) || s.object(&r.Email, "status", &r.EmailStatus, "", nil)) &&
		(!s.lit(`,"company":`) || s.object(&r.Company, "status", &r.CompanyStatus, "domain", &r.CompanyDomain))
	return ok && s.lit(`}`)
}

// int reads an integer of at most 18 digits.
func (s *scanner) int(dst *int) bool {
	i, neg := s.i, false
	if i < len(s.v) && s.v[i] == '-' {
		i, neg = i+1, true
	}
	start, n := i, 0
	for i < len(s.v) && i-start < 18 && '0' <= s.v[i] && s.v[i] <= '9' {
		n = n*10 + int(s.v[i]-'0')
		i++
	}
	if i == start || s.v[start] == '0' && i-start > 1 {
		return false
	}
	if i < len(s.v) {
		switch c := s.v[i]; {
		case '0' <= c && c <= '9', c == '.', c == 'e', c == 'E':
			return false // longer, or not an integer: the general decoder judges
		}
	}
	if neg {
		n = -n
	}
	*dst, s.i = n, i
	return true
}

// special marks the bytes a string's fast loop stops at: its end, an
// escape, a control character (not allowed) and the start of a multi-byte
// character (checked).
var special = func() (t [256]bool) {
	for c := range 256 {
		t[c] = c < 0x20 || c == '"' || c == '\\' || c >= utf8.RuneSelf
	}
	return t
}()

// Kinds of string: with escapes, with characters beyond ASCII.
const (
	escapes = 1 << iota
	nonASCII
)

// string reads a JSON string and returns the offsets of what is between its
// quotes and its kind.
func (s *scanner) string() (start, end int, kind uint8, ok bool) {
	v, i := s.v, s.i
	if i >= len(v) || v[i] != '"' {
		return 0, 0, 0, false
	}
	i++
	start = i
	for {
		for len(v)-i >= 8 && !hasSpecial(binary.LittleEndian.Uint64(v[i:])) {
			i += 8
		}
		for i < len(v) && !special[v[i]] {
			i++
		}
		if i >= len(v) {
			return 0, 0, 0, false
		}
		switch c := v[i]; {
		case c == '"':
			s.i = i + 1
			return start, i, kind, true
		case c == '\\':
			if i+1 >= len(v) {
				return 0, 0, 0, false
			}
			switch v[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if len(v)-i < 6 || !hex4(v[i+2:i+6]) {
					return 0, 0, 0, false
				}
				i += 6
			default:
				return 0, 0, 0, false
			}
			kind |= escapes
		case c < 0x20:
			return 0, 0, 0, false
		default:
			r, n := utf8.DecodeRune(v[i:])
			if r == utf8.RuneError && n == 1 {
				return 0, 0, 0, false // invalid UTF-8: the general decoder mends it
			}
			i += n
			kind |= nonASCII
		}
	}
}

// hasSpecial reports whether a byte of the 8 in x is special (false
// positives allowed): a quote, a backslash, below 0x20 or from 0x80.
func hasSpecial(x uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	below := func(x uint64, n uint64) uint64 { return (x - ones*n) &^ x & highs }
	return x&highs|below(x, 0x20)|below(x^(ones*'"'), 1)|below(x^(ones*'\\'), 1) != 0
}

func hex4(b []byte) bool {
	for _, c := range b {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// str reads a string into dst.
func (s *scanner) str(dst *string) bool {
	token := s.i
	start, end, kind, ok := s.string()
	switch {
	case !ok:
		return false
	case kind&escapes != 0:
		// Rare: encoding/json itself decodes the escapes.
		return stdjson.Unmarshal(s.v[token:s.i], dst) == nil
	}
	*dst = s.text[start:end]
	return true
}

// strings reads an array of strings.
func (s *scanner) strings(dst *[]string) bool {
	if !s.lit(`[`) {
		return false
	}
	out := []string{}
	if !s.lit(`]`) {
		for {
			var v string
			if !s.str(&v) {
				return false
			}
			out = append(out, v)
			if s.lit(`,`) {
				continue
			}
			if !s.lit(`]`) {
				return false
			}
			break
		}
	}
	*dst = out
	return true
}

// time reads a time as encoding/json does.
func (s *scanner) time(dst *time.Time) bool {
	token := s.i
	if _, _, kind, ok := s.string(); !ok || kind&escapes != 0 {
		return false
	}
	return dst.UnmarshalJSON(s.v[token:s.i]) == nil
}

// object reads null, leaving *raw nil, or an object, which *raw is then
// set to; the object's string members name1 and name2 (if not "") are
// read into v1 and v2. A member whose name is theirs in another case, or
// is not a string, makes it fail: the general decoder knows the rules.
func (s *scanner) object(raw *json.RawMessage, name1 string, v1 *string, name2 string, v2 *string) bool {
	if s.lit(`null`) {
		*raw = nil
		return true
	}
	start := s.i
	if !s.lit(`{`) {
		return false
	}
	if !s.lit(`}`) {
		for {
			start, end, kind, ok := s.string()
			if !ok || kind != 0 || !s.lit(`:`) {
				return false
			}
			key := s.v[start:end]
			var dst *string
			switch {
			case string(key) == name1:
				dst = v1
			case name2 != "" && string(key) == name2:
				dst = v2
			case len(key) == len(name1) && bytes.EqualFold(key, []byte(name1)),
				name2 != "" && len(key) == len(name2) && bytes.EqualFold(key, []byte(name2)):
				return false
			}
			if dst != nil {
				start, end, kind, ok := s.string()
				if !ok || kind&escapes != 0 {
					return false
				}
				*dst = s.text[start:end]
			} else if !s.value(0) {
				return false
			}
			if s.lit(`,`) {
				continue
			}
			if !s.lit(`}`) {
				return false
			}
			break
		}
	}
	*raw = s.v[start:s.i:s.i]
	return true
}

// maxDepth bounds the nesting value follows; deeper is left to the general
// decoder.
const maxDepth = 32

// value reads any JSON value.
func (s *scanner) value(depth int) bool {
	if s.i >= len(s.v) || depth > maxDepth {
		return false
	}
	switch s.v[s.i] {
	case '"':
		_, _, _, ok := s.string()
		return ok
	case '{':
		s.i++
		if s.lit(`}`) {
			return true
		}
		for {
			if _, _, _, ok := s.string(); !ok || !s.lit(`:`) || !s.value(depth+1) {
				return false
			}
			if !s.lit(`,`) {
				return s.lit(`}`)
			}
		}
	case '[':
		s.i++
		if s.lit(`]`) {
			return true
		}
		for {
			if !s.value(depth + 1) {
				return false
			}
			if !s.lit(`,`) {
				return s.lit(`]`)
			}
		}
	case 't':
		return s.lit(`true`)
	case 'f':
		return s.lit(`false`)
	case 'n':
		return s.lit(`null`)
	}
	return s.number()
}

// number reads a JSON number.
func (s *scanner) number() bool {
	v, i := s.v, s.i
	if i < len(v) && v[i] == '-' {
		i++
	}
	switch {
	case i < len(v) && v[i] == '0':
		i++
	case i < len(v) && '1' <= v[i] && v[i] <= '9':
		i = digits(v, i)
	default:
		return false
	}
	if i < len(v) && v[i] == '.' {
		if j := digits(v, i+1); j > i+1 {
			i = j
		} else {
			return false
		}
	}
	if i < len(v) && (v[i] == 'e' || v[i] == 'E') {
		i++
		if i < len(v) && (v[i] == '+' || v[i] == '-') {
			i++
		}
		j := digits(v, i)
		if j == i {
			return false
		}
		i = j
	}
	s.i = i
	return true
}

// digits returns the index past the digits at v[i].
func digits(v []byte, i int) int {
	for i < len(v) && '0' <= v[i] && v[i] <= '9' {
		i++
	}
	return i
}
