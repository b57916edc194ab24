package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// hostileDir holds the committed hostile inputs, one file per case.
const hostileDir = "../../contactcsv/testdata/hostile"

// hostileCase is one hostile upload and what it must give: a GraphQL
// error naming the file and wantErr; or a job that failed at upload with
// wantJobErr; or a job that ends with rows rows, failed of them failed,
// each failed row's error naming the row and reason.
type hostileCase struct {
	name       string        // file name in hostileDir, or of a generated file
	gen        func() []byte // generates the content; nil reads the file
	wantErr    string
	wantJobErr string
	rows       int
	failed     int
	reason     string
	formulas   bool // the export must neutralise formula cells
}

func hostileCases() []hostileCase {
	const mb = 1 << 20
	return []hostileCase{
		// Refused with a clear GraphQL error, no job.
		{name: "empty.csv", wantErr: "the file is empty"},
		{name: "whitespace-only.csv", wantErr: "the file is empty"},
		{name: "only-newlines.csv", wantErr: "the file is empty"},
		{name: "bom-only.csv", wantErr: "the file is empty"},
		{name: "only-delimiters.csv", wantErr: "all header cells are empty"},
		{name: "only-semicolons.csv", wantErr: "all header cells are empty"},
		{name: "binary-garbage.csv", wantErr: "not a CSV"},
		{name: "zip-named-csv.csv", wantErr: "ZIP archive"},
		{name: "gzip.csv", wantErr: "gzip-compressed"},
		{name: "png-header.csv", wantErr: "PNG image"},
		{name: "pdf.csv", wantErr: "PDF document"},
		{name: "xls-ole2.csv", wantErr: "Excel .xls"},
		{name: "html-page.csv", wantErr: "HTML page"},
		{name: "html-no-doctype.csv", wantErr: "HTML page"},
		{name: "xml-spreadsheet.csv", wantErr: "XML document"},
		{name: "json-array.csv", wantErr: "looks like JSON"},
		{name: "ndjson.csv", wantErr: "looks like JSON"},
		{name: "nul-bytes.csv", wantErr: "NUL bytes"},
		{name: "utf16le-bom.csv", wantErr: "UTF-16"},
		{name: "utf16be-bom.csv", wantErr: "UTF-16"},
		{name: "utf16le-no-bom.csv", wantErr: "UTF-16 text is not supported"},
		{name: "utf16be-no-bom.csv", wantErr: "UTF-16 text is not supported"},
		{name: "utf32le-bom.csv", wantErr: "UTF-32"},
		{name: "no-email-column.csv", wantErr: "no email column"},
		{name: "10mb-single-line.csv", wantErr: "line 1: a header cell is longer than 1048576 bytes", gen: func() []byte {
			return append([]byte("email,"), bytes.Repeat([]byte("x"), 10*mb)...)
		}},
		{name: "10000-columns.csv", wantErr: "the header has 10000 columns, at most 1000", gen: func() []byte {
			var b bytes.Buffer
			b.WriteString("email")
			for i := 1; i < 10000; i++ {
				fmt.Fprintf(&b, ",c%d", i)
			}
			b.WriteString("\nann@acme.com\n")
			return b.Bytes()
		}},

		// A job that failed at upload, saying where and why.
		{name: "unbalanced-quote.csv", wantJobErr: "line 2: a quoted field is never closed"},

		// A job whose every row is accounted for.
		{name: "header-only.csv"},
		{name: "header-only-no-newline.csv"},
		{name: "one-column.csv", rows: 2},
		{name: "bom-utf8.csv", rows: 2},
		{name: "double-bom.csv", rows: 2},
		{name: "windows-1252.csv", rows: 2},
		{name: "duplicate-header-names.csv", rows: 2},
		{name: "blank-header-names.csv", rows: 2},
		{name: "trailing-delimiter.csv", rows: 2},
		{name: "mixed-line-endings.csv", rows: 3},
		{name: "cr-only-line-endings.csv", rows: 2},
		{name: "blank-lines-between-rows.csv", rows: 2},
		{name: "quoted-newlines-everywhere.csv", rows: 2},
		{name: "ansi-and-control-chars.csv", rows: 2},
		{name: "sql-and-script-injection.csv", rows: 2},
		{name: "sep-line-excel.csv", rows: 1},
		{name: "formula-cells.csv", rows: 4, formulas: true},
		{name: "more-fields-than-header.csv", rows: 2, failed: 1, reason: "has 4 fields, header has 2"},
		{name: "fewer-fields-than-header.csv", rows: 2, failed: 1, reason: `column "email": missing`},
		{name: "quote-in-unquoted-field.csv", rows: 2, failed: 1, reason: `column "first_name": bare "`},
		{name: "text-after-closing-quote.csv", rows: 2, failed: 1, reason: `column "email": extraneous or missing "`},
		{name: "unclosed-quote-last-line.csv", rows: 2, failed: 1, reason: "quoted field is not closed"},
		{name: "10mb-data-line.csv", rows: 2, failed: 1, reason: `column "notes": value is longer than 1048576 bytes`, gen: func() []byte {
			var b bytes.Buffer
			b.WriteString("email,notes\nann@acme.com,")
			b.Write(bytes.Repeat([]byte("y"), 10*mb))
			b.WriteString("\nbob@company1.com,short\n")
			return b.Bytes()
		}},
		{name: "long-quoted-field.csv", rows: 3, failed: 1, reason: "value is longer than 1048576 bytes", gen: func() []byte {
			var b bytes.Buffer
			b.WriteString("email,notes\nann@acme.com,ok\nbob@company1.com,\"")
			for b.Len() < 2*mb {
				b.WriteString("a, \"\"quoted\"\"\nline\n")
			}
			b.WriteString("\"\ncid@company2.com,ok\n")
			return b.Bytes()
		}},
		{name: "10000-fields-in-a-row.csv", rows: 2, failed: 1, reason: "has 10000 fields, at most 1000 are allowed", gen: func() []byte {
			var b bytes.Buffer
			b.WriteString("email,notes\nann@acme.com")
			b.WriteString(strings.Repeat(",f", 9999))
			b.WriteString("\nbob@company1.com,ok\n")
			return b.Bytes()
		}},
		{name: "invalid-utf8-after-64k.csv", rows: 2001, failed: 1, reason: `column "notes": invalid UTF-8`, gen: func() []byte {
			var b bytes.Buffer
			b.WriteString("email,notes\n")
			for i := 1; i <= 2000; i++ {
				fmt.Fprintf(&b, "p%d@company%d.com,row %d with some padding text\n", i, i%97, i)
			}
			b.WriteString("bad@acme.com,caf\xe9 \xff\xfe\n")
			return b.Bytes()
		}},
	}
}

// TestHostileUploads sends each hostile input through the GraphQL API:
// never a 5xx, a panic or a hang; either a clear error, or a job whose
// every row is accounted for and whose failed rows say which and why.
func TestHostileUploads(t *testing.T) {
	s := newStack(t)
	s.cfg.maxUploadBytes = 32 << 20 // room for the 10 MB cases
	s.startInProcess(roles{api: true, worker: true, aggregator: true})

	cases := hostileCases()
	named := map[string]bool{}
	for _, c := range cases {
		named[c.name] = true
	}
	files, err := os.ReadDir(hostileDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if !named[f.Name()] {
			t.Errorf("%s/%s has no case in hostileCases", hostileDir, f.Name())
		}
	}
	if len(cases) < 30 {
		t.Errorf("%d hostile cases, want at least 30", len(cases))
	}

	for _, c := range cases {
		t.Run(strings.TrimSuffix(c.name, ".csv"), func(t *testing.T) {
			content := readHostile(t, c)
			status, errs, job := s.uploadStatus(c.name, content, time.Minute)
			if status >= 500 {
				t.Fatalf("HTTP %d, errors %q", status, errs)
			}
			for _, e := range errs {
				if strings.Contains(e, "internal system error") {
					t.Fatalf("the server panicked: %q", errs)
				}
			}
			switch {
			case c.wantErr != "":
				if len(errs) != 1 || !strings.Contains(errs[0], c.wantErr) || !strings.Contains(errs[0], c.name) {
					t.Fatalf("errors %q, want one naming the file and %q", errs, c.wantErr)
				}
				if job != nil {
					t.Fatalf("a job was made: %+v", job)
				}
				return
			case len(errs) != 0 || job == nil:
				t.Fatalf("errors %q, job %+v; want a job", errs, job)
			}
			if c.wantJobErr != "" {
				var got struct {
					Job struct{ Status, Error string }
				}
				if errs := s.gql(`query($id: ID!) { job(id: $id) { status error } }`, map[string]any{"id": job.ID}, &got); errs != nil {
					t.Fatal(errs)
				}
				if got.Job.Status != "FAILED" || !strings.Contains(got.Job.Error, c.wantJobErr) {
					t.Fatalf("job %+v, want FAILED with an error saying %q", got.Job, c.wantJobErr)
				}
				return
			}
			s.checkHostileJob(t, c, job.ID)
		})
	}
}

func readHostile(t *testing.T, c hostileCase) []byte {
	t.Helper()
	if c.gen != nil {
		return c.gen()
	}
	b, err := os.ReadFile(filepath.Join(hostileDir, c.name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// checkHostileJob follows the job to its end and checks its counts, its
// contacts and, if asked, its export.
func (s *stack) checkHostileJob(t *testing.T, c hostileCase, id string) {
	t.Helper()
	states := s.waitTerminal(id, time.Minute)
	last := states[len(states)-1]
	wantStatus := "SUCCEEDED"
	if c.failed > 0 {
		wantStatus = "COMPLETED_WITH_ERRORS"
	}
	if last.Status != wantStatus || last.Total == nil || *last.Total != c.rows || last.Processed != c.rows ||
		last.Succeeded+last.Failed != *last.Total || last.Failed != c.failed {
		t.Fatalf("final state %+v, want %s with %d rows, %d failed", last, wantStatus, c.rows, c.failed)
	}
	var stored struct{ Job jobView }
	if errs := s.gql(`query($id: ID!) { job(id: $id) { `+jobFields+` } }`, map[string]any{"id": id}, &stored); errs != nil {
		t.Fatal(errs)
	}
	if !reflect.DeepEqual(stored.Job, last) {
		t.Errorf("stored job %+v differs from the subscription's last state %+v", stored.Job, last)
	}

	contacts := s.allContacts(id)
	if len(contacts) != c.rows {
		t.Fatalf("%d contacts, want %d", len(contacts), c.rows)
	}
	failed := 0
	for i, ct := range contacts {
		if ct.Row != i+1 {
			t.Fatalf("contact %d has row %d", i+1, ct.Row)
		}
		if ct.Status != "FAILED" {
			continue
		}
		failed++
		if ct.Error == nil || !strings.HasPrefix(*ct.Error, fmt.Sprintf("row %d (line ", ct.Row)) || !strings.Contains(*ct.Error, c.reason) {
			t.Errorf("row %d failed with %v, want an error naming the row and %q", ct.Row, ct.Error, c.reason)
		}
	}
	if failed != c.failed {
		t.Errorf("%d contacts failed, want %d", failed, c.failed)
	}
	if c.formulas {
		s.checkNeutralised(t, id, c.rows)
	}
}

// hostileContact is the part of a Contact the hostile tests read.
type hostileContact struct {
	Row    int
	Status string
	Error  *string
}

// allContacts pages through every contact of a job.
func (s *stack) allContacts(id string) []hostileContact {
	s.t.Helper()
	var out []hostileContact
	var after any
	for {
		var page struct {
			Contacts struct {
				Edges    []struct{ Node hostileContact }
				PageInfo struct {
					HasNextPage bool
					EndCursor   string
				}
			}
		}
		if errs := s.gql(`query($id: ID!, $after: String) { contacts(jobId: $id, first: 100, after: $after) {
			edges { node { row status error } } pageInfo { hasNextPage endCursor } } }`,
			map[string]any{"id": id, "after": after}, &page); errs != nil {
			s.t.Fatal(errs)
		}
		for _, e := range page.Contacts.Edges {
			out = append(out, e.Node)
		}
		if !page.Contacts.PageInfo.HasNextPage {
			return out
		}
		after = page.Contacts.PageInfo.EndCursor
	}
}

// checkNeutralised reads the export back and checks that no cell would
// run as a formula in a spreadsheet, and that the input's formulas are
// there with a leading quote.
func (s *stack) checkNeutralised(t *testing.T, id string, rows int) {
	t.Helper()
	recs := s.checkExport(id, rows, []string{"email", "first_name", "company", "notes"})
	for _, rec := range recs {
		for _, cell := range rec {
			if cell == "" {
				continue
			}
			switch cell[0] {
			case '=', '@', '\t', '\r':
				t.Errorf("export cell %q would run as a formula", cell)
			case '+', '-':
				if strings.Trim(cell[1:], "0123456789 .,()-") != "" {
					t.Errorf("export cell %q would run as a formula", cell)
				}
			}
		}
	}
	want := map[string]bool{"'=1+1": false, "'+SUM(A1:A9)": false, "'-2+3": false, "'@cmd": false, "'\tTabbed": false,
		"'\rReturn": false, "+44 20 7946 0958": false, "'=cmd|' /C calc'!A0": false, "'@SUM(1)": false, "-12.5": false}
	for _, rec := range recs[1:] {
		for _, cell := range rec[:4] {
			if _, ok := want[cell]; ok {
				want[cell] = true
			}
		}
	}
	for cell, seen := range want {
		if !seen {
			t.Errorf("export lacks the cell %q", cell)
		}
	}
}

// uploadStatus uploads a file as upload does, within d, and returns the
// HTTP status, the GraphQL errors and the job, if one was made.
func (s *stack) uploadStatus(name string, content []byte, d time.Duration) (int, []string, *jobView) {
	s.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("operations", `{"query":"mutation($file: Upload!) { uploadContacts(file: $file) { `+jobFields+` } }","variables":{"file":null}}`)
	_ = mw.WriteField("map", `{"0":["variables.file"]}`)
	fw, _ := mw.CreateFormFile("0", name)
	_, _ = fw.Write(content)
	_ = mw.Close()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url+"/query", &body)
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	s.authorize(req)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatalf("upload %s: %v", name, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatalf("upload %s: reading the response: %v", name, err)
	}
	var r struct {
		Data   *struct{ UploadContacts *jobView }
		Errors []struct{ Message string }
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		s.t.Fatalf("upload %s: HTTP %d, not a GraphQL response: %.500s", name, resp.StatusCode, raw)
	}
	var errs []string
	for _, e := range r.Errors {
		errs = append(errs, e.Message)
	}
	var job *jobView
	if r.Data != nil {
		job = r.Data.UploadContacts
	}
	return resp.StatusCode, errs, job
}
