package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"

	"github.com/pressly/goose/v3"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
)

// migrationFS holds the schema: numbered goose files, the only source of truth for it.
//
//go:embed migrations/*.sql
var migrationFS embed.FS

// versionTable is the table in which goose records the applied migrations.
const versionTable = "teli_schema_migrations"

// migrate applies River's migrations, then ours. River's go first because ours may one day
// refer to its tables. Both run on the writer so they serialise with every other write.
func migrate(ctx context.Context, writer *sql.DB, logger *slog.Logger) error {
	migrator, err := rivermigrate.New(riversqlite.New(writer), &rivermigrate.Config{Logger: logger})
	if err != nil {
		return fmt.Errorf("sqlite: river migrator: %w", err)
	}
	if _, err := migrator.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("sqlite: river migrations: %w", err)
	}
	provider, err := newProvider(writer, logger)
	if err != nil {
		return err
	}
	if _, err := provider.Up(ctx); err != nil {
		return fmt.Errorf("sqlite: migrations: %w", err)
	}
	return nil
}

// newProvider builds the goose provider of our embedded migrations.
func newProvider(db *sql.DB, logger *slog.Logger) (*goose.Provider, error) {
	sub, err := fs.Sub(migrationFS, "migrations")
	if err != nil {
		return nil, fmt.Errorf("sqlite: migrations: %w", err)
	}
	provider, err := goose.NewProvider(goose.DialectSQLite3, db, sub,
		goose.WithTableName(versionTable),
		goose.WithSlog(logger),
		// Only our embedded files count, never migrations registered globally by some import.
		goose.WithDisableGlobalRegistry(true),
	)
	if err != nil {
		return nil, fmt.Errorf("sqlite: migrations: %w", err)
	}
	return provider, nil
}
