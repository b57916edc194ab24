package streams

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"runtime"

	"github.com/twmb/franz-go/pkg/kgo"
	"golang.org/x/sync/errgroup"

	"github.com/enricher/enricher/schema"
	"github.com/enricher/enricher/store"
)

// Sink stores result batches and counts them, each batch once however
// often it is delivered. *store.Store is one.
type Sink interface {
	ApplyResults(ctx context.Context, batches []schema.RawResultBatch) (store.Applied, error)
}

// Aggregator consumes the results topic in a consumer group, stores each
// poll's results and counters in one transaction, publishes the new state
// of every job that moved, and only then commits the offsets. Its state is
// the database, so a restart or a rebalance has nothing to restore.
type Aggregator struct {
	Client  *kgo.Client // a group consumer of Topics.Results (see GroupOpts)
	Topics  Topics
	Sink    Sink
	MaxPoll int // records taken per poll; default 32
	Log     *slog.Logger
}

// Run consumes until ctx ends.
func (a *Aggregator) Run(ctx context.Context) {
	if a.MaxPoll <= 0 {
		a.MaxPoll = 32
	}
	// A failed store rewinds the poll and retries it with back-off (see
	// consume): nothing is committed that is not stored.
	consume(ctx, a.Client, a.MaxPoll, a.Log, a.handle)
}

func (a *Aggregator) handle(ctx context.Context, recs []*kgo.Record) error {
	// The records are decoded on every core: when the workers are done
	// and the aggregator has the machine, it is most of its time.
	decoded := make([]schema.RawResultBatch, len(recs))
	errs := make([]error, len(recs)) // a record's own: it goes to the dead letters
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, rec := range recs {
		g.Go(func() error { errs[i] = decodeResults(rec.Value, &decoded[i]); return nil })
	}
	_ = g.Wait() // nil: the errors are in errs
	batches := decoded[:0]
	var dead []*kgo.Record
	for i, rec := range recs {
		if err := errs[i]; err != nil {
			a.Log.Warn("result record sent to the dead-letter topic", "partition", rec.Partition, "offset", rec.Offset, "err", err)
			dead = append(dead, deadLetter(a.Topics.DeadLetter, rec, err))
			continue
		}
		batches = append(batches, decoded[i])
	}
	applied, err := a.Sink.ApplyResults(ctx, batches)
	if err != nil {
		return err
	}
	for _, b := range applied.Orphans {
		value, _ := json.Marshal(b)
		dead = append(dead, deadLetter(a.Topics.DeadLetter, &kgo.Record{Topic: a.Topics.Results, Key: []byte(b.JobID), Value: value},
			fmt.Errorf("results for job %s, which does not exist", b.JobID)))
	}
	out := dead
	for _, j := range applied.Jobs {
		rec, err := ProgressRecord(a.Topics.Progress, j)
		if err != nil {
			return err
		}
		out = append(out, rec)
	}
	if err := a.Client.ProduceSync(ctx, out...).FirstErr(); err != nil {
		return fmt.Errorf("publish progress: %w", err)
	}
	if applied.Duplicates > 0 {
		a.Log.Info("redelivered result batches ignored", "batches", applied.Duplicates)
	}
	return nil
}

// decodeResults reads a result record only as far as storing it needs (see
// schema.DecodeRawResultBatch).
func decodeResults(value []byte, b *schema.RawResultBatch) error {
	if err := schema.DecodeRawResultBatch(value, b); err != nil {
		return fmt.Errorf("not a result batch: %w", err)
	}
	if !schema.Readable(b.Version) {
		return fmt.Errorf("result batch version %d is not supported (want 1 to %d)", b.Version, schema.RecordVersion)
	}
	if b.JobID == "" {
		return fmt.Errorf("result batch has no job_id")
	}
	return nil
}

// ProgressRecord is the progress-topic record of a job's state.
func ProgressRecord(topic string, j *store.Job) (*kgo.Record, error) {
	v := *j
	v.Version = schema.RecordVersion
	value, err := json.Marshal(&v)
	if err != nil {
		return nil, fmt.Errorf("encode progress of job %s: %w", j.ID, err)
	}
	return &kgo.Record{Topic: topic, Key: []byte(j.ID), Value: value}, nil
}
