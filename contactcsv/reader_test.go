package contactcsv

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

// readAll reads every row of a file.
func readAll(t *testing.T, in string, opt Options) (*Reader, []Row, error) {
	t.Helper()
	r, err := NewReader(strings.NewReader(in), opt)
	if err != nil {
		return nil, nil, err
	}
	var rows []Row
	for {
		row, err := r.Next()
		if errors.Is(err, io.EOF) {
			return r, rows, nil
		}
		if err != nil {
			return r, rows, err
		}
		rows = append(rows, row)
	}
}

func TestNewReaderRefuses(t *testing.T) {
	tests := []struct {
		name, in string
		want     error
		mention  string
	}{
		{"empty", "", ErrEmpty, ""},
		{"only whitespace", " \n\r\n\t", ErrEmpty, ""},
		{"zip", "PK\x03\x04rest", ErrBinary, "ZIP"},
		{"old excel", "\xD0\xCF\x11\xE0\xA1\xB1", ErrBinary, ".xls"},
		{"gzip", "\x1F\x8B\x08\x00", ErrBinary, "gzip"},
		{"pdf", "%PDF-1.7\n", ErrBinary, "PDF"},
		{"utf-16", "\xFF\xFEe\x00m\x00", ErrBinary, "UTF-16"},
		{"nul bytes", "email\nbob@x.com\x00\n", ErrBinary, "NUL"},
		{"no email column", "name,company\nJane,Acme\n", ErrNoEmailColumn, "company"},
		{"only delimiters", ",,,\n,,,\n", ErrNoHeader, ""},
		{"too many columns", "email" + strings.Repeat(",x", 20) + "\n", ErrTooManyColumns, "21"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewReader(strings.NewReader(tt.in), Options{MaxColumns: 20})
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.mention) {
				t.Fatalf("err = %v, want %v mentioning %q", err, tt.want, tt.mention)
			}
		})
	}
}

func TestReadRows(t *testing.T) {
	tests := []struct {
		name      string
		in        string
		encoding  string
		delimiter rune
		want      []string // per row: first|last|email|company|phone, or "!" + error
	}{
		{"plain", "First Name,Last Name,Email,Company,Phone\nJane,Doe,jane@acme.com,Acme,555\n",
			"utf-8", ',', []string{"Jane|Doe|jane@acme.com|Acme|555"}},
		{"bom and crlf", "\xEF\xBB\xBFemail,first_name\r\njane@acme.com,Jane\r\n",
			"utf-8-bom", ',', []string{"Jane||jane@acme.com||"}},
		{"semicolon", "E-mail;Company Name\njane@acme.com;Acme, Inc.\n",
			"utf-8", ';', []string{"||jane@acme.com|Acme, Inc.|"}},
		{"tab", "Email Address\tOrganization\tTel\njane@acme.com\tAcme\t+1 555\n",
			"utf-8", '\t', []string{"||jane@acme.com|Acme|+1 555"}},
		{"pipe", "email|name\njane@acme.com|Jane Mary Doe\n",
			"utf-8", '|', []string{"Jane Mary|Doe|jane@acme.com||"}},
		{"windows-1252", "email,name\nrene@acme.fr,Ren\xe9 Dupr\xe9\n",
			"windows-1252", ',', []string{"René|Dupré|rene@acme.fr||"}},
		{"quoted newline and quotes", "email,company\njane@acme.com,\"Acme\n\"\"Labs\"\"\"\n",
			"utf-8", ',', []string{"||jane@acme.com|Acme\n\"Labs\"|"}},
		{"blank lines skipped", "email\n\njane@acme.com\n,\n\nbob@acme.com\n",
			"utf-8", ',', []string{"||jane@acme.com||", "||bob@acme.com||"}},
		{"too many fields", "email,company\njane@acme.com,Acme,extra\n",
			"utf-8", ',', []string{"!row 1 (line 2): has 3 fields, the header has 2"}},
		{"short row keeps going", "company,email\nAcme\nBeta,b@beta.com\n",
			"utf-8", ',', []string{"!row 1 (line 2): has 1 fields, the header has 2: the email column is missing", "||b@beta.com|Beta|"}},
		{"short row without missing email", "email,company,phone\na@acme.com\n",
			"utf-8", ',', []string{"||a@acme.com||"}},
		{"bare quote", "email,company\njane@acme.com,Ac\"me\nbob@acme.com,Beta\n",
			"utf-8", ',', []string{"!row 1 (line 2): malformed quotes at line 2 column 17", "||bob@acme.com|Beta|"}},
		{"header only", "email,name\n", "utf-8", ',', nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, rows, err := readAll(t, tt.in, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if r.Encoding() != tt.encoding || r.Delimiter() != tt.delimiter {
				t.Errorf("encoding %s delimiter %q, want %s %q", r.Encoding(), r.Delimiter(), tt.encoding, tt.delimiter)
			}
			var got []string
			for _, row := range rows {
				if row.Err != nil {
					got = append(got, "!"+row.Err.Error())
					continue
				}
				got = append(got, strings.Join([]string{row.Get(FirstName), row.Get(LastName), row.Get(Email), row.Get(Company), row.Get(Phone)}, "|"))
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestRowNumbersAndLines(t *testing.T) {
	_, rows, err := readAll(t, "email,note\na@x.com,\"two\nlines\"\n\nb@x.com,ok\n", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Number != 1 || rows[0].Line != 2 || rows[1].Number != 2 || rows[1].Line != 5 {
		t.Fatalf("rows = %+v", rows)
	}
}

func TestInvalidUTF8AfterTheSniffedPrefix(t *testing.T) {
	in := "email,name\n" + strings.Repeat("a@acme.com,Ann\n", sniffSize/15+10) + "b@acme.com,B\xff\n"
	r, rows, err := readAll(t, in, Options{})
	if err != nil {
		t.Fatal(err)
	}
	last := rows[len(rows)-1]
	if r.Encoding() != "utf-8" || last.Err == nil || last.Err.Column != "name" || last.Fields[1] != "B\uFFFD" {
		t.Fatalf("encoding %s, last row %+v %v", r.Encoding(), last.Fields, last.Err)
	}
}

func TestLimits(t *testing.T) {
	t.Run("long field is cut and reported", func(t *testing.T) {
		_, rows, err := readAll(t, "email,note\na@x.com,"+strings.Repeat("x", 100)+"\nb@x.com,ok\n", Options{MaxFieldBytes: 10})
		if err != nil {
			t.Fatal(err)
		}
		if rows[0].Err == nil || rows[0].Err.Column != "note" || len(rows[0].Fields[1]) != 10 || rows[1].Err != nil {
			t.Fatalf("rows = %+v", rows)
		}
	})
	t.Run("endless line stops reading", func(t *testing.T) {
		in := "email,note\na@x.com,ok\nb@x.com," + strings.Repeat("y", 10<<20)
		_, rows, err := readAll(t, in, Options{MaxRowBytes: 1 << 20})
		if !errors.Is(err, ErrRowTooLong) || len(rows) != 1 {
			t.Fatalf("err = %v after %d rows, want ErrRowTooLong after 1", err, len(rows))
		}
	})
	t.Run("unclosed quote stops reading", func(t *testing.T) {
		in := "email,note\na@x.com,\"never closed\n" + strings.Repeat("b@x.com,fine\n", 200000)
		_, _, err := readAll(t, in, Options{MaxRowBytes: 64 << 10})
		if !errors.Is(err, ErrRowTooLong) || !strings.Contains(err.Error(), "unclosed quote") {
			t.Fatalf("err = %v, want ErrRowTooLong", err)
		}
	})
}

func TestHeaderMapping(t *testing.T) {
	tests := []struct {
		header string
		field  Field
		col    int
	}{
		{"First Name,Email", FirstName, 0},
		{"first_name,email", FirstName, 0},
		{"FIRSTNAME,email", FirstName, 0},
		{"x,E-mail", Email, 1},
		{"Email Address,x", Email, 0},
		{"work.email,x", Email, 0},
		{"email,Company Name", Company, 1},
		{"email,organisation", Company, 1},
		{"email,Phone Number", Phone, 1},
		{"email,full_name", FullName, 1},
		{"email,Surname", LastName, 1},
		{"email,email", Email, 0},
		{"email,notes", Phone, -1},
	}
	for _, tt := range tests {
		r, err := NewReader(strings.NewReader(tt.header+"\n"), Options{})
		if err != nil {
			t.Fatalf("%s: %v", tt.header, err)
		}
		if got := r.Column(tt.field); got != tt.col {
			t.Errorf("%q: column of %s = %d, want %d", tt.header, tt.field, got, tt.col)
		}
	}
}

func TestWriterNeutralisesFormulas(t *testing.T) {
	tests := []struct{ in, want string }{
		{"=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"},
		{"+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"},
		{"-2+3+cmd", "'-2+3+cmd"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\tx", "'\tx"},
		{"\rx", "'\rx"},
		{"-12.5", "-12.5"},
		{"+44 20 7946 0958", "+44 20 7946 0958"},
		{"+1 (555) 010-9999", "+1 (555) 010-9999"},
		{"plain", "plain"},
		{"", ""},
		{"-", "'-"},
	}
	var buf bytes.Buffer
	w := NewWriter(&buf)
	for _, tt := range tests {
		if got := Neutralise(tt.in); got != tt.want {
			t.Errorf("Neutralise(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if err := w.Write([]string{"email", tt.in}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	// What the writer wrote reads back, cell for cell.
	r, err := NewReader(strings.NewReader("email,value\n"+buf.String()), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		row, err := r.Next()
		if err != nil {
			t.Fatal(err)
		}
		if row.Fields[1] != tt.want {
			t.Errorf("read back %q, want %q", row.Fields[1], tt.want)
		}
	}
}

func FuzzReader(f *testing.F) {
	f.Add([]byte("email,name\na@b.com,Ann\n"))
	f.Add([]byte("\xEF\xBB\xBFe-mail;company\r\nx@y.z;\"A\nB\"\r\n"))
	f.Add([]byte("email\n\"unclosed\n"))
	f.Add([]byte("Email\tName\nr\xe9@x.fr\tRen\xe9\n"))
	f.Add([]byte("email,x\n,,,\n\"a\"\"b\",c\"d\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		r, err := NewReader(bytes.NewReader(in), Options{MaxRowBytes: 4096, MaxFieldBytes: 1024})
		if err != nil {
			return
		}
		for i := 0; i < len(in)+2; i++ {
			row, err := r.Next()
			if err != nil {
				return
			}
			if row.Err == nil && len(row.Fields) < len(r.Header()) {
				t.Fatalf("row %d has %d fields for a header of %d", row.Number, len(row.Fields), len(r.Header()))
			}
			_ = row.Get(FirstName) + row.Get(LastName)
		}
		t.Fatal("Next did not end")
	})
}

func FuzzHeaderMapping(f *testing.F) {
	for _, s := range []string{"First Name", "E-mail", "email_address", "Company Name", "\uFEFFemail", " Phone "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		cols := mapHeader([]string{h, h})
		for fld, c := range cols {
			if c > 0 {
				t.Fatalf("field %s mapped to the second of two equal columns", Field(fld))
			}
		}
		if n := normalise(h); normalise(n) != n {
			t.Fatalf("normalise is not idempotent on %q", h)
		}
	})
}
