// Package sandbox is the carrier a fresh install uses: it accepts every well-formed message at
// once and reports it delivered, with no phone network behind it. It is a product feature for
// local development, demos and dry runs, not a test double: Teli stores and shows sandbox
// messages exactly like real ones, and the sandbox itself keeps nothing.
//
// The sandbox takes no webhooks. Replies from "contacts" are injected through Teli's API by
// other code, and there are no status callbacks because Send already returns the final status.
package sandbox

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/openteli/teli/internal/carrier"
	"github.com/openteli/teli/internal/ids"
	"github.com/openteli/teli/internal/phone"
)

// Name is the sandbox's carrier name.
const Name = "sandbox"

// providerIDPrefix marks sandbox ids; ProviderID is the prefix plus hexLen lowercase hex digits.
const (
	providerIDPrefix = "SBX"
	hexLen           = 32
)

// IDSource supplies the random part of provider ids; ids.Random in production, ids.Sequence in
// tests and golden files.
type IDSource interface {
	Hex(n int) string
}

// Carrier is the sandbox carrier. It is stateless and safe for concurrent use.
type Carrier struct {
	ids IDSource
}

var _ carrier.Carrier = (*Carrier)(nil)

// New returns a sandbox carrier drawing provider ids from src (random ids when src is nil).
func New(src IDSource) *Carrier {
	if src == nil {
		src = ids.Random{}
	}
	return &Carrier{ids: src}
}

// Name returns "sandbox".
func (*Carrier) Name() string { return Name }

// Send checks m the way a real carrier would (so a dry run catches what production would
// refuse) and reports it delivered at once.
func (c *Carrier) Send(ctx context.Context, m carrier.Message) (carrier.Sent, error) {
	if err := ctx.Err(); err != nil {
		return carrier.Sent{}, &carrier.SendError{Code: "canceled", Message: err.Error(), Retryable: true}
	}
	if err := validate(m); err != nil {
		return carrier.Sent{}, err
	}
	return carrier.Sent{ProviderID: providerIDPrefix + c.ids.Hex(hexLen), Status: carrier.StatusDelivered}, nil
}

func validate(m carrier.Message) *carrier.SendError {
	switch {
	case !phone.IsE164(m.To):
		return &carrier.SendError{Code: "invalid_to", Message: "the To number is not an E.164 phone number", InvalidNumber: true}
	case !phone.IsE164(m.From):
		return &carrier.SendError{Code: "invalid_from", Message: "the From number is not an E.164 phone number"}
	case m.To == m.From:
		return &carrier.SendError{Code: "invalid_to", Message: "To and From are the same number", InvalidNumber: true}
	case m.Body == "" && len(m.MediaURLs) == 0:
		return &carrier.SendError{Code: "body_required", Message: "a message needs a body or media"}
	}
	return nil
}

// Fetch reports delivered for any id in the sandbox's format. The sandbox keeps no record, so
// it cannot tell an id it minted from a well-formed invented one; Teli's own store can.
func (c *Carrier) Fetch(ctx context.Context, providerID string) (carrier.StatusUpdate, error) {
	if !isProviderID(providerID) {
		return carrier.StatusUpdate{}, fmt.Errorf("sandbox: %q: %w", providerID, carrier.ErrNotFound)
	}
	return carrier.StatusUpdate{ProviderID: providerID, Status: carrier.StatusDelivered}, nil
}

func isProviderID(id string) bool {
	if len(id) != len(providerIDPrefix)+hexLen || id[:len(providerIDPrefix)] != providerIDPrefix {
		return false
	}
	for _, r := range id[len(providerIDPrefix):] {
		if (r < '0' || r > '9') && (r < 'a' || r > 'f') {
			return false
		}
	}
	return true
}

// FindSent always reports not found. A sandbox send happens inside Send, in the same process
// as the code that records its result, so a crash between the two loses the send as well:
// there is nothing to reconcile and sending again is safe.
func (*Carrier) FindSent(context.Context, carrier.Message, time.Time) (carrier.Sent, bool, error) {
	return carrier.Sent{}, false, nil
}

// ParseInbound always fails with carrier.ErrUnsupported: inbound replies reach a sandbox
// number through Teli's API, not a webhook.
func (*Carrier) ParseInbound(*http.Request) (carrier.Inbound, error) {
	return carrier.Inbound{}, fmt.Errorf("sandbox: inbound messages are injected through Teli's API: %w", carrier.ErrUnsupported)
}

// ParseStatus always fails with carrier.ErrUnsupported: Send already returns the final status.
func (*Carrier) ParseStatus(*http.Request) (carrier.StatusUpdate, error) {
	return carrier.StatusUpdate{}, fmt.Errorf("sandbox: sends are final at once, there are no status callbacks: %w", carrier.ErrUnsupported)
}

// AckInbound answers 204 No Content; it is only reached if someone posts to the sandbox's
// inbound URL, which nothing is meant to do.
func (*Carrier) AckInbound(w http.ResponseWriter) { w.WriteHeader(http.StatusNoContent) }
