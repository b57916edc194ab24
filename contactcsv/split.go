package contactcsv

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strings"
)

// encoding/csv reads a whole record into memory before it looks at it, so
// a 10 MB line, or an unclosed quote near the top of a large file, would be
// buffered whole. The splitter therefore finds record boundaries itself,
// with a byte-level state machine that follows the quoting rules of
// encoding/csv (LazyQuotes off). It keeps at most MaxRowBytes of a record;
// a record over a limit is scanned to its end and dropped. Each record
// with quotes that passes is then handed alone to a csv.Reader; one
// without is cut at its delimiters (parser.split).

// problem is a limit a record broke.
type problem uint8

const (
	noProblem problem = iota
	fieldTooLong
	rowTooLong
	tooManyFields
)

// splitState is where the splitter is within a record.
type splitState uint8

const (
	stFieldStart splitState = iota // at the start of a field
	stUnquoted                     // inside an unquoted field
	stQuoted                       // inside a quoted field
	stQuote                        // just after a quote inside a quoted field
	stQuoteCR                      // after a closing quote and a '\r'
	stSkipLine                     // after a quoting error: rest of the line is lost
)

// rawRecord is one record as found by the splitter.
type rawRecord struct {
	data        []byte  // the record's bytes, ending in '\n'; nil if it broke a limit
	line        int     // line where the record starts
	lines       int     // physical lines the record spans
	fields      int     // number of fields
	problem     problem // first limit broken
	problemCol  int     // field index the problem concerns, -1 if none
	quoteErrCol int     // field index of a quoting error, -1 if none
	unclosed    bool    // the input ended inside a quoted field
	atEOF       bool    // the record was ended by the end of input, not by '\n'
	blank       bool    // the record holds only white space
	quoted      bool    // the record has a quote character
}

type splitter struct {
	src      *bufio.Reader
	delim    byte
	maxField int
	maxRow   int
	maxCols  int
	line     int       // line of the next unread byte
	stop     [256]bool // bytes that may end an unquoted field
	buf      []byte
	slow     bool // never take a line whole (see wholeLine); for tests
}

// next reads the next record that is not blank. It returns io.EOF at the
// end of input and any other error of the source as is.
func (s *splitter) next(rec *rawRecord) error {
	for {
		if err := s.scan(rec); err != nil {
			return err
		}
		if !rec.blank {
			return nil
		}
	}
}

func (s *splitter) scan(rec *rawRecord) error {
	*rec = rawRecord{line: s.line, fields: 1, problemCol: -1, quoteErrCol: -1}
	if cap(s.buf) > 1<<20 {
		s.buf = nil // do not pin the memory of one huge row
	}
	s.buf = s.buf[:0]
	if !s.slow && s.wholeLine(rec) {
		return nil
	}
	var (
		st         = stFieldStart
		rowBytes   int
		fieldBytes int
		blank      = true
		done       bool
		last       byte
	)
	for !done {
		if s.src.Buffered() == 0 {
			if _, err := s.src.Peek(1); err != nil {
				if err != io.EOF {
					return err
				}
				if rowBytes == 0 {
					return io.EOF
				}
				rec.atEOF = true
				rec.unclosed = st == stQuoted
				break
			}
		}
		chunk, _ := s.src.Peek(s.src.Buffered())
		n := 0
		for n < len(chunk) && !done {
			// Fast path: a run of bytes that leaves the state as it is.
			if run := s.run(st, chunk[n:]); len(run) > 0 {
				if blank {
					blank = onlySpace(run)
				}
				if st != stUnquoted { // an unquoted field ends at a newline
					s.line += bytes.Count(run, newline)
				}
				n += len(run)
				rowBytes += len(run)
				fieldBytes += len(run)
				last = run[len(run)-1]
				s.checkLimits(rec, rowBytes, fieldBytes)
				continue
			}
			c := chunk[n]
			last = c
			n++
			rowBytes++
			fieldBytes++
			switch c {
			case '\n':
				s.line++
			case ' ', '\t', '\r', '\v', '\f':
			case '"':
				rec.quoted = true
				blank = false
			default:
				blank = false
			}
			switch st {
			case stFieldStart, stUnquoted:
				switch c {
				case s.delim:
					st = stFieldStart
					fieldBytes = 0
					rec.fields++
				case '\n':
					done = true
				case '"':
					if st == stFieldStart {
						st = stQuoted
					} else {
						st = stSkipLine // bare quote
						rec.quoteErrCol = rec.fields - 1
					}
				default:
					st = stUnquoted
				}
			case stQuoted:
				if c == '"' {
					st = stQuote
				}
			case stQuote:
				switch c {
				case '"':
					st = stQuoted // doubled quote
				case s.delim:
					st = stFieldStart
					fieldBytes = 0
					rec.fields++
				case '\n':
					done = true
				case '\r':
					st = stQuoteCR
				default:
					st = stSkipLine // text after a closing quote
					rec.quoteErrCol = rec.fields - 1
				}
			case stQuoteCR:
				if c == '\n' {
					done = true
				} else {
					st = stSkipLine
					rec.quoteErrCol = rec.fields - 1
				}
			case stSkipLine:
				if c == '\n' {
					done = true
				}
			}
			if !done {
				s.checkLimits(rec, rowBytes, fieldBytes)
			}
		}
		if rec.problem == noProblem {
			s.buf = append(s.buf, chunk[:n]...)
		}
		if _, err := s.src.Discard(n); err != nil {
			return err
		}
	}
	rec.lines = s.line - rec.line
	if last != '\n' {
		rec.lines++
	}
	rec.blank = blank
	if rec.problem == noProblem {
		if s.buf[len(s.buf)-1] != '\n' {
			s.buf = append(s.buf, '\n')
		}
		rec.data = s.buf
	}
	return nil
}

var newline = []byte{'\n'}

// wholeLine takes the next record when it is a line without quotes that
// breaks no limit and is already buffered, as most records are, in a few
// searches instead of the state machine, to the same effect. It reports
// false, having taken nothing, for any other record.
func (s *splitter) wholeLine(rec *rawRecord) bool {
	chunk, _ := s.src.Peek(s.src.Buffered())
	end := bytes.IndexByte(chunk, '\n')
	if end < 0 || end > s.maxRow || bytes.IndexByte(chunk[:end], '"') >= 0 {
		return false
	}
	line := chunk[:end]
	fields := 1 + bytes.Count(line, []byte{s.delim})
	if fields > s.maxCols {
		return false
	}
	if end > s.maxField { // a field may be too long
		for rest := line; ; {
			i := bytes.IndexByte(rest, s.delim)
			if i < 0 {
				i = len(rest)
			}
			if i > s.maxField {
				return false
			}
			if i == len(rest) {
				break
			}
			rest = rest[i+1:]
		}
	}
	s.buf = append(s.buf, chunk[:end+1]...)
	rec.data, rec.lines, rec.fields, rec.blank = s.buf, 1, fields, onlySpace(line)
	s.line++
	_, _ = s.src.Discard(end + 1) // buffered: cannot fail
	return true
}

// run returns the longest prefix of p that cannot change state st.
func (s *splitter) run(st splitState, p []byte) []byte {
	switch st {
	case stQuoted:
		if i := bytes.IndexByte(p, '"'); i >= 0 {
			return p[:i]
		}
		return p
	case stSkipLine:
		if i := bytes.IndexByte(p, '\n'); i >= 0 {
			return p[:i]
		}
		return p
	case stUnquoted:
		i := 0
		for i < len(p) && !s.stop[p[i]] {
			i++
		}
		return p[:i]
	}
	return nil
}

// checkLimits records the first limit the record breaks.
func (s *splitter) checkLimits(rec *rawRecord, rowBytes, fieldBytes int) {
	if rec.problem != noProblem {
		return
	}
	switch {
	case fieldBytes > s.maxField:
		rec.problem, rec.problemCol = fieldTooLong, rec.fields-1
	case rowBytes > s.maxRow:
		rec.problem = rowTooLong
	case rec.fields > s.maxCols:
		rec.problem = tooManyFields
	default:
		return
	}
	s.buf = s.buf[:0]
}

// feeder serves one record at a time to a csv.Reader.
type feeder struct {
	data []byte
	fed  int64
}

func (f *feeder) Read(p []byte) (int, error) {
	if len(f.data) == 0 {
		return 0, io.EOF
	}
	n := copy(p, f.data)
	f.data = f.data[n:]
	f.fed += int64(n)
	return n, nil
}

// errMalformed stands in for a parse error when the splitter and
// encoding/csv disagree about a record, which should not happen.
var errMalformed = errors.New("malformed row")

// parser reads records: the splitter frames them, encoding/csv parses
// those with quotes, and a record without any is cut at its delimiters.
type parser struct {
	sp         splitter
	fd         feeder
	cr         *csv.Reader
	rec        rawRecord
	fields     []string // of the last record cut without encoding/csv
	mismatches int      // times splitter and csv.Reader disagreed; for tests
}

func newParser(src *bufio.Reader, delim byte, opt Options) *parser {
	p := &parser{sp: splitter{
		src:      src,
		delim:    delim,
		maxField: opt.MaxFieldBytes,
		maxRow:   opt.MaxRowBytes,
		maxCols:  opt.MaxColumns,
		line:     1,
	}}
	for _, c := range []byte{delim, '\n', '"'} {
		p.sp.stop[c] = true
	}
	p.resetCSV()
	return p
}

func (p *parser) resetCSV() {
	p.fd = feeder{}
	p.cr = csv.NewReader(&p.fd)
	p.cr.Comma = rune(p.sp.delim)
	p.cr.FieldsPerRecord = -1
	p.cr.ReuseRecord = true
}

// next reads the next record that is not blank; p.rec describes it. It
// returns io.EOF at the end of input, or the error of the source. fields
// is nil when the record broke a limit or ends inside a quoted field;
// fields are only valid until the next call. perr is the parse error of
// encoding/csv for the record (a *csv.ParseError) or nil.
func (p *parser) next() (fields []string, perr error, err error) {
	if err := p.sp.next(&p.rec); err != nil {
		return nil, nil, err
	}
	if p.rec.data == nil || p.rec.unclosed {
		return nil, nil, nil
	}
	if !p.rec.quoted {
		return p.split(p.rec.data), nil, nil
	}
	p.fd.data = p.rec.data
	fields, perr = p.cr.Read()
	if p.cr.InputOffset() != p.fd.fed || perr == io.EOF {
		// csv.Reader did not consume exactly this record: start afresh
		// so that the next record is not mixed up with this one.
		p.mismatches++
		p.resetCSV()
		if perr == nil || perr == io.EOF {
			perr = errMalformed
		}
	} else if (perr != nil) != (p.rec.quoteErrCol >= 0) {
		p.mismatches++
	}
	return fields, perr, nil
}

// split cuts a record without quotes, as the splitter frames it, into its
// fields as encoding/csv would: at each delimiter, the line's end ("\n" or
// "\r\n") left out, each field a slice of one string. Most rows of most
// files have no quotes, and this spares them encoding/csv's machinery.
func (p *parser) split(data []byte) []string {
	data = data[:len(data)-1]
	if n := len(data); n > 0 && data[n-1] == '\r' {
		data = data[:n-1]
	}
	line := string(data)
	p.fields = p.fields[:0]
	for {
		i := strings.IndexByte(line, p.sp.delim)
		if i < 0 {
			p.fields = append(p.fields, line)
			return p.fields
		}
		p.fields = append(p.fields, line[:i])
		line = line[i+1:]
	}
}
