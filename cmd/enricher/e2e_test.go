package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/enricher/enricher/internal/dnstest"
	"github.com/enricher/enricher/internal/testenv"
	"github.com/enricher/enricher/store"
)

// TestMain lets a test start this binary as `enricher …` in a child
// process: with ENRICHER_E2E_MAIN=1 the test binary is the command.
func TestMain(m *testing.M) {
	if os.Getenv("ENRICHER_E2E_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// testDNS starts a DNS server on loopback that knows the domains of
// contactsCSV, so no test ever asks a real resolver.
func testDNS(t testing.TB) string {
	t.Helper()
	mx := func(host string) dnstest.Domain {
		return dnstest.Domain{MX: []dnstest.MX{{Pref: 10, Host: host}}}
	}
	zone := dnstest.Zone{"gmail.com": mx("gmail-smtp-in.l.google.com"), "acme.com": mx("mx.acme.com")}
	for i := 0; i < 97; i++ {
		zone[fmt.Sprintf("company%d.com", i)] = mx(fmt.Sprintf("mx.company%d.com", i))
	}
	srv, err := dnstest.Start(zone)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv.Addr()
}

// stack is a running pipeline for a test, on the test's Kafka and database
// (embedded, or the real ones in integration mode), with its own topics
// and groups so tests do not see each other.
type stack struct {
	t       *testing.T
	env     map[string]string
	url     string // base URL of the API
	store   *store.Store
	cfg     *config
	brokers string
	// key, if set, is the API key sent with every request (Authorization:
	// Bearer, and in the websocket's connection_init payload).
	key string
	// logLevel is the level of the in-process parts' logs (default warn);
	// logs holds all they wrote.
	logLevel slog.Level
	logs     *syncBuffer
}

// as returns the stack seen with another API key ("" for none).
func (s *stack) as(key string) *stack {
	c := *s
	c.key = key
	return &c
}

// authorize adds the stack's API key to a request.
func (s *stack) authorize(req *http.Request) {
	if s.key != "" {
		req.Header.Set("Authorization", "Bearer "+s.key)
	}
}

// do sends a request with the stack's API key.
func (s *stack) do(method, path, contentType string, body io.Reader) *http.Response {
	s.t.Helper()
	req, err := http.NewRequest(method, s.url+path, body)
	if err != nil {
		s.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	s.authorize(req)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	return resp
}

func (s *stack) getenv(k string) string { return s.env[k] }

// newStack prepares the configuration and the database; start runs parts.
func newStack(t *testing.T) *stack {
	t.Helper()
	list := testenv.Brokers(t)
	brokers := strings.Join(list, ",")
	prefix := testenv.KafkaPrefix(t, list, "t")
	s := &stack{t: t, brokers: brokers, logLevel: slog.LevelWarn, logs: &syncBuffer{}, env: map[string]string{
		"KAFKA_BROKERS":         brokers,
		"DATABASE_URL":          testenv.DatabaseURL(t),
		"KAFKA_TOPIC_PREFIX":    prefix,
		"WORKER_GROUP":          prefix + "workers",
		"AGGREGATOR_GROUP":      prefix + "aggregators",
		"KAFKA_PARTITIONS":      "6",
		"BATCH_SIZE":            "200",
		"KAFKA_SESSION_TIMEOUT": "6s",
		"SHUTDOWN_GRACE":        "10s",
		"LOG_LEVEL":             "warn",
		"MAX_UPLOAD_BYTES":      "2000000",
		"DNS_SERVER":            testDNS(t),
	}}
	ctx := context.Background()
	st, err := openStore(ctx, s.env["DATABASE_URL"], true, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	s.store = st
	cfg, _, err := parseConfig("test", nil, s.getenv, io.Discard, nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg.httpAddr = "127.0.0.1:0"
	s.cfg = cfg
	return s
}

// startInProcess runs the given roles in this process until the test ends.
func (s *stack) startInProcess(r roles) {
	t := s.t
	t.Helper()
	if s.logs == nil {
		s.logs = &syncBuffer{}
	}
	log := slog.New(slog.NewTextHandler(io.MultiWriter(testWriter{t}, s.logs), &slog.HandlerOptions{Level: s.logLevel}))
	ctx, cancel := context.WithCancel(context.Background())
	n, err := newNode(ctx, s.cfg, log, s.store, r)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- n.run(ctx, func(addr string) { ready <- addr }) }()
	addr := <-ready
	if r.api {
		s.url = "http://" + addr
	}
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("node: %v", err)
		}
	})
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// gql posts a GraphQL query and decodes its data into out; it fails the
// test on transport errors and returns the GraphQL errors.
func (s *stack) gql(query string, vars map[string]any, out any) []string {
	s.t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	resp := s.do(http.MethodPost, "/query", "application/json", bytes.NewReader(body))
	defer resp.Body.Close()
	return decodeGQL(s.t, resp, out)
}

func decodeGQL(t *testing.T, resp *http.Response, out any) []string {
	t.Helper()
	var r struct {
		Data   json.RawMessage
		Errors []struct{ Message string }
	}
	raw, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatalf("HTTP %d, not a GraphQL response: %s", resp.StatusCode, raw)
	}
	var errs []string
	for _, e := range r.Errors {
		errs = append(errs, e.Message)
	}
	if out != nil && len(r.Data) > 0 && string(r.Data) != "null" {
		if err := json.Unmarshal(r.Data, out); err != nil {
			t.Fatalf("decode data: %v: %s", err, r.Data)
		}
	}
	return errs
}

// upload sends a CSV as curl -F does (GraphQL multipart request spec).
func (s *stack) upload(name string, content []byte, out any) []string {
	s.t.Helper()
	return s.uploadBody(name, content, false, out)
}

// uploadBody uploads, chunked (without a length) if asked.
func (s *stack) uploadBody(name string, content []byte, chunked bool, out any) []string {
	s.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("operations", `{"query":"mutation($file: Upload!) { uploadContacts(file: $file) { id status total } }","variables":{"file":null}}`)
	_ = mw.WriteField("map", `{"0":["variables.file"]}`)
	fw, _ := mw.CreateFormFile("0", name)
	_, _ = fw.Write(content)
	_ = mw.Close()
	var r io.Reader = &body
	if chunked {
		r = io.MultiReader(r) // hides the length: sent chunked
	}
	resp := s.do(http.MethodPost, "/query", mw.FormDataContentType(), r)
	defer resp.Body.Close()
	return decodeGQL(s.t, resp, out)
}

// jobView is the part of a Job the tests read.
type jobView struct {
	ID        string
	Status    string
	Total     *int
	Batches   *int
	Processed int
	Succeeded int
	Failed    int
	Emails    struct{ Valid, Invalid int }
	Workers   []struct {
		Worker  string
		Batches int
	}
}

const jobFields = `id status total batches processed succeeded failed emails { valid invalid } workers { worker batches }`

// follow subscribes to a job's progress over a websocket
// (graphql-transport-ws) and returns every state until the server
// completes the subscription.
func (s *stack) follow(ctx context.Context, jobID string) ([]jobView, error) {
	wsURL := "ws" + strings.TrimPrefix(s.url, "http") + "/query"
	c, _, err := websocket.Dial(ctx, wsURL, &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", wsURL, err)
	}
	defer c.CloseNow()
	c.SetReadLimit(1 << 20)
	send := func(v any) error { b, _ := json.Marshal(v); return c.Write(ctx, websocket.MessageText, b) }
	init := map[string]any{"type": "connection_init"}
	if s.key != "" {
		init["payload"] = map[string]any{"Authorization": "Bearer " + s.key}
	}
	if err := send(init); err != nil {
		return nil, err
	}
	if err := send(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{
		"query": "subscription($id: ID!) { jobProgress(jobId: $id) { " + jobFields + " } }", "variables": map[string]any{"id": jobID},
	}}); err != nil {
		return nil, err
	}
	var states []jobView
	for {
		_, data, err := c.Read(ctx)
		if err != nil {
			return states, fmt.Errorf("read: %w", err)
		}
		var msg struct {
			Type    string
			Payload json.RawMessage
		}
		if err := json.Unmarshal(data, &msg); err != nil {
			return states, err
		}
		switch msg.Type {
		case "connection_ack", "ping", "pong", "ka":
			if msg.Type == "ping" {
				_ = send(map[string]any{"type": "pong"})
			}
		case "next":
			var p struct {
				Data struct{ JobProgress *jobView }
			}
			if err := json.Unmarshal(msg.Payload, &p); err != nil {
				return states, err
			}
			// An event may come with an error for a field the database
			// could not give (its workers, during an outage), never
			// without the job.
			if p.Data.JobProgress == nil {
				return states, fmt.Errorf("event without the job: %s", msg.Payload)
			}
			states = append(states, *p.Data.JobProgress)
		case "complete":
			return states, nil
		default:
			return states, fmt.Errorf("unexpected %s: %s", msg.Type, msg.Payload)
		}
	}
}

// contactsCSV makes a contacts file of n rows: work addresses, webmail,
// invalid addresses, and every 1000th row malformed (a field too many).
func contactsCSV(n int) []byte {
	return contactsCSVAt(n, func(i int) (string, string) {
		return fmt.Sprintf("company%d.com", i%97), fmt.Sprintf("Company %d", i%97)
	})
}

// contactsCSVAt is contactsCSV with the work address of row i at the
// domain and company that company(i) gives.
func contactsCSVAt(n int, company func(i int) (domain, name string)) []byte {
	var b bytes.Buffer
	b.WriteString("First Name,Last Name,E-mail,Company,Phone,Notes\n")
	for i := 1; i <= n; i++ {
		switch {
		case i%1000 == 0:
			fmt.Fprintf(&b, "Bad,Row,bad%d@acme.com,Acme,1,extra,field\n", i)
		case i%10 == 0:
			fmt.Fprintf(&b, "Web,Mail%d,webmail%d@gmail.com,,555-%04d,\n", i, i, i)
		case i%7 == 0:
			fmt.Fprintf(&b, "No,Good%d,not-an-email-%d,Broken Inc,,\"quoted, with comma\"\n", i, i)
		default:
			domain, name := company(i)
			fmt.Fprintf(&b, "Person,N%d,person%d@%s,%s,,\"multi\nline\"\n", i, i, domain, name)
		}
	}
	return b.Bytes()
}

// expected counts of contactsCSV(n).
func expected(n int) (failed, invalid int) {
	for i := 1; i <= n; i++ {
		switch {
		case i%1000 == 0:
			failed++
		case i%10 == 0:
		case i%7 == 0:
			invalid++
		}
	}
	return failed, invalid
}

// waitTerminal follows the job until it ends, failing the test after d.
func (s *stack) waitTerminal(jobID string, d time.Duration) []jobView {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	states, err := s.follow(ctx, jobID)
	if err != nil {
		s.t.Fatalf("following job %s: %v (after %d states)", jobID, err, len(states))
	}
	if len(states) == 0 {
		s.t.Fatalf("subscription to job %s gave no state", jobID)
	}
	return states
}

// checkExport downloads the job's CSV and checks every row is there once,
// original columns first.
func (s *stack) checkExport(jobID string, rows int, header []string) [][]string {
	s.t.Helper()
	resp := s.do(http.MethodGet, "/jobs/"+jobID+"/results.csv", "", nil)
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		s.t.Fatalf("export: HTTP %d", resp.StatusCode)
	}
	r := csv.NewReader(resp.Body)
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		s.t.Fatalf("export is not CSV: %v", err)
	}
	if len(recs) != rows+1 {
		s.t.Fatalf("export has %d lines, want header + %d rows", len(recs), rows)
	}
	for i, h := range header {
		if recs[0][i] != h {
			s.t.Fatalf("export header %v does not start with the original %v", recs[0], header)
		}
	}
	rowCol := len(header) // "row" is the first added column
	seen := map[string]bool{}
	for _, rec := range recs[1:] {
		if seen[rec[rowCol]] {
			s.t.Fatalf("row %s exported twice", rec[rowCol])
		}
		seen[rec[rowCol]] = true
	}
	return recs
}
