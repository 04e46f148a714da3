package api

import (
	"fmt"
	"net/http"

	"github.com/openteli/teli/internal/service"
	"github.com/openteli/teli/internal/service/calling"
	"github.com/openteli/teli/internal/teli"
)

func (s *Server) createVoiceCampaign(w http.ResponseWriter, r *http.Request) error {
	var in calling.CampaignInput
	if err := decodeBody(r, &in); err != nil {
		return err
	}
	launch, err := s.svc.Calling.CreateCampaign(r.Context(), callerOf(r), in)
	if err != nil {
		return err
	}
	c := launch.Campaign
	invalid := launch.Invalid
	if invalid == nil {
		invalid = []teli.InvalidLead{}
	}
	writeOK(w, http.StatusOK, obj{
		"campaign_id": c.ID, "status": c.Status, "contacts_count": launch.Leads,
		"invalid_leads_count": len(invalid), "invalid_leads": invalid,
		"campaign_begin_time": isoTime(c.BeginAt), "campaign_end_time": isoTime(c.EndAt),
		"message": fmt.Sprintf("Voice campaign created; %d calls queued", launch.Leads),
	})
	return nil
}

func (s *Server) listVoiceCampaigns(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	sc := service.ListScope{OrganizationID: q.Get("organization_id"), UserID: q.Get("user_id"), IsAdmin: q.Get("is_admin")}
	camps, err := s.svc.Calling.ListCampaigns(r.Context(), callerOf(r), sc)
	if err != nil {
		return err
	}
	platformIDs, err := s.svc.Calling.AgentPlatformIDs(r.Context(), callerOf(r), camps)
	if err != nil {
		return err
	}
	views := make([]obj, len(camps))
	for i, c := range camps {
		views[i] = obj{
			"campaign_id": c.ID, "status": c.Status, "voice_agent_id": nullable(platformIDs[c.AgentID]),
			"agent_id": c.AgentID, "contacts_count": c.Progress.Total, "progress": c.Progress,
			"organization_id": c.OrganizationID, "user_id": c.UserID, "tenant_id": c.TenantID,
			"agent_outbound_number": c.CallerNumber, "number_pool": poolOf(c),
			"campaign_begin_time": isoTime(c.BeginAt), "campaign_end_time": isoTime(c.EndAt),
			"created_at": isoTime(c.CreatedAt),
		}
	}
	writeOK(w, http.StatusOK, obj{"count": len(views), "campaigns": views})
	return nil
}

// poolOf is a campaign's number pool as the request gave it (never null).
func poolOf(c teli.VoiceCampaign) []obj {
	pool := make([]obj, len(c.NumberPool))
	for i, n := range c.NumberPool {
		pool[i] = obj{"phone_number": n}
	}
	return pool
}

func (s *Server) getVoiceCampaign(w http.ResponseWriter, r *http.Request) error {
	c, err := s.svc.Calling.GetCampaign(r.Context(), callerOf(r), r.PathValue("campaign_id"))
	if err != nil {
		return err
	}
	writeOK(w, http.StatusOK, obj{
		"campaign_id": c.ID, "status": c.Status, "progress": c.Progress, "agent_id": c.AgentID,
		"organization_id": c.OrganizationID, "user_id": c.UserID, "agent_outbound_number": c.CallerNumber,
		"number_pool": poolOf(c), "campaign_begin_time": isoTime(c.BeginAt), "campaign_end_time": isoTime(c.EndAt),
		"redial_enabled": c.Redial.Enabled,
		"redial_config":  obj{"retry_limit": c.Redial.RetryLimit, "call_interval_days": c.Redial.IntervalDays},
		"created_at":     isoTime(c.CreatedAt), "modified_at": isoTime(c.ModifiedAt),
	})
	return nil
}

func (s *Server) pauseVoiceCampaign(w http.ResponseWriter, r *http.Request) error {
	if err := noOptions(r); err != nil {
		return err
	}
	c, err := s.svc.Calling.PauseCampaign(r.Context(), callerOf(r), r.PathValue("campaign_id"))
	if err != nil {
		return err
	}
	writeOK(w, http.StatusOK, obj{"campaign_id": c.ID, "status": c.Status, "message": "Campaign paused"})
	return nil
}

func (s *Server) resumeVoiceCampaign(w http.ResponseWriter, r *http.Request) error {
	if err := noOptions(r); err != nil {
		return err
	}
	c, err := s.svc.Calling.ResumeCampaign(r.Context(), callerOf(r), r.PathValue("campaign_id"))
	if err != nil {
		return err
	}
	writeOK(w, http.StatusOK, obj{"campaign_id": c.ID, "status": c.Status, "message": "Campaign resumed"})
	return nil
}

func (s *Server) deleteVoiceCampaign(w http.ResponseWriter, r *http.Request) error {
	c, err := s.svc.Calling.DeleteCampaign(r.Context(), callerOf(r), r.PathValue("campaign_id"))
	if err != nil {
		return err
	}
	writeOK(w, http.StatusOK, obj{"campaign_id": c.ID, "message": fmt.Sprintf("Campaign %s deleted", c.ID)})
	return nil
}
