package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/enricher/enricher/schema"
	"github.com/enricher/enricher/store"
)

func TestKeys(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	keyA, a, err := s.CreateKey(ctx, "acme", "ci")
	if err != nil {
		t.Fatal(err)
	}
	keyB, b, err := s.CreateKey(ctx, "globex", "")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(keyA, store.KeyPrefix) || len(keyA) != len(store.KeyPrefix)+43 || keyA == keyB {
		t.Fatalf("keys %q and %q: want enr_ and 43 base64url characters, each different", keyA, keyB)
	}
	if !strings.HasPrefix(keyA, a.Prefix) || len(a.Prefix) >= len(keyA)/2 || a.Tenant != "acme" || a.Name != "ci" || a.RevokedAt != nil {
		t.Fatalf("key record %+v", a)
	}
	if _, err := s.RevokeKey(ctx, b.ID); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name       string
		key        string
		wantTenant string
		wantErr    error
	}{
		{"valid", keyA, "acme", nil},
		{"revoked", keyB, "", store.ErrRevokedKey},
		{"unknown", store.KeyPrefix + strings.Repeat("A", 43), "", store.ErrUnknownKey},
		{"not a key", "hunter2", "", store.ErrUnknownKey},
		{"empty", "", "", store.ErrUnknownKey},
		{"a prefix of a key", keyA[:len(keyA)-1], "", store.ErrUnknownKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tenant, err := s.Authenticate(ctx, tt.key)
			if tenant != tt.wantTenant || !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Fatalf("Authenticate = %q, %v; want %q, %v", tenant, err, tt.wantTenant, tt.wantErr)
			}
			if err != nil && tt.key != "" && strings.Contains(err.Error(), tt.key) {
				t.Fatalf("the error %q holds the key", err)
			}
		})
	}

	listings := []struct {
		tenant string
		want   string
	}{
		{"", "[acme:live globex:revoked]"},
		{"acme", "[acme:live]"},
		{"globex", "[globex:revoked]"},
		{"initech", "[]"},
	}
	for _, l := range listings {
		keys, err := s.Keys(ctx, l.tenant)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, k := range keys {
			state := "live"
			if k.RevokedAt != nil {
				state = "revoked"
			}
			got = append(got, k.Tenant+":"+state)
		}
		if fmt.Sprint(got) != l.want {
			t.Errorf("Keys(%q) = %v, want %s", l.tenant, got, l.want)
		}
	}

	// Revoking twice keeps the first time; an unknown id is not found.
	again, err := s.RevokeKey(ctx, b.ID)
	if err != nil || again.RevokedAt == nil {
		t.Fatalf("second revoke: %+v, %v", again, err)
	}
	if _, err := s.RevokeKey(ctx, "no-such-key"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("revoke of an unknown id: %v, want ErrNotFound", err)
	}
	for _, bad := range []string{"", "a b", "x/y", strings.Repeat("t", 65)} {
		if _, _, err := s.CreateKey(ctx, bad, ""); err == nil {
			t.Errorf("CreateKey accepted tenant %q", bad)
		}
	}
}

// A context acting for a tenant sees only its jobs; another tenant's job
// is not found, like one that does not exist. A context without a tenant
// (the pipeline's own) sees them all.
func TestTenantScoping(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	ja, err := s.CreateJob(ctx, "acme", "a.csv", []string{"email"})
	if err != nil {
		t.Fatal(err)
	}
	jb, err := s.CreateJob(ctx, "globex", "b.csv", []string{"email"})
	if err != nil {
		t.Fatal(err)
	}
	jl, err := s.CreateJob(ctx, "", "l.csv", nil)
	if err != nil {
		t.Fatal(err)
	}
	if jl.Tenant != store.LocalTenant {
		t.Fatalf("job without a tenant belongs to %q, want %q", jl.Tenant, store.LocalTenant)
	}
	for _, j := range []*store.Job{ja, jb} {
		if _, err := s.FinishUpload(ctx, j.ID, 2, 1); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ApplyResults(ctx, []schema.RawResultBatch{batch(t, j.ID, 0, 1, 2)}); err != nil {
			t.Fatal(err)
		}
	}
	acme, globex := store.WithTenant(ctx, "acme"), store.WithTenant(ctx, "globex")

	reads := []struct {
		name string
		read func(ctx context.Context, id string) error
	}{
		{"Job", func(ctx context.Context, id string) error { _, err := s.Job(ctx, id); return err }},
		{"Contacts", func(ctx context.Context, id string) error {
			_, err := s.Contacts(ctx, id, 10, 0, store.ContactFilter{})
			return err
		}},
		{"EachContact", func(ctx context.Context, id string) error {
			return s.EachContact(ctx, id, func(*store.StoredContact) error { return nil })
		}},
		{"Workers", func(ctx context.Context, id string) error { _, err := s.Workers(ctx, id); return err }},
		{"CancelJob", func(ctx context.Context, id string) error { _, err := s.CancelJob(ctx, id); return err }},
	}
	for _, r := range reads {
		t.Run(r.name, func(t *testing.T) {
			if err := r.read(globex, ja.ID); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("globex reading acme's job: %v, want ErrNotFound", err)
			}
			if err := r.read(globex, "guessed-id"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("globex reading a guessed id: %v, want ErrNotFound", err)
			}
			if err := r.read(ctx, jb.ID); err != nil {
				t.Errorf("without a tenant: %v", err)
			}
		})
	}
	if j, err := s.Job(acme, ja.ID); err != nil || j.Tenant != "acme" || j.Status == store.JobCancelled {
		t.Fatalf("acme reading its own job: %+v, %v (globex's cancel must not touch it)", j, err)
	}

	list := func(ctx context.Context) string {
		jobs, err := s.Jobs(ctx, 10, "")
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, j := range jobs {
			names = append(names, j.FileName)
		}
		return fmt.Sprint(names)
	}
	if got := list(acme); got != "[a.csv]" {
		t.Errorf("acme lists %s", got)
	}
	if got := list(ctx); got != "[l.csv b.csv a.csv]" {
		t.Errorf("without a tenant: %s", got)
	}

	for tenant, want := range map[string]int{"acme": 0, "globex": 0, store.LocalTenant: 1, "initech": 0} {
		if n, err := s.ActiveJobs(ctx, tenant); err != nil || n != want {
			t.Errorf("ActiveJobs(%s) = %d, %v; want %d", tenant, n, err, want)
		}
	}
}
