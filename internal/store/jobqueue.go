package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"

	"github.com/openteli/teli/internal/teli"
)

// DefaultMaxJobWorkers bounds concurrently running jobs when JobSettings.MaxWorkers is zero.
const DefaultMaxJobWorkers = 10

// RescueStuckJobsAfter is how long a job may stay running before another worker retries it.
const RescueStuckJobsAfter = 2 * time.Minute

// closeTimeout bounds how long Close waits for cancelled jobs to return.
const closeTimeout = 30 * time.Second

// JobSettings tune a JobQueue.
type JobSettings struct {
	// Logger receives River's logs; nil discards them.
	Logger *slog.Logger
	// MaxWorkers bounds concurrently running jobs (default DefaultMaxJobWorkers).
	MaxWorkers int
	// PollInterval is how often idle workers look for new jobs; zero keeps River's default.
	PollInterval time.Duration
}

// JobQueue is a database's River job queue. It inserts jobs from the moment it is made, in the
// caller's transactions, and works them only once Start is given the workers: workers need the
// services, which need the store, so they can only be built after the store is open.
type JobQueue[TTx any] struct {
	driver   riverdriver.Driver[TTx]
	settings JobSettings
	inserter *river.Client[TTx]

	mu     sync.Mutex // serialises Start, Stop and Close
	worker atomic.Pointer[river.Client[TTx]]
}

// NewJobQueue makes the insert-only client of a queue on driver.
func NewJobQueue[TTx any](driver riverdriver.Driver[TTx], s JobSettings) (*JobQueue[TTx], error) {
	if s.Logger == nil {
		s.Logger = slog.New(slog.DiscardHandler)
	}
	inserter, err := river.NewClient(driver, &river.Config{Logger: s.Logger})
	if err != nil {
		return nil, fmt.Errorf("job queue: %w", err)
	}
	return &JobQueue[TTx]{driver: driver, settings: s, inserter: inserter}, nil
}

// Start works jobs with workers, and inserts periodic on their schedules while this process
// leads the queue. Workers run until Stop (graceful) or Close (hard): ctx's values reach them
// but its cancellation does not, because River would treat it as a hard stop and cancel running
// jobs before Stop could let them finish.
func (q *JobQueue[TTx]) Start(ctx context.Context, workers *river.Workers, periodic []*river.PeriodicJob) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.worker.Load() != nil {
		return errors.New("job queue: already started")
	}
	client, err := river.NewClient(q.driver, q.workerConfig(workers, periodic))
	if err != nil {
		return fmt.Errorf("job queue: %w", err)
	}
	if err := client.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("job queue: start: %w", err)
	}
	q.worker.Store(client)
	return nil
}

func (q *JobQueue[TTx]) workerConfig(workers *river.Workers, periodic []*river.PeriodicJob) *river.Config {
	maxWorkers := q.settings.MaxWorkers
	if maxWorkers <= 0 {
		maxWorkers = DefaultMaxJobWorkers
	}
	cfg := &river.Config{
		Logger:       q.settings.Logger,
		Queues:       map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: maxWorkers}},
		Workers:      workers,
		PeriodicJobs: periodic,
		// A job whose process died mid-run stays "running" until rescued; River's default
		// wait is an hour. Every job here is safe to run again, and none runs longer than the
		// default one-minute timeout, so a short wait gets work moving again soon after a crash.
		RescueStuckJobsAfter: RescueStuckJobsAfter,
	}
	if poll := q.settings.PollInterval; poll > 0 {
		cfg.FetchPollInterval = poll
		// River rejects a poll interval shorter than the fetch cooldown (100ms by default).
		cfg.FetchCooldown = min(poll, river.FetchCooldownDefault)
	}
	return cfg
}

// Stop stops fetching jobs and waits for running ones to finish, or for ctx to end.
func (q *JobQueue[TTx]) Stop(ctx context.Context) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	client := q.worker.Load()
	if client == nil {
		return nil
	}
	if err := client.Stop(ctx); err != nil {
		return fmt.Errorf("job queue: stop: %w", err)
	}
	q.worker.Store(nil)
	return nil
}

// Close cancels the jobs still running, if the queue works jobs, and waits briefly for them to
// return; Stop first for a graceful stop.
func (q *JobQueue[TTx]) Close() error {
	q.mu.Lock()
	defer q.mu.Unlock()
	client := q.worker.Load()
	if client == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), closeTimeout)
	defer cancel()
	q.worker.Store(nil)
	return client.StopAndCancel(ctx)
}

// Client is the River client working jobs, or the insert-only one before Start; tests
// subscribe to its events.
func (q *JobQueue[TTx]) Client() *river.Client[TTx] {
	if c := q.worker.Load(); c != nil {
		return c
	}
	return q.inserter
}

// InsertTx inserts job in tx: it exists exactly when tx commits.
func (q *JobQueue[TTx]) InsertTx(ctx context.Context, tx TTx, job teli.JobArgs, opts teli.JobOpts) error {
	if _, err := q.inserter.InsertTx(ctx, tx, job, insertOpts(opts)); err != nil {
		return fmt.Errorf("enqueue %s: %w", job.Kind(), err)
	}
	return nil
}

// insertOpts translates the domain's job options into River's.
func insertOpts(o teli.JobOpts) *river.InsertOpts {
	opts := &river.InsertOpts{
		MaxAttempts: o.MaxAttempts,
		UniqueOpts:  river.UniqueOpts{ByArgs: o.UniqueByArgs},
	}
	// River files any job with a ScheduledAt as scheduled, even one already due, and its
	// scheduler promotes those only every few seconds; a due job goes straight to available.
	if o.ScheduledAt.After(time.Now()) {
		opts.ScheduledAt = o.ScheduledAt
	}
	return opts
}

// Database is a Store together with the job queue of the same database, as each dialect
// package opens them.
type Database[TTx any] struct {
	*Store
	jobs *JobQueue[TTx]
}

// NewDatabase returns the Database of a dialect and its job queue.
func NewDatabase[TTx any](d Dialect, jobs *JobQueue[TTx]) *Database[TTx] {
	return &Database[TTx]{Store: New(d), jobs: jobs}
}

// StartJobs works jobs with workers, and inserts periodic on their schedules while this
// process leads the job queue, until StopJobs (graceful) or the database closes (hard).
func (db *Database[TTx]) StartJobs(ctx context.Context, workers *river.Workers, periodic []*river.PeriodicJob) error {
	return db.jobs.Start(ctx, workers, periodic)
}

// StopJobs stops fetching jobs and waits for running ones to finish, or for ctx to end.
func (db *Database[TTx]) StopJobs(ctx context.Context) error { return db.jobs.Stop(ctx) }

// RiverClient exposes the River client, e.g. for tests that subscribe to job events.
func (db *Database[TTx]) RiverClient() *river.Client[TTx] { return db.jobs.Client() }
