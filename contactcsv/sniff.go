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
	{"\x89PNG\r\n\x1A\n", "a PNG image"},
	{"\xFF\xD8\xFF", "a JPEG image"},
	{"GIF87a", "a GIF image"},
	{"GIF89a", "a GIF image"},
	{"{\\rtf", "an RTF document"},
}

// textMagics are the starts, after white space and case-folded, of text
// files that are not CSV.
var textMagics = []struct{ sig, what string }{
	{"<!doctype html", "an HTML page"},
	{"<html", "an HTML page"},
	{"<?xml", "an XML document (an Excel XML spreadsheet?)"},
}

// checkBinary returns an error wrapping ErrBinary or ErrUTF16 if p, the
// start of the input, is not text this package can read.
func checkBinary(p []byte) error {
	for _, m := range magics {
		if bytes.HasPrefix(p, []byte(m.sig)) {
			return fmt.Errorf("%w: looks like %s, not CSV", ErrBinary, m.what)
		}
	}
	if bytes.HasPrefix(p, []byte("\xFF\xFE\x00\x00")) || bytes.HasPrefix(p, []byte("\x00\x00\xFE\xFF")) {
		return fmt.Errorf("%w: UTF-32 text is not supported: save the file as \"CSV UTF-8\"", ErrBinary)
	}
	if bytes.HasPrefix(p, []byte("\xFF\xFE")) || bytes.HasPrefix(p, []byte("\xFE\xFF")) {
		return ErrUTF16
	}
	if bytes.IndexByte(p, 0) >= 0 {
		if utf16NoBOM(p) {
			return fmt.Errorf("%w (it has no byte order mark)", ErrUTF16)
		}
		return fmt.Errorf("%w: it contains NUL bytes, so it looks like a binary file, not CSV", ErrBinary)
	}
	const space = " \t\r\n"
	start := bytes.TrimLeft(bytes.TrimPrefix(p, []byte("\xEF\xBB\xBF")), space)
	head := bytes.ToLower(start[:min(len(start), 16)])
	for _, m := range textMagics {
		if bytes.HasPrefix(head, []byte(m.sig)) {
			return fmt.Errorf("%w: looks like %s, not CSV", ErrBinary, m.what)
		}
	}
	// JSON: an object that starts with a key, or an array of values.
	if len(start) > 0 && (start[0] == '{' || start[0] == '[') {
		next := bytes.TrimLeft(start[1:], space)
		if len(next) > 0 && (next[0] == '"' || (start[0] == '[' && (next[0] == '{' || next[0] == '['))) {
			return fmt.Errorf("%w: looks like JSON, not CSV", ErrBinary)
		}
	}
	return nil
}

// utf16NoBOM reports whether p looks like mostly-ASCII UTF-16 text without
// a byte order mark: in nearly every pair of bytes one is NUL, always on
// the same side.
func utf16NoBOM(p []byte) bool {
	pairs := min(len(p), 1024) / 2
	if pairs < 4 {
		return false
	}
	var le, be int
	for i := 0; i < pairs; i++ {
		a, b := p[2*i], p[2*i+1]
		switch {
		case a != 0 && b == 0:
			le++
		case a == 0 && b != 0:
			be++
		}
	}
	return le*10 >= pairs*9 || be*10 >= pairs*9
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

// excelSep recognises the line "sep=X" that Excel may write first to name
// the delimiter X (one of delimiters). It returns X and the length of the
// line with its line break, or 0, 0.
func excelSep(p []byte) (byte, int) {
	if len(p) < 5 || !bytes.EqualFold(p[:4], []byte("sep=")) || bytes.IndexByte(delimiters[:], p[4]) < 0 {
		return 0, 0
	}
	switch {
	case len(p) == 5:
		return p[4], 5
	case bytes.HasPrefix(p[5:], []byte("\r\n")):
		return p[4], 7
	case p[5] == '\n' || p[5] == '\r':
		return p[4], 6
	}
	return 0, 0
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
