// Package carrier is the boundary between Teli and SMS providers. Everything the rest of Teli
// knows about a provider goes through the Carrier interface: sending, looking a message up,
// reconciling after a crash, and turning the provider's webhooks into Inbound and StatusUpdate
// values. Adapters live in subpackages (sandbox, the default; twilio); carriertest holds the
// contract suite every adapter passes.
//
// Webhook URLs are fixed by this package, not by adapters, so the HTTP edge can route them
// without knowing any provider:
//
//	status callbacks: PublicURL + "/webhooks/{carrier}/status/{messageID}"
//	inbound messages: PublicURL + "/webhooks/{carrier}/inbound"
//
// The status URL carries Teli's message id because a provider may call it before Teli has
// recorded the provider's id for the message (the callback can beat the send's HTTP response).
package carrier

import (
	"context"
	"errors"
	"net/http"
	"time"
)

// Message is one outbound SMS or MMS as Teli hands it to a carrier.
type Message struct {
	// ID is Teli's message id. Adapters put it in the per-message status-callback URL, so a
	// callback is routed to its message even before the provider id is recorded.
	ID string
	// From and To are E.164 numbers ("+13137316433").
	From, To string
	// Body is the text; it may be empty when MediaURLs is not.
	Body string
	// MediaURLs are public URLs of attachments (MMS).
	MediaURLs []string
}

// Sent is the provider's answer to an accepted send.
type Sent struct {
	// ProviderID is the provider's id for the message (Twilio: "SM…").
	ProviderID string
	// Status is the message's status at acceptance (Twilio: queued; sandbox: delivered).
	Status Status
}

// Inbound is a message a contact sent to one of Teli's numbers.
type Inbound struct {
	// ProviderID is the provider's id for the inbound message; webhooks are deduplicated on
	// (carrier, ProviderID) because providers retry slow webhooks.
	ProviderID string
	// From is the contact, To is Teli's number; both E.164.
	From, To string
	// Body is the text, possibly empty for a picture-only MMS.
	Body string
	// MediaURLs are the provider-hosted attachments, in the order the provider numbered them.
	MediaURLs []string
}

// StatusUpdate is a provider's report on an outbound message, from a status callback or Fetch.
// Several updates share one ProviderID (queued, sent, delivered …), so they must never be
// deduplicated on the id alone; apply one only when its Status outranks the stored one.
type StatusUpdate struct {
	// ProviderID is the provider's id for the message.
	ProviderID string
	// MessageID is Teli's id when the callback URL carries it; empty from Fetch.
	MessageID string
	// Status is the reported status.
	Status Status
	// ErrorCode is the provider's error code for failed/undelivered messages ("30003").
	ErrorCode string
	// ErrorMessage is the provider's text for ErrorCode, when it sends one.
	ErrorMessage string
}

// Carrier is an SMS provider. Implementations are safe for concurrent use.
type Carrier interface {
	// Name is the carrier's short, URL-safe name ("twilio"); it appears in webhook paths and
	// in the (carrier, provider id) deduplication key.
	Name() string
	// Send hands m to the provider. A refusal is a *SendError that says whether retrying can
	// help and whether the provider may have accepted the message anyway.
	Send(ctx context.Context, m Message) (Sent, error)
	// Fetch asks the provider for a message's current status; ErrNotFound if it has none.
	Fetch(ctx context.Context, providerID string) (StatusUpdate, error)
	// FindSent reconciles after a crash between the provider call and recording its result, or
	// after an uncertain failure: it looks for a message the provider already accepted for m
	// (same From, To and Body, created at or after since) so m is never resent blindly. The
	// bool is false when there is none.
	FindSent(ctx context.Context, m Message, since time.Time) (Sent, bool, error)
	// ParseInbound verifies and decodes an inbound-message webhook. A forged, unsigned or
	// tampered request yields ErrBadSignature; other bad input yields another error. It reads
	// the body once and never panics.
	ParseInbound(r *http.Request) (Inbound, error)
	// ParseStatus verifies and decodes a status callback, with the same error rules as
	// ParseInbound. MessageID comes from the callback URL.
	ParseStatus(r *http.Request) (StatusUpdate, error)
	// AckInbound writes what the provider expects in answer to an inbound webhook, at once
	// (Twilio: empty TwiML). Replies are sent later through Send, never inline.
	AckInbound(w http.ResponseWriter)
}

var (
	// ErrBadSignature means a webhook request is not provably from the provider: the
	// signature is missing, wrong, or does not cover what was received. Answer 403.
	ErrBadSignature = errors.New("carrier: webhook signature missing or invalid")
	// ErrUnsupported means the carrier takes no webhooks of this kind (the sandbox). Answer 404.
	ErrUnsupported = errors.New("carrier: webhook not used by this carrier")
	// ErrNotFound means the provider has no message with the given id.
	ErrNotFound = errors.New("carrier: message not found")
)
