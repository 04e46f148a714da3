package sandbox

import (
	"context"
	"errors"
	"fmt"
	"maps"

	"github.com/openteli/teli/internal/teli"
	"github.com/openteli/teli/internal/voice"
)

// newPlatformCallID mints the sandbox's call id: "sbx_call_" + 24 hex, never mistaken for our
// own call ids ("call_" + 27 hex).
func (p *Platform) newPlatformCallID() string { return "sbx_call_" + p.ids.Hex(24) }

// PlaceCall accepts an outbound call: from one of the sandbox's numbers, with one of its agents,
// to an E.164 number; anything else is refused (voice.ErrRejected). The call is stored as
// registered before PlaceCall returns, and placing the same CallID again returns the call
// already placed. It is simulated once Start runs.
func (p *Platform) PlaceCall(ctx context.Context, r voice.CallRequest) (voice.Placed, error) {
	if placed, found, err := p.placed(ctx, r.CallID); err != nil || found {
		return placed, err
	}
	if err := p.checkCall(ctx, r); err != nil {
		return voice.Placed{}, err
	}
	now := p.clock.Now()
	rec := record{
		PlatformCallID: p.newPlatformCallID(), CallType: "phone_call", AgentID: r.Agent.AgentID,
		Direction: teli.DirectionOutbound, From: r.From, To: r.To, Status: statusRegistered,
		Metadata: metadata{CallID: r.CallID}, Variables: maps.Clone(r.Variables), Sim: simulation{Step: stepDialing},
	}
	c := &call{rec: rec, created: now}

	p.gate.RLock()
	defer p.gate.RUnlock()
	if err := p.store.PutCall(ctx, c.stored(false, now)); err != nil {
		// A concurrent placing of the same call may have won the unique call id: that call is
		// the answer.
		if placed, found, ferr := p.placed(ctx, r.CallID); ferr == nil && found {
			return placed, nil
		}
		return voice.Placed{}, fmt.Errorf("sandbox voice: place call: %w", err)
	}
	if s := p.sim; s != nil {
		s.adopt(c)
	}
	return voice.Placed{PlatformCallID: rec.PlatformCallID}, nil
}

// placed finds the call already placed for our call id.
func (p *Platform) placed(ctx context.Context, callID string) (voice.Placed, bool, error) {
	if callID == "" {
		return voice.Placed{}, false, nil
	}
	c, err := p.store.CallByOurID(ctx, callID)
	switch {
	case errors.Is(err, teli.ErrNotFound):
		return voice.Placed{}, false, nil
	case err != nil:
		return voice.Placed{}, false, err
	}
	return voice.Placed{PlatformCallID: c.PlatformCallID}, true, nil
}

// checkCall refuses a call the sandbox could never place.
func (p *Platform) checkCall(ctx context.Context, r voice.CallRequest) error {
	if !isE164(r.To) {
		return fmt.Errorf("%w: to %q is not an E.164 number", voice.ErrRejected, r.To)
	}
	if _, err := p.store.GetNumber(ctx, r.From); errors.Is(err, teli.ErrNotFound) {
		return fmt.Errorf("%w: from %q is not a sandbox number", voice.ErrRejected, r.From)
	} else if err != nil {
		return err
	}
	if r.Agent.AgentID == "" {
		return fmt.Errorf("%w: no agent", voice.ErrRejected)
	}
	if _, err := p.store.GetAgent(ctx, r.Agent.AgentID); errors.Is(err, teli.ErrNotFound) {
		return fmt.Errorf("%w: agent %q is not a sandbox agent", voice.ErrRejected, r.Agent.AgentID)
	} else if err != nil {
		return err
	}
	return nil
}

// FindCall looks up the call placed for our call id.
func (p *Platform) FindCall(ctx context.Context, callID string) (voice.CallRecord, bool, error) {
	if callID == "" {
		return voice.CallRecord{}, false, nil
	}
	c, err := p.store.CallByOurID(ctx, callID)
	if errors.Is(err, teli.ErrNotFound) {
		return voice.CallRecord{}, false, nil
	}
	if err != nil {
		return voice.CallRecord{}, false, err
	}
	rec, err := decodeRecord(c)
	if err != nil {
		return voice.CallRecord{}, false, err
	}
	return rec.callRecord(), true, nil
}

// GetCall returns the call as stored; an unknown id is teli.ErrNotFound.
func (p *Platform) GetCall(ctx context.Context, platformCallID string) (voice.CallRecord, error) {
	c, err := p.store.GetCall(ctx, platformCallID)
	if err != nil {
		return voice.CallRecord{}, fmt.Errorf("sandbox voice: call %s: %w", platformCallID, err)
	}
	rec, err := decodeRecord(c)
	if err != nil {
		return voice.CallRecord{}, err
	}
	return rec.callRecord(), nil
}

// isE164 reports whether s is "+" and 8 to 15 digits, the first not 0 (no country code starts
// with 0).
func isE164(s string) bool {
	return len(s) >= 9 && len(s) <= 16 && s[0] == '+' && s[1] != '0' && isDigits(s[1:])
}
