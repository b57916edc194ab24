// Package streams moves a job through Kafka: the dispatcher produces an
// upload's contact batches, workers enrich them into results, the
// aggregator stores the results and counts them, and the feed carries each
// job's progress back to every API instance. franz-go is the only client.
package streams

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// Topics names the pipeline's topics.
type Topics struct {
	Batches    string // contact batches, keyed "<job>/<batch>" so a job spreads over partitions
	Results    string // result batches, keyed by job, so one aggregator owns a job
	Progress   string // job snapshots after each change, keyed by job
	DeadLetter string // records that cannot be processed, with the error in headers
}

// DefaultTopics are the topic names used unless configured otherwise.
func DefaultTopics() Topics {
	return Topics{
		Batches:    "contacts.batches",
		Results:    "contacts.results",
		Progress:   "jobs.progress",
		DeadLetter: "contacts.dead-letter",
	}
}

// MaxRecordBytes is the largest record batch the pipeline's topics take
// (their max.message.bytes) and its producers send. A contact batch is cut
// well below it (see Dispatcher), and its results stay below it too.
const MaxRecordBytes = 16 << 20

// EnsureTopics creates the topics that do not exist yet. Existing topics
// are left as they are.
func EnsureTopics(ctx context.Context, cl *kgo.Client, t Topics, partitions int32, replication int16) error {
	adm := kadm.NewClient(cl)
	configs := map[string]*string{"max.message.bytes": kadm.StringPtr(strconv.Itoa(MaxRecordBytes))}
	resp, err := adm.CreateTopics(ctx, partitions, replication, configs, t.Batches, t.Results, t.Progress, t.DeadLetter)
	if err != nil {
		return fmt.Errorf("create topics: %w", err)
	}
	for _, r := range resp.Sorted() {
		if r.Err != nil && !errors.Is(r.Err, kerr.TopicAlreadyExists) {
			return fmt.Errorf("create topic %s: %w", r.Topic, r.Err)
		}
	}
	return nil
}

// NewClient returns a client for producing, and for consuming when opts
// say so, with the settings every role shares.
func NewClient(brokers []string, opts ...kgo.Opt) (*kgo.Client, error) {
	base := []kgo.Opt{
		kgo.SeedBrokers(brokers...),
		kgo.ProducerBatchMaxBytes(MaxRecordBytes),
		// Producing waits while this much is unacknowledged: a fast upload
		// or a worker ahead of the broker holds one record's worth, no more.
		kgo.MaxBufferedBytes(MaxRecordBytes),
		kgo.ProducerLinger(5 * time.Millisecond),
	}
	cl, err := kgo.NewClient(append(base, opts...)...)
	if err != nil {
		return nil, fmt.Errorf("kafka client for %v: %w", brokers, err)
	}
	return cl, nil
}

// GroupOpts are the options of a consumer in group on topic: manual
// commits after the work of a poll is done, rebalances held off while it
// is being done.
func GroupOpts(group, topic string, sessionTimeout time.Duration) []kgo.Opt {
	return []kgo.Opt{
		kgo.ConsumerGroup(group),
		kgo.ConsumeTopics(topic),
		kgo.DisableAutoCommit(),
		kgo.BlockRebalanceOnPoll(),
		kgo.SessionTimeout(sessionTimeout),
		kgo.HeartbeatInterval(sessionTimeout / 10),
		kgo.RebalanceTimeout(2 * time.Minute),
		// A fetch is held until polled: small fetches keep a consumer's
		// memory flat however far behind it is (a record larger than these
		// still arrives, alone).
		kgo.FetchMaxBytes(4 << 20),
		kgo.FetchMaxPartitionBytes(1 << 20),
		// A fetch the broker holds for want of data was not always answered
		// when data came: with the default wait (5 s) a small job's batches
		// sometimes sat that long before the workers saw them.
		kgo.FetchMaxWait(500 * time.Millisecond),
	}
}

// consume runs the poll, handle, commit loop of a group consumer until ctx
// ends. handle gets every record of one poll and must finish them all; when
// it fails, the poll's partitions are rewound to their first record and
// the records come again after a back-off. Offsets are committed only after
// handle succeeded, so a crash means redelivery, never loss. The commit is
// sent without waiting for its answer, so that the next poll's work starts
// at once; the client keeps commits in order, and consume waits for the
// last one before it returns.
//
// handle runs with a context that ctx's end does not cancel: a stopping
// consumer finishes the work it holds and commits it.
func consume(ctx context.Context, cl *kgo.Client, maxRecords int, log *slog.Logger, handle func(context.Context, []*kgo.Record) error) {
	work := context.WithoutCancel(ctx)
	var failures int
	committed := make(chan struct{}) // closed when the last commit is answered
	close(committed)
	defer func() { <-committed }()
	for {
		fs := cl.PollRecords(ctx, maxRecords)
		if fs.IsClientClosed() || ctx.Err() != nil {
			cl.AllowRebalance()
			return
		}
		fs.EachError(func(topic string, p int32, err error) {
			log.Warn("fetch failed", "topic", topic, "partition", p, "err", err)
		})
		recs := fs.Records()
		if len(recs) == 0 {
			cl.AllowRebalance()
			continue
		}
		if err := handle(work, recs); err != nil {
			failures++
			log.Error("handling records failed; will retry them", "records", len(recs), "attempt", failures, "err", err)
			rewind(cl, recs)
			cl.AllowRebalance()
			if !sleep(ctx, backoff(failures)) {
				return
			}
			continue
		}
		failures = 0
		done := make(chan struct{})
		cl.CommitOffsets(work, cl.UncommittedOffsets(), func(_ *kgo.Client, _ *kmsg.OffsetCommitRequest, resp *kmsg.OffsetCommitResponse, err error) {
			defer close(done)
			if err == nil && resp != nil {
				err = commitError(resp)
			}
			if err != nil {
				// The work is done and its sinks are idempotent: a
				// redelivery after a failed commit changes nothing.
				log.Warn("commit failed; records may be redelivered", "err", err)
			}
		})
		committed = done
		cl.AllowRebalance()
	}
}

// commitError is the first partition error of a commit's answer.
func commitError(resp *kmsg.OffsetCommitResponse) error {
	for _, t := range resp.Topics {
		for _, p := range t.Partitions {
			if err := kerr.ErrorForCode(p.ErrorCode); err != nil {
				return fmt.Errorf("%s[%d]: %w", t.Topic, p.Partition, err)
			}
		}
	}
	return nil
}

// rewind sets each partition in recs back to its first record in recs.
func rewind(cl *kgo.Client, recs []*kgo.Record) {
	offsets := map[string]map[int32]kgo.EpochOffset{}
	for _, r := range recs {
		ps := offsets[r.Topic]
		if ps == nil {
			ps = map[int32]kgo.EpochOffset{}
			offsets[r.Topic] = ps
		}
		if _, ok := ps[r.Partition]; !ok {
			ps[r.Partition] = kgo.EpochOffset{Epoch: r.LeaderEpoch, Offset: r.Offset}
		}
	}
	cl.SetOffsets(offsets)
}

// backoff is the wait before attempt n+1: 100 ms doubling up to 5 s.
func backoff(n int) time.Duration {
	d := 100 * time.Millisecond
	for i := 1; i < n && d < 5*time.Second; i++ {
		d *= 2
	}
	return min(d, 5*time.Second)
}

// sleep waits d or until ctx ends; it reports whether ctx is still alive.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// deadLetter is the record that carries rec to the dead-letter topic with
// the reason it could not be processed.
func deadLetter(topic string, rec *kgo.Record, reason error) *kgo.Record {
	return &kgo.Record{
		Topic: topic,
		Key:   rec.Key,
		Value: rec.Value,
		Headers: []kgo.RecordHeader{
			{Key: "error", Value: []byte(reason.Error())},
			{Key: "source_topic", Value: []byte(rec.Topic)},
			{Key: "source_partition", Value: fmt.Appendf(nil, "%d", rec.Partition)},
			{Key: "source_offset", Value: fmt.Appendf(nil, "%d", rec.Offset)},
		},
	}
}
