// Package voice is the boundary to a voice platform: the service that holds voice agents and
// places calls. The sandbox platform (package sandbox) is the default; adapters to hosted
// platforms implement the same interface.
package voice

import (
	"context"
	"encoding/json"

	"github.com/openteli/teli/internal/teli"
)

// Ref names an agent on the platform: its agent id (agent_…) and LLM id (llm_…).
type Ref struct {
	AgentID string `json:"voice_agent_id"`
	LLMID   string `json:"voice_llm_id"`
}

// AgentSpec is everything the platform needs to run a voice agent.
type AgentSpec struct {
	AgentName          string             `json:"agent_name"`
	Prompt             string             `json:"prompt"`
	BeginMessage       string             `json:"begin_message"`
	VoiceID            string             `json:"voice_id"`
	Language           string             `json:"language"`
	VoicemailDetection bool               `json:"enable_voicemail_detection"`
	VoicemailMessage   string             `json:"voicemail_message"`
	Tools              []json.RawMessage  `json:"tools,omitempty"`
	KnowledgeBaseIDs   []string           `json:"knowledge_base_ids,omitempty"`
	KBConfig           *teli.KBConfig     `json:"kb_config,omitempty"`
	Settings           teli.VoiceSettings `json:"settings"`
}

// SpecOf derives the platform spec from a voice agent.
func SpecOf(a teli.Agent) AgentSpec {
	v := a.Voice
	return AgentSpec{
		AgentName:          a.Name,
		Prompt:             a.Prompt,
		BeginMessage:       a.StartingMessage,
		VoiceID:            v.VoiceID,
		Language:           v.Language,
		VoicemailDetection: v.VoicemailDetection,
		VoicemailMessage:   v.VoicemailMessage,
		Tools:              v.Tools,
		KnowledgeBaseIDs:   v.KnowledgeBaseIDs,
		KBConfig:           v.KBConfig,
		Settings:           v.Settings,
	}
}

// Platform manages voice agents on a voice platform.
type Platform interface {
	// CreateAgent creates the agent and its LLM and returns their ids.
	CreateAgent(ctx context.Context, spec AgentSpec) (Ref, error)
	// UpdateAgent replaces the agent's configuration.
	UpdateAgent(ctx context.Context, ref Ref, spec AgentSpec) error
	// DeleteAgent removes the agent and its LLM. Deleting what is already gone succeeds, so a
	// retried job is harmless.
	DeleteAgent(ctx context.Context, ref Ref) error
}
