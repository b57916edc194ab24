package companydata

import (
	"context"
	_ "embed"
	"fmt"
	"os"
	"path/filepath"
)

// SampleSource marks the companies of the sample dataset.
const SampleSource = "sample"

// sampleCSV is a small generated dataset of fictional companies, all on
// domains under the reserved .example top-level domain, so that a fresh
// install enriches something (sample/contacts.csv is made to match). It is
// not data about real companies.
//
//go:embed sample/companies.csv
var sampleCSV []byte

// ImportSample loads the sample dataset, marked with SampleSource, when
// the companies table is empty; it reports how many companies it loaded
// (0 when there was data already).
func (s *Store) ImportSample(ctx context.Context, n Normalizer) (int64, error) {
	some, err := s.db.NewSelect().Table("companies").Limit(1).Exists(ctx)
	if err != nil {
		return 0, fmt.Errorf("sample companies: %w", err)
	}
	if some {
		return 0, nil
	}
	dir, err := os.MkdirTemp("", "enricher-sample-*")
	if err != nil {
		return 0, fmt.Errorf("sample companies: %w", err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "companies.csv")
	if err := os.WriteFile(path, sampleCSV, 0o600); err != nil {
		return 0, fmt.Errorf("sample companies: %w", err)
	}
	stats, err := s.importFile(ctx, path, FormatCSV, SampleSource, n, nil)
	if err != nil {
		return stats.Rows, fmt.Errorf("sample companies: %w", err)
	}
	return stats.Rows, nil
}
