// Package contactcsv reads uploaded contact files as a stream and writes
// the enriched export. Reading copes with what spreadsheets produce: a BOM,
// Windows-1252 text, comma, semicolon, tab or pipe delimiters, quoted
// fields with newlines, and loosely named headers. A bad row is reported
// on its own and reading goes on; only a file that is no CSV at all stops.
package contactcsv

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// Errors for a file that cannot be read as contacts at all.
var (
	ErrEmpty          = errors.New("the file is empty")
	ErrNoHeader       = errors.New("the file has no header row")
	ErrBinary         = errors.New("not a CSV text file")
	ErrTooManyColumns = errors.New("too many columns")
	ErrNoEmailColumn  = errors.New("no email column")
	ErrRowTooLong     = errors.New("row too long")
)

// Options bound what a reader accepts. Zero values mean the defaults.
type Options struct {
	MaxColumns    int // columns in the header; default 1000
	MaxFieldBytes int // bytes in one value; default 1 MiB
	MaxRowBytes   int // bytes in one row; default 4 MiB
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

// sniffSize is how much of the file is looked at to judge its kind.
const sniffSize = 64 << 10

// Reader reads contacts from a CSV file, one row at a time.
type Reader struct {
	opt       Options
	csv       *csv.Reader
	limit     *limitReader
	header    []string
	columns   [numFields]int
	encoding  string
	delimiter rune
	rows      int
}

// NewReader reads the header of a contacts file and returns a reader of its
// rows. It fails with ErrEmpty, ErrNoHeader, ErrBinary, ErrTooManyColumns
// or ErrNoEmailColumn (wrapped, with details) when the file cannot be read
// as contacts.
func NewReader(r io.Reader, opt Options) (*Reader, error) {
	opt = opt.withDefaults()
	br := bufio.NewReaderSize(r, sniffSize)
	prefix, err := br.Peek(sniffSize)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, fmt.Errorf("read the file: %w", err)
	}
	if len(bytes.TrimSpace(prefix)) == 0 {
		return nil, ErrEmpty
	}
	if err := checkText(prefix); err != nil {
		return nil, err
	}
	rd := &Reader{opt: opt, encoding: "utf-8"}
	var src io.Reader = br
	if bytes.HasPrefix(prefix, []byte("\xEF\xBB\xBF")) {
		_, _ = br.Discard(3)
		prefix = prefix[3:]
		rd.encoding = "utf-8-bom"
	}
	if !validUTF8Prefix(prefix, len(prefix) == sniffSize) {
		rd.encoding = "windows-1252"
		src = charmap.Windows1252.NewDecoder().Reader(br)
	}
	rd.delimiter = sniffDelimiter(prefix)
	rd.limit = &limitReader{r: src, max: opt.MaxRowBytes}
	rd.csv = csv.NewReader(rd.limit)
	rd.csv.Comma = rd.delimiter
	rd.csv.FieldsPerRecord = -1
	rd.csv.ReuseRecord = true

	rec, err := rd.csv.Read()
	if errors.Is(err, io.EOF) {
		return nil, ErrEmpty
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNoHeader, rd.explain(err))
	}
	if len(rec) > opt.MaxColumns {
		return nil, fmt.Errorf("%w: the header has %d columns, the limit is %d", ErrTooManyColumns, len(rec), opt.MaxColumns)
	}
	rd.header = make([]string, len(rec))
	empty := true
	for i, h := range rec {
		rd.header[i] = strings.TrimSpace(strings.ToValidUTF8(h, "\uFFFD"))
		empty = empty && rd.header[i] == ""
	}
	if empty {
		return nil, ErrNoHeader
	}
	rd.columns = mapHeader(rd.header)
	if rd.columns[Email] < 0 {
		return nil, fmt.Errorf("%w: none of the columns %q is an email address column (name one email, e-mail or email address)", ErrNoEmailColumn, rd.header)
	}
	return rd, nil
}

// checkText refuses what is plainly not a text file.
func checkText(prefix []byte) error {
	magic := []struct{ sig, what string }{
		{"PK\x03\x04", "a ZIP archive (an Excel .xlsx?)"},
		{"\xD0\xCF\x11\xE0", "an old Excel .xls file"},
		{"\x1F\x8B", "a gzip archive"},
		{"%PDF", "a PDF document"},
		{"\xFF\xFE", "UTF-16 text; save it as UTF-8"},
		{"\xFE\xFF", "UTF-16 text; save it as UTF-8"},
	}
	for _, m := range magic {
		if bytes.HasPrefix(prefix, []byte(m.sig)) {
			return fmt.Errorf("%w: it looks like %s", ErrBinary, m.what)
		}
	}
	if bytes.IndexByte(prefix, 0) >= 0 {
		return fmt.Errorf("%w: it contains NUL bytes", ErrBinary)
	}
	return nil
}

// validUTF8Prefix reports whether p is UTF-8, allowing a rune cut off at
// the end when p is only the start of the file.
func validUTF8Prefix(p []byte, cut bool) bool {
	if cut {
		for i := 0; i < utf8.UTFMax-1 && len(p) > 0; i++ {
			if r, _ := utf8.DecodeLastRune(p); r != utf8.RuneError {
				break
			}
			p = p[:len(p)-1]
		}
	}
	return utf8.Valid(p)
}

// sniffDelimiter picks the delimiter that splits the first lines of the
// file into the same number (more than one) of fields most often.
func sniffDelimiter(prefix []byte) rune {
	best, bestScore := ',', 0
	for _, d := range []rune{',', ';', '\t', '|'} {
		counts := fieldCounts(prefix, byte(d), 20)
		if len(counts) == 0 || counts[0] < 2 {
			continue
		}
		score := 0
		for _, c := range counts {
			if c == counts[0] {
				score++
			}
		}
		if score > bestScore {
			best, bestScore = d, score
		}
	}
	return best
}

// fieldCounts counts the fields of up to n records in p, minding quotes.
func fieldCounts(p []byte, d byte, n int) []int {
	var counts []int
	fields, quoted := 1, false
	for i := 0; i < len(p) && len(counts) < n; i++ {
		switch c := p[i]; {
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == d:
			fields++
		case c == '\n':
			counts = append(counts, fields)
			fields = 1
		}
	}
	return counts
}

// Header is the header row as written, trimmed.
func (r *Reader) Header() []string { return r.header }

// Column is the index of the column of a known field, or -1.
func (r *Reader) Column(f Field) int { return r.columns[f] }

// Encoding is "utf-8", "utf-8-bom" or "windows-1252".
func (r *Reader) Encoding() string { return r.encoding }

// Delimiter is the field delimiter found.
func (r *Reader) Delimiter() rune { return r.delimiter }

// Row is one data row.
type Row struct {
	Number int       // data row number, 1 = the first row after the header
	Line   int       // line of the file where the row starts
	Fields []string  // the values in header order (longer rows keep theirs)
	Err    *RowError // why the row is not well-formed, or nil
	cols   *[numFields]int
}

// RowError says what is wrong with one row.
type RowError struct {
	Row, Line int
	Column    string // the column's header, or "" for the whole row
	Reason    string
}

func (e *RowError) Error() string {
	if e.Column != "" {
		return fmt.Sprintf("row %d (line %d), column %q: %s", e.Row, e.Line, e.Column, e.Reason)
	}
	return fmt.Sprintf("row %d (line %d): %s", e.Row, e.Line, e.Reason)
}

// Get is the trimmed value of a known field, or "". Without first and last
// name columns, they come from a full-name column split at its last space.
func (r Row) Get(f Field) string {
	if r.cols == nil {
		return ""
	}
	get := func(f Field) string {
		if i := r.cols[f]; i >= 0 && i < len(r.Fields) {
			return strings.TrimSpace(r.Fields[i])
		}
		return ""
	}
	if (f == FirstName || f == LastName) && r.cols[FirstName] < 0 && r.cols[LastName] < 0 {
		full := get(FullName)
		i := strings.LastIndexByte(full, ' ')
		if i < 0 {
			if f == FirstName {
				return full
			}
			return ""
		}
		if f == FirstName {
			return strings.TrimSpace(full[:i])
		}
		return full[i+1:]
	}
	return get(f)
}

// Next returns the next row, or io.EOF after the last. Rows that are not
// well-formed come back with Err set, and reading goes on; an error is
// returned only when the rest of the file cannot be read.
func (r *Reader) Next() (Row, error) {
	for {
		r.limit.reset()
		rec, err := r.csv.Read()
		if errors.Is(err, io.EOF) {
			return Row{}, io.EOF
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) && (errors.Is(pe.Err, csv.ErrBareQuote) || errors.Is(pe.Err, csv.ErrQuote)) {
			r.rows++
			return Row{Number: r.rows, Line: pe.StartLine, Fields: []string{}, cols: &r.columns,
				Err: &RowError{Row: r.rows, Line: pe.StartLine, Reason: fmt.Sprintf("malformed quotes at line %d column %d", pe.Line, pe.Column)}}, nil
		}
		if err != nil {
			return Row{}, fmt.Errorf("after row %d: %w", r.rows, r.explain(err))
		}
		if blank(rec) {
			continue
		}
		r.rows++
		line, _ := r.csv.FieldPos(0)
		row := Row{Number: r.rows, Line: line, Fields: make([]string, max(len(rec), len(r.header))), cols: &r.columns}
		for i, v := range rec {
			row.Fields[i] = r.clean(&row, i, v)
		}
		switch {
		case len(rec) > len(r.header):
			row.fail("", fmt.Sprintf("has %d fields, the header has %d", len(rec), len(r.header)))
		case len(rec) <= r.columns[Email]:
			row.fail("", fmt.Sprintf("has %d fields, the header has %d: the email column is missing", len(rec), len(r.header)))
		}
		return row, nil
	}
}

// clean returns value v of column i fit to store, noting in row what had
// to be mended.
func (r *Reader) clean(row *Row, i int, v string) string {
	if !utf8.ValidString(v) {
		row.fail(r.columnName(i), "invalid UTF-8")
		v = strings.ToValidUTF8(v, "\uFFFD")
	}
	if strings.IndexByte(v, 0) >= 0 {
		row.fail(r.columnName(i), "contains a NUL byte")
		v = strings.ReplaceAll(v, "\x00", "\uFFFD")
	}
	if len(v) > r.opt.MaxFieldBytes {
		row.fail(r.columnName(i), fmt.Sprintf("value longer than %d bytes", r.opt.MaxFieldBytes))
		v = strings.ToValidUTF8(v[:r.opt.MaxFieldBytes], "")
	}
	return v
}

func (r *Reader) columnName(i int) string {
	if i < len(r.header) && r.header[i] != "" {
		return r.header[i]
	}
	return fmt.Sprintf("#%d", i+1)
}

// fail records the first problem of a row.
func (row *Row) fail(column, reason string) {
	if row.Err == nil {
		row.Err = &RowError{Row: row.Number, Line: row.Line, Column: column, Reason: reason}
	}
}

func (r *Reader) explain(err error) error {
	if errors.Is(err, ErrRowTooLong) {
		return fmt.Errorf("%w: a row is longer than %d bytes (an unclosed quote?)", ErrRowTooLong, r.opt.MaxRowBytes)
	}
	return err
}

func blank(rec []string) bool {
	for _, v := range rec {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}

// limitReader fails a read once more than max bytes were read since the
// last reset, so one endless row cannot fill memory.
type limitReader struct {
	r    io.Reader
	max  int
	read int
}

func (l *limitReader) reset() { l.read = 0 }

func (l *limitReader) Read(p []byte) (int, error) {
	if l.read > l.max {
		return 0, ErrRowTooLong
	}
	n, err := l.r.Read(p)
	l.read += n
	return n, err
}
