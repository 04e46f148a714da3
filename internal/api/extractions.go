package api

import (
	"net/http"

	"github.com/openteli/teli/internal/teli"
)

func (s *Server) threadExtraction(w http.ResponseWriter, r *http.Request) error {
	th, err := s.svc.Conversation.ThreadExtraction(r.Context(), callerOf(r), r.PathValue("thread_id"))
	if err != nil {
		return err
	}
	if th == nil {
		writeOK(w, http.StatusOK, obj{"extraction": nil, "message": "No extraction found for this thread"})
		return nil
	}
	writeOK(w, http.StatusOK, obj{"extraction": extractionView(*th)})
	return nil
}

func (s *Server) phoneExtractions(w http.ResponseWriter, r *http.Request) error {
	_, list, err := s.svc.Conversation.PhoneExtractions(r.Context(), callerOf(r), r.PathValue("phone_number"))
	if err != nil {
		return err
	}
	views := make([]obj, len(list))
	for i, th := range list {
		views[i] = extractionView(th)
	}
	writeOK(w, http.StatusOK, obj{"extractions": views, "count": len(views)})
	return nil
}

// extractionView is a thread's latest extraction, with the spec's field names.
func extractionView(th teli.Thread) obj {
	e := th.Extraction
	fields := e.Fields
	if fields == nil {
		fields = map[string]string{}
	}
	return obj{
		"thread_id": th.ThreadID(), "phone_number": th.Phone, "campaign_id": th.CampaignID,
		"extracted_fields": fields, "lead_outcome": e.LeadOutcome, "objective_met": e.ObjectiveMet,
		"do_not_message": e.DoNotMessage, "call_transferred": e.CallTransferred,
		"call_scheduled": e.CallScheduled, "call_scheduled_time": nullable(e.CallScheduledTime),
		"extracted_at": optionalTime(th.ExtractedAt),
	}
}
