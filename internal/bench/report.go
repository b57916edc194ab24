package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
)

// WriteJSON writes the report as indented JSON to w.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("bench: write JSON: %w", err)
	}
	return nil
}

// SaveJSON writes the report as JSON to path, creating its folder.
func (r *Report) SaveJSON(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	if err := r.WriteJSON(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	return nil
}

// WriteTable writes the report as a table readable in a terminal.
func (r *Report) WriteTable(w io.Writer) error {
	fmt.Fprintf(w, "enricher bench  %s  %s, %d CPUs\n", r.Started.Format("2006-01-02 15:04:05Z"), r.GoVersion, r.CPUs)
	fmt.Fprintf(w, "file: %d rows (%d work, %d webmail, %d broken), %.1f MB, %d of %d company domains occur, seed %d; generated in %.1f s; DNS delay %.1f ms\n\n",
		r.File.Rows, r.File.Work, r.File.Webmail, r.File.Broken, float64(r.File.Bytes)/1e6, r.File.DomainsInFile, r.Domains, r.Seed, r.GenerateSecs, r.DNSDelayMS)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, s := range r.Stacks {
		fmt.Fprintf(tw, "stack %s\t\n", s.Stack)
		if s.Warmup != nil {
			fmt.Fprintf(tw, "  warm-up\t%s\n", warmupLine(s.Warmup))
		}
		switch {
		case s.Skipped != "":
			fmt.Fprintf(tw, "  skipped\t%s\n", s.Skipped)
			continue
		case s.Error != "" && s.JobID == "":
			fmt.Fprintf(tw, "  error\t%s\n", oneLine(s.Error))
			continue
		}
		fmt.Fprintf(tw, "  job\t%s %s: %d rows, %d batches, %d processed, %d failed\n", s.JobID, s.Status, s.Total, s.Batches, s.Processed, s.Failed)
		fmt.Fprintf(tw, "  ingest\t%7.2f s  %10.0f rows/s\n", s.IngestSecs, s.IngestRowsPerSec)
		fmt.Fprintf(tw, "  end to end\t%7.2f s  %10.0f contacts/s\n", s.E2ESecs, s.E2ERowsPerSec)
		fmt.Fprintf(tw, "  export\t%7.2f s  %10.0f rows/s  (%d rows, %d distinct, %.1f MB)\n", s.ExportSecs, s.ExportRowsPerSec, s.ExportRows, s.ExportDistinct, float64(s.ExportBytes)/1e6)
		if s.Copy != nil {
			fmt.Fprintf(tw, "  COPY floor\t%7.2f s  %10.0f rows/s  end to end / COPY = %.1f\n", s.Copy.Seconds, s.Copy.RowsPerSec, s.CopyRatio)
		} else {
			fmt.Fprintf(tw, "  COPY floor\tskipped: %s\n", oneLine(s.CopySkipped))
		}
		if s.Lag != nil && s.Lag.Samples > 0 {
			done := "no sample saw the workers done before the job ended"
			if s.Lag.WorkersDoneSecs > 0 {
				done = fmt.Sprintf("workers done at %.2f s", s.Lag.WorkersDoneSecs)
			}
			fmt.Fprintf(tw, "  lag\tmax %d batch records before the workers, max %d result records before the aggregator; %s\n",
				s.Lag.MaxBatches, s.Lag.MaxResults, done)
		}
		if s.CPU != nil {
			fmt.Fprintf(tw, "  CPU during the job\t%s\n", cpuLine(s, r.CPUs))
		}
		fmt.Fprintf(tw, "  DNS queries\t%d  (%d company domains in the file)\n", s.DNSQueries, r.File.DomainsInFile)
		for _, p := range s.Processes {
			extra := ""
			if p.ExitProblem != "" {
				extra = "  (" + oneLine(p.ExitProblem) + ")"
			}
			fmt.Fprintf(tw, "  peak RSS %s\t%7.1f MiB%s\n", p.Name, float64(p.PeakRSS)/(1<<20), extra)
		}
		for _, wk := range s.Workers {
			fmt.Fprintf(tw, "  share %s\t%5.1f%% of batches  (%d batches, %d rows)\n", wk.Worker, 100*wk.Share, wk.Batches, wk.Rows)
		}
		if s.Error != "" {
			fmt.Fprintf(tw, "  error\t%s\n", oneLine(s.Error))
		}
		if s.CleanupError != "" {
			fmt.Fprintf(tw, "  not removed\t%s\n", oneLine(s.CleanupError))
		}
	}
	fmt.Fprintf(tw, "peak RSS bench\t%7.1f MiB\n", float64(r.BenchPeakRSS)/(1<<20))
	return tw.Flush()
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// cpuLine says where the CPU time of the job went.
func cpuLine(s StackResult, cpus int) string {
	c := s.CPU
	var b strings.Builder
	fmt.Fprintf(&b, "%.1f s", c.MachineSecs)
	if cpus > 0 && s.E2ESecs > 0 {
		fmt.Fprintf(&b, " of %d CPUs × %.1f s (%.0f%%)", cpus, s.E2ESecs, 100*c.MachineSecs/(float64(cpus)*s.E2ESecs))
	}
	b.WriteString(":")
	for _, p := range s.Processes {
		fmt.Fprintf(&b, " %s %.1f,", p.Name, p.JobCPUSecs)
	}
	rest := "Kafka, PostgreSQL, other work"
	if s.Stack == StackEmbedded {
		rest = "other work"
	}
	fmt.Fprintf(&b, " this benchmark %.1f, the rest %.1f (%s)", c.BenchSecs, c.OtherSecs, rest)
	return b.String()
}

// warmupLine says how the warm-up went.
func warmupLine(w *Warmup) string {
	if w.Error != "" {
		return "failed: " + oneLine(w.Error)
	}
	return fmt.Sprintf("%.2f s end to end (%s): the same file through a stack of its own first, its figures not kept", w.E2ESecs, w.Status)
}
