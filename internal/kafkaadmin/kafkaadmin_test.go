package kafkaadmin_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/enricher/enricher/internal/kafkaadmin"
	"github.com/enricher/enricher/internal/testenv"
)

func TestDeletePrefixed(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	brokers := testenv.Brokers(t)
	prefix, other := testenv.Unique("del")+".", testenv.Unique("other")
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.MetadataMinAge(10*time.Millisecond)) // lists what the broker has now
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

	// The broker lists a new topic a moment after creating it.
	for {
		topics, err := adm.ListTopics(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if topics.Has(other) && topics.Has(prefix+"contacts.batches") && topics.Has(prefix+"contacts.results") {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the new topics are not listed: %v", ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}

	if err := kafkaadmin.DeletePrefixed(ctx, brokers, prefix); err != nil {
		t.Fatal(err)
	}
	// The broker may list a deleted topic for a moment too.
	for {
		topics, err := adm.ListTopics(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !topics.Has(other) {
			t.Fatalf("topic %s of another run was removed", other)
		}
		left := slices.ContainsFunc(topics.Names(), func(name string) bool { return strings.HasPrefix(name, prefix) })
		if !left {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("topics %s* are left: %v", prefix, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
	groups, err := adm.ListGroups(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(groups.Groups(), prefix+"workers") {
		t.Errorf("group %sworkers is left", prefix)
	}
}
