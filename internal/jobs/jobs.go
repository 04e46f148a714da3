// Package jobs defines the background jobs of the server (their arguments, which are what is
// stored, and their workers). Jobs are inserted in the same transaction as the rows they act on,
// so a job exists exactly when its cause was committed.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/openteli/teli/internal/dispatch"
	"github.com/openteli/teli/internal/teli"
	"github.com/openteli/teli/internal/voice"
)

// VoiceAgentSync pushes a voice agent's current configuration to its voice platform. It reads
// the agent when it runs, so several updates in a row are carried by whichever sync runs last.
type VoiceAgentSync struct {
	TenantID string `json:"tenant_id"`
	AgentID  string `json:"agent_id"`
}

// Kind identifies the job type in the queue.
func (VoiceAgentSync) Kind() string { return "voice_agent_sync" }

// VoiceAgentDelete removes a deleted voice agent from its voice platform.
type VoiceAgentDelete struct {
	VoiceAgentID string `json:"voice_agent_id"`
	VoiceLLMID   string `json:"voice_llm_id"`
}

// Kind identifies the job type in the queue.
func (VoiceAgentDelete) Kind() string { return "voice_agent_delete" }

// Dispatch drains the outbox (package dispatch). WakeAt, when set, is the Unix second the job was
// scheduled for: jobs are unique by it, so many held messages due at one instant share one wake.
type Dispatch struct {
	WakeAt int64 `json:"wake_at,omitempty"`
}

// Kind identifies the job type in the queue.
func (Dispatch) Kind() string { return "dispatch" }

// ProcessInbound handles one stored inbound message (keywords, the thread, replies). The
// message is read when the job runs; processing it twice does nothing the second time.
type ProcessInbound struct {
	Provider   string `json:"provider"`
	ProviderID string `json:"provider_id"`
}

// Kind identifies the job type in the queue.
func (ProcessInbound) Kind() string { return "process_inbound" }

// InboundProcessor handles stored inbound messages (the service does).
type InboundProcessor interface {
	ProcessInbound(ctx context.Context, provider, providerID string) error
}

// Deps is what the workers need.
type Deps struct {
	Store         teli.Store
	Voice         voice.Platform
	Dispatcher    *dispatch.Dispatcher
	Inbound       InboundProcessor
	Conversations Conversations
}

// Register adds every worker to workers. deps is read when a job runs, so it may be filled in
// after the store that the workers are registered with has been opened.
func Register(workers *river.Workers, deps *Deps) {
	river.AddWorker(workers, &voiceAgentSyncWorker{deps: deps})
	river.AddWorker(workers, &voiceAgentDeleteWorker{deps: deps})
	river.AddWorker(workers, &dispatchWorker{deps: deps})
	river.AddWorker(workers, &processInboundWorker{deps: deps})
	river.AddWorker(workers, &aiReplyWorker{deps: deps})
	river.AddWorker(workers, &extractWorker{deps: deps})
	river.AddWorker(workers, &dripSweepWorker{deps: deps})
	river.AddWorker(workers, &aiDripWorker{deps: deps})
}

type processInboundWorker struct {
	river.WorkerDefaults[ProcessInbound]
	deps *Deps
}

func (w *processInboundWorker) Work(ctx context.Context, job *river.Job[ProcessInbound]) error {
	return w.deps.Inbound.ProcessInbound(ctx, job.Args.Provider, job.Args.ProviderID)
}

// WakeDispatch schedules a dispatch at the given instant (rounded up to the second).
func WakeDispatch(ctx context.Context, store teli.Store, at time.Time) error {
	sec := at.Truncate(time.Second)
	if sec.Before(at) {
		sec = sec.Add(time.Second)
	}
	return store.Enqueue(ctx, Dispatch{WakeAt: sec.Unix()}, teli.JobOpts{UniqueByArgs: true, ScheduledAt: sec})
}

type dispatchWorker struct {
	river.WorkerDefaults[Dispatch]
	deps *Deps
}

func (w *dispatchWorker) Work(ctx context.Context, job *river.Job[Dispatch]) error {
	_, more, err := w.deps.Dispatcher.Run(ctx)
	if err != nil || !more {
		return err
	}
	// The run stopped for time with messages left: hand them to a fresh job.
	return w.deps.Store.Enqueue(ctx, Dispatch{}, teli.JobOpts{})
}

// Periodic returns the jobs the queue inserts on a schedule, every sweep and at start: a
// dispatch, which sends whatever nothing else woke (messages left by a process that died,
// claims whose lease expired, waits whose wake-up job was lost), and a drip sweep, which queues
// the follow-ups that came due.
func Periodic(sweep time.Duration) []*river.PeriodicJob {
	return []*river.PeriodicJob{
		river.NewPeriodicJob(river.PeriodicInterval(sweep), func() (river.JobArgs, *river.InsertOpts) {
			return Dispatch{}, nil
		}, &river.PeriodicJobOpts{RunOnStart: true}),
		river.NewPeriodicJob(river.PeriodicInterval(sweep), func() (river.JobArgs, *river.InsertOpts) {
			return DripSweep{}, nil
		}, &river.PeriodicJobOpts{RunOnStart: true}),
	}
}

type voiceAgentSyncWorker struct {
	river.WorkerDefaults[VoiceAgentSync]
	deps *Deps
}

func (w *voiceAgentSyncWorker) Work(ctx context.Context, job *river.Job[VoiceAgentSync]) error {
	agent, err := w.deps.Store.GetAgent(ctx, job.Args.TenantID, job.Args.AgentID)
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
	return w.deps.Voice.UpdateAgent(ctx, ref, voice.SpecOf(agent))
}

type voiceAgentDeleteWorker struct {
	river.WorkerDefaults[VoiceAgentDelete]
	deps *Deps
}

func (w *voiceAgentDeleteWorker) Work(ctx context.Context, job *river.Job[VoiceAgentDelete]) error {
	return w.deps.Voice.DeleteAgent(ctx, voice.Ref{AgentID: job.Args.VoiceAgentID, LLMID: job.Args.VoiceLLMID})
}
