// Package work does what a committed transaction sets off (processing a stored inbound
// message, writing an agent's reply, dispatching the messages it queued) in this process right
// after the commit, with a durable job committed in the same transaction as the fallback.
//
// A use-case runs such a transaction through Queue.InTx and asks, inside it, with Soon or
// Tx.Dispatch: one call, which commits the job with the transaction and, once it has committed,
// starts the same work here. The work done in process is best effort (the server not started
// or stopping, the process dying, a failure: the job does it); the job, when the work also runs
// in process, waits HeadStart first. Both may run: the database makes the work idempotent (an
// inbound message is finished once, a burst answered once, a message claimed once).
package work

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/openteli/teli/internal/teli"
)

// HeadStart is how long a job waits when the same work also runs in process at once: long
// enough that the in-process run has normally finished (the job then finds nothing to do,
// without calling the model again), short enough that a crash costs little delay.
const HeadStart = 30 * time.Second

// maxInProcess bounds the work running in process at once.
const maxInProcess = 256

// Transactor runs transactions, as the store does.
type Transactor interface {
	InTx(ctx context.Context, fn func(tx teli.Store) error) error
}

// Queue runs the transactions that set off work, and that work in process while started.
type Queue struct {
	store    Transactor
	clock    teli.Clock
	log      *slog.Logger
	dispatch func(context.Context) error
	kick     chan struct{}
	slots    chan struct{}

	mu      sync.Mutex
	ctx     context.Context // nil while not started
	cancel  context.CancelFunc
	timers  map[*time.Timer]struct{}
	running sync.WaitGroup
}

// New returns a Queue over store. dispatch runs one dispatch of the outbox; the queue calls it
// when a committed transaction queued messages.
func New(store Transactor, clock teli.Clock, log *slog.Logger, dispatch func(context.Context) error) *Queue {
	return &Queue{
		store: store, clock: clock, log: log, dispatch: dispatch,
		kick: make(chan struct{}, 1), slots: make(chan struct{}, maxInProcess), timers: map[*time.Timer]struct{}{},
	}
}

// Start does work in process until Stop.
func (q *Queue) Start(ctx context.Context) {
	q.mu.Lock()
	defer q.mu.Unlock()
	ctx, q.cancel = context.WithCancel(context.WithoutCancel(ctx))
	q.ctx = ctx
	q.running.Go(func() { q.dispatchOnKick(ctx) })
}

// Stop drops work not yet started, cancels what runs (a dispatch under way finishes), and waits
// for it to return.
func (q *Queue) Stop() {
	q.mu.Lock()
	for t := range q.timers {
		if t.Stop() {
			q.running.Done()
		}
	}
	q.timers = map[*time.Timer]struct{}{}
	if q.cancel != nil {
		q.cancel()
	}
	q.ctx = nil
	q.mu.Unlock()
	q.running.Wait()
}

// started reports whether work handed over now is done in process.
func (q *Queue) started() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.ctx != nil
}

// soon runs fn after delay, if the queue is started.
func (q *Queue) soon(delay time.Duration, fn func(context.Context)) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.ctx == nil {
		return
	}
	q.running.Add(1)
	var t *time.Timer
	t = time.AfterFunc(delay, func() {
		defer q.running.Done()
		q.mu.Lock()
		delete(q.timers, t)
		ctx := q.ctx
		q.mu.Unlock()
		if ctx == nil {
			return
		}
		// Wait for a slot rather than drop the work: its job would only run after its head
		// start, so dropping would turn a busy moment into a 30-second delay.
		select {
		case q.slots <- struct{}{}:
			defer func() { <-q.slots }()
			fn(ctx)
		case <-ctx.Done(): // stopping: the job does it
		}
	})
	q.timers[t] = struct{}{}
}

// kickDispatch asks for a dispatch; it never blocks.
func (q *Queue) kickDispatch() {
	select {
	case q.kick <- struct{}{}:
	default: // a dispatch is already asked for; it will see these messages too
	}
}

// dispatchOnKick dispatches as soon as a transaction has queued messages, so a person's message
// goes out within milliseconds rather than when the job queue next polls. Messages queued while
// a dispatch runs are picked up by the next one.
func (q *Queue) dispatchOnKick(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-q.kick:
			// A dispatch that started finishes even if stopping begins: its carrier calls
			// must not be cut off halfway.
			if err := q.dispatch(context.WithoutCancel(ctx)); err != nil {
				q.log.Warn("dispatch after a request failed; the queued job will retry", "err", err)
			}
		}
	}
}
