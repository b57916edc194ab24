package store

import (
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"reflect"
	"strconv"
	"testing"
)

// copyOutStream is what PostgreSQL sends for copyOutQuery with these
// contacts, of a job whose named columns are first_name then email. A
// contact with two fields and the named flag set is stored with them in
// its first_name and email columns, and empty text as its fields.
func copyOutStream(cs []StoredContact, named []bool) []byte {
	b := append([]byte{}, copySignature...)
	for k, c := range cs {
		b = binary.BigEndian.AppendUint16(b, 11)
		b = binary.BigEndian.AppendUint32(b, 4)
		b = binary.BigEndian.AppendUint32(b, uint32(c.Row))
		b = appendCopyText(b, c.Status)
		b = appendCopyText(b, c.Error)
		first, email := "someone", "someone@example.test"
		if named[k] {
			first, email = c.Fields[0], c.Fields[1]
			b = appendCopyText(b, "")
		} else {
			fields := []byte(`[`)
			for i, f := range c.Fields {
				if i > 0 {
					fields = append(fields, ',')
				}
				fields = append(append(append(fields, '"'), f...), '"')
			}
			b = appendCopyJSON(b, append(fields, ']'))
		}
		b = appendCopyJSON(b, c.EmailResult)
		b = appendCopyJSON(b, c.CompanyResult)
		for _, v := range []string{first, "Doe", email, "Acme", ""} {
			b = appendCopyText(b, v)
		}
	}
	return binary.BigEndian.AppendUint16(b, 0xffff)
}

// The parser reads the stream however it is cut into writes, and hands
// the contacts on in pages of exportPage.
func TestCopyOutParser(t *testing.T) {
	var want []StoredContact
	var named []bool
	for i := 1; i <= exportPage+3; i++ {
		c := StoredContact{Row: i, Status: "ok", Fields: []string{"a", "b"}, EmailResult: []byte(`{"status":"valid"}`)}
		switch i % 3 {
		case 0:
			c.Status, c.Error, c.EmailResult = "failed", "no email column", nil
		case 1:
			c.CompanyResult = []byte(`{"status":"matched"}`)
		}
		c.Email, c.Company = "someone@example.test", "Acme"
		if i%4 == 1 {
			c.Fields = []string{"Zoë " + strconv.Itoa(i), "z" + strconv.Itoa(i) + "@example.test"}
			c.Email = c.Fields[1]
		}
		want = append(want, c)
		named = append(named, i%4 == 1)
	}
	stream := copyOutStream(want, named)
	rng := rand.New(rand.NewPCG(1, 2))
	for _, cut := range []int{0, 1, 7, 100, 5000} {
		var got []StoredContact
		var pages []int
		p := &copyOutParser{named: []string{"first_name", "email"}, send: func(page []StoredContact) error {
			pages = append(pages, len(page))
			got = append(got, page...)
			return nil
		}}
		for rest := stream; len(rest) > 0; {
			n := len(rest)
			if cut > 0 {
				n = min(n, 1+rng.IntN(cut))
			}
			if _, err := p.Write(rest[:n]); err != nil {
				t.Fatalf("cut %d: %v", cut, err)
			}
			rest = rest[n:]
		}
		if err := p.finish(); err != nil {
			t.Fatalf("cut %d: %v", cut, err)
		}
		if !reflect.DeepEqual(pages, []int{exportPage, 3}) {
			t.Errorf("cut %d: pages of %v, want %d and 3", cut, pages, exportPage)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("cut %d: contacts differ", cut)
		}
	}
}

func TestCopyOutParserRefuses(t *testing.T) {
	p := &copyOutParser{send: func([]StoredContact) error { return nil }}
	if _, err := p.Write([]byte("PGCOPY\n\xff\r\n\x01" + "\x00\x00\x00\x00\x00\x00\x00\x00")); !errors.Is(err, errCopyFormat) {
		t.Errorf("a wrong signature: %v", err)
	}
	p = &copyOutParser{send: func([]StoredContact) error { return nil }}
	if _, err := p.Write(append(append([]byte{}, copySignature...), 0, 2)); !errors.Is(err, errCopyFormat) {
		t.Errorf("a tuple of two columns: %v", err)
	}
	p = &copyOutParser{send: func([]StoredContact) error { return nil }}
	if _, err := p.Write(copySignature); err != nil {
		t.Fatal(err)
	}
	if err := p.finish(); !errors.Is(err, errCopyFormat) {
		t.Errorf("no trailer: %v", err)
	}
}
