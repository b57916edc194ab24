package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/enricher/enricher/streams"
)

// config is every setting of every subcommand. Each has a flag and an
// environment variable; a flag given on the command line wins.
type config struct {
	httpAddr        string
	kafkaAddr       string
	brokers         string
	databaseURL     string
	dataDir         string
	topicPrefix     string
	partitions      int
	replication     int
	batchSize       int
	workerGroup     string
	aggregatorGroup string
	workerName      string
	parallel        int
	sessionTimeout  time.Duration
	batchTimeout    time.Duration
	maxUploadBytes  int64
	maxRows         int
	maxColumns      int
	shutdownGrace   time.Duration
	logLevel        string
	logFormat       string
	playground      bool
}

// setting is one row of the configuration table (README.md lists them).
type setting struct {
	flag, env, usage string
	bind             func(fs *flag.FlagSet, name, def, usage string)
	def              string
}

func settings(c *config) []setting {
	str := func(p *string) func(*flag.FlagSet, string, string, string) {
		return func(fs *flag.FlagSet, n, d, u string) { fs.StringVar(p, n, d, u) }
	}
	num := func(p *int) func(*flag.FlagSet, string, string, string) {
		return func(fs *flag.FlagSet, n, d, u string) { v, _ := strconv.Atoi(d); fs.IntVar(p, n, v, u) }
	}
	dur := func(p *time.Duration) func(*flag.FlagSet, string, string, string) {
		return func(fs *flag.FlagSet, n, d, u string) { v, _ := time.ParseDuration(d); fs.DurationVar(p, n, v, u) }
	}
	boolean := func(p *bool) func(*flag.FlagSet, string, string, string) {
		return func(fs *flag.FlagSet, n, d, u string) { v, _ := strconv.ParseBool(d); fs.BoolVar(p, n, v, u) }
	}
	big := func(p *int64) func(*flag.FlagSet, string, string, string) {
		return func(fs *flag.FlagSet, n, d, u string) { v, _ := strconv.ParseInt(d, 10, 64); fs.Int64Var(p, n, v, u) }
	}
	return []setting{
		{"http-addr", "HTTP_ADDR", "address the API listens on", str(&c.httpAddr), "127.0.0.1:8080"},
		{"kafka-addr", "KAFKA_ADDR", "address the embedded Kafka broker listens on (dev)", str(&c.kafkaAddr), "127.0.0.1:9092"},
		{"brokers", "KAFKA_BROKERS", "Kafka seed brokers, comma-separated (api, worker, aggregator)", str(&c.brokers), "127.0.0.1:9092"},
		{"database-url", "DATABASE_URL", "postgres://… or sqlite:PATH (api, aggregator, migrate)", str(&c.databaseURL), ""},
		{"data-dir", "ENRICHER_DATA_DIR", "folder of the embedded Kafka log and SQLite database (dev, enrich)", str(&c.dataDir), "data"},
		{"topic-prefix", "KAFKA_TOPIC_PREFIX", "prefix of every topic name", str(&c.topicPrefix), ""},
		{"partitions", "KAFKA_PARTITIONS", "partitions of topics created at start", num(&c.partitions), "6"},
		{"replication-factor", "KAFKA_REPLICATION_FACTOR", "replication factor of topics created at start", num(&c.replication), "1"},
		{"batch-size", "BATCH_SIZE", "contacts per batch record", num(&c.batchSize), "500"},
		{"worker-group", "WORKER_GROUP", "consumer group of the workers", str(&c.workerGroup), "enricher-workers"},
		{"aggregator-group", "AGGREGATOR_GROUP", "consumer group of the aggregators", str(&c.aggregatorGroup), "enricher-aggregators"},
		{"worker-name", "WORKER_NAME", "name a worker writes into its results (default host-pid)", str(&c.workerName), ""},
		{"parallel", "WORKER_PARALLEL", "batches a worker enriches at once (0: one per CPU)", num(&c.parallel), "0"},
		{"session-timeout", "KAFKA_SESSION_TIMEOUT", "consumer group session timeout: how soon a dead member's partitions move", dur(&c.sessionTimeout), "10s"},
		{"batch-timeout", "BATCH_TIMEOUT", "deadline for enriching one batch", dur(&c.batchTimeout), "2m"},
		{"max-upload-bytes", "MAX_UPLOAD_BYTES", "largest upload accepted", big(&c.maxUploadBytes), strconv.Itoa(1 << 30)},
		{"max-rows", "MAX_ROWS", "rows a job may have (0: no limit)", num(&c.maxRows), "5000000"},
		{"max-columns", "MAX_COLUMNS", "columns a file may have", num(&c.maxColumns), "1000"},
		{"shutdown-grace", "SHUTDOWN_GRACE", "time to finish in-flight work on SIGTERM", dur(&c.shutdownGrace), "30s"},
		{"log-level", "LOG_LEVEL", "debug, info, warn or error", str(&c.logLevel), "info"},
		{"log-format", "LOG_FORMAT", "text or json", str(&c.logFormat), "text"},
		{"playground", "PLAYGROUND", "serve the GraphQL playground at /", boolean(&c.playground), "true"},
	}
}

// parseConfig reads the flags of a subcommand over the environment.
func parseConfig(name string, args []string, getenv func(string) string, stderr io.Writer, extra func(*flag.FlagSet)) (*config, *flag.FlagSet, error) {
	c := &config{}
	fs := flag.NewFlagSet("enricher "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	for _, s := range settings(c) {
		s.bind(fs, s.flag, s.def, fmt.Sprintf("%s (env %s)", s.usage, s.env))
	}
	if extra != nil {
		extra(fs)
	}
	// The environment overrides the defaults, the command line overrides both.
	for _, s := range settings(c) {
		if v := getenv(s.env); v != "" {
			if err := fs.Set(s.flag, v); err != nil {
				return nil, nil, fmt.Errorf("environment %s=%q: %w", s.env, v, err)
			}
		}
	}
	// Flags may follow positional arguments (enricher enrich FILE -o OUT):
	// parse, set a positional aside, parse the rest.
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, nil, err
		}
		if fs.NArg() == 0 {
			break
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if err := fs.Parse(append([]string{"--"}, positional...)); err != nil {
		return nil, nil, err
	}
	return c, fs, nil
}

func (c *config) topics() streams.Topics {
	t := streams.DefaultTopics()
	p := c.topicPrefix
	return streams.Topics{Batches: p + t.Batches, Results: p + t.Results, Progress: p + t.Progress, DeadLetter: p + t.DeadLetter}
}

func (c *config) brokerList() []string {
	var out []string
	for _, b := range strings.Split(c.brokers, ",") {
		if b = strings.TrimSpace(b); b != "" {
			out = append(out, b)
		}
	}
	return out
}

func (c *config) logger(w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.logLevel)); err != nil {
		return nil, fmt.Errorf("log level %q: want debug, info, warn or error", c.logLevel)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch c.logFormat {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("log format %q: want text or json", c.logFormat)
}
