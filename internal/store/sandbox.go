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

// PutNumber inserts or replaces the sandbox number n.PhoneNumber.
func (v sandboxVoice) PutNumber(ctx context.Context, n teli.SandboxNumber) error {
	_, err := v.s.write().Exec(ctx,
		`INSERT INTO voice_sandbox_numbers (phone_number, inbound_agent_id, outbound_agent_id, nickname, created_at)
		 VALUES ($1, $2, $3, $4, $5)
		 ON CONFLICT (phone_number) DO UPDATE SET inbound_agent_id = excluded.inbound_agent_id,
		     outbound_agent_id = excluded.outbound_agent_id, nickname = excluded.nickname,
		     created_at = excluded.created_at`,
		n.PhoneNumber, n.InboundAgentID, n.OutboundAgentID, n.Nickname, n.CreatedAt)
	return v.s.wrap("put sandbox number", err)
}

// GetNumber returns the sandbox number with this phone number.
func (v sandboxVoice) GetNumber(ctx context.Context, phone string) (teli.SandboxNumber, error) {
	var n teli.SandboxNumber
	err := v.s.read().QueryRow(ctx,
		`SELECT phone_number, inbound_agent_id, outbound_agent_id, nickname, created_at
		 FROM voice_sandbox_numbers WHERE phone_number = $1`, phone).
		Scan(&n.PhoneNumber, &n.InboundAgentID, &n.OutboundAgentID, &n.Nickname, &n.CreatedAt)
	return n, v.s.wrap("get sandbox number", err)
}

// DeleteNumber removes the sandbox number with this phone number.
func (v sandboxVoice) DeleteNumber(ctx context.Context, phone string) error {
	n, err := v.s.write().Exec(ctx, `DELETE FROM voice_sandbox_numbers WHERE phone_number = $1`, phone)
	return v.s.mustAffect("delete sandbox number", n, err)
}

// PutCall inserts or replaces the sandbox call c.PlatformCallID.
func (v sandboxVoice) PutCall(ctx context.Context, c teli.SandboxCall) error {
	_, err := v.s.write().Exec(ctx,
		`INSERT INTO voice_sandbox_calls (platform_call_id, call_id, record, finished, created_at, updated_at)
		 VALUES ($1, $2, $3, $4, $5, $6)
		 ON CONFLICT (platform_call_id) DO UPDATE SET call_id = excluded.call_id,
		     record = excluded.record, finished = excluded.finished, updated_at = excluded.updated_at`,
		c.PlatformCallID, NullIfEmpty(c.CallID), string(c.Record), c.Finished, c.CreatedAt, c.UpdatedAt)
	return v.s.wrap("put sandbox call", err)
}

const sandboxCallColumns = `platform_call_id, call_id, record, finished, created_at, updated_at`

func scanSandboxCall(r Row) (teli.SandboxCall, error) {
	var c teli.SandboxCall
	var callID *string
	var record string
	err := r.Scan(&c.PlatformCallID, &callID, &record, &c.Finished, &c.CreatedAt, &c.UpdatedAt)
	c.CallID, c.Record = deref(callID), []byte(record)
	return c, err
}

// GetCall returns the sandbox call with this platform call id.
func (v sandboxVoice) GetCall(ctx context.Context, platformCallID string) (teli.SandboxCall, error) {
	c, err := scanSandboxCall(v.s.read().QueryRow(ctx,
		`SELECT `+sandboxCallColumns+` FROM voice_sandbox_calls WHERE platform_call_id = $1`, platformCallID))
	return c, v.s.wrap("get sandbox call", err)
}

// CallByOurID returns the sandbox call placed for our call id.
func (v sandboxVoice) CallByOurID(ctx context.Context, callID string) (teli.SandboxCall, error) {
	c, err := scanSandboxCall(v.s.read().QueryRow(ctx,
		`SELECT `+sandboxCallColumns+` FROM voice_sandbox_calls WHERE call_id = $1`, callID))
	return c, v.s.wrap("sandbox call by our id", err)
}

// UnfinishedCalls lists the sandbox calls whose simulation has not finished, oldest first.
func (v sandboxVoice) UnfinishedCalls(ctx context.Context) ([]teli.SandboxCall, error) {
	rows, err := v.s.read().Query(ctx,
		`SELECT `+sandboxCallColumns+` FROM voice_sandbox_calls WHERE NOT finished
		 ORDER BY created_at, platform_call_id`)
	if err != nil {
		return nil, v.s.wrap("unfinished sandbox calls", err)
	}
	list, err := Collect(rows, scanSandboxCall)
	return list, v.s.wrap("unfinished sandbox calls", err)
}
