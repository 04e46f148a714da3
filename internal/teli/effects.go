package teli

// Which changes of a campaign's status there are, and what a change of hands or of a campaign's
// status does to the messages still queued. The rules live here, once; the stores carry them
// out. Reasons are the send gate's stable codes (gate.Reason…), stored with each message they
// settle.

// CampaignAction is a change of a campaign's status: asked for by a person (pause, resume,
// end) or made by the server itself (reopen, complete).
type CampaignAction string

// The campaign actions.
const (
	ActionPause  CampaignAction = "pause"
	ActionResume CampaignAction = "resume"
	ActionEnd    CampaignAction = "end"
	// ActionReopen is leads added to a completed campaign: it is sending again.
	ActionReopen CampaignAction = "reopen"
	// ActionComplete is the last starting message of an active campaign settled (sent,
	// blocked, expired or canceled).
	ActionComplete CampaignAction = "complete"
)

// Transition is the statuses an action may start from and the one it leads to.
type Transition struct {
	From []CampaignStatus
	To   CampaignStatus
}

// transitions is the one table of campaign status changes; a change it does not hold does not
// happen. A COMPLETED campaign may be paused: every contact got its starting message, but its
// follow-ups and the agent's replies still go out, and a pause holds them; resuming makes it
// COMPLETED again at once (EffectsOf(CampaignActive).Settle). PAUSED never completes by
// itself: what it holds is still to go. Nothing leaves ENDED.
var transitions = map[CampaignAction]Transition{
	ActionPause:    {From: []CampaignStatus{CampaignActive, CampaignCompleted}, To: CampaignPaused},
	ActionResume:   {From: []CampaignStatus{CampaignPaused}, To: CampaignActive},
	ActionEnd:      {From: []CampaignStatus{CampaignActive, CampaignPaused, CampaignCompleted}, To: CampaignEnded},
	ActionReopen:   {From: []CampaignStatus{CampaignCompleted}, To: CampaignActive},
	ActionComplete: {From: []CampaignStatus{CampaignActive}, To: CampaignCompleted},
}

// TransitionOf returns the transition of action a; false for an action that does not exist.
func TransitionOf(a CampaignAction) (Transition, bool) {
	t, ok := transitions[a]
	return t, ok
}

// Cancellation cancels the queued messages of some senders, recording Reason.
type Cancellation struct {
	Senders []string
	Reason  string
}

// TakeOverCancels is what a human taking a thread over cancels: every automated message still
// queued for it, the agent's and the follow-ups'. Broadcasts stay: a person sent them.
var TakeOverCancels = Cancellation{Senders: []string{SenderAgent, SenderDrip}, Reason: "human_takeover"}

// CampaignEffects are what moving a campaign to a status does to its messages and threads.
type CampaignEffects struct {
	// Cancel, when it names senders, cancels the campaign's queued messages of those senders.
	Cancel Cancellation
	// StopDrips ends every thread's follow-ups.
	StopDrips bool
	// Release, when set, makes the queued messages held for this reason due at once, so the
	// dispatcher re-checks each at the gate.
	Release string
	// Settle completes the campaign (ActionComplete) when none of its starting messages is
	// left to send.
	Settle bool
}

// EffectsOf returns what moving a campaign to status to does. Pausing changes no message: the
// gate holds every automated message of a paused campaign (and records why, gate reason
// campaign_paused) until the campaign is resumed.
func EffectsOf(to CampaignStatus) CampaignEffects {
	switch to {
	case CampaignEnded:
		return CampaignEffects{
			Cancel:    Cancellation{Senders: []string{SenderAgent, SenderDrip, SenderBroadcast}, Reason: "campaign_ended"},
			StopDrips: true,
		}
	case CampaignActive:
		// A completed campaign paused and resumed is complete again, and so is one whose last
		// starting messages expired while it was paused.
		return CampaignEffects{Release: "campaign_paused", Settle: true}
	}
	return CampaignEffects{}
}
