package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/enricher/enricher/graph"
	"github.com/enricher/enricher/store"
)

// runEnrich enriches one file with the whole pipeline embedded and writes
// the enriched CSV, with a progress bar on stderr.
func runEnrich(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	var output string
	cfg, fs, err := parseConfig("enrich", args, getenv, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&output, "o", "", "where to write the enriched CSV (default FILE with .enriched.csv)")
	})
	if err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("usage: enricher enrich FILE [-o OUT] [--data-dir DIR]")
	}
	input := fs.Arg(0)
	if output == "" {
		output = strings.TrimSuffix(input, filepath.Ext(input)) + ".enriched.csv"
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if !set["log-level"] && getenv("LOG_LEVEL") == "" {
		cfg.logLevel = "warn" // the progress bar says how it goes
	}
	if !set["data-dir"] && getenv("ENRICHER_DATA_DIR") == "" {
		tmp, err := os.MkdirTemp("", "enricher-*")
		if err != nil {
			return fmt.Errorf("temporary data folder: %w", err)
		}
		defer os.RemoveAll(tmp)
		cfg.dataDir = tmp
	}
	log, err := cfg.logger(stderr)
	if err != nil {
		return err
	}
	in, err := os.Open(input)
	if err != nil {
		return err
	}
	defer in.Close()
	st, stop, err := startEmbedded(ctx, cfg, "127.0.0.1:0", log)
	if err != nil {
		return err
	}
	defer stop()
	n, err := newNode(ctx, cfg, log, st, roles{api: true, worker: true, aggregator: true, trim: true})
	if err != nil {
		return err
	}

	// The pipeline runs until the job is done; then it is stopped.
	pipeCtx, stopPipe := context.WithCancel(ctx)
	pipeDone := make(chan error, 1)
	go func() { pipeDone <- n.run(pipeCtx, nil) }()
	defer func() { stopPipe(); <-pipeDone }()

	start := time.Now()
	job, err := n.dispatcher.Submit(ctx, filepath.Base(input), in)
	if err != nil {
		return fmt.Errorf("%s: %w", input, err)
	}
	job, err = follow(ctx, n, st, job, stderr)
	if err != nil {
		return err
	}
	if job.Status == store.JobFailed || job.Status == store.JobCancelled {
		return fmt.Errorf("%s: job %s: %s", input, strings.ToLower(job.Status), job.Error)
	}
	if err := writeFile(ctx, output, st, job); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "enriched %d rows (%d succeeded, %d failed; emails: %d valid, %d invalid) in %s → %s\n",
		job.Processed, job.Succeeded, job.Failed, job.EmailValid, job.EmailInvalid, time.Since(start).Round(time.Millisecond), output)
	return nil
}

// follow shows a job's progress until it ends and returns its final state.
func follow(ctx context.Context, n *node, st *store.Store, job *store.Job, stderr io.Writer) (*store.Job, error) {
	total := -1
	if job.Total != nil {
		total = *job.Total
	}
	bar := progressbar.NewOptions(total, progressbar.OptionSetWriter(stderr), progressbar.OptionSetDescription("enriching"),
		progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionSetItsString("rows"),
		progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionOnCompletion(func() { fmt.Fprintln(stderr) }))
	states, err := n.feed.Follow(ctx, st, job.ID)
	if err != nil {
		return nil, err
	}
	for j := range states {
		job = j
		_ = bar.Set(j.Processed)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("interrupted: %w", err)
	}
	_ = bar.Finish()
	return job, nil
}

// writeFile writes the enriched CSV next to its destination and renames it
// into place, so a failed run leaves no half-written file.
func writeFile(ctx context.Context, path string, st *store.Store, job *store.Job) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".enriched-*.csv")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if err := graph.WriteResults(ctx, tmp, st, job); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
