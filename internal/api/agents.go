package api

import (
	"encoding/json"
	"net/http"

	"github.com/openteli/teli/internal/service"
	"github.com/openteli/teli/internal/service/agents"
	"github.com/openteli/teli/internal/teli"
)

func (s *Server) createAgent(w http.ResponseWriter, r *http.Request) error {
	var in agents.Input
	if err := decodeBody(r, &in); err != nil {
		return err
	}
	a, err := s.svc.Agents.Create(r.Context(), callerOf(r), in)
	if err != nil {
		return err
	}
	if a.Type == teli.AgentVoice {
		writeOK(w, http.StatusOK, obj{
			"agent_id": a.ID, "unique_id": a.UniqueID, "agent_type": a.Type, "agent_name": a.Name,
			"voice_agent_id": a.Voice.VoiceAgentID, "voice_llm_id": a.Voice.VoiceLLMID,
			"voice_id": a.Voice.VoiceID, "organization_id": a.OrganizationID, "user_id": a.CreatedByUserID,
			"message": "Voice agent created successfully",
		})
		return nil
	}
	body := obj{
		"agent_id": a.ID, "agent_type": a.Type, "agent_name": a.Name,
		"has_drip_schedule": len(a.DripSchedule) > 0, "organization_id": a.OrganizationID,
		"created_by": a.CreatedByUserID, "message": "SMS agent created successfully",
	}
	if len(a.ExtractionFields) > 0 {
		body["has_extraction_fields"] = true
		body["extraction_fields"] = teli.ExtractionFieldsForJSON(a.ExtractionFields)
	}
	writeOK(w, http.StatusOK, body)
	return nil
}

func (s *Server) listAgents(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	scope := service.ListScope{OrganizationID: q.Get("organization_id"), UserID: q.Get("user_id"), IsAdmin: q.Get("is_admin")}
	list, err := s.svc.Agents.List(r.Context(), callerOf(r), scope, q.Get("agent_type"))
	if err != nil {
		return err
	}
	views := make([]agentJSON, len(list))
	for i, a := range list {
		views[i] = agentView(a)
	}
	writeOK(w, http.StatusOK, obj{"count": len(views), "agents": views})
	return nil
}

func (s *Server) getAgent(w http.ResponseWriter, r *http.Request) error {
	a, err := s.svc.Agents.Get(r.Context(), callerOf(r), r.PathValue("agent_id"))
	if err != nil {
		return err
	}
	writeOK(w, http.StatusOK, obj{"agent": agentView(a)})
	return nil
}

func (s *Server) updateAgent(w http.ResponseWriter, r *http.Request) error {
	var in agents.Input
	if err := decodeBody(r, &in); err != nil {
		return err
	}
	a, changes, err := s.svc.Agents.Update(r.Context(), callerOf(r), r.PathValue("agent_id"), in)
	if err != nil {
		return err
	}
	body := obj{"agent_id": a.ID, "message": "Agent updated successfully"}
	if a.Type == teli.AgentVoice {
		body["updated"] = changes
	}
	writeOK(w, http.StatusOK, body)
	return nil
}

func (s *Server) updateAgentTools(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Tools json.RawMessage `json:"tools"`
	}
	if err := decodeBody(r, &in); err != nil {
		return err
	}
	a, err := s.svc.Agents.UpdateTools(r.Context(), callerOf(r), r.PathValue("agent_id"), in.Tools)
	if err != nil {
		return err
	}
	writeOK(w, http.StatusOK, obj{
		"agent_id": a.ID, "tools_count": len(a.Voice.Tools), "message": "Agent tools updated successfully",
	})
	return nil
}

func (s *Server) deleteAgent(w http.ResponseWriter, r *http.Request) error {
	a, err := s.svc.Agents.Delete(r.Context(), callerOf(r), r.PathValue("agent_id"))
	if err != nil {
		return err
	}
	writeOK(w, http.StatusOK, obj{"message": "Agent deleted successfully", "agent_id": a.ID})
	return nil
}
