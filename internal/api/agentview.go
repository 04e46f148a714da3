package api

import (
	"encoding/json"

	"github.com/openteli/teli/internal/teli"
)

// agentView is the agent object of the list and get endpoints. It carries each field under the
// create-time name (starting_message, prompt, voicemail_message, …) and under the hosted API's
// storage name (greeting_prompt, general_prompt, voicemail_content, …), so clients written
// against either read it.
func agentView(a teli.Agent) obj {
	v := obj{
		"agent_id":                    a.ID,
		"unique_id":                   a.UniqueID,
		"id":                          a.RecordID,
		"agent_name":                  a.Name,
		"ai_agent_name":               a.Name,
		"agent_type":                  a.Type,
		"agent_status":                "active",
		"starting_message":            a.StartingMessage,
		"greeting_prompt":             a.StartingMessage,
		"first_sentence":              a.StartingMessage,
		"prompt":                      a.Prompt,
		"general_prompt":              a.Prompt,
		"follow_up_prompt":            nil,
		"organization_id":             a.OrganizationID,
		"created_by_user_id":          a.CreatedByUserID,
		"tenant_id":                   a.TenantID,
		"visibility":                  "private",
		"accessible_users":            []string{},
		"extraction_fields":           teli.ExtractionFieldsForJSON(a.ExtractionFields),
		"has_extraction_fields":       len(a.ExtractionFields) > 0,
		"drip_schedule":               dripView(a.DripSchedule),
		"has_drip_schedule":           len(a.DripSchedule) > 0,
		"drip_start_datetime":         nil,
		"first_message_delay":         0,
		"is_chat_bot":                 a.Type == teli.AgentSMS,
		"is_sms_agent":                a.Type == teli.AgentSMS,
		"is_sms_transfer_agent":       false,
		"conversation_flow_id":        nil,
		"agent_accent":                nil,
		"agent_gender":                nil,
		"last_modification_timestamp": a.ModifiedAt.UnixMilli(),
		"created_at":                  isoTime(a.CreatedAt),
		"modified_at":                 isoTime(a.ModifiedAt),
	}
	return merge(v, voiceView(a.Voice))
}

// voiceView holds the voice fields; an SMS agent has them all as null.
func voiceView(vc *teli.VoiceConfig) obj {
	keys := []string{
		"voice_agent_id", "voice_llm_id", "voice_id", "voice_speed", "voice_emotion", "language",
		"detect_voicemail", "enable_voicemail_detection", "voicemail_message", "voicemail_content",
		"backchannel", "interruption_sensitivity", "ambient_sound", "instant_transfer_number",
		"tools", "knowledge_base_ids", "kb_config",
	}
	v := obj{}
	if vc == nil {
		for _, k := range keys {
			v[k] = nil
		}
		return v
	}
	// The tuning fields, under their own names, first; the fixed keys below override.
	raw, _ := json.Marshal(vc.Settings) // plain struct of scalars: cannot fail
	_ = json.Unmarshal(raw, &v)
	st := vc.Settings
	return merge(v, obj{
		"voice_agent_id":             vc.VoiceAgentID,
		"voice_llm_id":               vc.VoiceLLMID,
		"voice_id":                   vc.VoiceID,
		"voice_speed":                st.VoiceSpeed,
		"voice_emotion":              st.VoiceEmotion,
		"language":                   vc.Language,
		"detect_voicemail":           vc.VoicemailDetection,
		"enable_voicemail_detection": vc.VoicemailDetection,
		"voicemail_message":          vc.VoicemailMessage,
		"voicemail_content":          vc.VoicemailMessage,
		"backchannel":                st.EnableBackchannel != nil && *st.EnableBackchannel,
		"interruption_sensitivity":   st.InterruptionSensitivity,
		"ambient_sound":              st.AmbientSound,
		"instant_transfer_number":    transferNumber(vc.Tools),
		"tools":                      nonNilRaw(vc.Tools),
		"knowledge_base_ids":         nonNilStrings(vc.KnowledgeBaseIDs),
		"kb_config":                  vc.KBConfig,
	})
}

func dripView(steps []teli.DripStep) []obj {
	out := make([]obj, len(steps))
	for i, s := range steps {
		o := obj{"delay_hours": s.DelayHours, "type": s.Type}
		if d, ok := s.Day(); ok {
			o["day"] = d
		}
		if s.Message != "" {
			o["message"] = s.Message
		}
		out[i] = o
	}
	return out
}

// transferNumber is the number of the agent's first predefined call-transfer tool, or nil.
func transferNumber(tools []json.RawMessage) any {
	for _, t := range tools {
		var tool struct {
			Type        string `json:"type"`
			Destination struct {
				Number string `json:"number"`
			} `json:"transfer_destination"`
		}
		if json.Unmarshal(t, &tool) == nil && tool.Type == "transfer_call" && tool.Destination.Number != "" {
			return tool.Destination.Number
		}
	}
	return nil
}

func nonNilRaw(r []json.RawMessage) []json.RawMessage {
	if r == nil {
		return []json.RawMessage{}
	}
	return r
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
