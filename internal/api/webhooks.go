package api

import (
	"errors"
	"net/http"

	"github.com/openteli/teli/internal/carrier"
	"github.com/openteli/teli/internal/service/conversation"
	"github.com/openteli/teli/internal/teli"
)

// carrierFor returns the active carrier when the path names it; other names are 404, since the
// server speaks to one carrier at a time.
func (s *Server) carrierFor(r *http.Request) (carrier.Carrier, bool) {
	if s.carrier == nil || r.PathValue("carrier") != s.carrier.Name() {
		return nil, false
	}
	return s.carrier, true
}

// webhookError answers a webhook that cannot be taken: 403 for a request not provably from the
// carrier (nothing is recorded), 404 for a carrier or webhook kind this server does not use,
// 400 for a malformed one.
func (s *Server) webhookError(w http.ResponseWriter, r *http.Request, err error) {
	status, text := http.StatusBadRequest, "Malformed webhook request"
	switch {
	case errors.Is(err, carrier.ErrBadSignature):
		status, text = http.StatusForbidden, "Invalid webhook signature"
	case errors.Is(err, carrier.ErrUnsupported):
		status, text = http.StatusNotFound, "Not found"
	}
	s.log.WarnContext(r.Context(), "webhook refused", "route", r.Pattern, "status", status, "err", err)
	writeJSON(w, status, obj{"success": false, "error": text, "powered_by": poweredBy})
}

// carrierInbound takes an inbound-message webhook: verify, store (deduplicated on the carrier's
// message id), queue the processing, and answer at once as the carrier expects.
func (s *Server) carrierInbound(w http.ResponseWriter, r *http.Request) error {
	c, ok := s.carrierFor(r)
	if !ok {
		s.webhookError(w, r, carrier.ErrUnsupported)
		return nil
	}
	in, err := c.ParseInbound(r)
	if err != nil {
		s.webhookError(w, r, err)
		return nil
	}
	if _, err := s.svc.Conversation.ReceiveInbound(r.Context(), c.Name(), cleanInbound(in)); err != nil {
		return err // 500: the carrier retries, and the retry is deduplicated
	}
	c.AckInbound(w)
	return nil
}

// carrierStatus takes a status callback for one of our messages; the message id is in the path.
func (s *Server) carrierStatus(w http.ResponseWriter, r *http.Request) error {
	c, ok := s.carrierFor(r)
	if !ok {
		s.webhookError(w, r, carrier.ErrUnsupported)
		return nil
	}
	u, err := c.ParseStatus(r)
	if err != nil {
		s.webhookError(w, r, err)
		return nil
	}
	if err := s.svc.Outbound.ApplyCarrierStatus(r.Context(), c.Name(), cleanStatus(u)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// sandboxInbound injects a contact's reply through the sandbox carrier.
func (s *Server) sandboxInbound(w http.ResponseWriter, r *http.Request) error {
	var in conversation.SandboxInboundInput
	if err := decodeBody(r, &in); err != nil {
		return err
	}
	id, err := s.svc.Conversation.SandboxInbound(r.Context(), callerOf(r), s.carrier.Name(), in)
	if err != nil {
		return err
	}
	writeOK(w, http.StatusOK, obj{"message": "Inbound message accepted", "inbound_id": id})
	return nil
}

// Carrier webhooks are not held to the text rule: what a contact's phone sent is kept whatever
// its bytes, since refusing the webhook would lose the message (the carrier retries, then gives
// up). Their text is made storable instead (teli.CleanText).

// cleanInbound is in with every text storable.
func cleanInbound(in carrier.Inbound) carrier.Inbound {
	in.ProviderID, in.From, in.To = teli.CleanText(in.ProviderID), teli.CleanText(in.From), teli.CleanText(in.To)
	in.Body = teli.CleanText(in.Body)
	if in.MediaURLs != nil {
		urls := make([]string, len(in.MediaURLs))
		for i, u := range in.MediaURLs {
			urls[i] = teli.CleanText(u)
		}
		in.MediaURLs = urls
	}
	return in
}

// cleanStatus is u with every text storable.
func cleanStatus(u carrier.StatusUpdate) carrier.StatusUpdate {
	u.ProviderID, u.MessageID = teli.CleanText(u.ProviderID), teli.CleanText(u.MessageID)
	u.Status = carrier.Status(teli.CleanText(string(u.Status)))
	u.ErrorCode, u.ErrorMessage = teli.CleanText(u.ErrorCode), teli.CleanText(u.ErrorMessage)
	return u
}
