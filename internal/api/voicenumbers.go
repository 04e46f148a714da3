package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/openteli/teli/internal/service"
	"github.com/openteli/teli/internal/service/calling"
	"github.com/openteli/teli/internal/teli"
)

func (s *Server) createVoiceNumber(w http.ResponseWriter, r *http.Request) error {
	var in calling.NumberInput
	if err := decodeBody(r, &in); err != nil {
		return err
	}
	p, err := s.svc.Calling.CreateNumber(r.Context(), callerOf(r), in)
	if err != nil {
		return err
	}
	n := p.Number
	// phone_number_pretty here, pretty_phone_number in the list: both as the hosted API has them.
	writeOK(w, http.StatusOK, obj{
		"phone_number": n.PhoneNumber, "phone_number_pretty": p.Platform.Pretty, "area_code": n.AreaCode,
		"phone_number_type": n.Type, "id": n.ID, "nickname": n.Nickname,
		"user_id": n.UserID, "organization_id": n.OrganizationID, "tenant_id": n.TenantID,
	})
	return nil
}

func (s *Server) listVoiceNumbers(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	sc := service.ListScope{OrganizationID: q.Get("organization_id"), UserID: q.Get("user_id"), IsAdmin: q.Get("is_admin")}
	nums, err := s.svc.Calling.ListNumbers(r.Context(), callerOf(r), sc, q.Get("phone_type"))
	if err != nil {
		return err
	}
	var agentIDs []string
	for _, n := range nums {
		agentIDs = append(agentIDs, n.InboundAgentID, n.OutboundAgentID)
	}
	platformIDs, err := s.svc.Calling.PlatformAgentIDs(r.Context(), callerOf(r), agentIDs...)
	if err != nil {
		return err
	}
	views := make([]obj, len(nums))
	for i, n := range nums {
		views[i] = voiceNumberView(n, platformIDs)
	}
	writeOK(w, http.StatusOK, obj{"count": len(views), "phone_numbers": views})
	return nil
}

// voiceNumberView is a number as the list shows it, its agents by their voice platform ids
// (agent_…), as the hosted API shows them.
func voiceNumberView(n teli.VoiceNumber, platformIDs map[string]string) obj {
	return obj{
		"phone_number": n.PhoneNumber, "pretty_phone_number": prettyPhone(n.PhoneNumber), "id": n.ID,
		"area_code": n.AreaCode, "phone_type": "voice", "provider": n.Type, "user_id": n.UserID,
		"organization_id": n.OrganizationID, "tenant_id": n.TenantID,
		"outbound_agent_id": nullable(platformIDs[n.OutboundAgentID]), "inbound_agent_id": nullable(platformIDs[n.InboundAgentID]),
		"nickname": nullable(n.Nickname), "location": nil, "accessible_by": []string{n.UserID},
		"stripe_subscription_id": nil, "zapier": false, "created_at": isoTime(n.CreatedAt),
	}
}

// prettyPhone writes a North American E.164 number as "+1 313-555-0100", others as they are.
func prettyPhone(e164 string) string {
	if len(e164) != 12 || !strings.HasPrefix(e164, "+1") {
		return e164
	}
	d := e164[2:]
	return "+1 " + d[:3] + "-" + d[3:6] + "-" + d[6:]
}

func (s *Server) updateVoiceNumber(w http.ResponseWriter, r *http.Request) error {
	var raw map[string]json.RawMessage
	if err := decodeBody(r, &raw); err != nil {
		return err
	}
	var in calling.NumberUpdate
	for field, dst := range map[string]*calling.Optional{
		"inbound_agent_id": &in.InboundAgentID, "outbound_agent_id": &in.OutboundAgentID, "nickname": &in.Nickname,
	} {
		v, ok := raw[field]
		if !ok {
			continue
		}
		dst.Set = true
		if bytes.Equal(bytes.TrimSpace(v), []byte("null")) {
			continue // null clears, as "" does
		}
		if err := json.Unmarshal(v, &dst.Value); err != nil {
			return teli.Invalid("%s must be a string or null", field)
		}
	}
	n, err := s.svc.Calling.UpdateNumber(r.Context(), callerOf(r), r.PathValue("phone_number"), in)
	if err != nil {
		return err
	}
	platformIDs, err := s.svc.Calling.PlatformAgentIDs(r.Context(), callerOf(r), n.InboundAgentID, n.OutboundAgentID)
	if err != nil {
		return err
	}
	body := obj{"phone_number": n.PhoneNumber, "message": "Phone number updated successfully"}
	// The agent and nickname fields are echoed only when the request set them.
	if in.InboundAgentID.Set {
		body["inbound_agent_id"] = nullable(platformIDs[n.InboundAgentID])
	}
	if in.OutboundAgentID.Set {
		body["outbound_agent_id"] = nullable(platformIDs[n.OutboundAgentID])
	}
	if in.Nickname.Set {
		body["nickname"] = nullable(n.Nickname)
	}
	writeOK(w, http.StatusOK, body)
	return nil
}

func (s *Server) releaseVoiceNumber(w http.ResponseWriter, r *http.Request) error {
	rel, err := s.svc.Calling.ReleaseNumber(r.Context(), callerOf(r), r.PathValue("phone_number"))
	var e *teli.Error
	if errors.As(err, &e) && e.Code == teli.CodeUpstream {
		// The documented 502: which step failed, nothing released here, the same DELETE may be
		// retried.
		writeJSON(w, http.StatusBadGateway, obj{
			"success": false, "error": "Partial release failure: " + e.Message, "failed": "voice_provider",
			"phone_number": strings.TrimSpace(r.PathValue("phone_number")), "powered_by": poweredBy,
		})
		return nil
	}
	if err != nil {
		return err
	}
	body := obj{
		"phone_number": rel.Number.PhoneNumber, "released_at": optionalTime(rel.Number.ReleasedAt),
		"billing_stopped": true, "message": "Phone number released. You will not be billed in the next cycle.",
	}
	if rel.AlreadyReleased {
		body["already_released"] = true
	}
	writeOK(w, http.StatusOK, body)
	return nil
}
