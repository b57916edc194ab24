package streams

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/enricher/enricher/contactcsv"
	"github.com/enricher/enricher/internal/bench"
	"github.com/enricher/enricher/processors"
	"github.com/enricher/enricher/processors/dnscheck"
	"github.com/enricher/enricher/processors/emailsyntax"
	"github.com/enricher/enricher/processors/emailverify"
	"github.com/enricher/enricher/schema"
)

// BenchmarkEnrich is a worker's own work for a batch record of 500
// contacts of the benchmark's file (50,000 rows over 5,000 company
// domains): reading the record, verifying the emails, resolving the
// companies and writing the result record, with every domain already in
// the DNS cache, as for most batches of a large job.
func BenchmarkEnrich(b *testing.B) {
	const rows, domains, batch = 50000, 5000, 500
	srv, err := bench.StartDNS(domains, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	resolver, err := dnscheck.New(dnscheck.Config{Server: srv.Addr(), AllowPrivate: true})
	if err != nil {
		b.Fatal(err)
	}
	verifier, err := emailverify.New(emailverify.Config{DNS: resolver, Syntax: emailsyntax.Options{AllowSpecialUse: true}})
	if err != nil {
		b.Fatal(err)
	}
	w := &Worker{
		Topics:    Topics{Results: "results", DeadLetter: "dead-letter"},
		Processor: processors.Enricher{Email: verifier, Companies: &processors.Companies{}},
		Name:      "bench", Timeout: time.Minute, Log: slog.New(slog.DiscardHandler),
	}
	records := benchRecords(b, rows, domains, batch)
	ctx := context.Background()
	for _, rec := range records { // fill the DNS cache
		out, release := w.enrich(ctx, rec)
		var rb schema.ResultBatch
		if err := schema.Unmarshal(out.Value, &rb); err != nil {
			b.Fatal(err)
		}
		for _, r := range rb.Results {
			if r.Status != schema.StatusOK {
				b.Fatalf("row %d failed: %s", r.Input.Row, r.Error)
			}
		}
		release()
	}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		out, release := w.enrich(ctx, records[n%len(records)])
		if out.Topic != w.Topics.Results {
			b.Fatalf("batch %d went to %s", n, out.Topic)
		}
		release()
		n++
	}
	b.ReportMetric(float64(n*batch)/b.Elapsed().Seconds(), "contacts/s")
}

// benchRecords are the batch records of the benchmark's file of rows
// rows, batch contacts each, read and made into contacts as an upload's.
func benchRecords(b *testing.B, rows, domains, batch int) []*kgo.Record {
	var file bytes.Buffer
	if _, err := bench.Generate(&file, bench.GenConfig{Rows: rows, Domains: domains, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	rd, err := contactcsv.NewReader(&file, contactcsv.Options{})
	if err != nil {
		b.Fatal(err)
	}
	named := contactcsv.NamedColumns(rd.Header())
	var records []*kgo.Record
	cb := schema.ContactBatch{Version: schema.RecordVersion, JobID: "bench"}
	for {
		row, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			b.Fatal(err)
		}
		cb.Contacts = append(cb.Contacts, contact(row, named))
		if len(cb.Contacts) == batch {
			value, err := schema.Marshal(cb)
			if err != nil {
				b.Fatal(err)
			}
			records = append(records, &kgo.Record{Value: value})
			cb.BatchNo++
			cb.Contacts = nil
		}
	}
	return records
}
