package contactcsv

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
)

// readAll reads every row of in and renders each as "number@line:f1|f2"
// or, for a failed row, "number@line!error". It returns the final error
// unless it is io.EOF.
func readAll(t *testing.T, in io.Reader, opt Options) (*Reader, []string, error) {
	t.Helper()
	r, err := NewReader(in, opt)
	if err != nil {
		return nil, nil, err
	}
	var rows []string
	for {
		row, err := r.Next()
		if r.p.mismatches != 0 {
			t.Fatalf("splitter and encoding/csv disagreed %d times", r.p.mismatches)
		}
		if err == io.EOF {
			return r, rows, nil
		}
		if err != nil {
			return r, rows, err
		}
		if row.Err != nil {
			rows = append(rows, fmt.Sprintf("%d@%d!%v", row.Number, row.Line, row.Err))
		} else {
			rows = append(rows, fmt.Sprintf("%d@%d:%s", row.Number, row.Line, strings.Join(row.Fields, "|")))
		}
	}
}

func TestNewReaderRefuses(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		opt     Options
		want    error
		mention string
	}{
		{"empty", "", Options{}, ErrEmpty, ""},
		{"only whitespace", " \n\r\n\t\n", Options{}, ErrEmpty, ""},
		{"only a BOM", "\xEF\xBB\xBF\n", Options{}, ErrEmpty, ""},
		{"zip", "PK\x03\x04\x14\x00\x06\x00", Options{}, ErrBinary, "ZIP archive (an Excel .xlsx?), not CSV"},
		{"old excel", "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\x00", Options{}, ErrBinary, ".xls"},
		{"gzip", "\x1F\x8B\x08\x00", Options{}, ErrBinary, "gzip"},
		{"pdf", "%PDF-1.7\n", Options{}, ErrBinary, "PDF"},
		{"utf-16 le", "\xFF\xFEe\x00m\x00", Options{}, ErrUTF16, "UTF-8"},
		{"utf-16 be", "\xFE\xFF\x00e\x00m", Options{}, ErrUTF16, "UTF-8"},
		{"utf-16 without BOM", "e\x00m\x00a\x00i\x00l\x00", Options{}, ErrUTF16, "no byte order mark"},
		{"utf-16 be without BOM", "\x00e\x00m\x00a\x00i\x00l", Options{}, ErrUTF16, "no byte order mark"},
		{"utf-32", "\xFF\xFE\x00\x00e\x00\x00\x00", Options{}, ErrBinary, "UTF-32"},
		{"png", "\x89PNG\r\n\x1A\n\x00\x00", Options{}, ErrBinary, "PNG image"},
		{"html", "\xEF\xBB\xBF \n<!DOCTYPE HTML>\n<html>", Options{}, ErrBinary, "HTML page"},
		{"xml", "<?xml version=\"1.0\"?><Workbook/>", Options{}, ErrBinary, "XML"},
		{"json array", "[\n  {\"email\": \"a@b.c\"}]", Options{}, ErrBinary, "JSON"},
		{"json lines", "{\"email\":\"a@b.c\"}\n", Options{}, ErrBinary, "JSON"},
		{"nul bytes", "email\nbob@x.com\x00\n", Options{}, ErrBinary, "NUL"},
		{"no email column", "Name,Company\nJane,Acme\n", Options{}, ErrNoEmailColumn, `"Name", "Company"`},
		{"only delimiters", ",,,\n,,,\n", Options{}, ErrNoHeader, "empty"},
		{"bad quote in header", "email,\"na\"me\n", Options{}, ErrNoHeader, "line 1"},
		{"unclosed quote in header", "email,\"name\n", Options{}, ErrNoHeader, "never closed"},
		{"too many columns", "email" + strings.Repeat(",x", 20) + "\n", Options{MaxColumns: 20}, ErrTooManyColumns, "21 columns"},
		{"header cell too long", "email,name" + strings.Repeat("x", 50) + "\n", Options{MaxFieldBytes: 40}, ErrNoHeader, "40 bytes"},
		{"header too long", "email" + strings.Repeat(",x", 50) + "\n", Options{MaxRowBytes: 60}, ErrNoHeader, "60 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewReader(strings.NewReader(tt.in), tt.opt)
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.mention) {
				t.Fatalf("err = %v, want %v mentioning %q", err, tt.want, tt.mention)
			}
		})
	}
}

func TestReadRows(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		encoding string
		delim    rune
		want     []string
	}{
		{"plain", "email,name\na@x.com,Ann\nb@x.com,Bob\n",
			"utf-8", ',', []string{"1@2:a@x.com|Ann", "2@3:b@x.com|Bob"}},
		{"no final newline", "email,name\na@x.com,Ann",
			"utf-8", ',', []string{"1@2:a@x.com|Ann"}},
		{"values kept as written", "email,name\n a@x.com , Ann \n",
			"utf-8", ',', []string{"1@2: a@x.com | Ann "}},
		{"bom and crlf", "\xEF\xBB\xBFemail,name\r\na@x.com,Ann\r\n",
			"utf-8-bom", ',', []string{"1@2:a@x.com|Ann"}},
		{"semicolon", "E-mail;Company\na@x.com;Acme, Inc.\nb@x.com;Beta, Ltd.\n",
			"utf-8", ';', []string{"1@2:a@x.com|Acme, Inc.", "2@3:b@x.com|Beta, Ltd."}},
		{"tab", "Email\tOrg\tTel\na@x.com\tAcme, Inc.\t+1 555\n",
			"utf-8", '\t', []string{"1@2:a@x.com|Acme, Inc.|+1 555"}},
		{"pipe", "email|name\na@x.com|Ann; Bob\n",
			"utf-8", '|', []string{"1@2:a@x.com|Ann; Bob"}},
		{"quoted delimiters do not count", "email;\"note, with comma\"\nx@y;\"c, d\"\n",
			"utf-8", ';', []string{"1@2:x@y|c, d"}},
		{"windows-1252", "email,name\nrene@x.fr,Ren\xe9 Dupr\xe9 \x80\n",
			"windows-1252", ',', []string{"1@2:rene@x.fr|René Dupré €"}},
		{"utf-8 multibyte", "email,name\nrene@x.fr,René\n",
			"utf-8", ',', []string{"1@2:rene@x.fr|René"}},
		{"BOM wins over invalid bytes", "\xEF\xBB\xBFemail,name\na@x.com,Ren\xe9\nb@x.com,Bob\n",
			"utf-8-bom", ',', []string{`1@2!row 1 (line 2), column "name": invalid UTF-8`, "2@3:b@x.com|Bob"}},
		{"nul byte after the prefix check", "email,name\na@x.com,A\x00n\n",
			"", 0, nil}, // refused as binary; see TestNewReaderRefuses
		{"quoted newline and quotes", "email,note\na@x.com,\"two\nlines, \"\"quoted\"\"\"\nb@x.com,x\n",
			"utf-8", ',', []string{"1@2:a@x.com|two\nlines, \"quoted\"", "2@4:b@x.com|x"}},
		{"quoted crlf", "email,note\r\na@x.com,\"two\r\nlines\"\r\n",
			"utf-8", ',', []string{"1@2:a@x.com|two\nlines"}},
		{"mac line endings", "email,name\ra@x.com,Ann\rb@x.com,Bob\r",
			"utf-8", ',', []string{"1@2:a@x.com|Ann", "2@3:b@x.com|Bob"}},
		{"blank lines skipped", "\n\nemail,name\n\na@x.com,Ann\n   \n,\n , \t\nb@x.com,Bob\n\n",
			"utf-8", ',', []string{"1@5:a@x.com|Ann", "2@9:b@x.com|Bob"}},
		{"header only", "email,name\n", "utf-8", ',', nil},
		{"header only no newline", "email", "utf-8", ',', nil},
		{"too many fields", "email,name\na@x.com,Ann,extra\nb@x.com,Bob\n",
			"utf-8", ',', []string{"1@2!row 1 (line 2): has 3 fields, header has 2", "2@3:b@x.com|Bob"}},
		{"empty extra fields dropped", "email,name\na@x.com,Ann,, \n",
			"utf-8", ',', []string{"1@2:a@x.com|Ann"}},
		{"short row padded", "email,name,phone\na@x.com\n",
			"utf-8", ',', []string{"1@2:a@x.com||"}},
		{"short row without email", "name,email\nAnn\nb@x.com,Bob\n",
			"utf-8", ',', []string{`1@2!row 1 (line 2), column "email": missing: the row has 1 fields, header has 2`, "2@3:b@x.com|Bob"}},
		{"bare quote", "email,name\na@x.com,Ann \"Nan\" Lee\nb@x.com,Bob\n",
			"utf-8", ',', []string{`1@2!row 1 (line 2), column "name": bare " in non-quoted-field`, "2@3:b@x.com|Bob"}},
		{"text after closing quote", "email,name\n\"a@x.com\"x,Ann\nb@x.com,Bob\n",
			"utf-8", ',', []string{`1@2!row 1 (line 2), column "email": extraneous or missing " in quoted-field`, "2@3:b@x.com|Bob"}},
		{"bad quote on a later line of a record", "email,name\na@x.com,\"Ann\nLee\"x\nb@x.com,Bob\n",
			"utf-8", ',', []string{`1@2!row 1 (line 2), column "name": extraneous or missing " in quoted-field`, "2@4:b@x.com|Bob"}},
		{"unclosed quote on the last line", "email,name\na@x.com,Ann\nb@x.com,\"Bob",
			"utf-8", ',', []string{"1@2:a@x.com|Ann", `2@3!row 2 (line 3), column "name": quoted field is not closed`}},
		{"error in a column without a name", "email,\na@x.com,\"x\"y\n",
			"utf-8", ',', []string{`1@2!row 1 (line 2): field 2: extraneous or missing " in quoted-field`}},
		{"duplicate header names", "email,email\na@x.com,b@x.com\n",
			"utf-8", ',', []string{"1@2:a@x.com|b@x.com"}},
	}
	for _, tt := range tests {
		if tt.encoding == "" {
			continue
		}
		for _, wrap := range []struct {
			name string
			fn   func(io.Reader) io.Reader
		}{
			{"", func(r io.Reader) io.Reader { return r }},
			{"/one byte reads", iotest.OneByteReader},
			{"/eof with data", iotest.DataErrReader},
		} {
			t.Run(tt.name+wrap.name, func(t *testing.T) {
				r, got, err := readAll(t, wrap.fn(strings.NewReader(tt.in)), Options{})
				if err != nil {
					t.Fatal(err)
				}
				if r.Encoding() != tt.encoding || r.Delimiter() != tt.delim {
					t.Errorf("encoding %s, delimiter %q; want %s, %q", r.Encoding(), r.Delimiter(), tt.encoding, tt.delim)
				}
				if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
					t.Errorf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
				}
			})
		}
	}
}

func TestUnclosedQuoteIsFatal(t *testing.T) {
	in := "email,name\na@x.com,Ann\nb@x.com,\"Bob\nc@x.com,Cy\n" + strings.Repeat("d@x.com,Di\n", 1000)
	_, rows, err := readAll(t, strings.NewReader(in), Options{})
	if !errors.Is(err, ErrUnclosedQuote) || !strings.Contains(err.Error(), "line 3") || len(rows) != 1 {
		t.Fatalf("err = %v after %d rows; want ErrUnclosedQuote naming line 3 after 1 row", err, len(rows))
	}
}

func TestAfterTheSniffedPrefix(t *testing.T) {
	filler := strings.Repeat("a@x.com,Ann\n", sniffSize/12+10)
	tests := []struct {
		name, tail, want string
	}{
		{"invalid UTF-8", "b@x.com,B\xffb\n", `row 7 (line 8), column "name": invalid UTF-8`},
		{"NUL byte", "b@x.com,B\x00b\n", `row 7 (line 8), column "name": contains a NUL byte`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewReader(strings.NewReader("email,name\n"+filler+tt.tail), Options{})
			if err != nil {
				t.Fatal(err)
			}
			var last Row
			for {
				row, err := r.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				last = row
			}
			if r.Encoding() != "utf-8" || last.Err == nil || last.Err.Column != "name" || last.Fields[1] != "B\uFFFDb" {
				t.Fatalf("encoding %s; last row %q, %v", r.Encoding(), last.Fields, last.Err)
			}
			if !strings.HasSuffix(last.Err.Error(), strings.SplitN(tt.want, ", ", 2)[1]) {
				t.Errorf("error %q, want it to end like %q", last.Err, tt.want)
			}
		})
	}
}

func TestRuneCutByThePrefix(t *testing.T) {
	head := "email,name\n"
	pad := strings.Repeat("a", sniffSize-len(head)-len("x@y.z,")-1)
	in := head + "x@y.z," + pad + "é\n" // the é straddles the end of the prefix
	r, rows, err := readAll(t, strings.NewReader(in), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Encoding() != "utf-8" || len(rows) != 1 || !strings.HasSuffix(rows[0], "aé") {
		t.Fatalf("encoding %s, rows %.40q", r.Encoding(), rows)
	}
}

// repeatReader yields n copies of one byte without holding them.
type repeatReader struct {
	c byte
	n int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, io.EOF
	}
	k := min(len(p), r.n)
	for i := range p[:k] {
		p[i] = r.c
	}
	r.n -= k
	return k, nil
}

func TestLimits(t *testing.T) {
	const tenMB = 10 << 20
	tests := []struct {
		name string
		in   func() io.Reader
		opt  Options
		want []string
		err  error
	}{
		{"long field", func() io.Reader {
			return strings.NewReader("email,note\na@x.com," + strings.Repeat("x", 100) + "\nb@x.com,ok\n")
		}, Options{MaxFieldBytes: 10}, []string{
			`1@2!row 1 (line 2), column "note": value is longer than 10 bytes`, "2@3:b@x.com|ok"}, nil},
		{"long quoted field", func() io.Reader {
			return strings.NewReader("email,note\na@x.com,\"" + strings.Repeat("x\n", 50) + "\"\nb@x.com,ok\n")
		}, Options{MaxFieldBytes: 10}, []string{
			`1@2!row 1 (line 2), column "note": value is longer than 10 bytes`, "2@53:b@x.com|ok"}, nil},
		{"long row", func() io.Reader {
			return strings.NewReader("email,a,b\na@x.com,123456,123456\nb@x.com,ok,ok\n")
		}, Options{MaxRowBytes: 20}, []string{
			`1@2!row 1 (line 2): row is longer than 20 bytes`, "2@3:b@x.com|ok|ok"}, nil},
		{"too many fields", func() io.Reader {
			return strings.NewReader("email,a\na@x.com" + strings.Repeat(",", 30) + "\nb@x.com,ok\n")
		}, Options{MaxColumns: 5}, []string{
			`1@2!row 1 (line 2): has 31 fields, at most 5 are allowed`, "2@3:b@x.com|ok"}, nil},
		{"10 MB line without newline", func() io.Reader {
			return io.MultiReader(strings.NewReader("email,note\na@x.com,ok\nb@x.com,"), &repeatReader{'y', tenMB})
		}, Options{}, []string{"1@2:a@x.com|ok", `2@3!row 2 (line 3), column "note": value is longer than 1048576 bytes`}, nil},
		{"10 MB line, no field limit", func() io.Reader {
			return io.MultiReader(strings.NewReader("email,note\nb@x.com,"), &repeatReader{'y', tenMB})
		}, Options{MaxFieldBytes: 100 << 20}, []string{`1@2!row 1 (line 2): row is longer than 4194304 bytes`}, nil},
		{"10 MB line then more rows", func() io.Reader {
			return io.MultiReader(strings.NewReader("email,note\nb@x.com,"), &repeatReader{'y', tenMB}, strings.NewReader("\nc@x.com,ok\n"))
		}, Options{}, []string{`1@2!row 1 (line 2), column "note": value is longer than 1048576 bytes`, "2@3:c@x.com|ok"}, nil},
		{"10 MB of delimiters", func() io.Reader {
			return io.MultiReader(strings.NewReader("email,note\nb@x.com"), &repeatReader{',', tenMB})
		}, Options{}, []string{`1@2!row 1 (line 2): has 10485761 fields, at most 1000 are allowed`}, nil},
		{"10 MB header line", func() io.Reader {
			return io.MultiReader(strings.NewReader("email,"), &repeatReader{'y', tenMB})
		}, Options{}, nil, ErrNoHeader},
		{"10 MB in an unclosed quote", func() io.Reader {
			return io.MultiReader(strings.NewReader("email,note\na@x.com,\"open\n"), &repeatReader{'y', tenMB})
		}, Options{}, nil, ErrUnclosedQuote},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, rows, err := readAll(t, tt.in(), tt.opt)
			if !errors.Is(err, tt.err) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if strings.Join(rows, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("rows:\n%s\nwant:\n%s", strings.Join(rows, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestSourceErrors(t *testing.T) {
	boom := errors.New("boom")
	t.Run("while sniffing", func(t *testing.T) {
		_, err := NewReader(iotest.ErrReader(boom), Options{})
		if !errors.Is(err, boom) {
			t.Fatalf("err = %v, want boom", err)
		}
	})
	t.Run("while reading rows", func(t *testing.T) {
		in := "email,name\n" + strings.Repeat("a@x.com,Ann\n", sniffSize/12+10)
		r, err := NewReader(io.MultiReader(strings.NewReader(in), iotest.ErrReader(boom)), Options{})
		if err != nil {
			t.Fatal(err)
		}
		for {
			_, err = r.Next()
			if err != nil {
				break
			}
		}
		if !errors.Is(err, boom) || !strings.Contains(err.Error(), "line") {
			t.Fatalf("err = %v, want boom naming a line", err)
		}
		if _, again := r.Next(); again != err {
			t.Errorf("second Next = %v, want the same error", again)
		}
	})
}

func TestSniffDelimiter(t *testing.T) {
	tests := []struct {
		in   string
		want byte
	}{
		{"email\n", ','},
		{"email,name\n", ','},
		{"email;name\n", ';'},
		{"email\tname\n", '\t'},
		{"email|name\n", '|'},
		{"Name;Email\nSmith, John;j@x\nDoe, Ann;a@x\n", ';'},
		{"name,email\nAnn;Bob,a@x\nCy,c@x\n", ','},
		{"\"a;b\",email\n\"c;d\",x\n", ','},
		{"\"a,b\nc,d\";email\nx;y\n", ';'},
		// Equal consistency: the header naming more known fields wins.
		{"name;email,x\n", ';'},
		{"email,name;x\n", ','},
		// Each data row has one field too many for ",": ";" fits better.
		{"email,name;x\na@x,b,c;d\n", ';'},
		{"", ','},
	}
	for _, tt := range tests {
		if got := sniffDelimiter([]byte(tt.in), true, Options{}.withDefaults()); got != tt.want {
			t.Errorf("sniffDelimiter(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestHeaderMapping(t *testing.T) {
	tests := []struct {
		header string
		want   map[Field]int // fields not listed must be absent
	}{
		{"First Name,Last Name,Email,Company,Phone", map[Field]int{FirstName: 0, LastName: 1, Email: 2, Company: 3, Phone: 4}},
		{"first_name,last-name,e_mail,company.name,phone number", map[Field]int{FirstName: 0, LastName: 1, Email: 2, Company: 3, Phone: 4}},
		{"FIRSTNAME,SURNAME,E-MAIL ADDRESS,ORGANISATION,TELEPHONE", map[Field]int{FirstName: 0, LastName: 1, Email: 2, Company: 3, Phone: 4}},
		{"Given Name,Family Name,Work Email,Employer,Mobile", map[Field]int{FirstName: 0, LastName: 1, Email: 2, Company: 3, Phone: 4}},
		{"forename,first,email", map[Field]int{FirstName: 0, Email: 2}},
		{"Full Name,Mail,Account Name,Work Phone", map[Field]int{FullName: 0, Email: 1, Company: 2, Phone: 3}},
		{"Contact,Business Email,Org,Tel", map[Field]int{FullName: 0, Email: 1, Company: 2, Phone: 3}},
		{"name,contact name,emailaddress,account,organization,phonenumber", map[Field]int{FullName: 0, Email: 2, Company: 3, Phone: 5}},
		{"notes,  Email\u00a0 ,x", map[Field]int{Email: 1}},
		{"\"\ufeffEmail\",x", map[Field]int{Email: 0}},
		{"email,email,Email", map[Field]int{Email: 0}},
		{"emails,e mail,first names", map[Field]int{Email: 1}},
	}
	for _, tt := range tests {
		r, err := NewReader(strings.NewReader(tt.header+"\n"), Options{})
		if err != nil {
			t.Fatalf("%s: %v", tt.header, err)
		}
		for f := range numFields {
			want, ok := tt.want[f]
			if !ok {
				want = -1
			}
			if got := r.Column(f); got != want {
				t.Errorf("%q: column of %s = %d, want %d", tt.header, f, got, want)
			}
		}
		if got := len(r.Header()); got != strings.Count(tt.header, ",")+1 {
			t.Errorf("%q: header has %d cells", tt.header, got)
		}
	}
	if got := (&Reader{cols: mapColumns(nil)}).Column(numFields); got != -1 {
		t.Errorf("Column(numFields) = %d", got)
	}
}

func TestHeaderCellsCleaned(t *testing.T) {
	r, err := NewReader(strings.NewReader("\xEF\xBB\xBF\"\ufeffE-mail \", Name\t,\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Header(); strings.Join(got, "|") != "E-mail|Name|" {
		t.Errorf("Header() = %q", got)
	}
}

func TestGet(t *testing.T) {
	tests := []struct {
		header, row       string
		first, last, full string
	}{
		{"email,first name,last name", "a@x, Ann , Lee ", "Ann", "Lee", "Ann Lee"},
		{"email,first name", "a@x,Ann", "Ann", "", "Ann"},
		{"email,name", "a@x,Mary Ann  Smith ", "Mary Ann", "Smith", "Mary Ann  Smith"},
		{"email,name", "a@x,Madonna", "Madonna", "", "Madonna"},
		{"email,name", "a@x,", "", "", ""},
		{"email,name,first name", "a@x,Jon Snow,Jonathan", "Jonathan", "Snow", "Jon Snow"},
		{"email,last name,name", "a@x,Lee", "", "Lee", ""},
		{"email", "a@x", "", "", ""},
		{"email,phone,name", "a@x", "", "", ""}, // short row
	}
	for _, tt := range tests {
		r, err := NewReader(strings.NewReader(tt.header+"\n"+tt.row+"\n"), Options{})
		if err != nil {
			t.Fatal(err)
		}
		row, err := r.Next()
		if err != nil || row.Err != nil {
			t.Fatalf("%q: %v %v", tt.row, err, row.Err)
		}
		if f, l, n := row.Get(FirstName), row.Get(LastName), row.Get(FullName); f != tt.first || l != tt.last || n != tt.full {
			t.Errorf("%q / %q: first %q last %q full %q; want %q %q %q", tt.header, tt.row, f, l, n, tt.first, tt.last, tt.full)
		}
		if got := row.Get(Email); got != "a@x" {
			t.Errorf("email %q", got)
		}
	}
	if got := (Row{}).Get(Email); got != "" {
		t.Errorf("zero Row: Get = %q", got)
	}
}

func TestFieldString(t *testing.T) {
	want := []string{"first_name", "last_name", "full_name", "email", "company", "phone"}
	for f := range numFields {
		if f.String() != want[f] {
			t.Errorf("Field(%d) = %q", f, f.String())
		}
	}
	if got := Field(9).String(); got != "Field(9)" {
		t.Errorf("Field(9) = %q", got)
	}
}

func TestRowErrorMessage(t *testing.T) {
	tests := []struct {
		err  RowError
		want string
	}{
		{RowError{12, 14, "Email", "invalid UTF-8"}, `row 12 (line 14), column "Email": invalid UTF-8`},
		{RowError{3, 3, "", "has 7 fields, header has 5"}, `row 3 (line 3): has 7 fields, header has 5`},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}
}

func TestNoEmailColumnMessageIsBounded(t *testing.T) {
	header := strings.Repeat(strings.Repeat("x", 100)+",", 50) + "y\n"
	_, err := NewReader(bytes.NewReader([]byte(header)), Options{})
	if !errors.Is(err, ErrNoEmailColumn) || len(err.Error()) > 1200 || !strings.Contains(err.Error(), "(51 columns)") {
		t.Fatalf("err = %v (%d bytes)", err, len(err.Error()))
	}
}

func BenchmarkReader(b *testing.B) {
	for _, bb := range []struct{ name, row string }{
		{"quoted", "Ann,Lee,ann@acme.com,\"Acme, Inc.\",+1 555 0100\n"},
		{"unquoted", "Ann,Lee,ann@acme.com,Acme Inc,+1 555 0100\n"},
	} {
		b.Run(bb.name, func(b *testing.B) {
			in := "First Name,Last Name,Email,Company,Phone\n" + strings.Repeat(bb.row, 10000)
			b.SetBytes(int64(len(in)))
			for b.Loop() {
				r, err := NewReader(strings.NewReader(in), Options{})
				if err != nil {
					b.Fatal(err)
				}
				for {
					if _, err := r.Next(); err != nil {
						break
					}
				}
			}
		})
	}
}

// CSV that merely starts like JSON or markup is still read as CSV.
func TestNotMistakenForOtherFormats(t *testing.T) {
	for _, in := range []string{
		"[id],email\n1,a@b.c\n",
		"{id},email\n1,a@b.c\n",
		"<name>,email\nAnn,a@b.c\n",
		"html,email\nx,a@b.c\n",
		"email,note\na@b.c,\"<!DOCTYPE html>\"\n",
	} {
		r, err := NewReader(strings.NewReader(in), Options{})
		if err != nil {
			t.Errorf("%q: %v", in, err)
			continue
		}
		if row, err := r.Next(); err != nil || row.Err != nil || row.Get(Email) != "a@b.c" {
			t.Errorf("%q: first row %+v, %v", in, row, err)
		}
	}
}

func TestExcelSepLine(t *testing.T) {
	tests := []struct {
		in     string
		delim  rune
		header string
		line   int
	}{
		{"sep=;\r\nemail;name\r\na@b.c;Ann, Lee\r\n", ';', "[email name]", 3},
		{"\xEF\xBB\xBFSEP=|\nemail|name\na@b.c|Ann\n", '|', "[email name]", 3},
		{"sep=,\remail,name\ra@b.c,Ann\r", ',', "[email name]", 3},
		{"sep=\t\nemail\tname\na@b.c\tAnn\n", '\t', "[email name]", 3},
	}
	for _, tt := range tests {
		r, err := NewReader(strings.NewReader(tt.in), Options{})
		if err != nil {
			t.Errorf("%q: %v", tt.in, err)
			continue
		}
		row, err := r.Next()
		if r.Delimiter() != tt.delim || fmt.Sprint(r.Header()) != tt.header || err != nil || row.Err != nil ||
			row.Line != tt.line || row.Get(Email) != "a@b.c" {
			t.Errorf("%q: delimiter %q, header %q, first row %+v, %v", tt.in, r.Delimiter(), r.Header(), row, err)
		}
	}
	if _, err := NewReader(strings.NewReader("sep=;\r\n"), Options{}); !errors.Is(err, ErrEmpty) {
		t.Errorf("a sep= line alone: %v, want ErrEmpty", err)
	}
	if r, err := NewReader(strings.NewReader("sep=x,email\na,b@c.d\n"), Options{}); err != nil || r.Header()[0] != "sep=x" {
		t.Errorf("a header cell that only starts with sep=: %v", err)
	}
}

func TestNamedColumns(t *testing.T) {
	tests := []struct {
		header []string
		want   []string
	}{
		{[]string{"first_name", "last_name", "email", "company", "phone"}, []string{"first_name", "last_name", "email", "company", "phone"}},
		{[]string{"E-Mail", "Surname", "Organisation"}, []string{"email", "last_name", "company"}},
		{[]string{"email"}, []string{"email"}},
		{[]string{"email", "title"}, nil},           // a column of its own
		{[]string{"name", "email"}, nil},            // a full name is no contact field
		{[]string{"email", "work email"}, nil},      // the second email column is not the email
		{[]string{"first_name", "first_name"}, nil}, // nor the second first name
		{[]string{}, nil},
	}
	for _, tt := range tests {
		if got := NamedColumns(tt.header); !slices.Equal(got, tt.want) || (got == nil) != (tt.want == nil) {
			t.Errorf("NamedColumns(%q) = %q, want %q", tt.header, got, tt.want)
		}
	}
}
