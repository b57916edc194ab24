package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/enricher/enricher/internal/bench"
	"github.com/enricher/enricher/internal/testenv"
)

// TestBench runs a tiny benchmark on the embedded stack, the processes
// being this test binary (see TestMain), and checks its figures.
func TestBench(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the pipeline in a child process")
	}
	const rows, domains = 2000, 300
	rep, raw, stdout := runBenchTest(t, func(string) string { return "" },
		"--rows", "2000", "--domains", "300", "--stack", "embedded", "--json")
	if !bytes.Equal(bytes.TrimSpace(raw), bytes.TrimSpace([]byte(stdout))) {
		t.Errorf("--json printed something else than the --out file")
	}
	if rep.File.Rows != rows || rep.File.Work+rep.File.Webmail+rep.File.Broken != rows {
		t.Errorf("file = %+v, want %d rows", rep.File, rows)
	}
	if len(rep.Stacks) != 1 {
		t.Fatalf("stacks = %+v, want the embedded one", rep.Stacks)
	}
	s := rep.Stacks[0]
	if s.Stack != bench.StackEmbedded || s.Error != "" || s.Status != "SUCCEEDED" {
		t.Fatalf("stack = %+v", s)
	}
	if s.Total != rows || s.Processed != rows || s.ExportRows != rows || s.ExportDistinct != rows {
		t.Errorf("total %d, processed %d, exported %d (%d distinct), want %d each", s.Total, s.Processed, s.ExportRows, s.ExportDistinct, rows)
	}
	// DNS is asked per domain, not per contact: the company domains, the
	// providers, and A/AAAA for domains without MX.
	if s.DNSQueries == 0 || s.DNSQueries > int64(2*rep.File.DomainsInFile+50) {
		t.Errorf("DNS queries = %d for %d company domains", s.DNSQueries, rep.File.DomainsInFile)
	}
	if s.IngestSecs <= 0 || s.E2ESecs < s.IngestSecs || s.ExportSecs <= 0 || s.E2ERowsPerSec <= 0 {
		t.Errorf("timings: ingest %v s, end to end %v s, export %v s", s.IngestSecs, s.E2ESecs, s.ExportSecs)
	}
	if len(s.Processes) != 1 || s.Processes[0].PeakRSS <= 0 || s.Processes[0].JobCPUSecs <= 0 {
		t.Errorf("processes = %+v, want the dev process with its peak RSS and CPU time", s.Processes)
	}
	// The counters tick every 10 ms, the machine's and a process's each in
	// its own way: over this short job only that they were read is sure.
	if s.CPU == nil || s.CPU.MachineSecs <= 0 || s.CPU.BenchSecs < 0 || s.CPU.OtherSecs < 0 {
		t.Errorf("CPU during the job = %+v, want the machine's read", s.CPU)
	}
	batches := 0
	for _, w := range s.Workers {
		batches += w.Batches
	}
	if batches != s.Batches || batches == 0 {
		t.Errorf("worker shares %+v do not add up to %d batches", s.Workers, s.Batches)
	}
	if s.Copy != nil || s.CopySkipped == "" {
		t.Errorf("without DATABASE_URL the COPY floor is skipped, got %+v %q", s.Copy, s.CopySkipped)
	}
}

// The generated file is the same for the same seed, and has the shares
// of work, webmail and broken addresses it promises.
func TestBenchGenerateDeterministic(t *testing.T) {
	cfg := bench.GenConfig{Rows: 5000, Domains: 1000, Seed: 7}
	var a, b bytes.Buffer
	st, err := bench.Generate(&a, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bench.Generate(&b, cfg); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("two files of the same seed differ")
	}
	if st.Bytes != int64(a.Len()) {
		t.Errorf("bytes = %d, wrote %d", st.Bytes, a.Len())
	}
	share := func(n int) float64 { return float64(n) / float64(cfg.Rows) }
	if w, m, x := share(st.Work), share(st.Webmail), share(st.Broken); w < 0.66 || w > 0.74 || m < 0.22 || m > 0.28 || x < 0.03 || x > 0.07 {
		t.Errorf("shares work %.2f webmail %.2f broken %.2f, want about 0.70 0.25 0.05", w, m, x)
	}
	if st.DomainsInFile == 0 || st.DomainsInFile >= st.Work {
		t.Errorf("%d distinct domains for %d work addresses: not skewed", st.DomainsInFile, st.Work)
	}
	if _, err := bench.Generate(io.Discard, bench.GenConfig{Rows: 1, Domains: 1000, Seed: 8}); err != nil {
		t.Fatal(err)
	}
}

// On the real services, the benchmark runs the file once through a stack
// of its own before the measured run, unless told not to, and reports how
// the warm-up went.
func TestBenchRealStackWarmup(t *testing.T) {
	if !testenv.Integration() {
		t.Skip("the real stack needs the real Kafka and PostgreSQL (make test-integration)")
	}
	env := map[string]string{
		"KAFKA_BROKERS": strings.Join(testenv.Brokers(t), ","),
		"DATABASE_URL":  testenv.DatabaseURL(t),
	}
	const rows = 2000
	for _, warmup := range []bool{true, false} {
		t.Run(fmt.Sprintf("warmup=%v", warmup), func(t *testing.T) {
			rep, _, stdout := runBenchTest(t, func(k string) string { return env[k] },
				"--rows", strconv.Itoa(rows), "--domains", "300", "--stack", "real", "--warmup="+strconv.FormatBool(warmup))
			if len(rep.Stacks) != 1 || rep.Stacks[0].Stack != bench.StackReal {
				t.Fatalf("stacks = %+v, want the real one", rep.Stacks)
			}
			s := rep.Stacks[0]
			if s.Status != "SUCCEEDED" || s.Processed != rows || s.ExportDistinct != rows || s.Copy == nil {
				t.Errorf("measured run: %s, %d processed, %d exported, floor %+v", s.Status, s.Processed, s.ExportDistinct, s.Copy)
			}
			switch {
			case !warmup && s.Warmup != nil:
				t.Errorf("--warmup=false ran a warm-up: %+v", s.Warmup)
			case warmup && (s.Warmup == nil || s.Warmup.Status != "SUCCEEDED" || s.Warmup.E2ESecs <= 0 || s.Warmup.Error != ""):
				t.Errorf("warm-up = %+v, want a job that succeeded", s.Warmup)
			case warmup && !strings.Contains(stdout, "warm-up"):
				t.Errorf("the table does not say how the warm-up went:\n%s", stdout)
			}
		})
	}
}

// runBenchTest runs `enricher bench` with args in a folder of the test's,
// the processes it starts being this test binary (see TestMain), and
// returns the report of its --out file, that file, and what it printed.
func runBenchTest(t *testing.T, getenv func(string) string, args ...string) (rep bench.Report, raw []byte, stdout string) {
	t.Helper()
	t.Setenv("ENRICHER_E2E_MAIN", "1") // the child processes run main
	dir := t.TempDir()
	out := filepath.Join(dir, "figures.json")
	args = append([]string{"bench", "--dns-delay", "1ms", "--timeout", "3m",
		"--work-dir", filepath.Join(dir, "work"), "--out", out}, args...)
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	var buf bytes.Buffer
	if err := run(ctx, args, getenv, nil, &buf, testWriter{t}); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &rep); err != nil {
		t.Fatal(err)
	}
	return rep, raw, buf.String()
}
