package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/openteli/teli/internal/service/outbound"
	"github.com/openteli/teli/internal/teli"
)

// idempotentBody reads the request body for decoding and fingerprints the request for its
// Idempotency-Key: a retry must be the same method, path and body.
func idempotentBody(r *http.Request) (outbound.Idempotency, error) {
	key := r.Header.Get("Idempotency-Key")
	if key == "" {
		return outbound.Idempotency{}, nil
	}
	data, err := readBody(r)
	if err != nil {
		return outbound.Idempotency{}, err
	}
	r.Body = io.NopCloser(bytes.NewReader(data))
	sum := sha256.New()
	fmt.Fprintf(sum, "%s %s\n", r.Method, r.URL.Path)
	sum.Write(data)
	return outbound.Idempotency{Key: key, RequestHash: hex.EncodeToString(sum.Sum(nil))}, nil
}

// readBody reads the whole request body, answering one over the size limit with 413.
func readBody(r *http.Request) ([]byte, error) {
	data, err := io.ReadAll(r.Body)
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, errBodyTooLarge{tooLarge.Limit}
	}
	if err != nil {
		return nil, teli.Invalid("could not read request body")
	}
	return data, nil
}

// markReplay tells the client that the response is the stored one of an earlier request.
func markReplay(w http.ResponseWriter, replayed bool) {
	if replayed {
		w.Header().Set("Idempotent-Replayed", "true")
	}
}

func (s *Server) sendSMS(w http.ResponseWriter, r *http.Request) error {
	return s.manualSend(w, r, false)
}

func (s *Server) sendMMS(w http.ResponseWriter, r *http.Request) error {
	return s.manualSend(w, r, true)
}

func (s *Server) manualSend(w http.ResponseWriter, r *http.Request, mms bool) error {
	idem, err := idempotentBody(r)
	if err != nil {
		return err
	}
	var in outbound.ManualInput
	if err := decodeBody(r, &in); err != nil {
		return err
	}
	send, text := s.svc.Outbound.SendSMS, "SMS sent successfully"
	if mms {
		send, text = s.svc.Outbound.SendMMS, "MMS sent successfully"
	}
	res, err := send(r.Context(), callerOf(r), in, idem)
	if err != nil {
		return err
	}
	body := obj{
		"message": text, "phone_number": res.Phone, "campaign_id": res.CampaignID,
		"message_id": res.MessageID, "thread_qualified": true, "ai_disabled": true, "human_takeover": true,
	}
	if mms {
		body["media_url"] = res.MediaURL
	}
	markReplay(w, res.Replayed)
	writeOK(w, http.StatusOK, body)
	return nil
}

func (s *Server) bulkSend(w http.ResponseWriter, r *http.Request) error {
	idem, err := idempotentBody(r)
	if err != nil {
		return err
	}
	var in outbound.BulkInput
	if err := decodeBody(r, &in); err != nil {
		return err
	}
	res, err := s.svc.Outbound.BulkSend(r.Context(), callerOf(r), in, idem)
	if err != nil {
		return err
	}
	markReplay(w, res.Replayed)
	writeOK(w, http.StatusOK, obj{
		"message": fmt.Sprintf("Bulk SMS complete: %d sent, %d failed", res.Sent, res.Failed),
		"total":   res.Total, "sent": res.Sent, "failed": res.Failed, "skipped": res.Skipped,
		"results": res.Results,
	})
	return nil
}

func (s *Server) getMessage(w http.ResponseWriter, r *http.Request) error {
	m, th, err := s.svc.Outbound.GetMessage(r.Context(), callerOf(r), r.PathValue("message_id"))
	if err != nil {
		return err
	}
	v := threadMessageView(th.ThreadID(), m)
	v["campaign_id"], v["from_number"], v["to_number"] = th.CampaignID, m.From, m.To
	v["provider"], v["provider_message_id"] = nullable(m.Provider), nullable(m.ProviderID)
	v["updated_at"] = isoTime(m.UpdatedAt)
	writeOK(w, http.StatusOK, obj{"message": v})
	return nil
}
