package calling

import (
	"context"
	"errors"
	"strings"

	"github.com/openteli/teli/internal/phone"
	"github.com/openteli/teli/internal/service"
	"github.com/openteli/teli/internal/teli"
)

// The sandbox phone: with the sandbox voice platform, a person plays the other end of a call
// (says something, hangs up) or calls one of the tenant's numbers. These are the lookups those
// controls need; the platform does the rest.

// FindCall returns the tenant's call by our call id or by its id on the platform, so that the
// sandbox controls take either.
func (s *Service) FindCall(ctx context.Context, c service.Caller, id string) (teli.Call, error) {
	id = strings.TrimSpace(id)
	call, err := s.store.GetCall(ctx, c.TenantID, id)
	if errors.Is(err, teli.ErrNotFound) {
		call, err = s.store.CallByPlatformID(ctx, s.platform.Name(), id)
		if err == nil && call.TenantID != c.TenantID {
			err = teli.ErrNotFound // another tenant's call is not found, as everywhere
		}
	}
	if errors.Is(err, teli.ErrNotFound) {
		return teli.Call{}, errCallNotFound
	}
	return call, err
}

// InboundTarget checks a sandbox person's call to one of the tenant's numbers before it is
// dialled: both numbers are valid, and to is a live voice number of the tenant.
func (s *Service) InboundTarget(ctx context.Context, c service.Caller, rawFrom, rawTo string) (from, to string, err error) {
	if strings.TrimSpace(rawFrom) == "" || strings.TrimSpace(rawTo) == "" {
		return "", "", teli.Invalid("from and to required")
	}
	if from, err = phone.Normalize(service.LenientPlus(rawFrom)); err != nil {
		return "", "", teli.Invalid("from: %v", err)
	}
	if to, err = phone.Normalize(service.LenientPlus(rawTo)); err != nil {
		return "", "", teli.Invalid("to: %v", err)
	}
	if _, err := s.liveNumber(ctx, c, to); err != nil {
		return "", "", err
	}
	return from, to, nil
}

// CallByPlatformID returns the call the platform knows by this id, in the caller's tenant.
func (s *Service) CallByPlatformID(ctx context.Context, c service.Caller, platformCallID string) (teli.Call, error) {
	call, err := s.store.CallByPlatformID(ctx, s.platform.Name(), platformCallID)
	if errors.Is(err, teli.ErrNotFound) || err == nil && call.TenantID != c.TenantID {
		return teli.Call{}, errCallNotFound
	}
	return call, err
}

// AgentPlatformIDs maps our agent ids to their ids on the voice platform, for the agents of
// these campaigns (an agent deleted since maps to "").
func (s *Service) AgentPlatformIDs(ctx context.Context, c service.Caller, camps []teli.VoiceCampaign) (map[string]string, error) {
	ids := make([]string, len(camps))
	for i, camp := range camps {
		ids[i] = camp.AgentID
	}
	return s.PlatformAgentIDs(ctx, c, ids...)
}

// PlatformAgentIDs maps our agent ids to the voice platform's ids of those agents, which are the
// ids the hosted API shows (agent_…); an agent deleted since, or none (""), maps to "".
func (s *Service) PlatformAgentIDs(ctx context.Context, c service.Caller, agentIDs ...string) (map[string]string, error) {
	out := map[string]string{}
	for _, id := range agentIDs {
		if _, seen := out[id]; seen || id == "" {
			out[id] = out[id]
			continue
		}
		a, err := s.store.GetAgent(ctx, c.TenantID, id)
		switch {
		case errors.Is(err, teli.ErrNotFound):
			out[id] = ""
		case err != nil:
			return nil, err
		case a.Voice != nil:
			out[id] = a.Voice.VoiceAgentID
		default:
			out[id] = ""
		}
	}
	return out, nil
}
