package companydata_test

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/enricher/enricher/companydata"
)

// BenchmarkImport imports a generated PDL-like NDJSON file of
// COMPANYDATA_BENCH_ROWS rows (default 100,000) into a fresh database per
// iteration, and reports rows/s and the peak heap in use.
// COMPANYDATA_BENCH_BATCH sets the rows per transaction.
//
//	COMPANYDATA_BENCH_ROWS=1000000 go test -run '^$' -bench Import -benchtime 1x ./companydata
func BenchmarkImport(b *testing.B) {
	rows := 100_000
	if v := os.Getenv("COMPANYDATA_BENCH_ROWS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			b.Fatalf("COMPANYDATA_BENCH_ROWS=%q: want a positive number", v)
		}
		rows = n
	}
	path := filepath.Join(b.TempDir(), "companies.json")
	if err := generatePDL(path, rows); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	var peak uint64
	var elapsed time.Duration
	for range b.N {
		b.StopTimer()
		s, _ := open(b)
		if v, _ := strconv.Atoi(os.Getenv("COMPANYDATA_BENCH_BATCH")); v > 0 {
			s.SetBatchSize(v)
		}
		runtime.GC()
		b.StartTimer()
		var ms runtime.MemStats
		stats, err := s.Import(context.Background(), path, companydata.FormatPDL, simple{}, func(_, _ int64) {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
		})
		if err != nil {
			b.Fatal(err)
		}
		if stats.Rows != int64(rows) {
			b.Fatalf("imported %d rows, want %d", stats.Rows, rows)
		}
		elapsed += stats.Elapsed
	}
	b.ReportMetric(float64(rows)*float64(b.N)/elapsed.Seconds(), "rows/s")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
}

// generatePDL writes n deterministic PDL-like NDJSON lines to path.
func generatePDL(path string, n int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	rnd := rand.New(rand.NewPCG(1, 2))
	words := []string{"acme", "global", "tech", "solutions", "blue", "river", "systems", "labs", "north", "partners",
		"data", "green", "media", "health", "capital", "group", "digital", "consulting", "energy", "logistics"}
	sizes := []string{"1-10", "11-50", "51-200", "201-500", "501-1000", "1001-5000", "5001-10000", "10001+"}
	countries := []string{"united states", "germany", "united kingdom", "france", "india", "brazil"}
	for i := range n {
		name := fmt.Sprintf("%s %s %s %d", words[rnd.IntN(len(words))], words[rnd.IntN(len(words))], words[rnd.IntN(len(words))], i)
		website := "null"
		if rnd.IntN(3) > 0 {
			website = fmt.Sprintf(`"%s%d.com"`, words[rnd.IntN(len(words))], i)
		}
		founded := "null"
		if rnd.IntN(3) == 0 {
			founded = strconv.Itoa(1900 + rnd.IntN(125))
		}
		fmt.Fprintf(w, `{"id":"%016x","name":"%s","website":%s,"founded":%s,"size":"%s","locality":"springfield","region":"state","country":"%s","industry":"computer software","linkedin_url":"linkedin.com/company/c%d"}`+"\n",
			rnd.Uint64(), name, website, founded, sizes[rnd.IntN(len(sizes))], countries[rnd.IntN(len(countries))], i)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
