// Package postgres implements teli.Store on PostgreSQL with pgx v5 and River's pgx driver, for
// deployments that run several `teli serve` replicas on one database. Unlike SQLite it never
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
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/openteli/teli/internal/store"
	"github.com/openteli/teli/internal/teli"
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

// Store is the PostgreSQL teli.Store. The value returned by Open works on the pool; InTx hands fn
// a Store bound to one transaction. A tx-bound Store must not be used after fn returns, nor from
// several goroutines at once (a pgx.Tx is one connection).
type Store struct {
	db *handles
	tx pgx.Tx // nil outside a transaction
}

// handles are the resources shared by a Store and every tx-bound Store derived from it.
type handles struct {
	pool *pgxpool.Pool
	jobs *store.JobQueue[pgx.Tx]
}

var _ teli.Store = (*Store)(nil)

// Open connects to opts.URL and builds the River client. It fails with ErrPendingMigrations
// unless both River's and Teli's migrations are applied. Jobs are not worked until StartJobs.
func Open(ctx context.Context, opts Options) (*Store, error) {
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
	return &Store{db: &handles{pool: pool, jobs: jobs}}, nil
}

// newPool connects with pgxpool. Unless the URL sets pool_max_conns, the pool is sized for the
// job workers plus HTTP requests plus River's listener: pgxpool's default (the number of CPUs, at
// least 4) would make requests queue behind jobs.
func newPool(ctx context.Context, opts Options) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(opts.URL)
	if err != nil {
		return nil, fmt.Errorf("postgres: connection URL: %w", err)
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

// StartJobs works jobs with workers, and inserts periodic on their schedules while this
// process leads the job queue, until StopJobs (graceful) or Close (hard).
func (s *Store) StartJobs(ctx context.Context, workers *river.Workers, periodic []*river.PeriodicJob) error {
	return s.db.jobs.Start(ctx, workers, periodic)
}

// StopJobs stops fetching jobs and waits for running ones to finish, or for ctx to end.
func (s *Store) StopJobs(ctx context.Context) error { return s.db.jobs.Stop(ctx) }

// RiverClient exposes the River client, e.g. for tests that subscribe to job events.
func (s *Store) RiverClient() *river.Client[pgx.Tx] { return s.db.jobs.Client() }

// Close stops job workers still running (cancelling their jobs; call StopJobs first for a
// graceful stop) and closes the pool.
func (s *Store) Close() error {
	err := s.db.jobs.Close()
	s.db.pool.Close()
	return err
}

// InTx runs fn in one transaction; on a tx-bound Store it runs fn in that same transaction. The
// transaction commits when fn returns nil and rolls back when it returns an error or panics.
func (s *Store) InTx(ctx context.Context, fn func(tx teli.Store) error) error {
	return s.inTx(ctx, func(tx *Store) error { return fn(tx) })
}

// inTx is InTx for code of this package, which needs the concrete tx-bound Store.
func (s *Store) inTx(ctx context.Context, fn func(tx *Store) error) error {
	if s.tx != nil {
		return fn(s)
	}
	tx, err := s.db.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("postgres: begin: %w", err)
	}
	done := false
	defer func() {
		if !done {
			// The error that got us here, or the panic, matters more than a failed rollback.
			_ = tx.Rollback(context.WithoutCancel(ctx))
		}
	}()
	if err := fn(&Store{db: s.db, tx: tx}); err != nil {
		return err
	}
	done = true
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("postgres: commit: %w", err)
	}
	return nil
}

// Enqueue inserts a River job. Inside InTx it joins the transaction; outside it commits alone.
func (s *Store) Enqueue(ctx context.Context, job teli.JobArgs, opts teli.JobOpts) error {
	if s.tx == nil {
		return s.inTx(ctx, func(tx *Store) error { return tx.Enqueue(ctx, job, opts) })
	}
	if err := s.db.jobs.InsertTx(ctx, s.tx, job, opts); err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	return nil
}

// querier is what *pgxpool.Pool and pgx.Tx have in common.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

// q is where statements go: the transaction inside InTx, the pool otherwise.
func (s *Store) q() querier {
	if s.tx != nil {
		return s.tx
	}
	return s.db.pool
}
