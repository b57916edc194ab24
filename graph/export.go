package graph

import (
	"context"
	"errors"
	"fmt"
	json "github.com/goccy/go-json"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/enricher/enricher/contactcsv"
	"github.com/enricher/enricher/processors/emailverify"
	"github.com/enricher/enricher/schema"
	"github.com/enricher/enricher/store"
)

// ResultsPath is where a job's enriched CSV is served.
func ResultsPath(jobID string) string { return "/jobs/" + jobID + "/results.csv" }

// ResultColumns are the columns the export adds after the original ones.
var ResultColumns = []string{
	"row", "enrich_status", "enrich_error",
	"email_status", "email_reason", "email_reasons", "email_score", "email_normalized", "email_did_you_mean", "email_flags", "email_mx",
	"company_status", "company_confidence", "company_reason", "company_domain", "company_domain_source",
	"company_name", "company_name_source", "company_size", "company_size_min", "company_size_max", "company_size_source",
	"company_locality", "company_region", "company_country_code", "company_country", "company_location_source",
	"company_industry", "company_industry_source", "company_linkedin", "company_linkedin_source",
	"company_founded", "company_founded_source",
}

// exportEmail is what the export writes of a schema.EmailResult, decoded
// from the stored JSON by the same field names.
type exportEmail struct {
	Address    string   `json:"address"`
	Domain     string   `json:"domain"`
	Status     string   `json:"status"`
	Reason     string   `json:"reason"`
	Reasons    []string `json:"reasons"`
	Score      float64  `json:"score"`
	Normalized string   `json:"normalized"`
	DidYouMean string   `json:"did_you_mean"`
	Flags      []string `json:"flags"`
	MX         []string `json:"mx"`
}

// exportCompany is what the export writes of a schema.CompanyResult.
type exportCompany struct {
	Status      string           `json:"status"`
	Confidence  float64          `json:"confidence"`
	Reason      string           `json:"reason"`
	Domain      string           `json:"domain"`
	Name        string           `json:"name"`
	Size        string           `json:"size"`
	SizeMin     int              `json:"size_min"`
	SizeMax     int              `json:"size_max"`
	Locality    string           `json:"locality"`
	Region      string           `json:"region"`
	CountryCode string           `json:"country_code"`
	CountryName string           `json:"country_name"`
	Industry    string           `json:"industry"`
	LinkedIn    string           `json:"linkedin"`
	Founded     int              `json:"founded"`
	Source      string           `json:"source"`
	Method      string           `json:"method"`
	Fields      exportProvenance `json:"fields"`
	NameAsGiven bool             `json:"name_as_given"`
}

// exportProvenance is the provenance of the fields the export writes, of
// a schema.CompanyResult's Fields. A field without one is nil.
type exportProvenance struct {
	Name     *schema.Provenance `json:"name"`
	Size     *schema.Provenance `json:"size"`
	Location *schema.Provenance `json:"location"`
	Industry *schema.Provenance `json:"industry"`
	LinkedIn *schema.Provenance `json:"linkedin"`
	Founded  *schema.Provenance `json:"founded"`
}

// present reports whether a stored JSON result is there: not NULL, not null.
func present(raw []byte) bool { return len(raw) > 0 && string(raw) != "null" }

// emailColumns appends the values of the email columns of ResultColumns,
// from raw, the stored email result of a contact whose email is email. e
// is reused from row to row.
func emailColumns(rec []string, raw []byte, email string, e *exportEmail) ([]string, error) {
	if !present(raw) {
		return append(rec, "", "", "", "", "", "", "", ""), nil
	}
	*e = exportEmail{Reasons: e.Reasons[:0], Flags: e.Flags[:0], MX: e.MX[:0]}
	if err := json.Unmarshal(raw, e); err != nil {
		return nil, fmt.Errorf("read email result: %w", err)
	}
	// What the record left out (see schema.EmailResult.Compact).
	if len(e.Reasons) == 0 && e.Reason != "" {
		e.Reasons = append(e.Reasons, e.Reason)
	}
	if e.Normalized == "" && e.Domain != "" {
		e.Normalized = e.Address
		if e.Normalized == "" {
			e.Normalized = email
		}
	}
	return append(rec, e.Status, e.Reason, strings.Join(e.Reasons, ";"), strconv.FormatFloat(e.Score, 'f', 2, 64),
		e.Normalized, e.DidYouMean, strings.Join(emailverify.Flags(e.Reason, e.Flags), ";"), strings.Join(e.MX, ";")), nil
}

// companyColumns appends the values of the company columns of
// ResultColumns. c is reused from row to row.
func companyColumns(rec []string, raw []byte, company string, c *exportCompany) ([]string, error) {
	if !present(raw) {
		return append(rec, make([]string, 22)...), nil
	}
	*c = exportCompany{}
	if err := json.Unmarshal(raw, c); err != nil {
		return nil, fmt.Errorf("read company result: %w", err)
	}
	// What the record left out (see schema.CompanyResult.Compact).
	if c.NameAsGiven {
		c.Name, c.Fields.Name = strings.TrimSpace(company), &schema.AsGiven
	}
	if c.Reason == "" {
		c.Reason = schema.CompanyReason(c.Status, c.Name)
	}
	src := func(p *schema.Provenance) string {
		if p == nil {
			return ""
		}
		return p.Source + "/" + p.Method + "/" + strconv.FormatFloat(p.Confidence, 'f', 2, 64)
	}
	f := &c.Fields
	num := func(n int) string {
		if n == 0 {
			return ""
		}
		return strconv.Itoa(n)
	}
	domainSource := ""
	if c.Domain != "" {
		domainSource = c.Source + "/" + c.Method
	}
	return append(rec, c.Status, strconv.FormatFloat(c.Confidence, 'f', 2, 64), c.Reason, c.Domain, domainSource,
		c.Name, src(f.Name), c.Size, num(c.SizeMin), num(c.SizeMax), src(f.Size),
		c.Locality, c.Region, c.CountryCode, c.CountryName, src(f.Location),
		c.Industry, src(f.Industry), c.LinkedIn, src(f.LinkedIn), num(c.Founded), src(f.Founded)), nil
}

// WriteResults writes a job's enriched CSV to w: the original header and
// values first, then ResultColumns, one line per stored contact in row
// order. It reads the contacts a page at a time, and of their results only
// what it writes. Three stages overlap: the store reads contacts while the
// records of the contacts before them are worked out from their stored
// JSON, while the records before those are written.
func WriteResults(ctx context.Context, w io.Writer, st *store.Store, job *store.Job) error {
	cw := contactcsv.NewWriter(w)
	header := append(append([]string{}, job.Columns...), ResultColumns...)
	if err := cw.Write(header); err != nil {
		return fmt.Errorf("write header: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	rs := newRecords(job.Columns, len(header))
	read := make(chan error, 1)
	go func() {
		defer close(rs.full)
		err := st.EachContact(ctx, job.ID, func(c *store.StoredContact) error { return rs.add(ctx, c) })
		if err == nil {
			err = rs.flush(ctx)
		}
		read <- err
	}()
	var err error
	for chunk := range rs.full {
		for _, rec := range chunk.recs {
			if err == nil {
				err = cw.Write(rec)
			}
		}
		if err != nil {
			cancel() // the reading stops; this loop drains what it sent
		}
		rs.free <- chunk
	}
	if rerr := <-read; err == nil {
		err = rerr
	}
	if err == nil {
		err = cw.Flush()
	}
	if err != nil {
		return fmt.Errorf("export job %s: %w", job.ID, err)
	}
	return nil
}

// exportChunk is how many records go from the JSON stage to the CSV stage
// at once; exportChunks chunks go round between them.
const (
	exportChunk  = 500
	exportChunks = 3
)

// chunk holds exportChunk records in one block of cells.
type chunk struct {
	cells []string
	recs  [][]string
}

// records works out the CSV records of stored contacts into chunks that
// go to the CSV stage full and come back empty.
type records struct {
	columns    []string // the uploaded columns
	width      int      // cells of a record
	full, free chan *chunk

	email   exportEmail
	company exportCompany
	cur     *chunk
}

func newRecords(columns []string, width int) *records {
	rs := &records{columns: columns, width: width, full: make(chan *chunk, exportChunks), free: make(chan *chunk, exportChunks)}
	for range exportChunks {
		rs.free <- &chunk{cells: make([]string, width*exportChunk), recs: make([][]string, 0, exportChunk)}
	}
	return rs
}

func (rs *records) add(ctx context.Context, c *store.StoredContact) error {
	if rs.cur == nil {
		select {
		case rs.cur = <-rs.free:
		case <-ctx.Done():
			return ctx.Err()
		}
		rs.cur.recs = rs.cur.recs[:0]
	}
	at := len(rs.cur.recs) * rs.width
	rec := rs.cur.cells[at : at : at+rs.width]
	for i := range rs.columns {
		v := ""
		if i < len(c.Fields) {
			v = c.Fields[i]
		}
		rec = append(rec, v)
	}
	rec = append(rec, strconv.Itoa(c.Row), c.Status, c.Error)
	var err error
	if rec, err = emailColumns(rec, c.EmailResult, c.Email, &rs.email); err != nil {
		return fmt.Errorf("row %d: %w", c.Row, err)
	}
	if rec, err = companyColumns(rec, c.CompanyResult, c.Company, &rs.company); err != nil {
		return fmt.Errorf("row %d: %w", c.Row, err)
	}
	rs.cur.recs = append(rs.cur.recs, rec)
	if len(rs.cur.recs) == exportChunk {
		return rs.flush(ctx)
	}
	return nil
}

// flush sends the chunk being filled, if any.
func (rs *records) flush(ctx context.Context) error {
	if rs.cur == nil || len(rs.cur.recs) == 0 {
		return nil
	}
	select {
	case rs.full <- rs.cur:
		rs.cur = nil
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (r *Resolver) exportCSV(w http.ResponseWriter, req *http.Request) {
	id := req.PathValue("id")
	job, err := r.Store.Job(req.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		http.Error(w, fmt.Sprintf("job %q not found", id), http.StatusNotFound)
		return
	}
	if err != nil {
		r.Log.Error("export", "job", id, "err", err)
		http.Error(w, "cannot read the job: "+err.Error(), http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="enriched-%s.csv"`, job.ID))
	if !store.Terminal(job.Status) {
		w.Header().Set("X-Job-Status", job.Status) // a partial export of a running job
	}
	if err := WriteResults(req.Context(), w, r.Store, job); err != nil {
		// The status line is gone; the cut-off body is what the client sees.
		r.Log.Error("export", "job", id, "err", err)
	}
}
