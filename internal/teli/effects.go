package teli

// What a change of hands or of a campaign's status does to the messages still queued. The rules
// live here, once; the stores carry them out. Reasons are the send gate's stable codes
// (gate.Reason…), stored with each message they settle.

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
	// Settle marks the campaign COMPLETED when none of its starting messages is left to send.
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
		// A campaign paused after its last starting message is complete again.
		return CampaignEffects{Release: "campaign_paused", Settle: true}
	}
	return CampaignEffects{}
}
