package outbound

import (
	"context"

	"github.com/openteli/teli/internal/carrier"
	"github.com/openteli/teli/internal/teli"
)

// ApplyCarrierStatus records a carrier's status callback on the message it names. Reports that
// are late, repeated or out of order change nothing.
func (s *Service) ApplyCarrierStatus(ctx context.Context, provider string, u carrier.StatusUpdate) error {
	st, ok := messageStatusOf(u.Status)
	if !ok || u.MessageID == "" {
		return nil
	}
	_, err := s.store.ApplyStatus(ctx, teli.StatusReport{
		Provider: provider, ProviderID: u.ProviderID, MessageID: u.MessageID, Status: st,
		ErrorCode: u.ErrorCode, At: s.clock.Now(),
	})
	return err
}

// messageStatusOf maps a carrier status onto a message's; statuses that say nothing new for an
// outbound message (accepted, queued, read) map to none.
func messageStatusOf(s carrier.Status) (teli.MessageStatus, bool) {
	switch s {
	case carrier.StatusSending, carrier.StatusSent:
		return teli.MessageSent, true
	case carrier.StatusDelivered:
		return teli.MessageDelivered, true
	case carrier.StatusUndelivered:
		return teli.MessageUndelivered, true
	case carrier.StatusFailed, carrier.StatusCanceled:
		return teli.MessageFailed, true
	}
	return "", false
}
