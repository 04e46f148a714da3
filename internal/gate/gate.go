// Package gate is the send gate: the one decision every outbound message passes at the moment it
// would be handed to the carrier (DESIGN.md, "The one invariant that matters most"), never only
// when it was scheduled. Hours can pass between the two; in that time a human may take the
// thread over, the contact may opt out or reply, the campaign may be paused or ended, night may
// fall at the recipient's location, and the message may go stale.
//
// Decide is pure: the caller (the outbox dispatcher) loads the Facts, claims the message row,
// and acts on the Decision; nothing here reads a clock, a database or the network, so the
// dispatcher can evaluate tens of thousands of messages a second and tests need no fixtures.
// Bucket and DailyQuota are the rate-limit arithmetic whose state the dispatcher persists in the
// claiming transaction, so every replica draws from the same budget (spec/compliance.md §4).
//
// Everything here is safe for concurrent use.
package gate

import (
	"time"

	"github.com/openteli/teli/internal/quiethours"
)

// Sender is who or what produced a message. It decides which rules the message is subject to:
// automated messages obey every rule, a person's one-to-one message bypasses some (Teli API
// §1.5.1), and compliance confirmations bypass most (spec/compliance.md §1).
type Sender string

// The senders the gate knows. Decide blocks any other value rather than guess its rules.
const (
	// Campaign is the starting message of a campaign launch.
	Campaign Sender = "campaign"
	// Drip is a scheduled follow-up step; it is sent only while the lead has not replied.
	Drip Sender = "drip"
	// AI is a message written by the agent's LLM: a reply to the contact or a nudge.
	AI Sender = "ai"
	// Human is a one-to-one message from a person (/v1/sms/send). It takes the thread over,
	// bypasses quiet hours and the organization's do-not-contact list, but never an opt-out.
	Human Sender = "human"
	// Bulk is a bulk-send broadcast (/v1/sms/bulk-send). It keeps the AI active on the thread
	// and, being a broadcast rather than a conversation, goes out whoever owns the thread.
	Bulk Sender = "bulk"
	// System is an opt-out or opt-in confirmation or a HELP answer. These bypass quiet hours,
	// ownership and a paused or ended campaign; see Facts.OptOutConfirmation for the one message
	// an opted-out contact may still receive.
	System Sender = "system"
)

// Thread owners, the values of Facts.Owner.
const (
	// OwnerAI means the agent runs the thread: AI replies and drips may be sent.
	OwnerAI = "ai"
	// OwnerHuman means a person took the thread over; from then on it never returns to the AI.
	OwnerHuman = "human"
)

// Campaign statuses, the values of Facts.CampaignStatus. The Teli API reports them upper-case in
// listings and lower-case in the create response (spec §2.12); Decide accepts either case.
const (
	StatusProcessing = "PROCESSING" // launch in progress: its messages are going out
	StatusActive     = "ACTIVE"     // sending
	StatusPaused     = "PAUSED"     // automated messages wait for the campaign to resume
	StatusCompleted  = "COMPLETED"  // every contact was messaged; conversations go on
	StatusEnded      = "ENDED"      // ended by hand: automated messages are canceled
)

// Verdict is what the dispatcher does with a message.
type Verdict int

// The verdicts. They start at 1 so that a zero Decision is not mistaken for Send.
const (
	// Send: hand the message to the carrier now.
	Send Verdict = iota + 1
	// Wait: leave the message queued (snoozed) until Decision.Until, or until something
	// changes when Until is zero.
	Wait
	// Block: never send it; the contact or thread refuses it (reason kept for audit).
	Block
	// Expire: never send it; it would arrive too late to make sense.
	Expire
	// Cancel: never send it; the campaign or sequence it belonged to is over.
	Cancel
)

// String returns the verdict's lower-case name, which is also the outbox state it leads to
// ("send" excepted).
func (v Verdict) String() string {
	switch v {
	case Send:
		return "send"
	case Wait:
		return "wait"
	case Block:
		return "block"
	case Expire:
		return "expire"
	case Cancel:
		return "cancel"
	}
	return "invalid"
}

// Reasons are stable machine codes stored with a refused message; never reword them, as stored
// rows and analytics match on them. A reason names the check that refused, so Expire may come
// with ReasonQuietHours or ReasonRateLimit: the message would only have become sendable after
// its expiry.
const (
	ReasonUnknownSender  = "unknown_sender"  // Block: Sender is not one of the constants
	ReasonCampaignEnded  = "campaign_ended"  // Cancel
	ReasonOwnership      = "ownership"       // Block: a human owns the thread
	ReasonOptedOut       = "opted_out"       // Block
	ReasonDoNotContact   = "do_not_contact"  // Block
	ReasonReplied        = "replied"         // Cancel: the lead replied after a drip was decided
	ReasonTooLong        = "too_long"        // Block: more segments than allowed
	ReasonExpired        = "expired"         // Expire
	ReasonCampaignPaused = "campaign_paused" // Wait, zero Until
	ReasonCampaignStatus = "campaign_status" // Wait, zero Until: a status the gate does not know
	ReasonQuietHours     = "quiet_hours"     // Wait until the window opens, or Expire
	ReasonRateLimit      = "rate_limit"      // Wait until the budget allows, or Expire
)

// Decision is the gate's answer for one message.
type Decision struct {
	// Verdict is what to do.
	Verdict Verdict
	// Until is, for Wait, when to evaluate the message again; zero means not at any known time
	// but when something changes (a paused campaign resumes). Zero for other verdicts.
	Until time.Time
	// Reason is one of the Reason constants; empty exactly when Verdict is Send.
	Reason string
}

// Facts is everything Decide needs about one message, loaded by the caller at hand-off time.
// Zero values are safe defaults wherever one exists; where none does (Owner, CampaignStatus,
// CreatedAt) a missing value refuses rather than sends.
type Facts struct {
	// Now is the instant of the hand-off being decided.
	Now time.Time
	// Sender is who produced the message.
	Sender Sender

	// Owner is the thread's owner, OwnerAI or OwnerHuman (any case). Campaign, Drip and AI
	// messages need OwnerAI; any other value, empty included, blocks them.
	Owner string
	// CampaignStatus is the status of the message's campaign, one of the Status constants (any
	// case). Human and System messages ignore it; for the others an empty or unknown status
	// waits, as the gate cannot tell whether sending is allowed.
	CampaignStatus string

	// OptedOut is true when the contact revoked consent (keyword, phrase or the AI's
	// extraction). It blocks every sender, humans included (spec/compliance.md §2), except
	// the System opt-out confirmation.
	OptedOut bool
	// OptOutConfirmation marks a System message that confirms the contact's current opt-out.
	// It is the one message an opted-out contact may receive, and only once.
	OptOutConfirmation bool
	// OptOutConfirmed is true when a confirmation of the current opt-out was already handed to
	// the carrier (or claimed for it), so a second one is blocked.
	OptOutConfirmed bool
	// DoNotContact is true when the number is on the organization's do-not-contact list. It
	// blocks every sender except Human (Teli API §1.5.1) and System.
	DoNotContact bool

	// Location is where the recipient may be, from quiethours.Resolve. The zero Location is
	// checked against every US zone.
	Location quiethours.Location
	// LastInboundAt is when the contact last wrote in this thread; zero if never. An AI reply
	// within ReplyGrace of it is exempt from quiet hours, and a Drip decided before it is
	// canceled, since the lead has answered.
	LastInboundAt time.Time
	// ReplyGrace is how long after LastInboundAt an AI reply may ignore quiet hours. Zero means
	// quiethours.DefaultReplyGrace; a negative value disables the exemption.
	ReplyGrace time.Duration

	// CreatedAt is when the message was decided (its outbox row written).
	CreatedAt time.Time
	// ExpiresAt is the instant after which the message is too late to send. Zero means
	// CreatedAt + quiethours.DefaultValidity for Campaign, Drip, Bulk and AI messages. Human
	// and System messages never expire, whatever ExpiresAt says: a person's message and a
	// compliance confirmation are due whenever they can go.
	ExpiresAt time.Time

	// Body is the message text, counted in segments.
	Body string
	// MaxSegments caps the segments of Body; zero or less means segment.MaxSegments.
	MaxSegments int

	// NextSendAt is the earliest instant the rate limits allow a send: the latest of the
	// sending number's, campaign's and organization's (see Bucket.NextAt and
	// DailyQuota.NextAt). Zero, or not after Now, means a send is allowed now. The caller takes
	// the budget (Bucket.Take, DailyQuota.Take) only once Decide says Send.
	NextSendAt time.Time
}
