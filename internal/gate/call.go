package gate

import (
	"time"

	"github.com/openteli/teli/internal/quiethours"
)

// The calling gate: the one decision every outbound call passes at the moment it would be
// placed, as Decide is for messages. Calls are held to the same consent and the same local-time
// window as messages (spec/compliance.md; an SMS STOP from a number blocks calls to it too), and
// to what only calls have: a campaign's own begin and end time, one live call per lead, and how
// many calls a number and a campaign may have live at once.

// Call reasons, stored with a call the gate refused or held; stable machine codes like the
// message reasons, which calls share where the rule is the same.
const (
	ReasonCampaignNotStarted = "campaign_not_started" // Wait until the campaign's begin time
	ReasonLeadOnCall         = "lead_on_call"         // Wait: another call to the lead is live
	ReasonConcurrency        = "concurrency_limit"    // Wait: the number or campaign is at its limit
)

// Call kinds, which decide the rules a call obeys.
const (
	// CallCampaign is a voice campaign's call to a lead: every rule.
	CallCampaign = "campaign"
	// CallSMSToVoice is the call an SMS agent asked for: every rule but the campaign's.
	CallSMSToVoice = "sms_to_voice"
	// CallSingle is one call a person asked for (POST /v1/voice/calls), to try an agent on a
	// phone of their own: consent and one live call per lead, but not the calling window, as a
	// person's one-to-one message is not held to quiet hours.
	CallSingle = "single"
)

// Voice campaign statuses, the values of CallFacts.CampaignStatus.
const (
	VoiceActive    = "active"
	VoicePaused    = "paused"
	VoiceCompleted = "completed"
	VoiceEnded     = "ended"
)

// CallFacts is everything DecideCall needs about one call, loaded at hand-off time.
type CallFacts struct {
	Now  time.Time
	Kind string
	// CampaignStatus, CampaignBegin and CampaignEnd are the voice campaign's, for campaign
	// calls; the campaign's window narrows the calling window, never widens it.
	CampaignStatus string
	CampaignBegin  time.Time
	CampaignEnd    time.Time
	// OptedOut and DoNotContact are the lead's suppressions: both block every call.
	OptedOut     bool
	DoNotContact bool
	// Location is where the lead may be (quiethours.Resolve); the zero Location is held to
	// every US zone.
	Location quiethours.Location
	// ExpiresAt, when set, is when the call is too late to place.
	ExpiresAt time.Time
	// LiveToLead counts other live calls to the lead.
	LiveToLead int
	// LiveFromNumber and LiveInCampaign count live calls from the caller number and in the
	// campaign; MaxPerNumber and MaxPerCampaign bound them (zero: no bound).
	LiveFromNumber, MaxPerNumber   int
	LiveInCampaign, MaxPerCampaign int
}

// Retry intervals of the waits that have no known end: a live call to the lead, a concurrency
// limit, a paused campaign.
const (
	LeadBusyRetry    = time.Minute
	ConcurrencyRetry = 5 * time.Second
	PausedRetry      = time.Minute
)

// DecideCall returns what to do with the call f describes, at f.Now. The checks run in this
// order, and the first that refuses gives the Decision:
//
//  1. Campaign ended → Cancel (every call of the campaign goes the same way).
//  2. Opted out, then do-not-contact → Block: the legal reasons, recorded first.
//  3. Expiry (ExpiresAt, or the campaign's end) → Expire.
//  4. Campaign paused → Wait; not begun yet → Wait until its begin time.
//  5. Calling window (not for CallSingle) → Wait until it opens, or Expire when that is past the
//     expiry or the campaign's end.
//  6. Another live call to the lead → Wait: never two live calls to one person.
//  7. Concurrency limits → Wait briefly. Last, so a call that cannot go for any other reason
//     never takes a place.
func DecideCall(f CallFacts) Decision {
	campaign := f.Kind == CallCampaign
	if campaign && f.CampaignStatus == VoiceEnded {
		return Decision{Verdict: Cancel, Reason: ReasonCampaignEnded}
	}
	if f.OptedOut {
		return Decision{Verdict: Block, Reason: ReasonOptedOut}
	}
	if f.DoNotContact {
		return Decision{Verdict: Block, Reason: ReasonDoNotContact}
	}
	deadline := f.ExpiresAt
	if campaign && !f.CampaignEnd.IsZero() && (deadline.IsZero() || f.CampaignEnd.Before(deadline)) {
		deadline = f.CampaignEnd
	}
	if !deadline.IsZero() && !f.Now.Before(deadline) {
		return Decision{Verdict: Expire, Reason: ReasonExpired}
	}
	if campaign {
		switch {
		case f.CampaignStatus == VoicePaused:
			return Decision{Verdict: Wait, Reason: ReasonCampaignPaused, Until: f.Now.Add(PausedRetry)}
		case f.CampaignStatus != VoiceActive && f.CampaignStatus != VoiceCompleted:
			return Decision{Verdict: Wait, Reason: ReasonCampaignStatus, Until: f.Now.Add(PausedRetry)}
		case f.Now.Before(f.CampaignBegin):
			return waitUntil(f.CampaignBegin, deadline, ReasonCampaignNotStarted)
		}
	}
	if f.Kind != CallSingle {
		if ok, next := quiethours.Check(f.Now, f.Location); !ok {
			return waitUntil(next, deadline, ReasonQuietHours)
		}
	}
	if f.LiveToLead > 0 {
		return waitUntil(f.Now.Add(LeadBusyRetry), deadline, ReasonLeadOnCall)
	}
	if (f.MaxPerNumber > 0 && f.LiveFromNumber >= f.MaxPerNumber) ||
		(campaign && f.MaxPerCampaign > 0 && f.LiveInCampaign >= f.MaxPerCampaign) {
		return waitUntil(f.Now.Add(ConcurrencyRetry), deadline, ReasonConcurrency)
	}
	return Decision{Verdict: Send}
}

// waitUntil waits until at, or expires the call when at is past its deadline.
func waitUntil(at, deadline time.Time, reason string) Decision {
	if !deadline.IsZero() && !at.Before(deadline) {
		return Decision{Verdict: Expire, Reason: reason}
	}
	return Decision{Verdict: Wait, Until: at, Reason: reason}
}
