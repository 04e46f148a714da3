package conversation

import (
	"context"
	"encoding/json"

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
		return false, tx.SaveVoiceRequest(ctx, th.TenantID, th.CampaignPK, th.Phone, teli.VoiceRequest{
			VoiceAgentID: camp.Settings.VoiceAgentID, OutboundNumber: camp.Settings.OutboundNumber,
			Reason: modelText(args.Reason), RequestedAt: s.clock.Now(),
		})
	}
	return false, nil
}
