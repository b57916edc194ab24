package bench

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/driver/pgdriver"
)

// CopyResult is the COPY floor: the enriched rows loaded into PostgreSQL
// in one COPY, the least any design that stores its results must spend.
type CopyResult struct {
	Rows       int64   `json:"rows"`
	Seconds    float64 `json:"seconds"`
	RowsPerSec float64 `json:"rows_per_sec"`
}

// CopyFloor loads the CSV at path (header first) into a new table of text
// columns in the PostgreSQL database at url with COPY FROM STDIN, timing
// the COPY alone, and drops the table again.
func CopyFloor(ctx context.Context, url, path string) (CopyResult, error) {
	if !strings.HasPrefix(url, "postgres://") && !strings.HasPrefix(url, "postgresql://") {
		return CopyResult{}, fmt.Errorf("copy floor: %q is not a PostgreSQL URL", url)
	}
	header, err := readHeader(path)
	if err != nil {
		return CopyResult{}, fmt.Errorf("copy floor: %w", err)
	}
	// The server answers a COPY only when it has stored every row, which
	// can take longer than the driver's read timeout (10 s); ctx bounds it.
	sqldb := sql.OpenDB(pgdriver.NewConnector(pgdriver.WithDSN(url), pgdriver.WithReadTimeout(0)))
	db := bun.NewDB(sqldb, pgdialect.New())
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return CopyResult{}, fmt.Errorf("copy floor: connect: %w", err)
	}
	defer conn.Close()

	table := "bench_copy_" + strconv.FormatInt(time.Now().UnixNano(), 36)
	cols := make([]string, len(header))
	for i := range header {
		cols[i] = "c" + strconv.Itoa(i) + " text"
	}
	if _, err := conn.ExecContext(ctx, "CREATE TABLE "+table+" ("+strings.Join(cols, ", ")+")"); err != nil {
		return CopyResult{}, fmt.Errorf("copy floor: create table: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "DROP TABLE IF EXISTS "+table)

	f, err := os.Open(path)
	if err != nil {
		return CopyResult{}, fmt.Errorf("copy floor: %w", err)
	}
	defer f.Close()
	start := time.Now()
	res, err := pgdriver.CopyFrom(ctx, conn, bufio.NewReaderSize(f, 1<<20), "COPY "+table+" FROM STDIN WITH (FORMAT csv, HEADER true)")
	elapsed := time.Since(start)
	if err != nil {
		return CopyResult{}, fmt.Errorf("copy floor: COPY: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return CopyResult{}, fmt.Errorf("copy floor: %w", err)
	}
	return CopyResult{Rows: n, Seconds: elapsed.Seconds(), RowsPerSec: rate(n, elapsed)}, nil
}

// readHeader returns the first record of the CSV at path.
func readHeader(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	h, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("header of %s: %w", path, err)
	}
	return h, nil
}

// CountCSV returns the data rows (records after the header) of the CSV at
// path, and how many distinct row numbers from 1 to maxRow its "row"
// column holds.
func CountCSV(path string, maxRow int) (rows, distinct int64, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	r := csv.NewReader(bufio.NewReaderSize(f, 1<<20))
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	header, err := r.Read()
	if err != nil {
		return 0, 0, fmt.Errorf("count %s: %w", path, err)
	}
	col := -1
	for i, h := range header {
		if h == "row" {
			col = i
			break
		}
	}
	seen := make([]bool, maxRow+1)
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return rows, distinct, fmt.Errorf("count %s: %w", path, err)
		}
		rows++
		if col >= 0 && col < len(rec) {
			if n, err := strconv.Atoi(rec[col]); err == nil && n >= 1 && n <= maxRow && !seen[n] {
				seen[n] = true
				distinct++
			}
		}
	}
	return rows, distinct, nil
}

func rate(n int64, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}
