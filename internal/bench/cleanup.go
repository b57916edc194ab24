package bench

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/uptrace/bun/driver/pgdriver"
)

// removeKafka deletes the topics and consumer groups whose names start
// with prefix: a run of the real stack leaves nothing on the broker, so
// runs do not pile up partitions that slow the broker down for the next.
func removeKafka(ctx context.Context, brokers, prefix string) error {
	if prefix == "" {
		return errors.New("remove topics: no prefix")
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(brokers, ",")...))
	if err != nil {
		return fmt.Errorf("remove topics: %w", err)
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	groups, err := adm.ListGroups(ctx)
	if err != nil {
		return fmt.Errorf("remove groups: %w", err)
	}
	var ours []string
	for _, g := range groups.Groups() {
		if strings.HasPrefix(g, prefix) {
			ours = append(ours, g)
		}
	}
	if len(ours) > 0 {
		resp, err := adm.DeleteGroups(ctx, ours...)
		if err == nil {
			err = resp.Error()
		}
		if err != nil {
			return fmt.Errorf("remove groups %v: %w", ours, err)
		}
	}
	topics, err := adm.ListTopics(ctx)
	if err != nil {
		return fmt.Errorf("remove topics: %w", err)
	}
	var names []string
	for _, t := range topics.Names() {
		if strings.HasPrefix(t, prefix) {
			names = append(names, t)
		}
	}
	if len(names) == 0 {
		return nil
	}
	resp, err := adm.DeleteTopics(ctx, names...)
	if err == nil {
		err = resp.Error()
	}
	if err != nil {
		return fmt.Errorf("remove topics %v: %w", names, err)
	}
	return nil
}

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
