package storetest

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/openteli/teli/internal/teli"
)

// JobStore is a store that works its jobs in-process, as both backends do.
type JobStore interface {
	teli.Store
	StartJobs(ctx context.Context, workers *river.Workers, periodic []*river.PeriodicJob) error
	StopJobs(ctx context.Context) error
}

// RunJobs runs the job tests: real River workers, started by the store, working jobs enqueued
// through it. open must return a new, empty, migrated store, and close it when t ends; the
// tests start and stop the jobs themselves.
func RunJobs(t *testing.T, open func(t *testing.T) JobStore) {
	t.Run("CommittedJobRunsRolledBackNever", func(t *testing.T) {
		t.Parallel()
		testCommittedJobRuns(t, open)
	})
	t.Run("StopJobsWaitsForRunningJob", func(t *testing.T) {
		t.Parallel()
		testStopJobsWaits(t, open)
	})
}

// probeArgs is the job of RunJobs; Marker tells runs apart, Block holds the worker until the
// test releases it.
type probeArgs struct {
	Marker string `json:"marker"`
	Block  bool   `json:"block"`
}

func (probeArgs) Kind() string { return "storetest_probe" }

// probeWorker reports what it works and how each run ended.
type probeWorker struct {
	river.WorkerDefaults[probeArgs]
	started  chan string
	release  chan struct{}
	finished chan error // the job context's error when the run ended
}

func newProbeWorker() *probeWorker {
	return &probeWorker{
		started: make(chan string, 10), release: make(chan struct{}), finished: make(chan error, 10),
	}
}

func (w *probeWorker) Work(ctx context.Context, job *river.Job[probeArgs]) error {
	w.started <- job.Args.Marker
	if job.Args.Block {
		select {
		case <-w.release:
		case <-ctx.Done():
		}
	}
	w.finished <- ctx.Err()
	return ctx.Err()
}

// probe is a store and the workers its jobs are started with.
type probe struct {
	JobStore
	workers *river.Workers
}

// start works the store's jobs with the probe's worker.
func (p probe) start(ctx context.Context) error { return p.StartJobs(ctx, p.workers, nil) }

// openProbe opens a store whose one worker is a probeWorker. Its jobs, once started, are stopped
// when t ends, unless the test stopped them already.
func openProbe(t *testing.T, open func(*testing.T) JobStore) (probe, *probeWorker) {
	t.Helper()
	w := newProbeWorker()
	workers := river.NewWorkers()
	river.AddWorker(workers, w)
	s := open(t)
	t.Cleanup(func() { must(t, s.StopJobs(context.Background())) })
	return probe{JobStore: s, workers: workers}, w
}

func testCommittedJobRuns(t *testing.T, open func(*testing.T) JobStore) {
	ctx := t.Context()
	s, w := openProbe(t, open)
	must(t, s.start(ctx))
	completed, cancel := riverOf(t, s.JobStore).Subscribe(river.EventKindJobCompleted)
	defer cancel()

	err := s.InTx(ctx, func(tx teli.Store) error {
		must(t, tx.Enqueue(ctx, probeArgs{Marker: "rolled back"}, teli.JobOpts{}))
		return errRollback
	})
	wantErr(t, err, errRollback)
	must(t, s.InTx(ctx, func(tx teli.Store) error {
		return tx.Enqueue(ctx, probeArgs{Marker: "committed"}, teli.JobOpts{})
	}))

	ev := receive(t, completed, "job completion")
	if ev.Job.Kind != (probeArgs{}).Kind() {
		t.Fatalf("completed a job of kind %q", ev.Job.Kind)
	}
	if got := <-w.started; got != "committed" {
		t.Fatalf("worker ran %q, want the committed job", got)
	}
	// The rolled-back job was never stored, so no worker can ever run it.
	res, err := riverOf(t, s.JobStore).JobList(ctx, river.NewJobListParams().Kinds(probeArgs{}.Kind()))
	must(t, err)
	if len(res.Jobs) != 1 {
		t.Fatalf("got %d jobs in the table, want only the committed one", len(res.Jobs))
	}
	var args probeArgs
	must(t, json.Unmarshal(res.Jobs[0].EncodedArgs, &args))
	equal(t, args, probeArgs{Marker: "committed"})
}

func testStopJobsWaits(t *testing.T, open func(*testing.T) JobStore) {
	startCtx, cancelStart := context.WithCancel(t.Context())
	s, w := openProbe(t, open)
	must(t, s.start(startCtx))
	must(t, s.Enqueue(t.Context(), probeArgs{Marker: "slow", Block: true}, teli.JobOpts{}))
	receive(t, w.started, "job start")

	// The context given to StartJobs ending is no reason to cancel a running job…
	cancelStart()
	stopped := make(chan error, 1)
	go func() { stopped <- s.StopJobs(context.Background()) }()
	// …nor is StopJobs: it waits until the job finishes on its own.
	close(w.release)
	if err := receive(t, w.finished, "job end"); err != nil {
		t.Fatalf("running job was cancelled (%v); StopJobs must let it finish", err)
	}
	must(t, receive(t, stopped, "StopJobs"))
}

// receive returns the next value of ch, failing t if none arrives before a deadline.
func receive[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatalf("no %s within 10s", what)
		panic("unreachable")
	}
}
