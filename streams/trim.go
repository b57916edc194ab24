package streams

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

// Trimmer deletes the records that a topic's consumer group has committed
// past: nothing will read them again. The embedded broker keeps every
// record in memory, so without it a long file stays there whole; a real
// broker has its own retention and needs no Trimmer.
type Trimmer struct {
	Client *kgo.Client
	Groups map[string]string // topic -> the consumer group that reads it
	Every  time.Duration     // default 5 s
	Log    *slog.Logger
}

// Run trims every Every until ctx ends.
func (t *Trimmer) Run(ctx context.Context) {
	every := t.Every
	if every <= 0 {
		every = 5 * time.Second
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if err := t.Trim(ctx); err != nil && ctx.Err() == nil {
				t.Log.Warn("trimming consumed records", "err", err)
			}
		}
	}
}

// Trim deletes, in each topic, the records before its group's committed
// offsets.
func (t *Trimmer) Trim(ctx context.Context) error {
	adm := kadm.NewClient(t.Client)
	to := kadm.Offsets{}
	for topic, group := range t.Groups {
		committed, err := adm.FetchOffsetsForTopics(ctx, group, topic)
		if errors.Is(err, kerr.GroupIDNotFound) {
			continue // nothing committed yet
		}
		if err != nil {
			return fmt.Errorf("offsets of group %s: %w", group, err)
		}
		committed.Each(func(o kadm.OffsetResponse) {
			if o.Err == nil && o.Topic == topic && o.At > 0 {
				to.Add(kadm.Offset{Topic: topic, Partition: o.Partition, At: o.At, LeaderEpoch: -1})
			}
		})
	}
	if len(to) == 0 {
		return nil
	}
	res, err := adm.DeleteRecords(ctx, to)
	if err != nil {
		return fmt.Errorf("delete consumed records: %w", err)
	}
	var errs []error
	res.Each(func(r kadm.DeleteRecordsResponse) {
		if r.Err != nil {
			errs = append(errs, fmt.Errorf("%s/%d: %w", r.Topic, r.Partition, r.Err))
		}
	})
	return errors.Join(errs...)
}
