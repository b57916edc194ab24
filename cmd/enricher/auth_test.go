package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/google/uuid"
)

// keysCmd runs `enricher keys ARGS…` on the stack's database and returns
// its standard output and error.
func (s *stack) keysCmd(args ...string) (string, string) {
	s.t.Helper()
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), append([]string{"keys"}, args...), s.getenv, nil, &stdout, &stderr); err != nil {
		s.t.Fatalf("enricher keys %v: %v\n%s", args, err, stderr.String())
	}
	return stdout.String(), stderr.String()
}

// newKey makes an API key for tenant with `enricher keys create`.
func (s *stack) newKey(tenant string) string {
	s.t.Helper()
	out, _ := s.keysCmd("create", "--tenant", tenant, "--name", "test")
	key := strings.TrimSpace(out)
	if !regexp.MustCompile(`^enr_[A-Za-z0-9_-]{43}$`).MatchString(key) {
		s.t.Fatalf("keys create printed %q, want one enr_ key", out)
	}
	return key
}

// keyID is the ID of the only key of tenant, from `enricher keys list`.
func (s *stack) keyID(tenant string) string {
	s.t.Helper()
	out, _ := s.keysCmd("list", "--tenant", tenant)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "ID") {
		s.t.Fatalf("keys list --tenant %s printed:\n%s", tenant, out)
	}
	return strings.Fields(lines[1])[0]
}

// request sends a request with an Authorization header (none if "") and
// returns the status and body.
func (s *stack) request(method, path, authorization string, body string) (int, string) {
	s.t.Helper()
	req, err := http.NewRequest(method, s.url+path, strings.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// wsInit opens a websocket to /query, sends connection_init with payload
// and returns the first message, or the error that closed the connection.
func (s *stack) wsInit(header http.Header, payload map[string]any) (string, error) {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(s.url, "http")+"/query",
		&websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}, HTTPHeader: header})
	if err != nil {
		return "", err
	}
	defer c.CloseNow()
	b, _ := json.Marshal(map[string]any{"type": "connection_init", "payload": payload})
	if err := c.Write(ctx, websocket.MessageText, b); err != nil {
		return "", err
	}
	_, data, err := c.Read(ctx)
	return string(data), err
}

// firstEvent subscribes to a job's progress with the stack's key and
// returns the first answer: a job state, or the errors.
func (s *stack) firstEvent(jobID string) string {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(s.url, "http")+"/query", &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		s.t.Fatal(err)
	}
	defer c.CloseNow()
	for _, m := range []map[string]any{
		{"type": "connection_init", "payload": map[string]any{"Authorization": "Bearer " + s.key}},
		{"id": "1", "type": "subscribe", "payload": map[string]any{
			"query": "subscription($id: ID!) { jobProgress(jobId: $id) { id status } }", "variables": map[string]any{"id": jobID}}},
	} {
		b, _ := json.Marshal(m)
		if err := c.Write(ctx, websocket.MessageText, b); err != nil {
			s.t.Fatal(err)
		}
	}
	for {
		_, data, err := c.Read(ctx)
		if err != nil {
			s.t.Fatalf("subscription: %v", err)
		}
		var msg struct {
			Type    string
			Payload json.RawMessage
		}
		if err := json.Unmarshal(data, &msg); err != nil {
			s.t.Fatal(err)
		}
		var result struct {
			Data   struct{ JobProgress *jobView }
			Errors []struct{ Message string }
		}
		switch msg.Type {
		case "error": // graphql-transport-ws: the payload is the list of errors
			_ = json.Unmarshal(msg.Payload, &result.Errors)
		case "next":
			_ = json.Unmarshal(msg.Payload, &result)
		}
		switch msg.Type {
		case "next", "error":
			if result.Data.JobProgress != nil {
				return "followed"
			}
			var errs []string
			for _, e := range result.Errors {
				errs = append(errs, e.Message)
			}
			return strings.Join(errs, ";")
		case "complete":
			return "completed without an event"
		}
	}
}

func TestTenantsSeeOnlyTheirJobs(t *testing.T) {
	s := newStack(t)
	s.cfg.auth = optionalBool{set: true, value: true}
	s.cfg.maxQueryDepth = 4
	s.cfg.maxActiveJobs = 1
	s.cfg.maxComplexity = 40
	keyA, keyB, keyC := s.newKey("acme"), s.newKey("globex"), s.newKey("initech")
	s.startInProcess(roles{api: true, worker: true, aggregator: true})
	a, b := s.as(keyA), s.as(keyB)

	var up struct{ UploadContacts jobView }
	if errs := a.upload("acme.csv", contactsCSV(1000), &up); errs != nil {
		t.Fatal(errs)
	}
	jobA := up.UploadContacts.ID
	checkJob(t, a, a.waitTerminal(jobA, 2*time.Minute), 1000)
	a.checkExport(jobA, 1000, header)

	// What tenant B gets for a job id: A's job and a guessed one must look
	// the same, a not-found, once the id is taken out.
	guessed := uuid.Must(uuid.NewV7()).String()
	views := []struct {
		name string
		view func(id string) string
	}{
		{"query job", func(id string) string {
			var got struct{ Job *jobView }
			errs := b.gql(`query($id: ID!) { job(id: $id) { id status } }`, map[string]any{"id": id}, &got)
			if got.Job != nil {
				return "visible"
			}
			return strings.Join(errs, ";") + "null"
		}},
		{"jobs list", func(id string) string {
			var got struct {
				Jobs struct{ Edges []struct{ Node jobView } }
			}
			if errs := b.gql(`{ jobs(first: 100) { edges { node { id } } } }`, nil, &got); errs != nil {
				return strings.Join(errs, ";")
			}
			for _, e := range got.Jobs.Edges {
				if e.Node.ID == id {
					return "listed"
				}
			}
			return "not listed"
		}},
		{"contacts", func(id string) string {
			return strings.Join(b.gql(`query($id: ID!) { contacts(jobId: $id, first: 5) { edges { node { row email } } } }`, map[string]any{"id": id}, nil), ";")
		}},
		{"cancel", func(id string) string {
			return strings.Join(b.gql(`mutation($id: ID!) { cancelJob(id: $id) { id status } }`, map[string]any{"id": id}, nil), ";")
		}},
		{"subscription", func(id string) string { return b.firstEvent(id) }},
		{"export", func(id string) string {
			code, body := b.request(http.MethodGet, "/jobs/"+id+"/results.csv", "Bearer "+keyB, "")
			return http.StatusText(code) + ": " + body
		}},
	}
	for _, v := range views {
		t.Run(v.name, func(t *testing.T) {
			got := strings.ReplaceAll(v.view(jobA), jobA, "ID")
			want := strings.ReplaceAll(v.view(guessed), guessed, "ID")
			if got != want {
				t.Errorf("tenant B sees acme's job as %q, a guessed id as %q: they must look the same", got, want)
			}
			if !strings.Contains(got, "not found") && got != "null" && got != "not listed" {
				t.Errorf("tenant B sees acme's job as %q, want not found", got)
			}
		})
	}
	var stillA struct{ Job jobView }
	if errs := a.gql(`query($id: ID!) { job(id: $id) { `+jobFields+` } }`, map[string]any{"id": jobA}, &stillA); errs != nil || stillA.Job.Status != "COMPLETED_WITH_ERRORS" {
		t.Fatalf("acme's own view of its job: %+v %v", stillA.Job, errs)
	}

	t.Run("refused", func(t *testing.T) {
		// initech's key works, then is revoked with the command.
		if code, body := s.request(http.MethodPost, "/query", "Bearer "+keyC, `{"query":"{ jobs { edges { cursor } } }"}`); code != http.StatusOK {
			t.Fatalf("a fresh key: HTTP %d %s", code, body)
		}
		s.keysCmd("revoke", s.keyID("initech"))
		cases := []struct {
			name, authorization, want string
		}{
			{"no key", "", "missing API key"},
			{"unknown key", "Bearer enr_" + strings.Repeat("x", 43), "invalid API key"},
			{"revoked key", "Bearer " + keyC, "revoked"},
			{"not bearer", "Basic " + keyA, "Bearer"},
		}
		for _, c := range cases {
			for _, path := range []string{"/query", "/jobs/" + jobA + "/results.csv"} {
				method := http.MethodPost
				if strings.HasSuffix(path, ".csv") {
					method = http.MethodGet
				}
				code, body := s.request(method, path, c.authorization, `{"query":"{ jobs { edges { cursor } } }"}`)
				var msg struct {
					Errors []struct {
						Message    string
						Extensions struct{ Code string }
					}
				}
				if err := json.Unmarshal([]byte(body), &msg); err != nil || code != http.StatusUnauthorized || len(msg.Errors) != 1 ||
					!strings.Contains(msg.Errors[0].Message, c.want) || msg.Errors[0].Extensions.Code != "UNAUTHENTICATED" {
					t.Errorf("%s %s: HTTP %d %s; want 401 with a JSON error saying %q", c.name, path, code, body, c.want)
				}
				if c.authorization != "" && strings.Contains(body, strings.TrimPrefix(c.authorization, "Bearer ")) {
					t.Errorf("%s: the answer repeats the key", c.name)
				}
			}
			// A websocket: the key in the connection_init payload.
			msg, err := s.wsInit(nil, map[string]any{"Authorization": c.authorization})
			var ce websocket.CloseError
			if !errors.As(err, &ce) || ce.Code != 4403 || !strings.Contains(ce.Reason, c.want) {
				t.Errorf("%s over a websocket: message %q, error %v; want closed with 4403 saying %q", c.name, msg, err, c.want)
			}
		}
		// The key may also come in the upgrade request's header.
		if msg, err := s.wsInit(http.Header{"Authorization": {"Bearer " + keyB}}, nil); err != nil || !strings.Contains(msg, "connection_ack") {
			t.Errorf("websocket with the key in the upgrade request: %q, %v", msg, err)
		}
		if _, err := s.wsInit(http.Header{"Authorization": {"Bearer " + keyC}}, map[string]any{"Authorization": "Bearer " + keyA}); err == nil {
			t.Errorf("a websocket upgrade with a revoked key was accepted")
		}
		if code, _ := s.request(http.MethodGet, "/healthz", "", ""); code != http.StatusOK {
			t.Errorf("/healthz without a key: HTTP %d, want 200", code)
		}
	})

	t.Run("limits", func(t *testing.T) {
		errs := a.gql(`query($id: ID!) { contacts(jobId: $id, first: 1) { edges { node { emailCheck { status } } } } }`, map[string]any{"id": jobA}, nil)
		if len(errs) != 1 || !strings.Contains(errs[0], "MAX_QUERY_DEPTH") || !strings.Contains(errs[0], "limit of 4") {
			t.Errorf("a query 5 deep with a limit of 4: %q, want an error naming MAX_QUERY_DEPTH", errs)
		}
		many := "{" + strings.Repeat(" jobs { edges { cursor node { id status } } }", 10) + " }"
		many = regexp.MustCompile(`jobs`).ReplaceAllStringFunc(many, func() func(string) string {
			n := 0
			return func(s string) string { n++; return "j" + strconv.Itoa(n) + ": jobs" }
		}())
		if errs := a.gql(many, nil, nil); len(errs) != 1 || !strings.Contains(errs[0], "MAX_QUERY_COMPLEXITY") || !strings.Contains(errs[0], "limit of 40") {
			t.Errorf("a query over the complexity limit: %q, want an error naming MAX_QUERY_COMPLEXITY", errs)
		}
		// Introspection does not count: the playground's query is deep.
		if errs := a.gql(`{ __schema { types { name fields { name type { name ofType { name ofType { name ofType { name } } } } } } } }`, nil, nil); errs != nil {
			t.Errorf("introspection: %q", errs)
		}
		// globex has a job that never ends: its next upload is over the limit of 1.
		if _, err := s.store.CreateJob(context.Background(), "globex", "stuck.csv", []string{"email"}); err != nil {
			t.Fatal(err)
		}
		if errs := b.upload("more.csv", contactsCSV(10), nil); len(errs) != 1 || !strings.Contains(errs[0], "MAX_ACTIVE_JOBS") {
			t.Errorf("an upload over the active jobs limit: %q, want an error naming MAX_ACTIVE_JOBS", errs)
		}
		var up struct{ UploadContacts jobView }
		if errs := a.upload("again.csv", contactsCSV(10), &up); errs != nil {
			t.Fatalf("acme is not over its limit: %q", errs)
		}
		a.waitTerminal(up.UploadContacts.ID, time.Minute)
	})
}

// TestSecretsStayOutOfLogs runs a job with every kind of secret in play, the
// logs at debug level, and looks for the secrets in what was logged and
// answered: API keys (good, revoked and wrong ones), the paid APIs' keys
// and the database password.
func TestSecretsStayOutOfLogs(t *testing.T) {
	s := newStack(t)
	s.logLevel = slog.LevelDebug
	s.cfg.auth = optionalBool{set: true, value: true}
	var calls atomic.Int32
	provider := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		http.Error(w, "no such key", http.StatusUnauthorized)
	}))
	t.Cleanup(provider.Close)
	s.cfg.pdlKey, s.cfg.pdlURL = "pdl-"+uuid.NewString(), provider.URL
	s.cfg.clearbitKey, s.cfg.clearbitURL = "cb-"+uuid.NewString(), provider.URL
	s.cfg.apiBudget = 3

	key, revoked := s.newKey("acme"), s.newKey("revoked")
	s.keysCmd("revoke", s.keyID("revoked"))
	list, _ := s.keysCmd("list")
	s.startInProcess(roles{api: true, worker: true, aggregator: true})

	var up struct{ UploadContacts jobView }
	if errs := s.as(key).upload("c.csv", contactsCSV(200), &up); errs != nil {
		t.Fatal(errs)
	}
	s.as(key).waitTerminal(up.UploadContacts.ID, 2*time.Minute)
	wrong := "enr_" + strings.Repeat("Z", 43)
	var answers []string
	for _, k := range []string{revoked, wrong, key + "x"} {
		_, body := s.request(http.MethodPost, "/query", "Bearer "+k, `{"query":"{ jobs { edges { cursor } } }"}`)
		answers = append(answers, body)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		_, err := s.as(k).follow(ctx, up.UploadContacts.ID)
		cancel()
		if err == nil {
			t.Fatalf("a subscription with a bad key was served")
		}
		answers = append(answers, err.Error())
	}
	if calls.Load() == 0 {
		t.Errorf("the paid APIs were never asked: their keys were not in play")
	}

	secrets := map[string]string{
		"API key": key, "revoked API key": revoked, "wrong API key": wrong,
		"PDL key": s.cfg.pdlKey, "Clearbit key": s.cfg.clearbitKey,
	}
	if u, err := url.Parse(s.env["DATABASE_URL"]); err == nil {
		if p, ok := u.User.Password(); ok && p != "" {
			secrets["database password"] = p
		}
	}
	// A database that cannot be reached: its password is not in the error.
	var stderr bytes.Buffer
	err := run(context.Background(), []string{"keys", "list", "--database-url", "postgres://enricher:Db-Secret-42@127.0.0.1:1/enricher?sslmode=disable"},
		func(string) string { return "" }, nil, io.Discard, &stderr)
	if err == nil {
		t.Fatal("keys list on a database that is not there succeeded")
	}
	secrets["unreachable database password"] = "Db-Secret-42"

	logs := s.logs.String()
	if !strings.Contains(logs, "level=") {
		t.Fatalf("nothing was logged: the test would prove nothing")
	}
	places := map[string]string{"logs": logs, "keys list": list, "answers": strings.Join(answers, "\n"), "error": err.Error() + stderr.String()}
	for what, secret := range secrets {
		for where, text := range places {
			if strings.Contains(text, secret) {
				t.Errorf("the %s is in the %s", what, where)
			}
		}
	}
}
