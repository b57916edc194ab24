package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/enricher/enricher/internal/testenv"
)

var header = []string{"First Name", "Last Name", "E-mail", "Company", "Phone", "Notes"}

// checkJob checks a finished job of contactsCSV(rows) and the states its
// subscription showed.
func checkJob(t *testing.T, s *stack, states []jobView, rows int) jobView {
	t.Helper()
	wantFailed, wantInvalid := expected(rows)
	last := states[len(states)-1]
	for i := 1; i < len(states); i++ {
		if states[i].Processed < states[i-1].Processed {
			t.Errorf("progress went back: %d then %d", states[i-1].Processed, states[i].Processed)
		}
	}
	if last.Status != "COMPLETED_WITH_ERRORS" || last.Total == nil || *last.Total != rows ||
		last.Processed != rows || last.Failed != wantFailed || last.Succeeded != rows-wantFailed || last.Emails.Invalid != wantInvalid {
		t.Fatalf("final state %+v, want %d rows, %d failed, %d invalid emails", last, rows, wantFailed, wantInvalid)
	}
	var got struct{ Job jobView }
	if errs := s.gql(`query($id: ID!) { job(id: $id) { `+jobFields+` } }`, map[string]any{"id": last.ID}, &got); errs != nil {
		t.Fatal(errs)
	}
	if !reflect.DeepEqual(got.Job, last) {
		t.Errorf("stored job %+v differs from the subscription's last state %+v", got.Job, last)
	}
	return last
}

func TestPipelineEndToEnd(t *testing.T) {
	s := newStack(t)
	s.startInProcess(roles{api: true, worker: true, aggregator: true})
	const rows = 10000

	var up struct{ UploadContacts jobView }
	if errs := s.upload("contacts.csv", contactsCSV(rows), &up); errs != nil {
		t.Fatal(errs)
	}
	states := s.waitTerminal(up.UploadContacts.ID, 3*time.Minute)
	job := checkJob(t, s, states, rows)

	// Failed rows name the row and the reason, and can be listed alone.
	var page struct {
		Contacts struct {
			Edges []struct {
				Cursor string
				Node   struct {
					Row    int
					Status string
					Error  *string
					Email  string
				}
			}
			PageInfo struct {
				HasNextPage bool
				EndCursor   string
			}
		}
	}
	q := `query($id: ID!, $after: String, $f: ContactFilter) { contacts(jobId: $id, first: 4, after: $after, filter: $f) {
		edges { cursor node { row status error email } } pageInfo { hasNextPage endCursor } } }`
	if errs := s.gql(q, map[string]any{"id": job.ID, "f": map[string]any{"status": "FAILED"}}, &page); errs != nil {
		t.Fatal(errs)
	}
	edges := page.Contacts.Edges
	if len(edges) != 4 || !page.Contacts.PageInfo.HasNextPage || edges[0].Node.Row != 1000 || edges[3].Node.Row != 4000 {
		t.Fatalf("failed contacts page: %+v", page.Contacts)
	}
	if e := edges[0].Node.Error; e == nil || !strings.Contains(*e, "row 1000") {
		t.Errorf("error of a malformed row should name it: %v", e)
	}
	if errs := s.gql(q, map[string]any{"id": job.ID, "after": page.Contacts.PageInfo.EndCursor, "f": map[string]any{"status": "FAILED"}}, &page); errs != nil {
		t.Fatal(errs)
	}
	if len(page.Contacts.Edges) != 4 || page.Contacts.Edges[0].Node.Row != 5000 {
		t.Fatalf("second page of failed contacts: %+v", page.Contacts)
	}

	// The enrichment of one contact, as GraphQL shows it.
	var one struct {
		Contacts struct {
			Edges []struct {
				Node struct {
					EmailCheck struct {
						Address, Normalized    string
						Status, Reason, Detail string
						Reasons, Flags, Mx     []string
						Score                  float64
					}
					CompanyMatch struct {
						Status, Domain, Source, Method, Name string
						Confidence                           float64
						Fields                               []struct {
							Field, Source, Method string
							Confidence            float64
						}
					}
				}
			}
		}
	}
	if errs := s.gql(`query($id: ID!) { contacts(jobId: $id, first: 1) { edges { node {
		emailCheck { address normalized status reason detail reasons flags mx score } companyMatch { status domain source method confidence name fields { field source method confidence } } } } } }`,
		map[string]any{"id": job.ID}, &one); errs != nil {
		t.Fatal(errs)
	}
	// The address, its normalized form, the detail, the lone reason and
	// the flag of that reason, left out of the result record, are there.
	if n := one.Contacts.Edges[0].Node; n.EmailCheck.Status != "VALID" || n.EmailCheck.Reason != "mailbox_not_checked" ||
		n.EmailCheck.Address != "person1@company1.com" || n.EmailCheck.Normalized != "person1@company1.com" ||
		n.EmailCheck.Detail != "company1.com accepts mail; the mailbox itself was not checked (SMTP probing is off)" ||
		fmt.Sprint(n.EmailCheck.Reasons) != "[mailbox_not_checked]" || fmt.Sprint(n.EmailCheck.Flags) != "[mailbox_not_checked]" ||
		fmt.Sprint(n.EmailCheck.Mx) != "[mx.company1.com]" || n.CompanyMatch.Status != "MATCHED" || n.CompanyMatch.Domain != "company1.com" ||
		n.CompanyMatch.Source != "email_domain" || n.CompanyMatch.Confidence == 0 {
		t.Errorf("contact 1 in GraphQL: %+v", n)
	}
	// So is the company name as given, with its provenance.
	if c := one.Contacts.Edges[0].Node.CompanyMatch; c.Name != "Company 1" || fmt.Sprintf("%+v", c.Fields) != "[{Field:name Source:contact Method:as_given Confidence:0.5}]" {
		t.Errorf("company of contact 1 in GraphQL: %+v", c)
	}

	recs := s.checkExport(job.ID, rows, header)
	// Row 7 has an invalid email and a quoted comma in an unknown column;
	// row 1 a multi-line value.
	byRow := map[string][]string{}
	for _, r := range recs[1:] {
		byRow[r[len(header)]] = r
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	if r := byRow["7"]; r[5] != "quoted, with comma" || r[col["email_status"]] != "invalid" || r[col["email_reason"]] != "failed_syntax_check" {
		t.Errorf("row 7 exported as %q", r)
	}
	if r := byRow["1"]; r[5] != "multi\nline" || r[col["company_domain"]] != "company1.com" || r[col["email_mx"]] != "mx.company1.com" ||
		r[col["email_reasons"]] != "mailbox_not_checked" || r[col["email_normalized"]] != "person1@company1.com" ||
		r[col["company_name"]] != "Company 1" || r[col["company_name_source"]] != "contact/as_given/0.50" || r[col["email_flags"]] != "mailbox_not_checked" {
		t.Errorf("row 1 exported as %q", r)
	}
	if r := byRow["10"]; r[col["company_status"]] != "personal_email" || r[col["company_reason"]] != "a free, relay or disposable address and no company name" {
		t.Errorf("row 10 exported as %q", r)
	}

	var list struct {
		Jobs struct {
			Edges []struct{ Node struct{ ID string } }
		}
	}
	if errs := s.gql(`{ jobs(first: 5) { edges { node { id } } } }`, nil, &list); errs != nil {
		t.Fatal(errs)
	}
	if len(list.Jobs.Edges) != 1 || list.Jobs.Edges[0].Node.ID != job.ID {
		t.Errorf("jobs = %+v", list.Jobs)
	}
}

// A file whose columns are all named fields: most of its rows travel
// without their fields, and the export and GraphQL give every value back
// as it came, spaces, quotes and line breaks included.
func TestNamedColumnsComeBack(t *testing.T) {
	s := newStack(t)
	s.startInProcess(roles{api: true, worker: true, aggregator: true})
	header := []string{"First Name", "Surname", "E-mail", "Organisation", "Phone"}
	rows := [][]string{
		{"Ada", "Lovelace", "ada@company1.com", "Company 1", "+1 555 0100"},
		{" Bob ", "Byron", "bob@company2.com", "Company 2", ""},
		{"Chloé", "O\"Neil", "chloe@company3.com", "Company, 3", "line\nbreak"},
		{"", "", "not-an-email", "", ""},
	}
	var b strings.Builder
	if err := csv.NewWriter(&b).WriteAll(append([][]string{header}, rows...)); err != nil {
		t.Fatal(err)
	}
	var up struct{ UploadContacts jobView }
	if errs := s.upload("named.csv", []byte(b.String()), &up); errs != nil {
		t.Fatal(errs)
	}
	id := up.UploadContacts.ID
	s.waitTerminal(id, time.Minute)

	recs := s.checkExport(id, len(rows), header)
	for _, rec := range recs[1:] {
		n, _ := strconv.Atoi(rec[len(header)])
		if want := rows[n-1]; !slices.Equal(rec[:len(header)], want) {
			t.Errorf("row %d exported as %q, want %q", n, rec[:len(header)], want)
		}
	}
	var got struct {
		Contacts struct {
			Edges []struct {
				Node struct {
					Row        int
					Fields     []string
					EmailCheck struct{ Address string }
				}
			}
		}
	}
	if errs := s.gql(`query($id: ID!) { contacts(jobId: $id, first: 10) { edges { node { row fields emailCheck { address } } } } }`,
		map[string]any{"id": id}, &got); errs != nil {
		t.Fatal(errs)
	}
	if len(got.Contacts.Edges) != len(rows) {
		t.Fatalf("%d contacts, want %d", len(got.Contacts.Edges), len(rows))
	}
	for _, e := range got.Contacts.Edges {
		want := rows[e.Node.Row-1]
		if !slices.Equal(e.Node.Fields, want) || e.Node.EmailCheck.Address != strings.TrimSpace(want[2]) {
			t.Errorf("row %d in GraphQL: fields %q, address %q; want %q", e.Node.Row, e.Node.Fields, e.Node.EmailCheck.Address, want)
		}
	}
}

func TestUploadRejectsWhatIsNotAContactsFile(t *testing.T) {
	s := newStack(t)
	s.startInProcess(roles{api: true, worker: true, aggregator: true})
	tests := []struct {
		name, content, want string
	}{
		{"empty", "", "empty"},
		{"binary", "PK\x03\x04\x14\x00\x00\x00\x08\x00", "ZIP"},
		{"no email column", "name,company\nJane,Acme\n", "email"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var up struct{ UploadContacts *jobView }
			errs := s.upload(tt.name+".csv", []byte(tt.content), &up)
			if len(errs) != 1 || !strings.Contains(errs[0], tt.want) || !strings.Contains(errs[0], tt.name+".csv") {
				t.Fatalf("errors %q, want one naming the file and %q", errs, tt.want)
			}
			if up.UploadContacts != nil {
				t.Fatalf("a job was made: %+v", up.UploadContacts)
			}
		})
	}
	t.Run("over the size limit", func(t *testing.T) {
		big := contactsCSV(40000) // about 2.8 MB, over the stack's 2 MB
		for _, chunked := range []bool{false, true} {
			errs := s.uploadBody("big.csv", big, chunked, nil)
			if len(errs) != 1 || !strings.Contains(errs[0], "larger than the limit of 2000000 bytes") {
				t.Errorf("chunked=%v: errors %q, want one naming the limit", chunked, errs)
			}
		}
	})
	t.Run("chunked upload", func(t *testing.T) {
		var up struct{ UploadContacts jobView }
		if errs := s.uploadBody("chunked.csv", contactsCSV(100), true, &up); errs != nil {
			t.Fatal(errs)
		}
		if j := up.UploadContacts; j.Total == nil || *j.Total != 100 {
			t.Fatalf("chunked upload gave %+v", j)
		}
	})
	t.Run("header only", func(t *testing.T) {
		var up struct{ UploadContacts jobView }
		if errs := s.upload("h.csv", []byte("email,name\n"), &up); errs != nil {
			t.Fatal(errs)
		}
		if j := up.UploadContacts; j.Status != "SUCCEEDED" || j.Total == nil || *j.Total != 0 {
			t.Fatalf("header-only upload gave %+v, want a job that ended at once with 0 rows", j)
		}
	})
}

// TestDistributedWorkers runs three worker processes and one aggregator
// process beside an in-process API, and checks that one job's batches
// were shared by the workers and every contact was stored once.
func TestDistributedWorkers(t *testing.T) {
	s := newStack(t)
	s.startInProcess(roles{api: true})
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	start := func(role, name string) {
		cmd := exec.Command(exe, role)
		cmd.Env = append(os.Environ(), "ENRICHER_E2E_MAIN=1", "WORKER_NAME="+name)
		for k, v := range s.env {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
		var logs bytes.Buffer
		cmd.Stdout, cmd.Stderr = &logs, &logs
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			_ = cmd.Process.Signal(os.Interrupt)
			if err := cmd.Wait(); err != nil {
				t.Errorf("%s exited: %v\n%s", name, err, logs.String())
			}
		})
	}
	for i := 1; i <= 3; i++ {
		start("worker", fmt.Sprintf("worker-%d", i))
	}
	start("aggregator", "aggregator")
	waitGroupMembers(t, s.brokers, s.env["WORKER_GROUP"], 3)

	const rows = 10000
	var up struct{ UploadContacts jobView }
	if errs := s.upload("contacts.csv", contactsCSV(rows), &up); errs != nil {
		t.Fatal(errs)
	}
	job := checkJob(t, s, s.waitTerminal(up.UploadContacts.ID, 3*time.Minute), rows)
	if len(job.Workers) < 2 {
		t.Fatalf("one job's batches were processed by %d worker(s), want at least 2: %+v", len(job.Workers), job.Workers)
	}
	batches := 0
	for _, w := range job.Workers {
		batches += w.Batches
	}
	// Batches of 200 per lane (one lane a partition), the last of each
	// lane partial.
	if job.Batches == nil || batches != *job.Batches || batches < rows/200 || batches > rows/200+6 {
		t.Errorf("workers processed %d batches, the job has %v, want %d to %d", batches, job.Batches, rows/200, rows/200+6)
	}
	s.checkExport(job.ID, rows, header)
}

// waitGroupMembers waits until group has n members with assignments.
func waitGroupMembers(t *testing.T, brokers, group string, n int) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(brokers, ",")...))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		gs, err := adm.DescribeGroups(ctx, group)
		if err == nil {
			if g, ok := gs[group]; ok && g.State == "Stable" && len(g.Members) == n {
				return
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("group %s never had %d stable members: %v", group, n, gs)
		case <-tick.C:
		}
	}
}

// TestDevCommand starts `enricher dev` as a user does and sends it a file.
func TestDevCommand(t *testing.T) {
	if testenv.Integration() {
		t.Skip("enricher dev is the embedded product; covered by make test")
	}
	dir := t.TempDir()
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"dev", "--http-addr", "127.0.0.1:0", "--kafka-addr", "127.0.0.1:0", "--data-dir", dir, "--log-level", "warn", "--dns-server", testDNS(t)},
			func(string) string { return "" }, nil, pw, io.Discard)
		pw.Close()
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("dev: %v", err)
		}
	}()
	banner := bufio.NewScanner(pr)
	var url, broker string
	re := regexp.MustCompile(`playground\s+(http://\S+)/|kafka\s+(\S+)`)
	for (url == "" || broker == "") && banner.Scan() {
		if m := re.FindStringSubmatch(banner.Text()); m != nil {
			if m[1] != "" {
				url = m[1]
			} else {
				broker = m[2]
			}
		}
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	if url == "" || broker == "" {
		t.Fatal("dev printed no playground URL or broker address")
	}
	// The embedded broker is a real one on a real port.
	cl, err := kgo.NewClient(kgo.SeedBrokers(broker))
	if err != nil {
		t.Fatal(err)
	}
	topics, err := kadm.NewClient(cl).ListTopics(context.Background())
	cl.Close()
	if err != nil || !topics.Has("contacts.batches") || !topics.Has("contacts.results") {
		t.Fatalf("topics on the embedded broker: %v, %v", topics.Names(), err)
	}
	s := &stack{t: t, url: url}
	var up struct{ UploadContacts jobView }
	if errs := s.upload("c.csv", contactsCSV(2500), &up); errs != nil {
		t.Fatal(errs)
	}
	states := s.waitTerminal(up.UploadContacts.ID, 2*time.Minute)
	if last := states[len(states)-1]; last.Processed != 2500 || last.Failed != 2 {
		t.Fatalf("final state %+v", last)
	}
	if _, err := os.Stat(filepath.Join(dir, "enricher.db")); err != nil {
		t.Errorf("no database in the data folder: %v", err)
	}
}

func TestEnrichCommand(t *testing.T) {
	if testenv.Integration() {
		t.Skip("enricher enrich is embedded by design; covered by make test")
	}
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.csv"), filepath.Join(dir, "out.csv")
	const rows = 3000
	if err := os.WriteFile(in, contactsCSV(rows), 0o644); err != nil {
		t.Fatal(err)
	}
	var stderr syncBuffer
	if err := run(context.Background(), []string{"enrich", in, "-o", out, "--dns-server", testDNS(t)}, func(string) string { return "" }, nil, io.Discard, &stderr); err != nil {
		t.Fatalf("enrich: %v\n%s", err, stderr.String())
	}
	f, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Count(string(f), "\n")
	if !strings.HasPrefix(string(f), strings.Join(header, ",")) || lines < rows+1 {
		t.Fatalf("output starts %q and has %d lines", f[:80], lines)
	}
	if !strings.Contains(stderr.String(), "enriched "+strconv.Itoa(rows)+" rows") {
		t.Errorf("no summary on stderr: %s", stderr.String())
	}

	for name, content := range map[string]string{"empty.csv": "", "noemail.csv": "a,b\n1,2\n"} {
		p := filepath.Join(dir, name)
		_ = os.WriteFile(p, []byte(content), 0o644)
		err := run(context.Background(), []string{"enrich", p, "-o", filepath.Join(dir, "x.csv"), "--dns-server", "127.0.0.1:1"}, func(string) string { return "" }, nil, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("enrich %s: err = %v, want an error naming the file", name, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "x.csv")); !os.IsNotExist(err) {
		t.Errorf("a failed run left an output file")
	}
}

// Out of the box, the sample companies enrich the sample contacts: the
// company of a work address comes from the sample dataset, marked so.
func TestEnrichSample(t *testing.T) {
	if testenv.Integration() {
		t.Skip("enricher enrich is embedded by design; covered by make test")
	}
	out := filepath.Join(t.TempDir(), "out.csv")
	var stderr syncBuffer
	args := []string{"enrich", "../../companydata/sample/contacts.csv", "-o", out, "--dns-server", testDNS(t)}
	if err := run(context.Background(), args, func(string) string { return "" }, nil, io.Discard, &stderr); err != nil {
		t.Fatalf("enrich: %v\n%s", err, stderr.String())
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	fromSample := 0
	for _, r := range rows[1:] {
		if strings.HasSuffix(r[col["email"]], ".example") && r[col["company_status"]] == "matched" &&
			strings.HasPrefix(r[col["company_name_source"]], "reference_dataset:sample/") && r[col["company_size"]] != "" {
			fromSample++
		}
	}
	if fromSample < 50 {
		t.Fatalf("%d of %d sample contacts got their company from the sample dataset, want most work addresses", fromSample, len(rows)-1)
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// Reference data loaded with `companies import` enriches what `enrich`
// writes, in the same data folder.
func TestCompaniesImportThenEnrich(t *testing.T) {
	if testenv.Integration() {
		t.Skip("embedded by design; the import itself runs on PostgreSQL in the companydata tests")
	}
	dir := t.TempDir()
	pdl := filepath.Join(dir, "companies.json")
	lines := `{"id":"g1","name":"globex corporation","website":"globex.com/about","founded":1989,"size":"1001-5000","locality":"springfield","region":"oregon","country":"united states","industry":"utilities","linkedin_url":"linkedin.com/company/globex"}
{"id":"i1","name":"initech","website":"https://www.initech.com","founded":1999,"size":"201-500","locality":"austin","region":"texas","country":"united states","industry":"computer software","linkedin_url":null}
not json
`
	if err := os.WriteFile(pdl, []byte(lines), 0o644); err != nil {
		t.Fatal(err)
	}
	var stderr syncBuffer
	env := func(string) string { return "" }
	if err := run(context.Background(), []string{"companies", "import", pdl, "--data-dir", dir}, env, nil, io.Discard, &stderr); err != nil {
		t.Fatalf("import: %v\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "imported 2 companies") || !strings.Contains(stderr.String(), "1 lines skipped") {
		t.Errorf("import summary: %s", stderr.String())
	}
	in, out := filepath.Join(dir, "in.csv"), filepath.Join(dir, "out.csv")
	if err := os.WriteFile(in, []byte("email,company\njoe@gmail.com,Globex Corp.\nann@company1.com,Initech\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := run(context.Background(), []string{"enrich", in, "-o", out, "--data-dir", dir, "--dns-server", testDNS(t)}, env, nil, io.Discard, &stderr); err != nil {
		t.Fatalf("enrich: %v\n%s", err, stderr.String())
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	globex, conflict := recs[1], recs[2]
	if globex[col["company_domain"]] != "globex.com" || globex[col["company_name"]] != "globex corporation" ||
		globex[col["company_size"]] != "1001-5000" || globex[col["company_country_code"]] != "US" ||
		!strings.HasPrefix(globex[col["company_size_source"]], "reference_dataset:pdl/domain_lookup/") {
		t.Errorf("Globex row: %q", globex)
	}
	if conflict[col["company_status"]] != "identity_conflict" || conflict[col["company_domain"]] != "company1.com" {
		t.Errorf("a work email at company1.com with the company Initech: %q", conflict)
	}
}

// Contact batches go to a broker of the service's own uncompressed, and
// compressed when the node has the embedded broker's role (roles.trim, as
// in dev and enrich), which keeps them in memory.
func TestBatchesCompressedOnlyForTheEmbeddedBroker(t *testing.T) {
	for _, tt := range []struct {
		name  string
		roles roles
		codec uint8 // as in a record batch's attributes: 0 none, 2 snappy
	}{
		{"a broker of its own", roles{api: true}, 0},
		{"the embedded broker", roles{api: true, trim: true}, 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := newStack(t)
			s.startInProcess(tt.roles)
			const rows = 1000
			var up struct{ UploadContacts jobView }
			if errs := s.upload("contacts.csv", contactsCSV(rows), &up); errs != nil {
				t.Fatal(errs)
			}
			cl, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(s.brokers, ",")...),
				kgo.ConsumeTopics(s.cfg.topics().Batches), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
			if err != nil {
				t.Fatal(err)
			}
			defer cl.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			seen := 0
			for seen < rows/200 {
				fs := cl.PollFetches(ctx)
				if err := ctx.Err(); err != nil {
					t.Fatalf("%d batch records read: %v", seen, err)
				}
				fs.EachRecord(func(r *kgo.Record) {
					seen++
					if got := r.Attrs.CompressionType(); got != tt.codec {
						t.Errorf("batch record at offset %d of partition %d: compression %d, want %d", r.Offset, r.Partition, got, tt.codec)
					}
				})
			}
		})
	}
}

// An aggregator in a process of its own has the broker hold its fetches
// for 1 MiB of results, so that a poll takes many records; one that shares
// its process with the workers, as in dev, takes what has come.
func TestAggregatorFetchesHeldInItsOwnProcess(t *testing.T) {
	for _, tt := range []struct {
		name     string
		roles    roles
		minBytes int32
		maxWait  time.Duration
	}{
		{"a process of its own", roles{aggregator: true}, 1 << 20, 100 * time.Millisecond},
		{"with the workers", roles{worker: true, aggregator: true, trim: true}, 1, 500 * time.Millisecond},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := newStack(t)
			n, err := newNode(context.Background(), s.cfg, slog.New(slog.DiscardHandler), s.store, tt.roles)
			if err != nil {
				t.Fatal(err)
			}
			defer n.close()
			cl := n.aggregator.Client
			if got := cl.OptValue(kgo.FetchMinBytes); got != tt.minBytes {
				t.Errorf("fetch min bytes %v, want %d", got, tt.minBytes)
			}
			if got := cl.OptValue(kgo.FetchMaxWait); got != tt.maxWait {
				t.Errorf("fetch max wait %v, want %v", got, tt.maxWait)
			}
		})
	}
}
