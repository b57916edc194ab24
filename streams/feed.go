package streams

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/pubsub/gochannel"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/enricher/enricher/store"
)

// Feed follows the progress topic and fans each job's updates out to the
// subscribers of that job in this process, through watermill's in-process
// pub/sub. Every API instance runs one, so progress reaches subscribers
// wherever the aggregator runs.
type Feed struct {
	client *kgo.Client
	bus    *gochannel.GoChannel
	log    *slog.Logger
	// Resync is how long a follower waits for an update before it reads
	// the job from the database instead; default 5s.
	Resync time.Duration
}

// FeedOpts are the consumer options of a feed: every partition of the
// progress topic, from its end, outside any group.
func FeedOpts(topic string) []kgo.Opt {
	return []kgo.Opt{kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtEnd())}
}

// NewFeed returns a feed reading with cl, a client made with FeedOpts.
func NewFeed(cl *kgo.Client, log *slog.Logger) *Feed {
	// Publish waits for every subscriber's pump, which acknowledges at once
	// (it keeps only the latest state): states arrive in order, and a burst
	// of updates never fans out into a goroutine per update per subscriber.
	bus := gochannel.NewGoChannel(gochannel.Config{OutputChannelBuffer: 1, BlockPublishUntilSubscriberAck: true}, watermill.NopLogger{})
	return &Feed{client: cl, bus: bus, log: log, Resync: 5 * time.Second}
}

// Run reads the progress topic until ctx ends, then closes the feed.
func (f *Feed) Run(ctx context.Context) {
	defer f.bus.Close()
	for {
		fs := f.client.PollFetches(ctx)
		if fs.IsClientClosed() || ctx.Err() != nil {
			return
		}
		fs.EachError(func(topic string, p int32, err error) {
			f.log.Warn("progress fetch failed", "topic", topic, "partition", p, "err", err)
		})
		fs.EachRecord(func(r *kgo.Record) {
			msg := message.NewMessage(watermill.NewUUID(), r.Value)
			if err := f.bus.Publish(jobTopic(string(r.Key)), msg); err != nil {
				f.log.Warn("progress fan-out failed", "job", string(r.Key), "err", err)
			}
		})
	}
}

func jobTopic(id string) string { return "job." + id }

// subscribe returns the updates of one job from now on. The channel holds
// only the latest update: a slow reader skips states, it never holds up
// the feed or other readers. It is closed when ctx ends.
func (f *Feed) subscribe(ctx context.Context, jobID string) (<-chan *store.Job, error) {
	msgs, err := f.bus.Subscribe(ctx, jobTopic(jobID))
	if err != nil {
		return nil, fmt.Errorf("subscribe to job %s: %w", jobID, err)
	}
	out := make(chan *store.Job, 1)
	go func() {
		defer close(out)
		for m := range msgs {
			m.Ack()
			j := new(store.Job)
			if err := json.Unmarshal(m.Payload, j); err != nil {
				f.log.Warn("unreadable progress record", "job", jobID, "err", err)
				continue
			}
			for sent := false; !sent; {
				select {
				case out <- j:
					sent = true
				default:
					select {
					case old := <-out:
						if old.Seq > j.Seq {
							j = old
						}
					default:
					}
				}
			}
		}
	}()
	return out, nil
}

// JobReader reads a job's stored state.
type JobReader interface {
	Job(ctx context.Context, id string) (*store.Job, error)
}

// Follow returns a channel of a job's states: the stored one first, then
// every newer one, until the job ends (the channel is closed after the
// final state) or ctx ends. States only move forward (by Seq).
func (f *Feed) Follow(ctx context.Context, jobs JobReader, id string) (<-chan *store.Job, error) {
	ctx, cancel := context.WithCancel(ctx)
	updates, err := f.subscribe(ctx, id) // before the snapshot, so no change falls between
	if err != nil {
		cancel()
		return nil, err
	}
	last, err := jobs.Job(ctx, id)
	if err != nil {
		cancel()
		return nil, err
	}
	out := make(chan *store.Job, 1)
	out <- last
	go func() {
		defer cancel()
		defer close(out)
		resync := time.NewTicker(f.Resync)
		defer resync.Stop()
		for !store.Terminal(last.Status) {
			var next *store.Job
			select {
			case <-ctx.Done():
				return
			case j, ok := <-updates:
				if !ok {
					return
				}
				next = j
			case <-resync.C:
				j, err := jobs.Job(ctx, id)
				if err != nil {
					f.log.Warn("resync of job progress failed", "job", id, "err", err)
					continue
				}
				next = j
			}
			if next.Seq <= last.Seq {
				continue
			}
			last = next
			select {
			case out <- last:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, nil
}
