package companydata

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
)

// File formats of Import.
const (
	FormatPDL = "pdl" // PDL Free Company Dataset, NDJSON
	FormatCSV = "csv" // CSV with a header, see the package documentation
)

const (
	maxExamples = 20      // bad lines kept in ImportStats.Examples
	maxLineLen  = 1 << 20 // longer NDJSON lines are bad lines
	trigramRows = 5000    // company_trigrams rows per INSERT
)

// ImportStats tells what an import did. Rows and Skipped count the whole
// file, including the part imported before a resume; Examples and Elapsed
// are of this call only. Rows counts lines, so a company that appears
// twice in the file counts twice.
type ImportStats struct {
	Rows     int64         // companies written
	Skipped  int64         // bad lines skipped
	Examples []string      // some of the skipped lines: "line 12: reason"
	Resumed  bool          // the import continued from saved progress
	Elapsed  time.Duration // time this call took
}

// importRow is the saved progress of an import.
type importRow struct {
	bun.BaseModel `bun:"table:company_imports"`

	FileKey    string    `bun:"file_key,pk"`
	ByteOffset int64     `bun:"byte_offset"`
	RowCount   int64     `bun:"row_count"`
	Skipped    int64     `bun:"skipped"`
	Done       bool      `bun:"done"`
	UpdatedAt  time.Time `bun:"updated_at"`
}

// companyRow is a row of the companies table.
type companyRow struct {
	bun.BaseModel `bun:"table:companies"`
	Company
	ImportedAt time.Time `bun:"imported_at"`
}

// trigramRow is a row of the company_trigrams table.
type trigramRow struct {
	bun.BaseModel `bun:"table:company_trigrams"`

	Trigram   string `bun:"trigram,pk"`
	CompanyID string `bun:"company_id,pk"`
}

// Import streams the file at path, in format FormatPDL or FormatCSV, into
// the companies table: it inserts or updates the companies (by ID) in
// transactions of a few thousand rows, normalising names and countries
// with n, and calls progress, if not nil, with the bytes read and the rows
// written so far after each one.
//
// Each transaction also saves the progress under a key made of the file's
// path, size and modification time, so that importing the same file again
// after a failure or cancellation continues where it stopped; importing a
// file that was completely imported does nothing.
//
// Bad lines (invalid JSON or CSV, a wrong number of fields, no name) are
// counted, and the first few listed with their line numbers, but do not
// stop the import. The error is that of the file or the database; the
// stats are also valid with an error, counting the rows saved.
//
// On SQLite, Import raises the connection's page cache to 64 MiB.
func (s *Store) Import(ctx context.Context, path, format string, n Normalizer, progress func(bytes, rows int64)) (ImportStats, error) {
	return s.importFile(ctx, path, format, format, n, progress)
}

// importFile is Import with the source its companies are marked with.
func (s *Store) importFile(ctx context.Context, path, format, source string, n Normalizer, progress func(bytes, rows int64)) (stats ImportStats, err error) {
	start := time.Now()
	defer func() { stats.Elapsed = time.Since(start) }()
	defer s.staleMemory()
	if format != FormatPDL && format != FormatCSV {
		return stats, fmt.Errorf("import %s: unknown format %q (want %q or %q)", path, format, FormatPDL, FormatCSV)
	}
	if n == nil {
		return stats, fmt.Errorf("import %s: no normalizer", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return stats, fmt.Errorf("import: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return stats, fmt.Errorf("import: %w", err)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return stats, fmt.Errorf("import %s: %w", path, err)
	}
	saved := importRow{FileKey: fmt.Sprintf("%s|%d|%d", abs, fi.Size(), fi.ModTime().UnixNano())}
	err = s.db.NewSelect().Model(&saved).WherePK().Scan(ctx)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return stats, fmt.Errorf("import %s: read progress: %w", path, err)
	default:
		stats.Resumed = true
	}
	stats.Rows, stats.Skipped = saved.RowCount, saved.Skipped
	if saved.Done {
		return stats, nil
	}

	if s.db.Dialect().Name() == dialect.SQLite {
		// Writes land all over the indexes; with SQLite's default 2 MiB
		// page cache most of their pages would be read back per batch.
		if _, err := s.db.ExecContext(ctx, "PRAGMA cache_size = -65536"); err != nil {
			return stats, fmt.Errorf("import %s: set SQLite cache size: %w", path, err)
		}
	}
	rd, err := newReader(f, fi.Size(), format, saved.ByteOffset)
	if err != nil {
		return stats, fmt.Errorf("import %s: %w", path, err)
	}
	batch := make([]companyRow, 0, s.batchSize)
	grams := make(map[string][]string, s.batchSize)
	defer func() {
		if err != nil { // count only what was saved
			stats.Rows, stats.Skipped = saved.RowCount, saved.Skipped
		}
	}()
	flush := func(done bool) error {
		next := saved
		next.ByteOffset, next.RowCount, next.Skipped, next.Done = rd.offset(), stats.Rows, stats.Skipped, done
		if err := s.writeBatch(ctx, batch, grams, n, &next); err != nil {
			return fmt.Errorf("import %s at byte %d: %w", path, next.ByteOffset, err)
		}
		saved = next
		batch = batch[:0]
		clear(grams)
		if progress != nil {
			progress(saved.ByteOffset, saved.RowCount)
		}
		return nil
	}
	for {
		r, line, bad, err := rd.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return stats, fmt.Errorf("import %s: %w", path, err)
		}
		var c Company
		if bad == "" {
			c, bad = clean(r, source, n)
		}
		if bad != "" {
			stats.Skipped++
			if len(stats.Examples) < maxExamples {
				stats.Examples = append(stats.Examples, fmt.Sprintf("line %d: %s", line, bad))
			}
			continue
		}
		stats.Rows++
		if _, dup := grams[c.ID]; dup {
			// The same company twice in a batch: the last one wins, as it
			// would in separate batches.
			for i := range batch {
				if batch[i].ID == c.ID {
					batch = append(batch[:i], batch[i+1:]...)
					break
				}
			}
		}
		batch = append(batch, companyRow{Company: c})
		grams[c.ID] = dedupe(n.Trigrams(c.NameKey))
		if len(batch) >= s.batchSize {
			if err := flush(false); err != nil {
				return stats, err
			}
		}
	}
	return stats, flush(true)
}

// writeBatch writes a batch of companies and their trigrams, and saves
// the progress, in one transaction. Companies imported before under
// another name key lose the trigrams n gives for the old key.
func (s *Store) writeBatch(ctx context.Context, batch []companyRow, grams map[string][]string, n Normalizer, progress *importRow) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	now := time.Now().UTC()
	// Rows in key order touch each index page once.
	slices.SortFunc(batch, func(a, b companyRow) int { return strings.Compare(a.ID, b.ID) })
	ids := make([]string, len(batch))
	var tris []trigramRow
	for i := range batch {
		batch[i].ImportedAt = now
		ids[i] = batch[i].ID
		for _, g := range grams[batch[i].ID] {
			tris = append(tris, trigramRow{Trigram: g, CompanyID: batch[i].ID})
		}
	}
	slices.SortFunc(tris, func(a, b trigramRow) int {
		return cmp.Or(strings.Compare(a.Trigram, b.Trigram), strings.Compare(a.CompanyID, b.CompanyID))
	})
	progress.UpdatedAt = now
	return s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if len(batch) > 0 {
			var old []Company
			err := tx.NewSelect().Model(&old).ModelTableExpr("companies AS company").
				Column("id", "name_key").Where("id IN (?)", bun.List(ids)).Scan(ctx)
			if err != nil {
				return fmt.Errorf("read companies imported before: %w", err)
			}
			newKey := make(map[string]string, len(batch))
			for _, c := range batch {
				newKey[c.ID] = c.NameKey
			}
			for _, c := range old {
				if c.NameKey == newKey[c.ID] {
					continue
				}
				if og := dedupe(n.Trigrams(c.NameKey)); len(og) > 0 {
					_, err := tx.NewDelete().Model((*trigramRow)(nil)).
						Where("company_id = ? AND trigram IN (?)", c.ID, bun.List(og)).Exec(ctx)
					if err != nil {
						return fmt.Errorf("delete trigrams of %s: %w", c.ID, err)
					}
				}
			}
			q := tx.NewInsert().Model(&batch).On("CONFLICT (id) DO UPDATE")
			for _, col := range []string{"source", "name", "name_key", "domain", "size_min", "size_max", "size_text",
				"locality", "region", "country_code", "country_name", "industry", "linkedin", "founded", "imported_at"} {
				q = q.Set(col + " = EXCLUDED." + col)
			}
			if _, err := q.Exec(ctx); err != nil {
				return fmt.Errorf("write companies: %w", err)
			}
		}
		for len(tris) > 0 {
			chunk := tris[:min(len(tris), trigramRows)]
			tris = tris[len(chunk):]
			if _, err := tx.NewInsert().Model(&chunk).On("CONFLICT DO NOTHING").Exec(ctx); err != nil {
				return fmt.Errorf("write trigrams: %w", err)
			}
		}
		_, err := tx.NewInsert().Model(progress).
			On("CONFLICT (file_key) DO UPDATE").
			Set("byte_offset = EXCLUDED.byte_offset").
			Set("row_count = EXCLUDED.row_count").
			Set("skipped = EXCLUDED.skipped").
			Set("done = EXCLUDED.done").
			Set("updated_at = EXCLUDED.updated_at").
			Exec(ctx)
		if err != nil {
			return fmt.Errorf("save progress: %w", err)
		}
		return nil
	})
}

// clean turns a company as a file gives it into a Company, or says why it
// is a bad line.
func clean(r raw, source string, n Normalizer) (Company, string) {
	name := strings.TrimSpace(r.name)
	if name == "" {
		return Company{}, "no name"
	}
	c := Company{
		Source:   source,
		Name:     name,
		NameKey:  n.Normalize(name),
		Domain:   registrableDomain(r.website),
		SizeText: strings.TrimSpace(r.size),
		Locality: strings.TrimSpace(r.locality),
		Region:   strings.TrimSpace(r.region),
		Industry: strings.TrimSpace(r.industry),
		LinkedIn: strings.TrimSpace(r.linkedin),
		Founded:  foundedYear(r.founded),
	}
	c.SizeMin, c.SizeMax = parseSize(c.SizeText)
	if country := strings.TrimSpace(r.country); country != "" {
		c.CountryName = country
		if code, name, ok := n.Country(country); ok {
			c.CountryCode = strings.ToUpper(code)
			if name != "" {
				c.CountryName = name
			}
		}
	}
	if id := strings.TrimSpace(r.id); id != "" {
		c.ID = source + ":" + id
	} else {
		h := sha256.Sum256([]byte(strings.ToLower(name) + "\x00" + c.Domain + "\x00" + c.CountryCode + "\x00" + strings.ToLower(c.CountryName)))
		c.ID = source + ":" + hex.EncodeToString(h[:12])
	}
	return c, ""
}

// reader reads the records of a file from a byte offset on.
type reader struct {
	next   func() (r raw, line int64, bad string, err error) // io.EOF at the end
	offset func() int64                                      // bytes consumed so far
}

// newReader returns a reader of file f of the given size and format that
// starts at byte offset (0: the beginning).
func newReader(f *os.File, size int64, format string, offset int64) (*reader, error) {
	if format == FormatCSV {
		return newCSVReader(f, size, offset)
	}
	line, err := countLines(f, offset)
	if err != nil {
		return nil, err
	}
	br := bufio.NewReaderSize(io.NewSectionReader(f, offset, size-offset), 256<<10)
	var buf []byte
	next := func() (raw, int64, string, error) {
		for {
			b, err := br.ReadSlice('\n')
			n := len(b)
			if errors.Is(err, bufio.ErrBufferFull) {
				buf = append(buf[:0], b...)
				for errors.Is(err, bufio.ErrBufferFull) {
					b, err = br.ReadSlice('\n')
					n += len(b)
					if len(buf) <= maxLineLen {
						buf = append(buf, b...)
					}
				}
				b = buf
			}
			offset += int64(n)
			if err != nil && err != io.EOF {
				return raw{}, line, "", fmt.Errorf("read line %d: %w", line+1, err)
			}
			if len(b) == 0 && err == io.EOF {
				return raw{}, line, "", io.EOF
			}
			line++
			if n > maxLineLen {
				return raw{}, line, fmt.Sprintf("longer than %d bytes", maxLineLen), nil
			}
			b = bytes.TrimSpace(b)
			if len(b) == 0 {
				continue
			}
			r, perr := parsePDL(b)
			if perr != nil {
				return raw{}, line, "invalid JSON: " + perr.Error(), nil
			}
			return r, line, "", nil
		}
	}
	return &reader{next: next, offset: func() int64 { return offset }}, nil
}

// newCSVReader reads the header of a CSV file, then its records from byte
// offset on (or from after the header).
func newCSVReader(f *os.File, size, offset int64) (*reader, error) {
	hr := csv.NewReader(io.NewSectionReader(f, 0, size))
	hr.FieldsPerRecord = -1
	header, err := hr.Read()
	if err == io.EOF {
		return &reader{
			next:   func() (raw, int64, string, error) { return raw{}, 0, "", io.EOF },
			offset: func() int64 { return size },
		}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read CSV header: %w", err)
	}
	idx, ok := csvHeader(header)
	if !ok {
		return nil, fmt.Errorf("CSV header %q has no name column", strings.Join(header, ","))
	}
	width := len(header)
	offset = max(offset, hr.InputOffset())
	base, err := countLines(f, offset)
	if err != nil {
		return nil, err
	}
	cr := csv.NewReader(bufio.NewReaderSize(io.NewSectionReader(f, offset, size-offset), 256<<10))
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	next := func() (raw, int64, string, error) {
		rec, err := cr.Read()
		var perr *csv.ParseError
		switch {
		case err == io.EOF:
			return raw{}, 0, "", io.EOF
		case errors.As(err, &perr):
			return raw{}, base + int64(perr.StartLine), perr.Err.Error(), nil
		case err != nil:
			return raw{}, 0, "", fmt.Errorf("read CSV: %w", err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != width {
			return raw{}, base + int64(line), fmt.Sprintf("%d fields, header has %d", len(rec), width), nil
		}
		return parseCSV(rec, idx), base + int64(line), "", nil
	}
	return &reader{next: next, offset: func() int64 { return offset + cr.InputOffset() }}, nil
}

// countLines counts the line feeds in the first n bytes of f, the number
// of lines before byte n when a line starts there.
func countLines(f *os.File, n int64) (int64, error) {
	if n == 0 {
		return 0, nil
	}
	var count int64
	buf := make([]byte, 1<<20)
	r := io.NewSectionReader(f, 0, n)
	for {
		k, err := r.Read(buf)
		count += int64(bytes.Count(buf[:k], []byte{'\n'}))
		if err == io.EOF {
			return count, nil
		}
		if err != nil {
			return 0, fmt.Errorf("count lines: %w", err)
		}
	}
}
