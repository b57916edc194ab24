package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/uptrace/bun/driver/pgdriver"

	"github.com/enricher/enricher/internal/fixture"
	"github.com/enricher/enricher/internal/testenv"
	"github.com/enricher/enricher/schema"
	"github.com/enricher/enricher/store"
)

// open returns a migrated store: SQLite by default, PostgreSQL in
// integration mode. Every test here runs against both.
func open(t testing.TB) *store.Store {
	t.Helper()
	return testenv.Store(t)
}

// batch makes a result batch of rows first..first+n-1; rows listed in
// failed are failed, the others ok with an email status of valid.
func batch(t testing.TB, jobID string, no, first, n int, failed ...int) schema.RawResultBatch {
	t.Helper()
	b := schema.ResultBatch{Version: schema.RecordVersion, JobID: jobID, BatchNo: no, Worker: "w1", ProcessedAt: time.Now()}
	bad := map[int]bool{}
	for _, f := range failed {
		bad[f] = true
	}
	for row := first; row < first+n; row++ {
		r := schema.Result{Input: schema.Contact{Row: row, Email: fmt.Sprintf("p%d@acme.com", row), Fields: []string{fmt.Sprint(row)}}}
		if bad[row] {
			r.Status, r.Error = schema.StatusFailed, "row has 3 fields, header has 2"
		} else {
			r.Status = schema.StatusOK
			r.Email = &schema.EmailResult{Address: r.Input.Email, Status: schema.EmailValid, Reason: "accepted_email"}
			r.Company = &schema.CompanyResult{Domain: "acme.com", Status: schema.CompanyMatched, Source: "email_domain"}
		}
		b.Results = append(b.Results, r)
	}
	raw, err := fixture.Raw(b)
	if err != nil {
		t.Fatal(err)
	}
	return raw[0]
}

func TestMigrateTwice(t *testing.T) {
	s := open(t)
	applied, err := s.Migrate(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(applied) != 0 {
		t.Fatalf("second migrate applied %v, want nothing", applied)
	}
}

// On PostgreSQL, inserts do not trigger vacuums of the contacts table
// (see migration 20261201000006), and a large job does not trigger an
// ANALYZE (20261201000008).
func TestContactsNotVacuumedForInserts(t *testing.T) {
	s := open(t)
	if s.Dialect() != "postgres" {
		t.Skip("a PostgreSQL table setting")
	}
	var opts []string
	if err := s.DB().NewRaw("SELECT unnest(reloptions) FROM pg_class WHERE relname = 'contacts'").Scan(context.Background(), &opts); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"autovacuum_vacuum_insert_threshold=-1", "autovacuum_analyze_threshold=5000000"} {
		if !slices.Contains(opts, want) {
			t.Errorf("contacts has the options %v, want %s among them", opts, want)
		}
	}
}

func TestApplyResultsCountsEachBatchOnce(t *testing.T) {
	tests := []struct {
		name        string
		finishFirst bool // upload finished before the results arrive
		wantStatus  string
		failed      []int
	}{
		{"results after upload", true, store.JobSucceeded, nil},
		{"results before upload finished", false, store.JobSucceeded, nil},
		{"failed rows", true, store.JobCompletedWithErrors, []int{2, 5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			s := open(t)
			j, err := s.CreateJob(ctx, store.LocalTenant, "c.csv", []string{"email"})
			if err != nil {
				t.Fatal(err)
			}
			if tt.finishFirst {
				if j, err = s.FinishUpload(ctx, j.ID, 6, 2); err != nil {
					t.Fatal(err)
				}
				if j.Status != store.JobRunning {
					t.Fatalf("status after upload = %s, want RUNNING", j.Status)
				}
			}
			b0, b1 := batch(t, j.ID, 0, 1, 3, tt.failed...), batch(t, j.ID, 1, 4, 3, tt.failed...)
			// b0 twice in one call, then b0 again with b1: a redelivery.
			first, err := s.ApplyResults(ctx, []schema.RawResultBatch{b0, b0})
			if err != nil {
				t.Fatal(err)
			}
			if first.Duplicates != 1 {
				t.Errorf("duplicates in one call = %d, want 1", first.Duplicates)
			}
			got, err := s.ApplyResults(ctx, []schema.RawResultBatch{b0, b1})
			if err != nil {
				t.Fatal(err)
			}
			if got.Duplicates != 1 {
				t.Errorf("duplicates = %d, want 1", got.Duplicates)
			}
			if !tt.finishFirst {
				if j, err = s.FinishUpload(ctx, j.ID, 6, 2); err != nil {
					t.Fatal(err)
				}
			}
			j, err = s.Job(ctx, j.ID)
			if err != nil {
				t.Fatal(err)
			}
			wantFailed := len(tt.failed)
			if j.Processed != 6 || j.Failed != wantFailed || j.Succeeded != 6-wantFailed || j.EmailValid != 6-wantFailed || j.CompaniesFound != 6-wantFailed {
				t.Errorf("counts = processed %d succeeded %d failed %d valid %d companies %d", j.Processed, j.Succeeded, j.Failed, j.EmailValid, j.CompaniesFound)
			}
			if j.Status != tt.wantStatus || j.FinishedAt == nil {
				t.Errorf("status = %s finished %v, want %s and a finish time", j.Status, j.FinishedAt, tt.wantStatus)
			}
			var rows []int
			if err := s.EachContact(ctx, j.ID, func(c *store.StoredContact) error { rows = append(rows, c.Row); return nil }); err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(rows) != "[1 2 3 4 5 6]" {
				t.Errorf("stored rows = %v", rows)
			}
		})
	}
}

func TestApplyResultsOrphanBatch(t *testing.T) {
	s := open(t)
	got, err := s.ApplyResults(context.Background(), []schema.RawResultBatch{batch(t, "no-such-job", 0, 1, 2)})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Orphans) != 1 || len(got.Jobs) != 0 {
		t.Fatalf("orphans %d jobs %d, want 1 and 0", len(got.Orphans), len(got.Jobs))
	}
}

func TestEmptyUploadEndsAtOnce(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	j, err := s.CreateJob(ctx, store.LocalTenant, "empty.csv", []string{"email"})
	if err != nil {
		t.Fatal(err)
	}
	j, err = s.FinishUpload(ctx, j.ID, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if j.Status != store.JobSucceeded || j.FinishedAt == nil {
		t.Fatalf("status %s finished %v", j.Status, j.FinishedAt)
	}
}

func TestCancelKeepsStatus(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	j, _ := s.CreateJob(ctx, store.LocalTenant, "c.csv", nil)
	if _, err := s.FinishUpload(ctx, j.ID, 3, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CancelJob(ctx, j.ID); err != nil {
		t.Fatal(err)
	}
	got, err := s.ApplyResults(ctx, []schema.RawResultBatch{batch(t, j.ID, 0, 1, 3)})
	if err != nil {
		t.Fatal(err)
	}
	if st := got.Jobs[0].Status; st != store.JobCancelled {
		t.Fatalf("status after late results = %s, want CANCELLED", st)
	}
}

func TestJobNotFound(t *testing.T) {
	s := open(t)
	if _, err := s.Job(context.Background(), "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
}

func TestPagination(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	var ids []string
	for i := 0; i < 5; i++ {
		j, err := s.CreateJob(ctx, store.LocalTenant, fmt.Sprintf("%d.csv", i), nil)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, j.ID)
	}
	page, err := s.Jobs(ctx, 2, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(page) != 3 || page[0].ID != ids[4] || page[1].ID != ids[3] {
		t.Fatalf("first page wrong: %d jobs", len(page))
	}
	page, err = s.Jobs(ctx, 2, page[1].ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(page) != 3 || page[0].ID != ids[2] {
		t.Fatalf("second page wrong")
	}

	j := ids[0]
	if _, err := s.ApplyResults(ctx, []schema.RawResultBatch{batch(t, j, 0, 1, 10, 3, 7)}); err != nil {
		t.Fatal(err)
	}
	yes := true
	cases := []struct {
		name  string
		f     store.ContactFilter
		after int
		want  string
	}{
		{"all after 5", store.ContactFilter{}, 5, "[6 7 8]"},
		{"failed", store.ContactFilter{Status: schema.StatusFailed}, 0, "[3 7]"},
		{"valid", store.ContactFilter{EmailStatus: schema.EmailValid}, 0, "[1 2 4]"},
		{"with company", store.ContactFilter{HasCompanyDomain: &yes}, 6, "[8 9 10]"},
		{"search", store.ContactFilter{Search: "P9@"}, 0, "[9]"},
		{"search is literal", store.ContactFilter{Search: "p_@"}, 0, "[]"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cs, err := s.Contacts(ctx, j, 2, c.after, c.f)
			if err != nil {
				t.Fatal(err)
			}
			var rows []int
			for _, x := range cs {
				rows = append(rows, x.Row)
			}
			if fmt.Sprint(rows) != c.want && !(c.want == "[]" && len(rows) == 0) {
				t.Fatalf("rows = %v, want %s", rows, c.want)
			}
		})
	}
}

// TestEachContactPages reads a job of several pages: every row once, in
// order, and a callback's error stops the reading and comes back.
func TestEachContactPages(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	j, err := s.CreateJob(ctx, store.LocalTenant, "c.csv", []string{"email"})
	if err != nil {
		t.Fatal(err)
	}
	const rows, per = 4507, 500 // more than two pages of 2000
	var batches []schema.RawResultBatch
	for no, first := 0, 1; first <= rows; no, first = no+1, first+per {
		batches = append(batches, batch(t, j.ID, no, first, min(per, rows-first+1)))
	}
	if _, err := s.ApplyResults(ctx, batches); err != nil {
		t.Fatal(err)
	}
	next := 1
	if err := s.EachContact(ctx, j.ID, func(c *store.StoredContact) error {
		if c.Row != next {
			return fmt.Errorf("row %d, want %d", c.Row, next)
		}
		next++
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if next != rows+1 {
		t.Fatalf("read rows 1 to %d, want 1 to %d", next-1, rows)
	}
	stop := errors.New("stop")
	seen := 0
	err = s.EachContact(ctx, j.ID, func(c *store.StoredContact) error {
		seen++
		if c.Row == 2003 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || seen != 2003 {
		t.Fatalf("EachContact = %v after %d rows; want the callback's error after 2003", err, seen)
	}
}

// TestApplyResultsRowInTwoBatches: a row that comes again under another
// batch number is stored once, in the same call or a later one (on
// PostgreSQL, COPY refuses it and the transaction is done again with
// INSERT … ON CONFLICT DO NOTHING).
func TestApplyResultsRowInTwoBatches(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	j, err := s.CreateJob(ctx, store.LocalTenant, "c.csv", []string{"email"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ApplyResults(ctx, []schema.RawResultBatch{batch(t, j.ID, 0, 1, 3), batch(t, j.ID, 1, 3, 3)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ApplyResults(ctx, []schema.RawResultBatch{batch(t, j.ID, 2, 5, 2)}); err != nil {
		t.Fatal(err)
	}
	var rows []int
	if err := s.EachContact(ctx, j.ID, func(c *store.StoredContact) error { rows = append(rows, c.Row); return nil }); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(rows) != "[1 2 3 4 5 6]" {
		t.Errorf("stored rows = %v, want 1 to 6 once each", rows)
	}
	if j, err = s.Job(ctx, j.ID); err != nil {
		t.Fatal(err)
	}
	if j.Processed != 8 {
		t.Errorf("processed = %d, want 8: every result of the three batches counts", j.Processed)
	}
}

// A poll's rows go in in key order, whatever order its batches came in:
// the primary key's index takes ascending keys far more cheaply.
func TestApplyResultsWritesRowsInKeyOrder(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	j, err := s.CreateJob(ctx, store.LocalTenant, "c.csv", []string{"email"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ApplyResults(ctx, []schema.RawResultBatch{batch(t, j.ID, 1, 4, 3), batch(t, j.ID, 0, 1, 3)}); err != nil {
		t.Fatal(err)
	}
	// The order rows were written in: their place in the table.
	order := "rowid"
	if s.Dialect() == "postgres" {
		order = "ctid"
	}
	var rows []int
	if err := s.DB().NewSelect().Table("contacts").Column("row_no").Where("job_id = ?", j.ID).OrderExpr(order).Scan(ctx, &rows); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(rows) != "[1 2 3 4 5 6]" {
		t.Errorf("rows written in the order %v, want 1 to 6", rows)
	}
}

// A contact that came without its fields (its values are its named ones)
// is stored without them, and read back with them, in the order of the
// job's columns; a row that could not be read keeps what it had, and so
// does one the worker sent without its values (a result too large for the
// topic).
func TestApplyResultsFieldsFromNamedValues(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	j, err := s.CreateJob(ctx, store.LocalTenant, "c.csv", []string{"Company", "E-mail"})
	if err != nil {
		t.Fatal(err)
	}
	b := schema.ResultBatch{Version: schema.RecordVersion, JobID: j.ID, Worker: "w1", ProcessedAt: time.Now(), Results: []schema.Result{
		{Input: schema.Contact{Row: 1, Email: "a@x.test", Company: "X"}, Status: schema.StatusOK},
		{Input: schema.Contact{Row: 2, Email: "b@x.test", Company: "Y", Fields: []string{" Y", "b@x.test"}}, Status: schema.StatusOK},
		{Input: schema.Contact{Row: 3, Error: "row 3 (line 4): has 3 fields, header has 2"}, Status: schema.StatusFailed, Error: "row 3 (line 4): has 3 fields, header has 2"},
		{Input: schema.Contact{Row: 4}, Status: schema.StatusFailed, Error: "the enriched batch is larger than the topic takes"},
	}}
	raw, err := fixture.Raw(b)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ApplyResults(ctx, raw); err != nil {
		t.Fatal(err)
	}
	want := map[int][]string{1: {"X", "a@x.test"}, 2: {" Y", "b@x.test"}, 3: {}, 4: {}}
	exported := map[int][]string{}
	if err := s.EachContact(ctx, j.ID, func(c *store.StoredContact) error { exported[c.Row] = c.Fields; return nil }); err != nil {
		t.Fatal(err)
	}
	listed := map[int][]string{}
	cs, err := s.Contacts(ctx, j.ID, 10, 0, store.ContactFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		listed[c.Row] = c.Fields
	}
	if !reflect.DeepEqual(exported, want) || !reflect.DeepEqual(listed, want) {
		t.Errorf("stored fields %#v (export) and %#v (list), want %#v", exported, listed, want)
	}
	// The values of row 1 are stored once, in the named columns.
	var stored []string
	for _, r := range storedRows(t, s, j.ID) {
		stored = append(stored, r.Fields)
	}
	if w := []string{"", `[" Y","b@x.test"]`, "[]", "[]"}; !reflect.DeepEqual(stored, w) {
		t.Errorf("fields columns %q, want %q", stored, w)
	}
}

// A connection PostgreSQL closed while it sat in the pool is left out: the
// next query gets a live one instead of "terminating connection due to
// administrator command", as after a restart of the database.
func TestDropsConnectionsTheServerClosed(t *testing.T) {
	if !testenv.Integration() {
		t.Skip("PostgreSQL only (ENRICHER_INTEGRATION=1)")
	}
	ctx := context.Background()
	s := open(t)
	db := s.DB()
	db.SetMaxOpenConns(1) // one connection, reused
	var pid int
	if err := db.QueryRowContext(ctx, "SELECT pg_backend_pid()").Scan(&pid); err != nil {
		t.Fatal(err)
	}
	admin := sql.OpenDB(pgdriver.NewConnector(pgdriver.WithDSN(os.Getenv("DATABASE_URL"))))
	defer admin.Close()
	var gone bool // pg_terminate_backend with a timeout waits for the backend to end
	if err := admin.QueryRowContext(ctx, "SELECT pg_terminate_backend($1, 10000)", pid).Scan(&gone); err != nil || !gone {
		t.Fatalf("terminate backend %d: %v, %v", pid, gone, err)
	}
	var again int
	if err := db.QueryRowContext(ctx, "SELECT pg_backend_pid()").Scan(&again); err != nil {
		t.Fatalf("query after the server closed the idle connection: %v", err)
	}
	if again == pid {
		t.Errorf("the query ran on backend %d, which was terminated", pid)
	}
}
