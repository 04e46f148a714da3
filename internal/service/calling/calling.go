// Package calling holds voice calling: numbers on the voice platform, voice campaigns and their
// leads, a single call to try an agent, the call history and its extractions, and what the
// platform reports of each call (it is the voice.Sink): progress, redials, the extraction after
// a call, and the agent that answers an inbound call. Every outbound call it writes is a row of
// the call outbox, placed by the call dispatcher (package calls) once the calling gate lets it.
package calling

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/openteli/teli/internal/llm"
	"github.com/openteli/teli/internal/service"
	"github.com/openteli/teli/internal/teli"
	"github.com/openteli/teli/internal/voice"
	"github.com/openteli/teli/internal/work"
)

// Store is what the calling use-cases read and write. Their transactions run through
// work.Queue, which hands them the store's transaction.
type Store interface {
	GetAgent(ctx context.Context, tenantID, id string) (teli.Agent, error)
	Suppress(ctx context.Context, s teli.Suppression) (bool, error)

	CreateVoiceNumber(ctx context.Context, n teli.VoiceNumber) error
	GetVoiceNumber(ctx context.Context, tenantID, phone string) (teli.VoiceNumber, error)
	ListVoiceNumbers(ctx context.Context, f teli.VoiceNumberFilter) ([]teli.VoiceNumber, error)
	UpdateVoiceNumber(ctx context.Context, n teli.VoiceNumber) error
	ReleaseVoiceNumber(ctx context.Context, tenantID, phone string, at time.Time) error
	LiveVoiceNumber(ctx context.Context, phone string) (teli.VoiceNumber, error)

	CreateVoiceCampaign(ctx context.Context, c teli.VoiceCampaign, leads []teli.VoiceLead, calls []teli.Call) error
	GetVoiceCampaign(ctx context.Context, tenantID, id string) (teli.VoiceCampaign, error)
	ListVoiceCampaigns(ctx context.Context, tenantID, organizationID, userID string) ([]teli.VoiceCampaign, error)
	ChangeVoiceCampaignStatus(ctx context.Context, tenantID, pk string, from []teli.VoiceCampaignStatus, to teli.VoiceCampaignStatus, at time.Time) error
	DeleteVoiceCampaign(ctx context.Context, tenantID, pk string, at time.Time) error
	RecordLeadAttempt(ctx context.Context, campaignPK, phone string, attempted, settled bool, at time.Time) error

	RecordInboundCall(ctx context.Context, c teli.Call) (bool, error)
	ApplyCallUpdate(ctx context.Context, u teli.CallUpdate) (teli.Call, bool, error)
	GetCall(ctx context.Context, tenantID, callID string) (teli.Call, error)
	CallByPlatformID(ctx context.Context, platform, platformCallID string) (teli.Call, error)
	ListCalls(ctx context.Context, f teli.CallFilter) ([]teli.Call, error)
	SaveCallExtraction(ctx context.Context, tenantID, callID string, e teli.Extraction, at time.Time) error
	ListCallExtractions(ctx context.Context, tenantID, organizationID, phone string, limit int) ([]teli.Call, error)
	GetVoiceCampaignByPK(ctx context.Context, tenantID, pk string) (teli.VoiceCampaign, error)
	StaleLiveCalls(ctx context.Context, before time.Time, limit int) ([]teli.Call, error)
}

// Service is the calling use-cases, bound to their dependencies.
type Service struct {
	store        Store
	access       service.Access
	clock        teli.Clock
	ids          teli.IDSource
	platform     voice.Telephony
	work         *work.Queue
	model        llm.Provider
	modelTimeout time.Duration
	log          *slog.Logger
}

// Deps are the dependencies of a Service.
type Deps struct {
	Store    Store
	Access   service.Access
	Clock    teli.Clock
	IDs      teli.IDSource
	Platform voice.Telephony
	// Work runs the transactions that queue calls, and places them right after.
	Work *work.Queue
	// Model reads the agent's extraction fields out of a call's transcript, as out of an SMS
	// thread; nil leaves calls unread. ModelTimeout bounds one request to it.
	Model        llm.Provider
	ModelTimeout time.Duration
	Logger       *slog.Logger
}

// New returns a Service.
func New(d Deps) *Service {
	return &Service{
		store: d.Store, access: d.Access, clock: d.Clock, ids: d.IDs, platform: d.Platform,
		work: d.Work, model: d.Model, modelTimeout: d.ModelTimeout, log: d.Logger,
	}
}

// newCallID mints a call id.
func (s *Service) newCallID() string { return teli.NewCallID(s.ids) }

// voiceAgent returns the tenant's voice agent with this id (agent_id, unique_id or
// voice_agent_id); field names the request field in the error.
func (s *Service) voiceAgent(ctx context.Context, c service.Caller, orgID, id, field string) (teli.Agent, error) {
	a, err := s.store.GetAgent(ctx, c.TenantID, id)
	if errors.Is(err, teli.ErrNotFound) || err == nil && orgID != "" && a.OrganizationID != orgID {
		return teli.Agent{}, service.ErrAgentNotFound
	}
	if err != nil {
		return teli.Agent{}, err
	}
	if a.Type != teli.AgentVoice || a.Voice == nil {
		return teli.Agent{}, teli.Invalid("%s %s is not a voice agent", field, id)
	}
	return a, nil
}

// refOf is the platform's reference of a voice agent.
func refOf(a teli.Agent) voice.Ref {
	return voice.Ref{AgentID: a.Voice.VoiceAgentID, LLMID: a.Voice.VoiceLLMID}
}

// upstream is a platform failure answered as 502: what failed, and that nothing changed here.
func upstream(step string, err error) error {
	return teli.Wrap(teli.CodeUpstream, err,
		"The voice platform failed to "+step+"; nothing was changed, and the request may be retried")
}
