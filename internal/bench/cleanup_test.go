package bench

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/enricher/enricher/internal/fixture"
	"github.com/enricher/enricher/internal/testenv"
	"github.com/enricher/enricher/store"
)

func TestRemoveKafka(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	brokers := testenv.Brokers(t)
	prefix, other := testenv.Unique("bench")+".", testenv.Unique("other")
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	if _, err := adm.CreateTopics(ctx, 2, 1, nil, prefix+"contacts.batches", prefix+"contacts.results", other); err != nil {
		t.Fatal(err)
	}
	defer adm.DeleteTopics(context.WithoutCancel(ctx), other) //nolint:errcheck // best effort on a shared broker
	offsets := kadm.Offsets{}
	offsets.Add(kadm.Offset{Topic: prefix + "contacts.batches", Partition: 0, At: 0})
	if _, err := adm.CommitOffsets(ctx, prefix+"workers", offsets); err != nil {
		t.Fatal(err)
	}

	if err := removeKafka(ctx, brokers[0], prefix); err != nil {
		t.Fatal(err)
	}
	topics, err := adm.ListTopics(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range topics.Names() {
		if len(name) >= len(prefix) && name[:len(prefix)] == prefix {
			t.Errorf("topic %s is left", name)
		}
	}
	if !slices.Contains(topics.Names(), other) {
		t.Errorf("topic %s of another run was removed", other)
	}
	groups, err := adm.ListGroups(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(groups.Groups(), prefix+"workers") {
		t.Errorf("group %sworkers is left", prefix)
	}
}

func TestRemoveJob(t *testing.T) {
	if !testenv.Integration() {
		t.Skip("the real stack's job is in PostgreSQL: runs with ENRICHER_INTEGRATION=1")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	url := testenv.DatabaseURL(t)
	s, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	var jobs []string
	for range 2 {
		j, err := s.CreateJob(ctx, "", "contacts.csv", nil)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := fixture.Raw(fixture.Results(j.ID, 2, 10, 1)...)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.ApplyResults(ctx, raw); err != nil {
			t.Fatal(err)
		}
		jobs = append(jobs, j.ID)
	}

	if err := removeJob(ctx, url, jobs[0]); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Job(ctx, jobs[0]); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("removed job: Job = %v, want ErrNotFound", err)
	}
	n := 0
	if err := s.EachContact(ctx, jobs[1], func(*store.StoredContact) error { n++; return nil }); err != nil || n != 20 {
		t.Errorf("the other job has %d contacts (%v), want its 20", n, err)
	}
}
