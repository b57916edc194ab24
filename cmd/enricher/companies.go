package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/enricher/enricher/companydata"
	"github.com/enricher/enricher/processors/companymatch"
	"github.com/enricher/enricher/store"
)

// runCompanies runs `enricher companies import FILE`: it loads reference
// company data into the database (DATABASE_URL, or the embedded one in
// --data-dir), streaming, in batches, resuming an interrupted import.
func runCompanies(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "import" {
		return errors.New("usage: enricher companies import FILE [--format pdl|csv] [--data-dir DIR | --database-url URL]")
	}
	var format string
	cfg, fs, err := parseConfig("companies import", args[1:], getenv, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&format, "format", "", "pdl (People Data Labs NDJSON) or csv; default from the file name")
	})
	if err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("usage: enricher companies import FILE [--format pdl|csv]")
	}
	path := fs.Arg(0)
	if format == "" {
		format = companydata.FormatPDL
		if strings.EqualFold(filepath.Ext(path), ".csv") {
			format = companydata.FormatCSV
		}
	}
	log, err := cfg.logger(stderr)
	if err != nil {
		return err
	}
	st, err := openDataStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer st.Close()
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	bar := progressbar.NewOptions64(info.Size(), progressbar.OptionSetWriter(stderr), progressbar.OptionShowBytes(true),
		progressbar.OptionSetDescription("importing "+filepath.Base(path)), progressbar.OptionThrottle(200*time.Millisecond),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(stderr) }))
	stats, err := companydata.New(st.DB()).Import(ctx, path, format, companymatch.Keys{}, func(bytes, rows int64) {
		_ = bar.Set64(bytes)
		bar.Describe(fmt.Sprintf("importing %s: %d companies", filepath.Base(path), rows))
	})
	if err != nil {
		return fmt.Errorf("import %s: %w", path, err)
	}
	_ = bar.Finish()
	resumed := ""
	if stats.Resumed {
		resumed = " (resumed)"
	}
	fmt.Fprintf(stderr, "imported %d companies from %s in %s%s; %d lines skipped\n", stats.Rows, path, stats.Elapsed.Round(time.Millisecond), resumed, stats.Skipped)
	for _, e := range stats.Examples {
		fmt.Fprintln(stderr, "  skipped", e)
	}
	return nil
}

// loadSample loads the fictional sample companies into an empty embedded
// store, when the config asks for it, and says so.
func loadSample(ctx context.Context, cfg *config, st *store.Store, log *slog.Logger) error {
	if !cfg.sampleCompanies {
		return nil
	}
	n, err := companydata.New(st.DB()).ImportSample(ctx, companymatch.Keys{})
	if err != nil {
		return err
	}
	if n > 0 {
		log.Info("loaded the sample companies: fictional, on .example domains; `enricher companies import` loads real ones",
			"companies", n, "source", "reference_dataset:"+companydata.SampleSource)
	}
	return nil
}
