package retell

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"

	"github.com/openteli/teli/internal/voice"
)

// A Teli voice agent is two Retell objects: a Retell LLM holding the prompt, begin message,
// tools and knowledge bases, and an agent holding the voice and call settings whose response
// engine is that LLM.

// CreateAgent creates the LLM, then the agent that speaks with it. When the agent cannot be
// created the LLM is deleted again, so a failed creation leaves nothing behind.
func (c *Client) CreateAgent(ctx context.Context, spec voice.AgentSpec) (voice.Ref, error) {
	// Retell requires voice_id on create; checking first spares creating an LLM only to
	// delete it.
	if spec.VoiceID == "" {
		return voice.Ref{}, errors.New("retell: create agent: a voice_id is required")
	}
	var llm struct {
		LLMID string `json:"llm_id"`
	}
	if err := c.do(ctx, "POST", "/create-retell-llm", llmBody(spec, false), &llm); err != nil {
		return voice.Ref{}, fmt.Errorf("retell: create agent: %w", err)
	}
	if llm.LLMID == "" {
		return voice.Ref{}, errors.New("retell: create agent: the LLM was created without an llm_id")
	}
	var agent struct {
		AgentID string `json:"agent_id"`
	}
	err := c.do(ctx, "POST", "/create-agent", c.agentBody(spec, llm.LLMID, false), &agent)
	if err == nil && agent.AgentID == "" {
		err = errors.New("the agent was created without an agent_id")
	}
	if err != nil {
		// The caller's context may be what ended the request; the clean-up still runs.
		cleanup := c.deleteLLM(context.WithoutCancel(ctx), llm.LLMID)
		if cleanup != nil {
			cleanup = fmt.Errorf("deleting its LLM %s: %w", llm.LLMID, cleanup)
		}
		return voice.Ref{}, errors.Join(fmt.Errorf("retell: create agent: %w", err), cleanup)
	}
	return voice.Ref{AgentID: agent.AgentID, LLMID: llm.LLMID}, nil
}

// UpdateAgent replaces the LLM's configuration, then the agent's. Retell updates only the fields
// it is sent, so every field Teli owns is sent, and the ones that can be cleared are sent as
// null when unset; settings that are unset now but were set before keep Retell's stored value.
func (c *Client) UpdateAgent(ctx context.Context, ref voice.Ref, spec voice.AgentSpec) error {
	if ref.AgentID == "" {
		return errors.New("retell: update agent: no agent id")
	}
	if spec.VoiceID == "" {
		return errors.New("retell: update agent: a voice_id is required")
	}
	llmID := ref.LLMID
	if llmID == "" {
		id, err := c.agentLLM(ctx, ref.AgentID)
		if err != nil {
			return fmt.Errorf("retell: update agent %s: %w", ref.AgentID, err)
		}
		llmID = id
	}
	if err := c.do(ctx, "PATCH", "/update-retell-llm/"+url.PathEscape(llmID), llmBody(spec, true), nil); err != nil {
		return fmt.Errorf("retell: update agent %s: %w", ref.AgentID, err)
	}
	if err := c.do(ctx, "PATCH", "/update-agent/"+url.PathEscape(ref.AgentID), c.agentBody(spec, "", true), nil); err != nil {
		return fmt.Errorf("retell: update agent %s: %w", ref.AgentID, err)
	}
	return nil
}

// DeleteAgent deletes the agent, then its LLM (the agent first, since it is what uses the LLM).
// Either already being gone is success.
func (c *Client) DeleteAgent(ctx context.Context, ref voice.Ref) error {
	if ref.AgentID != "" {
		err := c.do(ctx, "DELETE", "/delete-agent/"+url.PathEscape(ref.AgentID), nil, nil)
		if err != nil && !notFound(err) {
			return fmt.Errorf("retell: delete agent %s: %w", ref.AgentID, err)
		}
	}
	if ref.LLMID != "" {
		if err := c.deleteLLM(ctx, ref.LLMID); err != nil {
			return fmt.Errorf("retell: delete agent %s: %w", ref.AgentID, err)
		}
	}
	return nil
}

// deleteLLM deletes a Retell LLM; one that is already gone is not an error.
func (c *Client) deleteLLM(ctx context.Context, llmID string) error {
	err := c.do(ctx, "DELETE", "/delete-retell-llm/"+url.PathEscape(llmID), nil, nil)
	if notFound(err) {
		return nil
	}
	return err
}

// agentLLM reads which LLM an agent speaks with.
func (c *Client) agentLLM(ctx context.Context, agentID string) (string, error) {
	var a struct {
		ResponseEngine struct {
			Type  string `json:"type"`
			LLMID string `json:"llm_id"`
		} `json:"response_engine"`
	}
	if err := c.do(ctx, "GET", "/get-agent/"+url.PathEscape(agentID), nil, &a); err != nil {
		return "", err
	}
	if a.ResponseEngine.LLMID == "" {
		return "", fmt.Errorf("the agent's response engine is %q, not a Retell LLM", a.ResponseEngine.Type)
	}
	return a.ResponseEngine.LLMID, nil
}

// llmBody is the create-retell-llm / update-retell-llm request. Tools and knowledge bases are
// always sent (empty when there are none) so that an update removes what was taken away; an
// unset kb_config is null on update for the same reason.
func llmBody(spec voice.AgentSpec, update bool) map[string]any {
	tools := spec.Tools
	if tools == nil {
		tools = []json.RawMessage{}
	}
	kbs := spec.KnowledgeBaseIDs
	if kbs == nil {
		kbs = []string{}
	}
	m := map[string]any{
		"general_prompt": spec.Prompt,
		// "" is Retell's "wait for the user to speak"; null would let the LLM make one up.
		"begin_message":      spec.BeginMessage,
		"general_tools":      tools,
		"knowledge_base_ids": kbs,
	}
	// Retell documents start_speaker as required although its schema marks it optional; it
	// follows from the begin message: the agent opens with it, or the user speaks first.
	if spec.BeginMessage != "" {
		m["start_speaker"] = "agent"
	} else {
		m["start_speaker"] = "user"
	}
	if spec.KBConfig != nil {
		m["kb_config"] = spec.KBConfig
	} else if update {
		m["kb_config"] = nil
	}
	return m
}

// clearable are the agent settings Retell accepts null for: an update sends null for the ones
// that are unset, so that taking a setting away takes it away on Retell too.
var clearable = []string{"ambient_sound", "backchannel_words", "boosted_keywords", "voice_emotion"}

// agentBody is the create-agent / update-agent request. Teli's voice settings carry Retell's
// own field names, so they are forwarded as they are; voicemail is expressed as
// voicemail_option, which replaced the legacy enable_voicemail_detection / voicemail_message
// pair that Teli's API still exposes.
func (c *Client) agentBody(spec voice.AgentSpec, llmID string, update bool) map[string]any {
	m := map[string]any{}
	if raw, err := json.Marshal(spec.Settings); err == nil {
		var fields map[string]json.RawMessage
		if json.Unmarshal(raw, &fields) == nil {
			for k, v := range fields {
				m[k] = v
			}
		}
	}
	// Teli stores "no ambient sound" as ""; Retell's enum has no "", its "none" is null.
	if s := spec.Settings.AmbientSound; s != nil && *s == "" {
		m["ambient_sound"] = nil
	}
	if update {
		for _, k := range clearable {
			if _, ok := m[k]; !ok {
				m[k] = nil
			}
		}
	}
	m["voice_id"] = spec.VoiceID
	m["voicemail_option"] = voicemailOption(spec)
	if spec.AgentName != "" {
		m["agent_name"] = spec.AgentName
	} else if update {
		m["agent_name"] = nil
	}
	if spec.Language != "" {
		m["language"] = spec.Language
	}
	if c.webhookURL != "" {
		m["webhook_url"] = c.webhookURL
	}
	if !update {
		m["response_engine"] = map[string]any{"type": "retell-llm", "llm_id": llmID}
	}
	return m
}

// voicemailOption maps Teli's voicemail fields onto Retell's voicemail_option: no detection is
// null; detection with no message hangs up (an empty voicemail_message meant exactly that);
// otherwise the message is left as static text.
func voicemailOption(spec voice.AgentSpec) any {
	if !spec.VoicemailDetection {
		return nil
	}
	if spec.VoicemailMessage == "" {
		return map[string]any{"action": map[string]any{"type": "hangup"}}
	}
	return map[string]any{"action": map[string]any{"type": "static_text", "text": spec.VoicemailMessage}}
}
