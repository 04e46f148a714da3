package work

import (
	"context"
	"time"

	"github.com/openteli/teli/internal/jobargs"
	"github.com/openteli/teli/internal/teli"
)

// Bulk dispatch: one job per this many messages, up to maxBulkDispatches.
const (
	messagesPerDispatch = 10000
	maxBulkDispatches   = 8
)

// Tx is a transaction run by Queue.InTx: the store's transaction, which also takes the work
// the transaction sets off.
type Tx struct {
	teli.Store
	q        *Queue
	dispatch bool // messages were queued
	calls    bool // calls were queued
	after    []pending
}

// pending is work to start in process once the transaction has committed.
type pending struct {
	delay time.Duration
	run   func(context.Context)
}

// InTx runs fn in one transaction of the store; the work fn asks for through tx commits its jobs
// with it and, once it has committed, starts in process. When fn fails, or the commit does,
// nothing starts. It must not be called inside another transaction.
func (q *Queue) InTx(ctx context.Context, fn func(tx *Tx) error) error {
	var done *Tx
	err := q.store.InTx(ctx, func(st teli.Store) error {
		// A store that runs fn again (a retried transaction) keeps only the last run's work.
		tx := &Tx{Store: st, q: q}
		done = tx
		return fn(tx)
	})
	if err != nil {
		return err
	}
	if done.dispatch {
		q.messages.kickOff()
	}
	if done.calls {
		q.calls.kickOff()
	}
	for _, p := range done.after {
		q.soon(p.delay, p.run)
	}
	return nil
}

// Opts tune a piece of work asked for with Soon.
type Opts struct {
	// Delay is how long after the commit the work is due.
	Delay time.Duration
	// MaxAttempts, when > 0, bounds the job's attempts.
	MaxAttempts int
}

// Soon asks for job's work to be done o.Delay after tx commits: by run, in this process, when
// the queue is started, and by the job, which commits with tx, as the fallback. The job's worker
// must do what run does.
func Soon[J teli.JobArgs](ctx context.Context, tx *Tx, job J, o Opts, run func(context.Context, J) error) error {
	at := tx.q.clock.Now().Add(o.Delay)
	if tx.q.started() {
		// Wall time: the job queue schedules on it, and the head start is about processes,
		// not about the injected clock's domain time.
		at = time.Now().Add(o.Delay + HeadStart)
	}
	if err := tx.Enqueue(ctx, job, teli.JobOpts{ScheduledAt: at, MaxAttempts: o.MaxAttempts}); err != nil {
		return err
	}
	log := tx.q.log
	tx.after = append(tx.after, pending{delay: o.Delay, run: func(ctx context.Context) {
		if err := run(ctx, job); err != nil {
			log.Warn("work failed in process; its job will retry", "job", job.Kind(), "err", err)
		}
	}})
	return nil
}

// Dispatch asks for the messages tx queued to be dispatched: in this process right after the
// commit, and by a job committed with them unless the queue is started. Then the periodic sweep,
// and the dispatch every server runs at start, are the fallback: a job per request would double
// the job queue's writes on the busiest paths.
func (tx *Tx) Dispatch(ctx context.Context) error {
	tx.dispatch = true
	if tx.q.started() {
		return nil
	}
	return tx.Enqueue(ctx, jobargs.Dispatch{}, teli.JobOpts{})
}

// QueueMessages writes outbound messages to the outbox and asks for their dispatch.
func (tx *Tx) QueueMessages(ctx context.Context, msgs ...teli.Message) error {
	if err := tx.InsertMessages(ctx, msgs); err != nil {
		return err
	}
	return tx.Dispatch(ctx)
}

// DispatchBulk is Dispatch for n messages of a launch, whose jobs commit in any case: one per
// messagesPerDispatch, so that every replica's workers share a large launch instead of the one
// process that took the request sending it alone. Claims are atomic, so the jobs never send a
// message twice.
func (tx *Tx) DispatchBulk(ctx context.Context, n int) error {
	tx.dispatch = true
	for range min(max(n/messagesPerDispatch, 1), maxBulkDispatches) {
		if err := tx.Enqueue(ctx, jobargs.Dispatch{}, teli.JobOpts{}); err != nil {
			return err
		}
	}
	return nil
}

// DispatchCalls asks for the calls tx queued to be placed: in this process right after the
// commit, and by a job committed with them unless the queue is started (then the periodic sweep
// and the start-up dispatch are the fallback, as for messages).
func (tx *Tx) DispatchCalls(ctx context.Context) error {
	tx.calls = true
	if tx.q.started() && tx.q.calls.run != nil {
		return nil
	}
	return tx.Enqueue(ctx, jobargs.DispatchCalls{}, teli.JobOpts{})
}

// QueueCalls writes outbound calls to the call outbox and asks for them to be placed.
func (tx *Tx) QueueCalls(ctx context.Context, calls ...teli.Call) error {
	if err := tx.InsertCalls(ctx, calls); err != nil {
		return err
	}
	return tx.DispatchCalls(ctx)
}
