// Package outbound holds what campaigns send and the people working their threads: a launch
// (leads become threads, each queued its starting message), leads added to a running campaign,
// pause, resume and end, a person's messages and takeover (send, assign), bulk sends with their
// idempotency keys, the drip sweep, the reads of campaigns, threads and messages, and the
// carrier's delivery reports. Every message it writes is an outbox row for the dispatcher,
// checked by the send gate when it goes.
package outbound

import (
	"context"
	"time"

	"github.com/openteli/teli/internal/service"
	"github.com/openteli/teli/internal/service/conversation"
	"github.com/openteli/teli/internal/teli"
	"github.com/openteli/teli/internal/work"
)

// Store is what the outbound use-cases read and write. Their transactions run through
// work.Queue, which hands them the store's transaction.
type Store interface {
	GetUser(ctx context.Context, tenantID, uniqueID string) (teli.User, error)
	GetAgent(ctx context.Context, tenantID, id string) (teli.Agent, error)
	CreateGroup(ctx context.Context, g teli.ContactGroup) error
	FindGroup(ctx context.Context, tenantID, organizationID, userID, name string) (teli.ContactGroup, error)
	ImportLeads(ctx context.Context, groupID string, leads []teli.Lead) ([]teli.Lead, error)

	CreateCampaign(ctx context.Context, c teli.Campaign) error
	GetCampaign(ctx context.Context, tenantID, campaignID string) (teli.Campaign, error)
	LookupCampaign(ctx context.Context, tenantID, campaignID string) (teli.Campaign, error)
	ListCampaigns(ctx context.Context, tenantID, organizationID, userID string) ([]teli.Campaign, error)
	ChangeCampaignStatus(ctx context.Context, c teli.CampaignStatusChange) (int, error)
	AddThreads(ctx context.Context, threads []teli.Thread, first []teli.Message) ([]teli.Thread, error)

	GetThread(ctx context.Context, tenantID, campaignPK, phone string) (teli.Thread, error)
	ListThreads(ctx context.Context, f teli.ThreadFilter) ([]teli.ThreadRow, int, error)
	TakeOverThread(ctx context.Context, t teli.TakeOver) (teli.Thread, error)
	UnassignThread(ctx context.Context, tenantID, campaignPK, phone string) error
	ClaimDueDrips(ctx context.Context, now time.Time, limit int) ([]teli.Thread, error)
	AdvanceDrip(ctx context.Context, tenantID, campaignPK, phone string, step int, delay *time.Duration) error
	Enqueue(ctx context.Context, job teli.JobArgs, opts teli.JobOpts) error

	InsertMessages(ctx context.Context, msgs []teli.Message) error
	GetMessage(ctx context.Context, tenantID, messageID string) (teli.Message, error)
	ListMessages(ctx context.Context, f teli.MessageFilter) (teli.MessageList, error)
	ApplyStatus(ctx context.Context, r teli.StatusReport) (bool, error)
	Suppress(ctx context.Context, s teli.Suppression) (bool, error)
	Suppressions(ctx context.Context, organizationID, phone string) ([]teli.SuppressionKind, error)
	GetIdempotent(ctx context.Context, tenantID, key string) (teli.IdempotentResponse, error)
	PutIdempotent(ctx context.Context, r teli.IdempotentResponse) error
}

// Service is the outbound use-cases, bound to their dependencies.
type Service struct {
	store        Store
	access       service.Access
	clock        teli.Clock
	ids          teli.IDSource
	outbox       service.Outbox
	work         *work.Queue
	conversation *conversation.Service
}

// Deps are the dependencies of a Service.
type Deps struct {
	Store  Store
	Access service.Access
	Clock  teli.Clock
	IDs    teli.IDSource
	// Work runs the transactions that queue messages, and dispatches them right after.
	Work *work.Queue
	// Conversation is the conversation engine: a person's message sets off an extraction, and
	// it writes the drip steps of type ai.
	Conversation *conversation.Service
}

// New returns a Service.
func New(d Deps) *Service {
	return &Service{
		store: d.Store, access: d.Access, clock: d.Clock, ids: d.IDs, outbox: service.Outbox{IDs: d.IDs},
		work: d.Work, conversation: d.Conversation,
	}
}
