// Package postgres is the PostgreSQL dialect of the store, with pgx v5 and River's pgx driver,
// for deployments that run several `teli serve` replicas on one database. It opens the pool,
// pipelines batches, locks rows so replicas claim side by side, and spells the few statements
// PostgreSQL writes its own way; everything else is package store's. Unlike SQLite it never
// migrates on open: `teli migrate` (Migrate) does, once, so replicas never race over the schema.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/openteli/teli/internal/store"
)

// Options configure Open.
type Options struct {
	// URL is a postgres:// connection URL; pgxpool settings (pool_max_conns, …) may ride on it.
	URL string
	// Logger receives the store's and River's logs; nil discards them.
	Logger *slog.Logger
	// MaxJobWorkers bounds concurrently running jobs once StartJobs is called (default
	// store.DefaultMaxJobWorkers); the pool is sized for them.
	MaxJobWorkers int
	// JobPollInterval is River's fallback poll for new jobs; LISTEN/NOTIFY normally finds them
	// at once. Zero keeps River's default (one second).
	JobPollInterval time.Duration
}

// DB is the PostgreSQL database: the store on it (package store's, with PostgreSQL's dialect)
// and its job queue.
type DB struct {
	*store.Database[pgx.Tx]
	h *handles
}

// handles are the database's pool and job queue.
type handles struct {
	pool *pgxpool.Pool
	jobs *store.JobQueue[pgx.Tx]
}

// Open connects to opts.URL and builds the job queue. It fails with ErrPendingMigrations
// unless both River's and Teli's migrations are applied. Jobs are not worked until StartJobs.
func Open(ctx context.Context, opts Options) (*DB, error) {
	if opts.URL == "" {
		return nil, errors.New("postgres: Options.URL is required")
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	pool, err := newPool(ctx, opts)
	if err != nil {
		return nil, err
	}
	jobs, err := prepare(ctx, pool, opts)
	if err != nil {
		pool.Close()
		return nil, err
	}
	h := &handles{pool: pool, jobs: jobs}
	return &DB{Database: store.NewDatabase(dialect{h}, h.jobs), h: h}, nil
}

// newPool connects with pgxpool. Unless the URL sets pool_max_conns, the pool is sized for the
// job workers plus HTTP requests plus River's listener: pgxpool's default (the number of CPUs, at
// least 4) would make requests queue behind jobs.
func newPool(ctx context.Context, opts Options) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(opts.URL)
	if err != nil {
		return nil, fmt.Errorf("postgres: connection URL: %w", err)
	}
	// pgx reads timestamptz in the local zone; the domain holds UTC.
	cfg.AfterConnect = func(_ context.Context, c *pgx.Conn) error {
		c.TypeMap().RegisterType(&pgtype.Type{
			Name: "timestamptz", OID: pgtype.TimestamptzOID, Codec: &pgtype.TimestamptzCodec{ScanLocation: time.UTC},
		})
		return nil
	}
	if !strings.Contains(opts.URL, "pool_max_conns") {
		workers := opts.MaxJobWorkers
		if workers <= 0 {
			workers = store.DefaultMaxJobWorkers
		}
		cfg.MaxConns = int32(workers + 16)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	return pool, nil
}

// prepare checks that the schema is current and builds the job queue on the store's pool.
func prepare(ctx context.Context, pool *pgxpool.Pool, opts Options) (*store.JobQueue[pgx.Tx], error) {
	if err := checkMigrated(ctx, pool, opts.Logger); err != nil {
		return nil, err
	}
	q, err := store.NewJobQueue(riverpgxv5.New(pool),
		store.JobSettings{Logger: opts.Logger, MaxWorkers: opts.MaxJobWorkers, PollInterval: opts.JobPollInterval})
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	return q, nil
}

// Close stops job workers still running (cancelling their jobs; call StopJobs first for a
// graceful stop) and closes the pool.
func (d *DB) Close() error {
	err := d.h.jobs.Close()
	d.h.pool.Close()
	return err
}
