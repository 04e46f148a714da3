package store

import (
	"context"

	"github.com/openteli/teli/internal/teli"
)

// SandboxVoice returns the sandbox voice platform's storage, bound to the same transaction as s.
func (s *Store) SandboxVoice() teli.SandboxVoiceStore { return sandboxVoice{s} }

// sandboxVoice implements teli.SandboxVoiceStore on the voice_sandbox_agents table.
type sandboxVoice struct{ s *Store }

// PutAgent inserts a or replaces, every field included, the record with its VoiceAgentID: what
// was put is what GetAgent returns.
func (v sandboxVoice) PutAgent(ctx context.Context, a teli.SandboxVoiceAgent) error {
	_, err := v.s.write().Exec(ctx,
		`INSERT INTO voice_sandbox_agents (voice_agent_id, voice_llm_id, config, created_at, updated_at)
		 VALUES ($1, $2, $3, $4, $5)
		 ON CONFLICT (voice_agent_id) DO UPDATE SET
		     voice_llm_id = excluded.voice_llm_id,
		     config = excluded.config,
		     created_at = excluded.created_at,
		     updated_at = excluded.updated_at`,
		a.VoiceAgentID, a.VoiceLLMID, encodeConfig(a.Config), a.CreatedAt, a.UpdatedAt)
	return v.s.wrap("put sandbox voice agent", err)
}

// GetAgent returns the record with this voice agent id.
func (v sandboxVoice) GetAgent(ctx context.Context, voiceAgentID string) (teli.SandboxVoiceAgent, error) {
	var a teli.SandboxVoiceAgent
	var config string
	err := v.s.read().QueryRow(ctx,
		`SELECT voice_agent_id, voice_llm_id, config, created_at, updated_at
		 FROM voice_sandbox_agents WHERE voice_agent_id = $1`, voiceAgentID).
		Scan(&a.VoiceAgentID, &a.VoiceLLMID, &config, &a.CreatedAt, &a.UpdatedAt)
	if err != nil {
		return a, v.s.wrap("get sandbox voice agent", err)
	}
	a.Config = decodeConfig(config)
	return a, nil
}

// DeleteAgent removes the record with this voice agent id.
func (v sandboxVoice) DeleteAgent(ctx context.Context, voiceAgentID string) error {
	n, err := v.s.write().Exec(ctx,
		`DELETE FROM voice_sandbox_agents WHERE voice_agent_id = $1`, voiceAgentID)
	return v.s.mustAffect("delete sandbox voice agent", n, err)
}
