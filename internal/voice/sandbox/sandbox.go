// Package sandbox is the voice platform that ships with Teli: it assigns voice-platform ids and
// keeps each agent's configuration in Teli's own database, with no phone network behind it. It
// is what a fresh install and local development use until a hosted platform is configured.
package sandbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/openteli/teli/internal/teli"
	"github.com/openteli/teli/internal/voice"
)

// Platform is the sandbox voice platform.
type Platform struct {
	store teli.SandboxVoiceStore
	ids   teli.IDSource
	clock teli.Clock
}

// New returns a sandbox platform keeping its agents in store.
func New(store teli.SandboxVoiceStore, ids teli.IDSource, clock teli.Clock) *Platform {
	return &Platform{store: store, ids: ids, clock: clock}
}

// CreateAgent assigns ids in the hosted platform's formats (agent_ + 26 hex, llm_ + 28 hex)
// and stores the configuration.
func (p *Platform) CreateAgent(ctx context.Context, spec voice.AgentSpec) (voice.Ref, error) {
	ref := voice.Ref{AgentID: "agent_" + p.ids.Hex(26), LLMID: "llm_" + p.ids.Hex(28)}
	now := p.clock.Now()
	return ref, p.put(ctx, ref, spec, now, now)
}

// UpdateAgent replaces the stored configuration of an existing agent.
func (p *Platform) UpdateAgent(ctx context.Context, ref voice.Ref, spec voice.AgentSpec) error {
	old, err := p.store.GetAgent(ctx, ref.AgentID)
	if err != nil {
		return fmt.Errorf("sandbox voice: update %s: %w", ref.AgentID, err)
	}
	return p.put(ctx, ref, spec, old.CreatedAt, p.clock.Now())
}

// DeleteAgent removes the agent; one that is already gone is not an error.
func (p *Platform) DeleteAgent(ctx context.Context, ref voice.Ref) error {
	err := p.store.DeleteAgent(ctx, ref.AgentID)
	if errors.Is(err, teli.ErrNotFound) {
		return nil
	}
	return err
}

// Agent returns the stored configuration of an agent (for inspection and tests).
func (p *Platform) Agent(ctx context.Context, agentID string) (voice.AgentSpec, error) {
	rec, err := p.store.GetAgent(ctx, agentID)
	if err != nil {
		return voice.AgentSpec{}, err
	}
	var spec voice.AgentSpec
	return spec, json.Unmarshal(rec.Config, &spec)
}

func (p *Platform) put(ctx context.Context, ref voice.Ref, spec voice.AgentSpec, created, updated time.Time) error {
	config, err := json.Marshal(spec)
	if err != nil {
		return err
	}
	return p.store.PutAgent(ctx, teli.SandboxVoiceAgent{
		VoiceAgentID: ref.AgentID, VoiceLLMID: ref.LLMID, Config: config,
		CreatedAt: created, UpdatedAt: updated,
	})
}
