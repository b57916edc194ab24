package store

import (
	"cmp"
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
	"github.com/uptrace/bun/driver/pgdriver"
	bunschema "github.com/uptrace/bun/schema"

	"github.com/enricher/enricher/contactcsv"
	"github.com/enricher/enricher/schema"
)

// Contact is one uploaded row with its enrichment, written once by the
// aggregator when its batch's results arrive.
type Contact struct {
	bun.BaseModel `bun:"table:contacts"`

	JobID     string   `bun:"job_id,pk"`
	Row       int      `bun:"row_no,pk"`
	Status    string   `bun:"status"`
	Error     string   `bun:"error"`
	FirstName string   `bun:"first_name"`
	LastName  string   `bun:"last_name"`
	Email     string   `bun:"email"`
	Company   string   `bun:"company"`
	Phone     string   `bun:"phone"`
	Fields    []string `bun:"-"`
	// StoredFields is the fields column as stored (see storedFields);
	// Fields is what it stands for.
	StoredFields  string                `bun:"fields"`
	EmailStatus   string                `bun:"email_status"`
	CompanyDomain string                `bun:"company_domain"`
	EmailResult   *schema.EmailResult   `bun:"email_result"`
	CompanyResult *schema.CompanyResult `bun:"company_result"`
}

type jobBatch struct {
	bun.BaseModel `bun:"table:job_batches"`

	JobID       string    `bun:"job_id,pk"`
	BatchNo     int       `bun:"batch_no,pk"`
	RowCount    int       `bun:"row_count"`
	Worker      string    `bun:"worker"`
	ProcessedAt time.Time `bun:"processed_at"`
}

// Applied is what ApplyResults changed.
type Applied struct {
	// Jobs are the jobs whose counters moved, as they are now.
	Jobs []*Job
	// Duplicates counts batches that were already stored and changed nothing.
	Duplicates int
	// Orphans are batches of jobs that do not exist; nothing was stored.
	Orphans []schema.RawResultBatch
}

// tally is what a set of results adds to a job's counters.
type tally struct {
	processed, succeeded, failed                 int
	valid, invalid, catchAll, doNotMail, unknown int
	companies                                    int
}

func (t *tally) add(r *schema.RawResult) {
	t.processed++
	if r.Status != schema.StatusOK {
		t.failed++
		return
	}
	t.succeeded++
	if r.Email != nil {
		switch r.EmailStatus {
		case schema.EmailValid:
			t.valid++
		case schema.EmailInvalid:
			t.invalid++
		case schema.EmailCatchAll:
			t.catchAll++
		case schema.EmailDoNotMail:
			t.doNotMail++
		default:
			t.unknown++
		}
	}
	if r.Company != nil && r.CompanyStatus == schema.CompanyMatched {
		t.companies++
	}
}

// contactInsertChunk bounds the size of one multi-row INSERT statement.
const contactInsertChunk = 1000

// ApplyResults stores result batches in one transaction: each batch is
// recorded by (job, batch number), so a batch seen before changes nothing;
// the contacts of new batches are written, and each job's counters move by
// exactly what was new. A job whose every row is in ends SUCCEEDED or
// COMPLETED_WITH_ERRORS.
//
// On PostgreSQL the contacts go in with COPY, a fraction of the server's
// work of an INSERT. COPY cannot skip a row stored before, so should a row
// come twice under two batch numbers, the transaction is rolled back and
// done again with INSERT … ON CONFLICT DO NOTHING.
func (s *Store) ApplyResults(ctx context.Context, batches []schema.RawResultBatch) (Applied, error) {
	if s.dialect != "postgres" {
		return s.applyResults(ctx, inTx(s.db), batches, insertContacts)
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return Applied{}, fmt.Errorf("apply %d result batches: %w", len(batches), err)
	}
	defer conn.Close()
	out, err := s.applyResults(ctx, onConn(conn), batches, func(ctx context.Context, _ bun.IDB, rows []contactRow) error {
		return copyContacts(ctx, conn, rows)
	})
	if pgErr := (pgdriver.Error{}); errors.As(err, &pgErr) && pgErr.Field('C') == uniqueViolation {
		return s.applyResults(ctx, inTx(conn), batches, insertContacts)
	}
	return out, err
}

// uniqueViolation is PostgreSQL's SQLSTATE for a duplicate key.
const uniqueViolation = "23505"

// contactWriter writes contact rows in the transaction tx.
type contactWriter func(ctx context.Context, tx bun.IDB, rows []contactRow) error

// txRunner runs fn in a transaction, committed if fn succeeds.
type txRunner func(ctx context.Context, fn func(ctx context.Context, tx bun.IDB) error) error

// inTx runs transactions through database/sql.
func inTx(db bun.IDB) txRunner {
	return func(ctx context.Context, fn func(ctx context.Context, tx bun.IDB) error) error {
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error { return fn(ctx, tx) })
	}
}

// onConn runs transactions on conn with BEGIN and COMMIT of its own: a COPY
// goes through the driver connection itself (conn.Raw), which database/sql
// cannot do inside one of its transactions without deadlocking when the
// connection breaks. A connection whose transaction did not end cleanly is
// discarded, never handed back to the pool.
func onConn(conn bun.Conn) txRunner {
	return func(ctx context.Context, fn func(ctx context.Context, tx bun.IDB) error) error {
		if _, err := conn.ExecContext(ctx, "BEGIN"); err != nil {
			discard(conn)
			return fmt.Errorf("begin: %w", err)
		}
		if err := fn(ctx, conn); err != nil {
			if _, rbErr := conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK"); rbErr != nil {
				discard(conn)
			}
			return err
		}
		if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
			discard(conn)
			return fmt.Errorf("commit: %w", err)
		}
		return nil
	}
}

// discard makes database/sql close conn instead of reusing it.
func discard(conn bun.Conn) {
	_ = conn.Raw(func(any) error { return driver.ErrBadConn })
}

func (s *Store) applyResults(ctx context.Context, run txRunner, batches []schema.RawResultBatch, write contactWriter) (Applied, error) {
	var out Applied
	err := run(ctx, func(ctx context.Context, tx bun.IDB) error {
		out = Applied{}
		known, err := existingJobs(ctx, tx, batches)
		if err != nil {
			return err
		}
		fresh, err := recordBatches(ctx, tx, batches, known)
		if err != nil {
			return err
		}
		tallies := map[string]*tally{}
		var order []string
		n := 0
		for i := range batches {
			n += len(batches[i].Results)
		}
		type ref struct {
			job string
			r   *schema.RawResult
		}
		refs := make([]ref, 0, n)
		for i := range batches {
			b := &batches[i]
			switch {
			case !isKnown(known, b.JobID):
				out.Orphans = append(out.Orphans, *b)
				continue
			case !fresh[i]:
				out.Duplicates++
				continue
			}
			t := tallies[b.JobID]
			if t == nil {
				t = &tally{}
				tallies[b.JobID] = t
				order = append(order, b.JobID)
			}
			for k := range b.Results {
				r := &b.Results[k]
				t.add(r)
				refs = append(refs, ref{b.JobID, r})
			}
		}
		// The rows go in in key order. Each batch holds the rows of one
		// lane, spread over the file, so a poll's batches interleave, and
		// in that order each row lands on another page of the primary
		// key's index than the row before: a million rows took PostgreSQL
		// 4.4 s to store instead of 3.85 s.
		slices.SortFunc(refs, func(a, b ref) int {
			if c := strings.Compare(a.job, b.job); c != 0 {
				return c
			}
			return cmp.Compare(a.r.Input.Row, b.r.Input.Row)
		})
		rows := make([]contactRow, 0, len(refs))
		for _, f := range refs {
			rows = append(rows, newContactRow(f.job, f.r, known[f.job]))
		}
		if len(rows) > 0 {
			if err := write(ctx, tx, rows); err != nil {
				return err
			}
		}
		now := time.Now().UTC()
		for _, id := range order {
			j, err := addCounts(ctx, tx, id, tallies[id], now)
			if err != nil {
				return err
			}
			out.Jobs = append(out.Jobs, j)
		}
		return nil
	})
	if err != nil {
		return Applied{}, fmt.Errorf("apply %d result batches: %w", len(batches), err)
	}
	return out, nil
}

// recordBatches inserts a job_batches row for each batch of a known job,
// all in one statement, and reports which batches are new: fresh[i] is
// false for a batch stored before, or met earlier in batches.
func recordBatches(ctx context.Context, tx bun.IDB, batches []schema.RawResultBatch, known map[string][]string) ([]bool, error) {
	type key struct {
		job   string
		batch int
	}
	first := map[key]int{} // the batch's first index in batches
	var rows []jobBatch
	for i, b := range batches {
		k := key{b.JobID, b.BatchNo}
		if _, dup := first[k]; dup || !isKnown(known, b.JobID) {
			continue
		}
		first[k] = i
		rows = append(rows, jobBatch{JobID: b.JobID, BatchNo: b.BatchNo, RowCount: len(b.Results), Worker: b.Worker, ProcessedAt: b.ProcessedAt.UTC()})
	}
	fresh := make([]bool, len(batches))
	if len(rows) == 0 {
		return fresh, nil
	}
	var inserted []jobBatch
	err := tx.NewInsert().Model(&rows).On("CONFLICT DO NOTHING").Returning("job_id, batch_no").Scan(ctx, &inserted)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("record %d result batches: %w", len(rows), err)
	}
	for _, r := range inserted {
		fresh[first[key{r.JobID, r.BatchNo}]] = true
	}
	return fresh, nil
}

// existingJobs looks up the jobs of batches: a job is in the map when it
// exists, with its contactcsv.NamedColumns (nil unless every column is a
// named field).
func existingJobs(ctx context.Context, tx bun.IDB, batches []schema.RawResultBatch) (map[string][]string, error) {
	seen := map[string]bool{}
	var ids []string
	for _, b := range batches {
		if !seen[b.JobID] {
			seen[b.JobID] = true
			ids = append(ids, b.JobID)
		}
	}
	known := map[string][]string{}
	if len(ids) == 0 {
		return known, nil
	}
	var found []Job
	if err := tx.NewSelect().Model(&found).Column("id", "columns").Where("id IN (?)", bun.List(ids)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("look up jobs: %w", err)
	}
	for _, j := range found {
		known[j.ID] = contactcsv.NamedColumns(j.Columns)
	}
	return known, nil
}

// contactRow is the row ApplyResults writes for a contact: its email and
// company results go in as the JSON they came as, NULL when absent.
type contactRow struct {
	bun.BaseModel `bun:"table:contacts"`

	JobID         string       `bun:"job_id,pk"`
	Row           int          `bun:"row_no,pk"`
	Status        string       `bun:"status"`
	Error         string       `bun:"error"`
	FirstName     string       `bun:"first_name"`
	LastName      string       `bun:"last_name"`
	Email         string       `bun:"email"`
	Company       string       `bun:"company"`
	Phone         string       `bun:"phone"`
	Fields        storedFields `bun:"fields"`
	EmailStatus   string       `bun:"email_status"`
	CompanyDomain string       `bun:"company_domain"`
	EmailResult   jsonText     `bun:"email_result"`
	CompanyResult jsonText     `bun:"company_result"`
}

// jsonText is JSON for a JSON column, written as it is: NULL when nil, else
// the SQL literal bun writes for a value it encodes to the same JSON.
type jsonText []byte

// AppendQuery implements bun's schema.QueryAppender.
func (j jsonText) AppendQuery(gen bunschema.QueryGen, b []byte) ([]byte, error) {
	if j == nil {
		return dialect.AppendNull(b), nil
	}
	return gen.Dialect().AppendJSON(b, j), nil
}

// storedFields is a contact's fields column: a JSON array of its values in
// the order of its file's columns, or, for a contact whose values are
// exactly its named ones (named), empty text: the named columns hold them, and
// readers put them back in the order of the job's named columns (see
// fieldsOf). Most files are of that kind, and their rows are stored
// without a second copy of every value.
type storedFields struct {
	values []string
	named  bool
}

// AppendQuery implements bun's schema.QueryAppender.
func (f storedFields) AppendQuery(gen bunschema.QueryGen, b []byte) ([]byte, error) {
	if f.named {
		return gen.Dialect().AppendString(b, ""), nil
	}
	j, err := f.text()
	if err != nil {
		return nil, err
	}
	return gen.Dialect().AppendJSON(b, j), nil
}

// text is the column's text.
func (f storedFields) text() ([]byte, error) {
	if f.named {
		return []byte{}, nil
	}
	values := f.values
	if values == nil {
		values = []string{}
	}
	return schema.Marshal(values)
}

// fieldsOf returns the values a stored fields column stands for: the JSON
// array it holds, or, when it is empty, c's named values in the order of
// named, the job's named columns (see existingJobs).
func fieldsOf(stored []byte, c *schema.Contact, named []string) ([]string, error) {
	if len(stored) == 0 {
		return c.Values(named), nil
	}
	return decodeFields(stored)
}

// isKnown reports whether existingJobs found the job id.
func isKnown(known map[string][]string, id string) bool {
	_, ok := known[id]
	return ok
}

// newContactRow is the row of r, a result of a job whose columns are
// named (see existingJobs). A contact that came without its fields, whose
// values are its named ones, keeps them only in its named columns (see
// storedFields).
func newContactRow(jobID string, r *schema.RawResult, named []string) contactRow {
	in := &r.Input
	c := contactRow{
		JobID: jobID, Row: in.Row, Status: r.Status, Error: r.Error,
		FirstName: in.FirstName, LastName: in.LastName, Email: in.Email, Company: in.Company, Phone: in.Phone,
		Fields: storedFields{values: in.Fields}, EmailStatus: r.EmailStatus, CompanyDomain: r.CompanyDomain,
		EmailResult: jsonText(r.Email), CompanyResult: jsonText(r.Company),
	}
	// Any other row without fields is stored with none: one that could
	// not be read, or one the worker sent without its values (a result
	// too large for the topic). A row read whole has a value, as rows
	// without any are skipped.
	c.Fields.named = in.Fields == nil && in.Error == "" && named != nil && hasValue(in)
	return c
}

// hasValue reports whether c has a named value.
func hasValue(c *schema.Contact) bool {
	return c.FirstName != "" || c.LastName != "" || c.Email != "" || c.Company != "" || c.Phone != ""
}

func insertContacts(ctx context.Context, tx bun.IDB, rows []contactRow) error {
	for len(rows) > 0 {
		chunk := rows[:min(len(rows), contactInsertChunk)]
		rows = rows[len(chunk):]
		if _, err := tx.NewInsert().Model(&chunk).On("CONFLICT DO NOTHING").Exec(ctx); err != nil {
			return fmt.Errorf("insert %d contacts: %w", len(chunk), err)
		}
	}
	return nil
}

func addCounts(ctx context.Context, tx bun.IDB, id string, t *tally, now time.Time) (*Job, error) {
	var j Job
	err := tx.NewRaw(`UPDATE jobs SET
		processed = processed + ?0, succeeded = succeeded + ?2, failed = failed + ?1,
		email_valid = email_valid + ?3, email_invalid = email_invalid + ?4, email_catch_all = email_catch_all + ?5,
		email_do_not_mail = email_do_not_mail + ?6, email_unknown = email_unknown + ?7,
		companies_found = companies_found + ?8, seq = seq + 1, updated_at = ?9,
		status = CASE WHEN status IN ('CANCELLED', 'FAILED') THEN status
			WHEN total IS NOT NULL AND processed + ?0 >= total THEN `+terminalStatus+`
			WHEN status = 'PENDING' THEN 'RUNNING' ELSE status END,
		finished_at = CASE WHEN finished_at IS NULL AND total IS NOT NULL AND processed + ?0 >= total THEN ?9 ELSE finished_at END
		WHERE id = ?10 RETURNING *`,
		t.processed, t.failed, t.succeeded, t.valid, t.invalid, t.catchAll, t.doNotMail, t.unknown, t.companies, now, id,
	).Scan(ctx, &j)
	if err != nil {
		return nil, fmt.Errorf("count results of job %s: %w", id, err)
	}
	return &j, nil
}

// ContactFilter narrows a contact listing; zero fields do not filter.
type ContactFilter struct {
	Status           string // "ok" or "failed"
	EmailStatus      string
	HasCompanyDomain *bool
	Search           string // substring of email, name or company
}

// Contacts lists up to limit contacts of a job in row order, after row
// number after (0 for the first). It returns one more than limit when there
// are more, so the caller can tell. Another tenant's job is ErrNotFound
// (see WithTenant).
func (s *Store) Contacts(ctx context.Context, jobID string, limit, after int, f ContactFilter) ([]Contact, error) {
	if err := s.ownJob(ctx, jobID); err != nil {
		return nil, err
	}
	return s.contacts(ctx, jobID, limit, after, f)
}

func (s *Store) contacts(ctx context.Context, jobID string, limit, after int, f ContactFilter) ([]Contact, error) {
	var cs []Contact
	q := s.db.NewSelect().Model(&cs).Where("job_id = ?", jobID).Where("row_no > ?", after).OrderExpr("row_no").Limit(int64(limit) + 1)
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.EmailStatus != "" {
		q = q.Where("email_status = ?", f.EmailStatus)
	}
	if f.HasCompanyDomain != nil {
		if *f.HasCompanyDomain {
			q = q.Where("company_domain <> ''")
		} else {
			q = q.Where("company_domain = ''")
		}
	}
	if f.Search != "" {
		like := "%" + escapeLike(f.Search) + "%"
		q = q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where("lower(email) LIKE lower(?) ESCAPE '\\'", like).
				WhereOr("lower(first_name || ' ' || last_name) LIKE lower(?) ESCAPE '\\'", like).
				WhereOr("lower(company) LIKE lower(?) ESCAPE '\\'", like)
		})
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("list contacts of job %s: %w", jobID, err)
	}
	var named []string
	for i := range cs {
		c := &cs[i]
		if e := c.EmailResult; e != nil {
			e.Expand(c.Email) // stored as the record had it
		}
		if r := c.CompanyResult; r != nil {
			r.Expand(c.Company)
		}
		if len(c.StoredFields) == 0 && named == nil {
			var err error
			if named, err = s.namedColumns(ctx, jobID); err != nil {
				return nil, err
			}
		}
		in := schema.Contact{FirstName: c.FirstName, LastName: c.LastName, Email: c.Email, Company: c.Company, Phone: c.Phone}
		var err error
		if c.Fields, err = fieldsOf([]byte(c.StoredFields), &in, named); err != nil {
			return nil, fmt.Errorf("list contacts of job %s: row %d: fields: %w", jobID, c.Row, err)
		}
	}
	return cs, nil
}

// namedColumns returns the named columns of a job's file (see
// contactcsv.NamedColumns), or an empty list if none is. Another tenant's
// job is ErrNotFound (see WithTenant).
func (s *Store) namedColumns(ctx context.Context, jobID string) ([]string, error) {
	var j Job
	q := s.db.NewSelect().Model(&j).Column("columns").Where("id = ?", jobID)
	if t := TenantOf(ctx); t != "" {
		q = q.Where("tenant = ?", t)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("columns of job %s: %w", jobID, wrapNotFound(err))
	}
	named := contactcsv.NamedColumns(j.Columns)
	if named == nil {
		named = []string{}
	}
	return named, nil
}

// exportPage is how many contacts EachContact reads per query.
const exportPage = 2000

// StoredContact is a stored contact as the export reads it: its row, its
// original values and its email and company results as the JSON stored,
// nil when there is none.
type StoredContact struct {
	bun.BaseModel `bun:"table:contacts"`

	Row           int             `bun:"row_no"`
	Status        string          `bun:"status"`
	Error         string          `bun:"error"`
	Fields        []string        `bun:"fields"`
	Email         string          `bun:"email"`   // the contact's, which the email result may leave out (see schema.EmailResult.Expand)
	Company       string          `bun:"company"` // the contact's, which the company result may leave out (see schema.CompanyResult.Expand)
	EmailResult   json.RawMessage `bun:"email_result"`
	CompanyResult json.RawMessage `bun:"company_result"`
}

// EachContact calls fn for every stored contact of a job in row order,
// reading a page at a time so memory stays flat however large the job: the
// next page is read while fn works through the current one. On PostgreSQL
// the pages come from one streamed COPY, on SQLite from one query each.
// Another tenant's job is ErrNotFound (see WithTenant).
func (s *Store) EachContact(ctx context.Context, jobID string, fn func(*StoredContact) error) error {
	named, err := s.namedColumns(ctx, jobID) // another tenant's job is not found
	if err != nil {
		return err
	}
	if s.dialect == "postgres" {
		return s.eachContactCopy(ctx, jobID, named, fn)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type page struct {
		rows  []StoredContact
		after int
		err   error
	}
	read := func(after int) <-chan page {
		ch := make(chan page, 1)
		go func() {
			rows, err := s.contactPage(ctx, jobID, named, after)
			ch <- page{rows, after, err}
		}()
		return ch
	}
	next := read(0)
	for next != nil {
		p := <-next
		if p.err != nil {
			return fmt.Errorf("read contacts of job %s after row %d: %w", jobID, p.after, p.err)
		}
		next = nil
		if len(p.rows) == exportPage {
			next = read(p.rows[len(p.rows)-1].Row)
		}
		for i := range p.rows {
			if err := fn(&p.rows[i]); err != nil {
				if next != nil {
					cancel()
					<-next
				}
				return err
			}
		}
	}
	return nil
}

// contactPage reads up to exportPage contacts of a job, whose named
// columns are named, after row number after, scanning the columns itself:
// a tenth of the work of bun's reflection and encoding/json for the fields.
func (s *Store) contactPage(ctx context.Context, jobID string, named []string, after int) ([]StoredContact, error) {
	rows, err := s.db.NewSelect().Table("contacts").
		Column("row_no", "status", "error", "fields", "email_result", "company_result").
		Column("first_name", "last_name", "email", "company", "phone").
		Where("job_id = ?", jobID).Where("row_no > ?", after).OrderExpr("row_no").Limit(exportPage).Rows(ctx)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	page := make([]StoredContact, 0, exportPage)
	var st, fields sql.RawBytes // read before the next row
	for rows.Next() {
		var c StoredContact
		var in schema.Contact
		var email, company []byte // database/sql converts text only into a plain []byte
		if err := rows.Scan(&c.Row, &st, &c.Error, &fields, &email, &company, &in.FirstName, &in.LastName, &in.Email, &in.Company, &in.Phone); err != nil {
			return nil, err
		}
		c.EmailResult, c.CompanyResult = email, company
		c.Status = status(st)
		c.Email, c.Company = in.Email, in.Company
		var err error
		if c.Fields, err = fieldsOf(fields, &in, named); err != nil {
			return nil, fmt.Errorf("row %d: fields: %w", c.Row, err)
		}
		page = append(page, c)
	}
	return page, rows.Err()
}

// decodeFields decodes a JSON array of strings as schema.Unmarshal does.
// The arrays the aggregator stores are compact and seldom hold an escape:
// those are cut out of one string, one allocation in all; any other is
// left to schema.Unmarshal.
func decodeFields(raw []byte) ([]string, error) {
	if n, ok := plainStrings(raw); ok {
		all := string(raw)
		out := make([]string, 0, n)
		for i := 1; i < len(all)-1; {
			end := i + 1 + strings.IndexByte(all[i+1:], '"')
			out = append(out, all[i+1:end])
			i = end + 2 // past the quote and the comma (or the closing bracket)
		}
		return out, nil
	}
	var out []string
	if err := schema.Unmarshal(raw, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// plainStrings reports whether raw is a compact JSON array of strings
// without escapes or control characters, in valid UTF-8, and how many.
func plainStrings(raw []byte) (int, bool) {
	if len(raw) < 2 || raw[0] != '[' || raw[len(raw)-1] != ']' || !utf8.Valid(raw) {
		return 0, false
	}
	n := 0
	for i := 1; i < len(raw)-1; {
		if raw[i] != '"' {
			return 0, false
		}
		j := i + 1
		for j < len(raw) && raw[j] != '"' {
			if raw[j] == '\\' || raw[j] < 0x20 {
				return 0, false
			}
			j++
		}
		if j >= len(raw)-1 {
			return 0, false
		}
		n++
		i = j + 1
		switch raw[i] {
		case ',':
			i++
			if i == len(raw)-1 {
				return 0, false // a trailing comma
			}
		case ']':
			if i != len(raw)-1 {
				return 0, false
			}
		default:
			return 0, false
		}
	}
	return n, true
}

func escapeLike(s string) string {
	var b []byte
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '%', '_', '\\':
			b = append(b, '\\')
		}
		b = append(b, s[i])
	}
	return string(b)
}

// WorkerShare is how much of a job one worker enriched.
type WorkerShare struct {
	Worker  string `bun:"worker"`
	Batches int    `bun:"batches"`
	Rows    int    `bun:"rows"`
}

// Workers lists the workers that enriched a job's batches, busiest first.
// Another tenant's job is ErrNotFound (see WithTenant).
func (s *Store) Workers(ctx context.Context, jobID string) ([]WorkerShare, error) {
	if err := s.ownJob(ctx, jobID); err != nil {
		return nil, err
	}
	var out []WorkerShare
	err := s.db.NewSelect().Table("job_batches").
		ColumnExpr("worker, count(*) AS batches, sum(row_count) AS rows").
		Where("job_id = ?", jobID).Group("worker").OrderExpr("batches DESC, worker").Scan(ctx, &out)
	if err != nil {
		return nil, fmt.Errorf("workers of job %s: %w", jobID, err)
	}
	return out, nil
}
