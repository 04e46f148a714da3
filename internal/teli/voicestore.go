package teli

import (
	"context"
	"encoding/json"
	"time"
)

// VoiceStore persists voice numbers, voice campaigns with their leads, and calls. Every read of
// tenant data takes the tenant id; the two lookups an incoming webhook needs (LiveVoiceNumber,
// CallByPlatformID) are the exceptions, as RouteInbound is for messages.
type VoiceStore interface {
	// CreateVoiceNumber inserts n; ErrConflict when a live number has its phone number.
	CreateVoiceNumber(ctx context.Context, n VoiceNumber) error
	// GetVoiceNumber returns the tenant's number with this phone number: the live one, else the
	// most recently released one (ReleasedAt set), else ErrNotFound.
	GetVoiceNumber(ctx context.Context, tenantID, phone string) (VoiceNumber, error)
	// ListVoiceNumbers lists live numbers, oldest first.
	ListVoiceNumbers(ctx context.Context, f VoiceNumberFilter) ([]VoiceNumber, error)
	// UpdateVoiceNumber rewrites the agents and nickname of the tenant's live number n.PhoneNumber.
	UpdateVoiceNumber(ctx context.Context, n VoiceNumber) error
	// ReleaseVoiceNumber marks the tenant's live number released; ErrNotFound when none is live.
	ReleaseVoiceNumber(ctx context.Context, tenantID, phone string, at time.Time) error
	// LiveVoiceNumber finds the live number with this phone number in any tenant.
	LiveVoiceNumber(ctx context.Context, phone string) (VoiceNumber, error)
	// VoiceAgentInUse reports what keeps the tenant's agent from being deleted: a live number
	// bound to it, or an active or paused voice campaign calling with it ("" when nothing does).
	VoiceAgentInUse(ctx context.Context, tenantID, agentID string) (string, error)

	// CreateVoiceCampaign inserts a campaign, its leads and their first calls, atomically;
	// ErrConflict when the tenant has c.ID already (among campaigns not deleted).
	CreateVoiceCampaign(ctx context.Context, c VoiceCampaign, leads []VoiceLead, calls []Call) error
	// GetVoiceCampaign finds the tenant's campaign (not deleted) by campaign_id, with Progress.
	GetVoiceCampaign(ctx context.Context, tenantID, id string) (VoiceCampaign, error)
	// ListVoiceCampaigns lists an organization's campaigns, newest first, optionally one user's.
	ListVoiceCampaigns(ctx context.Context, tenantID, organizationID, userID string) ([]VoiceCampaign, error)
	// ChangeVoiceCampaignStatus moves a campaign from one of from to to; ErrConflict when it is
	// in none of them. Ending cancels its queued calls and settles its leads.
	ChangeVoiceCampaignStatus(ctx context.Context, tenantID, pk string, from []VoiceCampaignStatus, to VoiceCampaignStatus, at time.Time) error
	// DeleteVoiceCampaign deletes the campaign and its leads and cancels its queued calls; the
	// calls made stay in the call history.
	DeleteVoiceCampaign(ctx context.Context, tenantID, pk string, at time.Time) error
	// GetVoiceCampaignByPK finds the tenant's campaign (not deleted) by its internal key,
	// without Progress.
	GetVoiceCampaignByPK(ctx context.Context, tenantID, pk string) (VoiceCampaign, error)
	// RecordLeadAttempt counts a call placed to a lead (attempted) and, when settled, marks the
	// lead done; an active campaign whose every lead is settled becomes completed.
	RecordLeadAttempt(ctx context.Context, campaignPK, phone string, attempted, settled bool, at time.Time) error

	// InsertCalls writes calls (queued outbound ones wait in the outbox).
	InsertCalls(ctx context.Context, calls []Call) error
	// RecordInboundCall writes a call the platform started (an inbound call) unless one with
	// its platform call id exists; it reports whether it wrote.
	RecordInboundCall(ctx context.Context, c Call) (bool, error)
	// ClaimDueCalls claims up to r.Limit queued outbound calls whose NotBefore has come, and as
	// many whose claim lease expired (flagged Reclaimed), with the calling gate's facts, oldest
	// due first. SKIP LOCKED where the engine has it, like ClaimDue.
	ClaimDueCalls(ctx context.Context, r CallClaimRequest) ([]ClaimedCall, error)
	// FinishCalls records outcomes of calls still claimed under token; outcomes with status
	// placing are left claimed.
	FinishCalls(ctx context.Context, token string, outcomes []CallOutcome) error
	// ApplyCallUpdate moves the call with u's CallID (when set, also recording u's platform call
	// id on it), else with u's platform and platform call id, forward (CallRank) and fills what
	// u carries; a stale or repeated report changes nothing. It returns the call as stored and
	// whether it changed; ErrNotFound when no call has that platform id.
	ApplyCallUpdate(ctx context.Context, u CallUpdate) (Call, bool, error)
	// ClaimCallFollowUp marks the end of the tenant's call as followed up (redial, settlement,
	// extraction); it reports true only to the first claim, so a repeated report of a call's end
	// never sets anything off twice.
	ClaimCallFollowUp(ctx context.Context, tenantID, callID string, at time.Time) (bool, error)
	// StaleLiveCalls lists placed calls (dialing or ongoing, with a platform call id) last
	// updated before before, in any tenant, least recently updated first, at most limit: calls
	// whose end the platform may never have reported.
	StaleLiveCalls(ctx context.Context, before time.Time, limit int) ([]Call, error)
	// GetCall returns one call of the tenant.
	GetCall(ctx context.Context, tenantID, callID string) (Call, error)
	// CallByPlatformID finds a call by its platform's id, in any tenant.
	CallByPlatformID(ctx context.Context, platform, platformCallID string) (Call, error)
	// ListCalls returns the calls f selects, newest first.
	ListCalls(ctx context.Context, f CallFilter) ([]Call, error)
	// SaveCallExtraction stores a call's extraction.
	SaveCallExtraction(ctx context.Context, tenantID, callID string, e Extraction, at time.Time) error
	// ListCallExtractions returns a number's extracted calls in the tenant (optionally one
	// organization's), newest first, at most limit (all when ≤ 0).
	ListCallExtractions(ctx context.Context, tenantID, organizationID, phone string, limit int) ([]Call, error)
}

// SandboxNumber is a number held by the sandbox voice platform.
type SandboxNumber struct {
	PhoneNumber     string
	InboundAgentID  string // platform agent ids
	OutboundAgentID string
	Nickname        string
	CreatedAt       time.Time
}

// SandboxCall is a call placed or received by the sandbox voice platform, kept so that a lost
// answer to a placed call can be looked up, and an interrupted simulation finished, after a
// restart.
type SandboxCall struct {
	// PlatformCallID is the sandbox's call id; CallID ours (teli.Call.ID), empty for inbound.
	PlatformCallID string
	CallID         string
	// Record is the platform's call object as it stands (the voice package's JSON of it).
	Record    json.RawMessage
	Finished  bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

// SandboxCallStore persists the sandbox voice platform's numbers and calls.
type SandboxCallStore interface {
	PutNumber(ctx context.Context, n SandboxNumber) error
	GetNumber(ctx context.Context, phone string) (SandboxNumber, error)
	// DeleteNumber removes it; ErrNotFound when there is none.
	DeleteNumber(ctx context.Context, phone string) error
	// PutCall inserts or replaces the call with c.PlatformCallID.
	PutCall(ctx context.Context, c SandboxCall) error
	GetCall(ctx context.Context, platformCallID string) (SandboxCall, error)
	// CallByOurID finds the call placed for our call id.
	CallByOurID(ctx context.Context, callID string) (SandboxCall, error)
	// UnfinishedCalls lists calls whose simulation has not finished, oldest first.
	UnfinishedCalls(ctx context.Context) ([]SandboxCall, error)
}
