// Package agents holds the agents: reusable AI personas, SMS or voice, validated when created
// and updated. A voice agent also lives on its voice platform, kept in step by jobs committed
// with each change.
package agents

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/openteli/teli/internal/jobargs"
	"github.com/openteli/teli/internal/service"
	"github.com/openteli/teli/internal/teli"
	"github.com/openteli/teli/internal/voice"
)

// Store is what the agent use-cases read and write.
type Store interface {
	InTx(ctx context.Context, fn func(tx teli.Store) error) error
	Enqueue(ctx context.Context, job teli.JobArgs, opts teli.JobOpts) error
	CreateAgent(ctx context.Context, a teli.Agent) error
	GetAgent(ctx context.Context, tenantID, id string) (teli.Agent, error)
	ListAgents(ctx context.Context, f teli.AgentFilter) ([]teli.Agent, error)
	UpdateAgent(ctx context.Context, a teli.Agent) error
	DeleteAgent(ctx context.Context, tenantID, id string, at time.Time) error
}

// Service is the agent use-cases, bound to their dependencies.
type Service struct {
	store  Store
	access service.Access
	clock  teli.Clock
	ids    teli.IDSource
	voice  voice.Platform
	log    *slog.Logger
}

// Deps are the dependencies of a Service.
type Deps struct {
	Store  Store
	Access service.Access
	Clock  teli.Clock
	IDs    teli.IDSource
	// Voice is the voice platform voice agents live on.
	Voice  voice.Platform
	Logger *slog.Logger
}

// New returns a Service.
func New(d Deps) *Service {
	return &Service{store: d.Store, access: d.Access, clock: d.Clock, ids: d.IDs, voice: d.Voice, log: d.Logger}
}

// Defaults for voice agents, from the hosted API's create-voice page.
const (
	DefaultVoiceID  = "11labs-Adrian"
	DefaultLanguage = "en-US"
	maxAgentName    = 200
)

// Input is the body of POST /v1/agents and PATCH /v1/agents/{id}. Pointers and raw JSON
// tell "absent" from "empty": on PATCH only present fields change.
type Input struct {
	AgentType       *string         `json:"agent_type"`
	AgentName       *string         `json:"agent_name"`
	StartingMessage *string         `json:"starting_message"`
	Prompt          *string         `json:"prompt"`
	OrganizationID  *string         `json:"organization_id"`
	UserID          *string         `json:"user_id"`
	ExtractionField json.RawMessage `json:"extraction_fields"`
	DripSchedule    json.RawMessage `json:"drip_schedule"`

	VoiceID                  *string         `json:"voice_id"`
	DetectVoicemail          *bool           `json:"detect_voicemail"`
	EnableVoicemailDetection *bool           `json:"enable_voicemail_detection"`
	VoicemailMessage         *string         `json:"voicemail_message"`
	Language                 *string         `json:"language"`
	Tools                    json.RawMessage `json:"tools"`
	KnowledgeBaseIDs         *[]string       `json:"knowledge_base_ids"`
	KBConfig                 *teli.KBConfig  `json:"kb_config"`
	teli.VoiceSettings
}

// Changes says which groups of an agent's settings an update touched (the voice update
// response reports them).
type Changes struct {
	AgentInfo     bool `json:"agent_info"`
	AIBehavior    bool `json:"ai_behavior"`
	VoiceSettings bool `json:"voice_settings"`
}

// Create validates in and creates an SMS or voice agent; a voice agent is first created on
// the voice platform, which assigns its voice ids.
func (s *Service) Create(ctx context.Context, c service.Caller, in Input) (teli.Agent, error) {
	if service.Missing(in.AgentName, in.OrganizationID, in.UserID) {
		return teli.Agent{}, teli.Invalid("agent_name, organization_id, and user_id are required")
	}
	a := teli.Agent{Type: teli.AgentType(service.Trim(in.AgentType))}
	if !a.Type.Valid() {
		return a, teli.Invalid("agent_type must be 'sms' or 'voice'")
	}
	owner, err := s.access.Member(ctx, c, service.Trim(in.OrganizationID), service.Trim(in.UserID))
	if err != nil {
		return a, err
	}
	if in.Prompt == nil {
		return a, teli.Invalid("prompt is required")
	}
	if a.Type == teli.AgentSMS && in.StartingMessage == nil {
		return a, teli.Invalid("starting_message is required for SMS agents")
	}
	if a.Type == teli.AgentVoice {
		a.Voice = &teli.VoiceConfig{VoiceID: DefaultVoiceID, Language: DefaultLanguage, VoicemailDetection: true}
	}
	if _, err := applyAgentInput(&a, in); err != nil {
		return a, err
	}
	now := s.clock.Now()
	a.ID, a.RecordID = s.ids.UniqueID(), s.ids.UUID()
	a.UniqueID = a.ID // voice agents get a unique_id of their own in createVoiceAgent
	a.TenantID, a.OrganizationID, a.CreatedByUserID = c.TenantID, owner.OrganizationID, owner.UniqueID
	a.CreatedAt, a.ModifiedAt = now, now
	if a.Type == teli.AgentSMS {
		return a, s.store.CreateAgent(ctx, a)
	}
	return a, s.createVoiceAgent(ctx, &a)
}

func (s *Service) createVoiceAgent(ctx context.Context, a *teli.Agent) error {
	a.UniqueID = s.ids.UniqueID()
	ref, err := s.voice.CreateAgent(ctx, voice.SpecOf(*a))
	if err != nil {
		return teli.Wrap(teli.CodeInternal, err, "Failed to create voice AI configuration")
	}
	a.Voice.VoiceAgentID, a.Voice.VoiceLLMID = ref.AgentID, ref.LLMID
	if err := s.store.CreateAgent(ctx, *a); err != nil {
		// Do not leave an orphan on the platform: queue its removal (retried until it succeeds).
		cleanup := jobargs.VoiceAgentDelete{VoiceAgentID: ref.AgentID, VoiceLLMID: ref.LLMID}
		if qerr := s.store.Enqueue(ctx, cleanup, teli.JobOpts{UniqueByArgs: true}); qerr != nil {
			s.log.Error("orphan voice agent left on platform", "voice_agent_id", ref.AgentID, "err", qerr)
		}
		return teli.Wrap(teli.CodeInternal, err, "Failed to store voice agent")
	}
	return nil
}

// List lists the agents of an organization visible to the caller: all of them for a
// verified admin, otherwise the user's own.
func (s *Service) List(ctx context.Context, c service.Caller, sc service.ListScope, agentType string) ([]teli.Agent, error) {
	owner, err := s.access.Owner(ctx, c, sc)
	if err != nil {
		return nil, err
	}
	t := teli.AgentType(strings.TrimSpace(agentType))
	if t != "" && !t.Valid() {
		return nil, teli.Invalid("agent_type must be 'sms' or 'voice'")
	}
	return s.store.ListAgents(ctx, teli.AgentFilter{
		TenantID: c.TenantID, OrganizationID: sc.OrganizationID, CreatedBy: owner, Type: t,
	})
}

// Get returns one agent by agent_id, unique_id or voice_agent_id.
func (s *Service) Get(ctx context.Context, c service.Caller, id string) (teli.Agent, error) {
	a, err := s.store.GetAgent(ctx, c.TenantID, id)
	if errors.Is(err, teli.ErrNotFound) {
		return a, service.ErrAgentNotFound
	}
	return a, err
}

// Update applies the present fields of in. A voice agent's new configuration reaches the
// voice platform through a job committed with the change.
func (s *Service) Update(ctx context.Context, c service.Caller, id string, in Input) (teli.Agent, Changes, error) {
	a, err := s.Get(ctx, c, id)
	if err != nil {
		return a, Changes{}, err
	}
	if t := in.AgentType; t != nil && teli.AgentType(service.Trim(t)) != a.Type {
		return a, Changes{}, teli.Invalid("agent_type cannot be changed")
	}
	if in.Tools != nil {
		return a, Changes{}, teli.Invalid("tools are updated with PATCH /v1/agents/{agent_id}/tools")
	}
	changes, err := applyAgentInput(&a, in)
	if err != nil {
		return a, changes, err
	}
	if changes == (Changes{}) {
		return a, changes, teli.Invalid("No valid fields to update")
	}
	a.ModifiedAt = s.clock.Now()
	return a, changes, s.saveAgent(ctx, a)
}

// UpdateTools replaces a voice agent's tool list.
func (s *Service) UpdateTools(ctx context.Context, c service.Caller, id string, raw json.RawMessage) (teli.Agent, error) {
	a, err := s.Get(ctx, c, id)
	if err != nil {
		return a, err
	}
	if a.Type != teli.AgentVoice {
		return a, teli.Invalid("SMS agents do not support tools")
	}
	if raw == nil {
		return a, teli.Invalid("tools is required")
	}
	tools, err := teli.ParseTools(raw)
	if err != nil {
		return a, err
	}
	a.Voice.Tools = tools
	a.ModifiedAt = s.clock.Now()
	return a, s.saveAgent(ctx, a)
}

func (s *Service) saveAgent(ctx context.Context, a teli.Agent) error {
	err := s.store.InTx(ctx, func(tx teli.Store) error {
		if err := tx.UpdateAgent(ctx, a); err != nil {
			return err
		}
		if a.Type != teli.AgentVoice {
			return nil
		}
		return tx.Enqueue(ctx, jobargs.VoiceAgentSync{TenantID: a.TenantID, AgentID: a.ID}, teli.JobOpts{})
	})
	if errors.Is(err, teli.ErrNotFound) {
		return service.ErrAgentNotFound
	}
	return err
}

// Delete removes an agent from every read; a voice agent is then removed from its voice
// platform by a job committed with the deletion. A voice agent that a live number or an active
// or paused voice campaign uses is not deleted (409): the calls it answers or places would fail.
func (s *Service) Delete(ctx context.Context, c service.Caller, id string) (teli.Agent, error) {
	a, err := s.Get(ctx, c, id)
	if err != nil {
		return a, err
	}
	err = s.store.InTx(ctx, func(tx teli.Store) error {
		if a.Type == teli.AgentVoice {
			// Checked in the transaction that deletes, so a number bound or a campaign started
			// meanwhile cannot slip past.
			user, err := tx.VoiceAgentInUse(ctx, c.TenantID, a.ID)
			if err != nil {
				return err
			}
			if user != "" {
				return teli.Errorf(teli.CodeWrongState,
					"Agent %s is in use by %s; unbind it from the number, or end the campaign, before deleting the agent", id, user)
			}
		}
		if err := tx.DeleteAgent(ctx, c.TenantID, a.ID, s.clock.Now()); err != nil {
			return err
		}
		if a.Voice == nil {
			return nil
		}
		return tx.Enqueue(ctx, jobargs.VoiceAgentDelete{VoiceAgentID: a.Voice.VoiceAgentID, VoiceLLMID: a.Voice.VoiceLLMID},
			teli.JobOpts{UniqueByArgs: true})
	})
	if errors.Is(err, teli.ErrNotFound) {
		return a, service.ErrAgentNotFound
	}
	return a, err
}
