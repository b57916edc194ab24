package contactcsv

import (
	"errors"
	"fmt"
)

// Errors that make a whole file unreadable. NewReader and Reader.Next wrap
// them with detail, so test for them with errors.Is. Their messages are
// written to be shown to the person who uploaded the file.
var (
	// ErrEmpty means the file has no bytes, or only whitespace.
	ErrEmpty = errors.New("the file is empty")
	// ErrNoHeader means the first row cannot serve as a header, for
	// example because all its cells are empty.
	ErrNoHeader = errors.New("no usable header row")
	// ErrBinary means the file is not CSV text: it holds NUL bytes, or it
	// starts like a ZIP, Excel, gzip, PDF or image file, or like HTML, XML
	// or JSON text.
	ErrBinary = errors.New("not a CSV text file")
	// ErrUTF16 means the file starts with a UTF-16 byte order mark, or
	// looks like UTF-16 text without one.
	ErrUTF16 = errors.New(`UTF-16 text is not supported: save the file as "CSV UTF-8"`)
	// ErrTooManyColumns means the header has more columns than
	// Options.MaxColumns.
	ErrTooManyColumns = errors.New("too many columns")
	// ErrNoEmailColumn means no header cell names an email column.
	ErrNoEmailColumn = errors.New("no email column")
	// ErrUnclosedQuote means a quoted field opened on some row is never
	// closed, so the rest of the file cannot be split into rows.
	ErrUnclosedQuote = errors.New("a quoted field is never closed")
)

// A RowError describes what is wrong with one data row. Reading goes on
// with the next row.
type RowError struct {
	Row    int    // data row number, as in Row.Number
	Line   int    // line where the row starts, as in Row.Line
	Column string // header name of the offending column, or ""
	Reason string // what is wrong, for people
}

// Error returns the error as, for example,
// `row 12 (line 14), column "Email": invalid UTF-8`.
func (e *RowError) Error() string {
	if e.Column != "" {
		return fmt.Sprintf("row %d (line %d), column %q: %s", e.Row, e.Line, e.Column, e.Reason)
	}
	return fmt.Sprintf("row %d (line %d): %s", e.Row, e.Line, e.Reason)
}
