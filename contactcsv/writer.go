package contactcsv

import (
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
)

// A Writer writes CSV records that are safe to open in a spreadsheet. It
// writes no byte order mark; write "\xEF\xBB\xBF" to the underlying writer
// first if Excel must recognise the file as UTF-8.
//
// It writes what encoding/csv's Writer writes (comma-separated, "\n" line
// endings, fields quoted by the same rule; FuzzWriter holds it to that), a
// large buffer at a time, and a good deal faster: an export writes every
// cell of every row through it.
type Writer struct {
	w   io.Writer
	buf []byte
	err error
}

// writerBuffer is how much a Writer gathers before it writes: an HTTP
// response sends each write as one chunk.
const writerBuffer = 64 << 10

// NewWriter returns a Writer that writes comma-separated records with
// "\n" line endings to w.
func NewWriter(w io.Writer) *Writer {
	return &Writer{w: w, buf: make([]byte, 0, writerBuffer+4<<10)}
}

// Write writes one record, quoting as needed. To defeat formula
// injection, a cell that starts with = + - @ tab or carriage return gets a
// leading single quote ('), so "=HYPERLINK(...)" is written as
// "'=HYPERLINK(...)". A cell that starts with + or - and goes on with only
// digits, spaces and . , ( ) - is left alone: numbers such as -12.5 and
// phone numbers such as +44 20 7946 0958 cannot call anything. Reading the
// output back gives the quoted cells with their leading quote.
//
// Records are buffered; call Flush at the end.
func (w *Writer) Write(fields []string) error {
	if w.err != nil {
		return w.err
	}
	for i, f := range fields {
		if i > 0 {
			w.buf = append(w.buf, ',')
		}
		w.buf = appendField(w.buf, neutralize(f))
	}
	w.buf = append(w.buf, '\n')
	if len(w.buf) >= writerBuffer {
		return w.Flush()
	}
	return nil
}

// Flush writes any buffered data and reports any error of earlier writes.
func (w *Writer) Flush() error {
	if w.err == nil && len(w.buf) > 0 {
		if _, err := w.w.Write(w.buf); err != nil {
			w.err = fmt.Errorf("writing CSV: %w", err)
		}
		w.buf = w.buf[:0]
	}
	return w.err
}

// appendField appends f, quoted if it must be.
func appendField(b []byte, f string) []byte {
	if !needsQuotes(f) {
		return append(b, f...)
	}
	b = append(b, '"')
	for {
		i := strings.IndexByte(f, '"')
		if i < 0 {
			break
		}
		b = append(b, f[:i+1]...)
		b = append(b, '"')
		f = f[i+1:]
	}
	b = append(b, f...)
	return append(b, '"')
}

// needsQuotes is encoding/csv's rule: a field with a comma, a quote or a
// line break, one that starts with white space, and \. (an end-of-data
// marker to PostgreSQL) are quoted.
func needsQuotes(f string) bool {
	if f == "" {
		return false
	}
	if f == `\.` {
		return true
	}
	for i := 0; i < len(f); i++ {
		if quoted[f[i]] {
			return true
		}
	}
	if c := f[0]; c < utf8.RuneSelf {
		return c == ' ' || c == '\t' || c == '\v' || c == '\f' // '\n' and '\r' are quoted above
	}
	r, _ := utf8.DecodeRuneInString(f)
	return unicode.IsSpace(r)
}

// quoted marks the bytes that make a field need quotes wherever they are.
var quoted = [256]bool{',': true, '"': true, '\n': true, '\r': true}

// neutralize makes a cell inert for spreadsheets.
func neutralize(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '+', '-':
		if plainNumber(s[1:]) {
			return s
		}
	case '=', '@', '\t', '\r':
	default:
		return s
	}
	return "'" + s
}

// plainNumber reports whether s holds only digits, spaces and . , ( ) -.
func plainNumber(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case '0' <= c && c <= '9', c == ' ', c == '.', c == ',', c == '(', c == ')', c == '-':
		default:
			return false
		}
	}
	return true
}
