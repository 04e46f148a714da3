package teli

import (
	"context"
	"time"
)

// Purpose says why an outbound message exists. The sender says who wrote it; the purpose tells
// a starting message from an AI reply (both written by the agent) and a compliance confirmation
// from a HELP answer (both system messages), which the campaign's completion and the send gate
// need to know.
type Purpose string

// Message purposes.
const (
	PurposeStarting           Purpose = "starting"
	PurposeReply              Purpose = "reply"
	PurposeDrip               Purpose = "drip"
	PurposeManual             Purpose = "manual"
	PurposeBulk               Purpose = "bulk"
	PurposeOptOutConfirmation Purpose = "opt_out_confirmation"
	PurposeOptInConfirmation  Purpose = "opt_in_confirmation"
	PurposeHelp               Purpose = "help"
	PurposeInbound            Purpose = "inbound"
)

// StatusRank orders message states along a message's life, so that a status report arriving
// late or twice never moves a message backwards: delivered, undelivered and failed are final.
func StatusRank(s MessageStatus) int {
	switch s {
	case MessageQueued:
		return 0
	case MessageSending:
		return 1
	case MessageSent:
		return 2
	case MessageDelivered, MessageUndelivered, MessageFailed:
		return 3
	}
	return 4 // blocked, expired, canceled, received: never changed by a carrier report
}

// ThreadFilter selects a page of one campaign's threads, oldest first.
type ThreadFilter struct {
	TenantID   string
	CampaignPK string
	// AssignedUserID, when set, keeps threads assigned to that user.
	AssignedUserID string
	Limit          int
	Offset         int
}

// ThreadRow is a thread as the contacts endpoint shows it, with its consent state.
type ThreadRow struct {
	Thread
	OptedOut     bool
	DoNotContact bool
}

// TakeOver is a human taking a thread over: by sending (/v1/sms/send) or by being assigned
// (/v1/threads/assign). It cancels TakeOverCancels.
type TakeOver struct {
	TenantID   string
	CampaignPK string
	Phone      string
	// AssignUserID, when set, assigns the thread to that user as well.
	AssignUserID string
	At           time.Time
}

// CampaignStatusChange is Action on a campaign: it moves the campaign along TransitionOf(Action),
// with EffectsOf its new status on its messages and threads, or not at all when the campaign is
// in none of the transition's From statuses.
type CampaignStatusChange struct {
	TenantID   string
	CampaignPK string
	Action     CampaignAction
	At         time.Time
}

// SuppressionKind is why a number must not be messaged.
type SuppressionKind string

// Suppression kinds: an opt-out blocks everyone (humans too); a do-not-contact entry blocks
// automated and bulk messages but not a person's one-to-one message.
const (
	SuppressOptOut       SuppressionKind = "opt_out"
	SuppressDoNotContact SuppressionKind = "do_not_contact"
)

// Suppression is an organization-wide block on one number, with where it came from for audit.
type Suppression struct {
	TenantID       string
	OrganizationID string
	Phone          string
	Kind           SuppressionKind
	// Source is how it came: keyword, phrase, ai, api, lead.
	Source string
	// MessageID is the inbound message that asked for it, when one did.
	MessageID string
	// UserID is the person who asked for it, when one did.
	UserID string
	// Detail is free text for the audit trail (the keyword matched, say).
	Detail string
	At     time.Time
}

// SuppressionEvent is one line of the suppression audit trail.
type SuppressionEvent struct {
	Suppression
	// Action is "added" or "lifted".
	Action string
}

// InboundEvent is an inbound message as a carrier's webhook delivered it, stored before any
// processing so that nothing accepted is lost and a retried webhook is recognised.
type InboundEvent struct {
	Provider   string
	ProviderID string
	From       string
	To         string
	Body       string
	MediaURLs  []string
	ReceivedAt time.Time
	// Outcome is empty until processed, then what processing did (routed, unrouted, …).
	Outcome     string
	MessageID   string
	ProcessedAt *time.Time
}

// IdempotentResponse is the first response to a request made with an Idempotency-Key.
type IdempotentResponse struct {
	TenantID string
	Key      string
	// RequestHash fingerprints the request, so the key reused for a different request is told
	// apart from a retry.
	RequestHash string
	StatusCode  int
	Body        []byte
	CreatedAt   time.Time
}

// BudgetState is a throughput budget as stored, under a key naming what it limits
// ("number:+1313…", "campaign:pk", "org:id"): a token bucket's tokens as of UpdatedAt (zero: the
// bucket was never used, so it is full) and how many sends Day (YYYY-MM-DD) has counted. The
// arithmetic on it is the send gate's (gate.TakeAll); the store only keeps it.
type BudgetState struct {
	Tokens    float64
	UpdatedAt time.Time
	Day       string
	Used      int
}

// Usage is what an organization or user has sent and received, in segments.
type Usage struct {
	SMSOutbound, SMSInbound int
	MMSOutbound, MMSInbound int
}

// UsageFilter selects whose usage to count: an organization's, or one user's within it.
type UsageFilter struct {
	TenantID       string
	OrganizationID string
	UserID         string
}

// StatusReport is a carrier's report on one of our outbound messages.
type StatusReport struct {
	Provider   string
	ProviderID string
	// MessageID is Teli's id, from the callback URL.
	MessageID string
	Status    MessageStatus
	ErrorCode string
	At        time.Time
}

// ClaimRequest asks for due messages. Messages claimed before LeaseExpiredBefore and never
// finished (their dispatcher died) are claimed again, flagged Reclaimed, so the carrier is
// asked whether it already has them before anything is sent.
type ClaimRequest struct {
	Now                time.Time
	Limit              int
	Token              string
	LeaseExpiredBefore time.Time
}

// ConversationStore holds threads' lives after launch: ownership, consent, inbound messages,
// carrier reports, idempotent requests and throughput budgets.
type ConversationStore interface {
	// GetThread returns one thread of the tenant.
	GetThread(ctx context.Context, tenantID, campaignPK, phone string) (Thread, error)
	// ListThreads returns a page of a campaign's threads, oldest first, and how many f selects.
	ListThreads(ctx context.Context, f ThreadFilter) ([]ThreadRow, int, error)
	// RouteInbound finds the thread a message from phone to number belongs to: the newest
	// thread with phone of a campaign sending from number, in any tenant. ErrNotFound if none.
	RouteInbound(ctx context.Context, number, phone string) (Thread, error)
	// TakeOverThread makes the thread human-owned for good, qualifies its lead, assigns it when
	// asked, and cancels its pending AI, drip and starting messages. It returns the thread.
	TakeOverThread(ctx context.Context, t TakeOver) (Thread, error)
	// UnassignThread clears the thread's assignee; ownership stays human.
	UnassignThread(ctx context.Context, tenantID, campaignPK, phone string) error
	// InsertMessages writes messages of existing threads: outbound ones queued for the
	// dispatcher, inbound ones received (which marks the thread's last inbound time).
	InsertMessages(ctx context.Context, msgs []Message) error
	// GetMessage returns one message of the tenant by its id.
	GetMessage(ctx context.Context, tenantID, messageID string) (Message, error)
	// ApplyStatus records a carrier's report on an outbound message when it moves the message
	// forward (StatusRank); a stale or repeated report changes nothing and reports false.
	ApplyStatus(ctx context.Context, r StatusReport) (bool, error)

	// ChangeCampaignStatus moves a campaign from one of c.From to c.To; ErrConflict when it is
	// in none of them. It returns the number of messages it canceled or made due again.
	ChangeCampaignStatus(ctx context.Context, c CampaignStatusChange) (int, error)

	// Suppress adds an entry to the organization's suppression list and its audit trail. It
	// reports false (writing no audit line) when the number already had that kind.
	Suppress(ctx context.Context, s Suppression) (bool, error)
	// Unsuppress lifts an entry, with an audit line; false when there was none.
	Unsuppress(ctx context.Context, s Suppression) (bool, error)
	// Suppressions returns the kinds of suppression a number has in an organization.
	Suppressions(ctx context.Context, organizationID, phone string) ([]SuppressionKind, error)
	// SuppressionEvents returns a number's audit trail in an organization, oldest first.
	SuppressionEvents(ctx context.Context, organizationID, phone string) ([]SuppressionEvent, error)

	// RecordInbound stores a webhook's message; false when (Provider, ProviderID) is known.
	RecordInbound(ctx context.Context, e InboundEvent) (bool, error)
	// GetInbound returns a stored webhook message.
	GetInbound(ctx context.Context, provider, providerID string) (InboundEvent, error)
	// FinishInbound records what processing did with a stored webhook message. It reports false,
	// changing nothing, when the message was already processed: a second processing of the
	// same message must roll back.
	FinishInbound(ctx context.Context, provider, providerID, outcome, messageID string, at time.Time) (bool, error)

	// GetIdempotent returns the stored response for a tenant's Idempotency-Key.
	GetIdempotent(ctx context.Context, tenantID, key string) (IdempotentResponse, error)
	// PutIdempotent stores a response; ErrConflict when the key is taken.
	PutIdempotent(ctx context.Context, r IdempotentResponse) error

	// DrawBudgets locks the budgets with these keys (a missing one reads as the zero
	// BudgetState), hands their states to draw, in the order of keys, and stores the states
	// draw returns, in one transaction: replicas drawing from one budget take turns, so they
	// never spend the same sends twice. draw must not block.
	DrawBudgets(ctx context.Context, keys []string, draw func([]BudgetState) []BudgetState) error

	// Usage counts segments sent (handed to a carrier) and received.
	Usage(ctx context.Context, f UsageFilter) (Usage, error)
}
