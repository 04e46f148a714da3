package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
)

// migrationFS holds the schema: numbered goose files, the only source of truth for it.
//
//go:embed migrations/*.sql
var migrationFS embed.FS

// versionTable is the table in which goose records the applied migrations.
const versionTable = "teli_schema_migrations"

// riverLockKey is the session advisory lock held while River's migrations run: rivermigrate
// does not lock by itself, and two `teli migrate` runs must not apply the same version twice.
// (Goose takes its own lock, lock.DefaultLockID, for our migrations.)
const riverLockKey int64 = 0x7465_6c69_7276 // "telirv"

// ErrPendingMigrations is returned by Open when the database schema is behind this binary.
var ErrPendingMigrations = errors.New("postgres: database migrations are pending; run `teli migrate` first")

// Migrate applies River's pending migrations, then Teli's. It is safe to run from several
// processes at once: each half runs under an advisory lock, so a second run waits for the
// first and then finds nothing left to do.
func Migrate(ctx context.Context, url string, logger *slog.Logger) error {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		return fmt.Errorf("postgres: connect: %w", err)
	}
	defer pool.Close()
	if err := migrateRiver(ctx, pool, logger); err != nil {
		return err
	}
	return migrateTeli(ctx, pool, logger)
}

// migrateRiver applies River's migrations while holding riverLockKey on a dedicated
// connection; the migrations themselves run on other connections of the pool.
func migrateRiver(ctx context.Context, pool *pgxpool.Pool, logger *slog.Logger) (err error) {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("postgres: river migrations: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, riverLockKey); err != nil {
		return fmt.Errorf("postgres: river migrations: lock: %w", err)
	}
	defer func() {
		_, unlockErr := conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, riverLockKey)
		if unlockErr != nil {
			// The lock dies with the session; make sure the session dies with this connection.
			_ = conn.Conn().Close(context.WithoutCancel(ctx))
			err = errors.Join(err, fmt.Errorf("postgres: river migrations: unlock: %w", unlockErr))
		}
	}()
	migrator, err := rivermigrate.New(riverpgxv5.New(pool), &rivermigrate.Config{Logger: logger})
	if err != nil {
		return fmt.Errorf("postgres: river migrator: %w", err)
	}
	if _, err := migrator.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("postgres: river migrations: %w", err)
	}
	return nil
}

// migrateTeli applies our migrations through goose, whose Postgres session locker serialises
// concurrent runs.
func migrateTeli(ctx context.Context, pool *pgxpool.Pool, logger *slog.Logger) error {
	// Retry the lock every second (goose's minimum) for up to ten minutes.
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockTimeout(1, 600))
	if err != nil {
		return fmt.Errorf("postgres: migrations: %w", err)
	}
	db := stdlib.OpenDBFromPool(pool)
	defer db.Close()
	provider, err := newProvider(db, logger, goose.WithSessionLocker(locker))
	if err != nil {
		return err
	}
	if _, err := provider.Up(ctx); err != nil {
		return fmt.Errorf("postgres: migrations: %w", err)
	}
	return nil
}

// newProvider builds the goose provider of our embedded migrations.
func newProvider(db *sql.DB, logger *slog.Logger, opts ...goose.ProviderOption) (*goose.Provider, error) {
	sub, err := fs.Sub(migrationFS, "migrations")
	if err != nil {
		return nil, fmt.Errorf("postgres: migrations: %w", err)
	}
	opts = append([]goose.ProviderOption{
		goose.WithTableName(versionTable),
		goose.WithSlog(logger),
		// Only our embedded files count, never migrations registered globally by some import.
		goose.WithDisableGlobalRegistry(true),
	}, opts...)
	provider, err := goose.NewProvider(goose.DialectPostgres, db, sub, opts...)
	if err != nil {
		return nil, fmt.Errorf("postgres: migrations: %w", err)
	}
	return provider, nil
}

// checkMigrated returns ErrPendingMigrations, with what is pending, unless both River's and
// Teli's migrations are all applied. It only reads: goose would create its version table on a
// fresh database, so its absence is checked first and counts as pending.
func checkMigrated(ctx context.Context, pool *pgxpool.Pool, logger *slog.Logger) error {
	migrator, err := rivermigrate.New(riverpgxv5.New(pool), &rivermigrate.Config{Logger: logger})
	if err != nil {
		return fmt.Errorf("postgres: river migrator: %w", err)
	}
	res, err := migrator.Validate(ctx, nil)
	if err != nil {
		return fmt.Errorf("postgres: check river migrations: %w", err)
	}
	if !res.OK {
		return fmt.Errorf("%w (river: %v)", ErrPendingMigrations, res.Messages)
	}
	pending, err := teliPending(ctx, pool, logger)
	if err != nil {
		return fmt.Errorf("postgres: check migrations: %w", err)
	}
	if pending {
		return fmt.Errorf("%w (teli schema)", ErrPendingMigrations)
	}
	return nil
}

// teliPending reports whether any of our migrations is unapplied.
func teliPending(ctx context.Context, pool *pgxpool.Pool, logger *slog.Logger) (bool, error) {
	var exists bool
	if err := pool.QueryRow(ctx, `SELECT to_regclass($1) IS NOT NULL`, versionTable).Scan(&exists); err != nil {
		return false, err
	}
	if !exists {
		return true, nil
	}
	db := stdlib.OpenDBFromPool(pool)
	defer db.Close()
	provider, err := newProvider(db, logger)
	if err != nil {
		return false, err
	}
	return provider.HasPending(ctx)
}
