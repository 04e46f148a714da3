package workers

import (
	"context"
	"errors"

	"github.com/riverqueue/river"

	"github.com/openteli/teli/internal/jobargs"
	"github.com/openteli/teli/internal/service"
	"github.com/openteli/teli/internal/service/outbound"
)

type processInboundWorker struct {
	river.WorkerDefaults[jobargs.ProcessInbound]
	svc *service.Service
}

func (w *processInboundWorker) Work(ctx context.Context, job *river.Job[jobargs.ProcessInbound]) error {
	return w.svc.ProcessInbound(ctx, job.Args.Provider, job.Args.ProviderID)
}

type aiReplyWorker struct {
	river.WorkerDefaults[jobargs.AIReply]
	svc *service.Service
}

func (w *aiReplyWorker) Work(ctx context.Context, job *river.Job[jobargs.AIReply]) error {
	err := w.svc.Reply(ctx, job.Args)
	if err != nil && job.Attempt >= job.MaxAttempts {
		// Nothing accepted is dropped: the message the model could not answer waits for a person.
		return errors.Join(err, w.svc.GiveUpReply(ctx, job.Args))
	}
	return err
}

type extractWorker struct {
	river.WorkerDefaults[jobargs.Extract]
	svc *service.Service
}

func (w *extractWorker) Work(ctx context.Context, job *river.Job[jobargs.Extract]) error {
	return w.svc.Extract(ctx, job.Args)
}

type dripSweepWorker struct {
	river.WorkerDefaults[jobargs.DripSweep]
	outbound *outbound.Service
}

func (w *dripSweepWorker) Work(ctx context.Context, job *river.Job[jobargs.DripSweep]) error {
	_, err := w.outbound.RunDrips(ctx)
	return err
}

type aiDripWorker struct {
	river.WorkerDefaults[jobargs.AIDrip]
	svc *service.Service
}

func (w *aiDripWorker) Work(ctx context.Context, job *river.Job[jobargs.AIDrip]) error {
	return w.svc.WriteDrip(ctx, job.Args)
}
