package calling

import (
	"context"
	"errors"
	"strings"

	"github.com/openteli/teli/internal/phone"
	"github.com/openteli/teli/internal/service"
	"github.com/openteli/teli/internal/teli"
	"github.com/openteli/teli/internal/voice"
)

// NumberInput is a request to provision a voice number.
type NumberInput struct {
	AreaCode       *string `json:"area_code"`
	UserID         *string `json:"user_id"`
	OrganizationID *string `json:"organization_id"`
	Nickname       *string `json:"nickname"`
}

// Provisioned is a number provisioned: as stored, and as the platform gave it.
type Provisioned struct {
	Number   teli.VoiceNumber
	Platform voice.Number
}

// CreateNumber provisions a number in the area code on the voice platform, owned by the user.
// Provisioning is instant; a number the store then refuses is released again at once.
func (s *Service) CreateNumber(ctx context.Context, c service.Caller, in NumberInput) (Provisioned, error) {
	if service.Missing(in.AreaCode, in.UserID) {
		return Provisioned{}, teli.Invalid("area_code and user_id required")
	}
	if service.Missing(in.OrganizationID) {
		return Provisioned{}, teli.Invalid("organization_id required")
	}
	owner, err := s.access.Member(ctx, c, service.Trim(in.OrganizationID), service.Trim(in.UserID))
	if err != nil {
		return Provisioned{}, err
	}
	area := service.Trim(in.AreaCode)
	if !validAreaCode(area) {
		return Provisioned{}, teli.Invalid("area_code must be a 3-digit US or Canadian area code, such as \"313\"")
	}
	num, err := s.platform.ProvisionNumber(ctx, voice.NumberRequest{AreaCode: area, Nickname: service.Trim(in.Nickname)})
	if err != nil {
		return Provisioned{}, upstream("provision a number in area code "+area, err)
	}
	n := teli.VoiceNumber{
		ID: s.ids.UUID(), TenantID: c.TenantID, OrganizationID: owner.OrganizationID, UserID: owner.UniqueID,
		PhoneNumber: num.PhoneNumber, AreaCode: area, Nickname: service.Trim(in.Nickname), Type: num.Type,
		CreatedAt: s.clock.Now(),
	}
	if err := s.store.CreateVoiceNumber(ctx, n); err != nil {
		// Give the number back rather than keep paying for one nobody can reach.
		if rerr := s.platform.ReleaseNumber(context.WithoutCancel(ctx), num.PhoneNumber); rerr != nil {
			s.log.Warn("calling: a provisioned number could not be stored nor released", "err", rerr)
		}
		return Provisioned{}, err
	}
	return Provisioned{Number: n, Platform: num}, nil
}

// validAreaCode reports whether a is a NANP area code: three digits, the first 2–9, the second
// not 9.
func validAreaCode(a string) bool {
	return len(a) == 3 && a[0] >= '2' && a[0] <= '9' && a[1] >= '0' && a[1] <= '8' && a[2] >= '0' && a[2] <= '9'
}

// ListNumbers lists an organization's live voice numbers: the user's own, or every number of
// the organization for a verified admin. phone_type sms lists nothing: SMS sending numbers are
// given per campaign (teli_sms_number), not held here.
func (s *Service) ListNumbers(ctx context.Context, c service.Caller, sc service.ListScope, phoneType string) ([]teli.VoiceNumber, error) {
	switch strings.ToLower(strings.TrimSpace(phoneType)) {
	case "", "voice":
	case "sms":
		if _, err := s.access.Owner(ctx, c, sc); err != nil {
			return nil, err
		}
		return []teli.VoiceNumber{}, nil
	default:
		return nil, teli.Invalid("phone_type must be voice or sms")
	}
	owner, err := s.access.Owner(ctx, c, sc)
	if err != nil {
		return nil, err
	}
	return s.store.ListVoiceNumbers(ctx, teli.VoiceNumberFilter{
		TenantID: c.TenantID, OrganizationID: strings.TrimSpace(sc.OrganizationID), UserID: owner,
	})
}

// Optional is a request field that may be absent, or present and null or empty (which clear).
type Optional struct {
	Set   bool
	Value string
}

// NumberUpdate binds agents to a number and names it; at least one field is set.
type NumberUpdate struct {
	InboundAgentID  Optional
	OutboundAgentID Optional
	Nickname        Optional
}

// UpdateNumber binds the inbound and outbound agents of a live number and sets its nickname,
// on the platform first and then here, so a platform failure changes nothing.
func (s *Service) UpdateNumber(ctx context.Context, c service.Caller, rawPhone string, in NumberUpdate) (teli.VoiceNumber, error) {
	if !in.InboundAgentID.Set && !in.OutboundAgentID.Set && !in.Nickname.Set {
		return teli.VoiceNumber{}, teli.Invalid("inbound_agent_id, outbound_agent_id or nickname required")
	}
	n, err := s.liveNumber(ctx, c, rawPhone)
	if err != nil {
		return n, err
	}
	next := n
	bind := map[string]*string{}
	for field, set := range map[string]struct {
		in  Optional
		out *string
	}{
		"inbound_agent_id":  {in.InboundAgentID, &next.InboundAgentID},
		"outbound_agent_id": {in.OutboundAgentID, &next.OutboundAgentID},
	} {
		bind[field] = set.out
		if !set.in.Set {
			continue
		}
		*set.out = ""
		if id := strings.TrimSpace(set.in.Value); id != "" {
			a, err := s.voiceAgent(ctx, c, n.OrganizationID, id, field)
			if err != nil {
				return n, err
			}
			*set.out = a.ID
		}
	}
	if in.Nickname.Set {
		next.Nickname = strings.TrimSpace(in.Nickname.Value)
	}
	b := voice.Binding{Nickname: next.Nickname}
	if b.Inbound, err = s.agentRef(ctx, c, next.InboundAgentID); err != nil {
		return n, err
	}
	if b.Outbound, err = s.agentRef(ctx, c, next.OutboundAgentID); err != nil {
		return n, err
	}
	if err := s.platform.BindNumber(ctx, n.PhoneNumber, b); err != nil {
		return n, upstream("bind agents to "+n.PhoneNumber, err)
	}
	return next, s.store.UpdateVoiceNumber(ctx, next)
}

// agentRef is the platform reference of a bound agent; the zero Ref for none.
func (s *Service) agentRef(ctx context.Context, c service.Caller, agentID string) (voice.Ref, error) {
	if agentID == "" {
		return voice.Ref{}, nil
	}
	a, err := s.store.GetAgent(ctx, c.TenantID, agentID)
	if err != nil || a.Voice == nil {
		return voice.Ref{}, err
	}
	return refOf(a), nil
}

// liveNumber returns the tenant's live number, or "Phone number not found".
func (s *Service) liveNumber(ctx context.Context, c service.Caller, rawPhone string) (teli.VoiceNumber, error) {
	e164, err := phone.Normalize(service.LenientPlus(rawPhone))
	if err != nil {
		return teli.VoiceNumber{}, teli.NotFound("Phone number not found")
	}
	n, err := s.store.GetVoiceNumber(ctx, c.TenantID, e164)
	if errors.Is(err, teli.ErrNotFound) || err == nil && n.ReleasedAt != nil {
		return teli.VoiceNumber{}, teli.NotFound("Phone number not found")
	}
	return n, err
}

// Release is the outcome of a release: the number, and whether an earlier request had released
// it already.
type Release struct {
	Number          teli.VoiceNumber
	AlreadyReleased bool
}

// ReleaseNumber gives a number back to the platform and stops counting it; releasing it again
// answers as before with AlreadyReleased. The platform goes first: when it fails, the number
// stays live here, and the same request may be retried.
func (s *Service) ReleaseNumber(ctx context.Context, c service.Caller, rawPhone string) (Release, error) {
	e164, err := phone.Normalize(service.LenientPlus(rawPhone))
	if err != nil {
		return Release{}, teli.NotFound("Phone number not found")
	}
	n, err := s.store.GetVoiceNumber(ctx, c.TenantID, e164)
	if errors.Is(err, teli.ErrNotFound) {
		return Release{}, teli.NotFound("Phone number not found")
	}
	if err != nil {
		return Release{}, err
	}
	if n.ReleasedAt != nil {
		return Release{Number: n, AlreadyReleased: true}, nil
	}
	if err := s.platform.ReleaseNumber(ctx, n.PhoneNumber); err != nil {
		return Release{}, upstream("release "+n.PhoneNumber, err)
	}
	at := s.clock.Now()
	if err := s.store.ReleaseVoiceNumber(ctx, c.TenantID, n.PhoneNumber, at); err != nil && !errors.Is(err, teli.ErrNotFound) {
		return Release{}, err
	}
	n.ReleasedAt = &at
	return Release{Number: n}, nil
}
