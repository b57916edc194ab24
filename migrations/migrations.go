// Package migrations holds the database schema as SQL migrations, one set
// per dialect, in the file layout that bun's migrate package reads:
// <timestamp>_<name>.tx.up.sql and .tx.down.sql, statements split by
// "--bun:split".
package migrations

import (
	"embed"
	"fmt"
	"io/fs"

	"github.com/uptrace/bun/migrate"
)

//go:embed postgres/*.sql sqlite/*.sql
var files embed.FS

// For returns the migrations of a dialect: "postgres" or "sqlite".
func For(dialect string) (*migrate.Migrations, error) {
	sub, err := fs.Sub(files, dialect)
	if err != nil {
		return nil, fmt.Errorf("migrations for %q: %w", dialect, err)
	}
	m := migrate.NewMigrations()
	if err := m.Discover(sub); err != nil {
		return nil, fmt.Errorf("discover %s migrations: %w", dialect, err)
	}
	if len(m.Sorted()) == 0 {
		return nil, fmt.Errorf("no migrations for dialect %q", dialect)
	}
	return m, nil
}
