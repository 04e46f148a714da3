package gate

import (
	"strings"
	"time"

	"github.com/openteli/teli/internal/quiethours"
	"github.com/openteli/teli/internal/segment"
)

// Decide returns what to do with the message f describes, at f.Now. The checks run in this
// order, and the first that refuses gives the Decision:
//
//  1. Campaign ended → Cancel. It is not about this contact: every automated message of the
//     campaign goes the same way, so it is recorded as the campaign's doing, not a refusal.
//  2. Ownership → Block. A takeover is never undone (Teli API §2.12), so it is the most lasting
//     reason the thread is silent and the one worth recording.
//  3. Consent: opted out, then do-not-contact → Block. The legal reasons, recorded ahead of
//     anything about content or timing, so an audit sees them.
//  4. Drip after a reply → Cancel. A drip goes only while the lead has not answered (Teli API
//     §2.12; spec/compliance.md §6.5); after consent so that a STOP reply is recorded as such.
//  5. Segment cap → Block "too_long". A defect of the message itself, which no waiting fixes.
//  6. Expiry → Expire. Before every Wait, so that a stale drip is dropped rather than snoozed
//     to 08:00 and sent with old content.
//  7. Campaign paused (or in a status the gate does not know) → Wait with no Until. Before
//     quiet hours, because the window's next opening means nothing while nobody knows when the
//     campaign resumes; everything below is checked again then.
//  8. Quiet hours → Wait until the window opens, or Expire if it opens only after ExpiresAt.
//  9. Rate limit → Wait until NextSendAt, or Expire if that is after ExpiresAt. Last, so a
//     message that cannot go for any other reason never holds or reports a budget; the caller
//     takes the budget only on Send.
//
// Refusals that are final (Cancel, Block, Expire) come before the ones that wait, so a message
// that can never be sent is settled at once instead of being snoozed and claimed again.
//
// Human messages obey only consent (opt-out, not do-not-contact), the segment cap and the rate
// limit. System messages obey the segment cap and the rate limit, and reach an opted-out
// contact only as the one opt-out confirmation. Campaign, Drip and AI messages obey every
// check; Bulk messages every check but ownership. An AI message sent within the reply grace
// of the contact's last message (Facts.ReplyGrace) is exempt from quiet hours.
func Decide(f Facts) Decision {
	r, ok := rulesFor(f.Sender)
	if !ok {
		return Decision{Verdict: Block, Reason: ReasonUnknownSender}
	}
	var status string
	if r.campaignBound {
		status = normStatus(f.CampaignStatus)
		if status == StatusEnded {
			return Decision{Verdict: Cancel, Reason: ReasonCampaignEnded}
		}
	}
	if r.needsAI && !strings.EqualFold(f.Owner, OwnerAI) {
		return Decision{Verdict: Block, Reason: ReasonOwnership}
	}
	if f.OptedOut && !oneConfirmation(f) {
		return Decision{Verdict: Block, Reason: ReasonOptedOut}
	}
	if f.DoNotContact && !r.dncExempt {
		return Decision{Verdict: Block, Reason: ReasonDoNotContact}
	}
	// Strictly after: an inbound stamped at the same instant as the drip's decision was
	// visible to whatever decided it.
	if f.Sender == Drip && f.LastInboundAt.After(f.CreatedAt) {
		return Decision{Verdict: Cancel, Reason: ReasonReplied}
	}
	if !segment.Fits(f.Body, f.MaxSegments) {
		return Decision{Verdict: Block, Reason: ReasonTooLong}
	}
	expires := r.expires
	var exp time.Time
	if expires {
		exp = expiry(f)
		if f.Now.After(exp) {
			return Decision{Verdict: Expire, Reason: ReasonExpired}
		}
	}
	if r.campaignBound {
		switch status {
		case StatusActive, StatusProcessing, StatusCompleted:
		case StatusPaused:
			return Decision{Verdict: Wait, Reason: ReasonCampaignPaused}
		default:
			return Decision{Verdict: Wait, Reason: ReasonCampaignStatus}
		}
	}
	if !r.quietExempt && !isReply(f) {
		if open, next := quiethours.Check(f.Now, f.Location); !open {
			return wait(next, expires, exp, ReasonQuietHours)
		}
	}
	if f.NextSendAt.After(f.Now) {
		return wait(f.NextSendAt, expires, exp, ReasonRateLimit)
	}
	return Decision{Verdict: Send}
}

// wait snoozes until until, unless the message expires before then: waiting for a moment at
// which it may no longer be sent would only move the drop later.
func wait(until time.Time, expires bool, exp time.Time, reason string) Decision {
	if expires && until.After(exp) {
		return Decision{Verdict: Expire, Reason: reason}
	}
	return Decision{Verdict: Wait, Until: until, Reason: reason}
}

// rules says which checks a sender is subject to.
type rules struct {
	needsAI       bool // only while the thread is AI-owned
	campaignBound bool // canceled by an ended campaign, held by a paused one
	dncExempt     bool // may reach a number on the org's do-not-contact list
	quietExempt   bool // may be sent at any hour
	expires       bool // has a validity, default quiethours.DefaultValidity
}

// rulesFor returns the checks for s, or false for an unknown sender.
//
//   - Bulk is a broadcast the organization chose to send to these contacts, keeping the AI
//     active (Teli API §1.5.2); the thread's owner does not change what a broadcast is.
//   - Human sends bypass do-not-contact and quiet hours (Teli API §1.5.1) and belong to the
//     person, not the campaign, so a paused or ended campaign does not hold them.
//   - System messages answer the contact's own keyword; the law requires them (an opt-out
//     confirmation, a HELP answer) at whatever hour and whatever the campaign's state.
func rulesFor(s Sender) (rules, bool) {
	switch s {
	case Campaign, Drip, AI:
		return rules{needsAI: true, campaignBound: true, expires: true}, true
	case Bulk:
		return rules{campaignBound: true, expires: true}, true
	case Human, System:
		return rules{dncExempt: true, quietExempt: true}, true
	}
	return rules{}, false
}

// oneConfirmation reports whether f is the single message allowed to an opted-out contact: the
// System confirmation of the opt-out, not yet sent. Spec/compliance.md §1: "at most one
// confirmation message".
func oneConfirmation(f Facts) bool {
	return f.Sender == System && f.OptOutConfirmation && !f.OptOutConfirmed
}

// isReply reports whether f is an AI message inside the reply grace of the contact's last
// message, which quiet hours let through (spec/compliance.md §3).
func isReply(f Facts) bool {
	if f.Sender != AI {
		return false
	}
	grace := f.ReplyGrace
	if grace == 0 {
		grace = quiethours.DefaultReplyGrace
	}
	return quiethours.ReplyAllowed(f.LastInboundAt, f.Now, grace) // negative grace: never
}

// expiry returns the instant after which f may no longer be sent. A zero CreatedAt with a zero
// ExpiresAt yields an instant in year 1, so a message whose creation time was never recorded
// expires rather than living forever.
func expiry(f Facts) time.Time {
	if !f.ExpiresAt.IsZero() {
		return f.ExpiresAt
	}
	return f.CreatedAt.Add(quiethours.DefaultValidity)
}

// normStatus returns s upper-cased and trimmed, allocating only when it is not already in the
// stored form.
func normStatus(s string) string {
	switch s {
	case StatusActive, StatusPaused, StatusEnded, StatusCompleted, StatusProcessing:
		return s
	}
	return strings.ToUpper(strings.TrimSpace(s))
}
