package streams_test

import (
	"context"
	"log/slog"
	"runtime"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/enricher/enricher/internal/testenv"
	"github.com/enricher/enricher/store"
	"github.com/enricher/enricher/streams"
)

// jobAt is a JobReader that knows one job at its first state.
type jobAt struct{ j *store.Job }

func (r jobAt) Job(context.Context, string) (*store.Job, error) { c := *r.j; return &c, nil }

// A subscriber that does not read while a thousand updates pass holds up
// nothing and piles up nothing: afterwards it gets the latest state.
func TestFeedSlowSubscriberGetsLatest(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	log := slog.New(slog.DiscardHandler)
	brokers := testenv.Brokers(t)
	topics := streams.DefaultTopics()
	topics.Progress = testenv.KafkaPrefix(t, brokers, "feed") + "progress"
	admin, err := streams.NewClient(brokers)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if err := streams.EnsureTopics(ctx, admin, streams.Topics{Batches: topics.Progress + ".b", Results: topics.Progress + ".r", Progress: topics.Progress, DeadLetter: topics.Progress + ".d"}, 2, 1); err != nil {
		t.Fatal(err)
	}
	feedClient, err := streams.NewClient(brokers, streams.FeedOpts(topics.Progress)...)
	if err != nil {
		t.Fatal(err)
	}
	defer feedClient.Close()
	feed := streams.NewFeed(feedClient, log)
	feed.Resync = time.Hour // only the feed may deliver here
	go feed.Run(ctx)

	total := 1000
	first := &store.Job{ID: "job-1", Status: store.JobRunning, Total: &total, Seq: 1}
	slow, err := feed.Follow(ctx, jobAt{first}, first.ID)
	if err != nil {
		t.Fatal(err)
	}
	if j := <-slow; j.Seq != 1 {
		t.Fatalf("first state seq %d, want the stored one", j.Seq)
	}
	// A second, reading subscriber tells when the feed has passed them all.
	fast, err := feed.Follow(ctx, jobAt{first}, first.ID)
	if err != nil {
		t.Fatal(err)
	}
	<-fast
	state := func(seq int) *kgo.Record {
		j := *first
		j.Seq, j.Processed = int64(seq), seq-1
		if seq == total+1 {
			j.Status = store.JobSucceeded
		}
		rec, err := streams.ProgressRecord(topics.Progress, &j)
		if err != nil {
			t.Fatal(err)
		}
		return rec
	}
	// The feed reads from the end of the topic as it finds it: send the
	// second state until the fast reader sees it, then the rest.
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for seen := false; !seen; {
		if err := admin.ProduceSync(ctx, state(2)).FirstErr(); err != nil {
			t.Fatal(err)
		}
		select {
		case j := <-fast:
			seen = j.Seq == 2
		case <-tick.C:
		}
	}
	before := runtime.NumGoroutine()
	for seq := 3; seq <= total+1; seq++ {
		admin.Produce(ctx, state(seq), nil)
	}
	if err := admin.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	var last *store.Job
	for j := range fast {
		last = j
	}
	if last == nil || last.Status != store.JobSucceeded {
		t.Fatalf("fast reader ended at %+v", last)
	}
	if n := runtime.NumGoroutine(); n > before+20 {
		t.Errorf("goroutines grew from %d to %d while one subscriber did not read", before, n)
	}
	var got []*store.Job
	for j := range slow {
		got = append(got, j)
	}
	if len(got) == 0 || got[len(got)-1].Status != store.JobSucceeded || len(got) > 10 {
		t.Fatalf("slow reader got %d states ending %+v, want the final one after a few, not every state", len(got), got[len(got)-1])
	}
}
