// Package outbox drains an outbox: rows written in the transaction that decided them (a message
// to send, a call to place), claimed atomically in batches, held to a gate at the moment of
// hand-off, handed over with bounded concurrency, and their outcomes recorded in one write per
// batch. Any number of runners may drain one outbox at once, in one process or many: a row is
// claimed by exactly one of them, and a claim whose runner died is taken over once its lease
// runs out, by a runner that asks the far side first whether it has the row already.
//
// What is claimed, what the gate says and what handing over means belong to a Lane: the message
// dispatcher (package dispatch) and the call dispatcher (package calls) are two lanes of this
// one runner.
package outbox

import (
	"context"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/openteli/teli/internal/teli"
)

// Defaults of a Runner.
const (
	DefaultBatchSize   = 500
	DefaultConcurrency = 32
	// MaxRun bounds one Run, so that a job running it stays well inside the job queue's timeout
	// however slow the far side; a Run that stops for it reports that more may be due.
	MaxRun = 20 * time.Second
)

// Lane is one outbox: T is a claimed row with the gate's facts, O the outcome recorded for it.
type Lane[T, O any] interface {
	// Claim claims up to limit due rows, and rows whose claim lease expired, under token.
	Claim(ctx context.Context, token string, now time.Time, limit int) ([]T, error)
	// Decide holds a claimed row to the gate at now: the outcome of a refusal or a wait, or
	// true when the row may be handed over.
	Decide(now time.Time, row T) (O, bool)
	// Admit may hold back rows the gate let through, setting send[i] false and outcomes[i]
	// (a throughput budget); a lane with nothing to admit returns nil.
	Admit(ctx context.Context, rows []T, outcomes []O, send []bool) error
	// Hand hands a row over and returns its outcome, starting from the outcome Decide gave.
	Hand(ctx context.Context, row T, out O) O
	// Finish records the outcomes of the rows claimed under token.
	Finish(ctx context.Context, token string, outcomes []O) error
	// Handed reports whether an outcome is a row handed over; Held when an outcome that waits
	// is due again (zero for one that does not wait).
	Handed(out O) bool
	Held(out O) time.Time
}

// Runner drains a Lane.
type Runner[T, O any] struct {
	Lane  Lane[T, O]
	Clock teli.Clock
	// BatchSize and Concurrency default to DefaultBatchSize and DefaultConcurrency.
	BatchSize   int
	Concurrency int
	// Wake schedules another run at the time a held row becomes due.
	Wake func(ctx context.Context, at time.Time) error
	// ShortWait is the longest hold a Run waits out itself instead of ending and leaving the
	// row to its wake-up; zero never waits.
	ShortWait time.Duration
}

// Run drains batches until nothing is due, or until MaxRun has passed. It returns the number
// of rows handed over, and whether it stopped with work left.
func (r *Runner[T, O]) Run(ctx context.Context) (handed int, more bool, err error) {
	// Wall time, not the injected clock: this bounds how long the job runs, not when rows are
	// due.
	start := time.Now()
	var soonest time.Time
	for {
		n, claimed, next, err := r.batch(ctx)
		handed += n
		if err != nil {
			return handed, false, err
		}
		if !next.IsZero() && (soonest.IsZero() || next.Before(soonest)) {
			soonest = next
		}
		if claimed > 0 {
			if time.Since(start) > MaxRun {
				return handed, true, nil
			}
			continue
		}
		wait := soonest.Sub(r.Clock.Now())
		if soonest.IsZero() || r.ShortWait <= 0 || wait > r.ShortWait || time.Since(start)+wait > MaxRun {
			return handed, false, nil
		}
		// A row held for moments (a throughput budget refilling): wait here rather than for a
		// scheduled wake-up job, which the job queue may start only seconds later.
		select {
		case <-ctx.Done():
			return handed, false, ctx.Err()
		case <-time.After(max(wait, 0)):
		}
		soonest = time.Time{}
	}
}

// batch claims, decides, hands over and records one batch; it reports hand-overs, claims and
// the earliest instant a row it held becomes due.
func (r *Runner[T, O]) batch(ctx context.Context) (handed, claimed int, held time.Time, err error) {
	// Claim tokens are never shown, so they come from their own random source rather than the
	// injected one, whose sequence tests use for the ids they compare.
	token := uuid.NewString()
	rows, err := r.Lane.Claim(ctx, token, r.Clock.Now(), r.batchSize())
	if err != nil || len(rows) == 0 {
		return 0, 0, time.Time{}, err
	}
	now := r.Clock.Now()
	outcomes := make([]O, len(rows))
	send := make([]bool, len(rows))
	for i, row := range rows {
		outcomes[i], send[i] = r.Lane.Decide(now, row)
	}
	if err := r.Lane.Admit(ctx, rows, outcomes, send); err != nil {
		return 0, len(rows), time.Time{}, err
	}
	var wg sync.WaitGroup
	slots := make(chan struct{}, r.concurrency())
	for i, row := range rows {
		if !send[i] {
			continue
		}
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			outcomes[i] = r.Lane.Hand(ctx, row, outcomes[i])
		})
	}
	wg.Wait()
	if err := r.Lane.Finish(ctx, token, outcomes); err != nil {
		return 0, len(rows), time.Time{}, err
	}
	for _, o := range outcomes {
		if r.Lane.Handed(o) {
			handed++
		}
		if at := r.Lane.Held(o); !at.IsZero() && (held.IsZero() || at.Before(held)) {
			held = at
		}
	}
	if !held.IsZero() && r.Wake != nil {
		err = r.Wake(ctx, held)
	}
	return handed, len(rows), held, err
}

func (r *Runner[T, O]) batchSize() int {
	if r.BatchSize > 0 {
		return r.BatchSize
	}
	return DefaultBatchSize
}

func (r *Runner[T, O]) concurrency() int {
	if r.Concurrency > 0 {
		return r.Concurrency
	}
	return DefaultConcurrency
}
