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

// Outboxes are the outboxes a committed transaction may have filled, each drained by one run
// of its dispatcher: the messages (Messages) and the calls (Calls). A nil one is never drained
// in process (its jobs and sweeps still drain it).
type Outboxes struct {
	Messages func(context.Context) error
	Calls    func(context.Context) error
}

// outbox is one outbox the queue drains on a kick.
type outbox struct {
	name string
	run  func(context.Context) error
	kick chan struct{}
}

// Queue runs the transactions that set off work, and that work in process while started.
type Queue struct {
	store    Transactor
	clock    teli.Clock
	log      *slog.Logger
	messages *outbox
	calls    *outbox
	slots    chan struct{}

	mu      sync.Mutex
	ctx     context.Context // nil while not started
	cancel  context.CancelFunc
	timers  map[*time.Timer]struct{}
	running sync.WaitGroup
}

// New returns a Queue over store. The queue drains an outbox in process when a committed
// transaction filled it.
func New(store Transactor, clock teli.Clock, log *slog.Logger, o Outboxes) *Queue {
	return &Queue{
		store: store, clock: clock, log: log,
		messages: &outbox{name: "message dispatch", run: o.Messages, kick: make(chan struct{}, 1)},
		calls:    &outbox{name: "call dispatch", run: o.Calls, kick: make(chan struct{}, 1)},
		slots:    make(chan struct{}, maxInProcess), timers: map[*time.Timer]struct{}{},
	}
}

// Start does work in process until Stop.
func (q *Queue) Start(ctx context.Context) {
	q.mu.Lock()
	defer q.mu.Unlock()
	ctx, q.cancel = context.WithCancel(context.WithoutCancel(ctx))
	q.ctx = ctx
	for _, o := range []*outbox{q.messages, q.calls} {
		if o.run != nil {
			q.running.Go(func() { q.drainOnKick(ctx, o) })
		}
	}
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

// kickOff asks for a drain of o; it never blocks.
func (o *outbox) kickOff() {
	select {
	case o.kick <- struct{}{}:
	default: // a drain is already asked for; it will see these rows too
	}
}

// drainOnKick drains o as soon as a transaction has filled it, so a person's message or call
// goes out within milliseconds rather than when the job queue next polls. Rows queued while a
// drain runs are picked up by the next one.
func (q *Queue) drainOnKick(ctx context.Context, o *outbox) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-o.kick:
			// A drain that started finishes even if stopping begins: its carrier or platform
			// requests must not be cut off halfway.
			if err := o.run(context.WithoutCancel(ctx)); err != nil {
				q.log.Warn(o.name+" after a request failed; the queued job will retry", "err", err)
			}
		}
	}
}
