package bench

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/enricher/enricher/internal/fixture"
	"github.com/enricher/enricher/internal/testenv"
	"github.com/enricher/enricher/store"
)

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
