package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/enricher/enricher/companydata"
	"github.com/enricher/enricher/contactcsv"
	"github.com/enricher/enricher/graph"
	"github.com/enricher/enricher/processors"
	"github.com/enricher/enricher/processors/emaillists"
	"github.com/enricher/enricher/store"
	"github.com/enricher/enricher/streams"
)

// roles says which parts of the pipeline a process runs. trim deletes the
// records the worker and aggregator groups have committed past: for the
// embedded broker, which keeps every record in memory.
type roles struct{ api, worker, aggregator, trim bool }

// node is one process's share of the pipeline, wired from its config.
type node struct {
	cfg     *config
	log     *slog.Logger
	topics  streams.Topics
	store   *store.Store // nil for a worker alone
	clients []*kgo.Client

	dispatcher *streams.Dispatcher
	feed       *streams.Feed
	worker     *streams.Worker
	aggregator *streams.Aggregator
	trimmer    *streams.Trimmer
}

func (n *node) client(opts ...kgo.Opt) (*kgo.Client, error) {
	cl, err := streams.NewClient(n.cfg.brokerList(), opts...)
	if err != nil {
		return nil, err
	}
	n.clients = append(n.clients, cl)
	return cl, nil
}

// newNode connects what the roles need and creates missing topics.
func newNode(ctx context.Context, cfg *config, log *slog.Logger, st *store.Store, r roles) (*node, error) {
	n := &node{cfg: cfg, log: log, topics: cfg.topics(), store: st}
	if len(cfg.brokerList()) == 0 {
		return nil, errors.New("no Kafka brokers configured (set --brokers or KAFKA_BROKERS)")
	}
	// Contact batches go to the partition of their lane (streams.Dispatcher),
	// uncompressed, as do the few progress records this client sends:
	// compressing the batches was a sixth of the upload's CPU, for records a
	// worker reads once. The embedded broker keeps every record in memory
	// until it is trimmed, so for it they are compressed still.
	popts := []kgo.Opt{kgo.RecordPartitioner(streams.LanePartitioner(n.topics.Batches))}
	if !r.trim {
		popts = append(popts, kgo.ProducerBatchCompression(kgo.NoCompression()))
	}
	producer, err := n.client(popts...)
	if err != nil {
		return nil, err
	}
	ctxTopics, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := streams.EnsureTopics(ctxTopics, producer, n.topics, int32(cfg.partitions), int16(cfg.replication)); err != nil {
		n.close()
		return nil, fmt.Errorf("kafka at %s: %w", cfg.brokers, err)
	}
	if r.api {
		n.dispatcher = &streams.Dispatcher{
			Client: producer, Topics: n.topics, Spread: emaillists.Default().Free, Jobs: st, BatchSize: cfg.batchSize, MaxRows: cfg.maxRows,
			CSV: contactcsv.Options{MaxColumns: cfg.maxColumns, MaxRowBytes: cfg.maxLineBytes}, Log: log.With("part", "api"),
		}
		feedClient, err := n.client(streams.FeedOpts(n.topics.Progress)...)
		if err != nil {
			n.close()
			return nil, err
		}
		n.feed = streams.NewFeed(feedClient, log.With("part", "feed"))
	}
	if r.worker {
		// A worker takes a few batches a poll: a smaller fetch than the
		// aggregator's keeps less of a long backlog in memory.
		cl, err := n.client(append(streams.GroupOpts(cfg.workerGroup, n.topics.Batches, cfg.sessionTimeout),
			kgo.FetchMaxBytes(1<<20), kgo.FetchMaxPartitionBytes(256<<10))...)
		if err != nil {
			n.close()
			return nil, err
		}
		verifier, err := cfg.verifier()
		if err != nil {
			n.close()
			return nil, err
		}
		web, err := cfg.web()
		if err != nil {
			n.close()
			return nil, err
		}
		companies := &processors.Companies{Web: web, APIs: cfg.apis(), APIBudget: cfg.apiBudget}
		if st != nil {
			companies.Data = companydata.New(st.DB())
		}
		n.worker = &streams.Worker{
			Client: cl, Topics: n.topics, Processor: processors.Enricher{Email: verifier, Companies: companies}, Name: cfg.workerName,
			Parallel: cfg.parallel, Timeout: cfg.batchTimeout, Log: log.With("part", "worker"),
		}
	}
	if r.aggregator {
		// A result record holds hundreds of enriched rows: a fetch of
		// 4 MiB keeps the aggregator's memory the same on a long backlog
		// as on a short one. A job's results are on one partition. An
		// aggregator in a process of its own has the broker hold a fetch
		// until it has 1 MiB of them or 100 ms have passed, so that a
		// poll, its transaction, offset commit and progress record, takes
		// about 25 records (12,500 rows) while the workers are busy rather
		// than the few that came since the last. In dev, where the store
		// is the slowest stage, waiting for more would only idle it: there
		// it takes what has come.
		opts := append(streams.GroupOpts(cfg.aggregatorGroup, n.topics.Results, cfg.sessionTimeout),
			kgo.FetchMaxBytes(4<<20), kgo.FetchMaxPartitionBytes(2<<20))
		if !r.worker {
			opts = append(opts, kgo.FetchMinBytes(1<<20), kgo.FetchMaxWait(100*time.Millisecond))
		}
		cl, err := n.client(opts...)
		if err != nil {
			n.close()
			return nil, err
		}
		n.aggregator = &streams.Aggregator{Client: cl, Topics: n.topics, Sink: st, Log: log.With("part", "aggregator")}
	}
	if r.trim {
		n.trimmer = &streams.Trimmer{Client: producer, Log: log.With("part", "trim"), Groups: map[string]string{
			n.topics.Batches: cfg.workerGroup, n.topics.Results: cfg.aggregatorGroup,
		}}
	}
	return n, nil
}

// close leaves the consumer groups and closes the Kafka clients.
func (n *node) close() {
	for _, cl := range n.clients {
		cl.CloseAllowingRebalance()
	}
}

// run runs the node's parts until ctx ends, then stops them: the API stops
// taking requests, worker and aggregator finish and commit what they hold,
// all within the shutdown grace. ready, if not nil, is called once the API
// listens.
func (n *node) run(ctx context.Context, ready func(addr string)) error {
	defer n.close()
	var wg sync.WaitGroup
	stopLoops, cancelLoops := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelLoops()
	start := func(f func(context.Context)) {
		wg.Add(1)
		go func() { defer wg.Done(); f(stopLoops) }()
	}
	if n.worker != nil {
		start(n.worker.Run)
	}
	if n.aggregator != nil {
		start(n.aggregator.Run)
	}
	if n.trimmer != nil {
		start(n.trimmer.Run)
	}

	var srv *http.Server
	serveErr := make(chan error, 1)
	if n.feed != nil {
		start(n.feed.Run)
		ln, err := net.Listen("tcp", n.cfg.httpAddr)
		if err != nil {
			cancelLoops()
			wg.Wait()
			return fmt.Errorf("listen on %s: %w", n.cfg.httpAddr, err)
		}
		resolver := &graph.Resolver{Store: n.store, Dispatcher: n.dispatcher, Feed: n.feed, Log: n.log.With("part", "api"), MaxActiveJobs: n.cfg.maxActiveJobs}
		opts := graph.Options{
			MaxUploadBytes: n.cfg.maxUploadBytes, Playground: n.cfg.playground,
			MaxComplexity: n.cfg.maxComplexity, MaxDepth: n.cfg.maxQueryDepth,
		}
		if n.cfg.auth.value {
			opts.Auth = n.store
		}
		srv = &http.Server{
			Handler:           graph.NewHandler(resolver, opts),
			ReadHeaderTimeout: 10 * time.Second,
			BaseContext:       func(net.Listener) context.Context { return stopLoops },
			ErrorLog:          slog.NewLogLogger(n.log.Handler(), slog.LevelWarn),
		}
		go func() { serveErr <- srv.Serve(ln) }()
		if ready != nil {
			ready(ln.Addr().String())
		}
	} else if ready != nil {
		ready("")
	}

	var err error
	select {
	case <-ctx.Done():
	case err = <-serveErr:
		err = fmt.Errorf("http server: %w", err)
	}
	n.log.Info("shutting down", "grace", n.cfg.shutdownGrace)
	grace, cancel := context.WithTimeout(context.Background(), n.cfg.shutdownGrace)
	defer cancel()
	if srv != nil {
		if e := srv.Shutdown(grace); e != nil && !errors.Is(e, http.ErrServerClosed) {
			n.log.Warn("http shutdown", "err", e)
		}
	}
	cancelLoops()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-grace.Done():
		n.log.Warn("in-flight work did not finish within the shutdown grace; it will be redelivered")
	}
	return err
}

// openStore opens and, if migrate, migrates the database.
func openStore(ctx context.Context, url string, migrate bool, log *slog.Logger) (*store.Store, error) {
	if url == "" {
		return nil, errors.New("no database configured (set --database-url or DATABASE_URL)")
	}
	st, err := store.Open(ctx, url)
	if err != nil {
		return nil, err
	}
	if migrate {
		applied, err := st.Migrate(ctx)
		if err != nil {
			st.Close()
			return nil, err
		}
		if len(applied) > 0 {
			log.Info("database migrated", "applied", applied)
		}
	}
	return st, nil
}

// openDataStore opens and migrates the database of DATABASE_URL or, when
// there is none, the embedded one in the data folder.
func openDataStore(ctx context.Context, cfg *config, log *slog.Logger) (*store.Store, error) {
	if cfg.databaseURL == "" {
		if err := os.MkdirAll(cfg.dataDir, 0o755); err != nil {
			return nil, fmt.Errorf("data folder: %w", err)
		}
		cfg.databaseURL = embeddedDatabaseURL(cfg.dataDir)
	}
	return openStore(ctx, cfg.databaseURL, true, log)
}

// embeddedDatabaseURL is the URL of the SQLite database in a data folder.
func embeddedDatabaseURL(dataDir string) string {
	return "sqlite:" + filepath.Join(dataDir, "enricher.db")
}

// runPart runs one part of the distributed pipeline.
func runPart(ctx context.Context, name string, args []string, getenv func(string) string, stderr io.Writer) error {
	cfg, _, err := parseConfig(name, args, getenv, stderr, nil)
	if err != nil {
		return err
	}
	log, err := cfg.logger(stderr)
	if err != nil {
		return err
	}
	log = log.With("process", name)
	limit, gcPercent, err := cfg.memorySettings()
	if err != nil {
		return err
	}
	if limit > 0 {
		debug.SetMemoryLimit(limit)
	}
	// Off by default: on a busy machine, collecting every time the heap
	// doubled cost the pipeline more CPU than anything but enriching, for
	// memory the process may hold anyway.
	debug.SetGCPercent(gcPercent)
	// A worker reads the reference company data when it has a database.
	var st *store.Store
	if name != "worker" || cfg.databaseURL != "" {
		if st, err = openStore(ctx, cfg.databaseURL, name == "migrate", log); err != nil {
			return err
		}
		defer st.Close()
	}
	if name == "migrate" {
		log.Info("database schema is up to date", "dialect", st.Dialect())
		return nil
	}
	cfg.auth.value = cfg.auth.or(true) // an API asks for keys unless told not to
	n, err := newNode(ctx, cfg, log, st, roles{api: name == "api", worker: name == "worker", aggregator: name == "aggregator"})
	if err != nil {
		return err
	}
	return n.run(ctx, func(addr string) {
		if name != "api" {
			log.Info("started", "http", addr, "brokers", cfg.brokers, "topics", n.topics)
			return
		}
		log.Info("started", "http", addr, "brokers", cfg.brokers, "topics", n.topics, "auth", cfg.auth.value)
		if !cfg.auth.value {
			log.Warn("API keys are off (--auth=false): every request acts for the one tenant " + store.LocalTenant)
		}
	})
}
