package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/enricher/enricher/internal/kafkaadmin"
)

// Stack names.
const (
	StackReal     = "real"     // Kafka and PostgreSQL, one process per part
	StackEmbedded = "embedded" // enricher dev: embedded Kafka and SQLite
)

// Options configure a benchmark run.
type Options struct {
	Binary string   // the enricher binary the stacks run
	Env    []string // environment of the child processes (besides what the benchmark sets)

	Gen      GenConfig
	DNSDelay time.Duration
	Stacks   []string
	Workers  int // worker processes of the real stack

	Brokers     string // Kafka of the real stack; empty skips it
	DatabaseURL string // PostgreSQL of the real stack and of the COPY floor; empty skips both

	WorkDir  string // generated file, export, logs, embedded data
	PprofDir string // when set, each process writes a CPU profile there
	Keep     bool   // leave the real stack's topics, groups and job in place
	// Warmup runs the file through a real stack of its own before the
	// measured one, so that Kafka and PostgreSQL have compiled and cached
	// what the job needs, as a deployment's that has been running.
	Warmup  bool
	Timeout time.Duration
	Log     *slog.Logger
}

// Report is the outcome of a run, as written to JSON.
type Report struct {
	Started      time.Time     `json:"started"`
	GoVersion    string        `json:"go_version"`
	CPUs         int           `json:"cpus"`
	Seed         uint64        `json:"seed"`
	Domains      int           `json:"domains"`
	DNSDelayMS   float64       `json:"dns_delay_ms"`
	File         GenStats      `json:"file"`
	GenerateSecs float64       `json:"generate_seconds"`
	Stacks       []StackResult `json:"stacks"`
	BenchPeakRSS int64         `json:"bench_peak_rss_bytes"` // of the benchmark process itself
}

// StackResult holds the figures of one stack.
type StackResult struct {
	Stack   string `json:"stack"`
	Skipped string `json:"skipped,omitempty"`
	Error   string `json:"error,omitempty"`

	JobID     string `json:"job_id,omitempty"`
	Status    string `json:"status,omitempty"`
	Total     int    `json:"total"`
	Batches   int    `json:"batches"`
	Processed int    `json:"processed"`
	Failed    int    `json:"failed"`

	IngestSecs       float64 `json:"ingest_seconds"`
	IngestRowsPerSec float64 `json:"ingest_rows_per_sec"`
	E2ESecs          float64 `json:"end_to_end_seconds"`
	E2ERowsPerSec    float64 `json:"end_to_end_rows_per_sec"`
	ExportSecs       float64 `json:"export_seconds"`
	ExportRowsPerSec float64 `json:"export_rows_per_sec"`
	ExportRows       int64   `json:"export_rows"`
	ExportDistinct   int64   `json:"export_distinct_rows"`
	ExportBytes      int64   `json:"export_bytes"`

	DNSQueries int64           `json:"dns_queries"`
	Processes  []ProcessResult `json:"processes"`
	Workers    []WorkerShare   `json:"workers"`

	Lag *Lag    `json:"lag,omitempty"`
	CPU *CPUUse `json:"cpu,omitempty"` // while the job ran; each process's own is in Processes

	Copy        *CopyResult `json:"copy,omitempty"`
	CopySkipped string      `json:"copy_skipped,omitempty"`
	CopyRatio   float64     `json:"end_to_end_over_copy,omitempty"`

	CleanupError string `json:"cleanup_error,omitempty"` // what of the real stack's topics, groups and job could not be removed

	Warmup *Warmup `json:"warmup,omitempty"` // the run before the measured one, if any
}

// Warmup is what is kept of a warm-up run: whether the job went through,
// and how long it took. Its other figures are not kept.
type Warmup struct {
	Status  string  `json:"status,omitempty"`
	E2ESecs float64 `json:"end_to_end_seconds"`
	Error   string  `json:"error,omitempty"`
}

// ProcessResult is what one process of a stack used: its peak memory, and
// its CPU time while the job ran.
type ProcessResult struct {
	Name    string `json:"name"`
	PID     int    `json:"pid"`
	PeakRSS int64  `json:"peak_rss_bytes"`
	// JobCPUSecs is the CPU time it used while the job ran (upload start
	// to job end), in seconds of one CPU.
	JobCPUSecs  float64 `json:"job_cpu_seconds"`
	CPUProfile  string  `json:"cpu_profile,omitempty"`
	ExitProblem string  `json:"exit_problem,omitempty"`
}

// Run generates the file and runs it through each stack of opts.
func Run(ctx context.Context, opts Options) (*Report, error) {
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.Workers <= 0 {
		opts.Workers = 2
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 30 * time.Minute
	}
	if err := os.MkdirAll(opts.WorkDir, 0o755); err != nil {
		return nil, fmt.Errorf("bench: work folder: %w", err)
	}
	rep := &Report{Started: time.Now().UTC(), GoVersion: runtime.Version(), CPUs: runtime.NumCPU(),
		Seed: opts.Gen.Seed, Domains: opts.Gen.Domains, DNSDelayMS: float64(opts.DNSDelay) / float64(time.Millisecond)}

	input := filepath.Join(opts.WorkDir, "contacts.csv")
	opts.Log.Info("generating contacts", "rows", opts.Gen.Rows, "domains", opts.Gen.Domains, "file", input)
	start := time.Now()
	st, err := GenerateFile(input, opts.Gen)
	if err != nil {
		return nil, err
	}
	rep.File, rep.GenerateSecs = st, time.Since(start).Seconds()

	for _, name := range opts.Stacks {
		if name != StackReal && name != StackEmbedded {
			return rep, fmt.Errorf("bench: unknown stack %q (want real or embedded)", name)
		}
		var warm *Warmup
		if name == StackReal && opts.Warmup {
			warm = warmUp(ctx, opts, input)
		}
		res := runStack(ctx, opts, name, input)
		res.Warmup = warm
		rep.Stacks = append(rep.Stacks, res)
		if ctx.Err() != nil {
			break
		}
	}
	if rss, err := PeakRSS(os.Getpid()); err == nil {
		rep.BenchPeakRSS = rss
	}
	return rep, nil
}

// warmUp runs the file through a real stack before the measured run: a
// broker started a moment ago spends its first large job compiling the
// code of its requests. Only the services carry over to the measured run;
// its processes start afresh, their caches empty. The warm-up writes no
// profiles, and its topics, groups and job are removed, as are any run's.
func warmUp(ctx context.Context, opts Options, input string) *Warmup {
	opts.PprofDir, opts.Keep = "", false
	opts.WorkDir = filepath.Join(opts.WorkDir, "warmup")
	opts.Log.Info("warming up", "stack", StackReal, "rows", opts.Gen.Rows)
	res := runStack(ctx, opts, StackReal, input)
	if res.Skipped != "" {
		return nil
	}
	w := &Warmup{Status: res.Status, E2ESecs: res.E2ESecs, Error: res.Error}
	if w.Error == "" && res.CleanupError != "" {
		w.Error = "not removed: " + res.CleanupError
	}
	return w
}

// runStack starts the processes of one stack, runs the job through them,
// measures, and stops them.
func runStack(ctx context.Context, opts Options, name, input string) (res StackResult) {
	res = StackResult{Stack: name}
	if name == StackReal && (opts.Brokers == "" || opts.DatabaseURL == "") {
		res.Skipped = "KAFKA_BROKERS and DATABASE_URL are not both set (make services-up writes them to .services.env)"
		return res
	}
	ctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	dir := filepath.Join(opts.WorkDir, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		res.Error = err.Error()
		return res
	}
	dnsSrv, err := StartDNS(opts.Gen.Domains, opts.DNSDelay)
	if err != nil {
		res.Error = err.Error()
		return res
	}
	defer dnsSrv.Close()

	port, err := freePort()
	if err != nil {
		res.Error = err.Error()
		return res
	}
	httpAddr := "127.0.0.1:" + strconv.Itoa(port)
	env := append(append([]string{}, opts.Env...),
		"DNS_SERVER="+dnsSrv.Addr(),
		"EMAIL_ALLOW_SPECIAL_USE=true", // the generated domains are .test
		"LOG_LEVEL=warn",
		"PLAYGROUND=false",
		"ENRICHER_AUTH=false", // one tenant, no API key: a key is checked once per request, not per row
	)
	profile := func(part string) []string {
		if opts.PprofDir == "" {
			return nil
		}
		base := filepath.Join(opts.PprofDir, name+"-"+part)
		return []string{ProfileEnv + "=" + base + ".pprof", HeapProfileEnv + "=" + base + ".heap.pprof"}
	}

	type part struct {
		name string
		args []string
		env  []string
	}
	var parts []part
	prefix, brokers := "", opts.Brokers
	switch name {
	case StackEmbedded:
		kport, err := freePort()
		if err != nil {
			res.Error = err.Error()
			return res
		}
		brokers = "127.0.0.1:" + strconv.Itoa(kport)
		parts = []part{{name: "dev", args: []string{"dev", "--data-dir", filepath.Join(dir, "data"), "--kafka-addr", brokers, "--http-addr", httpAddr}}}
	case StackReal:
		prefix = "bench-" + unique() + "."
		env = append(env, "KAFKA_BROKERS="+opts.Brokers, "DATABASE_URL="+opts.DatabaseURL,
			"KAFKA_TOPIC_PREFIX="+prefix, "WORKER_GROUP="+prefix+"workers", "AGGREGATOR_GROUP="+prefix+"aggregators")
		if err := RunProcess(ctx, "migrate", opts.Binary, []string{"migrate"}, env, dir); err != nil {
			res.Error = err.Error()
			return res
		}
		parts = append(parts, part{name: "aggregator", args: []string{"aggregator"}})
		for i := 1; i <= opts.Workers; i++ {
			w := "worker-" + strconv.Itoa(i)
			parts = append(parts, part{name: w, args: []string{"worker"}, env: []string{"WORKER_NAME=" + w}})
		}
		parts = append(parts, part{name: "api", args: []string{"api", "--http-addr", httpAddr}})
	}

	var procs []*Process
	stopped := false
	stopAll := func() {
		if stopped {
			return
		}
		stopped = true
		// The API first, so nothing new comes in; then the rest.
		for i := len(procs) - 1; i >= 0; i-- {
			p := procs[i]
			if err := p.Stop(30 * time.Second); err != nil {
				for j := range res.Processes {
					if res.Processes[j].Name == p.Name {
						res.Processes[j].ExitProblem = err.Error()
					}
				}
			}
		}
	}
	defer stopAll()
	if name == StackReal && !opts.Keep {
		// After the floor, so that it is measured beside this run's job.
		defer func() {
			stopAll()
			var errs []error
			if res.JobID != "" {
				errs = append(errs, removeJob(context.WithoutCancel(ctx), opts.DatabaseURL, res.JobID))
			}
			// A run of the real stack leaves nothing on the broker, so
			// runs do not pile up partitions that slow the next one down.
			errs = append(errs, kafkaadmin.DeletePrefixed(context.WithoutCancel(ctx), strings.Split(opts.Brokers, ","), prefix))
			if err := errors.Join(errs...); err != nil {
				res.CleanupError = err.Error()
			}
		}()
	}
	for _, p := range parts {
		penv := append(append(append([]string{}, env...), p.env...), profile(p.name)...)
		proc, err := StartProcess(p.name, opts.Binary, p.args, penv, dir)
		if err != nil {
			res.Error = err.Error()
			return res
		}
		procs = append(procs, proc)
		pr := ProcessResult{Name: p.name, PID: proc.PID()}
		if opts.PprofDir != "" {
			pr.CPUProfile = filepath.Join(opts.PprofDir, name+"-"+p.name+".pprof")
		}
		res.Processes = append(res.Processes, pr)
	}
	api := procs[len(procs)-1]
	client := &Client{Base: "http://" + httpAddr}
	readyCtx, cancelReady := context.WithTimeout(ctx, 2*time.Minute)
	defer cancelReady()
	if err := client.WaitReady(readyCtx, api.Exited()); err != nil {
		res.Error = fmt.Sprintf("%v: %s", err, api.Tail(10))
		return res
	}
	if name == StackReal {
		groups := map[string]int{prefix + "workers": opts.Workers, prefix + "aggregators": 1}
		if err := waitGroups(readyCtx, opts.Brokers, groups); err != nil {
			res.Error = err.Error()
			return res
		}
	}

	// The job, its consumer groups' lag sampled meanwhile.
	opts.Log.Info("uploading", "stack", name, "rows", opts.Gen.Rows)
	pids := make([]int, len(procs))
	for i, p := range procs {
		pids[i] = p.PID()
	}
	cpu := startCPU(pids)
	start := time.Now()
	lag := newLagSampler(brokers, prefix+"workers", prefix+"aggregators", start)
	if name == StackEmbedded {
		lag = newLagSampler(brokers, "enricher-workers", "enricher-aggregators", start)
	}
	lagCtx, stopLag := context.WithCancel(ctx)
	lagDone := make(chan *Lag, 1)
	go func() { lagDone <- lag.run(lagCtx, 500*time.Millisecond) }() // each sample costs the broker a few requests
	job, err := client.Upload(ctx, input)
	ingest := time.Since(start)
	lag.uploaded()
	finishLag := func() {
		if stopLag != nil {
			stopLag()
			res.Lag = <-lagDone
			stopLag = nil
		}
	}
	defer finishLag()
	if err != nil {
		res.Error = fmt.Sprintf("%v: %s", err, api.Tail(5))
		return res
	}
	res.JobID = job.ID
	if job.Total != nil {
		res.Total = *job.Total
	}
	res.IngestSecs, res.IngestRowsPerSec = ingest.Seconds(), rate(int64(res.Total), ingest)
	opts.Log.Info("uploaded", "stack", name, "job", job.ID, "ingest", ingest.Round(time.Millisecond))
	job, err = client.WaitTerminal(ctx, job.ID, 100*time.Millisecond)
	e2e := time.Since(start)
	if err != nil {
		res.Error = err.Error()
		return res
	}
	res.Status, res.Processed, res.Failed = job.Status, job.Processed, job.Failed
	if job.Batches != nil {
		res.Batches = *job.Batches
	}
	res.E2ESecs, res.E2ERowsPerSec = e2e.Seconds(), rate(int64(res.Total), e2e)
	if err := cpu.stop(&res); err != nil {
		opts.Log.Warn("no CPU times", "stack", name, "err", err)
	}
	finishLag()
	res.DNSQueries = dnsSrv.Queries()
	for _, w := range job.Workers {
		if res.Batches > 0 {
			w.Share = float64(w.Batches) / float64(res.Batches)
		}
		res.Workers = append(res.Workers, w)
	}
	opts.Log.Info("job ended", "stack", name, "status", job.Status, "end_to_end", e2e.Round(time.Millisecond))

	// The export.
	exportPath := filepath.Join(dir, "results.csv")
	if err := export(ctx, client, job.ID, exportPath, &res); err != nil {
		res.Error = err.Error()
	}

	// Peak memory, before the processes stop.
	for i, p := range procs {
		if rss, err := p.PeakRSS(); err == nil {
			res.Processes[i].PeakRSS = rss
		} else {
			res.Processes[i].ExitProblem = err.Error()
		}
	}
	stopAll()

	// The floor.
	switch {
	case res.Error != "":
	case opts.DatabaseURL == "":
		res.CopySkipped = "no DATABASE_URL"
	default:
		c, err := CopyFloor(ctx, opts.DatabaseURL, exportPath)
		if err != nil {
			res.CopySkipped = err.Error()
			break
		}
		res.Copy = &c
		if c.Seconds > 0 {
			res.CopyRatio = res.E2ESecs / c.Seconds
		}
	}
	return res
}

// export downloads the job's CSV to path, timing it, then counts its rows.
func export(ctx context.Context, client *Client, id, path string, res *StackResult) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	start := time.Now()
	n, err := client.Export(ctx, id, f)
	elapsed := time.Since(start)
	if cerr := f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("export: %w", cerr)
	}
	if err != nil {
		return err
	}
	res.ExportBytes, res.ExportSecs = n, elapsed.Seconds()
	rows, distinct, err := CountCSV(path, res.Total)
	if err != nil {
		return err
	}
	res.ExportRows, res.ExportDistinct, res.ExportRowsPerSec = rows, distinct, rate(rows, elapsed)
	return nil
}

// waitGroups waits until each consumer group is stable with its number of
// members, so that the job is not measured across a rebalance.
func waitGroups(ctx context.Context, brokers string, groups map[string]int) error {
	cl, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(brokers, ",")...))
	if err != nil {
		return fmt.Errorf("kafka: %w", err)
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	var names []string
	for g := range groups {
		names = append(names, g)
	}
	var last string
	for {
		described, err := adm.DescribeGroups(ctx, names...)
		ready := err == nil
		if err != nil {
			last = err.Error()
		}
		for _, g := range described.Sorted() {
			if g.State != "Stable" || len(g.Members) != groups[g.Group] {
				ready = false
				last = fmt.Sprintf("group %s is %s with %d of %d members", g.Group, g.State, len(g.Members), groups[g.Group])
			}
		}
		if ready && len(described) == len(groups) {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("consumer groups not ready: %s: %w", last, ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// Lag is what the consumer groups had left to do while the job ran,
// sampled about every 500 ms: it tells which stage is behind.
type Lag struct {
	Samples    int   `json:"samples"`
	MaxBatches int64 `json:"max_batches_lag"` // batch records produced, not yet enriched and committed by the workers
	MaxResults int64 `json:"max_results_lag"` // result records produced, not yet stored by the aggregator
	// WorkersDoneSecs is the time from upload start to the first sample
	// after the upload where the workers had nothing left; 0 if never seen.
	WorkersDoneSecs float64 `json:"workers_done_seconds"`
}

type lagSampler struct {
	brokers, workers, aggregators string
	start                         time.Time
	up                            chan struct{}
}

func newLagSampler(brokers, workers, aggregators string, start time.Time) *lagSampler {
	return &lagSampler{brokers: brokers, workers: workers, aggregators: aggregators, start: start, up: make(chan struct{})}
}

// uploaded says the upload has returned: every batch is produced.
func (l *lagSampler) uploaded() { close(l.up) }

// run samples until ctx ends. Failed samples are skipped.
func (l *lagSampler) run(ctx context.Context, every time.Duration) *Lag {
	out := &Lag{}
	cl, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(l.brokers, ",")...))
	if err != nil {
		return out
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return out
		case <-t.C:
		}
		lags, err := adm.Lag(ctx, l.workers, l.aggregators)
		if err != nil {
			continue
		}
		w, a := lags[l.workers], lags[l.aggregators]
		if w.Error() != nil || a.Error() != nil {
			continue
		}
		out.Samples++
		wl, al := w.Lag.Total(), a.Lag.Total()
		out.MaxBatches, out.MaxResults = max(out.MaxBatches, wl), max(out.MaxResults, al)
		select {
		case <-l.up:
			if wl == 0 && out.WorkersDoneSecs == 0 {
				out.WorkersDoneSecs = time.Since(l.start).Seconds()
			}
		default:
		}
	}
}

// ProfileEnv names the variable that makes an enricher process write a CPU
// profile to the file it names, from start to exit; HeapProfileEnv one that
// makes it write a heap profile (what it allocated, and what was still
// live) when it exits.
const (
	ProfileEnv     = "ENRICHER_CPU_PROFILE"
	HeapProfileEnv = "ENRICHER_HEAP_PROFILE"
)

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func unique() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return time.Now().UTC().Format("20060102t150405") + "-" + hex.EncodeToString(b[:])
}
