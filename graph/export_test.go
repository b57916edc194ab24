package graph

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/enricher/enricher/contactcsv"
	"github.com/enricher/enricher/internal/fixture"
	"github.com/enricher/enricher/internal/testenv"
	"github.com/enricher/enricher/schema"
	"github.com/enricher/enricher/store"
)

// exportStore returns a store holding one finished job of n batches of
// perBatch fixture contacts.
func exportStore(tb testing.TB, n, perBatch int) (*store.Store, *store.Job) {
	tb.Helper()
	ctx := context.Background()
	st := testenv.Store(tb)
	job, err := st.CreateJob(ctx, "", "fixture.csv", fixture.Columns)
	if err != nil {
		tb.Fatal(err)
	}
	batches, err := fixture.Raw(fixture.Results(job.ID, n, perBatch, 7)...)
	if err != nil {
		tb.Fatal(err)
	}
	for i := 0; i < len(batches); i += 32 {
		if _, err := st.ApplyResults(ctx, batches[i:min(i+32, len(batches))]); err != nil {
			tb.Fatal(err)
		}
	}
	if job, err = st.FinishUpload(ctx, job.ID, n*perBatch, n); err != nil {
		tb.Fatal(err)
	}
	return st, job
}

// referenceResults is the export as it was written from fully decoded
// contacts (store.Contacts, the GraphQL listing), before the export read
// the JSON columns itself: the output WriteResults must keep byte for byte.
func referenceResults(ctx context.Context, w io.Writer, st *store.Store, job *store.Job) error {
	cw := contactcsv.NewWriter(w)
	if err := cw.Write(append(append([]string{}, job.Columns...), ResultColumns...)); err != nil {
		return err
	}
	after := 0
	for {
		page, err := st.Contacts(ctx, job.ID, 1000, after, store.ContactFilter{})
		if err != nil {
			return err
		}
		more := len(page) > 1000
		if more {
			page = page[:1000]
		}
		for i := range page {
			c := &page[i]
			var rec []string
			for i := range job.Columns {
				v := ""
				if i < len(c.Fields) {
					v = c.Fields[i]
				}
				rec = append(rec, v)
			}
			rec = append(rec, strconv.Itoa(c.Row), c.Status, c.Error)
			if e := c.EmailResult; e != nil {
				rec = append(rec, e.Status, e.Reason, strings.Join(e.Reasons, ";"), strconv.FormatFloat(e.Score, 'f', 2, 64),
					e.Normalized, e.DidYouMean, strings.Join(e.Flags, ";"), strings.Join(e.MX, ";"))
			} else {
				rec = append(rec, "", "", "", "", "", "", "", "")
			}
			rec = append(rec, referenceCompany(c.CompanyResult)...)
			if err := cw.Write(rec); err != nil {
				return err
			}
		}
		if !more {
			return cw.Flush()
		}
		after = page[len(page)-1].Row
	}
}

func referenceCompany(c *schema.CompanyResult) []string {
	if c == nil {
		return make([]string, 22)
	}
	src := func(field string) string {
		p, ok := c.Fields[field]
		if !ok {
			return ""
		}
		return fmt.Sprintf("%s/%s/%.2f", p.Source, p.Method, p.Confidence)
	}
	num := func(n int) string {
		if n == 0 {
			return ""
		}
		return strconv.Itoa(n)
	}
	domainSource := ""
	if c.Domain != "" {
		domainSource = c.Source + "/" + c.Method
	}
	return []string{c.Status, strconv.FormatFloat(c.Confidence, 'f', 2, 64), c.Reason, c.Domain, domainSource,
		c.Name, src("name"), c.Size, num(c.SizeMin), num(c.SizeMax), src("size"),
		c.Locality, c.Region, c.CountryCode, c.CountryName, src("location"),
		c.Industry, src("industry"), c.LinkedIn, src("linkedin"), num(c.Founded), src("founded")}
}

// TestExportMatchesReference checks the export of a varied job (every
// status, failed rows, missing results, provenance, short rows, values CSV
// quotes or neutralises) against the reference export, byte for byte, over
// more than one page.
func TestExportMatchesReference(t *testing.T) {
	ctx := context.Background()
	st, job := exportStore(t, 6, 500)
	var got, want bytes.Buffer
	if err := WriteResults(ctx, &got, st, job); err != nil {
		t.Fatal(err)
	}
	if err := referenceResults(ctx, &want, st, job); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(got.Bytes())).ReadAll()
	if err != nil || len(recs) != 3001 {
		t.Fatalf("export has %d records (%v), want 3001", len(recs), err)
	}
	if !bytes.Equal(got.Bytes(), want.Bytes()) {
		g, w := strings.Split(got.String(), "\n"), strings.Split(want.String(), "\n")
		for i := range min(len(g), len(w)) {
			if g[i] != w[i] {
				t.Fatalf("export differs from the reference at line %d:\n got %q\nwant %q", i+1, g[i], w[i])
			}
		}
		t.Fatalf("export has %d lines, the reference %d", len(g), len(w))
	}
}

// BenchmarkExport measures WriteResults of a job of 64×500 contacts.
// SQLite, or PostgreSQL when ENRICHER_INTEGRATION=1.
func BenchmarkExport(b *testing.B) {
	ctx := context.Background()
	st, job := exportStore(b, 64, 500)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if err := WriteResults(ctx, io.Discard, st, job); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(*job.Total)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
