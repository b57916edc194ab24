package streams

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/enricher/enricher/processors"
	"github.com/enricher/enricher/processors/emailverify"
	"github.com/enricher/enricher/schema"
)

// Worker enriches contact batches: it consumes the batches topic in a
// consumer group, runs the processor on each batch and produces one result
// batch per contact batch. Records it cannot decode go to the dead-letter
// topic. Offsets are committed once the results are produced.
type Worker struct {
	Client    *kgo.Client // a group consumer of Topics.Batches (see GroupOpts)
	Topics    Topics
	Processor processors.Processor
	Name      string        // written into each result batch; default host name and pid
	Parallel  int           // batches enriched at once; default three times GOMAXPROCS
	Timeout   time.Duration // deadline for enriching one batch; default 2m
	MaxPoll   int           // records taken per poll; default 4 × Parallel
	Log       *slog.Logger
}

// Run consumes until ctx ends, then finishes and commits the batches it
// holds and returns.
func (w *Worker) Run(ctx context.Context) {
	if w.Parallel <= 0 {
		// Three per CPU: while a batch waits for the answers of its new
		// domains, another's checks have the CPU.
		w.Parallel = 3 * runtime.GOMAXPROCS(0)
	}
	if w.Timeout <= 0 {
		w.Timeout = 2 * time.Minute
	}
	if w.MaxPoll <= 0 {
		// Enough to keep Parallel busy while the slowest batch of a poll
		// finishes, few enough that a crash or a stop hands back little.
		w.MaxPoll = 4 * w.Parallel
	}
	if w.Name == "" {
		w.Name = DefaultName()
	}
	consume(ctx, w.Client, w.MaxPoll, w.Log, w.handle)
}

func (w *Worker) handle(ctx context.Context, recs []*kgo.Record) error {
	// Each result is produced as soon as it is ready, so that the client
	// holds a few results at a time rather than the whole poll's, and the
	// aggregator sees them sooner; the poll is done when all are acked.
	sem := make(chan struct{}, w.Parallel)
	var mu sync.Mutex
	var again []*kgo.Record
	var failed error
	var wg sync.WaitGroup
	for _, rec := range recs {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			out, release := w.enrich(ctx, rec)
			<-sem
			w.Client.Produce(ctx, out, func(r *kgo.Record, err error) {
				defer wg.Done()
				defer release()
				mu.Lock()
				defer mu.Unlock()
				switch {
				case errors.Is(err, kerr.MessageTooLarge):
					// Retrying cannot help: answer the batch with its rows
					// failed and without their values, which is small.
					again = append(again, w.shrink(r))
				case err != nil && failed == nil:
					failed = fmt.Errorf("produce results: %w", err)
				}
			})
		}()
	}
	wg.Wait()
	if failed != nil {
		return failed
	}
	if err := w.Client.ProduceSync(ctx, again...).FirstErr(); err != nil {
		return fmt.Errorf("produce %d shrunk results: %w", len(again), err)
	}
	return nil
}

// shrink replaces a result record the broker refused as too large by one
// that fails each of its rows with the reason.
func (w *Worker) shrink(rec *kgo.Record) *kgo.Record {
	var b schema.ResultBatch
	if err := json.Unmarshal(rec.Value, &b); err != nil {
		return deadLetter(w.Topics.DeadLetter, rec, fmt.Errorf("unreadable result record: %w", err))
	}
	reason := fmt.Sprintf("the enriched batch (%d bytes) is larger than the topic takes", len(rec.Value))
	w.Log.Error("result batch too large; its rows are failed", "job", b.JobID, "batch", b.BatchNo, "bytes", len(rec.Value))
	for i, r := range b.Results {
		b.Results[i] = schema.Result{Input: schema.Contact{Row: r.Input.Row, Line: r.Input.Line, Fields: []string{}}, Status: schema.StatusFailed, Error: reason}
	}
	value, _ := json.Marshal(b)
	return &kgo.Record{Topic: rec.Topic, Key: rec.Key, Value: value}
}

// valueBuffers hold the values of result records until they are sent: a
// result batch is hundreds of kilobytes, too much to allocate anew for
// each.
var valueBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// enrich turns one batch record into its result record, or into a
// dead-letter record when it cannot be read. release gives the record's
// value back once the record is sent, or failed for good.
func (w *Worker) enrich(ctx context.Context, rec *kgo.Record) (out *kgo.Record, release func()) {
	var b schema.ContactBatch
	if err := decodeBatch(rec.Value, &b); err != nil {
		w.Log.Warn("batch record sent to the dead-letter topic", "partition", rec.Partition, "offset", rec.Offset, "err", err)
		return deadLetter(w.Topics.DeadLetter, rec, err), func() {}
	}
	ctx, cancel := context.WithTimeout(processors.WithJob(ctx, b.JobID), w.Timeout)
	defer cancel()
	results, err := w.process(ctx, b.Contacts)
	if err != nil {
		// The batch is answered all the same, every row failed with the
		// reason, so the job ends.
		w.Log.Error("enriching batch failed", "job", b.JobID, "batch", b.BatchNo, "err", err)
		results = failAll(b.Contacts, err)
	}
	for i := range results {
		if e := results[i].Email; e != nil {
			emailverify.OmitImplied(e)
			e.Compact(results[i].Input.Email)
		}
		if c := results[i].Company; c != nil {
			c.Compact(results[i].Input.Company)
		}
	}
	buf := valueBuffers.Get().(*bytes.Buffer)
	release = func() { valueBuffers.Put(buf) }
	value, err := schema.MarshalTo(buf, schema.ResultBatch{
		Version: schema.RecordVersion, JobID: b.JobID, BatchNo: b.BatchNo,
		Worker: w.Name, ProcessedAt: time.Now().UTC(), Results: results,
	})
	if err != nil {
		release()
		return deadLetter(w.Topics.DeadLetter, rec, fmt.Errorf("encode results: %w", err)), func() {}
	}
	return &kgo.Record{Topic: w.Topics.Results, Key: []byte(b.JobID), Value: value}, release
}

// process runs the processor, turning a panic or a result count that does
// not match into an error.
func (w *Worker) process(ctx context.Context, in []schema.Contact) (out []schema.Result, err error) {
	defer func() {
		if p := recover(); p != nil {
			out, err = nil, fmt.Errorf("processor panicked: %v", p)
		}
	}()
	out = w.Processor.Process(ctx, in)
	if len(out) != len(in) {
		return nil, fmt.Errorf("processor returned %d results for %d contacts", len(out), len(in))
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("enriching took longer than %s: %w", w.Timeout, err)
	}
	return out, nil
}

func failAll(in []schema.Contact, err error) []schema.Result {
	out := make([]schema.Result, len(in))
	for i, c := range in {
		out[i] = schema.Result{Input: c, Status: schema.StatusFailed, Error: err.Error()}
	}
	return out
}

var rowKey = []byte(`"row":`)

// maxPresized bounds the contacts decodeBatch makes room for before it
// reads a batch: eight batches of the default size.
const maxPresized = 4096

func decodeBatch(value []byte, b *schema.ContactBatch) error {
	// Room for every contact at once, rather than a slice grown by
	// doubling as they are read: "row" is a member of every contact and of
	// nothing else, and the quotes of a string's own text are escaped. A
	// record that repeats the key cannot make it reserve more than
	// maxPresized contacts; past them the slice grows as it is read.
	b.Contacts = make([]schema.Contact, 0, min(bytes.Count(value, rowKey), maxPresized))
	if err := schema.Unmarshal(value, b); err != nil {
		return fmt.Errorf("not a contact batch: %w", err)
	}
	if !schema.Readable(b.Version) {
		return fmt.Errorf("contact batch version %d is not supported (want 1 to %d)", b.Version, schema.RecordVersion)
	}
	if b.JobID == "" {
		return fmt.Errorf("contact batch has no job_id")
	}
	return nil
}
