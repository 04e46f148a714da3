package api

import (
	"encoding/json"

	"github.com/openteli/teli/internal/teli"
)

// agentJSON is the agent object of the list and get endpoints. It carries each field under the
// create-time name (starting_message, prompt, voicemail_message, …) and under the hosted API's
// storage name (greeting_prompt, general_prompt, voicemail_content, …), so clients written
// against either read it. A struct rather than a map: lists of agents are a hot path, and
// encoding a map sorts its keys every time.
type agentJSON struct {
	AgentID                   string         `json:"agent_id"`
	UniqueID                  string         `json:"unique_id"`
	ID                        string         `json:"id"`
	AgentName                 string         `json:"agent_name"`
	AIAgentName               string         `json:"ai_agent_name"`
	AgentType                 teli.AgentType `json:"agent_type"`
	AgentStatus               string         `json:"agent_status"`
	StartingMessage           string         `json:"starting_message"`
	GreetingPrompt            string         `json:"greeting_prompt"`
	FirstSentence             string         `json:"first_sentence"`
	Prompt                    string         `json:"prompt"`
	GeneralPrompt             string         `json:"general_prompt"`
	FollowUpPrompt            *string        `json:"follow_up_prompt"`
	OrganizationID            string         `json:"organization_id"`
	CreatedByUserID           string         `json:"created_by_user_id"`
	TenantID                  string         `json:"tenant_id"`
	Visibility                string         `json:"visibility"`
	AccessibleUsers           []string       `json:"accessible_users"`
	ExtractionFields          []any          `json:"extraction_fields"`
	HasExtractionFields       bool           `json:"has_extraction_fields"`
	DripSchedule              []dripJSON     `json:"drip_schedule"`
	HasDripSchedule           bool           `json:"has_drip_schedule"`
	DripStartDatetime         *string        `json:"drip_start_datetime"`
	FirstMessageDelay         int            `json:"first_message_delay"`
	IsChatBot                 bool           `json:"is_chat_bot"`
	IsSMSAgent                bool           `json:"is_sms_agent"`
	IsSMSTransferAgent        bool           `json:"is_sms_transfer_agent"`
	ConversationFlowID        *string        `json:"conversation_flow_id"`
	AgentAccent               *string        `json:"agent_accent"`
	AgentGender               *string        `json:"agent_gender"`
	LastModificationTimestamp int64          `json:"last_modification_timestamp"`
	CreatedAt                 string         `json:"created_at"`
	ModifiedAt                string         `json:"modified_at"`
	voiceJSON
}

// voiceJSON holds the voice fields; an SMS agent has them all as null. The embedded tuning
// fields appear under their own names; the explicit fields here win where names repeat.
type voiceJSON struct {
	VoiceAgentID             *string           `json:"voice_agent_id"`
	VoiceLLMID               *string           `json:"voice_llm_id"`
	VoiceID                  *string           `json:"voice_id"`
	VoiceSpeed               *float64          `json:"voice_speed"`
	VoiceEmotion             *string           `json:"voice_emotion"`
	Language                 *string           `json:"language"`
	DetectVoicemail          *bool             `json:"detect_voicemail"`
	EnableVoicemailDetection *bool             `json:"enable_voicemail_detection"`
	VoicemailMessage         *string           `json:"voicemail_message"`
	VoicemailContent         *string           `json:"voicemail_content"`
	Backchannel              *bool             `json:"backchannel"`
	InterruptionSensitivity  *float64          `json:"interruption_sensitivity"`
	AmbientSound             *string           `json:"ambient_sound"`
	InstantTransferNumber    *string           `json:"instant_transfer_number"`
	Tools                    []json.RawMessage `json:"tools"`
	KnowledgeBaseIDs         []string          `json:"knowledge_base_ids"`
	KBConfig                 *teli.KBConfig    `json:"kb_config"`
	*teli.VoiceSettings
}

type dripJSON struct {
	Day        *int          `json:"day,omitempty"`
	DelayHours float64       `json:"delay_hours"`
	Type       teli.DripType `json:"type"`
	Message    string        `json:"message,omitempty"`
}

func agentView(a teli.Agent) agentJSON {
	return agentJSON{
		AgentID: a.ID, UniqueID: a.UniqueID, ID: a.RecordID,
		AgentName: a.Name, AIAgentName: a.Name, AgentType: a.Type, AgentStatus: "active",
		StartingMessage: a.StartingMessage, GreetingPrompt: a.StartingMessage, FirstSentence: a.StartingMessage,
		Prompt: a.Prompt, GeneralPrompt: a.Prompt,
		OrganizationID: a.OrganizationID, CreatedByUserID: a.CreatedByUserID, TenantID: a.TenantID,
		Visibility: "private", AccessibleUsers: []string{},
		ExtractionFields:    teli.ExtractionFieldsForJSON(a.ExtractionFields),
		HasExtractionFields: len(a.ExtractionFields) > 0,
		DripSchedule:        dripView(a.DripSchedule), HasDripSchedule: len(a.DripSchedule) > 0,
		IsChatBot: a.Type == teli.AgentSMS, IsSMSAgent: a.Type == teli.AgentSMS,
		LastModificationTimestamp: a.ModifiedAt.UnixMilli(),
		CreatedAt:                 isoTime(a.CreatedAt), ModifiedAt: isoTime(a.ModifiedAt),
		voiceJSON: voiceView(a.Voice),
	}
}

func voiceView(vc *teli.VoiceConfig) voiceJSON {
	if vc == nil {
		return voiceJSON{}
	}
	st := vc.Settings
	backchannel := st.EnableBackchannel != nil && *st.EnableBackchannel
	tools, kbIDs := vc.Tools, vc.KnowledgeBaseIDs
	if tools == nil {
		tools = []json.RawMessage{}
	}
	if kbIDs == nil {
		kbIDs = []string{}
	}
	return voiceJSON{
		VoiceAgentID: &vc.VoiceAgentID, VoiceLLMID: &vc.VoiceLLMID, VoiceID: &vc.VoiceID,
		VoiceSpeed: st.VoiceSpeed, VoiceEmotion: st.VoiceEmotion, Language: &vc.Language,
		DetectVoicemail: &vc.VoicemailDetection, EnableVoicemailDetection: &vc.VoicemailDetection,
		VoicemailMessage: &vc.VoicemailMessage, VoicemailContent: &vc.VoicemailMessage,
		Backchannel: &backchannel, InterruptionSensitivity: st.InterruptionSensitivity,
		AmbientSound: st.AmbientSound, InstantTransferNumber: transferNumber(vc.Tools),
		Tools: tools, KnowledgeBaseIDs: kbIDs, KBConfig: vc.KBConfig,
		VoiceSettings: &st,
	}
}

func dripView(steps []teli.DripStep) []dripJSON {
	out := make([]dripJSON, len(steps))
	for i, s := range steps {
		out[i] = dripJSON{DelayHours: s.DelayHours, Type: s.Type, Message: s.Message}
		if d, ok := s.Day(); ok {
			out[i].Day = &d
		}
	}
	return out
}

// transferNumber is the number of the agent's first predefined call-transfer tool, or nil.
func transferNumber(tools []json.RawMessage) *string {
	for _, t := range tools {
		var tool struct {
			Type        string `json:"type"`
			Destination struct {
				Number string `json:"number"`
			} `json:"transfer_destination"`
		}
		if json.Unmarshal(t, &tool) == nil && tool.Type == "transfer_call" && tool.Destination.Number != "" {
			return &tool.Destination.Number
		}
	}
	return nil
}
