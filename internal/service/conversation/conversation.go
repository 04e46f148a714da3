// Package conversation is what happens once a contact writes: an inbound message is stored as
// the carrier's webhook delivers it, then processed (its thread found, consent keywords applied
// before anything may answer), answered by the agent's model after a burst window, and read for
// the lead's fields (extraction); the model also writes the drip steps of type ai. Followed
// from the webhook: ReceiveInbound → ProcessInbound → applyKeyword / afterInbound → Reply →
// commitReply, whose message the dispatcher hands to the send gate.
package conversation

import (
	"context"
	"log/slog"
	"time"

	"github.com/openteli/teli/internal/llm"
	"github.com/openteli/teli/internal/service"
	"github.com/openteli/teli/internal/teli"
	"github.com/openteli/teli/internal/work"
)

// Store is what the conversation use-cases read and write. Their transactions run through
// work.Queue, which hands them the store's transaction.
type Store interface {
	Enqueue(ctx context.Context, job teli.JobArgs, opts teli.JobOpts) error
	RecordInbound(ctx context.Context, e teli.InboundEvent) (bool, error)
	GetInbound(ctx context.Context, provider, providerID string) (teli.InboundEvent, error)
	FinishInbound(ctx context.Context, provider, providerID, outcome, messageID string, at time.Time) (bool, error)
	RouteInbound(ctx context.Context, number, phone string) (teli.Thread, error)

	GetOrganization(ctx context.Context, tenantID, uniqueID string) (teli.Organization, error)
	GetAgent(ctx context.Context, tenantID, id string) (teli.Agent, error)
	LookupCampaign(ctx context.Context, tenantID, campaignID string) (teli.Campaign, error)
	GetThread(ctx context.Context, tenantID, campaignPK, phone string) (teli.Thread, error)
	InsertMessages(ctx context.Context, msgs []teli.Message) error
	ListMessages(ctx context.Context, f teli.MessageFilter) (teli.MessageList, error)

	Suppress(ctx context.Context, s teli.Suppression) (bool, error)
	Unsuppress(ctx context.Context, s teli.Suppression) (bool, error)
	Suppressions(ctx context.Context, organizationID, phone string) ([]teli.SuppressionKind, error)

	SetAIState(ctx context.Context, tenantID, campaignPK, phone string, s teli.AIState) error
	ClaimReply(ctx context.Context, tenantID, campaignPK, phone, inboundID string) (bool, error)
	SaveVoiceRequest(ctx context.Context, tenantID, campaignPK, phone string, r teli.VoiceRequest) error
	SaveExtraction(ctx context.Context, tenantID, campaignPK, phone string, e teli.Extraction, at time.Time) error
	ListExtractions(ctx context.Context, tenantID, phone string) ([]teli.Thread, error)
}

// Service is the conversation use-cases, bound to their dependencies.
type Service struct {
	store   Store
	clock   teli.Clock
	ids     teli.IDSource
	log     *slog.Logger
	outbox  service.Outbox
	consent ConsentTexts
	llm     llm.Provider
	ai      AISettings
	work    *work.Queue
}

// Deps are the dependencies of a Service.
type Deps struct {
	Store  Store
	Clock  teli.Clock
	IDs    teli.IDSource
	Logger *slog.Logger
	// Consent are the opt-out, opt-in and help replies.
	Consent ConsentTexts
	// LLM answers as the agents; nil when no model is configured, and then inbound messages the
	// agent would answer mark their thread as waiting for a person.
	LLM llm.Provider
	// AI tunes the conversation engine; zero values take the defaults.
	AI AISettings
	// Work runs the transactions that set off work (inbound processing, agent replies,
	// dispatches) and does that work in process right after the commit, the job committed with
	// it being the fallback.
	Work *work.Queue
}

// New returns a Service.
func New(d Deps) *Service {
	return &Service{
		store: d.Store, clock: d.Clock, ids: d.IDs, log: d.Logger, outbox: service.Outbox{IDs: d.IDs},
		consent: d.Consent, llm: d.LLM, ai: d.AI.withDefaults(), work: d.Work,
	}
}
