package streams

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"sync"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/enricher/enricher/contactcsv"
	"github.com/enricher/enricher/schema"
	"github.com/enricher/enricher/store"
)

// JobWriter records jobs as their uploads are read. *store.Store is one.
type JobWriter interface {
	CreateJob(ctx context.Context, tenant, fileName string, columns []string) (*store.Job, error)
	FinishUpload(ctx context.Context, id string, total, batches int) (*store.Job, error)
	FailJob(ctx context.Context, id, reason string) (*store.Job, error)
}

// InputError is an upload that cannot become a job: empty, binary, without
// an email column... Its message is meant for the user.
type InputError struct{ Err error }

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

// Dispatcher turns an uploaded CSV into a job and its contact batches,
// reading and producing as a stream: memory does not grow with the file.
type Dispatcher struct {
	Client    *kgo.Client
	Topics    Topics
	Jobs      JobWriter
	BatchSize int // contacts per batch record; default 500
	// BatchBytes cuts a batch early when its values pass this many bytes,
	// so wide rows do not make records too large; default 1 MiB.
	BatchBytes int
	MaxRows    int // rows a job may have; 0 for no limit
	CSV        contactcsv.Options
	Log        *slog.Logger
}

// Submit reads a CSV upload, stores its job and produces its batches. A
// file that is no contacts CSV at all gives an *InputError and no job. A
// file that breaks off in the middle gives a FAILED job with the reason;
// rows that could not be read become failed contacts naming the row.
func (d *Dispatcher) Submit(ctx context.Context, fileName string, r io.Reader) (*store.Job, error) {
	size, maxBytes := d.BatchSize, d.BatchBytes
	if size <= 0 {
		size = 500
	}
	if maxBytes <= 0 {
		maxBytes = 1 << 20
	}
	rd, err := contactcsv.NewReader(r, d.CSV)
	if err != nil {
		return nil, &InputError{Err: err}
	}
	job, err := d.Jobs.CreateJob(ctx, store.TenantOf(ctx), fileName, rd.Header())
	if err != nil {
		return nil, err
	}
	log := d.Log.With("job", job.ID)
	log.Info("upload started", "file", fileName, "columns", len(rd.Header()), "encoding", rd.Encoding(), "delimiter", string(rd.Delimiter()))

	var (
		mu       sync.Mutex
		produced error
	)
	promise := func(_ *kgo.Record, err error) {
		if err != nil {
			mu.Lock()
			if produced == nil {
				produced = err
			}
			mu.Unlock()
		}
	}
	failed := func() error {
		mu.Lock()
		defer mu.Unlock()
		return produced
	}

	total, batches, batchBytes := 0, 0, 0
	batch := make([]schema.Contact, 0, size)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		value, err := schema.Marshal(schema.ContactBatch{Version: schema.RecordVersion, JobID: job.ID, BatchNo: batches, Contacts: batch})
		if err != nil {
			return fmt.Errorf("encode batch %d: %w", batches, err)
		}
		key := job.ID + "/" + strconv.Itoa(batches)
		d.Client.Produce(ctx, &kgo.Record{Topic: d.Topics.Batches, Key: []byte(key), Value: value}, promise)
		batches++
		batch, batchBytes = batch[:0], 0
		return failed()
	}

	var readErr error
	for {
		row, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			readErr = fmt.Errorf("reading stopped after row %d: %w", total, err)
			break
		}
		if d.MaxRows > 0 && row.Number > d.MaxRows {
			readErr = fmt.Errorf("the file has more than %d rows, the limit per job", d.MaxRows)
			break
		}
		total++
		batch = append(batch, contact(row))
		for _, f := range row.Fields {
			batchBytes += len(f) + 4
		}
		if len(batch) == size || batchBytes >= maxBytes {
			if err := flush(); err != nil {
				readErr = fmt.Errorf("produce batches: %w", err)
				break
			}
		}
	}
	if readErr == nil {
		readErr = flush()
	}
	if err := d.Client.Flush(ctx); err != nil && readErr == nil {
		readErr = fmt.Errorf("produce batches: %w", err)
	}
	if err := failed(); err != nil && readErr == nil {
		readErr = fmt.Errorf("produce batches: %w", err)
	}
	if readErr != nil {
		log.Warn("upload failed", "rows", total, "err", readErr)
		j, err := d.Jobs.FailJob(context.WithoutCancel(ctx), job.ID, readErr.Error())
		if err != nil {
			return nil, errors.Join(readErr, err)
		}
		d.Publish(ctx, j)
		return j, nil
	}
	j, err := d.Jobs.FinishUpload(ctx, job.ID, total, batches)
	if err != nil {
		return nil, err
	}
	log.Info("upload read", "rows", total, "batches", batches)
	d.Publish(ctx, j)
	return j, nil
}

// Publish announces a job's new state; the feed's resync covers a loss.
func (d *Dispatcher) Publish(ctx context.Context, j *store.Job) {
	rec, err := ProgressRecord(d.Topics.Progress, j)
	if err == nil {
		err = d.Client.ProduceSync(ctx, rec).FirstErr()
	}
	if err != nil {
		d.Log.Warn("publish job progress", "job", j.ID, "err", err)
	}
}

func contact(row contactcsv.Row) schema.Contact {
	c := schema.Contact{
		Row:       row.Number,
		Line:      row.Line,
		FirstName: row.Get(contactcsv.FirstName),
		LastName:  row.Get(contactcsv.LastName),
		Email:     row.Get(contactcsv.Email),
		Company:   row.Get(contactcsv.Company),
		Phone:     row.Get(contactcsv.Phone),
		Fields:    row.Fields,
	}
	if row.Err != nil {
		c.Error = row.Err.Error()
	}
	return c
}
