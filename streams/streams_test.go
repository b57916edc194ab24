package streams_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/enricher/enricher/internal/testenv"
	"github.com/enricher/enricher/schema"
	"github.com/enricher/enricher/store"
	"github.com/enricher/enricher/streams"
)

// okProcessor answers every contact ok, without enrichment: these tests
// are about moving and counting, not about what is found.
type okProcessor struct{}

func (okProcessor) Process(_ context.Context, in []schema.Contact) []schema.Result {
	out := make([]schema.Result, len(in))
	for i, c := range in {
		out[i] = schema.Result{Input: c, Status: schema.StatusOK}
	}
	return out
}

type pipeline struct {
	prefix  string // of its topics and groups
	topics  streams.Topics
	brokers []string
	store   *store.Store
	feed    *streams.Feed
	client  *kgo.Client
	group   string // of the aggregators
}

// aggregator starts an aggregator of the pipeline's group; the returned
// function stops it as SIGTERM would and waits until it has left.
func (p *pipeline) aggregator(t *testing.T) (stop func()) {
	t.Helper()
	cl, err := streams.NewClient(p.brokers, streams.GroupOpts(p.group, p.topics.Results, 6*time.Second)...)
	if err != nil {
		t.Fatal(err)
	}
	a := &streams.Aggregator{Client: cl, Topics: p.topics, Sink: p.store, Log: slog.New(slog.DiscardHandler)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { a.Run(ctx); cl.CloseAllowingRebalance(); close(done) }()
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); <-done }) }
	t.Cleanup(stop)
	return stop
}

// startPipeline runs a worker and a feed on the test's Kafka and database
// until the test ends, and an aggregator when withAggregator.
func startPipeline(t *testing.T, withAggregator bool) *pipeline {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	log := slog.New(slog.DiscardHandler)
	brokers := testenv.Brokers(t)
	prefix := testenv.KafkaPrefix(t, brokers, "s")
	d := streams.DefaultTopics()
	p := &pipeline{
		brokers: brokers,
		prefix:  prefix,
		topics:  streams.Topics{Batches: prefix + d.Batches, Results: prefix + d.Results, Progress: prefix + d.Progress, DeadLetter: prefix + d.DeadLetter},
		group:   prefix + "a",
	}
	p.store = testenv.Store(t)
	client := func(opts ...kgo.Opt) *kgo.Client {
		cl, err := streams.NewClient(p.brokers, opts...)
		if err != nil {
			t.Fatal(err)
		}
		return cl
	}
	p.client = client()
	if err := streams.EnsureTopics(ctx, p.client, p.topics, 4, 1); err != nil {
		t.Fatal(err)
	}
	w := &streams.Worker{Client: client(streams.GroupOpts(prefix+"w", p.topics.Batches, 6*time.Second)...), Topics: p.topics, Processor: okProcessor{}, Name: "w1", Log: log}
	p.feed = streams.NewFeed(client(streams.FeedOpts(p.topics.Progress)...), log)
	done := make(chan struct{}, 2)
	for _, run := range []func(context.Context){w.Run, p.feed.Run} {
		go func() { run(ctx); done <- struct{}{} }()
	}
	t.Cleanup(func() {
		cancel()
		for range 2 {
			<-done
		}
		w.Client.CloseAllowingRebalance()
		p.client.Close()
	})
	if withAggregator {
		p.aggregator(t)
	}
	return p
}

func batchRecord(t *testing.T, topic, jobID string, no, first, n int) *kgo.Record {
	b := schema.ContactBatch{Version: schema.RecordVersion, JobID: jobID, BatchNo: no}
	for row := first; row < first+n; row++ {
		b.Contacts = append(b.Contacts, schema.Contact{Row: row, Email: fmt.Sprintf("p%d@acme.com", row), Fields: []string{fmt.Sprint(row)}})
	}
	v, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return &kgo.Record{Topic: topic, Key: []byte(fmt.Sprintf("%s/%d", jobID, no)), Value: v}
}

// waitFor follows a job until until(state) holds, and returns that state.
func (p *pipeline) waitFor(t *testing.T, id string, until func(*store.Job) bool) *store.Job {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	states, err := p.feed.Follow(ctx, p.store, id)
	if err != nil {
		t.Fatal(err)
	}
	var last *store.Job
	for j := range states {
		if last = j; until(j) {
			return j
		}
	}
	t.Fatalf("job %s never got there: last state %+v", id, last)
	return nil
}

// finalState follows a job to its end.
func (p *pipeline) finalState(t *testing.T, id string) *store.Job {
	return p.waitFor(t, id, func(j *store.Job) bool { return store.Terminal(j.Status) })
}

// TestRedeliveryCountsOnceAndPoisonGoesToDeadLetter produces every batch
// of a job twice, as an upstream redelivery would, plus records that are
// not contact batches; the job must count each row once and the others
// must land in the dead-letter topic with their error.
func TestRedeliveryCountsOnceAndPoisonGoesToDeadLetter(t *testing.T) {
	p := startPipeline(t, true)
	ctx := context.Background()
	job, err := p.store.CreateJob(ctx, store.LocalTenant, "t.csv", []string{"email"})
	if err != nil {
		t.Fatal(err)
	}
	const batches, size = 8, 25
	var recs []*kgo.Record
	for i := 0; i < batches; i++ {
		recs = append(recs, batchRecord(t, p.topics.Batches, job.ID, i, i*size+1, size))
	}
	recs = append(recs, recs...) // every batch twice
	recs = append(recs,
		&kgo.Record{Topic: p.topics.Batches, Value: []byte("not json")},
		&kgo.Record{Topic: p.topics.Batches, Value: []byte(`{"version":99,"job_id":"x","batch_no":0,"contacts":[]}`)},
	)
	if err := p.client.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		t.Fatal(err)
	}
	if _, err := p.store.FinishUpload(ctx, job.ID, batches*size, batches); err != nil {
		t.Fatal(err)
	}
	last := p.finalState(t, job.ID)
	if last.Status != store.JobSucceeded || last.Processed != batches*size || last.Succeeded != batches*size {
		t.Fatalf("final state %s processed %d succeeded %d, want SUCCEEDED with %d", last.Status, last.Processed, last.Succeeded, batches*size)
	}
	n := 0
	if err := p.store.EachContact(ctx, job.ID, func(*store.StoredContact) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	if n != batches*size {
		t.Fatalf("%d contacts stored, want %d", n, batches*size)
	}

	// Both poison records are in the dead-letter topic, with the reason.
	cl, err := kgo.NewClient(kgo.SeedBrokers(p.brokers...), kgo.ConsumeTopics(p.topics.DeadLetter), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	readCtx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	var reasons []string
	for len(reasons) < 2 {
		fs := cl.PollFetches(readCtx)
		if err := readCtx.Err(); err != nil {
			t.Fatalf("dead-letter topic has %d records, want 2: %v", len(reasons), reasons)
		}
		fs.EachRecord(func(r *kgo.Record) {
			for _, h := range r.Headers {
				if h.Key == "error" {
					reasons = append(reasons, string(h.Value))
				}
			}
		})
	}
	joined := strings.Join(reasons, " | ")
	if !strings.Contains(joined, "not a contact batch") || !strings.Contains(joined, "version 99 is not supported") {
		t.Fatalf("dead-letter reasons: %s", joined)
	}
}

// TestAggregatorRestartResumes stops the aggregator after half of a job,
// redelivers that half, and lets a new aggregator finish: every row is
// counted once.
func TestAggregatorRestartResumes(t *testing.T) {
	p := startPipeline(t, false)
	ctx := context.Background()
	job, err := p.store.CreateJob(ctx, store.LocalTenant, "t.csv", []string{"email"})
	if err != nil {
		t.Fatal(err)
	}
	const batches, size = 10, 20
	var first, second []*kgo.Record
	for i := 0; i < batches; i++ {
		rec := batchRecord(t, p.topics.Batches, job.ID, i, i*size+1, size)
		if i < batches/2 {
			first = append(first, rec)
		} else {
			second = append(second, rec)
		}
	}
	if _, err := p.store.FinishUpload(ctx, job.ID, batches*size, batches); err != nil {
		t.Fatal(err)
	}
	stop := p.aggregator(t)
	if err := p.client.ProduceSync(ctx, first...).FirstErr(); err != nil {
		t.Fatal(err)
	}
	if j := p.waitFor(t, job.ID, func(j *store.Job) bool { return j.Processed >= batches/2*size }); j.Processed != batches/2*size {
		t.Fatalf("processed %d after the first half", j.Processed)
	}
	stop()

	p.aggregator(t)
	if err := p.client.ProduceSync(ctx, append(first, second...)...).FirstErr(); err != nil {
		t.Fatal(err)
	}
	last := p.finalState(t, job.ID)
	if last.Status != store.JobSucceeded || last.Processed != batches*size || last.Succeeded != batches*size {
		t.Fatalf("final state %s processed %d succeeded %d, want SUCCEEDED with %d", last.Status, last.Processed, last.Succeeded, batches*size)
	}
}

// TestTrimmerDeletesWhatIsCommitted: after a group commits part of a
// topic, Trim deletes exactly the records before the committed offsets.
func TestTrimmerDeletesWhatIsCommitted(t *testing.T) {
	ctx := context.Background()
	p := startPipeline(t, false)
	topic, group := p.topics.DeadLetter, p.prefix+"trim"
	for i := range 40 {
		if err := p.client.ProduceSync(ctx, &kgo.Record{Topic: topic, Value: []byte(fmt.Sprint(i))}).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	adm := kadm.NewClient(p.client)
	offsets := func(list func(context.Context, ...string) (kadm.ListedOffsets, error)) map[int32]int64 {
		t.Helper()
		listed, err := list(ctx, topic)
		if err != nil {
			t.Fatal(err)
		}
		out := map[int32]int64{}
		listed.Each(func(o kadm.ListedOffset) { out[o.Partition] = o.Offset })
		return out
	}
	before, ends := offsets(adm.ListStartOffsets), offsets(adm.ListEndOffsets)
	tr := &streams.Trimmer{Client: p.client, Groups: map[string]string{topic: group}, Log: slog.New(slog.DiscardHandler)}
	if err := tr.Trim(ctx); err != nil {
		t.Fatalf("Trim with nothing committed: %v", err)
	}
	if got := offsets(adm.ListStartOffsets); !reflect.DeepEqual(got, before) {
		t.Fatalf("start offsets %v with nothing committed, want %v", got, before)
	}
	want := map[int32]int64{}
	commit := kadm.Offsets{}
	for part, end := range ends {
		want[part] = before[part]
		if end-before[part] >= 2 {
			want[part] = end - 1 // all but the last record read
			commit.Add(kadm.Offset{Topic: topic, Partition: part, At: end - 1, LeaderEpoch: -1})
		}
	}
	if len(commit) == 0 {
		t.Fatalf("no partition has two records: %v", ends)
	}
	if _, err := adm.CommitOffsets(ctx, group, commit); err != nil {
		t.Fatal(err)
	}
	if err := tr.Trim(ctx); err != nil {
		t.Fatal(err)
	}
	if got := offsets(adm.ListStartOffsets); !reflect.DeepEqual(got, want) {
		t.Fatalf("start offsets %v after trimming, want the committed %v", got, want)
	}
}

// wordyProcessor answers each contact with a long error, so that a batch's
// results are large.
type wordyProcessor struct{}

func (wordyProcessor) Process(_ context.Context, in []schema.Contact) []schema.Result {
	out := make([]schema.Result, len(in))
	for i, c := range in {
		out[i] = schema.Result{Input: c, Status: schema.StatusFailed, Error: strings.Repeat("long reason ", 100)}
	}
	return out
}

// A result batch larger than the producer may send is answered with its
// rows failed and without their values; the other results of the poll go
// out as they are, and the poll is committed.
func TestWorkerShrinksResultsTooLarge(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	brokers := testenv.Brokers(t)
	prefix := testenv.KafkaPrefix(t, brokers, "big")
	d := streams.DefaultTopics()
	topics := streams.Topics{Batches: prefix + d.Batches, Results: prefix + d.Results, Progress: prefix + d.Progress, DeadLetter: prefix + d.DeadLetter}
	cl, err := streams.NewClient(brokers, kgo.ConsumeTopics(topics.Results), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	if err := streams.EnsureTopics(ctx, cl, topics, 2, 1); err != nil {
		t.Fatal(err)
	}
	// 64 KiB at most per batch of records: 100 wordy results are more.
	wcl, err := streams.NewClient(brokers, append(streams.GroupOpts(prefix+"w", topics.Batches, 6*time.Second), kgo.ProducerBatchMaxBytes(64<<10))...)
	if err != nil {
		t.Fatal(err)
	}
	w := &streams.Worker{Client: wcl, Topics: topics, Processor: wordyProcessor{}, Name: "w1", Log: slog.New(slog.DiscardHandler)}
	wctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { w.Run(wctx); close(done) }()
	defer func() { stop(); <-done; wcl.CloseAllowingRebalance() }()

	if err := cl.ProduceSync(ctx, batchRecord(t, topics.Batches, "job", 1, 1, 100), batchRecord(t, topics.Batches, "job", 2, 101, 2)).FirstErr(); err != nil {
		t.Fatal(err)
	}
	got := map[int]schema.ResultBatch{}
	for len(got) < 2 {
		fs := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("results of %d batches, want 2", len(got))
		}
		fs.EachRecord(func(r *kgo.Record) {
			var b schema.ResultBatch
			if err := json.Unmarshal(r.Value, &b); err != nil {
				t.Fatal(err)
			}
			got[b.BatchNo] = b
		})
	}
	if b := got[1]; len(b.Results) != 100 || !strings.Contains(b.Results[0].Error, "larger than the topic takes") || b.Results[99].Input.Row != 100 {
		t.Errorf("the large batch came back as %d results, the first %+v", len(b.Results), b.Results[0])
	}
	if b := got[2]; len(b.Results) != 2 || !strings.HasPrefix(b.Results[0].Error, "long reason") {
		t.Errorf("the small batch came back as %+v", b.Results)
	}
}
