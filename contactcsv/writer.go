package contactcsv

import (
	"encoding/csv"
	"io"
)

// Writer writes CSV records with cells that a spreadsheet would run as a
// formula made inert.
type Writer struct {
	w    *csv.Writer
	cell []string
}

// NewWriter returns a Writer to w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: csv.NewWriter(w)} }

// Write writes one record. A cell starting with = + - @ tab or CR gets a
// leading single quote, unless it is a plain number or phone number
// (digits, spaces, and . , ( ) - + only), which no spreadsheet runs.
func (w *Writer) Write(fields []string) error {
	w.cell = w.cell[:0]
	for _, f := range fields {
		w.cell = append(w.cell, Neutralise(f))
	}
	return w.w.Write(w.cell)
}

// Flush writes what is buffered and reports any error of the writes.
func (w *Writer) Flush() error {
	w.w.Flush()
	return w.w.Error()
}

// Neutralise returns s made safe to open in a spreadsheet.
func Neutralise(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		if !numeric(s) {
			return "'" + s
		}
	}
	return s
}

func numeric(s string) bool {
	digits := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case '0' <= c && c <= '9':
			digits = true
		case c == ' ' || c == '.' || c == ',' || c == '(' || c == ')' || c == '-' || c == '+':
		default:
			return false
		}
	}
	return digits
}
