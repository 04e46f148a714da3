package workers

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"github.com/openteli/teli/internal/calls"
	"github.com/openteli/teli/internal/jobargs"
	"github.com/openteli/teli/internal/service/calling"
	"github.com/openteli/teli/internal/teli"
)

// WakeCallDispatch schedules a call dispatch at the given instant (rounded up to the second).
func WakeCallDispatch(ctx context.Context, store Store, at time.Time) error {
	sec := wakeSecond(at)
	return store.Enqueue(ctx, jobargs.DispatchCalls{WakeAt: sec.Unix()}, teli.JobOpts{UniqueByArgs: true, ScheduledAt: sec})
}

type callDispatchWorker struct {
	river.WorkerDefaults[jobargs.DispatchCalls]
	store      Store
	dispatcher *calls.Dispatcher
}

func (w *callDispatchWorker) Work(ctx context.Context, job *river.Job[jobargs.DispatchCalls]) error {
	_, more, err := w.dispatcher.Run(ctx)
	if err != nil || !more {
		return err
	}
	// The run stopped for time with calls left: hand them to a fresh job.
	return w.store.Enqueue(ctx, jobargs.DispatchCalls{}, teli.JobOpts{})
}

type callSweepWorker struct {
	river.WorkerDefaults[jobargs.CallSweep]
	calling    *calling.Service
	clock      teli.Clock
	staleAfter time.Duration
}

func (w *callSweepWorker) Work(ctx context.Context, job *river.Job[jobargs.CallSweep]) error {
	_, err := w.calling.ReconcileStaleCalls(ctx, w.clock.Now().Add(-w.staleAfter))
	return err
}
