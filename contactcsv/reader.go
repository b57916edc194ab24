// Package contactcsv reads uploaded contact lists in CSV form and writes
// the export CSV.
//
// A Reader works on a stream: it examines the first 64 KiB to find the
// encoding (UTF-8, with or without a byte order mark, else Windows-1252)
// and the delimiter (',', ';', tab or '|'), then reads one row at a time
// in bounded memory. It maps loosely named header cells ("E-Mail Address",
// "Surname", "Organisation", ...) to known fields. Problems with a single
// row come back in Row.Err and do not stop reading; only problems with the
// whole file are errors.
//
// A Writer writes CSV that is safe to open in a spreadsheet: cells that
// would start a formula are prefixed with a single quote.
package contactcsv

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// Options bound what a Reader accepts. Zero (or negative) values mean the
// defaults.
type Options struct {
	MaxColumns    int // fields in a record; default 1000
	MaxFieldBytes int // bytes of one field as written, quotes included; default 1 MiB
	MaxRowBytes   int // bytes of one record as written; default 4 MiB
}

func (o Options) withDefaults() Options {
	if o.MaxColumns <= 0 {
		o.MaxColumns = 1000
	}
	if o.MaxFieldBytes <= 0 {
		o.MaxFieldBytes = 1 << 20
	}
	if o.MaxRowBytes <= 0 {
		o.MaxRowBytes = 4 << 20
	}
	return o
}

// Encodings reported by Reader.Encoding.
const (
	encUTF8        = "utf-8"
	encUTF8BOM     = "utf-8-bom"
	encWindows1252 = "windows-1252"
)

// A Reader reads contact rows from CSV input. It is not safe for
// concurrent use.
type Reader struct {
	p         *parser
	opt       Options
	header    []string
	cols      *columns
	enc       string
	delim     byte
	checkUTF8 bool
	rows      int
	err       error // sticky error of Next
}

// NewReader examines the start of r and reads the header row. It returns
// an error wrapping ErrEmpty, ErrBinary, ErrUTF16, ErrNoHeader,
// ErrTooManyColumns or ErrNoEmailColumn when the input cannot be a usable
// contacts CSV, or the error of r. A file with a header and no rows is
// fine: Next returns io.EOF at once.
//
// If the first 64 KiB are valid UTF-8 the input is read as UTF-8, and a
// later field that is not valid UTF-8 makes its row fail; otherwise the
// whole input is decoded as Windows-1252. A UTF-8 byte order mark is
// removed. Lines may end in "\n", "\r\n" or, in old Mac files, "\r". A
// first line "sep=X", which Excel may write, sets the delimiter and is
// skipped.
func NewReader(r io.Reader, opt Options) (*Reader, error) {
	opt = opt.withDefaults()
	br := bufio.NewReaderSize(r, sniffSize)
	prefix, err := br.Peek(sniffSize)
	atEOF := len(prefix) < sniffSize
	if err != nil && err != io.EOF {
		return nil, fmt.Errorf("reading the file: %w", err)
	}
	if len(prefix) == 0 {
		return nil, ErrEmpty
	}
	if err := checkBinary(prefix); err != nil {
		return nil, err
	}
	rd := &Reader{opt: opt, enc: encUTF8, checkUTF8: true}
	if len(prefix) >= 3 && string(prefix[:3]) == "\xEF\xBB\xBF" {
		rd.enc = encUTF8BOM
		if _, err := br.Discard(3); err != nil {
			return nil, fmt.Errorf("reading the file: %w", err)
		}
		prefix, _ = br.Peek(len(prefix) - 3)
	} else if !validUTF8Prefix(prefix, atEOF) {
		rd.enc = encWindows1252
		rd.checkUTF8 = false
	}
	// Excel may write "sep=;" as a first line to name the delimiter.
	sep, sepLen := excelSep(prefix)
	if sepLen > 0 {
		if _, err := br.Discard(sepLen); err != nil {
			return nil, fmt.Errorf("reading the file: %w", err)
		}
		prefix, _ = br.Peek(len(prefix) - sepLen)
	}
	if atEOF && onlySpace(prefix) {
		return nil, ErrEmpty
	}

	sniff := prefix
	var src io.Reader = br
	if rd.enc == encWindows1252 {
		src = charmap.Windows1252.NewDecoder().Reader(src)
	}
	if bytes.IndexByte(prefix, '\n') < 0 && bytes.IndexByte(prefix, '\r') >= 0 {
		// Lines end in a lone CR (classic Mac OS): read CRs as LFs.
		src = crToLF{src}
		sniff = bytes.ReplaceAll(prefix, []byte("\r"), []byte("\n"))
	}
	rd.delim = sep
	if sepLen == 0 {
		rd.delim = sniffDelimiter(sniff, atEOF, opt)
	}
	if src != io.Reader(br) {
		br = bufio.NewReaderSize(src, sniffSize)
	}
	rd.p = newParser(br, rd.delim, opt)
	if sepLen > 0 {
		rd.p.sp.line = 2 // the header follows the sep= line
	}
	if err := rd.readHeader(); err != nil {
		return nil, err
	}
	return rd, nil
}

// crToLF turns every '\r' into '\n'.
type crToLF struct{ r io.Reader }

func (c crToLF) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	for i, b := range p[:n] {
		if b == '\r' {
			p[i] = '\n'
		}
	}
	return n, err
}

func (r *Reader) readHeader() error {
	fields, perr, err := r.p.next()
	rec := &r.p.rec
	switch {
	case err == io.EOF:
		return ErrEmpty
	case err != nil:
		return fmt.Errorf("reading the header: %w", err)
	case rec.problem == tooManyFields:
		return fmt.Errorf("%w: the header has %d columns, at most %d are allowed", ErrTooManyColumns, rec.fields, r.opt.MaxColumns)
	case rec.problem == fieldTooLong:
		return fmt.Errorf("%w: line %d: a header cell is longer than %d bytes", ErrNoHeader, rec.line, r.opt.MaxFieldBytes)
	case rec.problem == rowTooLong:
		return fmt.Errorf("%w: line %d: the header is longer than %d bytes", ErrNoHeader, rec.line, r.opt.MaxRowBytes)
	case rec.unclosed:
		return fmt.Errorf("%w: line %d: a quoted header cell is never closed", ErrNoHeader, rec.line)
	case perr != nil:
		return fmt.Errorf("%w: line %d: %v", ErrNoHeader, rec.line, reason(perr))
	}
	r.header = make([]string, len(fields))
	empty := true
	for i, f := range fields {
		h := strings.TrimSpace(strings.ReplaceAll(strings.ToValidUTF8(f, "\uFFFD"), "\uFEFF", ""))
		r.header[i] = h
		empty = empty && h == ""
	}
	if empty {
		return fmt.Errorf("%w: line %d: all header cells are empty", ErrNoHeader, rec.line)
	}
	r.cols = mapColumns(r.header)
	if r.cols[Email] < 0 {
		return fmt.Errorf("%w: the header is %s; name one column \"email\"", ErrNoEmailColumn, quoteList(r.header))
	}
	return nil
}

// quoteList formats a header for an error message, within bounds.
func quoteList(header []string) string {
	const maxCells, maxLen = 20, 40
	var b strings.Builder
	for i, h := range header {
		if i == maxCells {
			fmt.Fprintf(&b, " ... (%d columns)", len(header))
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		if len(h) > maxLen {
			h = strings.ToValidUTF8(h[:maxLen], "") + "..."
		}
		b.WriteString(strconv.Quote(h))
	}
	return b.String()
}

// reason turns a parse error of encoding/csv into a RowError reason.
func reason(perr error) string {
	var pe interface{ Unwrap() error }
	if errors.As(perr, &pe) && pe.Unwrap() != nil {
		return pe.Unwrap().Error()
	}
	return perr.Error()
}

// Header returns the header cells, trimmed of white space and byte order
// marks. Data rows without error have exactly this many fields.
func (r *Reader) Header() []string { return append([]string(nil), r.header...) }

// Column returns the index of the first column that maps to f, or -1.
func (r *Reader) Column(f Field) int {
	if f < 0 || f >= numFields {
		return -1
	}
	return r.cols[f]
}

// Encoding returns "utf-8", "utf-8-bom" or "windows-1252".
func (r *Reader) Encoding() string { return r.enc }

// Delimiter returns the field delimiter found in the input.
func (r *Reader) Delimiter() rune { return rune(r.delim) }

// A Row is one data row.
type Row struct {
	Number int       // data row number; 1 is the first row after the header
	Line   int       // line where the row starts; the header is on line 1 unless blank lines precede it
	Fields []string  // values as written (see Next); len(Fields) == len(Header()) when Err is nil
	Err    *RowError // nil when the row is well-formed

	cols *columns
}

// Get returns the value of a known field with surrounding white space
// removed, or "" if the column is absent or the row is short. Without a
// first or last name column, FirstName and LastName come from the full
// name split at its last space ("Mary Ann Smith" gives "Mary Ann" and
// "Smith"; a single word is a first name); without a full name column,
// FullName joins first and last name.
func (r Row) Get(f Field) string {
	if r.cols == nil || f < 0 || f >= numFields {
		return ""
	}
	if r.cols[f] < 0 {
		switch f {
		case FirstName, LastName:
			if r.cols[FullName] < 0 {
				return ""
			}
			first, last := splitName(r.value(FullName))
			if f == FirstName {
				return first
			}
			return last
		case FullName:
			return strings.TrimSpace(r.value(FirstName) + " " + r.value(LastName))
		}
	}
	return r.value(f)
}

func (r Row) value(f Field) string {
	if i := r.cols[f]; i >= 0 && i < len(r.Fields) {
		return strings.TrimSpace(r.Fields[i])
	}
	return ""
}

// Next returns the next data row, or io.EOF after the last one. A row
// with a problem (bad quoting, wrong field count, a broken limit, invalid
// UTF-8 or a NUL byte) is returned with Err set, and reading goes on; its
// Fields may be partial or nil. Invalid UTF-8 and NUL bytes in Fields are
// replaced by U+FFFD (and the row fails), so Fields is always valid UTF-8
// without NUL bytes. Blank lines and rows whose fields are all
// empty are skipped and not numbered. A row with more fields than the
// header is accepted, cut to the header's width, if the extra fields are
// empty; otherwise it fails. A shorter row is padded with empty fields,
// and fails only if it lacks the email column.
//
// Any other error is fatal, and Next keeps returning it: the source
// failed, or a quoted field opened on one line runs to the end of the
// input (ErrUnclosedQuote).
func (r *Reader) Next() (Row, error) {
	for r.err == nil {
		row, ok := r.next()
		if ok {
			return row, nil
		}
	}
	return Row{}, r.err
}

// next reads one record. It reports false if the record was skipped or an
// error was recorded in r.err.
func (r *Reader) next() (Row, bool) {
	fields, perr, err := r.p.next()
	rec := &r.p.rec
	if err != nil {
		if err != io.EOF {
			err = fmt.Errorf("reading line %d: %w", r.p.sp.line, err)
		}
		r.err = err
		return Row{}, false
	}
	if rec.unclosed && rec.lines > 1 {
		r.err = fmt.Errorf("line %d: %w: the rest of the file (%d lines) would be part of one field", rec.line, ErrUnclosedQuote, rec.lines)
		return Row{}, false
	}
	if fields != nil && perr == nil && allEmpty(fields) {
		return Row{}, false
	}
	r.rows++
	row := Row{Number: r.rows, Line: rec.line, cols: r.cols}
	fail := func(col int, format string, args ...any) (Row, bool) {
		e := &RowError{Row: row.Number, Line: row.Line, Reason: fmt.Sprintf(format, args...)}
		if col >= 0 {
			if col < len(r.header) && r.header[col] != "" {
				e.Column = r.header[col]
			} else {
				e.Reason = fmt.Sprintf("field %d: %s", col+1, e.Reason)
			}
		}
		row.Err = e
		return row, true
	}
	switch {
	case rec.problem == fieldTooLong:
		return fail(rec.problemCol, "value is longer than %d bytes", r.opt.MaxFieldBytes)
	case rec.problem == rowTooLong:
		return fail(-1, "row is longer than %d bytes", r.opt.MaxRowBytes)
	case rec.problem == tooManyFields:
		return fail(-1, "has %d fields, at most %d are allowed", rec.fields, r.opt.MaxColumns)
	case rec.unclosed:
		return fail(rec.fields-1, "quoted field is not closed")
	case perr != nil:
		row.Fields = append([]string(nil), fields...)
		r.clean(&row)
		return fail(rec.quoteErrCol, "%s", reason(perr))
	}

	h := len(r.header)
	row.Fields = make([]string, max(h, len(fields)))
	copy(row.Fields, fields)
	if !r.recordClean() {
		if col, why := r.clean(&row); col >= 0 {
			return fail(col, "%s", why)
		}
	}
	if len(fields) > h {
		if !allEmpty(fields[h:]) {
			return fail(-1, "has %d fields, header has %d", len(fields), h)
		}
		row.Fields = row.Fields[:h]
	}
	if e := r.cols[Email]; e >= len(fields) {
		return fail(e, "missing: the row has %d fields, header has %d", len(fields), h)
	}
	return row, true
}

// recordClean reports whether the record just read is valid UTF-8 (when
// that is checked) without NUL bytes, and so are its fields: they are
// pieces of it cut at ASCII bytes, which no UTF-8 sequence holds. One look
// at the record is cheaper than one at each field.
func (r *Reader) recordClean() bool {
	d := r.p.rec.data
	return (!r.checkUTF8 || utf8.Valid(d)) && bytes.IndexByte(d, 0) < 0
}

// clean replaces invalid UTF-8 and NUL bytes in the row's fields with
// U+FFFD, so that Fields is always safe to store. It returns the index of
// the first field it changed and why, or -1.
func (r *Reader) clean(row *Row) (int, string) {
	col, why := -1, ""
	for i, f := range row.Fields {
		bad := ""
		switch {
		case r.checkUTF8 && !utf8.ValidString(f):
			bad = "invalid UTF-8"
		case strings.IndexByte(f, 0) >= 0:
			bad = "contains a NUL byte"
		default:
			continue
		}
		row.Fields[i] = strings.ReplaceAll(strings.ToValidUTF8(f, "\uFFFD"), "\x00", "\uFFFD")
		if col < 0 {
			col, why = i, bad
		}
	}
	return col, why
}

func allEmpty(fields []string) bool {
	for _, f := range fields {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}
