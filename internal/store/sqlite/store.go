// Package sqlite is the SQLite dialect of the store: an embedded database (modernc.org/sqlite,
// pure Go) with River's SQLite driver for background jobs. It is the default backend: one file,
// no server, migrated on open. It opens the pools, encodes times as INTEGER microseconds, and
// spells the few statements SQLite writes its own way; everything else is package store's.
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

	"github.com/riverqueue/river/riverdriver/riversqlite"

	"github.com/openteli/teli/internal/store"

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

// DB is the SQLite database: the store on it (package store's, with SQLite's dialect) and its
// job queue.
type DB struct {
	*store.Database[*sql.Tx]
	h *handles
}

// handles are the database's pools, checkpointer and job queue.
type handles struct {
	// writer has exactly one connection: SQLite allows one writer at a time, and queueing in
	// database/sql is cheaper and fairer than spinning on SQLITE_BUSY.
	writer       *sql.DB
	reader       *sql.DB
	writerStmts  *statements
	readerStmts  *statements
	checkpointer *checkpointer
	jobs         *store.JobQueue[*sql.Tx]
}

// Open opens (creating if needed) the database at opts.Path, applies pending migrations and
// builds the job queue. Jobs are not worked until StartJobs.
func Open(ctx context.Context, opts Options) (*DB, error) {
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
	return &DB{Database: store.NewDatabase(dialect{h}, h.jobs), h: h}, nil
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
	h.writerStmts, h.readerStmts = newStatements(h.writer), newStatements(h.reader)
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

// Close stops job workers still running (cancelling their jobs; call StopJobs first for a
// graceful stop) and closes the database.
func (d *DB) Close() error {
	return d.h.close()
}

func (h *handles) close() error {
	var errs []error
	if h.jobs != nil {
		errs = append(errs, h.jobs.Close())
	}
	for _, c := range []*statements{h.readerStmts, h.writerStmts} {
		if c != nil {
			errs = append(errs, c.close())
		}
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
