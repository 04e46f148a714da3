package api

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/openteli/teli/internal/service"
	"github.com/openteli/teli/internal/service/outbound"
	"github.com/openteli/teli/internal/teli"
)

func (s *Server) createCampaign(w http.ResponseWriter, r *http.Request) error {
	var in outbound.CampaignInput
	if err := decodeBody(r, &in); err != nil {
		return err
	}
	l, err := s.svc.Outbound.CreateCampaign(r.Context(), callerOf(r), in)
	if err != nil {
		return err
	}
	c := l.Campaign
	writeOK(w, http.StatusOK, obj{
		"campaign_id": c.ID, "status": "processing", "message": "Campaign upload started successfully",
		"agent": obj{"agent_id": l.Agent.ID, "agent_name": l.Agent.Name},
		"details": obj{
			"total_contacts": l.Opened, "invalid_leads_count": len(c.InvalidLeads),
			// The dispatcher's measured pace is far above this; the figure is a safe upper bound.
			"estimated_processing_seconds": math.Max(0.1, math.Round(float64(l.Opened)/1000)/10),
			"has_drips":                    l.HasDrips,
			"voice_transfer_enabled":       c.Settings.EnableSMSToVoice,
		},
	})
	return nil
}

func campaignView(c teli.Campaign) obj {
	invalid := c.InvalidLeads
	if invalid == nil {
		invalid = []teli.InvalidLead{}
	}
	return obj{
		"campaign_id": c.ID, "campaign_id_pk": c.PK, "campaign_name": c.Name, "campaign_type": "sms",
		"status": c.Status, "direction": "outbound", "sms_agent_id": c.AgentID,
		"teli_sms_number": c.FromNumber, "outbound_number": c.FromNumber,
		"organization_id": c.OrganizationID, "user_id": c.UserID, "created_by_user_id": c.UserID,
		"tenant_id": c.TenantID, "enable_sms_to_voice": c.Settings.EnableSMSToVoice,
		"voice_agent_id": nullable(c.Settings.VoiceAgentID), "voice_transfer_number": nullable(c.Settings.OutboundNumber),
		"dry_run": c.Settings.DryRun, "enable_number_validation": c.Settings.EnableNumberValidation,
		"mms_media_url": nullable(c.Settings.MMSMediaURL), "followup_interval": c.Settings.FollowupInterval,
		"custom_follow_up": nullable(c.Settings.CustomFollowUp), "objective_prompt": nullable(c.Settings.ObjectivePrompt),
		"extraction_fields": teli.ExtractionFieldsForJSON(c.Settings.ExtractionFields),
		"total_contacts":    c.TotalContacts, "total_messages": c.TotalMessages,
		"invalid_leads_count": len(c.InvalidLeads), "invalid_leads": invalid,
		"campaign_create_time": isoTime(c.CreatedAt), "created_at": isoTime(c.CreatedAt),
	}
}

func (s *Server) getCampaign(w http.ResponseWriter, r *http.Request) error {
	c, err := s.svc.Outbound.GetCampaign(r.Context(), callerOf(r), r.PathValue("campaign_id"))
	if err != nil {
		return err
	}
	writeOK(w, http.StatusOK, obj{"campaign": campaignView(c)})
	return nil
}

func (s *Server) listCampaigns(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	sc := service.ListScope{OrganizationID: r.PathValue("org_id"), UserID: q.Get("user_id"), IsAdmin: q.Get("is_admin")}
	list, err := s.svc.Outbound.ListCampaigns(r.Context(), callerOf(r), sc)
	if err != nil {
		return err
	}
	views := make([]obj, len(list))
	for i, c := range list {
		views[i] = campaignView(c)
	}
	writeOK(w, http.StatusOK, obj{"count": len(views), "campaigns": views})
	return nil
}

// Paging of campaign messages.
const (
	defaultMessageLimit = 100
	maxMessageLimit     = 1000
)

func (s *Server) campaignMessages(w http.ResponseWriter, r *http.Request) error {
	q, err := messageQuery(r, defaultMessageLimit, maxMessageLimit)
	if err != nil {
		return err
	}
	page, err := s.svc.Outbound.CampaignMessages(r.Context(), callerOf(r), r.PathValue("campaign_id"), q)
	if err != nil {
		return err
	}
	views := make([]obj, len(page.Messages))
	for i, m := range page.Messages {
		views[i] = campaignMessageView(page.Campaign, m)
	}
	writeOK(w, http.StatusOK, addCursors(obj{"messages": views, "count": len(views), "has_more": page.More}, page.MessageList))
	return nil
}

// campaignMessageView is a message as the campaign-messages endpoint shows it, with its delivery
// status and carrier error code.
func campaignMessageView(c teli.Campaign, m teli.Message) obj {
	senderType := "agent"
	if m.Inbound {
		senderType = "user"
	}
	return obj{
		"message_id": m.ID, "phone_number": m.Phone, "from_number": m.From, "to_number": m.To,
		"message": m.Body, "sender_type": senderType, "sender": m.Sender, "timestamp": isoTime(m.CreatedAt),
		"thread_id": m.Phone + "_" + c.ID, "status": m.Status, "status_reason": nullable(m.Reason),
		"segments": m.Segments, "encoding": m.Encoding, "error_code": nullable(m.ErrorCode),
		"provider_message_id": nullable(m.ProviderID), "media_url": nullable(m.MediaURL),
	}
}

// parseTime reads an ISO-8601 query time (empty: zero time).
func parseTime(name, v string) (time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, strings.Replace(v, " ", "+", 1))
	if err != nil {
		return t, teli.Invalid("%s must be an ISO-8601 time such as 2026-01-23T19:31:00Z", name)
	}
	return t.UTC(), nil
}

func parseLimit(v string, def, most int) (int, error) {
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > most {
		return 0, teli.Invalid("limit must be a whole number from 1 to %d", most)
	}
	return n, nil
}
