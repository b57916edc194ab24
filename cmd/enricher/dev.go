package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/enricher/enricher/store"
)

// embedded starts the in-process Kafka broker on addr ("127.0.0.1:0" for
// any free port), keeping its log in dataDir/kafka when dataDir is set.
func embedded(addr, dataDir string) (*kfake.Cluster, error) {
	host, portText, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("kafka address %q: %w", addr, err)
	}
	port, err := strconv.Atoi(portText)
	if err != nil {
		return nil, fmt.Errorf("kafka address %q: bad port", addr)
	}
	opts := []kfake.Opt{kfake.NumBrokers(1), kfake.Ports(port), kfake.ListenFn(func(network, _ string) (net.Listener, error) {
		return net.Listen(network, net.JoinHostPort(host, strconv.Itoa(port)))
	})}
	if dataDir != "" {
		opts = append(opts, kfake.DataDir(filepath.Join(dataDir, "kafka")))
	}
	c, err := kfake.NewCluster(opts...)
	if err != nil {
		return nil, fmt.Errorf("start embedded kafka on %s: %w", addr, err)
	}
	return c, nil
}

// startEmbedded starts the embedded Kafka broker on kafkaAddr and opens
// the SQLite database, both in the data folder, with the sample companies
// when it is empty and the config asks for them; it points cfg at both.
// stop closes them.
func startEmbedded(ctx context.Context, cfg *config, kafkaAddr string, log *slog.Logger) (st *store.Store, stop func(), err error) {
	if err := os.MkdirAll(cfg.dataDir, 0o755); err != nil {
		return nil, nil, fmt.Errorf("data folder: %w", err)
	}
	cluster, err := embedded(kafkaAddr, cfg.dataDir)
	if err != nil {
		return nil, nil, err
	}
	cfg.brokers = cluster.ListenAddrs()[0]
	cfg.databaseURL = embeddedDatabaseURL(cfg.dataDir)
	if st, err = openStore(ctx, cfg.databaseURL, true, log); err != nil {
		cluster.Close()
		return nil, nil, err
	}
	if err := loadSample(ctx, cfg, st, log); err != nil {
		st.Close()
		cluster.Close()
		return nil, nil, err
	}
	return st, func() { st.Close(); cluster.Close() }, nil
}

// runDev runs the whole pipeline in one process on an embedded Kafka
// broker and a SQLite database, both kept in the data folder.
func runDev(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, _, err := parseConfig("dev", args, getenv, stderr, nil)
	if err != nil {
		return err
	}
	log, err := cfg.logger(stderr)
	if err != nil {
		return err
	}
	st, stop, err := startEmbedded(ctx, cfg, cfg.kafkaAddr, log)
	if err != nil {
		return err
	}
	defer stop()
	cfg.auth.value = cfg.auth.or(false) // one local tenant unless asked
	n, err := newNode(ctx, cfg, log, st, roles{api: true, worker: true, aggregator: true, trim: true})
	if err != nil {
		return err
	}
	auth := "off: no API keys, every request acts for the one tenant " + store.LocalTenant + " (--auth to ask for keys)"
	if cfg.auth.value {
		auth = "API keys (enricher keys create --tenant NAME --data-dir " + cfg.dataDir + ")"
	}
	return n.run(ctx, func(addr string) {
		fmt.Fprintf(stdout, "enricher dev is running\n  playground  http://%s/\n  graphql     http://%s/query\n  kafka       %s  (kcat -b %s -L)\n  data        %s\n  auth        %s\n",
			addr, addr, cfg.brokers, cfg.brokers, cfg.dataDir, auth)
	})
}
