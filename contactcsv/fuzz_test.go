package contactcsv

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzReader(f *testing.F) {
	for _, s := range []string{
		"email,name\na@b.com,Ann\n",
		"\xEF\xBB\xBFe-mail;company\r\nx@y.z;\"A\nB\"\r\n",
		"email\n\"unclosed\n",
		"email,x\n\"a\"b,c\n",
		"Email\tName\nr\xe9@x.fr\tRen\xe9\n",
		"email,x\n,,,\n\"a\"\"b\",c\"d\n",
		"email|name\ra|b\rc|d",
		"email,name\n\"x\"\r\"y\",z\r\n\"q\"\r",
		"name,e-mail\nJohn Smith,j@x\n\n\n  \nAnn,a@x,extra\n",
		"email,n\na,\"" + strings.Repeat("x", 300) + "\"\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		r, err := NewReader(bytes.NewReader(in), Options{MaxColumns: 8, MaxFieldBytes: 64, MaxRowBytes: 256})
		if err != nil {
			return
		}
		width := len(r.Header())
		line := 0
		for i := 0; i <= len(in)+1; i++ {
			row, err := r.Next()
			if r.p.mismatches != 0 {
				t.Fatalf("splitter and encoding/csv disagreed")
			}
			if err != nil {
				return
			}
			if row.Number != i+1 || row.Line <= line {
				t.Fatalf("row %d on line %d after %d rows and line %d", row.Number, row.Line, i, line)
			}
			line = row.Line
			if row.Err == nil && len(row.Fields) != width {
				t.Fatalf("row %d has %d fields, header %d", row.Number, len(row.Fields), width)
			}
			for _, v := range row.Fields {
				if !utf8.ValidString(v) || strings.IndexByte(v, 0) >= 0 {
					t.Fatalf("row %d: field %q is not clean", row.Number, v)
				}
			}
			for f := range numFields {
				_ = row.Get(f)
			}
		}
		t.Fatal("Next did not reach the end")
	})
}

func FuzzHeaderMapping(f *testing.F) {
	for _, s := range []string{"First Name", "E-mail", "email_address", "Company Name", "\uFEFFemail", " Phone ", "x", "İ", ".\t0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		n := normalizeHeader(name)
		if normalizeHeader(n) != n {
			t.Fatalf("normalizeHeader is not idempotent on %q", name)
		}
		want, ok := fieldFor(name)
		if w, o := fieldFor(" _" + name + ".-\t"); w != want || o != ok {
			t.Fatalf("separators around %q change its mapping", name)
		}
		for _, c := range mapColumns([]string{name, name}) {
			if c > 0 {
				t.Fatalf("%q: the second of two equal columns won", name)
			}
		}

		// Read back through a whole file.
		if !utf8.ValidString(name) || strings.ContainsAny(name, ",;\t|\"\r\n\x00") {
			return
		}
		var buf bytes.Buffer
		cw := csv.NewWriter(&buf)
		if err := cw.Write([]string{name, "email"}); err != nil {
			t.Fatal(err)
		}
		cw.Flush()
		r, err := NewReader(&buf, Options{})
		if errors.Is(err, ErrBinary) {
			return // name starts with a file signature
		}
		if err != nil {
			t.Fatalf("header %q: %v", name, err)
		}
		h := r.Header()
		if len(h) != 2 || h[0] != strings.TrimSpace(strings.ReplaceAll(name, "\uFEFF", "")) || h[1] != "email" {
			t.Fatalf("header %q read as %q", name, h)
		}
		for f := range numFields {
			wantCol := -1
			if ok && f == want {
				wantCol = 0
			} else if f == Email {
				wantCol = 1
			}
			if got := r.Column(f); got != wantCol {
				t.Fatalf("header %q: column of %s = %d, want %d", name, f, got, wantCol)
			}
		}
	})
}

// FuzzSplitUnquoted holds the cutting of records without quotes to what
// encoding/csv makes of them.
func FuzzSplitUnquoted(f *testing.F) {
	for _, s := range []string{"a,b,c", "a;b\r", ",,", " x , y ", "a\rb,c\r\r", "é,\x00,\xff", "a|b\tc"} {
		f.Add(s, byte(0))
	}
	delims := []byte{',', ';', '\t', '|'}
	f.Fuzz(func(t *testing.T, rec string, d byte) {
		if strings.ContainsAny(rec, "\"\n") || strings.Trim(rec, " \t\r\v\f") == "" {
			return // quotes go to encoding/csv; blank records are skipped before
		}
		delim := delims[int(d)%len(delims)]
		cr := csv.NewReader(strings.NewReader(rec + "\n"))
		cr.Comma, cr.FieldsPerRecord = rune(delim), -1
		want, err := cr.Read()
		if err != nil {
			t.Fatalf("encoding/csv: %v", err)
		}
		p := &parser{sp: splitter{delim: delim}}
		got := p.split([]byte(rec + "\n"))
		if !slices.Equal(got, want) {
			t.Fatalf("split(%q, %q) = %q, encoding/csv %q", rec, delim, got, want)
		}
	})
}

// FuzzWholeLines holds the splitter's taking of whole lines to what its
// state machine makes of the same input, limits and all.
func FuzzWholeLines(f *testing.F) {
	for _, s := range []string{
		"a,b\nc,d\n", "a,\"b\nc\",d\n", "  \n\t\r\n,\n", strings.Repeat("x", 40) + "\ny,z", "a,b,c,d,e,f,g,h,i,j\n",
		"x\r\ny\"\n\"z\"q\nw\n", "a;b\n\"\n",
	} {
		f.Add([]byte(s), byte(0), 16)
	}
	delims := []byte{',', ';', '\t', '|'}
	f.Fuzz(func(t *testing.T, in []byte, d byte, bufSize int) {
		split := func(slow bool) []rawRecord {
			s := splitter{src: bufio.NewReaderSize(bytes.NewReader(in), 16+bufSize&255), delim: delims[int(d)%len(delims)],
				maxField: 12, maxRow: 30, maxCols: 5, line: 1, slow: slow}
			for _, c := range []byte{s.delim, '\n', '"'} {
				s.stop[c] = true
			}
			var out []rawRecord
			for {
				var rec rawRecord
				if err := s.scan(&rec); err != nil {
					return out
				}
				rec.data = bytes.Clone(rec.data)
				out = append(out, rec)
			}
		}
		slow, fast := split(true), split(false)
		if !reflect.DeepEqual(slow, fast) {
			t.Fatalf("state machine %+v\nwhole lines   %+v", slow, fast)
		}
	})
}
