package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// Job statuses.
const (
	JobPending             = "PENDING"
	JobRunning             = "RUNNING"
	JobSucceeded           = "SUCCEEDED"
	JobCompletedWithErrors = "COMPLETED_WITH_ERRORS"
	JobFailed              = "FAILED"
	JobCancelled           = "CANCELLED"
)

// Terminal reports whether a job in this status will change no more.
func Terminal(status string) bool {
	switch status {
	case JobSucceeded, JobCompletedWithErrors, JobFailed, JobCancelled:
		return true
	}
	return false
}

// Job is one upload and its progress. Its JSON form is also the value of
// the progress topic's records (schema/records/jobs.progress.schema.json).
type Job struct {
	bun.BaseModel `bun:"table:jobs" json:"-"`

	Version int    `bun:"-" json:"version"`
	ID      string `bun:"id,pk" json:"id"`
	// Tenant owns the job; it is not part of the progress record.
	Tenant   string   `bun:"tenant" json:"-"`
	FileName string   `bun:"file_name" json:"file_name"`
	Status   string   `bun:"status" json:"status"`
	Columns  []string `bun:"columns" json:"columns"`
	// Total is the number of data rows, nil while the upload is being read.
	Total          *int       `bun:"total" json:"total"`
	Batches        *int       `bun:"batches" json:"batches"`
	Processed      int        `bun:"processed" json:"processed"`
	Succeeded      int        `bun:"succeeded" json:"succeeded"`
	Failed         int        `bun:"failed" json:"failed"`
	EmailValid     int        `bun:"email_valid" json:"email_valid"`
	EmailInvalid   int        `bun:"email_invalid" json:"email_invalid"`
	EmailCatchAll  int        `bun:"email_catch_all" json:"email_catch_all"`
	EmailDoNotMail int        `bun:"email_do_not_mail" json:"email_do_not_mail"`
	EmailUnknown   int        `bun:"email_unknown" json:"email_unknown"`
	CompaniesFound int        `bun:"companies_found" json:"companies_found"`
	Error          string     `bun:"error" json:"error,omitempty"`
	Seq            int64      `bun:"seq" json:"seq"`
	CreatedAt      time.Time  `bun:"created_at" json:"created_at"`
	UpdatedAt      time.Time  `bun:"updated_at" json:"updated_at"`
	FinishedAt     *time.Time `bun:"finished_at" json:"finished_at"`
}

// tenantKey is the context key of the tenant a request acts for.
type tenantKey struct{}

// WithTenant returns a context that acts for tenant: through it, Job,
// Jobs, CancelJob, Contacts, EachContact and Workers see only the
// tenant's jobs, and another tenant's job is ErrNotFound, like a job that
// does not exist. A context without a tenant sees every job: the
// pipeline's own paths (dispatcher, aggregator, enrich) use one.
func WithTenant(ctx context.Context, tenant string) context.Context {
	return context.WithValue(ctx, tenantKey{}, tenant)
}

// TenantOf returns the tenant ctx acts for, "" if none.
func TenantOf(ctx context.Context) string {
	t, _ := ctx.Value(tenantKey{}).(string)
	return t
}

// CreateJob stores a new PENDING job of tenant (LocalTenant if "") for an
// upload whose header is columns.
func (s *Store) CreateJob(ctx context.Context, tenant, fileName string, columns []string) (*Job, error) {
	if tenant == "" {
		tenant = LocalTenant
	}
	id, err := uuid.NewV7() // time-ordered, so listing by id lists by age
	if err != nil {
		return nil, fmt.Errorf("new job id: %w", err)
	}
	if columns == nil {
		columns = []string{}
	}
	now := time.Now().UTC()
	j := &Job{ID: id.String(), Tenant: tenant, FileName: fileName, Status: JobPending, Columns: columns, Seq: 1, CreatedAt: now, UpdatedAt: now}
	if _, err := s.db.NewInsert().Model(j).Exec(ctx); err != nil {
		return nil, fmt.Errorf("create job: %w", err)
	}
	return j, nil
}

// terminalStatus is the SQL for the status a job takes once every row is
// accounted for; ?0 is the number of rows being added to processed, ?1 the
// failed ones among them.
const terminalStatus = `CASE WHEN failed + ?1 > 0 THEN 'COMPLETED_WITH_ERRORS' ELSE 'SUCCEEDED' END`

// FinishUpload records that every row of the job was read and produced:
// total rows in batches batches. The job becomes RUNNING, or ends at once
// when its results are already all in (or there were no rows).
func (s *Store) FinishUpload(ctx context.Context, id string, total, batches int) (*Job, error) {
	now := time.Now().UTC()
	var j Job
	err := s.db.NewRaw(`UPDATE jobs SET total = ?0, batches = ?1, seq = seq + 1, updated_at = ?2,
		status = CASE WHEN status IN ('CANCELLED', 'FAILED') THEN status
			WHEN processed >= ?0 THEN CASE WHEN failed > 0 THEN 'COMPLETED_WITH_ERRORS' ELSE 'SUCCEEDED' END
			ELSE 'RUNNING' END,
		finished_at = CASE WHEN finished_at IS NULL AND processed >= ?0 THEN ?2 ELSE finished_at END
		WHERE id = ?3 RETURNING *`, total, batches, now, id).Scan(ctx, &j)
	if err != nil {
		return nil, wrapNotFound(fmt.Errorf("finish upload of job %s: %w", id, err))
	}
	return &j, nil
}

// FailJob ends a job that cannot go on, with the reason.
func (s *Store) FailJob(ctx context.Context, id, reason string) (*Job, error) {
	return s.end(ctx, id, JobFailed, reason)
}

// CancelJob ends a job at the user's request. Results still arriving are
// stored and counted, but the status stays CANCELLED.
func (s *Store) CancelJob(ctx context.Context, id string) (*Job, error) {
	return s.end(ctx, id, JobCancelled, "cancelled by request")
}

func (s *Store) end(ctx context.Context, id, status, reason string) (*Job, error) {
	now := time.Now().UTC()
	var j Job
	err := s.db.NewRaw(`UPDATE jobs SET seq = seq + 1, updated_at = ?0,
		status = CASE WHEN status IN ('PENDING', 'RUNNING') THEN ?1 ELSE status END,
		error = CASE WHEN status IN ('PENDING', 'RUNNING') THEN ?2 ELSE error END,
		finished_at = CASE WHEN finished_at IS NULL THEN ?0 ELSE finished_at END
		WHERE id = ?3 AND (?4 = '' OR tenant = ?4) RETURNING *`, now, status, reason, id, TenantOf(ctx)).Scan(ctx, &j)
	if err != nil {
		return nil, wrapNotFound(fmt.Errorf("end job %s: %w", id, err))
	}
	return &j, nil
}

// Job returns one job, or ErrNotFound (also for another tenant's job, see
// WithTenant).
func (s *Store) Job(ctx context.Context, id string) (*Job, error) {
	var j Job
	if err := scoped(ctx, s.db.NewSelect().Model(&j).Where("id = ?", id)).Scan(ctx); err != nil {
		return nil, wrapNotFound(fmt.Errorf("get job %s: %w", id, err))
	}
	return &j, nil
}

// Jobs lists up to limit jobs (of the tenant of ctx, see WithTenant),
// newest first, older than the job with the id after ("" for the newest).
// It returns one more than limit when there are more, so the caller can tell.
func (s *Store) Jobs(ctx context.Context, limit int, after string) ([]Job, error) {
	var jobs []Job
	q := scoped(ctx, s.db.NewSelect()).Model(&jobs).OrderExpr("id DESC").Limit(int64(limit) + 1)
	if after != "" {
		q = q.Where("id < ?", after)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("list jobs: %w", err)
	}
	return jobs, nil
}

// ActiveJobs counts the jobs of tenant that have not ended (PENDING or
// RUNNING).
func (s *Store) ActiveJobs(ctx context.Context, tenant string) (int, error) {
	n, err := s.db.NewSelect().Table("jobs").Where("tenant = ?", tenant).Where("status IN (?)", bun.List([]string{JobPending, JobRunning})).Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("count active jobs of tenant %s: %w", tenant, err)
	}
	return int(n), nil
}

// scoped narrows a query over jobs to the tenant of ctx, if it has one.
func scoped(ctx context.Context, q *bun.SelectQuery) *bun.SelectQuery {
	if t := TenantOf(ctx); t != "" {
		q = q.Where("tenant = ?", t)
	}
	return q
}

// ownJob returns ErrNotFound when ctx acts for a tenant that does not own
// the job (or the job does not exist); without a tenant it checks nothing.
func (s *Store) ownJob(ctx context.Context, id string) error {
	t := TenantOf(ctx)
	if t == "" {
		return nil
	}
	ok, err := s.db.NewSelect().Table("jobs").Where("id = ?", id).Where("tenant = ?", t).Exists(ctx)
	if err != nil {
		return fmt.Errorf("get job %s: %w", id, err)
	}
	if !ok {
		return fmt.Errorf("job %s: %w", id, ErrNotFound)
	}
	return nil
}

func wrapNotFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	return err
}
