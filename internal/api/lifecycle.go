package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path"

	"github.com/openteli/teli/internal/service"
	"github.com/openteli/teli/internal/service/outbound"
	"github.com/openteli/teli/internal/teli"
)

func (s *Server) addLeads(w http.ResponseWriter, r *http.Request) error {
	var in outbound.AddLeadsInput
	if err := decodeBody(r, &in); err != nil {
		return err
	}
	res, err := s.svc.Outbound.AddLeads(r.Context(), callerOf(r), r.PathValue("campaign_id"), in)
	if err != nil {
		return err
	}
	invalid := res.Invalid
	if invalid == nil {
		invalid = []teli.InvalidLead{}
	}
	writeOK(w, http.StatusOK, obj{
		"message": fmt.Sprintf("%d leads added successfully", res.Added), "campaign_id": res.Campaign.ID,
		"details": obj{
			"leads_added": res.Added, "leads_skipped": res.Skipped,
			"drips_scheduled":     res.DripsScheduled,
			"invalid_leads_count": len(invalid), "invalid_leads": invalid,
		},
	})
	return nil
}

func (s *Server) pauseCampaign(w http.ResponseWriter, r *http.Request) error {
	return s.lifecycle(w, r, s.svc.Outbound.PauseCampaign, "Campaign paused")
}

func (s *Server) resumeCampaign(w http.ResponseWriter, r *http.Request) error {
	return s.lifecycle(w, r, s.svc.Outbound.ResumeCampaign, "Campaign resumed")
}

func (s *Server) endCampaign(w http.ResponseWriter, r *http.Request) error {
	return s.lifecycle(w, r, s.svc.Outbound.EndCampaign, "Campaign ended")
}

type lifecycleChange func(ctx context.Context, c service.Caller, id string) (teli.Campaign, error)

func (s *Server) lifecycle(w http.ResponseWriter, r *http.Request, change lifecycleChange, text string) error {
	if err := noOptions(r); err != nil {
		return err
	}
	c, err := change(r.Context(), callerOf(r), r.PathValue("campaign_id"))
	if err != nil {
		return err
	}
	writeOK(w, http.StatusOK, obj{"campaign_id": c.ID, "status": c.Status, "message": text})
	return nil
}

// noOptions refuses a body other than none or {}: pause, resume and end take no options, and
// quietly ignoring one (a reason, a schedule) would let the caller believe it counted.
func noOptions(r *http.Request) error {
	data, err := readBody(r)
	if err != nil {
		return err
	}
	if data = bytes.TrimSpace(data); len(data) == 0 {
		return nil
	}
	var fields map[string]json.RawMessage
	if json.Unmarshal(data, &fields) == nil && fields != nil && len(fields) == 0 {
		return nil
	}
	return teli.Invalid("%s takes no request body: send none or {}", path.Base(r.URL.Path))
}
