package calling

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/openteli/teli/internal/extraction"
	"github.com/openteli/teli/internal/jobargs"
	"github.com/openteli/teli/internal/teli"
	"github.com/openteli/teli/internal/voice"
	"github.com/openteli/teli/internal/work"
)

// MinRedialGap is the least time between a call that did not connect and its redial, for a
// campaign whose call_interval_days is 0.
const MinRedialGap = 15 * time.Minute

// notConnected are the platform's disconnection reasons of a dial that reached nobody: a call
// "ended" for one of them did not connect.
var notConnected = map[string]bool{
	"dial_no_answer": true, "dial_busy": true, "dial_failed": true, "invalid_destination": true,
	"telephony_provider_permission_denied": true, "telephony_provider_unavailable": true,
	"sip_routing_error": true, "registered_call_timeout": true, "concurrency_limit_reached": true,
	"no_valid_payment": true, "marked_as_spam": true, "user_declined": true,
}

// notRedialed are the reasons of a call that did not connect and must not be tried again: the
// number cannot be reached, the person declined, or the call was flagged. Every other call that
// did not connect (no answer, busy, a failed dial, a platform error) may be redialed.
var notRedialed = map[string]bool{
	"invalid_destination": true, "telephony_provider_permission_denied": true, "no_valid_payment": true,
	"marked_as_spam": true, "user_declined": true, "scam_detected": true,
}

// statusOf is our status of a call the platform reports: its own status, except that a call
// "ended" by a failed dial did not connect.
func statusOf(e voice.Event) teli.CallStatus {
	rec := e.Call
	switch rec.Status {
	case "registered":
		if e.Kind == voice.EventStarted {
			return teli.CallOngoing
		}
		return teli.CallDialing
	case "ongoing":
		return teli.CallOngoing
	case "not_connected":
		return teli.CallNotConnected
	case "error":
		return teli.CallError
	case "ended":
		if notConnected[rec.DisconnectionReason] {
			return teli.CallNotConnected
		}
		return teli.CallEnded
	}
	switch e.Kind {
	case voice.EventStarted:
		return teli.CallOngoing
	case voice.EventEnded, voice.EventAnalyzed:
		return teli.CallEnded
	}
	return teli.CallDialing
}

// final reports whether a call in status s is over.
func final(s teli.CallStatus) bool { return teli.CallRank(s) >= teli.CallRank(teli.CallEnded) }

// CallEvent records what the platform reported of a call, in one transaction with what a call's
// end sets off: the lead's redial or settlement, and the extraction of the transcript. A report
// that arrives twice, or after a later one, changes nothing; the follow-up of a call's end is
// claimed once, so a repeated call_ended never redials twice.
func (s *Service) CallEvent(ctx context.Context, platform string, e voice.Event) error {
	rec := e.Call
	if rec.PlatformCallID == "" {
		return teli.Invalid("the call event carries no call id")
	}
	u := teli.CallUpdate{
		Platform: platform, PlatformCallID: rec.PlatformCallID, CallID: rec.CallID, Status: statusOf(e),
		StartedAt: rec.StartedAt, EndedAt: rec.EndedAt, DurationMS: rec.DurationMS,
		DisconnectionReason: rec.DisconnectionReason, Transcript: rec.Transcript,
		TranscriptObject: rec.TranscriptObject, Analysis: rec.Analysis, Cost: rec.Cost,
		RecordingURL: rec.RecordingURL, At: s.clock.Now(),
	}
	return s.work.InTx(ctx, func(tx *work.Tx) error {
		call, _, err := tx.ApplyCallUpdate(ctx, u)
		if errors.Is(err, teli.ErrNotFound) {
			if rec.Direction != teli.DirectionInbound {
				// A call we never placed: nothing of ours to update, and nothing to retry.
				s.log.Warn("calling: a report of an unknown outbound call", "platform", platform, "platform_call_id", rec.PlatformCallID)
				return nil
			}
			if call, err = s.recordInbound(ctx, tx, platform, rec, u); err != nil || call.ID == "" {
				return err
			}
		} else if err != nil {
			return err
		}
		if !final(call.Status) {
			return nil
		}
		return s.followUp(ctx, tx, call)
	})
}

// recordInbound records an inbound call the platform reports for the first time, against the
// live number it reached, and applies the report to it.
func (s *Service) recordInbound(ctx context.Context, tx *work.Tx, platform string, rec voice.CallRecord, u teli.CallUpdate) (teli.Call, error) {
	num, err := tx.LiveVoiceNumber(ctx, rec.To)
	if errors.Is(err, teli.ErrNotFound) {
		s.log.Warn("calling: an inbound call to a number no tenant holds", "to", rec.To)
		return teli.Call{}, nil
	}
	if err != nil {
		return teli.Call{}, err
	}
	now := s.clock.Now()
	call := teli.Call{
		ID: s.newCallID(), TenantID: num.TenantID, OrganizationID: num.OrganizationID, UserID: num.UserID,
		Direction: teli.DirectionInbound, Purpose: teli.DirectionInbound, From: rec.From, To: rec.To,
		Lead: rec.From, Status: teli.CallDialing, Attempt: 1, NotBefore: now, Variables: rec.Variables,
		Platform: platform, PlatformCallID: rec.PlatformCallID, CreatedAt: now, UpdatedAt: now,
	}
	if a, err := tx.GetAgent(ctx, num.TenantID, rec.AgentID); err == nil && rec.AgentID != "" {
		call.AgentID, call.VoiceAgentID = a.ID, rec.AgentID
	} else if num.InboundAgentID != "" {
		if a, err := tx.GetAgent(ctx, num.TenantID, num.InboundAgentID); err == nil && a.Voice != nil {
			call.AgentID, call.VoiceAgentID = a.ID, a.Voice.VoiceAgentID
		}
	}
	if _, err := tx.RecordInboundCall(ctx, call); err != nil {
		return teli.Call{}, err
	}
	stored, _, err := tx.ApplyCallUpdate(ctx, u)
	return stored, err
}

// followUp does, once per call, what a call's end sets off: a campaign lead is redialed (a dial
// that reached nobody, within the campaign's retries and end) or settled, and a call with a
// transcript is read for the agent's extraction fields.
func (s *Service) followUp(ctx context.Context, tx *work.Tx, call teli.Call) error {
	first, err := tx.ClaimCallFollowUp(ctx, call.TenantID, call.ID, s.clock.Now())
	if err != nil || !first {
		return err
	}
	if call.CampaignPK != "" {
		if err := s.redialOrSettle(ctx, tx, call); err != nil {
			return err
		}
	}
	if strings.TrimSpace(call.Transcript) == "" && len(call.TranscriptObject) == 0 || s.model == nil {
		return nil
	}
	return work.Soon(ctx, tx, jobargs.AfterCall{TenantID: call.TenantID, CallID: call.ID},
		work.Opts{MaxAttempts: 5}, s.AfterCall)
}

// redialOrSettle queues the next call to a campaign lead whose call did not connect, when the
// campaign redials and has retries and time left; otherwise the lead is settled.
func (s *Service) redialOrSettle(ctx context.Context, tx *work.Tx, call teli.Call) error {
	camp, err := tx.GetVoiceCampaignByPK(ctx, call.TenantID, call.CampaignPK)
	if errors.Is(err, teli.ErrNotFound) {
		return nil // deleted: its leads are gone with it
	}
	if err != nil {
		return err
	}
	now := s.clock.Now()
	if next, ok := s.redial(camp, call, now); ok {
		agent, err := tx.GetAgent(ctx, camp.TenantID, camp.AgentID)
		if err == nil && agent.Voice != nil {
			redial := s.campaignCall(camp, agent, call.Lead, call.Variables, 0, call.Attempt+1, next)
			if i := indexOf(camp.NumberPool, call.From); i >= 0 {
				// The next number of the pool: a lead that does not pick up one number may
				// pick up another.
				redial.From = camp.NumberPool[(i+1)%len(camp.NumberPool)]
			}
			return tx.QueueCalls(ctx, redial)
		}
		if err != nil && !errors.Is(err, teli.ErrNotFound) {
			return err
		}
	}
	return tx.RecordLeadAttempt(ctx, camp.PK, call.Lead, false, true, now)
}

// redial decides whether a campaign call is tried again, and when: only a dial that reached
// nobody (no answer, busy, failed), never a call that connected (a conversation, a voicemail),
// at most retry_limit more times, call_interval_days apart, before the campaign's end.
func (s *Service) redial(camp teli.VoiceCampaign, call teli.Call, now time.Time) (time.Time, bool) {
	if !camp.Redial.Enabled || call.Attempt-1 >= camp.Redial.RetryLimit {
		return time.Time{}, false
	}
	if call.Status != teli.CallNotConnected && call.Status != teli.CallError || notRedialed[call.DisconnectionReason] {
		return time.Time{}, false
	}
	if camp.Status == teli.VoiceCampaignEnded {
		return time.Time{}, false
	}
	from := now
	if call.EndedAt != nil && call.EndedAt.After(from) {
		from = *call.EndedAt
	}
	next := from.Add(max(time.Duration(camp.Redial.IntervalDays)*24*time.Hour, MinRedialGap))
	if !next.Before(camp.EndAt) {
		return time.Time{}, false
	}
	return next, true
}

func indexOf(list []string, v string) int {
	for i, x := range list {
		if x == v {
			return i
		}
	}
	return -1
}

// AfterCall reads the agent's extraction fields, the lead's outcome and the call's judgement
// (successful, sentiment) out of an ended call's transcript with the extraction the SMS threads
// use, and stores them on the call. A "do not call" outcome, or a lead asking not to be
// contacted, puts the number on the organization's do-not-contact list. A call already read is
// left alone, so a job and its in-process run never both store.
func (s *Service) AfterCall(ctx context.Context, job jobargs.AfterCall) error {
	call, err := s.store.GetCall(ctx, job.TenantID, job.CallID)
	if errors.Is(err, teli.ErrNotFound) || err == nil && call.Extraction != nil || s.model == nil {
		return nil
	}
	if err != nil {
		return err
	}
	req := extraction.Request{Medium: extraction.Call, Turns: turnsOf(call)}
	if len(req.Turns) == 0 {
		return nil
	}
	if a, err := s.store.GetAgent(ctx, call.TenantID, call.AgentID); err == nil {
		req.Fields = a.ExtractionFields
	}
	res, err := extraction.Run(ctx, s.model, s.modelTimeout, req)
	if err != nil {
		return err
	}
	now := s.clock.Now()
	return s.work.InTx(ctx, func(tx *work.Tx) error {
		if err := tx.SaveCallExtraction(ctx, call.TenantID, call.ID, res.Extraction, now); err != nil {
			return err
		}
		if call.Analysis == nil {
			// The platform sent no analysis (the sandbox does not): the extraction's judgement
			// stands in, until a later analysis from the platform replaces it. One may have come
			// while the model read the transcript, so this update carries no status: the store
			// then fills only what is still empty, under the call's row lock, and the
			// platform's analysis is kept.
			an := &teli.CallAnalysis{
				Successful: res.CallSuccessful, UserSentiment: res.UserSentiment,
				InVoicemail: call.DisconnectionReason == "voicemail_reached",
			}
			if _, _, err := tx.ApplyCallUpdate(ctx, teli.CallUpdate{
				Platform: call.Platform, PlatformCallID: call.PlatformCallID, CallID: call.ID,
				Analysis: an, At: now,
			}); err != nil {
				return err
			}
		}
		if res.LeadOutcome != teli.OutcomeDNC && !res.DoNotMessage {
			return nil
		}
		_, err := tx.Suppress(ctx, teli.Suppression{
			TenantID: call.TenantID, OrganizationID: call.OrganizationID, Phone: call.Lead,
			Kind: teli.SuppressDoNotContact, Source: "ai",
			Detail: fmt.Sprintf("asked not to be contacted on call %s", call.ID), At: now,
		})
		return err
	})
}

// turnsOf is a call's transcript as turns: from the platform's transcript object when it has
// one, else from its "Agent: …" / "User: …" lines.
func turnsOf(call teli.Call) []extraction.Turn {
	var turns []extraction.Turn
	for _, u := range voice.Utterances(call.TranscriptObject, call.Transcript) {
		if text := strings.TrimSpace(u.Content); text != "" {
			turns = append(turns, extraction.Turn{Contact: u.Role == voice.RoleUser, Text: text})
		}
	}
	return turns
}

// AnswerInbound decides who answers a call arriving at one of our numbers: the number's inbound
// agent, with the caller's number as a dynamic variable. A call to a number without an inbound
// agent is recorded, and not answered.
func (s *Service) AnswerInbound(ctx context.Context, platform string, in voice.InboundCall) (voice.InboundAnswer, error) {
	num, err := s.store.LiveVoiceNumber(ctx, in.To)
	if errors.Is(err, teli.ErrNotFound) {
		return voice.InboundAnswer{}, nil
	}
	if err != nil {
		return voice.InboundAnswer{}, err
	}
	if num.InboundAgentID != "" {
		a, err := s.store.GetAgent(ctx, num.TenantID, num.InboundAgentID)
		if err == nil && a.Voice != nil && a.Voice.VoiceAgentID != "" {
			return voice.InboundAnswer{Agent: refOf(a), Variables: map[string]string{"phone_number": in.From}}, nil
		}
		if err != nil && !errors.Is(err, teli.ErrNotFound) {
			return voice.InboundAnswer{}, err
		}
	}
	now := s.clock.Now()
	_, err = s.store.RecordInboundCall(ctx, teli.Call{
		ID: s.newCallID(), TenantID: num.TenantID, OrganizationID: num.OrganizationID, UserID: num.UserID,
		Direction: teli.DirectionInbound, Purpose: teli.DirectionInbound, From: in.From, To: in.To,
		Lead: in.From, Status: teli.CallNotConnected, Reason: "no_inbound_agent", Attempt: 1,
		NotBefore: now, Platform: platform, CreatedAt: now, UpdatedAt: now,
	})
	return voice.InboundAnswer{}, err
}
