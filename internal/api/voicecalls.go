package api

import (
	"net/http"

	"github.com/openteli/teli/internal/service"
	"github.com/openteli/teli/internal/service/calling"
)

func (s *Server) listCalls(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	calls, err := s.svc.Calling.ListCalls(r.Context(), callerOf(r), calling.CallQuery{
		Scope:   service.ListScope{OrganizationID: q.Get("organization_id"), UserID: q.Get("user_id"), IsAdmin: q.Get("is_admin")},
		AgentID: q.Get("agent_id"), Status: q.Get("call_status"), Direction: q.Get("direction"),
		Sentiment: firstOf(q.Get("user_sentiment"), q.Get("sentiment")),
		Success:   firstOf(q.Get("call_successful"), q.Get("successful")),
		After:     firstOf(q.Get("after_date"), q.Get("start_date")),
		Before:    firstOf(q.Get("before_date"), q.Get("end_date")),
		Limit:     q.Get("limit"),
	})
	if err != nil {
		return err
	}
	views := make([]obj, len(calls))
	for i, c := range calls {
		views[i] = callSummary(c)
	}
	writeOK(w, http.StatusOK, obj{"count": len(views), "calls": views})
	return nil
}

// firstOf is the first non-empty value: the documented parameter name, then an alias.
func firstOf(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

func (s *Server) getCall(w http.ResponseWriter, r *http.Request) error {
	d, err := s.svc.Calling.GetCall(r.Context(), callerOf(r), r.PathValue("call_id"))
	if err != nil {
		return err
	}
	writeOK(w, http.StatusOK, obj{"call": callDetail(d)})
	return nil
}

func (s *Server) placeCall(w http.ResponseWriter, r *http.Request) error {
	var in calling.SingleCallInput
	if err := decodeBody(r, &in); err != nil {
		return err
	}
	c, err := s.svc.Calling.PlaceSingleCall(r.Context(), callerOf(r), in)
	if err != nil {
		return err
	}
	writeOK(w, http.StatusCreated, obj{
		"call_id": c.ID, "call_status": calling.WireStatus(c.Status), "from_number": c.From, "to_number": c.To,
		"voice_agent_id": c.VoiceAgentID, "agent_id": c.AgentID, "direction": c.Direction,
		"message": "Call queued; it is placed within seconds once the calling rules allow it",
	})
	return nil
}

func (s *Server) callExtraction(w http.ResponseWriter, r *http.Request) error {
	x, err := s.svc.Calling.GetCallExtraction(r.Context(), callerOf(r), r.PathValue("call_id"))
	if err != nil {
		return err
	}
	writeOK(w, http.StatusOK, callExtractionView(x))
	return nil
}

func (s *Server) phoneCallExtractions(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	list, err := s.svc.Calling.ListPhoneExtractions(r.Context(), callerOf(r), r.PathValue("phone_number"),
		calling.PhoneQuery{OrganizationID: q.Get("organization_id"), Limit: q.Get("limit")})
	if err != nil {
		return err
	}
	views := make([]obj, len(list.Calls))
	for i, x := range list.Calls {
		views[i] = callExtractionView(x)
	}
	writeOK(w, http.StatusOK, obj{"phone_number": list.Phone, "count": len(views), "extractions": views})
	return nil
}
