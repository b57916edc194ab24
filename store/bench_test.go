package store_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/enricher/enricher/internal/fixture"
	"github.com/enricher/enricher/schema"
)

// benchBatches and benchPerBatch are the shape of the benchmarks' job: 64
// result records of 500 contacts, stored in polls of benchPoll records
// (the aggregator's default poll).
const (
	benchBatches  = 64
	benchPerBatch = 500
	benchPoll     = 32
)

// decodeRecord reads a results-topic record the way the aggregator does.
func decodeRecord(value []byte) (schema.RawResultBatch, error) {
	var b schema.RawResultBatch
	err := schema.DecodeRawResultBatch(value, &b)
	return b, err
}

// BenchmarkApplyResults measures the aggregator's work on one job of
// benchBatches×benchPerBatch contacts: decoding the result records
// ("decode"), storing them in polls of benchPoll ("store"), and both
// ("decode+store"). SQLite, or PostgreSQL when ENRICHER_INTEGRATION=1.
func BenchmarkApplyResults(b *testing.B) {
	ctx := context.Background()
	s := open(b)
	rows := float64(benchBatches * benchPerBatch)
	records := func(job string) [][]byte {
		var out [][]byte
		for _, rb := range fixture.Results(job, benchBatches, benchPerBatch, 1) {
			v, err := json.Marshal(rb)
			if err != nil {
				b.Fatal(err)
			}
			out = append(out, v)
		}
		return out
	}
	decodeAll := func(recs [][]byte) []schema.RawResultBatch {
		out := make([]schema.RawResultBatch, len(recs))
		for i, v := range recs {
			rb, err := decodeRecord(v)
			if err != nil {
				b.Fatal(err)
			}
			out[i] = rb
		}
		return out
	}
	store := func(batches []schema.RawResultBatch) {
		for i := 0; i < len(batches); i += benchPoll {
			if _, err := s.ApplyResults(ctx, batches[i:min(i+benchPoll, len(batches))]); err != nil {
				b.Fatal(err)
			}
		}
	}
	newJob := func() string {
		j, err := s.CreateJob(ctx, "", "bench.csv", fixture.Columns)
		if err != nil {
			b.Fatal(err)
		}
		return j.ID
	}
	report := func(b *testing.B) {
		b.ReportMetric(rows*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	}

	b.Run("decode", func(b *testing.B) {
		recs := records("job")
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			decodeAll(recs)
		}
		report(b)
	})
	b.Run("store", func(b *testing.B) {
		b.ReportAllocs()
		b.StopTimer()
		for range b.N {
			batches := decodeAll(records(newJob()))
			b.StartTimer()
			store(batches)
			b.StopTimer()
		}
		report(b)
	})
	b.Run("decode+store", func(b *testing.B) {
		b.ReportAllocs()
		b.StopTimer()
		for range b.N {
			recs := records(newJob())
			b.StartTimer()
			store(decodeAll(recs))
			b.StopTimer()
		}
		report(b)
	})
}
