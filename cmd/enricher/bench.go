package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/enricher/enricher/internal/bench"
)

// runBench measures the whole pipeline (see internal/bench): its flags are
// its own, the stacks it starts read the usual settings from the
// environment.
func runBench(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("enricher bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	rows := fs.Int("rows", 1_000_000, "contacts in the generated file")
	domains := fs.Int("domains", 50_000, "distinct company domains of the work addresses")
	seed := fs.Uint64("seed", 1, "seed of the generated file")
	dnsDelay := fs.Duration("dns-delay", 2*time.Millisecond, "delay of every answer of the loopback DNS server")
	stack := fs.String("stack", "both", "stacks to run: real, embedded or both")
	workers := fs.Int("workers", 2, "worker processes of the real stack")
	asJSON := fs.Bool("json", false, "print the figures as JSON instead of a table")
	out := fs.String("out", "", "JSON file of the figures (default bench/results/<time>-<rows>.json)")
	workDir := fs.String("work-dir", "", "folder for the file, the export and the logs (default: a temporary one, removed after)")
	pprofDir := fs.String("pprof-dir", "", "write a CPU profile of each process into this folder")
	warmup := fs.Bool("warmup", true, "run the file through a real stack of its own first, so that Kafka and PostgreSQL are warm (false: measure them as just started)")
	keep := fs.Bool("keep", false, "leave the real stack's topics, consumer groups and job on the services (default: removed after the run)")
	binary := fs.String("binary", "", "enricher binary to run the stacks with (default: this one)")
	timeout := fs.Duration("timeout", 30*time.Minute, "longest time one stack may take")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("bench: unexpected arguments %v", fs.Args())
	}
	var stacks []string
	switch *stack {
	case "both":
		stacks = []string{bench.StackReal, bench.StackEmbedded}
	case bench.StackReal, bench.StackEmbedded:
		stacks = []string{*stack}
	default:
		return fmt.Errorf("bench: --stack %q: want real, embedded or both", *stack)
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo})).With("process", "bench")

	bin := *binary
	if bin == "" {
		exe, err := os.Executable()
		if err != nil {
			return fmt.Errorf("bench: find this binary: %w", err)
		}
		bin = exe
	}
	dir := *workDir
	if dir == "" {
		tmp, err := os.MkdirTemp("", "enricher-bench-")
		if err != nil {
			return fmt.Errorf("bench: %w", err)
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}
	if *pprofDir != "" {
		abs, err := filepath.Abs(*pprofDir)
		if err != nil {
			return fmt.Errorf("bench: %w", err)
		}
		if err := os.MkdirAll(abs, 0o755); err != nil {
			return fmt.Errorf("bench: %w", err)
		}
		*pprofDir = abs
	}
	brokers, dbURL := getenv("KAFKA_BROKERS"), getenv("DATABASE_URL")
	if brokers == "" || dbURL == "" {
		for _, s := range stacks {
			if s == bench.StackReal {
				fmt.Fprintln(stderr, "bench: KAFKA_BROKERS or DATABASE_URL is not set: the real stack is skipped (make services-up, then source .services.env)")
			}
		}
	}

	rep, err := bench.Run(ctx, bench.Options{
		Binary: bin, Env: childEnv(), Gen: bench.GenConfig{Rows: *rows, Domains: *domains, Seed: *seed},
		DNSDelay: *dnsDelay, Stacks: stacks, Workers: *workers, Brokers: brokers, DatabaseURL: dbURL,
		WorkDir: dir, PprofDir: *pprofDir, Keep: *keep, Warmup: *warmup, Timeout: *timeout, Log: log,
	})
	if err != nil {
		return err
	}
	path := *out
	if path == "" {
		path = filepath.Join("bench", "results", rep.Started.Format("20060102T150405Z")+"-"+strconv.Itoa(*rows)+".json")
	}
	if err := rep.SaveJSON(path); err != nil {
		return err
	}
	if *asJSON {
		err = rep.WriteJSON(stdout)
	} else {
		err = rep.WriteTable(stdout)
		fmt.Fprintf(stdout, "figures written to %s\n", path)
	}
	if err != nil {
		return err
	}
	for _, s := range rep.Stacks {
		if s.Error != "" {
			return fmt.Errorf("bench: stack %s: %s", s.Stack, s.Error)
		}
	}
	return nil
}

// childEnv is the environment of the processes the benchmark starts: this
// one's, without the settings the benchmark chooses itself.
func childEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "HTTP_ADDR", "KAFKA_ADDR", "ENRICHER_DATA_DIR", "KAFKA_TOPIC_PREFIX", "WORKER_GROUP", "AGGREGATOR_GROUP",
			"WORKER_NAME", "DNS_SERVER", bench.ProfileEnv, bench.HeapProfileEnv:
			continue
		}
		env = append(env, kv)
	}
	return env
}

// startProfile writes a CPU profile to the file named by the environment
// variable bench.ProfileEnv, if set, until the returned function is called.
// It writes a heap profile to the file named by bench.HeapProfileEnv, if
// set, when ctx ends (the process is asked to stop, its state still live)
// or else when the returned function is called.
func startProfile(ctx context.Context, getenv func(string) string) (stop func(), err error) {
	cpuPath, heapPath := getenv(bench.ProfileEnv), getenv(bench.HeapProfileEnv)
	stopCPU := func() {}
	if cpuPath != "" {
		f, err := os.Create(cpuPath)
		if err != nil {
			return nil, fmt.Errorf("cpu profile: %w", err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return nil, fmt.Errorf("cpu profile: %w", err)
		}
		stopCPU = func() { pprof.StopCPUProfile(); f.Close() }
	}
	if heapPath == "" {
		return stopCPU, nil
	}
	var once sync.Once
	writeHeap := func() {
		once.Do(func() {
			runtime.GC() // the live heap as of now
			f, err := os.Create(heapPath)
			if err != nil {
				fmt.Fprintln(os.Stderr, "enricher: heap profile:", err)
				return
			}
			defer f.Close()
			if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
				fmt.Fprintln(os.Stderr, "enricher: heap profile:", err)
			}
		})
	}
	done := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
			writeHeap()
		case <-done:
		}
	}()
	return func() { close(done); writeHeap(); stopCPU() }, nil
}
