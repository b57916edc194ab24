// Package store keeps jobs and enriched contacts in a SQL database through
// bun: PostgreSQL for production, SQLite (pure Go) for the embedded default.
// The same code and the same tests serve both.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	"github.com/uptrace/bun/driver/pgdriver"
	"github.com/uptrace/bun/migrate"
	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/enricher/enricher/migrations"
)

// ErrNotFound is returned when a job does not exist.
var ErrNotFound = errors.New("not found")

// Store is the database of jobs and contacts.
type Store struct {
	db      *bun.DB
	dialect string
}

// Open connects to the database that url names:
//
//	postgres://user:pass@host:5432/db?sslmode=disable   PostgreSQL
//	sqlite:/path/to/enricher.db                          SQLite file
func Open(ctx context.Context, url string) (*Store, error) {
	var s Store
	switch {
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		sqldb := sql.OpenDB(pgdriver.NewConnector(pgdriver.WithDSN(url), pgdriver.WithBufferSize(64<<10), coalesceWrites(), dropClosed()))
		sqldb.SetMaxOpenConns(16)
		s.db = bun.NewDB(sqldb, pgdialect.New())
		s.dialect = "postgres"
	case strings.HasPrefix(url, "sqlite:"):
		path := strings.TrimPrefix(url, "sqlite:")
		if path == "" {
			return nil, errors.New("open database: sqlite URL has no file path (want sqlite:/path/to/file.db)")
		}
		dsn := "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(ON)"
		sqldb, err := sql.Open("sqlite", dsn)
		if err != nil {
			return nil, fmt.Errorf("open sqlite %s: %w", path, err)
		}
		// SQLite has one writer; one connection serialises access instead of
		// failing with SQLITE_BUSY.
		sqldb.SetMaxOpenConns(1)
		s.db = bun.NewDB(sqldb, sqlitedialect.New())
		s.dialect = "sqlite"
	default:
		return nil, fmt.Errorf("open database: unsupported URL %q (want postgres://… or sqlite:PATH)", redact(url))
	}
	if err := s.db.PingContext(ctx); err != nil {
		s.db.Close()
		return nil, fmt.Errorf("connect to %s database %s: %w", s.dialect, redact(url), err)
	}
	return &s, nil
}

// DB is the underlying database, for packages that keep tables of their
// own in it (their migrations live in migrations/ too).
func (s *Store) DB() *bun.DB { return s.db }

// Dialect is "postgres" or "sqlite".
func (s *Store) Dialect() string { return s.dialect }

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.db.PingContext(ctx) }

// Migrate brings the schema up to date and returns the names of the
// migrations it applied.
func (s *Store) Migrate(ctx context.Context) ([]string, error) {
	ms, err := migrations.For(s.dialect)
	if err != nil {
		return nil, err
	}
	m := migrate.NewMigrator(s.db, ms, migrate.WithMarkAppliedOnSuccess(true))
	if err := m.Init(ctx); err != nil {
		return nil, fmt.Errorf("init migrations table: %w", err)
	}
	group, err := m.Migrate(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	var names []string
	for _, mig := range group.Migrations {
		names = append(names, mig.Name)
	}
	return names, nil
}

// redact hides the password of a database URL.
func redact(url string) string {
	at := strings.LastIndex(url, "@")
	scheme := strings.Index(url, "://")
	if at < 0 || scheme < 0 || at < scheme {
		return url
	}
	userinfo := url[scheme+3 : at]
	if i := strings.Index(userinfo, ":"); i >= 0 {
		return url[:scheme+3] + userinfo[:i] + ":xxxxx" + url[at:]
	}
	return url
}
