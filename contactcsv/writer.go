package contactcsv

import (
	"encoding/csv"
	"fmt"
	"io"
)

// A Writer writes CSV records that are safe to open in a spreadsheet. It
// writes no byte order mark; write "\xEF\xBB\xBF" to the underlying writer
// first if Excel must recognise the file as UTF-8.
type Writer struct {
	cw    *csv.Writer
	cells []string
}

// NewWriter returns a Writer that writes comma-separated records with
// "\n" line endings to w.
func NewWriter(w io.Writer) *Writer {
	return &Writer{cw: csv.NewWriter(w)}
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
	w.cells = w.cells[:0]
	for _, f := range fields {
		w.cells = append(w.cells, neutralize(f))
	}
	if err := w.cw.Write(w.cells); err != nil {
		return fmt.Errorf("writing CSV record: %w", err)
	}
	return nil
}

// Flush writes any buffered data and reports any error of earlier writes.
func (w *Writer) Flush() error {
	w.cw.Flush()
	if err := w.cw.Error(); err != nil {
		return fmt.Errorf("writing CSV: %w", err)
	}
	return nil
}

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
