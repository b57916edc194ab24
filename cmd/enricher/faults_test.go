package main

// Fault tests: the pipeline runs as separate processes of the built
// binary on a real Kafka broker and PostgreSQL of their own (`make
// test-faults` starts them on other ports than `make services-up`), and
// each test breaks something on purpose in the middle of a job, then
// checks that nothing was lost and nothing counted twice.

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/uptrace/bun/driver/pgdriver"
	"golang.org/x/sys/unix"

	"github.com/enricher/enricher/internal/dnstest"
	"github.com/enricher/enricher/internal/testenv"
)

const (
	faultRows    = 50000
	faultGrace   = 10 * time.Second // SHUTDOWN_GRACE of every process
	faultSession = 3 * time.Second  // KAFKA_SESSION_TIMEOUT
	// faultDNSDelay slows enrichment down where workers must be caught in
	// the middle of batches (see slowEnrichment).
	faultDNSDelay = 60 * time.Millisecond
	repoDir       = "../.."
)

// faultEnv checks that the fault services are there, and that they are not
// the shared ones of `make services-up`, which these tests must not break.
func faultEnv(t *testing.T) (brokers, dbURL string) {
	t.Helper()
	if os.Getenv("ENRICHER_FAULTS") != "1" {
		t.Skip("fault tests kill Kafka and stop PostgreSQL: they run with ENRICHER_FAULTS=1 on services of their own (make test-faults)")
	}
	brokers, dbURL = os.Getenv("KAFKA_BROKERS"), os.Getenv("DATABASE_URL")
	dir, kport, pport := os.Getenv("ENRICHER_SERVICES_DIR"), os.Getenv("KAFKA_PORT"), os.Getenv("POSTGRES_PORT")
	switch {
	case brokers == "" || dbURL == "" || dir == "" || kport == "" || pport == "":
		t.Fatal("ENRICHER_FAULTS=1 needs KAFKA_BROKERS, DATABASE_URL, ENRICHER_SERVICES_DIR, KAFKA_PORT and POSTGRES_PORT: run make test-faults")
	case kport == "9092" || pport == "5432" || brokers != "127.0.0.1:"+kport || !strings.Contains(dbURL, ":"+pport+"/"):
		t.Fatalf("the fault services must have ports of their own (KAFKA_PORT=%s, POSTGRES_PORT=%s, KAFKA_BROKERS=%s)", kport, pport, brokers)
	}
	abs, err := filepath.Abs(filepath.Join(repoDir, ".services"))
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Clean(dir) == abs {
		t.Fatalf("ENRICHER_SERVICES_DIR=%s is the shared services' folder", dir)
	}
	return brokers, dbURL
}

// faultStack is a pipeline of separate processes for one test.
type faultStack struct {
	*stack
	bin     string
	dbURL   string
	db      *sql.DB
	logDir  string
	apiAddr string
	mu      sync.Mutex
	procs   map[string]*faultProc
	adm     *kadm.Client
	content []byte // the file runJob uploads; contactsCSV if nil
}

// faultProc is one running process of the pipeline.
type faultProc struct {
	name, role string
	cmd        *exec.Cmd
	done       chan struct{} // closed once the process has exited
	log        *logWatch
}

// logWatch passes a process's output to its log file and tells waiters
// each time some of it has been written.
type logWatch struct {
	w       io.Writer
	mu      sync.Mutex
	written chan struct{} // closed at the next write
}

func newLogWatch(w io.Writer) *logWatch {
	return &logWatch{w: w, written: make(chan struct{})}
}

func (l *logWatch) Write(b []byte) (int, error) {
	n, err := l.w.Write(b)
	l.mu.Lock()
	close(l.written)
	l.written = make(chan struct{})
	l.mu.Unlock()
	return n, err
}

// next returns a channel closed at the next write.
func (l *logWatch) next() <-chan struct{} {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.written
}

func (p *faultProc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// enricherBinary returns the binary under test: ENRICHER_BIN (make
// test-faults builds it), or one built for this test.
func enricherBinary(t *testing.T) string {
	t.Helper()
	if b := os.Getenv("ENRICHER_BIN"); b != "" {
		return b
	}
	bin := filepath.Join(t.TempDir(), "enricher")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// newFaultStack prepares a database and topics of the test's own and runs
// migrate; start the processes with start.
func newFaultStack(t *testing.T) *faultStack {
	t.Helper()
	brokers, base := faultEnv(t)
	f := &faultStack{bin: enricherBinary(t), logDir: t.TempDir(), procs: map[string]*faultProc{}}
	f.dbURL, f.db = faultDatabase(t, base)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f.apiAddr = ln.Addr().String()
	ln.Close()
	prefix := testenv.Unique("f") + "."
	f.stack = &stack{t: t, brokers: brokers, url: "http://" + f.apiAddr, env: map[string]string{
		"KAFKA_BROKERS":         brokers,
		"DATABASE_URL":          f.dbURL,
		"KAFKA_TOPIC_PREFIX":    prefix,
		"WORKER_GROUP":          prefix + "workers",
		"AGGREGATOR_GROUP":      prefix + "aggregators",
		"KAFKA_PARTITIONS":      "6",
		"BATCH_SIZE":            "500",
		"KAFKA_SESSION_TIMEOUT": faultSession.String(),
		"SHUTDOWN_GRACE":        faultGrace.String(),
		"LOG_LEVEL":             "info",
		"HTTP_ADDR":             f.apiAddr,
		"PLAYGROUND":            "false",
		"MAX_ACTIVE_JOBS":       "50",
		"DNS_SERVER":            testDNS(t),
	}}
	t.Cleanup(f.stopAll)
	if out, err := f.command("migrate", "migrate").CombinedOutput(); err != nil {
		t.Fatalf("enricher migrate: %v\n%s", err, out)
	}
	keys := f.command("keys", "keys")
	keys.Args = append(keys.Args, "create", "--tenant", "faults")
	var stderr bytes.Buffer
	keys.Stderr = &stderr
	out, err := keys.Output()
	if err != nil {
		t.Fatalf("enricher keys create: %v\n%s", err, stderr.Bytes())
	}
	f.key = strings.TrimSpace(string(out))
	return f
}

// faultDatabase creates a database of the test's own on the server of
// base, dropped at the end.
func faultDatabase(t *testing.T, base string) (string, *sql.DB) {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse DATABASE_URL: %v", err)
	}
	name := strings.ReplaceAll(testenv.Unique("enricher_fault"), "-", "_")
	admin := sql.OpenDB(pgdriver.NewConnector(pgdriver.WithDSN(base)))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		t.Fatalf("create database %s: %v", name, err)
	}
	u.Path = "/" + name
	db := sql.OpenDB(pgdriver.NewConnector(pgdriver.WithDSN(u.String())))
	// A new connection for every query: the server is restarted under the
	// tests, and pooled connections would be dead.
	db.SetMaxIdleConns(0)
	admin.SetMaxIdleConns(0)
	t.Cleanup(func() {
		db.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Logf("drop database %s: %v", name, err)
		}
		admin.Close()
	})
	return u.String(), db
}

// command is the binary run as `enricher role` with the stack's settings
// and nothing else from the test's environment.
func (f *faultStack) command(role, name string) *exec.Cmd {
	cmd := exec.Command(f.bin, role)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "TMPDIR=" + os.TempDir(), "WORKER_NAME=" + name}
	for k, v := range f.env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	return cmd
}

// start runs `enricher role` as name (its log goes to logDir/name.log) and
// waits until it is ready: the API answers, a consumer is in its group.
func (f *faultStack) start(role, name string) *faultProc {
	t := f.t
	t.Helper()
	logf, err := os.OpenFile(filepath.Join(f.logDir, name+".log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	started := f.logCount(name, "msg=started")
	group := map[string]string{"worker": f.env["WORKER_GROUP"], "aggregator": f.env["AGGREGATOR_GROUP"]}[role]
	var before map[string]bool
	if group != "" {
		before = f.members(group)
	}
	cmd := f.command(role, name)
	watch := newLogWatch(logf)
	cmd.Stdout, cmd.Stderr = watch, watch
	if err := cmd.Start(); err != nil {
		logf.Close()
		t.Fatalf("start %s: %v", name, err)
	}
	p := &faultProc{name: name, role: role, cmd: cmd, done: make(chan struct{}), log: watch}
	go func() { _ = cmd.Wait(); logf.Close(); close(p.done) }()
	f.mu.Lock()
	f.procs[name] = p
	f.mu.Unlock()
	if role == "api" {
		f.waitHTTP(p, started)
	} else if group != "" {
		f.waitJoined(p, group, before)
	}
	return p
}

// members returns the member ids of a consumer group.
func (f *faultStack) members(group string) map[string]bool {
	ids := map[string]bool{}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	gs, err := f.admin().DescribeGroups(ctx, group)
	if err != nil {
		return ids
	}
	for _, m := range gs[group].Members {
		ids[m.MemberID] = true
	}
	return ids
}

// waitJoined waits until the group is stable with as many members as
// processes of p's role run, one of them new since before: p has joined,
// and any member that was killed has been dropped.
func (f *faultStack) waitJoined(p *faultProc, group string, before map[string]bool) {
	t := f.t
	t.Helper()
	want := f.running(p.role)
	adm := f.admin()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		gs, err := adm.DescribeGroups(ctx, group)
		cancel()
		if g, ok := gs[group]; err == nil && ok && g.State == "Stable" && len(g.Members) == want {
			for _, m := range g.Members {
				if !before[m.MemberID] {
					return
				}
			}
		}
		if p.exited() {
			t.Fatalf("%s exited at start:\n%s", p.name, f.logTail(p.name, 30))
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not join group %s as one of %d members within 2 minutes: %v %v", p.name, group, want, gs, err)
		}
		time.Sleep(50 * time.Millisecond) // poll interval
	}
}

// running counts the live processes of a role.
func (f *faultStack) running(role string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, p := range f.procs {
		if p.role == role && !p.exited() {
			n++
		}
	}
	return n
}

func (f *faultStack) proc(name string) *faultProc {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.procs[name]
}

// waitHTTP waits until the API says it has started (it listens by then),
// then asks /healthz, which must answer 200.
func (f *faultStack) waitHTTP(p *faultProc, started int) {
	t := f.t
	t.Helper()
	if !f.waitLog(p.name, "msg=started", started+1, time.Minute) {
		if p.exited() {
			t.Fatalf("%s exited at start:\n%s", p.name, f.logTail(p.name, 30))
		}
		t.Fatalf("%s did not start within a minute:\n%s", p.name, f.logTail(p.name, 30))
	}
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Get(f.url + "/healthz")
	if err != nil {
		t.Fatalf("%s started but /healthz: %v", p.name, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s started but /healthz answers %s", p.name, resp.Status)
	}
}

// kill ends a process with SIGKILL and waits for it to be gone.
func (f *faultStack) kill(name string) {
	f.t.Helper()
	p := f.proc(name)
	if err := p.cmd.Process.Kill(); err != nil {
		f.t.Fatalf("kill -9 %s: %v", name, err)
	}
	<-p.done
	f.t.Logf("killed %s (kill -9)", name)
}

// term sends SIGTERM and reports how long the process took to exit; it
// fails the test if the process exits with an error or not within the
// grace period and a margin for its start-up and tear-down.
func (f *faultStack) term(name string) time.Duration {
	f.t.Helper()
	p := f.proc(name)
	start := time.Now()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		f.t.Fatalf("SIGTERM %s: %v", name, err)
	}
	limit := faultGrace + 3*time.Second
	select {
	case <-p.done:
	case <-time.After(limit):
		_ = p.cmd.Process.Kill()
		<-p.done
		f.t.Fatalf("%s did not exit within %s of SIGTERM (grace %s):\n%s", name, limit, faultGrace, f.logTail(name, 30))
	}
	took := time.Since(start)
	if code := p.cmd.ProcessState.ExitCode(); code != 0 {
		f.t.Errorf("%s exited with status %d after SIGTERM:\n%s", name, code, f.logTail(name, 30))
	}
	f.t.Logf("%s exited %s after SIGTERM", name, took.Round(time.Millisecond))
	return took
}

// stopAll stops what still runs, and shows the logs if the test failed.
func (f *faultStack) stopAll() {
	f.mu.Lock()
	procs := make([]*faultProc, 0, len(f.procs))
	for _, p := range f.procs {
		procs = append(procs, p)
	}
	f.mu.Unlock()
	for _, p := range procs {
		if !p.exited() {
			_ = p.cmd.Process.Signal(syscall.SIGTERM)
		}
	}
	for _, p := range procs {
		select {
		case <-p.done:
		case <-time.After(faultGrace + 5*time.Second):
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	}
	if f.t.Failed() {
		for _, p := range procs {
			f.t.Logf("--- last lines of %s.log\n%s", p.name, f.logTail(p.name, 40))
		}
	}
}

// logTail returns the last n lines a process logged.
func (f *faultStack) logTail(name string, n int) string {
	b, err := os.ReadFile(filepath.Join(f.logDir, name+".log"))
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// waitLog waits until the log of the running process name has n lines
// that contain s, reading it again after each write, and reports whether
// it got there within timeout and before the process exited.
func (f *faultStack) waitLog(name, s string, n int, timeout time.Duration) bool {
	p := f.proc(name)
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		written := p.log.next()
		if f.logCount(name, s) >= n {
			return true
		}
		select {
		case <-written:
		case <-p.done:
			return f.logCount(name, s) >= n // what it wrote last
		case <-deadline.C:
			return false
		}
	}
}

// logCount counts the lines of a process's log that contain s.
func (f *faultStack) logCount(name, s string) int {
	file, err := os.Open(filepath.Join(f.logDir, name+".log"))
	if err != nil {
		return 0
	}
	defer file.Close()
	n := 0
	sc := bufio.NewScanner(file)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if strings.Contains(sc.Text(), s) {
			n++
		}
	}
	return n
}

// startAll runs an API, an aggregator and two workers.
func (f *faultStack) startAll() {
	f.start("api", "api")
	f.start("aggregator", "aggregator")
	f.start("worker", "worker-1")
	f.start("worker", "worker-2")
}

// waitProcessed follows the job's snapshots on the progress topic until it
// has processed at least n rows and is still running, which is "mid-job";
// it fails the test if the job ends first. Each fetch waits for the next
// snapshot.
func (f *faultStack) waitProcessed(id string, n int) {
	t := f.t
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(f.env["KAFKA_BROKERS"], ",")...),
		kgo.ConsumeTopics(f.env["KAFKA_TOPIC_PREFIX"]+"jobs.progress"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	type snapshot struct {
		Status    string `json:"status"`
		Processed int    `json:"processed"`
	}
	var last snapshot
	for {
		fs := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("job %s did not reach %d processed rows within 3 minutes (last seen %+v)", id, n, last)
		}
		// The job as the newest snapshot of the fetch has it: an older
		// one may say RUNNING of a job that has ended since.
		for it := fs.RecordIter(); !it.Done(); {
			r := it.Next()
			var s snapshot
			if string(r.Key) == id && json.Unmarshal(r.Value, &s) == nil {
				last = s
			}
		}
		if last.Processed < n {
			continue
		}
		if last.Status != "RUNNING" {
			t.Fatalf("job %s is %s with %d rows processed before the fault: it must be injected mid-job", id, last.Status, last.Processed)
		}
		t.Logf("job at %d rows processed", last.Processed)
		return
	}
}

// uploadJob uploads contactsCSV(rows), or content if not nil, and returns
// the job id.
func (f *faultStack) uploadJob(name string, content []byte) string {
	f.t.Helper()
	var up struct{ UploadContacts jobView }
	if errs := f.upload(name, content, &up); errs != nil {
		f.t.Fatalf("upload %s: %v", name, errs)
	}
	if up.UploadContacts.Status != "RUNNING" {
		f.t.Fatalf("upload %s gave %+v", name, up.UploadContacts)
	}
	return up.UploadContacts.ID
}

// followAsync follows a job's subscription in the background; wait
// returns its states.
func (f *faultStack) followAsync(id string) (wait func() []jobView) {
	type result struct {
		states []jobView
		err    error
	}
	ch := make(chan result, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	go func() {
		states, err := f.follow(ctx, id)
		ch <- result{states, err}
	}()
	return func() []jobView {
		f.t.Helper()
		defer cancel()
		r := <-ch
		if r.err != nil {
			f.t.Fatalf("following job %s: %v (after %d states)", id, r.err, len(r.states))
		}
		if len(r.states) == 0 {
			f.t.Fatalf("subscription to job %s gave no state", id)
		}
		return r.states
	}
}

// slowEnrichment makes enriching the slow part of a job of rows rows, as
// it is with a real resolver, so that workers are in the middle of batches
// (of 100 rows) whenever the job runs: every ordinary row of the file runJob uploads gets
// a domain of its own, and the DNS server the processes started from now on
// ask knows them all but answers each question after delay. The file has
// the counts of contactsCSV(rows) (see expected).
func (f *faultStack) slowEnrichment(rows int, delay time.Duration) {
	f.t.Helper()
	zone := dnstest.Zone{"gmail.com": {MX: []dnstest.MX{{Pref: 10, Host: "gmail-smtp-in.l.google.com"}}}}
	file := contactsCSVAt(rows, func(i int) (string, string) {
		domain := fmt.Sprintf("unique%d.com", i)
		zone[domain] = dnstest.Domain{MX: []dnstest.MX{{Pref: 10, Host: "mx." + domain}}}
		return domain, fmt.Sprintf("Unique %d", i)
	})
	srv, err := dnstest.Start(zone, dnstest.Delay(delay))
	if err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(func() { srv.Close() })
	f.env["DNS_SERVER"] = srv.Addr()
	// Small batches: many of them, so that both workers have some in hand
	// whenever the job runs.
	f.env["BATCH_SIZE"] = "100"
	f.content = file
}

// checkInvariants checks a job of contactsCSV(rows) once the subscription
// ended with states: it ended, every input row is stored exactly once,
// succeeded + failed = total, and the last event is the stored job.
func (f *faultStack) checkInvariants(id string, rows int, states []jobView) {
	t := f.t
	t.Helper()
	last := states[len(states)-1]
	wantFailed, wantInvalid := expected(rows)
	if last.ID != id || last.Status != "COMPLETED_WITH_ERRORS" || last.Total == nil || *last.Total != rows || last.Processed != rows ||
		last.Succeeded+last.Failed != rows || last.Failed != wantFailed || last.Emails.Invalid != wantInvalid {
		t.Errorf("last event %+v, want job %s COMPLETED_WITH_ERRORS with %d rows, %d failed, %d invalid emails", last, id, rows, wantFailed, wantInvalid)
	}
	for i := 1; i < len(states); i++ {
		if states[i].Processed < states[i-1].Processed {
			t.Errorf("progress went back: %d then %d", states[i-1].Processed, states[i].Processed)
		}
	}
	var stored struct{ Job jobView }
	if errs := f.gql(`query($id: ID!) { job(id: $id) { `+jobFields+` } }`, map[string]any{"id": id}, &stored); errs != nil {
		t.Fatal(errs)
	}
	if !reflect.DeepEqual(stored.Job, last) {
		t.Errorf("stored job %+v differs from the subscription's last event %+v", stored.Job, last)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var n, distinct, lo, hi, batches, batchRows int
	var total, processed, succeeded, failed, jobBatches int
	if err := f.db.QueryRowContext(ctx, `SELECT count(*), count(DISTINCT row_no), coalesce(min(row_no), 0), coalesce(max(row_no), 0)
		FROM contacts WHERE job_id = $1`, id).Scan(&n, &distinct, &lo, &hi); err != nil {
		t.Fatalf("count contacts: %v", err)
	}
	if err := f.db.QueryRowContext(ctx, `SELECT count(*), coalesce(sum(row_count), 0) FROM job_batches WHERE job_id = $1`, id).Scan(&batches, &batchRows); err != nil {
		t.Fatalf("count batches: %v", err)
	}
	if err := f.db.QueryRowContext(ctx, `SELECT total, processed, succeeded, failed, batches FROM jobs WHERE id = $1`, id).Scan(&total, &processed, &succeeded, &failed, &jobBatches); err != nil {
		t.Fatalf("read job: %v", err)
	}
	if n != rows || distinct != rows || lo != 1 || hi != rows {
		t.Errorf("contacts of job %s: %d rows, %d distinct, rows %d..%d; want exactly one per input row 1..%d", id, n, distinct, lo, hi, rows)
	}
	// Full batches of BATCH_SIZE, and at most one partial batch a lane
	// (a lane a partition).
	size, _ := strconv.Atoi(f.env["BATCH_SIZE"])
	lanes, _ := strconv.Atoi(f.env["KAFKA_PARTITIONS"])
	if batches != jobBatches || batchRows != rows || batches < rows/size || batches > rows/size+lanes {
		t.Errorf("job %s has %d batches of %d rows stored, the job %d; want %d to %d of %d", id, batches, batchRows, jobBatches, rows/size, rows/size+lanes, rows)
	}
	if total != rows || processed != rows || succeeded+failed != total {
		t.Errorf("job %s in the database: total %d, processed %d, succeeded %d, failed %d", id, total, processed, succeeded, failed)
	}
	var firstAt, lastAt, finished float64
	if err := f.db.QueryRowContext(ctx, `SELECT extract(epoch FROM min(b.processed_at) - j.created_at), extract(epoch FROM max(b.processed_at) - j.created_at),
		extract(epoch FROM j.finished_at - j.created_at) FROM jobs j JOIN job_batches b ON b.job_id = j.id WHERE j.id = $1
		GROUP BY j.created_at, j.finished_at`, id).Scan(&firstAt, &lastAt, &finished); err == nil {
		t.Logf("job %s: batches enriched from %.1fs to %.1fs, job finished at %.1fs", id, firstAt, lastAt, finished)
	}
}

// runJob uploads a job of faultRows rows, starts following it, runs
// inject once the job is under way, and checks the invariants at the end.
func (f *faultStack) runJob(rows int, inject func(id string)) {
	f.t.Helper()
	start := time.Now()
	content := f.content
	if content == nil {
		content = contactsCSV(rows)
	}
	id := f.uploadJob("contacts.csv", content)
	wait := f.followAsync(id)
	inject(id)
	states := wait()
	f.checkInvariants(id, rows, states)
	f.t.Logf("job of %d rows with the fault took %s", rows, time.Since(start).Round(time.Millisecond))
}

// services runs scripts/services-up.sh or services-down.sh for one service
// of the fault instance (the environment names it).
func (f *faultStack) services(script, service string) {
	f.t.Helper()
	if script == "services-down.sh" {
		// A test that fails while the service is down must not leave it
		// down for the next one.
		f.t.Cleanup(func() {
			if f.t.Failed() {
				_ = exec.Command(filepath.Join(repoDir, "scripts", "services-up.sh"), service).Run()
			}
		})
	}
	cmd := exec.Command(filepath.Join(repoDir, "scripts", script), service)
	out, err := cmd.CombinedOutput()
	if err != nil {
		f.t.Fatalf("%s %s: %v\n%s", script, service, err, out)
	}
	f.t.Logf("%s %s:\n%s", script, service, bytes.TrimSpace(out))
}

func TestFaultWorkerKilled(t *testing.T) {
	f := newFaultStack(t)
	const rows = faultRows
	f.slowEnrichment(rows, faultDNSDelay)
	f.startAll()
	f.runJob(rows, func(id string) {
		for i, share := range []int{10, 30, 50} {
			f.waitProcessed(id, rows*share/100)
			name := fmt.Sprintf("worker-%d", 1+i%2)
			f.kill(name)
			f.start("worker", name)
		}
	})
}

func TestFaultAggregatorKilled(t *testing.T) {
	f := newFaultStack(t)
	f.slowEnrichment(faultRows, faultDNSDelay)
	f.startAll()
	f.runJob(faultRows, func(id string) {
		f.waitProcessed(id, faultRows/3)
		f.kill("aggregator")
		f.start("aggregator", "aggregator")
	})
}

func TestFaultKafkaKilled(t *testing.T) {
	f := newFaultStack(t)
	f.slowEnrichment(faultRows, faultDNSDelay)
	f.startAll()
	f.runJob(faultRows, func(id string) {
		f.waitProcessed(id, faultRows/3)
		pidFile := filepath.Join(os.Getenv("ENRICHER_SERVICES_DIR"), "kafka", "kafka.pid")
		b, err := os.ReadFile(pidFile)
		if err != nil {
			t.Fatalf("the broker's pid: %v", err)
		}
		var pid int
		if _, err := fmt.Sscan(string(b), &pid); err != nil || pid <= 1 {
			t.Fatalf("the broker's pid file holds %q", b)
		}
		// Through a pidfd: it names this process even if the pid is
		// reused, and turns readable when the process has exited. Until
		// then the scripts take the dying JVM for the running broker.
		pidfd, err := unix.PidfdOpen(pid, 0)
		if err != nil {
			t.Fatalf("open the broker's pidfd (pid %d): %v", pid, err)
		}
		defer unix.Close(pidfd)
		if err := unix.PidfdSendSignal(pidfd, unix.SIGKILL, nil, 0); err != nil {
			t.Fatalf("kill -9 the broker (pid %d): %v", pid, err)
		}
		t.Logf("killed the Kafka broker (pid %d, kill -9)", pid)
		for {
			n, err := unix.Poll([]unix.PollFd{{Fd: int32(pidfd), Events: unix.POLLIN}}, 30_000)
			if err == unix.EINTR {
				continue
			}
			if err != nil || n == 0 {
				t.Fatalf("the broker (pid %d) has not exited 30 s after kill -9 (%v)", pid, err)
			}
			break
		}
		f.services("services-up.sh", "kafka")
	})
}

func TestFaultPostgresStopped(t *testing.T) {
	f := newFaultStack(t)
	f.slowEnrichment(faultRows, faultDNSDelay)
	f.startAll()
	adm := f.admin()
	group := f.env["AGGREGATOR_GROUP"]
	f.runJob(faultRows, func(id string) {
		f.waitProcessed(id, faultRows/3)
		failuresBefore := f.logCount("aggregator", "handling records failed")
		f.services("services-down.sh", "postgres")
		stopped := time.Now()

		// The API answers at once, with an error that says so: a query gets
		// 503 Service Unavailable and a GraphQL error, /healthz names the
		// database.
		for i := range 2 {
			status, body, took := f.askWithin(http.MethodPost, "/query",
				`{"query":"query($id: ID!) { job(id: $id) { status processed } }","variables":{"id":"`+id+`"}}`)
			t.Logf("query %d while the database was down: %s, HTTP %d %s", i+1, took, status, body)
			if status != http.StatusServiceUnavailable && status != http.StatusOK || !strings.Contains(body, `"errors"`) {
				t.Errorf("query while the database is down: HTTP %d %s; want 503 or a GraphQL error", status, body)
			}
		}
		status, body, took := f.askWithin(http.MethodGet, "/healthz", "")
		t.Logf("/healthz while the database was down: %s, HTTP %d %s", took, status, body)
		if status != http.StatusServiceUnavailable || !strings.Contains(body, "database") {
			t.Errorf("/healthz while the database is down: HTTP %d %s; want 503 naming the database", status, body)
		}

		// The aggregator fails, retries, and commits nothing meanwhile.
		if !f.waitLog("aggregator", "handling records failed", failuresBefore+1, 30*time.Second) {
			t.Fatalf("the aggregator logged no failed attempt while the database was down:\n%s", f.logTail("aggregator", 20))
		}
		committed := f.committed(adm, group)
		time.Sleep(time.Until(stopped.Add(10 * time.Second))) // the outage lasts 10 s
		if now := f.committed(adm, group); !reflect.DeepEqual(now, committed) {
			t.Errorf("the aggregator committed offsets while the database was down: %v, then %v", committed, now)
		}
		f.services("services-up.sh", "postgres")
		if n := f.logCount("aggregator", "handling records failed") - failuresBefore; n < 2 {
			t.Errorf("the aggregator tried %d times in 10 s; want retries with back-off", n)
		}
	})
}

// askWithin sends a request to the API with the stack's key and fails the
// test unless the answer comes within 5 s.
func (f *faultStack) askWithin(method, path, body string) (status int, text string, took time.Duration) {
	f.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, f.url+path, strings.NewReader(body))
	if err != nil {
		f.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	f.authorize(req)
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatalf("%s %s: no answer within 5 s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		f.t.Fatalf("%s %s: reading the answer: %v", method, path, err)
	}
	return resp.StatusCode, strings.TrimSpace(string(b)), time.Since(start).Round(time.Millisecond)
}

// admin returns an admin client of the fault broker.
func (f *faultStack) admin() *kadm.Client {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.adm == nil {
		cl, err := kgo.NewClient(kgo.SeedBrokers(f.brokers))
		if err != nil {
			f.t.Fatal(err)
		}
		f.t.Cleanup(cl.Close)
		f.adm = kadm.NewClient(cl)
	}
	return f.adm
}

// committed returns the offsets a group committed, by topic and partition.
func (f *faultStack) committed(adm *kadm.Client, group string) map[string]map[int32]int64 {
	f.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := adm.FetchOffsets(ctx, group)
	if err == nil {
		err = resp.Error()
	}
	if err != nil {
		f.t.Fatalf("committed offsets of %s: %v", group, err)
	}
	out := map[string]map[int32]int64{}
	resp.Each(func(o kadm.OffsetResponse) {
		if out[o.Topic] == nil {
			out[o.Topic] = map[int32]int64{}
		}
		out[o.Topic][o.Partition] = o.At
	})
	return out
}

func TestFaultPoisonRecords(t *testing.T) {
	f := newFaultStack(t)
	f.slowEnrichment(faultRows, faultDNSDelay)
	f.startAll()
	topics := (&config{topicPrefix: f.env["KAFKA_TOPIC_PREFIX"]}).topics()
	cl, err := kgo.NewClient(kgo.SeedBrokers(f.brokers))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	poison := []struct{ key, value, wantErr string }{
		{"poison/not-json", "this is not JSON {", "not a contact batch"},
		{"poison/unknown-version", `{"version":99,"job_id":"x","batch_no":0,"contacts":[]}`, "contact batch version 99 is not supported"},
	}
	f.runJob(faultRows, func(id string) {
		f.waitProcessed(id, faultRows/4)
		for _, p := range poison {
			rec := &kgo.Record{Topic: topics.Batches, Key: []byte(p.key), Value: []byte(p.value)}
			if err := cl.ProduceSync(context.Background(), rec).FirstErr(); err != nil {
				t.Fatalf("produce a poison record: %v", err)
			}
		}
	})

	// Both are on the dead-letter topic, with the error and their origin.
	consumer, err := kgo.NewClient(kgo.SeedBrokers(f.brokers), kgo.ConsumeTopics(topics.DeadLetter),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer consumer.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	got := map[string]*kgo.Record{}
	for len(got) < len(poison) {
		fs := consumer.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("dead-letter topic has %d of the %d poison records", len(got), len(poison))
		}
		fs.EachRecord(func(r *kgo.Record) { got[string(r.Key)] = r })
	}
	for _, p := range poison {
		r := got[p.key]
		if r == nil {
			t.Errorf("poison record %s is not on the dead-letter topic", p.key)
			continue
		}
		h := map[string]string{}
		for _, kv := range r.Headers {
			h[kv.Key] = string(kv.Value)
		}
		if string(r.Value) != p.value || !strings.Contains(h["error"], p.wantErr) || h["source_topic"] != topics.Batches ||
			h["source_partition"] == "" || h["source_offset"] == "" {
			t.Errorf("dead letter of %s: value %q, headers %v; want the record as it came, the error %q and its origin", p.key, r.Value, h, p.wantErr)
		}
	}
}

// taggedCSV is contactsCSV(n) with the first name of its ordinary rows
// set to tag, so that each job's contacts can be told apart.
func taggedCSV(n int, tag string) (content []byte, tagged int) {
	content = bytes.ReplaceAll(contactsCSV(n), []byte("\nPerson,"), []byte("\n"+tag+","))
	for i := 1; i <= n; i++ {
		if i%1000 != 0 && i%10 != 0 && i%7 != 0 {
			tagged++
		}
	}
	return content, tagged
}

func TestFaultConcurrentJobs(t *testing.T) {
	f := newFaultStack(t)
	f.startAll()
	type job struct {
		id, tag    string
		rows, tags int
		wait       func() []jobView
	}
	uploadAll := func(jobs []*job, content func(*job) []byte) {
		var wg sync.WaitGroup
		errs := make(chan error, len(jobs))
		for _, j := range jobs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var up struct{ UploadContacts jobView }
				if e := f.upload(j.tag+".csv", content(j), &up); e != nil {
					errs <- fmt.Errorf("upload %s: %v", j.tag, e)
					return
				}
				j.id = up.UploadContacts.ID
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		for _, j := range jobs {
			j.wait = f.followAsync(j.id)
		}
	}
	check := func(jobs []*job) {
		for _, j := range jobs {
			f.checkInvariants(j.id, j.rows, j.wait())
			if j.tags == 0 {
				continue
			}
			var n int
			if err := f.db.QueryRow(`SELECT count(*) FROM contacts WHERE job_id = $1 AND first_name = $2`, j.id, j.tag).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != j.tags {
				t.Errorf("job %s (%s) has %d contacts of its own file, want %d", j.id, j.tag, n, j.tags)
			}
			var foreign int
			if err := f.db.QueryRow(`SELECT count(*) FROM contacts WHERE job_id = $1 AND first_name LIKE 'Tag%' AND first_name <> $2`, j.id, j.tag).Scan(&foreign); err != nil {
				t.Fatal(err)
			}
			if foreign != 0 {
				t.Errorf("job %s (%s) has %d contacts of other jobs' files", j.id, j.tag, foreign)
			}
		}
	}

	t.Run("same file twice at once", func(t *testing.T) {
		same := contactsCSV(faultRows)
		jobs := []*job{{tag: "twin-a", rows: faultRows}, {tag: "twin-b", rows: faultRows}}
		uploadAll(jobs, func(*job) []byte { return same })
		if jobs[0].id == jobs[1].id {
			t.Fatalf("two uploads gave one job %s", jobs[0].id)
		}
		check(jobs)
	})
	t.Run("twenty jobs at once", func(t *testing.T) {
		var jobs []*job
		contents := map[string][]byte{}
		for i := range 20 {
			j := &job{tag: fmt.Sprintf("Tag%02d", i), rows: 10000 + i}
			contents[j.tag], j.tags = taggedCSV(j.rows, j.tag)
			jobs = append(jobs, j)
		}
		uploadAll(jobs, func(j *job) []byte { return contents[j.tag] })
		check(jobs)
	})
}

func TestFaultGracefulShutdown(t *testing.T) {
	f := newFaultStack(t)
	const rows = faultRows
	f.slowEnrichment(rows, faultDNSDelay)
	f.startAll()
	start := time.Now()
	id := f.uploadJob("contacts.csv", f.content)

	// Each kind of process, mid-job: SIGTERM, then a new one.
	for i, name := range []string{"worker-1", "aggregator", "api"} {
		f.waitProcessed(id, (i+1)*rows/10)
		role := f.proc(name).role
		if took := f.term(name); took > faultGrace+3*time.Second {
			t.Errorf("%s took %s to exit, grace is %s", name, took, faultGrace)
		}
		f.start(role, name)
	}
	// A rolling restart of every worker.
	f.waitProcessed(id, 4*rows/10)
	for _, name := range []string{"worker-1", "worker-2"} {
		f.term(name)
		f.start("worker", name)
	}
	if f.logCount("aggregator", "redelivered result batches ignored") > 0 {
		t.Logf("the aggregator ignored redelivered batches after the restarts, as it should")
	}
	f.checkInvariants(id, rows, f.followAsync(id)())
	t.Logf("job of %d rows with the restarts took %s", rows, time.Since(start).Round(time.Millisecond))
	for _, name := range []string{"worker-1", "worker-2", "aggregator", "api"} {
		if n := f.logCount(name, "did not finish within the shutdown grace"); n > 0 {
			t.Logf("%s handed back in-flight work it could not finish within the grace %d time(s)", name, n)
		}
	}
}
