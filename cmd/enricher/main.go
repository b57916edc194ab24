// Command enricher is the contact enrichment service: one binary whose
// subcommands run the whole pipeline in one process (dev, enrich) or each
// part of it on its own (api, worker, aggregator, migrate).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `enricher: contact data enrichment

Usage:
  enricher dev                      API, worker and aggregator on an embedded Kafka and SQLite
  enricher enrich FILE -o OUT       enrich one CSV file embedded and write the enriched CSV
  enricher api                      the GraphQL API (needs KAFKA_BROKERS, DATABASE_URL)
  enricher worker                   enrich contact batches (needs KAFKA_BROKERS)
  enricher aggregator               store and count results (needs KAFKA_BROKERS, DATABASE_URL)
  enricher migrate                  bring the database schema up to date (needs DATABASE_URL)
  enricher verify-email ADDRESS…    verify addresses (or one per line on stdin), one JSON object each
  enricher companies import FILE    load reference company data (PDL NDJSON or CSV)
  enricher keys create|list|revoke  API keys of tenants (create --tenant T prints a key once)
  enricher bench                    generate contacts, run them through the pipeline, print the figures

Run "enricher COMMAND -h" for the flags of a command; every flag has an
environment variable too.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	stopProfile, err := startProfile(ctx, os.Getenv)
	if err == nil {
		err = run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
		stopProfile()
	}
	stop()
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "enricher:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command given")
	}
	cmd, args := args[0], args[1:]
	switch cmd {
	case "dev":
		return runDev(ctx, args, getenv, stdout, stderr)
	case "enrich":
		return runEnrich(ctx, args, getenv, stderr)
	case "companies":
		return runCompanies(ctx, args, getenv, stderr)
	case "keys":
		return runKeys(ctx, args, getenv, stdout, stderr)
	case "verify-email":
		return runVerify(ctx, args, getenv, stdin, stdout, stderr)
	case "bench":
		return runBench(ctx, args, getenv, stdout, stderr)
	case "api", "worker", "aggregator", "migrate":
		return runPart(ctx, cmd, args, getenv, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}
