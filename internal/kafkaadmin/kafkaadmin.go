// Package kafkaadmin deletes what a benchmark run or a test made on a
// shared Kafka broker, so that runs do not pile up partitions.
package kafkaadmin

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// DeletePrefixed deletes the consumer groups, then the topics, whose names
// start with prefix: what a benchmark or a test made for itself. Groups
// still in use are not deleted, and the error says so.
func DeletePrefixed(ctx context.Context, brokers []string, prefix string) error {
	if prefix == "" {
		return errors.New("delete topics: no prefix")
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...))
	if err != nil {
		return fmt.Errorf("delete topics: %w", err)
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	groups, err := adm.ListGroups(ctx)
	if err != nil {
		return fmt.Errorf("delete groups: %w", err)
	}
	if ours := withPrefix(groups.Groups(), prefix); len(ours) > 0 {
		resp, err := adm.DeleteGroups(ctx, ours...)
		if err == nil {
			err = resp.Error()
		}
		if err != nil {
			return fmt.Errorf("delete groups %v: %w", ours, err)
		}
	}
	topics, err := adm.ListTopics(ctx)
	if err != nil {
		return fmt.Errorf("delete topics: %w", err)
	}
	names := withPrefix(topics.Names(), prefix)
	if len(names) == 0 {
		return nil
	}
	resp, err := adm.DeleteTopics(ctx, names...)
	if err == nil {
		err = resp.Error()
	}
	if err != nil {
		return fmt.Errorf("delete topics %v: %w", names, err)
	}
	return nil
}

// withPrefix returns the names that start with prefix.
func withPrefix(names []string, prefix string) []string {
	return slices.DeleteFunc(names, func(n string) bool { return !strings.HasPrefix(n, prefix) })
}
