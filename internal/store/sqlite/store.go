// Package sqlite implements teli.Store on an embedded SQLite database (modernc.org/sqlite, pure
// Go) with River's SQLite driver for background jobs. It is the default backend: one file, no
// server, migrated on open.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riversqlite"

	"github.com/openteli/teli/internal/store"
	"github.com/openteli/teli/internal/teli"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// DefaultJobPollInterval is how often idle workers look for new jobs when
// Options.JobPollInterval is zero: SQLite has no LISTEN/NOTIFY to tell them sooner.
const DefaultJobPollInterval = 100 * time.Millisecond

// readerConns is the size of the read-only pool. WAL lets readers run beside the one writer, so
// a few connections keep API reads from queueing behind each other.
const readerConns = 4

// Options configure Open.
type Options struct {
	// Path is the database file; its parent directory is created when missing.
	Path string
	// Logger receives the store's and River's logs; nil discards them.
	Logger *slog.Logger
	// MaxJobWorkers bounds concurrently running jobs once StartJobs is called (default
	// store.DefaultMaxJobWorkers).
	MaxJobWorkers int
	// JobPollInterval is how often idle workers look for new jobs (default
	// DefaultJobPollInterval).
	JobPollInterval time.Duration
}

// Store is the SQLite teli.Store. The value returned by Open works on the database directly;
// InTx hands fn a Store bound to one transaction. A tx-bound Store must not be used after fn
// returns, nor from several goroutines at once.
type Store struct {
	db *handles
	tx *sql.Tx // nil outside a transaction
}

// handles are the resources shared by a Store and every tx-bound Store derived from it.
type handles struct {
	// writer has exactly one connection: SQLite allows one writer at a time, and queueing in
	// database/sql is cheaper and fairer than spinning on SQLITE_BUSY.
	writer       *sql.DB
	reader       *sql.DB
	checkpointer *checkpointer
	jobs         *store.JobQueue[*sql.Tx]
}

var _ teli.Store = (*Store)(nil)

// Open opens (creating if needed) the database at opts.Path, applies pending migrations and
// builds the River client. Jobs are not worked until StartJobs.
func Open(ctx context.Context, opts Options) (*Store, error) {
	if opts.Path == "" {
		return nil, errors.New("sqlite: Options.Path is required")
	}
	if strings.ContainsRune(opts.Path, '?') {
		// The driver splits the DSN at the first '?', so such a path would be cut short.
		return nil, fmt.Errorf("sqlite: path %q must not contain '?'", opts.Path)
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if err := os.MkdirAll(filepath.Dir(opts.Path), 0o750); err != nil {
		return nil, fmt.Errorf("sqlite: create database directory: %w", err)
	}
	h, err := openHandles(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &Store{db: h}, nil
}

// openHandles opens both pools, migrates, and creates the River client, closing whatever it
// opened when a later step fails.
func openHandles(ctx context.Context, opts Options) (_ *handles, err error) {
	h := &handles{}
	defer func() {
		if err != nil {
			_ = h.close() // the error that made Open fail is the one to report
		}
	}()
	// The writer goes first: it switches the file to WAL, which read-only connections cannot.
	if h.writer, err = openDB(ctx, opts.Path, poolWriter); err != nil {
		return nil, err
	}
	if err = migrate(ctx, h.writer, opts.Logger); err != nil {
		return nil, err
	}
	if h.reader, err = openDB(ctx, opts.Path, poolReader); err != nil {
		return nil, err
	}
	if h.checkpointer, err = startCheckpointer(ctx, opts.Path, opts.Logger); err != nil {
		return nil, err
	}
	// River goes on the writer pool, so that jobs inserted inside InTx share the transaction's
	// connection.
	poll := opts.JobPollInterval
	if poll <= 0 {
		poll = DefaultJobPollInterval
	}
	h.jobs, err = store.NewJobQueue(riversqlite.New(h.writer),
		store.JobSettings{Logger: opts.Logger, MaxWorkers: opts.MaxJobWorkers, PollInterval: poll})
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	return h, nil
}

// The kinds of pool a store opens on its file.
type poolKind int

const (
	poolWriter     poolKind = iota // the one writer connection (and River's)
	poolReader                     // read-only connections for reads outside transactions
	poolCheckpoint                 // the checkpointer's connection
)

// openDB opens one pool. busy_timeout comes first so that the pragmas after it, which may need
// a lock, wait for one instead of failing; writers begin IMMEDIATE so a transaction never has
// to upgrade a read lock, which is where SQLite deadlocks come from.
func openDB(ctx context.Context, path string, kind poolKind) (*sql.DB, error) {
	dsn := path + "?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)" +
		"&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)"
	switch kind {
	case poolWriter:
		// Checkpoints are the checkpointer's job (checkpoint.go), not a request's.
		dsn += "&_txlock=immediate&_pragma=wal_autocheckpoint(0)"
	case poolReader:
		dsn += "&_pragma=query_only(1)"
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	conns := 1
	if kind == poolReader {
		conns = readerConns
	}
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	return db, nil
}

// StartJobs works jobs with workers, and inserts periodic on their schedules while this
// process leads the job queue, until StopJobs (graceful) or Close (hard).
func (s *Store) StartJobs(ctx context.Context, workers *river.Workers, periodic []*river.PeriodicJob) error {
	return s.db.jobs.Start(ctx, workers, periodic)
}

// StopJobs stops fetching jobs and waits for running ones to finish, or for ctx to end.
func (s *Store) StopJobs(ctx context.Context) error { return s.db.jobs.Stop(ctx) }

// RiverClient exposes the River client, e.g. for tests that subscribe to job events.
func (s *Store) RiverClient() *river.Client[*sql.Tx] { return s.db.jobs.Client() }

// Close stops job workers still running (cancelling their jobs; call StopJobs first for a
// graceful stop) and closes the database.
func (s *Store) Close() error {
	return s.db.close()
}

func (h *handles) close() error {
	var errs []error
	if h.jobs != nil {
		errs = append(errs, h.jobs.Close())
	}
	for _, db := range []*sql.DB{h.reader, h.writer} {
		if db != nil {
			errs = append(errs, db.Close())
		}
	}
	// Last, once nothing else writes, so the WAL can be truncated.
	if h.checkpointer != nil {
		errs = append(errs, h.checkpointer.close())
	}
	return errors.Join(errs...)
}

// InTx runs fn in one IMMEDIATE transaction on the writer connection; on a tx-bound Store it
// runs fn in that same transaction. The transaction commits when fn returns nil and rolls back
// when it returns an error or panics.
func (s *Store) InTx(ctx context.Context, fn func(tx teli.Store) error) error {
	return s.inTx(ctx, func(tx *Store) error { return fn(tx) })
}

// inTx is InTx for code of this package, which needs the concrete tx-bound Store.
func (s *Store) inTx(ctx context.Context, fn func(tx *Store) error) error {
	if s.tx != nil {
		return fn(s)
	}
	tx, err := s.db.writer.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: begin: %w", err)
	}
	done := false
	defer func() {
		if !done {
			_ = tx.Rollback() // the error that got us here, or the panic, matters more
		}
	}()
	if err := fn(&Store{db: s.db, tx: tx}); err != nil {
		return err
	}
	done = true
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: commit: %w", err)
	}
	return nil
}

// Enqueue inserts a River job. Inside InTx it joins the transaction; outside it commits alone.
func (s *Store) Enqueue(ctx context.Context, job teli.JobArgs, opts teli.JobOpts) error {
	if s.tx == nil {
		return s.inTx(ctx, func(tx *Store) error { return tx.Enqueue(ctx, job, opts) })
	}
	if err := s.db.jobs.InsertTx(ctx, s.tx, job, opts); err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	return nil
}

// querier is what *sql.DB and *sql.Tx have in common.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// read is where reads go: the transaction inside InTx (to see its own writes), the read-only
// pool otherwise.
func (s *Store) read() querier {
	if s.tx != nil {
		return s.tx
	}
	return s.db.reader
}

// write is where writes go: the transaction inside InTx, the single writer connection otherwise.
func (s *Store) write() querier {
	if s.tx != nil {
		return s.tx
	}
	return s.db.writer
}
