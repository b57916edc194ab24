package bench

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/uptrace/bun/driver/pgdriver"
)

// removeJob deletes a job and its rows from the PostgreSQL database at
// url, and vacuums the tables they were in. Deleting a million rows can
// take longer than the driver's read timeout (10 s) on a busy machine, and
// a job left behind slows every later run down, so only removeTimeout
// bounds it.
func removeJob(ctx context.Context, url, jobID string) error {
	ctx, cancel := context.WithTimeout(ctx, removeTimeout)
	defer cancel()
	db := sql.OpenDB(pgdriver.NewConnector(pgdriver.WithDSN(url), pgdriver.WithReadTimeout(0)))
	defer db.Close()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("remove job %s: %w", jobID, err)
	}
	defer tx.Rollback() //nolint:errcheck // after Commit it does nothing
	for _, table := range []string{"contacts", "job_batches"} {
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+table+" WHERE job_id = $1", jobID); err != nil {
			return fmt.Errorf("remove job %s from %s: %w", jobID, table, err)
		}
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM jobs WHERE id = $1", jobID); err != nil {
		return fmt.Errorf("remove job %s: %w", jobID, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("remove job %s: %w", jobID, err)
	}
	// Now, rather than in the middle of the next run: autovacuum would
	// otherwise clean up the million deleted rows while the next job runs.
	if _, err := db.ExecContext(ctx, "VACUUM contacts, job_batches"); err != nil {
		return fmt.Errorf("vacuum after removing job %s: %w", jobID, err)
	}
	return nil
}

// removeTimeout bounds the removal of a job and the vacuum after it.
const removeTimeout = 10 * time.Minute
