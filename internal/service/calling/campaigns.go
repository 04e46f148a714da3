package calling

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/openteli/teli/internal/contacts"
	"github.com/openteli/teli/internal/phone"
	"github.com/openteli/teli/internal/placeholders"
	"github.com/openteli/teli/internal/service"
	"github.com/openteli/teli/internal/teli"
	"github.com/openteli/teli/internal/work"
)

// Campaign window defaults and bounds.
const (
	// DefaultCampaignLength is how long a campaign calls when it names no end time.
	DefaultCampaignLength = 7 * 24 * time.Hour
	// MaxRetryLimit bounds redial_config.retry_limit, MaxIntervalDays its call_interval_days.
	MaxRetryLimit   = 10
	MaxIntervalDays = 30
	// MaxVoiceLeads bounds the leads of one request.
	MaxVoiceLeads = 100000
)

var errCampaignNotFound = teli.NotFound("Campaign not found")

// CampaignInput is the body of POST /v1/voice/campaigns.
type CampaignInput struct {
	Leads               *[]json.RawMessage `json:"leads"`
	VoiceAgentID        *string            `json:"voice_agent_id"`
	AgentOutboundNumber *string            `json:"agent_outbound_number"`
	OrganizationID      *string            `json:"organization_id"`
	UserID              *string            `json:"user_id"`
	CampaignID          *string            `json:"campaign_id"`
	NumberPool          json.RawMessage    `json:"number_pool"`
	CampaignBeginTime   *string            `json:"campaign_begin_time"`
	CampaignEndTime     *string            `json:"campaign_end_time"`
	RedialEnabled       *bool              `json:"redial_enabled"`
	RedialConfig        *struct {
		RetryLimit       *int `json:"retry_limit"`
		CallIntervalDays *int `json:"call_interval_days"`
	} `json:"redial_config"`
}

// CampaignLaunch is what creating a voice campaign did.
type CampaignLaunch struct {
	Campaign teli.VoiceCampaign
	// Leads counts the valid leads (each has a call queued); Invalid the refused ones.
	Leads   int
	Invalid []teli.InvalidLead
}

// CreateCampaign creates a voice campaign: each valid lead is stored with its dynamic variables
// and gets a call queued in the call outbox, due at the campaign's begin time and void after its
// end; the call dispatcher places each once the calling gate lets it. Everything commits in one
// transaction. Leads flagged do_not_call join the organization's do-not-contact list instead.
func (s *Service) CreateCampaign(ctx context.Context, c service.Caller, in CampaignInput) (CampaignLaunch, error) {
	switch {
	case service.Missing(in.VoiceAgentID):
		return CampaignLaunch{}, teli.Invalid("Missing Agent ID")
	case service.Missing(in.AgentOutboundNumber):
		return CampaignLaunch{}, teli.Invalid("Missing Phone Number")
	case in.Leads == nil || len(*in.Leads) == 0:
		return CampaignLaunch{}, teli.Invalid("Missing Leads")
	case service.Missing(in.OrganizationID):
		return CampaignLaunch{}, teli.Invalid("organization_id required")
	case service.Missing(in.UserID):
		return CampaignLaunch{}, teli.Invalid("user_id required")
	case len(*in.Leads) > MaxVoiceLeads:
		return CampaignLaunch{}, teli.Invalid("leads holds %d entries; at most %d are allowed per request", len(*in.Leads), MaxVoiceLeads)
	}
	owner, err := s.access.Member(ctx, c, service.Trim(in.OrganizationID), service.Trim(in.UserID))
	if err != nil {
		return CampaignLaunch{}, err
	}
	agent, err := s.voiceAgent(ctx, c, owner.OrganizationID, service.Trim(in.VoiceAgentID), "voice_agent_id")
	if err != nil {
		return CampaignLaunch{}, err
	}
	id := "voice_campaign_" + s.ids.Hex(12)
	if in.CampaignID != nil && strings.TrimSpace(*in.CampaignID) != "" {
		id = strings.TrimSpace(*in.CampaignID)
		if err := teli.CheckClientID("campaign_id", id); err != nil {
			return CampaignLaunch{}, err
		}
	}
	caller, err := s.callerNumber(ctx, c, owner.OrganizationID, "agent_outbound_number", service.Trim(in.AgentOutboundNumber))
	if err != nil {
		return CampaignLaunch{}, err
	}
	pool, err := s.numberPool(ctx, c, owner.OrganizationID, in.NumberPool)
	if err != nil {
		return CampaignLaunch{}, err
	}
	now := s.clock.Now()
	begin, end, err := campaignWindow(now, in.CampaignBeginTime, in.CampaignEndTime)
	if err != nil {
		return CampaignLaunch{}, err
	}
	redial, err := redialOf(in)
	if err != nil {
		return CampaignLaunch{}, err
	}
	camp := teli.VoiceCampaign{
		PK: s.ids.UniqueID(), ID: id, TenantID: c.TenantID, OrganizationID: owner.OrganizationID,
		UserID: owner.UniqueID, AgentID: agent.ID, CallerNumber: caller, NumberPool: pool,
		BeginAt: begin, EndAt: end, Redial: redial, Status: teli.VoiceCampaignActive,
		CreatedAt: now, ModifiedAt: now,
	}
	parsed := contacts.ParseJSON(*in.Leads)
	launch := CampaignLaunch{Campaign: camp}
	for _, r := range parsed.Rejected {
		launch.Invalid = append(launch.Invalid, teli.InvalidLead{Row: r.Row, Phone: r.Phone, Reason: r.Reason})
	}
	var leads []teli.VoiceLead
	var calls []teli.Call
	var dnc []contacts.Contact
	for _, ct := range parsed.Contacts {
		if ct.DoNotCall {
			launch.Invalid = append(launch.Invalid, teli.InvalidLead{Row: ct.Row, Phone: ct.Phone, Reason: "do_not_call"})
			dnc = append(dnc, ct)
			continue
		}
		vars := placeholders.LeadVars(ct.Vars())
		leads = append(leads, teli.VoiceLead{CampaignPK: camp.PK, Phone: ct.Phone, Variables: vars})
		calls = append(calls, s.campaignCall(camp, agent, ct.Phone, vars, len(calls), 1, begin))
	}
	if len(leads) == 0 {
		return CampaignLaunch{}, noValidLeads(launch.Invalid)
	}
	launch.Leads = len(leads)
	launch.Campaign.Progress = teli.VoiceProgress{Total: len(leads), Pending: len(leads)}
	err = s.work.InTx(ctx, func(tx *work.Tx) error {
		if err := tx.CreateVoiceCampaign(ctx, camp, leads, calls); err != nil {
			if errors.Is(err, teli.ErrConflict) {
				return teli.Invalid("Campaign %s already exists", camp.ID)
			}
			return err
		}
		for _, ct := range dnc {
			if _, err := tx.Suppress(ctx, teli.Suppression{
				TenantID: camp.TenantID, OrganizationID: camp.OrganizationID, Phone: ct.Phone,
				Kind: teli.SuppressDoNotContact, Source: "lead", UserID: camp.UserID,
				Detail: "do_not_call in voice campaign " + camp.ID, At: now,
			}); err != nil {
				return err
			}
		}
		return tx.DispatchCalls(ctx)
	})
	if err != nil {
		return CampaignLaunch{}, err
	}
	return launch, nil
}

// campaignCall is call attempt number attempt to a campaign lead, the i-th of its batch (which
// picks its caller number from the pool), due at notBefore.
func (s *Service) campaignCall(camp teli.VoiceCampaign, agent teli.Agent, lead string, vars map[string]string, i, attempt int, notBefore time.Time) teli.Call {
	from := camp.CallerNumber
	if len(camp.NumberPool) > 0 {
		from = camp.NumberPool[(i+attempt-1)%len(camp.NumberPool)]
	}
	now := s.clock.Now()
	end := camp.EndAt
	return teli.Call{
		ID: s.newCallID(), TenantID: camp.TenantID, OrganizationID: camp.OrganizationID, UserID: camp.UserID,
		CampaignPK: camp.PK, AgentID: agent.ID, VoiceAgentID: agent.Voice.VoiceAgentID,
		Direction: teli.DirectionOutbound, Purpose: teli.CallPurposeCampaign, From: from, To: lead, Lead: lead,
		Status: teli.CallQueued, Attempt: attempt, NotBefore: notBefore, ExpiresAt: &end, Variables: vars,
		Platform: s.platform.Name(), CreatedAt: now, UpdatedAt: now,
	}
}

// callerNumber checks that raw is a live voice number of the organization: a campaign calls only
// from numbers the tenant holds, never from a number it merely names.
func (s *Service) callerNumber(ctx context.Context, c service.Caller, orgID, field, raw string) (string, error) {
	e164, err := phone.Normalize(service.LenientPlus(raw))
	if err != nil {
		return "", teli.Invalid("%s: %v", field, err)
	}
	n, err := s.store.GetVoiceNumber(ctx, c.TenantID, e164)
	if errors.Is(err, teli.ErrNotFound) || err == nil && (n.ReleasedAt != nil || n.OrganizationID != orgID) {
		return "", teli.Invalid("%s %s is not a voice number of this organization; provision one with POST /v1/voice/phone-numbers/create", field, e164)
	}
	return e164, err
}

// numberPool reads number_pool: an array of {"phone_number": …} objects (or of plain numbers),
// each a live voice number of the organization, without repeats.
func (s *Service) numberPool(ctx context.Context, c service.Caller, orgID string, raw json.RawMessage) ([]string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, teli.Invalid(`number_pool must be an array of {"phone_number": "+1…"} objects`)
	}
	var pool []string
	for i, item := range items {
		var num string
		var obj struct {
			PhoneNumber string `json:"phone_number"`
		}
		if json.Unmarshal(item, &num) != nil {
			if err := json.Unmarshal(item, &obj); err != nil || obj.PhoneNumber == "" {
				return nil, teli.Invalid("number_pool[%d] must be an object with a phone_number", i)
			}
			num = obj.PhoneNumber
		}
		e164, err := s.callerNumber(ctx, c, orgID, fmt.Sprintf("number_pool[%d]", i), num)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(pool, e164) {
			pool = append(pool, e164)
		}
	}
	return pool, nil
}

// campaignWindow reads campaign_begin_time (default now) and campaign_end_time (default seven
// days after the begin time). A begin time in the past starts at once; the end must follow
// both the begin time and now.
func campaignWindow(now time.Time, beginRaw, endRaw *string) (begin, end time.Time, err error) {
	begin = now
	if t := service.Trim(beginRaw); t != "" {
		if begin, err = parseTime("campaign_begin_time", t); err != nil {
			return begin, end, err
		}
	}
	end = begin.Add(DefaultCampaignLength)
	if t := service.Trim(endRaw); t != "" {
		if end, err = parseTime("campaign_end_time", t); err != nil {
			return begin, end, err
		}
	}
	if !end.After(begin) {
		return begin, end, teli.Invalid("campaign_end_time must be after campaign_begin_time")
	}
	if !end.After(now) {
		return begin, end, teli.Invalid("campaign_end_time must be in the future")
	}
	return begin, end, nil
}

// parseTime reads an ISO-8601 time; one without a zone is UTC, as the platform writes them.
func parseTime(field, s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, teli.Invalid("%s must be an ISO-8601 time such as 2026-01-23T19:30:00Z, not %q", field, s)
}

// redialOf reads redial_enabled and redial_config; enabled without a config retries up to 3
// times a day apart.
func redialOf(in CampaignInput) (teli.Redial, error) {
	r := teli.Redial{Enabled: in.RedialEnabled != nil && *in.RedialEnabled, RetryLimit: 3, IntervalDays: 1}
	if in.RedialConfig != nil {
		if p := in.RedialConfig.RetryLimit; p != nil {
			if *p < 0 || *p > MaxRetryLimit {
				return r, teli.Invalid("redial_config.retry_limit must be between 0 and %d", MaxRetryLimit)
			}
			r.RetryLimit = *p
		}
		if p := in.RedialConfig.CallIntervalDays; p != nil {
			if *p < 0 || *p > MaxIntervalDays {
				return r, teli.Invalid("redial_config.call_interval_days must be between 0 and %d", MaxIntervalDays)
			}
			r.IntervalDays = *p
		}
	}
	if !r.Enabled {
		r.RetryLimit, r.IntervalDays = 0, 0
	}
	return r, nil
}

// noValidLeads is the error of a campaign whose every lead was refused; it creates nothing.
func noValidLeads(invalid []teli.InvalidLead) error {
	return service.NoneValid(invalid, "leads", "lead")
}

// lookupCampaign returns one of the tenant's voice campaigns by campaign_id.
func (s *Service) lookupCampaign(ctx context.Context, c service.Caller, id string) (teli.VoiceCampaign, error) {
	camp, err := s.store.GetVoiceCampaign(ctx, c.TenantID, strings.TrimSpace(id))
	if errors.Is(err, teli.ErrNotFound) {
		return camp, errCampaignNotFound
	}
	return camp, err
}

// GetCampaign returns a voice campaign with its progress.
func (s *Service) GetCampaign(ctx context.Context, c service.Caller, id string) (teli.VoiceCampaign, error) {
	return s.lookupCampaign(ctx, c, id)
}

// ListCampaigns lists an organization's voice campaigns, newest first: the user's own, or all
// of them for a verified admin.
func (s *Service) ListCampaigns(ctx context.Context, c service.Caller, sc service.ListScope) ([]teli.VoiceCampaign, error) {
	owner, err := s.access.Owner(ctx, c, sc)
	if err != nil {
		return nil, err
	}
	return s.store.ListVoiceCampaigns(ctx, c.TenantID, strings.TrimSpace(sc.OrganizationID), owner)
}

// PauseCampaign stops placing the campaign's calls; calls under way finish. Pausing a paused
// campaign answers as the first pause did.
func (s *Service) PauseCampaign(ctx context.Context, c service.Caller, id string) (teli.VoiceCampaign, error) {
	return s.changeStatus(ctx, c, id, teli.VoiceCampaignPaused, teli.VoiceCampaignActive)
}

// ResumeCampaign places the campaign's calls again, each still within its lead's window.
func (s *Service) ResumeCampaign(ctx context.Context, c service.Caller, id string) (teli.VoiceCampaign, error) {
	camp, err := s.changeStatus(ctx, c, id, teli.VoiceCampaignActive, teli.VoiceCampaignPaused)
	if err != nil {
		return camp, err
	}
	// Held calls wait out the pause's retry interval; a resume places them now.
	return camp, s.work.InTx(ctx, func(tx *work.Tx) error { return tx.DispatchCalls(ctx) })
}

// changeStatus moves a campaign to to from from; a campaign already at to is left as it is, one
// in another status (completed, ended) is a 409.
func (s *Service) changeStatus(ctx context.Context, c service.Caller, id string, to, from teli.VoiceCampaignStatus) (teli.VoiceCampaign, error) {
	camp, err := s.lookupCampaign(ctx, c, id)
	if err != nil || camp.Status == to {
		return camp, err
	}
	err = s.store.ChangeVoiceCampaignStatus(ctx, c.TenantID, camp.PK, []teli.VoiceCampaignStatus{from}, to, s.clock.Now())
	if errors.Is(err, teli.ErrConflict) {
		return camp, &teli.Error{Code: teli.CodeWrongState, Message: fmt.Sprintf("Campaign %s is %s and cannot be %s", camp.ID, camp.Status, verbOf(to))}
	}
	if err != nil {
		return camp, err
	}
	camp.Status = to
	return camp, nil
}

// verbOf names the change to a status, for the error of a change refused.
func verbOf(to teli.VoiceCampaignStatus) string {
	if to == teli.VoiceCampaignPaused {
		return "paused"
	}
	return "resumed"
}

// DeleteCampaign deletes a voice campaign and its leads; its queued calls are canceled, calls
// under way finish, and the call history stays.
func (s *Service) DeleteCampaign(ctx context.Context, c service.Caller, id string) (teli.VoiceCampaign, error) {
	camp, err := s.lookupCampaign(ctx, c, id)
	if err != nil {
		return camp, err
	}
	err = s.store.DeleteVoiceCampaign(ctx, c.TenantID, camp.PK, s.clock.Now())
	if errors.Is(err, teli.ErrNotFound) {
		return camp, errCampaignNotFound
	}
	return camp, err
}
