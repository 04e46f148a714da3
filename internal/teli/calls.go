package teli

import (
	"encoding/json"
	"time"
)

// Voice calling: numbers on the voice platform, voice campaigns and their leads, and calls. An
// outbound call is a row written queued, like a message in the outbox, and placed by the call
// dispatcher once the calling gate lets it through; the platform then reports its progress.

// VoiceNumber is a phone number provisioned on the voice platform, owned by one user.
type VoiceNumber struct {
	// ID is a UUID.
	ID             string
	TenantID       string
	OrganizationID string
	UserID         string
	// PhoneNumber is E.164; it is unique among live numbers.
	PhoneNumber string
	AreaCode    string
	Nickname    string
	// Type is the platform's provider identifier ("teli-voice-twilio", "sandbox").
	Type string
	// InboundAgentID answers calls to the number; OutboundAgentID is used when the number is a
	// campaign's caller id. Both are our agent ids (Agent.ID), empty when unset.
	InboundAgentID  string
	OutboundAgentID string
	CreatedAt       time.Time
	// ReleasedAt is set once the number is released (a soft delete).
	ReleasedAt *time.Time
}

// VoiceNumberFilter selects an organization's live voice numbers, oldest first.
type VoiceNumberFilter struct {
	TenantID       string
	OrganizationID string
	// UserID, when set, keeps one user's numbers.
	UserID string
}

// VoiceCampaignStatus is where a voice campaign stands (lower-case on the wire).
type VoiceCampaignStatus string

// Voice campaign statuses.
const (
	VoiceCampaignActive    VoiceCampaignStatus = "active"
	VoiceCampaignPaused    VoiceCampaignStatus = "paused"
	VoiceCampaignCompleted VoiceCampaignStatus = "completed"
	VoiceCampaignEnded     VoiceCampaignStatus = "ended"
)

// Redial is a voice campaign's retry policy: a lead whose call did not connect (no answer,
// busy, failed) is called again, at most RetryLimit more times, IntervalDays apart.
type Redial struct {
	Enabled      bool `json:"redial_enabled"`
	RetryLimit   int  `json:"retry_limit"`
	IntervalDays int  `json:"call_interval_days"`
}

// VoiceCampaign calls its leads with one voice agent.
type VoiceCampaign struct {
	// PK is the internal key; ID is the client's campaign_id, unique per tenant.
	PK             string
	ID             string
	TenantID       string
	OrganizationID string
	UserID         string
	// AgentID is our voice agent's id (Agent.ID).
	AgentID string
	// CallerNumber is the default caller id; NumberPool, when set, is rotated through instead.
	CallerNumber string
	NumberPool   []string
	BeginAt      time.Time
	EndAt        time.Time
	Redial       Redial
	Status       VoiceCampaignStatus
	CreatedAt    time.Time
	ModifiedAt   time.Time
	// Progress is counted on read: Total leads, Completed (settled: called, or no further call
	// will be made), Pending (Total − Completed).
	Progress VoiceProgress
}

// VoiceProgress counts a voice campaign's leads.
type VoiceProgress struct {
	Total     int `json:"total"`
	Completed int `json:"completed"`
	Pending   int `json:"pending"`
}

// VoiceLead is one lead of a voice campaign: whom to call and the dynamic variables the agent
// speaks with ({{first_name}} and every custom field).
type VoiceLead struct {
	CampaignPK string
	Phone      string
	Variables  map[string]string
	// Attempts counts the calls placed to the lead; Settled is set once no further call will
	// be made (connected, blocked, expired, out of retries, campaign ended).
	Attempts int
	Settled  bool
}

// CallStatus is where a call stands. A queued call waits in the outbox; dialing is the platform's
// "registered" (accepted, ringing); ongoing and ended are the platform's; not_connected is a dial
// that failed (no answer, busy, invalid number); blocked, expired and canceled are the calling
// gate's or the campaign's refusals, and such a call was never placed.
type CallStatus string

// Call statuses.
const (
	CallQueued       CallStatus = "queued"
	CallPlacing      CallStatus = "placing" // claimed by a dispatcher; its fate at the platform may be unknown
	CallDialing      CallStatus = "dialing"
	CallOngoing      CallStatus = "ongoing"
	CallEnded        CallStatus = "ended"
	CallNotConnected CallStatus = "not_connected"
	CallError        CallStatus = "error"
	CallBlocked      CallStatus = "blocked"
	CallExpired      CallStatus = "expired"
	CallCanceled     CallStatus = "canceled"
)

// Live reports whether a call in status s may still be talking to its lead (or about to).
func (s CallStatus) Live() bool {
	return s == CallPlacing || s == CallDialing || s == CallOngoing
}

// Call directions.
const (
	DirectionOutbound = "outbound"
	DirectionInbound  = "inbound"
)

// Call purposes: why an outbound call exists.
const (
	CallPurposeCampaign   = "campaign"     // a voice campaign's call to a lead
	CallPurposeSingle     = "single"       // POST /v1/voice/calls, outside a campaign
	CallPurposeSMSToVoice = "sms_to_voice" // the SMS agent asked for a call
)

// NewCallID mints a call id in the platform's format: "call_" + 27 hex characters.
func NewCallID(ids IDSource) string { return "call_" + ids.Hex(27) }

// Call is one phone call, outbound or inbound.
type Call struct {
	// ID is "call_" + 27 hex characters.
	ID             string
	TenantID       string
	OrganizationID string
	UserID         string
	// CampaignPK is the voice campaign's for a campaign call; SMSCampaignPK the SMS campaign's
	// for an SMS-to-voice call; both empty otherwise.
	CampaignPK    string
	SMSCampaignPK string
	// AgentID is our voice agent (Agent.ID); VoiceAgentID its id on the platform.
	AgentID      string
	VoiceAgentID string
	Direction    string
	Purpose      string
	From         string
	To           string
	// Lead is the other party's number: To for an outbound call, From for an inbound one.
	Lead      string
	Status    CallStatus
	Reason    string
	Attempt   int
	NotBefore time.Time
	// ExpiresAt bounds when the call may still be placed (a campaign's end time).
	ExpiresAt *time.Time
	// Variables are the dynamic variables the agent speaks with.
	Variables map[string]string
	// Platform names the voice platform; PlatformCallID its call id, once it accepted the call.
	Platform       string
	PlatformCallID string
	StartedAt      *time.Time
	EndedAt        *time.Time
	DurationMS     int64
	// DisconnectionReason is the platform's (user_hangup, dial_no_answer, voicemail_reached, …).
	DisconnectionReason string
	Transcript          string
	// TranscriptObject is the platform's array of {role, content, words}.
	TranscriptObject json.RawMessage
	Analysis         *CallAnalysis
	// Cost is the platform's call_cost object; RecordingURL its recording.
	Cost         json.RawMessage
	RecordingURL string
	// Extraction is what the agent's extraction fields found in the transcript.
	Extraction  *Extraction
	ExtractedAt *time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// CallAnalysis is the platform's post-call analysis.
type CallAnalysis struct {
	Summary       string         `json:"call_summary"`
	InVoicemail   bool           `json:"in_voicemail"`
	UserSentiment string         `json:"user_sentiment"`
	Successful    bool           `json:"call_successful"`
	Custom        map[string]any `json:"custom_analysis_data,omitempty"`
}

// CallFilter selects an organization's calls, newest first by start (then creation) time.
type CallFilter struct {
	TenantID       string
	OrganizationID string
	// UserID, AgentID, Direction, Statuses, Lead narrow the selection when set.
	UserID    string
	AgentID   string
	Direction string
	Statuses  []CallStatus
	Lead      string
	// Sentiment and Successful filter on the analysis.
	Sentiment  string
	Successful *bool
	// After and Before bound the start (else creation) time strictly.
	After, Before time.Time
	Limit         int
}

// CallClaimRequest asks for due queued calls, and calls whose claim lease expired, like
// ClaimRequest does for messages.
type CallClaimRequest struct {
	Now   time.Time
	Limit int
	Token string
	// LeaseExpiredBefore, when set, takes back placing calls claimed before it.
	LeaseExpiredBefore time.Time
}

// ClaimedCall is a claimed call with the facts the calling gate needs.
type ClaimedCall struct {
	Call
	// CampaignStatus and CampaignEndAt are the voice campaign's (empty and zero outside one).
	CampaignStatus VoiceCampaignStatus
	CampaignBegin  time.Time
	CampaignEndAt  time.Time
	// OptedOut and DoNotContact are the lead's suppressions in the organization.
	OptedOut     bool
	DoNotContact bool
	// LiveToLead counts the other live calls to the same lead in the organization.
	LiveToLead int
	// LiveFromNumber and LiveInCampaign count live calls from the same caller number and in the
	// same campaign, for the concurrency limits.
	LiveFromNumber int
	LiveInCampaign int
	// Reclaimed marks a call whose previous claim expired: the platform may have it already.
	Reclaimed bool
}

// CallOutcome is what the call dispatcher decided, or the platform answered, for a claimed call.
// Status queued puts it back with a new NotBefore (a gate wait); dialing records the platform's
// acceptance (PlatformCallID); placing leaves it claimed (fate unknown, reconciled after the lease).
type CallOutcome struct {
	CallID         string
	Status         CallStatus
	Reason         string
	NotBefore      time.Time
	Platform       string
	PlatformCallID string
	At             time.Time
}

// CallUpdate is what a platform reported of a call (a webhook, or a lookup): it moves the call
// forward and never back (CallRank), and fills what the report carries. An update without a
// Status (or with one no platform reports) only fills fields that are still empty.
type CallUpdate struct {
	// CallID, when set, names the call by our id (a platform that carries it in the call's
	// metadata); else Platform and PlatformCallID name it.
	CallID              string
	Platform            string
	PlatformCallID      string
	Status              CallStatus
	StartedAt           *time.Time
	EndedAt             *time.Time
	DurationMS          int64
	DisconnectionReason string
	Transcript          string
	TranscriptObject    json.RawMessage
	Analysis            *CallAnalysis
	Cost                json.RawMessage
	RecordingURL        string
	At                  time.Time
}

// CallRank orders call states along a call's life, so that a report arriving late or twice never
// moves a call backwards.
func CallRank(s CallStatus) int {
	switch s {
	case CallQueued:
		return 0
	case CallPlacing:
		return 1
	case CallDialing:
		return 2
	case CallOngoing:
		return 3
	case CallEnded, CallNotConnected, CallError:
		return 4
	}
	return 5 // blocked, expired, canceled: never placed, never changed by a report
}
