package calling

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/openteli/teli/internal/phone"
	"github.com/openteli/teli/internal/placeholders"
	"github.com/openteli/teli/internal/service"
	"github.com/openteli/teli/internal/teli"
	"github.com/openteli/teli/internal/work"
)

// Call history paging.
const (
	DefaultCallLimit = 50
	MaxCallLimit     = 100
)

// SingleCallValidity is how long a single call may wait to be placed (another call to the same
// person still live, say) before it is dropped as stale: a person trying an agent expects their
// phone to ring now, not in an hour.
const SingleCallValidity = 15 * time.Minute

var errCallNotFound = teli.NotFound("Call not found")

// Wire call statuses the history shows besides ours: the platform's name for a call it accepted
// that has not started yet.
const wireRegistered = "registered"

// WireStatus is a call's call_status on the wire: the platform's names (registered, ongoing,
// ended, not_connected, error) for calls it has, ours (queued, blocked, expired, canceled) for
// calls it never got.
func WireStatus(s teli.CallStatus) string {
	switch s {
	case teli.CallPlacing:
		return string(teli.CallQueued)
	case teli.CallDialing:
		return wireRegistered
	}
	return string(s)
}

// statusesOf reads call_status: one status, or several separated by commas; "all" (or "")
// keeps every status.
func statusesOf(raw string) ([]teli.CallStatus, error) {
	raw = strings.ToLower(strings.TrimSpace(raw))
	if raw == "all" {
		return nil, nil
	}
	var out []teli.CallStatus
	for part := range strings.SplitSeq(raw, ",") {
		switch s := teli.CallStatus(strings.TrimSpace(part)); s {
		case teli.CallQueued:
			out = append(out, teli.CallQueued, teli.CallPlacing)
		case wireRegistered, teli.CallDialing:
			out = append(out, teli.CallDialing)
		case teli.CallOngoing, teli.CallEnded, teli.CallNotConnected, teli.CallError, teli.CallBlocked, teli.CallExpired, teli.CallCanceled:
			out = append(out, s)
		default:
			return nil, teli.Invalid("call_status must be ended, ongoing, error, registered, not_connected, queued, blocked, expired, canceled or all, not %q", part)
		}
	}
	return out, nil
}

// CallQuery is the query of GET /v1/voice/calls, as sent.
type CallQuery struct {
	Scope     service.ListScope
	AgentID   string
	Status    string // default "ended"
	Direction string
	Sentiment string
	Success   string
	After     string
	Before    string
	Limit     string
}

// ListCalls returns call history, newest first by start time: the user's own calls, or the
// organization's for a verified admin.
func (s *Service) ListCalls(ctx context.Context, c service.Caller, q CallQuery) ([]teli.Call, error) {
	owner, err := s.access.Owner(ctx, c, q.Scope)
	if err != nil {
		return nil, err
	}
	f := teli.CallFilter{TenantID: c.TenantID, OrganizationID: strings.TrimSpace(q.Scope.OrganizationID), UserID: owner, Limit: DefaultCallLimit}
	status := q.Status
	if strings.TrimSpace(status) == "" {
		status = string(teli.CallEnded)
	}
	if f.Statuses, err = statusesOf(status); err != nil {
		return nil, err
	}
	switch d := strings.ToLower(strings.TrimSpace(q.Direction)); d {
	case "", teli.DirectionInbound, teli.DirectionOutbound:
		f.Direction = d
	default:
		return nil, teli.Invalid("direction must be inbound or outbound")
	}
	if id := strings.TrimSpace(q.AgentID); id != "" {
		// The agent's id, unique_id or platform id: the history stores ours.
		a, err := s.store.GetAgent(ctx, c.TenantID, id)
		switch {
		case errors.Is(err, teli.ErrNotFound):
			f.AgentID = id // a deleted agent's calls stay in the history under its id
		case err != nil:
			return nil, err
		default:
			f.AgentID = a.ID
		}
	}
	if v := strings.TrimSpace(q.Sentiment); v != "" {
		f.Sentiment = ""
		for _, known := range []string{"Positive", "Negative", "Neutral", "Unknown"} {
			if strings.EqualFold(v, known) {
				f.Sentiment = known
			}
		}
		if f.Sentiment == "" {
			return nil, teli.Invalid("user_sentiment must be Positive, Negative, Neutral or Unknown")
		}
	}
	if v := strings.TrimSpace(q.Success); v != "" {
		b, err := service.ParseBool("call_successful", v)
		if err != nil {
			return nil, err
		}
		f.Successful = &b
	}
	if v := strings.TrimSpace(q.After); v != "" {
		if f.After, err = parseTime("after_date", v); err != nil {
			return nil, err
		}
	}
	if v := strings.TrimSpace(q.Before); v != "" {
		if f.Before, err = parseTime("before_date", v); err != nil {
			return nil, err
		}
	}
	if v := strings.TrimSpace(q.Limit); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxCallLimit {
			return nil, teli.Invalid("limit must be a whole number from 1 to %d", MaxCallLimit)
		}
		f.Limit = n
	}
	return s.store.ListCalls(ctx, f)
}

// CallDetail is a call with the agent that made or took it (nil once the agent is deleted).
type CallDetail struct {
	Call  teli.Call
	Agent *teli.Agent
}

// GetCall returns one call of the tenant with its agent.
func (s *Service) GetCall(ctx context.Context, c service.Caller, callID string) (CallDetail, error) {
	call, err := s.store.GetCall(ctx, c.TenantID, strings.TrimSpace(callID))
	if errors.Is(err, teli.ErrNotFound) {
		return CallDetail{}, errCallNotFound
	}
	if err != nil {
		return CallDetail{}, err
	}
	d := CallDetail{Call: call}
	if call.AgentID != "" {
		if a, err := s.store.GetAgent(ctx, c.TenantID, call.AgentID); err == nil {
			d.Agent = &a
		} else if !errors.Is(err, teli.ErrNotFound) {
			return d, err
		}
	}
	return d, nil
}

// SingleCallInput is the body of POST /v1/voice/calls: one call outside any campaign.
type SingleCallInput struct {
	FromNumber     *string           `json:"from_number"`
	ToNumber       *string           `json:"to_number"`
	VoiceAgentID   *string           `json:"voice_agent_id"`
	OrganizationID *string           `json:"organization_id"`
	UserID         *string           `json:"user_id"`
	Variables      map[string]string `json:"dynamic_variables"`
	// RetellVariables is the platform's own name for the variables, accepted as well.
	RetellVariables map[string]string `json:"retell_llm_dynamic_variables"`
}

// PlaceSingleCall queues one call from a voice number of the tenant to a person, with a voice
// agent, and has it placed at once: consent and one live call per person hold as for every
// call, the calling window does not (a person calls their own phone to try an agent).
func (s *Service) PlaceSingleCall(ctx context.Context, c service.Caller, in SingleCallInput) (teli.Call, error) {
	if service.Missing(in.FromNumber, in.ToNumber, in.VoiceAgentID) {
		return teli.Call{}, teli.Invalid("from_number, to_number and voice_agent_id required")
	}
	from, err := phone.Normalize(service.LenientPlus(*in.FromNumber))
	if err != nil {
		return teli.Call{}, teli.Invalid("from_number: %v", err)
	}
	to, err := phone.Normalize(service.LenientPlus(*in.ToNumber))
	if err != nil {
		return teli.Call{}, teli.Invalid("to_number: %v", err)
	}
	num, err := s.store.GetVoiceNumber(ctx, c.TenantID, from)
	if errors.Is(err, teli.ErrNotFound) || err == nil && num.ReleasedAt != nil {
		return teli.Call{}, teli.Invalid("from_number %s is not a voice number of this tenant; provision one with POST /v1/voice/phone-numbers/create", from)
	}
	if err != nil {
		return teli.Call{}, err
	}
	orgID, userID := num.OrganizationID, num.UserID
	if !service.Missing(in.OrganizationID) || !service.Missing(in.UserID) {
		if service.Missing(in.OrganizationID, in.UserID) {
			return teli.Call{}, teli.Invalid("organization_id and user_id go together")
		}
		u, err := s.access.Member(ctx, c, service.Trim(in.OrganizationID), service.Trim(in.UserID))
		if err != nil {
			return teli.Call{}, err
		}
		if u.OrganizationID != num.OrganizationID {
			return teli.Call{}, teli.Invalid("from_number %s belongs to another organization", from)
		}
		orgID, userID = u.OrganizationID, u.UniqueID
	}
	agent, err := s.voiceAgent(ctx, c, orgID, service.Trim(in.VoiceAgentID), "voice_agent_id")
	if err != nil {
		return teli.Call{}, err
	}
	given := map[string]string{}
	for _, m := range []map[string]string{in.RetellVariables, in.Variables} {
		for k, v := range m {
			given[k] = teli.CleanText(v)
		}
	}
	vars := placeholders.LeadVars(given)
	vars["phone_number"] = to
	now := s.clock.Now()
	expires := now.Add(SingleCallValidity)
	call := teli.Call{
		ID: s.newCallID(), TenantID: c.TenantID, OrganizationID: orgID, UserID: userID,
		AgentID: agent.ID, VoiceAgentID: agent.Voice.VoiceAgentID, Direction: teli.DirectionOutbound,
		Purpose: teli.CallPurposeSingle, From: from, To: to, Lead: to, Status: teli.CallQueued, Attempt: 1,
		NotBefore: now, ExpiresAt: &expires, Variables: vars, Platform: s.platform.Name(),
		CreatedAt: now, UpdatedAt: now,
	}
	return call, s.work.InTx(ctx, func(tx *work.Tx) error { return tx.QueueCalls(ctx, call) })
}

// CallExtraction is a call's extraction, with the fields its agent asks for.
type CallExtraction struct {
	Call   teli.Call
	Fields []string
}

// GetCallExtraction returns what the agent's extraction found in a call's transcript; the
// extraction is nil until the call has ended and been read.
func (s *Service) GetCallExtraction(ctx context.Context, c service.Caller, callID string) (CallExtraction, error) {
	d, err := s.GetCall(ctx, c, callID)
	if err != nil {
		return CallExtraction{}, err
	}
	return CallExtraction{Call: d.Call, Fields: fieldNames(d.Agent)}, nil
}

// fieldNames lists an agent's extraction fields.
func fieldNames(a *teli.Agent) []string {
	names := []string{}
	if a != nil {
		for _, f := range a.ExtractionFields {
			names = append(names, f.Name)
		}
	}
	return names
}

// PhoneQuery is the query of GET /v1/voice/extractions/phone/{phone_number}.
type PhoneQuery struct {
	OrganizationID string
	Limit          string
}

// PhoneExtractions is every extracted call with one number, newest first.
type PhoneExtractions struct {
	Phone string
	Calls []CallExtraction
}

// ListPhoneExtractions returns the extracted calls with a number in the tenant (optionally one
// organization's), newest first, at most limit (default 50, at most 100).
func (s *Service) ListPhoneExtractions(ctx context.Context, c service.Caller, rawPhone string, q PhoneQuery) (PhoneExtractions, error) {
	num, err := phone.Normalize(service.LenientPlus(rawPhone))
	if err != nil {
		return PhoneExtractions{}, teli.Invalid("phone_number: %v", err)
	}
	limit := DefaultCallLimit
	if v := strings.TrimSpace(q.Limit); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxCallLimit {
			return PhoneExtractions{}, teli.Invalid("limit must be a whole number from 1 to %d", MaxCallLimit)
		}
		limit = n
	}
	orgID := strings.TrimSpace(q.OrganizationID)
	if orgID != "" {
		if _, err := s.access.Organization(ctx, c, orgID); err != nil {
			return PhoneExtractions{}, err
		}
	}
	calls, err := s.store.ListCallExtractions(ctx, c.TenantID, orgID, num, limit)
	if err != nil {
		return PhoneExtractions{}, err
	}
	out := PhoneExtractions{Phone: num, Calls: make([]CallExtraction, len(calls))}
	agents := map[string]*teli.Agent{}
	for i, call := range calls {
		a, seen := agents[call.AgentID]
		if !seen {
			if got, err := s.store.GetAgent(ctx, c.TenantID, call.AgentID); err == nil {
				a = &got
			}
			agents[call.AgentID] = a
		}
		out.Calls[i] = CallExtraction{Call: call, Fields: fieldNames(a)}
	}
	return out, nil
}
