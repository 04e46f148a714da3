package teli

import (
	"encoding/json"
	"time"
)

// AgentType is "sms" or "voice".
type AgentType string

// The two agent types.
const (
	AgentSMS   AgentType = "sms"
	AgentVoice AgentType = "voice"
)

// Valid reports whether t is a known agent type.
func (t AgentType) Valid() bool { return t == AgentSMS || t == AgentVoice }

// Agent is a reusable AI persona. SMS agents converse by text; voice agents live on a voice
// platform (Voice is non-nil exactly for them).
type Agent struct {
	// ID is the Teli agent_id used in paths. For SMS agents UniqueID equals ID; voice agents get
	// a second unique_id, as the hosted API returns.
	ID       string
	UniqueID string
	// RecordID is the internal UUID exposed as "id".
	RecordID        string
	TenantID        string
	OrganizationID  string
	CreatedByUserID string
	Type            AgentType
	Name            string
	StartingMessage string
	Prompt          string

	ExtractionFields []ExtractionField
	DripSchedule     []DripStep
	Voice            *VoiceConfig

	CreatedAt  time.Time
	ModifiedAt time.Time
}

// DripType says how a drip step's text is produced.
type DripType string

// Drip step types. Reminder appears in the hosted API's examples and behaves like custom.
const (
	DripCustom   DripType = "custom"
	DripAI       DripType = "ai"
	DripReminder DripType = "reminder"
)

// DripStep is one follow-up, normalised from either accepted shape ({day, message} or
// {delay_hours, type, message}).
type DripStep struct {
	DelayHours float64  `json:"delay_hours"`
	Type       DripType `json:"type"`
	Message    string   `json:"message,omitempty"`
}

// Extraction field value types.
const (
	FieldString  = "string"
	FieldBoolean = "boolean"
	FieldNumber  = "number"
)

// ExtractionField is one datum to extract from a conversation. Bare records that the caller sent
// only a name (a string), so the field is echoed back in the form it was given.
type ExtractionField struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Type        string `json:"type,omitempty"`
	Bare        bool   `json:"bare,omitempty"`
}

// VoiceConfig is what a voice agent carries beyond the common fields.
type VoiceConfig struct {
	// VoiceAgentID and VoiceLLMID are the voice platform's ids (agent_…, llm_…).
	VoiceAgentID string `json:"voice_agent_id"`
	VoiceLLMID   string `json:"voice_llm_id"`

	VoiceID            string `json:"voice_id"`
	Language           string `json:"language"`
	VoicemailDetection bool   `json:"enable_voicemail_detection"`
	VoicemailMessage   string `json:"voicemail_message"`

	// Tools are validated tool objects, kept verbatim (unknown keys included) so they can be
	// forwarded to the voice platform.
	Tools            []json.RawMessage `json:"tools"`
	KnowledgeBaseIDs []string          `json:"knowledge_base_ids"`
	KBConfig         *KBConfig         `json:"kb_config,omitempty"`

	Settings VoiceSettings `json:"settings"`
}

// KBConfig tunes knowledge-base retrieval for a voice agent.
type KBConfig struct {
	TopK        *int     `json:"top_k,omitempty"`
	FilterScore *float64 `json:"filter_score,omitempty"`
}

// VoiceSettings are the optional tuning fields of a voice agent, under the API's names. A nil
// pointer means "not set": the platform default applies.
type VoiceSettings struct {
	VoiceTemperature            *float64          `json:"voice_temperature,omitempty"`
	VoiceSpeed                  *float64          `json:"voice_speed,omitempty"`
	Volume                      *float64          `json:"volume,omitempty"`
	VoiceEmotion                *string           `json:"voice_emotion,omitempty"`
	Responsiveness              *float64          `json:"responsiveness,omitempty"`
	InterruptionSensitivity     *float64          `json:"interruption_sensitivity,omitempty"`
	EnableBackchannel           *bool             `json:"enable_backchannel,omitempty"`
	BackchannelFrequency        *float64          `json:"backchannel_frequency,omitempty"`
	BackchannelWords            []string          `json:"backchannel_words,omitempty"`
	AmbientSound                *string           `json:"ambient_sound,omitempty"`
	AmbientSoundVolume          *float64          `json:"ambient_sound_volume,omitempty"`
	VoicemailDetectionTimeoutMS *int              `json:"voicemail_detection_timeout_ms,omitempty"`
	ReminderTriggerMS           *int              `json:"reminder_trigger_ms,omitempty"`
	ReminderMaxCount            *int              `json:"reminder_max_count,omitempty"`
	EndCallAfterSilenceMS       *int              `json:"end_call_after_silence_ms,omitempty"`
	MaxCallDurationMS           *int              `json:"max_call_duration_ms,omitempty"`
	BeginMessageDelayMS         *int              `json:"begin_message_delay_ms,omitempty"`
	RingDurationMS              *int              `json:"ring_duration_ms,omitempty"`
	STTMode                     *string           `json:"stt_mode,omitempty"`
	VocabSpecialization         *string           `json:"vocab_specialization,omitempty"`
	BoostedKeywords             []string          `json:"boosted_keywords,omitempty"`
	NormalizeForSpeech          *bool             `json:"normalize_for_speech,omitempty"`
	AllowUserDTMF               *bool             `json:"allow_user_dtmf,omitempty"`
	DenoisingMode               *string           `json:"denoising_mode,omitempty"`
	PostCallAnalysisData        []json.RawMessage `json:"post_call_analysis_data,omitempty"`
	DataStorageSetting          *string           `json:"data_storage_setting,omitempty"`
}
