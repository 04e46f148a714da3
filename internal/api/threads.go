package api

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/openteli/teli/internal/service"
	"github.com/openteli/teli/internal/service/outbound"
	"github.com/openteli/teli/internal/teli"
)

func (s *Server) assignThread(w http.ResponseWriter, r *http.Request) error {
	var in outbound.AssignInput
	if err := decodeBody(r, &in); err != nil {
		return err
	}
	a, err := s.svc.Outbound.AssignThread(r.Context(), callerOf(r), in)
	if err != nil {
		return err
	}
	writeOK(w, http.StatusOK, obj{
		"message": "Thread assigned to " + a.User.Name, "thread_id": a.Thread.ThreadID(),
		"assigned_to": obj{"user_id": a.User.UniqueID, "name": a.User.Name},
	})
	return nil
}

func (s *Server) unassignThread(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		CampaignID  *string `json:"campaign_id"`
		PhoneNumber *string `json:"phone_number"`
	}
	if err := decodeBody(r, &in); err != nil {
		return err
	}
	th, err := s.svc.Outbound.UnassignThread(r.Context(), callerOf(r), deref(in.CampaignID), deref(in.PhoneNumber))
	if err != nil {
		return err
	}
	writeOK(w, http.StatusOK, obj{"message": "Thread unassigned", "thread_id": th.ThreadID()})
	return nil
}

func (s *Server) campaignContacts(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	limit, err := parseCapped("limit", q.Get("limit"), outbound.DefaultContactsLimit, 1)
	if err != nil {
		return err
	}
	offset, err := parseCapped("offset", q.Get("offset"), 0, 0)
	if err != nil {
		return err
	}
	sc := service.ListScope{UserID: q.Get("user_id"), IsAdmin: q.Get("is_admin")}
	page, err := s.svc.Outbound.CampaignContacts(r.Context(), callerOf(r), r.PathValue("campaign_id"), sc, limit, offset)
	if err != nil {
		return err
	}
	views := make([]obj, len(page.Threads))
	for i, t := range page.Threads {
		views[i] = contactView(t)
	}
	writeOK(w, http.StatusOK, obj{
		"contacts": views, "total": page.Total, "returned": len(views), "limit": page.Limit,
		"offset": page.Offset, "has_more": page.Offset+len(views) < page.Total,
	})
	return nil
}

// standardVars are the lead fields the contacts endpoint shows at top level; the rest are
// custom_fields.
var standardVars = map[string]bool{"name": true, "first_name": true, "last_name": true, "email": true, "company": true, "company_name": true, "phone_number": true}

// contactView is a campaign's thread as the contacts endpoint shows it: the lead, who speaks
// for the business, and the contact's consent.
func contactView(t teli.ThreadRow) obj {
	custom := obj{}
	for k, v := range t.Vars {
		if !standardVars[k] {
			custom[k] = v
		}
	}
	status := "active"
	switch {
	case t.OptedOut:
		status = "opted_out"
	case t.Owner == teli.OwnerHuman:
		status = "human_takeover"
	}
	return obj{
		"thread_id": t.ThreadID(), "phone_number": t.Phone, "lead_id": t.LeadID,
		"first_name": t.Vars["first_name"], "last_name": t.Vars["last_name"], "email": t.Vars["email"],
		"company": t.Vars["company"], "custom_fields": custom,
		"status": status, "lead_outcome": t.LeadOutcome, "ai_active": t.Owner == teli.OwnerAI && !t.OptedOut,
		"human_takeover": t.Owner == teli.OwnerHuman, "assigned_user_id": nullable(t.AssignedUserID),
		"opted_out": t.OptedOut, "do_not_contact": t.DoNotContact,
		"last_inbound_at": optionalTime(t.LastInboundAt), "last_outbound_at": optionalTime(t.LastOutboundAt),
		"created_at": isoTime(t.CreatedAt), "ai_state": nullable(string(t.AIState)),
		"waiting_for_human": t.AIState == teli.AIWaitingForHuman, "voice_call_requested": voiceRequestView(t.VoiceRequest),
	}
}

// voiceRequestView is the agent's request to call the contact, or null.
func voiceRequestView(r *teli.VoiceRequest) any {
	if r == nil {
		return nil
	}
	return obj{
		"voice_agent_id": r.VoiceAgentID, "outbound_number": r.OutboundNumber, "reason": r.Reason,
		"requested_at": isoTime(r.RequestedAt),
	}
}

// Paging of thread messages.
const (
	defaultThreadLimit = 50
	maxThreadLimit     = 1000
)

func (s *Server) threadMessages(w http.ResponseWriter, r *http.Request) error {
	q, err := messageQuery(r, defaultThreadLimit, maxThreadLimit)
	if err != nil {
		return err
	}
	page, err := s.svc.Outbound.ThreadMessages(r.Context(), callerOf(r), r.PathValue("campaign_id"), r.PathValue("thread_id"), q)
	if err != nil {
		return err
	}
	views := make([]obj, len(page.Messages))
	for i, m := range page.Messages {
		views[i] = threadMessageView(page.ThreadID, m)
	}
	writeOK(w, http.StatusOK, addCursors(obj{
		"messages": views, "thread_id": page.ThreadID, "campaign_id": page.CampaignID,
		"count": len(views), "has_more": page.More,
	}, page.MessageList))
	return nil
}

// threadMessageView is a message as the thread-messages endpoint shows it, with its delivery
// status and carrier error code.
func threadMessageView(threadID string, m teli.Message) obj {
	v := obj{
		"message_id": m.ID, "thread_id": threadID, "phone_number": m.Phone, "sender": m.Sender,
		"message": m.Body, "timestamp": isoTime(m.CreatedAt), "media_url": nullable(m.MediaURL),
		"direction": direction(m), "status": m.Status, "status_reason": nullable(m.Reason),
		"segments": m.Segments, "encoding": m.Encoding, "error_code": nullable(m.ErrorCode),
	}
	if m.Sender == teli.SenderHuman {
		v["sent_by_user_id"] = nullable(m.SentByUserID)
	}
	return v
}

func direction(m teli.Message) string {
	if m.Inbound {
		return "inbound"
	}
	return "outbound"
}

// parseCapped reads an optional whole number of at least least; values too large to matter are
// capped by the caller, not refused.
func parseCapped(name, v string, def, least int) (int, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil && strings.Trim(v, "0123456789") == "" {
		n, err = 1<<31-1, nil // more digits than an int holds: as large as it gets
	}
	if err != nil || n < least {
		return 0, teli.Invalid("%s must be a whole number of at least %d", name, least)
	}
	return n, nil
}
