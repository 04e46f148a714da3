package conversation

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/openteli/teli/internal/keyword"
	"github.com/openteli/teli/internal/llm"
	"github.com/openteli/teli/internal/teli"
	"github.com/openteli/teli/internal/work"
)

// The tools the agent's model may call while answering.
const (
	toolOptOut      = "contact_opted_out"
	toolRequestCall = "request_phone_call"
)

// replyTools are the tools offered for a reply in camp: opting out always, asking for a phone
// call when the campaign hands conversations to voice.
func replyTools(camp teli.Campaign) []llm.Tool {
	tools := []llm.Tool{{
		Name: toolOptOut, Description: "The contact asked to stop receiving messages, in any wording.",
		Parameters: json.RawMessage(`{"type":"object","properties":{},"additionalProperties":false}`),
	}}
	if camp.Settings.EnableSMSToVoice {
		tools = append(tools, llm.Tool{
			Name: toolRequestCall, Description: "Ask for a phone call with the contact to continue the conversation.",
			Parameters: json.RawMessage(`{"type":"object","properties":{"reason":{"type":"string"}},"required":["reason"],"additionalProperties":false}`),
		})
	}
	return tools
}

// applyTool carries out a tool the model called. It reports true when it queued a message
// that ends the turn (an opt-out confirmation).
func (s *Service) applyTool(ctx context.Context, tx *work.Tx, camp teli.Campaign, org teli.Organization, th teli.Thread, in teli.Message, call llm.ToolCall) (bool, error) {
	switch call.Name {
	case toolOptOut:
		// A revocation in the contact's own words counts exactly like STOP.
		_, reply, err := s.applyKeyword(ctx, tx, keyword.OptOut, "ai", camp, org, in)
		if err != nil || reply == nil {
			return false, err
		}
		return true, tx.QueueMessages(ctx, *reply)
	case toolRequestCall:
		if !camp.Settings.EnableSMSToVoice {
			return false, nil
		}
		var args struct {
			Reason string `json:"reason"`
		}
		_ = json.Unmarshal(call.Arguments, &args) // a reason is nice to have, not required
		return false, s.requestCall(ctx, tx, camp, th, modelText(args.Reason))
	}
	return false, nil
}

// SMSToVoiceValidity is how long the call an SMS agent asked for may wait for the lead's calling
// window (or for another call to the lead to end) before it is dropped as stale.
const SMSToVoiceValidity = 24 * time.Hour

// requestCall records the agent's request to continue the thread by phone and queues the call,
// from the campaign's outbound number with its voice agent, for the call dispatcher, which holds
// it to the calling gate like every call. A thread gets one such call: a second request while
// the first stands records nothing new.
func (s *Service) requestCall(ctx context.Context, tx *work.Tx, camp teli.Campaign, th teli.Thread, reason string) error {
	current, err := tx.GetThread(ctx, th.TenantID, th.CampaignPK, th.Phone)
	if err != nil {
		return err
	}
	if current.VoiceRequest != nil {
		return nil
	}
	now := s.clock.Now()
	if err := tx.SaveVoiceRequest(ctx, th.TenantID, th.CampaignPK, th.Phone, teli.VoiceRequest{
		VoiceAgentID: camp.Settings.VoiceAgentID, OutboundNumber: camp.Settings.OutboundNumber,
		Reason: reason, RequestedAt: now,
	}); err != nil {
		return err
	}
	agent, err := tx.GetAgent(ctx, th.TenantID, camp.Settings.VoiceAgentID)
	if errors.Is(err, teli.ErrNotFound) || err == nil && (agent.Voice == nil || agent.OrganizationID != camp.OrganizationID) {
		s.log.Warn("conversation: a phone call was asked for, but the campaign's voice_agent_id names no voice agent of its organization",
			"campaign_id", camp.ID, "voice_agent_id", camp.Settings.VoiceAgentID)
		return nil
	}
	if err != nil {
		return err
	}
	num, err := tx.GetVoiceNumber(ctx, th.TenantID, camp.Settings.OutboundNumber)
	if errors.Is(err, teli.ErrNotFound) || err == nil && (num.ReleasedAt != nil || num.OrganizationID != camp.OrganizationID) {
		s.log.Warn("conversation: a phone call was asked for, but the campaign's outbound_number is no voice number of its organization",
			"campaign_id", camp.ID, "outbound_number", camp.Settings.OutboundNumber)
		return nil
	}
	if err != nil {
		return err
	}
	expires := now.Add(SMSToVoiceValidity)
	return tx.QueueCalls(ctx, teli.Call{
		ID: teli.NewCallID(s.ids), TenantID: th.TenantID, OrganizationID: th.OrganizationID, UserID: camp.UserID,
		SMSCampaignPK: camp.PK, AgentID: agent.ID, VoiceAgentID: agent.Voice.VoiceAgentID,
		Direction: teli.DirectionOutbound, Purpose: teli.CallPurposeSMSToVoice,
		From: num.PhoneNumber, To: th.Phone, Lead: th.Phone, Status: teli.CallQueued, Attempt: 1,
		NotBefore: now, ExpiresAt: &expires, Variables: th.Vars, CreatedAt: now, UpdatedAt: now,
	})
}
