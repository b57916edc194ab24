package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/enricher/enricher/internal/safehttp"
	"github.com/enricher/enricher/processors/companyapi"
	"github.com/enricher/enricher/processors/dnscheck"
	"github.com/enricher/enricher/processors/emaillists"
	"github.com/enricher/enricher/processors/emailsyntax"
	"github.com/enricher/enricher/processors/emailverify"
	"github.com/enricher/enricher/processors/smtpprobe"
	"github.com/enricher/enricher/processors/website"
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
	maxLineBytes    int
	shutdownGrace   time.Duration
	logLevel        string
	logFormat       string
	playground      bool
	dnsServer       string
	dnsTimeout      time.Duration
	smtp            bool
	smtpHelo        string
	smtpFrom        string
	smtpPort        int
	emailRemap      string
	allowDomains    string
	denyDomains     string
	allowSpecialUse bool
	websites        bool
	websiteAllow    string
	pdlKey          string
	pdlURL          string
	clearbitKey     string
	clearbitURL     string
	apiBudget       int
	sampleCompanies bool
	memoryLimit     string
	gcPercent       string
	auth            optionalBool
	maxQueryDepth   int
	maxComplexity   int
	maxActiveJobs   int
}

// optionalBool is a boolean setting whose default depends on the command:
// set tells whether it was given at all.
type optionalBool struct{ set, value bool }

func (b *optionalBool) String() string {
	if b == nil || !b.set {
		return ""
	}
	return strconv.FormatBool(b.value)
}

func (b *optionalBool) Set(s string) error {
	v, err := strconv.ParseBool(s)
	if err != nil {
		return err
	}
	b.set, b.value = true, v
	return nil
}

func (b *optionalBool) IsBoolFlag() bool { return true }

// or is the value, or def when it was not set.
func (b optionalBool) or(def bool) bool {
	if b.set {
		return b.value
	}
	return def
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
		{"parallel", "WORKER_PARALLEL", "batches a worker enriches at once (0: three per CPU)", num(&c.parallel), "0"},
		{"session-timeout", "KAFKA_SESSION_TIMEOUT", "consumer group session timeout: how soon a dead member's partitions move", dur(&c.sessionTimeout), "10s"},
		{"batch-timeout", "BATCH_TIMEOUT", "deadline for enriching one batch", dur(&c.batchTimeout), "2m"},
		{"max-upload-bytes", "MAX_UPLOAD_BYTES", "largest upload accepted", big(&c.maxUploadBytes), strconv.Itoa(1 << 30)},
		{"max-rows", "MAX_ROWS", "rows a job may have (0: no limit)", num(&c.maxRows), "5000000"},
		{"max-columns", "MAX_COLUMNS", "columns a file may have", num(&c.maxColumns), "1000"},
		{"max-line-bytes", "MAX_LINE_BYTES", "bytes one CSV record may take, quoted line breaks included", num(&c.maxLineBytes), strconv.Itoa(4 << 20)},
		{"shutdown-grace", "SHUTDOWN_GRACE", "time to finish in-flight work on SIGTERM", dur(&c.shutdownGrace), "30s"},
		{"log-level", "LOG_LEVEL", "debug, info, warn or error", str(&c.logLevel), "info"},
		{"log-format", "LOG_FORMAT", "text or json", str(&c.logFormat), "text"},
		{"playground", "PLAYGROUND", "serve the GraphQL playground at /", boolean(&c.playground), "true"},
		{"dns-server", "DNS_SERVER", "DNS resolver host:port for email checks (default: the system's)", str(&c.dnsServer), ""},
		{"dns-timeout", "DNS_TIMEOUT", "timeout of one DNS query", dur(&c.dnsTimeout), "2s"},
		{"smtp", "SMTP_PROBE", "ask mail servers whether mailboxes exist (port 25 must be open)", boolean(&c.smtp), "false"},
		{"smtp-helo", "SMTP_HELO", "host name the SMTP probe introduces itself with", str(&c.smtpHelo), ""},
		{"smtp-from", "SMTP_FROM", "sender address of the SMTP probe", str(&c.smtpFrom), ""},
		{"smtp-port", "SMTP_PORT", "port of the mail servers", num(&c.smtpPort), "25"},
		{"email-remap", "EMAIL_REMAP", "reason=status pairs that change a verdict, e.g. role_based=valid", str(&c.emailRemap), ""},
		{"allow-domains", "EMAIL_ALLOW_DOMAINS", "domains never treated as disposable, comma-separated", str(&c.allowDomains), ""},
		{"deny-domains", "EMAIL_DENY_DOMAINS", "domains whose addresses are do_not_mail, comma-separated", str(&c.denyDomains), ""},
		{"allow-special-use", "EMAIL_ALLOW_SPECIAL_USE", "accept special-use domains such as .test (test mode)", boolean(&c.allowSpecialUse), "false"},
		{"websites", "COMPANY_WEBSITES", "read company homepages for what the reference data lacks (needs a network)", boolean(&c.websites), "false"},
		{"pdl-api-key", "PDL_API_KEY", "People Data Labs API key: ask its company API for values still missing", str(&c.pdlKey), ""},
		{"pdl-api-url", "PDL_API_URL", "People Data Labs API base URL (default: its public one)", str(&c.pdlURL), ""},
		{"clearbit-api-key", "CLEARBIT_API_KEY", "Clearbit-compatible company API key, asked after People Data Labs", str(&c.clearbitKey), ""},
		{"clearbit-api-url", "CLEARBIT_API_URL", "Clearbit-compatible API base URL (default: Clearbit's)", str(&c.clearbitURL), ""},
		{"company-api-budget", "COMPANY_API_BUDGET", "paid API calls one job may make per worker", num(&c.apiBudget), "1000"},
		{"memory-limit", "MEMORY_LIMIT", "soft memory limit of an api, worker or aggregator process (e.g. 200MiB; 0: none): the garbage collector works harder near it", str(&c.memoryLimit), "128MiB"},
		{"gc-percent", "GC_PERCENT", "when an api, worker or aggregator process collects garbage: off, only near --memory-limit; N, whenever the heap grew by N% (as GOGC)", str(&c.gcPercent), "off"},
		{"sample-companies", "SAMPLE_COMPANIES", "load the fictional sample companies into an empty embedded store (dev, enrich)", boolean(&c.sampleCompanies), "true"},
		{"auth", "ENRICHER_AUTH", "ask every API request for an API key (default: true for api, false for dev)",
			func(fs *flag.FlagSet, n, _, u string) { fs.Var(&c.auth, n, u) }, ""},
		{"max-query-depth", "MAX_QUERY_DEPTH", "how deep the fields of a GraphQL query may nest", num(&c.maxQueryDepth), "12"},
		{"max-query-complexity", "MAX_QUERY_COMPLEXITY", "GraphQL query complexity allowed", num(&c.maxComplexity), "5000"},
		{"max-active-jobs", "MAX_ACTIVE_JOBS", "jobs a tenant may have running at once (0: no limit)", num(&c.maxActiveJobs), "20"},
		{"website-allow", "COMPANY_WEBSITE_ALLOW", "address prefixes homepages may be fetched from although private, e.g. 127.0.0.1/32 (tests)", str(&c.websiteAllow), ""},
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

func (c *config) brokerList() []string { return list(c.brokers) }

// list splits a comma-separated setting.
func list(s string) []string {
	var out []string
	for _, b := range strings.Split(s, ",") {
		if b = strings.TrimSpace(b); b != "" {
			out = append(out, b)
		}
	}
	return out
}

// web returns the homepage reader the settings ask for, or nil.
func (c *config) web() (*website.Fetcher, error) {
	if !c.websites {
		return nil, nil
	}
	var allow []netip.Prefix
	for _, p := range list(c.websiteAllow) {
		prefix, err := netip.ParsePrefix(p)
		if err != nil {
			return nil, fmt.Errorf("website allow-list: %w", err)
		}
		allow = append(allow, prefix)
	}
	return website.New(safehttp.New(safehttp.Config{Allow: allow, UserAgent: "enricher (company enrichment)"})), nil
}

// apis returns the paid company APIs that have a key, in order.
func (c *config) apis() []companyapi.Provider {
	var out []companyapi.Provider
	client := &http.Client{Timeout: 20 * time.Second}
	if c.pdlKey != "" {
		out = append(out, companyapi.NewPDL(companyapi.Config{APIKey: c.pdlKey, BaseURL: c.pdlURL, HTTP: client, Rate: 10, Burst: 5}))
	}
	if c.clearbitKey != "" {
		out = append(out, companyapi.NewClearbit(companyapi.Config{APIKey: c.clearbitKey, BaseURL: c.clearbitURL, HTTP: client, Rate: 10, Burst: 5}))
	}
	return out
}

// verifier builds the email verifier the settings describe.
func (c *config) verifier() (*emailverify.Verifier, error) {
	resolver, err := dnscheck.New(dnscheck.Config{Server: c.dnsServer, Timeout: c.dnsTimeout, AllowPrivate: c.allowSpecialUse})
	if err != nil {
		return nil, fmt.Errorf("dns: %w", err)
	}
	remap := map[string]string{}
	for _, pair := range list(c.emailRemap) {
		reason, status, ok := strings.Cut(pair, "=")
		if !ok {
			return nil, fmt.Errorf("email remap %q: want reason=status", pair)
		}
		remap[strings.TrimSpace(reason)] = strings.TrimSpace(status)
	}
	cfg := emailverify.Config{
		Syntax: emailsyntax.Options{AllowSpecialUse: c.allowSpecialUse},
		Lists:  emaillists.Default().With(emaillists.Overrides{Allow: list(c.allowDomains), Deny: list(c.denyDomains)}),
		DNS:    resolver,
		Remap:  remap,
	}
	if c.smtp {
		// MX host names resolve through the same DNS server as the checks.
		dialer := &net.Dialer{}
		if c.dnsServer != "" {
			dialer.Resolver = &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
				var d net.Dialer
				return d.DialContext(ctx, network, c.dnsServer)
			}}
		}
		p, err := smtpprobe.New(smtpprobe.Config{HeloName: c.smtpHelo, MailFrom: c.smtpFrom, Port: c.smtpPort, Dial: dialer.DialContext})
		if err != nil {
			return nil, fmt.Errorf("smtp: %w", err)
		}
		cfg.SMTP = p
	}
	return emailverify.New(cfg)
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

// memorySettings reads the memory limit and the garbage collector's
// percentage (-1 for off), which needs a limit: without one, nothing
// would be collected.
func (c *config) memorySettings() (limit int64, gcPercent int, err error) {
	if limit, err = c.memoryLimitBytes(); err != nil {
		return 0, 0, err
	}
	switch text := strings.TrimSpace(c.gcPercent); text {
	case "off":
		if limit == 0 {
			return 0, 0, errors.New("gc percent off needs a memory limit (--memory-limit, MEMORY_LIMIT): without one the heap would never be collected")
		}
		return limit, -1, nil
	default:
		n, err := strconv.Atoi(text)
		if err != nil || n < 1 {
			return 0, 0, fmt.Errorf("gc percent %q: want off or a whole number from 1", c.gcPercent)
		}
		return limit, n, nil
	}
}

// memoryLimitBytes reads the memory limit setting: a number of bytes with
// an optional unit B, KiB, MiB or GiB; 0 means none.
func (c *config) memoryLimitBytes() (int64, error) {
	text := strings.TrimSpace(c.memoryLimit)
	num, mult := text, int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"B", 1}} {
		if n, ok := strings.CutSuffix(text, u.suffix); ok {
			num, mult = strings.TrimSpace(n), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n < 0 || n > math.MaxInt64/mult {
		return 0, fmt.Errorf("memory limit %q: want a number of bytes with B, KiB, MiB or GiB, or 0", c.memoryLimit)
	}
	return n * mult, nil
}
