package teli

import (
	"context"
	"encoding/json"
	"time"
)

// Store is the persistence boundary. Package store implements it once, over a SQLite and a
// PostgreSQL dialect, with the same behaviour on both, proven by one conformance suite. Every read of tenant data takes the tenant id, so a row of
// another tenant is simply not found.
type Store interface {
	// InTx runs fn inside one transaction: every write made through tx, and every job enqueued
	// through it, commits together or not at all. Calling InTx on a tx runs fn in that same tx.
	InTx(ctx context.Context, fn func(tx Store) error) error
	// Enqueue inserts a background job; inside InTx it commits with the transaction.
	Enqueue(ctx context.Context, job JobArgs, opts JobOpts) error

	// Bootstrap writes b only if the database holds no tenant yet, atomically even when several
	// servers start at once. It reports whether it wrote.
	Bootstrap(ctx context.Context, b Bootstrap) (bool, error)

	CreateTenant(ctx context.Context, t Tenant) error // ErrConflict if the id exists
	GetTenant(ctx context.Context, id string) (Tenant, error)
	ListTenants(ctx context.Context) ([]Tenant, error)

	CreateAPIKey(ctx context.Context, k APIKey) error
	// APIKeyByHash returns the live (unrevoked) key with this hash, or ErrNotFound.
	APIKeyByHash(ctx context.Context, hash string) (APIKey, error)
	// ListAPIKeys lists keys of one tenant, or of all tenants when tenantID is empty.
	ListAPIKeys(ctx context.Context, tenantID string) ([]APIKey, error)
	// RevokeAPIKey marks a key revoked; ErrNotFound if no live key has that id.
	RevokeAPIKey(ctx context.Context, id string, at time.Time) error

	CreateOrganization(ctx context.Context, o Organization) error
	GetOrganization(ctx context.Context, tenantID, uniqueID string) (Organization, error)
	ListOrganizations(ctx context.Context, tenantID string) ([]Organization, error)

	// CreateUser returns ErrConflict when the email (case-insensitive) exists in the org.
	CreateUser(ctx context.Context, u User) error
	GetUser(ctx context.Context, tenantID, uniqueID string) (User, error)
	ListUsers(ctx context.Context, tenantID, organizationID string) ([]User, error)
	// UpdateUser rewrites the mutable fields of u (matched on tenant and unique id).
	UpdateUser(ctx context.Context, u User) error

	CreateAgent(ctx context.Context, a Agent) error
	// GetAgent finds a live agent by its agent_id, unique_id or voice_agent_id.
	GetAgent(ctx context.Context, tenantID, id string) (Agent, error)
	ListAgents(ctx context.Context, f AgentFilter) ([]Agent, error)
	// UpdateAgent rewrites every mutable field of a (matched on tenant and ID).
	UpdateAgent(ctx context.Context, a Agent) error
	// DeleteAgent soft-deletes a live agent; it disappears from every read.
	DeleteAgent(ctx context.Context, tenantID, id string, at time.Time) error

	CreateGroup(ctx context.Context, g ContactGroup) error
	// GetGroup returns a group of the tenant with TotalLeads counted.
	GetGroup(ctx context.Context, tenantID, id string) (ContactGroup, error)
	// FindGroup returns the group of this organization and creator with this exact name.
	FindGroup(ctx context.Context, tenantID, organizationID, userID, name string) (ContactGroup, error)
	// ImportLeads adds leads (all of one tenant and organization, distinct phones) to a group. A
	// lead whose phone matches a live lead of the organization merges into it (Lead.Merge)
	// instead of duplicating. It returns the leads as stored, in input order: merged ones carry
	// the existing lead's ids.
	ImportLeads(ctx context.Context, groupID string, leads []Lead) ([]Lead, error)
	// ListLeads returns a page of the leads f selects and how many it selects in all.
	ListLeads(ctx context.Context, f LeadFilter) ([]Lead, int, error)
	// DeleteLeads soft-deletes the tenant's live leads with these ids and removes them from
	// every group; unknown and already deleted ids are skipped. It returns how many it deleted.
	DeleteLeads(ctx context.Context, tenantID string, ids []string, at time.Time) (int, error)

	// CreateCampaign returns ErrConflict when the tenant already has c.ID.
	CreateCampaign(ctx context.Context, c Campaign) error
	// GetCampaign finds the tenant's campaign by its campaign_id, totals counted.
	GetCampaign(ctx context.Context, tenantID, campaignID string) (Campaign, error)
	// LookupCampaign is GetCampaign without the totals, whose counting grows with the
	// campaign; the conversation paths use it.
	LookupCampaign(ctx context.Context, tenantID, campaignID string) (Campaign, error)
	// ListCampaigns lists an organization's campaigns, newest first, optionally one user's.
	ListCampaigns(ctx context.Context, tenantID, organizationID, userID string) ([]Campaign, error)
	// AddThreads opens threads, skipping phones the campaign already has, and queues the first
	// messages of the threads it opened (matched on CampaignPK and Phone). It returns the
	// threads it opened.
	AddThreads(ctx context.Context, threads []Thread, first []Message) ([]Thread, error)
	// ClaimDue marks up to r.Limit queued outbound messages whose NotBefore has come as
	// sending, under r.Token, and returns them with the facts the send gate needs, oldest due
	// first. Up to r.Limit more, whose claim lease expired, are claimed again, flagged Reclaimed.
	ClaimDue(ctx context.Context, r ClaimRequest) ([]ClaimedMessage, error)
	// FinishSends records what became of messages claimed under token; a message no longer
	// claimed under it (reclaimed after a lease) is left alone, and so is an outcome with
	// status sending: its fate at the carrier is unknown, so it stays claimed until the lease
	// runs out and another dispatcher reconciles it.
	FinishSends(ctx context.Context, token string, outcomes []SendOutcome) error
	// ListMessages returns a page of a campaign's messages, newest first, and where it stands:
	// read back from the newest (or from f.Before), or forward in commit order from f.After or
	// f.Since.
	ListMessages(ctx context.Context, f MessageFilter) (MessageList, error)

	ConversationStore
	AIStore
	VoiceStore

	SandboxVoice() SandboxVoiceStore
}

// ClaimedMessage is a claimed outbound message with its thread's and campaign's state.
type ClaimedMessage struct {
	Message
	Owner          Owner
	CampaignStatus CampaignStatus
	LastInboundAt  *time.Time
	// OptedOut and DoNotContact are the recipient's suppressions in the organization.
	OptedOut     bool
	DoNotContact bool
	// Reclaimed marks a message whose previous claim expired: it may already be at the carrier.
	Reclaimed bool
	// ContactTimeZone, ContactState and ContactZip are the lead's own time_zone, state and
	// zip_code fields, which place the recipient more precisely than the number's area code.
	ContactTimeZone, ContactState, ContactZip string
}

// SendOutcome is what the dispatcher decided or the carrier answered for one claimed message.
// Status queued puts the message back with a new NotBefore (a gate wait).
type SendOutcome struct {
	MessageID string
	// CampaignPK is the message's campaign, whose completion the outcome may settle.
	CampaignPK string
	Status     MessageStatus
	Reason     string
	// ErrorCode is the carrier's error code for a refused send.
	ErrorCode  string
	NotBefore  time.Time
	Provider   string
	ProviderID string
	At         time.Time
}

// MessageFilter selects a page of one campaign's messages.
//
// A page is read one of two ways. Forward (After or Since set): the Limit messages committed
// next, oldest committed first, so that a poller resuming from the page's Resume never misses a
// message, not even one whose transaction committed after later ones (it is committed later, so
// it comes later). Forward pages hold only settled messages: none that a transaction still
// running could precede. Back (otherwise): the Limit newest messages strictly older than Before
// (from the newest when Before is zero), by creation time and then id, so that ties in time are
// never split across pages. Either way the page is returned newest first.
type MessageFilter struct {
	TenantID   string
	CampaignPK string
	// Phone, when set, keeps one thread's messages.
	Phone string
	// After reads forward from a page's Resume; it wins over Since.
	After CommitKey
	// Since reads forward from the messages created strictly after it.
	Since time.Time
	// Before reads back from a position: messages created before At, or at At with a smaller
	// id. A position without ID bounds the time alone.
	Before MessagePosition
	// Limit bounds the page; zero or less: every message.
	Limit int
}

// CommitKey is a message's place in the order its campaign's messages were committed. Only the
// store reads it; the zero value is before every message.
type CommitKey struct {
	Seq string
	ID  string
}

// MessagePosition is a message's place in creation order: its time, then its id.
type MessagePosition struct {
	At time.Time
	ID string
}

// MessageList is a page of messages, newest first, and where to read on from it.
type MessageList struct {
	Messages []Message
	// More reports that the direction read holds more messages than the page.
	More bool
	// Resume is where to read forward from next: after the page's last committed message, or,
	// when nothing is left to read forward, after every message settled so far. A read of every
	// message back (no Limit) is no page and leaves it zero.
	Resume CommitKey
	// Oldest is the position of the page's oldest message, for the page before it (zero when
	// the page is empty).
	Oldest MessagePosition
}

// AgentFilter selects agents of one organization, newest first.
type AgentFilter struct {
	TenantID       string
	OrganizationID string
	// CreatedBy, when set, keeps only agents created by that user.
	CreatedBy string
	// Type, when set, keeps only agents of that type.
	Type AgentType
}

// SandboxVoiceStore persists the sandbox voice platform's agents, numbers and calls, which stand
// where a real voice platform's account would.
type SandboxVoiceStore interface {
	SandboxCallStore
	// PutAgent inserts or replaces the record with this VoiceAgentID.
	PutAgent(ctx context.Context, a SandboxVoiceAgent) error
	GetAgent(ctx context.Context, voiceAgentID string) (SandboxVoiceAgent, error)
	// DeleteAgent removes the record; ErrNotFound if there was none.
	DeleteAgent(ctx context.Context, voiceAgentID string) error
}

// SandboxVoiceAgent is one agent held by the sandbox voice platform.
type SandboxVoiceAgent struct {
	VoiceAgentID string
	VoiceLLMID   string
	Config       json.RawMessage
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// JobArgs is a background job's payload. Its method set matches River's JobArgs, so job types
// defined in internal/jobargs satisfy both.
type JobArgs interface {
	Kind() string
}

// JobOpts tunes how a job is inserted.
type JobOpts struct {
	// UniqueByArgs makes inserting an identical pending job a no-op.
	UniqueByArgs bool
	// ScheduledAt delays the job until then (zero: run now).
	ScheduledAt time.Time
	// MaxAttempts overrides the default retry count when > 0.
	MaxAttempts int
}
