package teli

import (
	"context"
	"time"
)

// AIState says why the agent is not answering a thread it owns; empty while it answers.
type AIState string

// AI states of a thread.
const (
	AIAnswering AIState = ""
	// AIWaitingForHuman: a message came that the agent would answer, but no language model is
	// configured. A person should answer; nothing is dropped.
	AIWaitingForHuman AIState = "waiting_for_human"
	// AILoopDetected: the contact's side looks like an auto-responder; the agent stopped.
	AILoopDetected AIState = "loop_detected"
	// AIDailyCapReached: the agent sent its most messages for this thread for the day.
	AIDailyCapReached AIState = "daily_cap_reached"
)

// Lead outcomes, as extraction and the thread endpoints name them.
const (
	OutcomeQualified     = "qualified"
	OutcomeNotInterested = "not_interested"
	OutcomeDNC           = "dnc"
	OutcomeTransferred   = "transferred"
	OutcomePending       = "pending"
)

// Extraction is what the model read out of a thread's conversation.
type Extraction struct {
	Fields            map[string]string `json:"extracted_fields"`
	LeadOutcome       string            `json:"lead_outcome"`
	ObjectiveMet      bool              `json:"objective_met"`
	DoNotMessage      bool              `json:"do_not_message"`
	CallTransferred   bool              `json:"call_transferred"`
	CallScheduled     bool              `json:"call_scheduled"`
	CallScheduledTime string            `json:"call_scheduled_time"`
}

// VoiceRequest records that the agent asked to continue a thread by phone (SMS-to-voice).
type VoiceRequest struct {
	VoiceAgentID   string    `json:"voice_agent_id"`
	OutboundNumber string    `json:"outbound_number"`
	Reason         string    `json:"reason"`
	RequestedAt    time.Time `json:"requested_at"`
}

// AIStore keeps the agent's state on threads.
type AIStore interface {
	// SetAIState records why the agent is not answering a thread (AIAnswering clears it).
	SetAIState(ctx context.Context, tenantID, campaignPK, phone string, s AIState) error
	// SaveExtraction stores a thread's latest extraction and sets its lead outcome from it.
	SaveExtraction(ctx context.Context, tenantID, campaignPK, phone string, e Extraction, at time.Time) error
	// ClaimReply marks the burst ending with inboundID as answered by the agent; false when it
	// already was, so that two writers of one answer never both send it.
	ClaimReply(ctx context.Context, tenantID, campaignPK, phone, inboundID string) (bool, error)
	// SaveVoiceRequest records the agent's request to call the contact.
	SaveVoiceRequest(ctx context.Context, tenantID, campaignPK, phone string, r VoiceRequest) error
	// ListExtractions returns the tenant's threads of a number that have an extraction, most
	// recently extracted first.
	ListExtractions(ctx context.Context, tenantID, phone string) ([]Thread, error)

	// ClaimDueDrips takes up to limit AI-owned threads whose next follow-up is due at now,
	// clearing their due time so no other sweep takes them, and returns them. Inside InTx the
	// claim commits with what the caller does with it.
	ClaimDueDrips(ctx context.Context, now time.Time, limit int) ([]Thread, error)
	// AdvanceDrip moves a thread to follow-up step, due delay after its next outbound message
	// (nil: no step left).
	AdvanceDrip(ctx context.Context, tenantID, campaignPK, phone string, step int, delay *time.Duration) error
}
