// Package workers does the server's background jobs (their arguments are in package jobargs):
// one River worker per kind, each built with everything it uses before it is registered, and the
// periodic jobs. Jobs are inserted in the same transaction as the rows they act on, so a job
// exists exactly when its cause was committed. The workers call the use-cases; nothing calls back.
package workers

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/openteli/teli/internal/calls"
	"github.com/openteli/teli/internal/dispatch"
	"github.com/openteli/teli/internal/jobargs"
	"github.com/openteli/teli/internal/service/calling"
	"github.com/openteli/teli/internal/service/conversation"
	"github.com/openteli/teli/internal/service/outbound"
	"github.com/openteli/teli/internal/teli"
	"github.com/openteli/teli/internal/voice"
)

// Store is what the workers read and write themselves.
type Store interface {
	Enqueue(ctx context.Context, job teli.JobArgs, opts teli.JobOpts) error
	GetAgent(ctx context.Context, tenantID, id string) (teli.Agent, error)
}

// Deps is what the workers use; Register takes it complete.
type Deps struct {
	Store      Store
	Voice      voice.Platform
	Dispatcher *dispatch.Dispatcher
	// Conversation carries out the conversation jobs: inbound messages, replies, extraction,
	// ai drips.
	Conversation *conversation.Service
	// Outbound sweeps the drips that are due.
	Outbound *outbound.Service
	// Calls places the queued calls; Calling does what a call's end sets off, and asks the
	// platform about calls that went quiet (those silent for StaleCallAfter).
	Calls          *calls.Dispatcher
	Calling        *calling.Service
	Clock          teli.Clock
	StaleCallAfter time.Duration
}

// Register adds every worker to workers.
func Register(workers *river.Workers, d Deps) {
	river.AddWorker(workers, &voiceAgentSyncWorker{store: d.Store, voice: d.Voice})
	river.AddWorker(workers, &voiceAgentDeleteWorker{voice: d.Voice})
	river.AddWorker(workers, &dispatchWorker{store: d.Store, dispatcher: d.Dispatcher})
	river.AddWorker(workers, &jobWorker[jobargs.ProcessInbound]{do: d.Conversation.ProcessInbound})
	river.AddWorker(workers, &aiReplyWorker{conversation: d.Conversation})
	river.AddWorker(workers, &jobWorker[jobargs.Extract]{do: d.Conversation.Extract})
	river.AddWorker(workers, &dripSweepWorker{outbound: d.Outbound})
	river.AddWorker(workers, &jobWorker[jobargs.AIDrip]{do: d.Conversation.WriteDrip})
	river.AddWorker(workers, &callDispatchWorker{store: d.Store, dispatcher: d.Calls})
	river.AddWorker(workers, &jobWorker[jobargs.AfterCall]{do: d.Calling.AfterCall})
	river.AddWorker(workers, &callSweepWorker{calling: d.Calling, clock: d.Clock, staleAfter: d.StaleCallAfter})
}

// WakeDispatch schedules a dispatch at the given instant (rounded up to the second).
func WakeDispatch(ctx context.Context, store Store, at time.Time) error {
	sec := wakeSecond(at)
	return store.Enqueue(ctx, jobargs.Dispatch{WakeAt: sec.Unix()}, teli.JobOpts{UniqueByArgs: true, ScheduledAt: sec})
}

// wakeSecond is at rounded up to the second: wake-up jobs are unique by their second, so the
// many rows held until one instant share one job.
func wakeSecond(at time.Time) time.Time {
	sec := at.Truncate(time.Second)
	if sec.Before(at) {
		sec = sec.Add(time.Second)
	}
	return sec
}

type dispatchWorker struct {
	river.WorkerDefaults[jobargs.Dispatch]
	store      Store
	dispatcher *dispatch.Dispatcher
}

func (w *dispatchWorker) Work(ctx context.Context, job *river.Job[jobargs.Dispatch]) error {
	_, more, err := w.dispatcher.Run(ctx)
	if err != nil || !more {
		return err
	}
	// The run stopped for time with messages left: hand them to a fresh job.
	return w.store.Enqueue(ctx, jobargs.Dispatch{}, teli.JobOpts{})
}

// Periodic returns the jobs the queue inserts on a schedule, every sweep and at start: a
// dispatch of messages and one of calls, which send whatever nothing else woke (rows left by a
// process that died, claims whose lease expired, waits whose wake-up job was lost), a drip
// sweep, which queues the follow-ups that came due, and a sweep of calls gone quiet.
func Periodic(sweep time.Duration) []*river.PeriodicJob {
	return []*river.PeriodicJob{
		river.NewPeriodicJob(river.PeriodicInterval(sweep), func() (river.JobArgs, *river.InsertOpts) {
			return jobargs.Dispatch{}, nil
		}, &river.PeriodicJobOpts{RunOnStart: true}),
		river.NewPeriodicJob(river.PeriodicInterval(sweep), func() (river.JobArgs, *river.InsertOpts) {
			return jobargs.DripSweep{}, nil
		}, &river.PeriodicJobOpts{RunOnStart: true}),
		river.NewPeriodicJob(river.PeriodicInterval(sweep), func() (river.JobArgs, *river.InsertOpts) {
			return jobargs.DispatchCalls{}, nil
		}, &river.PeriodicJobOpts{RunOnStart: true}),
		river.NewPeriodicJob(river.PeriodicInterval(sweep), func() (river.JobArgs, *river.InsertOpts) {
			return jobargs.CallSweep{}, nil
		}, &river.PeriodicJobOpts{RunOnStart: true}),
	}
}

type dripSweepWorker struct {
	river.WorkerDefaults[jobargs.DripSweep]
	outbound *outbound.Service
}

func (w *dripSweepWorker) Work(ctx context.Context, job *river.Job[jobargs.DripSweep]) error {
	_, err := w.outbound.RunDrips(ctx)
	return err
}

type voiceAgentSyncWorker struct {
	river.WorkerDefaults[jobargs.VoiceAgentSync]
	store Store
	voice voice.Platform
}

func (w *voiceAgentSyncWorker) Work(ctx context.Context, job *river.Job[jobargs.VoiceAgentSync]) error {
	agent, err := w.store.GetAgent(ctx, job.Args.TenantID, job.Args.AgentID)
	if errors.Is(err, teli.ErrNotFound) {
		// Deleted since: the delete job removes it from the platform.
		return nil
	}
	if err != nil {
		return err
	}
	if agent.Voice == nil {
		return river.JobCancel(fmt.Errorf("agent %s is not a voice agent", agent.ID))
	}
	ref := voice.Ref{AgentID: agent.Voice.VoiceAgentID, LLMID: agent.Voice.VoiceLLMID}
	return w.voice.UpdateAgent(ctx, ref, voice.SpecOf(agent))
}

type voiceAgentDeleteWorker struct {
	river.WorkerDefaults[jobargs.VoiceAgentDelete]
	voice voice.Platform
}

func (w *voiceAgentDeleteWorker) Work(ctx context.Context, job *river.Job[jobargs.VoiceAgentDelete]) error {
	return w.voice.DeleteAgent(ctx, voice.Ref{AgentID: job.Args.VoiceAgentID, LLMID: job.Args.VoiceLLMID})
}
