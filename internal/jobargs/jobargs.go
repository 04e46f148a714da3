// Package jobargs holds the arguments of the server's background jobs: what the job queue
// stores for each job, and all its worker is told. The use-cases enqueue them, the workers
// (package workers) do them; this package imports nothing, so both can depend on it without
// depending on each other.
package jobargs

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

// DispatchCalls drains the call outbox (package calls). WakeAt, when set, is the Unix second the
// job was scheduled for: jobs are unique by it, so many calls held until one instant share one
// wake.
type DispatchCalls struct {
	WakeAt int64 `json:"wake_at,omitempty"`
}

// Kind identifies the job type in the queue.
func (DispatchCalls) Kind() string { return "dispatch_calls" }

// AfterCall does what a call's end sets off: the extraction of the agent's fields from the
// transcript. It reads the call when it runs; a call already extracted is left alone.
type AfterCall struct {
	TenantID string `json:"tenant_id"`
	CallID   string `json:"call_id"`
}

// Kind identifies the job type in the queue.
func (AfterCall) Kind() string { return "after_call" }

// CallSweep asks the voice platform about placed calls that have gone without any report for
// too long (see calling.ReconcileStaleCalls).
type CallSweep struct{}

// Kind identifies the job type in the queue.
func (CallSweep) Kind() string { return "call_sweep" }
