// Package testenv gives tests the Kafka and database they run on: the
// embedded ones (kfake and SQLite) by default, or the real Apache Kafka and
// PostgreSQL named by KAFKA_BROKERS and DATABASE_URL when ENRICHER_INTEGRATION=1.
//
// In integration mode a missing service fails the test; it is skipped only
// when ENRICHER_ALLOW_SKIP=1 says so explicitly.
package testenv

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/uptrace/bun/driver/pgdriver"

	"github.com/enricher/enricher/internal/kafkaadmin"
	"github.com/enricher/enricher/store"
)

// Integration reports whether tests run against the real services.
func Integration() bool { return os.Getenv("ENRICHER_INTEGRATION") == "1" }

func require(t testing.TB, name, value string) string {
	t.Helper()
	if value != "" {
		return value
	}
	msg := fmt.Sprintf("ENRICHER_INTEGRATION=1 but %s is not set: start the services with `make services-up`", name)
	if os.Getenv("ENRICHER_ALLOW_SKIP") == "1" {
		t.Skip(msg + " (skipped: ENRICHER_ALLOW_SKIP=1)")
	}
	t.Fatal(msg)
	return ""
}

// Brokers returns the seed brokers of a Kafka cluster for this test: a
// fresh kfake cluster on a loopback port, or the real one.
func Brokers(t testing.TB) []string {
	t.Helper()
	if Integration() {
		return strings.Split(require(t, "KAFKA_BROKERS", os.Getenv("KAFKA_BROKERS")), ",")
	}
	c, err := kfake.NewCluster(kfake.NumBrokers(1))
	if err != nil {
		t.Fatalf("start kfake: %v", err)
	}
	t.Cleanup(c.Close)
	return c.ListenAddrs()
}

// Unique returns a name no other test run uses, for topics and groups.
func Unique(prefix string) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return prefix + "-" + hex.EncodeToString(b[:])
}

// KafkaPrefix returns a prefix for the names of a test's topics and
// consumer groups: Unique(name) and a dot. On the real broker, what has
// the prefix is deleted when the test ends (the cleanup is registered
// now, so it runs after those registered later, such as closing the
// test's clients), so that test runs do not pile up partitions.
func KafkaPrefix(t testing.TB, brokers []string, name string) string {
	t.Helper()
	prefix := Unique(name) + "."
	if Integration() {
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if err := kafkaadmin.DeletePrefixed(ctx, brokers, prefix); err != nil {
				t.Errorf("delete the test's topics and groups: %v", err)
			}
		})
	}
	return prefix
}

// Store returns a store on a migrated empty database for this test (see
// DatabaseURL), closed when the test ends.
func Store(t testing.TB) *store.Store {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, DatabaseURL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return st
}

// DatabaseURL returns the URL of an empty database for this test: a SQLite
// file in a temporary folder, or a new PostgreSQL database on the server of
// DATABASE_URL, dropped when the test ends.
func DatabaseURL(t testing.TB) string {
	t.Helper()
	if !Integration() {
		return "sqlite:" + filepath.Join(t.TempDir(), "enricher.db")
	}
	base := require(t, "DATABASE_URL", os.Getenv("DATABASE_URL"))
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse DATABASE_URL: %v", err)
	}
	name := strings.ReplaceAll(Unique("enricher_test"), "-", "_")
	admin := sql.OpenDB(pgdriver.NewConnector(pgdriver.WithDSN(base)))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Logf("drop test database %s: %v", name, err)
		}
		admin.Close()
	})
	u.Path = "/" + name
	return u.String()
}
