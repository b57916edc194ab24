package bench

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/uptrace/bun/driver/pgdriver"
)

// removeJob deletes a job and its rows from the PostgreSQL database at
// url, and vacuums the tables they were in.
func removeJob(ctx context.Context, url, jobID string) error {
	db := sql.OpenDB(pgdriver.NewConnector(pgdriver.WithDSN(url)))
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
