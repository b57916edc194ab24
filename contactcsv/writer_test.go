package contactcsv

import (
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestWriterNeutralises(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"plain", "plain"},
		{"a=b", "a=b"},
		{"=HYPERLINK(\"http://x\",\"y\")", "'=HYPERLINK(\"http://x\",\"y\")"},
		{"=1+1", "'=1+1"},
		{"+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"},
		{"-2+3+cmd|'/C calc'!A0", "'-2+3+cmd|'/C calc'!A0"},
		{"-A1", "'-A1"},
		{"@SUM(A1:A2)", "'@SUM(A1:A2)"},
		{"\t=1", "'\t=1"},
		{"\r=1", "'\r=1"},
		{"-12.5", "-12.5"},
		{"-1,234.50", "-1,234.50"},
		{"+44 20 7946 0958", "+44 20 7946 0958"},
		{"+1 (555) 010-9999", "+1 (555) 010-9999"},
		{"-", "-"},
		{"+", "+"},
		{" =1", " =1"},
	}
	for _, tt := range tests {
		if got := neutralize(tt.in); got != tt.want {
			t.Errorf("neutralize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestWriterRoundTrip(t *testing.T) {
	records := [][]string{
		{"email", "name", "note"},
		{"a@x.com", "René Dupré", "plain"},
		{"b@x.com", "Lee, Ann", "two\nlines"},
		{"c@x.com", `Bob "Bobby" Smith`, "=HYPERLINK(\"x\")"},
		{"d@x.com", "", "+44 20 7946 0958"},
		{"e@x.com", "semi;colon|pipe\ttab", "@SUM(1)"},
		{"f@x.com", " padded ", "-12.5"},
	}
	var out strings.Builder
	w := NewWriter(&out)
	for _, rec := range records {
		if err := w.Write(rec); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	r, err := NewReader(strings.NewReader(out.String()), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(r.Header(), "|"); got != "email|name|note" {
		t.Fatalf("header %q", got)
	}
	for _, want := range records[1:] {
		row, err := r.Next()
		if err != nil || row.Err != nil {
			t.Fatalf("Next: %v %v", err, row.Err)
		}
		for i := range want {
			if got := row.Fields[i]; got != neutralize(want[i]) {
				t.Errorf("row %d field %d = %q, want %q", row.Number, i, got, neutralize(want[i]))
			}
		}
	}
	if _, err := r.Next(); err != io.EOF {
		t.Fatalf("after the last row: %v", err)
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriterReportsErrors(t *testing.T) {
	w := NewWriter(failWriter{})
	if err := w.Write([]string{"a"}); err != nil {
		t.Fatalf("Write is buffered, got %v", err)
	}
	if err := w.Flush(); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("Flush = %v, want disk full", err)
	}
}

// FuzzWriter holds Writer to encoding/csv: the same bytes for the same
// (neutralised) record.
func FuzzWriter(f *testing.F) {
	f.Add("a", "b,c", "\"q\"", " lead", "\\.", "line\r\nbreak")
	f.Add("", "=1", "\u00a0x", "é", "x\"", "\n")
	f.Fuzz(func(t *testing.T, a, b, c, d, e, g string) {
		rec := []string{a, b, c, d, e, g}
		var got, want strings.Builder
		w := NewWriter(&got)
		if err := w.Write(rec); err != nil {
			t.Fatal(err)
		}
		if err := w.Write(rec[:2]); err != nil {
			t.Fatal(err)
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		cw := csv.NewWriter(&want)
		for _, r := range [][]string{rec, rec[:2]} {
			n := make([]string, len(r))
			for i := range r {
				n[i] = neutralize(r[i])
			}
			if err := cw.Write(n); err != nil {
				t.Skip("encoding/csv refuses it:", err)
			}
		}
		cw.Flush()
		if got.String() != want.String() {
			t.Fatalf("Writer wrote\n%q\nencoding/csv\n%q", got.String(), want.String())
		}
	})
}

func TestWriterWritesInLargeChunks(t *testing.T) {
	var sizes []int
	w := NewWriter(writeFunc(func(p []byte) (int, error) { sizes = append(sizes, len(p)); return len(p), nil }))
	row := []string{strings.Repeat("x", 1000)}
	for range 200 {
		if err := w.Write(row); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	total := 0
	for i, n := range sizes {
		total += n
		if i < len(sizes)-1 && n < writerBuffer {
			t.Errorf("write %d of %d bytes; want at least %d but for the last", i, n, writerBuffer)
		}
	}
	if total != 200*1001 {
		t.Errorf("wrote %d bytes, want %d", total, 200*1001)
	}
}

type writeFunc func([]byte) (int, error)

func (f writeFunc) Write(p []byte) (int, error) { return f(p) }

// BenchmarkWriter writes records shaped like the export's: the uploaded
// columns, then the result columns, mostly short and plain.
func BenchmarkWriter(b *testing.B) {
	rec := []string{"Noah", "Petrov", "noah.petrov4@gmx.de", "Juniper 8433 Analytics", "+1-555-224-7776",
		"17", "ok", "", "valid", "mailbox_not_checked", "mailbox_not_checked", "0.80", "noah.petrov4@gmx.de", "",
		"free_email;mailbox_not_checked", "mx1.gmx.de;mx2.gmx.de", "not_found", "0.00",
		`no company in the reference data matches "Juniper 8433 Analytics"`, "", "", "Juniper 8433 Analytics", "",
		"", "", "", "", "", "", "", "", "", "", "", "", "", ""}
	w := NewWriter(io.Discard)
	b.ReportAllocs()
	for b.Loop() {
		if err := w.Write(rec); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
