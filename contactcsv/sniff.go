package contactcsv

import (
	"bufio"
	"bytes"
	"fmt"
	"unicode/utf8"
)

// sniffSize is how much of the input is examined before reading starts.
const sniffSize = 64 << 10

// magics are file signatures that people upload by mistake.
var magics = []struct{ sig, what string }{
	{"PK\x03\x04", "a ZIP archive (an Excel .xlsx?)"},
	{"PK\x05\x06", "a ZIP archive (an Excel .xlsx?)"},
	{"PK\x07\x08", "a ZIP archive (an Excel .xlsx?)"},
	{"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", "an old Excel .xls (or other Office) file"},
	{"\x1F\x8B", "a gzip-compressed file"},
	{"%PDF-", "a PDF document"},
}

// checkBinary returns an error wrapping ErrBinary or ErrUTF16 if p, the
// start of the input, is not text this package can read.
func checkBinary(p []byte) error {
	for _, m := range magics {
		if bytes.HasPrefix(p, []byte(m.sig)) {
			return fmt.Errorf("%w: looks like %s, not CSV", ErrBinary, m.what)
		}
	}
	if bytes.HasPrefix(p, []byte("\xFF\xFE")) || bytes.HasPrefix(p, []byte("\xFE\xFF")) {
		return ErrUTF16
	}
	if bytes.IndexByte(p, 0) >= 0 {
		return fmt.Errorf("%w: it contains NUL bytes, so it looks like a binary file (or UTF-16 text), not CSV", ErrBinary)
	}
	return nil
}

// validUTF8Prefix reports whether p is valid UTF-8, ignoring a rune cut
// off at its end unless atEOF.
func validUTF8Prefix(p []byte, atEOF bool) bool {
	if !atEOF {
		for i := len(p) - 1; i >= 0 && i >= len(p)-utf8.UTFMax; i-- {
			if utf8.RuneStart(p[i]) {
				if !utf8.FullRune(p[i:]) {
					p = p[:i]
				}
				break
			}
		}
	}
	return utf8.Valid(p)
}

// onlySpace reports whether p holds only ASCII white space.
func onlySpace(p []byte) bool {
	for _, c := range p {
		switch c {
		case ' ', '\t', '\r', '\n', '\v', '\f':
		default:
			return false
		}
	}
	return true
}

// delimiters are the candidates, in order of preference.
var delimiters = [...]byte{',', ';', '\t', '|'}

// sniffRows is how many data rows are sampled per candidate delimiter.
const sniffRows = 20

// delimScore rates one candidate delimiter.
type delimScore struct {
	consistent int // sampled rows with as many fields as the header
	sampled    int // sampled rows
	known      int // known fields the header maps to
	header     int // fields in the header
}

// better reports whether a beats b: more consistent rows (as a share),
// then more known header fields, then a wider header.
func (a delimScore) better(b delimScore) bool {
	ac, as, bc, bs := a.consistent, a.sampled, b.consistent, b.sampled
	if as == 0 {
		ac, as = 1, 1
	}
	if bs == 0 {
		bc, bs = 1, 1
	}
	if x, y := ac*bs, bc*as; x != y {
		return x > y
	}
	if a.known != b.known {
		return a.known > b.known
	}
	return a.header > b.header
}

// sniffDelimiter picks the delimiter that splits the header into more
// than one field and the sampled rows into as many fields as the header.
// It returns ',' if none does.
func sniffDelimiter(prefix []byte, atEOF bool, opt Options) byte {
	best, bestScore, found := byte(','), delimScore{}, false
	for _, d := range delimiters {
		s, ok := scoreDelimiter(prefix, atEOF, d, opt)
		if ok && (!found || s.better(bestScore)) {
			best, bestScore, found = d, s, true
		}
	}
	return best
}

func scoreDelimiter(prefix []byte, atEOF bool, d byte, opt Options) (delimScore, bool) {
	p := newParser(bufio.NewReader(bytes.NewReader(prefix)), d, opt)
	fields, perr, err := p.next()
	if err != nil || perr != nil || fields == nil || len(fields) < 2 {
		return delimScore{}, false
	}
	s := delimScore{header: len(fields)}
	s.known = countKnown(fields)
	for s.sampled < sniffRows {
		fields, perr, err := p.next()
		if err != nil || (p.rec.atEOF && !atEOF) {
			break // the end of input, or a row cut off by the prefix
		}
		s.sampled++
		if perr == nil && fields != nil && len(fields) == s.header {
			s.consistent++
		}
	}
	return s, true
}

func countKnown(header []string) int {
	c := mapColumns(header)
	n := 0
	for _, i := range c {
		if i >= 0 {
			n++
		}
	}
	return n
}
