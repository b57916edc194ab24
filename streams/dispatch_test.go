package streams_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"reflect"
	"sort"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/enricher/enricher/internal/testenv"
	"github.com/enricher/enricher/schema"
	"github.com/enricher/enricher/store"
	"github.com/enricher/enricher/streams"
)

// TestDispatcherLanes uploads rows at sixteen work domains (in mixed case),
// at one more with many rows, at a webmail domain and without a domain,
// and reads the batches back: every row comes once, each work domain's
// rows all sit on one partition, but for the big one's past its first
// SpreadAfter, which are spread like the webmail and domainless rows,
// every partition has a share and no batch passes the batch size.
func TestDispatcherLanes(t *testing.T) {
	const rows, size, partitions, after = 3000, 50, 4, 150
	ctx := context.Background()
	dsp, brokers := newDispatcher(t, partitions, size)
	dsp.Spread = func(domain string) bool { return domain == "gmail.com" }
	dsp.SpreadAfter = after
	topics := dsp.Topics

	var csv strings.Builder
	csv.WriteString("email\n")
	domainOf := map[int]string{} // row -> work domain, "" when spread
	var bigRows []int            // rows at big.test, in order
	for i := 1; i <= rows; i++ {
		switch {
		case i%5 == 0:
			fmt.Fprintf(&csv, "p%d@GMail.com\n", i)
		case i%11 == 0:
			fmt.Fprintf(&csv, "no-domain-%d\n", i)
		case i%7 == 0:
			fmt.Fprintf(&csv, "p%d@Big.test\n", i)
			bigRows = append(bigRows, i)
		default:
			domain := fmt.Sprintf("co%d.test", i%20)
			domainOf[i] = domain
			if i%2 == 0 {
				domain = strings.ToUpper(domain)
			}
			fmt.Fprintf(&csv, "Person %d <p%d@%s>\n", i, i, domain)
		}
	}
	job, err := dsp.Submit(store.WithTenant(ctx, store.LocalTenant), "lanes.csv", strings.NewReader(csv.String()))
	if err != nil {
		t.Fatal(err)
	}
	if job.Batches == nil || job.Total == nil || *job.Total != rows {
		t.Fatalf("job after upload: %+v", job)
	}

	consumer, err := streams.NewClient(brokers, kgo.ConsumeTopics(topics.Batches), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer consumer.Close()
	readCtx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	seen := map[int]int{}                      // row -> times
	partitionOf := map[int]int32{}             // row -> partition
	onPartition := map[string]map[int32]bool{} // work domain or "spread" -> partitions
	perPartition := map[int32]int{}
	for n := 0; n < *job.Batches; {
		fs := consumer.PollFetches(readCtx)
		if err := fs.Err0(); err != nil {
			t.Fatalf("after %d of %d batches: %v", n, *job.Batches, err)
		}
		fs.EachRecord(func(r *kgo.Record) {
			n++
			var b schema.ContactBatch
			if err := schema.Unmarshal(r.Value, &b); err != nil {
				t.Fatal(err)
			}
			if len(b.Contacts) > size {
				t.Errorf("batch %d holds %d contacts, more than %d", b.BatchNo, len(b.Contacts), size)
			}
			perPartition[r.Partition] += len(b.Contacts)
			for _, c := range b.Contacts {
				seen[c.Row]++
				partitionOf[c.Row] = r.Partition
				key := domainOf[c.Row]
				if key == "" {
					key = "spread"
				}
				if onPartition[key] == nil {
					onPartition[key] = map[int32]bool{}
				}
				onPartition[key][r.Partition] = true
			}
		})
	}
	for i := 1; i <= rows; i++ {
		if seen[i] != 1 {
			t.Fatalf("row %d came %d times", i, seen[i])
		}
	}
	var domains []string
	for key, ps := range onPartition {
		if key == "spread" {
			if len(ps) != partitions {
				t.Errorf("webmail and domainless rows on %d partitions, want all %d", len(ps), partitions)
			}
			continue
		}
		domains = append(domains, key)
		if len(ps) != 1 {
			t.Errorf("%s on %d partitions, want one", key, len(ps))
		}
	}
	sort.Strings(domains)
	if len(domains) != 16 { // co0, co5, co10 and co15 fall on gmail's rows
		t.Errorf("work domains %v, want 16", domains)
	}
	if len(bigRows) <= 2*after {
		t.Fatalf("%d rows at big.test, want more than %d", len(bigRows), 2*after)
	}
	own := map[int32]int{}
	for _, row := range bigRows[:after] {
		own[partitionOf[row]]++
	}
	rest := map[int32]int{}
	for _, row := range bigRows[after:] {
		rest[partitionOf[row]]++
	}
	if len(own) != 1 || len(rest) != partitions {
		t.Errorf("big.test's first %d rows on partitions %v, want one; the rest on %v, want all %d", after, own, rest, partitions)
	}
	if len(perPartition) != partitions {
		t.Errorf("rows per partition %v, want every one of %d", perPartition, partitions)
	}
}

// newDispatcher returns a Dispatcher on topics of its own (the batches
// topic with partitions partitions) and a migrated store, and the brokers.
func newDispatcher(t *testing.T, partitions, size int) (*streams.Dispatcher, []string) {
	t.Helper()
	ctx := context.Background()
	brokers := testenv.Brokers(t)
	prefix := testenv.KafkaPrefix(t, brokers, "d")
	d := streams.DefaultTopics()
	topics := streams.Topics{Batches: prefix + d.Batches, Results: prefix + d.Results, Progress: prefix + d.Progress, DeadLetter: prefix + d.DeadLetter}
	producer, err := streams.NewClient(brokers, kgo.RecordPartitioner(streams.LanePartitioner(topics.Batches)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(producer.Close)
	if err := streams.EnsureTopics(ctx, producer, topics, int32(partitions), 1); err != nil {
		t.Fatal(err)
	}
	st := testenv.Store(t)
	return &streams.Dispatcher{Client: producer, Topics: topics, Jobs: st, BatchSize: size, Log: slog.New(slog.DiscardHandler)}, brokers
}

// TestDispatcherLeavesOutNamedFields uploads files and reads their
// contacts back: a row goes without its fields only when every column is a
// named field and every value is its named one.
func TestDispatcherLeavesOutNamedFields(t *testing.T) {
	dsp, brokers := newDispatcher(t, 1, 100)
	tests := []struct {
		name, csv string
		want      map[int][]string // row -> fields; nil: left out
	}{
		{"named columns", "first_name,last_name,email,company,phone\nAda,Lovelace,ada@x.test,X Corp,+1 555\n Bob ,B,b@x.test,X,\n,,c@x.test,,\n",
			map[int][]string{1: nil, 2: {" Bob ", "B", "b@x.test", "X", ""}, 3: nil}},
		{"aliases in another order", "E-mail,Organisation\nada@x.test,X Corp\n", map[int][]string{1: nil}},
		{"a column of its own", "email,title\nada@x.test,CTO\n", map[int][]string{1: {"ada@x.test", "CTO"}}},
		{"a full name", "name,email\nAda Lovelace,ada@x.test\n", map[int][]string{1: {"Ada Lovelace", "ada@x.test"}}},
		{"a row that could not be read", "email,company\nada@x.test,X,more\n", map[int][]string{1: {"ada@x.test", "X", "more"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			job, err := dsp.Submit(store.WithTenant(ctx, store.LocalTenant), "c.csv", strings.NewReader(tt.csv))
			if err != nil {
				t.Fatal(err)
			}
			got := map[int][]string{}
			for _, c := range readContacts(t, brokers, dsp.Topics.Batches, job) {
				got[c.Row] = c.Fields
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("fields by row %#v, want %#v", got, tt.want)
			}
		})
	}
}

// readContacts reads the contacts of job from the batches topic, until it
// has its batches.
func readContacts(t *testing.T, brokers []string, topic string, job *store.Job) []schema.Contact {
	t.Helper()
	consumer, err := streams.NewClient(brokers, kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer consumer.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var out []schema.Contact
	for n := 0; n < *job.Batches; {
		fs := consumer.PollFetches(ctx)
		if err := fs.Err0(); err != nil {
			t.Fatalf("read batches of job %s: %v", job.ID, err)
		}
		for _, r := range fs.Records() {
			var b schema.ContactBatch
			if err := schema.Unmarshal(r.Value, &b); err != nil {
				t.Fatal(err)
			}
			if b.JobID == job.ID {
				out = append(out, b.Contacts...)
				n++
			}
		}
	}
	return out
}

// TestDispatcherSubmitEnds reads files of more rows than are read ahead at
// a time: whole, cut short by their source, and over the row limit.
func TestDispatcherSubmitEnds(t *testing.T) {
	dsp, brokers := newDispatcher(t, 2, 100)
	rows := func(n int) string {
		var b strings.Builder
		b.WriteString("email\n")
		for i := 1; i <= n; i++ {
			fmt.Fprintf(&b, "p%d@c%d.test\n", i, i%7)
		}
		return b.String()
	}
	tests := []struct {
		name    string
		src     io.Reader
		maxRows int
		total   int    // rows of a job read whole
		err     string // error of a failed job
	}{
		{name: "whole", src: strings.NewReader(rows(1500)), total: 1500},
		{name: "cut short", src: io.MultiReader(strings.NewReader(rows(6000)), iotest.ErrReader(errors.New("connection reset"))),
			err: "reading stopped after row 6000: reading line 6002: connection reset"},
		{name: "over the limit", src: strings.NewReader(rows(1500)), maxRows: 700, err: "the file has more than 700 rows, the limit per job"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dsp.MaxRows = tt.maxRows
			job, err := dsp.Submit(store.WithTenant(context.Background(), store.LocalTenant), "c.csv", tt.src)
			if err != nil {
				t.Fatal(err)
			}
			if tt.err != "" {
				if job.Status != "FAILED" || job.Error != tt.err {
					t.Fatalf("job %s %q, want FAILED %q", job.Status, job.Error, tt.err)
				}
				return
			}
			if job.Total == nil || *job.Total != tt.total {
				t.Fatalf("job total %v, want %d", job.Total, tt.total)
			}
			seen := map[int]bool{}
			for _, c := range readContacts(t, brokers, dsp.Topics.Batches, job) {
				if want := fmt.Sprintf("p%d@c%d.test", c.Row, c.Row%7); c.Email != want || seen[c.Row] {
					t.Fatalf("row %d: email %q (seen before: %v), want %q once", c.Row, c.Email, seen[c.Row], want)
				}
				seen[c.Row] = true
			}
			if len(seen) != tt.total {
				t.Errorf("%d rows in the batches, want %d", len(seen), tt.total)
			}
		})
	}
}
