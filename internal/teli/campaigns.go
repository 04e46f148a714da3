package teli

import (
	"strings"
	"time"
	"unicode/utf8"
)

// CampaignStatus is an SMS campaign's lifecycle state, as the list and get endpoints spell it.
type CampaignStatus string

// Campaign states. A launch is ACTIVE at once (the create response says "processing" while
// starting messages are queued); COMPLETED once every lead got its starting message or was
// skipped; PAUSED and ENDED by the lifecycle endpoints.
const (
	CampaignActive    CampaignStatus = "ACTIVE"
	CampaignPaused    CampaignStatus = "PAUSED"
	CampaignCompleted CampaignStatus = "COMPLETED"
	CampaignEnded     CampaignStatus = "ENDED"
)

// MaxClientIDLength is the longest id a client may choose (a campaign's campaign_id). The
// spec's ids are about 30 characters ({seconds}x{18 digits}).
const MaxClientIDLength = 100

// clientIDPunctuation is what an id a client chooses may hold besides ASCII letters and digits:
// the unreserved characters of a URL path, and the space of the spec's own example ("json
// test").
const clientIDPunctuation = " ._~-"

// CheckClientID checks an id a client chooses, named field in the error. Such an id is part of
// URL paths (/v1/campaigns/{campaign_id}/…) and of thread ids ({phone}_{campaign_id}), so it is
// 1 to MaxClientIDLength letters, digits, spaces and . _ ~ -: a '/' would make it unreachable,
// and other characters would need escaping in every client that builds those paths.
func CheckClientID(field, id string) error {
	if id == "" {
		return Invalid("%s must not be empty", field)
	}
	if n := utf8.RuneCountInString(id); n > MaxClientIDLength {
		return Invalid("%s is %d characters; at most %d are allowed", field, n, MaxClientIDLength)
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune(clientIDPunctuation, r)) {
			return Invalid("%s may hold only letters, digits, spaces and . _ ~ -, not %q", field, r)
		}
	}
	return nil
}

// CampaignSettings are a campaign's optional settings, stored as one document.
type CampaignSettings struct {
	ObjectivePrompt        string            `json:"objective_prompt,omitempty"`
	EnableSMSToVoice       bool              `json:"enable_sms_to_voice"`
	VoiceAgentID           string            `json:"voice_agent_id,omitempty"`
	OutboundNumber         string            `json:"outbound_number,omitempty"`
	DryRun                 bool              `json:"dry_run"`
	EnableNumberValidation bool              `json:"enable_number_validation"`
	MMSMediaURL            string            `json:"mms_media_url,omitempty"`
	FollowupInterval       int               `json:"followup_interval"`
	CustomFollowUp         string            `json:"custom_follow_up,omitempty"`
	ExtractionFields       []ExtractionField `json:"extraction_fields,omitempty"`
}

// InvalidLead is a contact a launch could not use, with the reason kept.
type InvalidLead struct {
	Row    int    `json:"row"`
	Phone  string `json:"phone_number"`
	Reason string `json:"reason"`
}

// Campaign is an SMS campaign: an SMS agent, a sending number and its leads' threads.
type Campaign struct {
	// PK is the internal key; ID is the caller's campaign_id, unique within the tenant.
	PK             string
	ID             string
	TenantID       string
	OrganizationID string
	UserID         string
	AgentID        string
	FromNumber     string
	Name           string
	Status         CampaignStatus
	Settings       CampaignSettings
	InvalidLeads   []InvalidLead
	CreatedAt      time.Time
	ModifiedAt     time.Time

	// Computed on read by GetCampaign and ListCampaigns.
	TotalContacts int
	TotalMessages int
}

// Owner says who speaks on a thread. A thread starts AI-owned; a human takeover is for good.
type Owner string

// Thread owners.
const (
	OwnerAI    Owner = "ai"
	OwnerHuman Owner = "human"
)

// Thread is one lead's conversation inside one campaign. Its public id is
// "{phone}_{campaign_id}".
type Thread struct {
	CampaignPK     string
	Phone          string
	TenantID       string
	OrganizationID string
	CampaignID     string
	LeadID         string
	Owner          Owner
	AssignedUserID string
	LeadOutcome    string
	// Vars are the lead's template variables as of the launch.
	Vars           map[string]string
	LastInboundAt  *time.Time
	LastOutboundAt *time.Time
	CreatedAt      time.Time

	// AIState says why the agent is not answering, when it is not.
	AIState AIState
	// Extraction is the latest extraction (nil: none yet), taken at ExtractedAt.
	Extraction  *Extraction
	ExtractedAt *time.Time
	// VoiceRequest is the agent's request to call the contact, if it made one.
	VoiceRequest *VoiceRequest

	// DripStep is the index of the thread's next follow-up step. DripDelay is how long after
	// the thread's last outbound message that step is due (nil: no step left, or the sequence
	// stopped); DripDueAt is when, once that message went out.
	DripStep  int
	DripDelay *time.Duration
	DripDueAt *time.Time
}

// ThreadID is the thread's id as the API shows it.
func (t Thread) ThreadID() string { return t.Phone + "_" + t.CampaignID }

// MessageStatus is where a message is in the outbox and beyond.
type MessageStatus string

// Message states. queued → sending (claimed by a dispatcher) → sent → delivered | undelivered |
// failed; a gate refusal ends in blocked, expired or canceled; inbound messages are received.
const (
	MessageQueued      MessageStatus = "queued"
	MessageSending     MessageStatus = "sending"
	MessageSent        MessageStatus = "sent"
	MessageDelivered   MessageStatus = "delivered"
	MessageUndelivered MessageStatus = "undelivered"
	MessageFailed      MessageStatus = "failed"
	MessageBlocked     MessageStatus = "blocked"
	MessageExpired     MessageStatus = "expired"
	MessageCanceled    MessageStatus = "canceled"
	MessageReceived    MessageStatus = "received"
)

// Message senders, as the thread-messages endpoint names them.
const (
	SenderAgent     = "agent"
	SenderDrip      = "drip"
	SenderBroadcast = "broadcast"
	SenderHuman     = "human"
	SenderContact   = "contact"
	SenderSystem    = "system"
)

// Message is one SMS of a thread, in either direction. Outbound messages are written queued
// and sent by the dispatcher through the send gate.
type Message struct {
	ID             string
	TenantID       string
	OrganizationID string
	CampaignPK     string
	// Phone is the contact's number: with CampaignPK it names the thread.
	Phone        string
	Inbound      bool
	Sender       string
	Purpose      Purpose
	SentByUserID string
	From         string
	To           string
	Body         string
	MediaURL     string
	Status       MessageStatus
	// Reason says why a message is blocked, expired, canceled or failed.
	Reason    string
	Segments  int
	Encoding  string
	NotBefore time.Time
	// ExpiresAt is when an unsent message goes stale (nil: never).
	ExpiresAt  *time.Time
	Provider   string
	ProviderID string
	ErrorCode  string
	CreatedAt  time.Time
	UpdatedAt  time.Time
}
