package jobs

import (
	"context"
	"errors"

	"github.com/riverqueue/river"
)

// AIReply answers a thread's burst of inbound messages as the agent. It is scheduled a burst
// window after each inbound message; only the job of the thread's latest message answers, so a
// burst gets one reply.
type AIReply struct {
	TenantID   string `json:"tenant_id"`
	CampaignPK string `json:"campaign_pk"`
	Phone      string `json:"phone"`
	InboundID  string `json:"inbound_id"`
}

// Kind identifies the job type in the queue.
func (AIReply) Kind() string { return "ai_reply" }

// Extract reads the lead's fields and outcome out of a thread's conversation, after its latest
// message (AfterID); older jobs of the thread do nothing.
type Extract struct {
	TenantID   string `json:"tenant_id"`
	CampaignPK string `json:"campaign_pk"`
	Phone      string `json:"phone"`
	AfterID    string `json:"after_id"`
}

// Kind identifies the job type in the queue.
func (Extract) Kind() string { return "extract" }

// DripSweep queues the follow-ups that are due. It runs periodically; any number may run at
// once, as each due thread is claimed by one.
type DripSweep struct{}

// Kind identifies the job type in the queue.
func (DripSweep) Kind() string { return "drip_sweep" }

// AIDrip has the model write follow-up step Step of a thread.
type AIDrip struct {
	TenantID   string `json:"tenant_id"`
	CampaignPK string `json:"campaign_pk"`
	Phone      string `json:"phone"`
	Step       int    `json:"step"`
}

// Kind identifies the job type in the queue.
func (AIDrip) Kind() string { return "ai_drip" }

// Conversations runs the agent's work on threads (the service does).
type Conversations interface {
	Reply(ctx context.Context, job AIReply) error
	// GiveUpReply hands the thread to people after the last attempt at a reply failed.
	GiveUpReply(ctx context.Context, job AIReply) error
	Extract(ctx context.Context, job Extract) error
	RunDrips(ctx context.Context) (int, error)
	WriteDrip(ctx context.Context, job AIDrip) error
}

type dripSweepWorker struct {
	river.WorkerDefaults[DripSweep]
	deps *Deps
}

func (w *dripSweepWorker) Work(ctx context.Context, job *river.Job[DripSweep]) error {
	_, err := w.deps.Conversations.RunDrips(ctx)
	return err
}

type aiDripWorker struct {
	river.WorkerDefaults[AIDrip]
	deps *Deps
}

func (w *aiDripWorker) Work(ctx context.Context, job *river.Job[AIDrip]) error {
	return w.deps.Conversations.WriteDrip(ctx, job.Args)
}

type aiReplyWorker struct {
	river.WorkerDefaults[AIReply]
	deps *Deps
}

func (w *aiReplyWorker) Work(ctx context.Context, job *river.Job[AIReply]) error {
	err := w.deps.Conversations.Reply(ctx, job.Args)
	if err != nil && job.Attempt >= job.MaxAttempts {
		// Nothing accepted is dropped: the message the model could not answer waits for a person.
		return errors.Join(err, w.deps.Conversations.GiveUpReply(ctx, job.Args))
	}
	return err
}

type extractWorker struct {
	river.WorkerDefaults[Extract]
	deps *Deps
}

func (w *extractWorker) Work(ctx context.Context, job *river.Job[Extract]) error {
	return w.deps.Conversations.Extract(ctx, job.Args)
}
