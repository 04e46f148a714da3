// Package calls is the call lane of the outbox (package outbox): it claims due outbound calls in
// batches, holds each to the calling gate (gate.DecideCall) at the moment it would be placed,
// places the survivors on the voice platform, and records every outcome. A call is placed exactly
// once: a call whose placing was interrupted (the process died, the platform's answer was lost)
// stays claimed until its lease runs out, and the dispatcher that takes it over asks the platform
// for it (voice.Calls.FindCall) before placing anything.
package calls

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/openteli/teli/internal/gate"
	"github.com/openteli/teli/internal/outbox"
	"github.com/openteli/teli/internal/quiethours"
	"github.com/openteli/teli/internal/teli"
	"github.com/openteli/teli/internal/voice"
)

// retryDelay is how long a call waits after the platform refused it for a reason that may pass.
const retryDelay = 30 * time.Second

// ReasonRejected is the reason of a call the platform refused for good (voice.ErrRejected).
const ReasonRejected = "platform_rejected"

// Store is what the dispatcher reads and writes (teli.Store does).
type Store interface {
	ClaimDueCalls(ctx context.Context, r teli.CallClaimRequest) ([]teli.ClaimedCall, error)
	FinishCalls(ctx context.Context, token string, outcomes []teli.CallOutcome) error
	RecordLeadAttempt(ctx context.Context, campaignPK, phone string, attempted, settled bool, at time.Time) error
}

// Platform places calls (voice.Telephony does).
type Platform interface {
	voice.Calls
	Name() string
}

// Limits bound the live calls: per caller number and per campaign (zero: no bound).
type Limits struct {
	PerNumber   int
	PerCampaign int
}

// Dispatcher places due calls.
type Dispatcher struct {
	Store    Store
	Platform Platform
	Clock    teli.Clock
	Log      *slog.Logger
	Limits   Limits
	// Wake schedules another dispatch at a time when held calls become due.
	Wake func(ctx context.Context, at time.Time) error
	// Lease is how long a claim holds (see dispatch.Dispatcher.Lease); PlatformTimeout bounds one
	// platform call, so that a call being placed is never taken over.
	Lease           time.Duration
	PlatformTimeout time.Duration
	// BatchSize and Concurrency default to the outbox's.
	BatchSize   int
	Concurrency int
}

// Run places calls until nothing is due, or until outbox.MaxRun has passed. It returns the
// number of calls placed, and whether it stopped with work left.
func (d *Dispatcher) Run(ctx context.Context) (placed int, more bool, err error) {
	r := outbox.Runner[teli.ClaimedCall, outcome]{
		Lane: lane{d}, Clock: d.Clock, BatchSize: d.BatchSize, Concurrency: d.Concurrency, Wake: d.Wake,
	}
	return r.Run(ctx)
}

// outcome is a call's outcome and the lead it was for, whose attempts it may count.
type outcome struct {
	teli.CallOutcome
	campaignPK, lead string
}

// lane is the outbox lane of outbound calls.
type lane struct{ d *Dispatcher }

func (l lane) Claim(ctx context.Context, token string, now time.Time, limit int) ([]teli.ClaimedCall, error) {
	req := teli.CallClaimRequest{Now: now, Limit: limit, Token: token}
	if l.d.Lease > 0 {
		req.LeaseExpiredBefore = now.Add(-l.d.Lease)
	}
	return l.d.Store.ClaimDueCalls(ctx, req)
}

// Decide holds a claimed call to the calling gate.
func (l lane) Decide(now time.Time, c teli.ClaimedCall) (outcome, bool) {
	out := outcome{
		CallOutcome: teli.CallOutcome{CallID: c.ID, NotBefore: c.NotBefore, At: now},
		campaignPK:  c.CampaignPK, lead: c.Lead,
	}
	dec := gate.DecideCall(l.d.facts(now, c))
	switch dec.Verdict {
	case gate.Send:
		return out, true
	case gate.Wait:
		out.Status, out.Reason, out.NotBefore = teli.CallQueued, dec.Reason, dec.Until
	case gate.Expire:
		out.Status, out.Reason = teli.CallExpired, dec.Reason
	case gate.Cancel:
		out.Status, out.Reason = teli.CallCanceled, dec.Reason
	default:
		out.Status, out.Reason = teli.CallBlocked, dec.Reason
	}
	return out, false
}

// facts gathers what the calling gate needs about a claimed call.
func (d *Dispatcher) facts(now time.Time, c teli.ClaimedCall) gate.CallFacts {
	// The lead's own zone, state or ZIP first, else the number's area code, as for messages.
	loc, _ := quiethours.Resolve(quiethours.Recipient{
		TimeZone: c.Variables["time_zone"], State: c.Variables["state"], Zip: c.Variables["zip_code"], Phone: c.To,
	})
	f := gate.CallFacts{
		Now: now, Kind: c.Purpose, CampaignStatus: string(c.CampaignStatus),
		CampaignBegin: c.CampaignBegin, CampaignEnd: c.CampaignEndAt,
		OptedOut: c.OptedOut, DoNotContact: c.DoNotContact, Location: loc,
		LiveToLead: c.LiveToLead, LiveFromNumber: c.LiveFromNumber, MaxPerNumber: d.Limits.PerNumber,
		LiveInCampaign: c.LiveInCampaign, MaxPerCampaign: d.Limits.PerCampaign,
	}
	if c.ExpiresAt != nil {
		f.ExpiresAt = *c.ExpiresAt
	}
	return f
}

// Admit holds the calls the gate let through one by one to the gate again together: the store's
// live counts leave out the calls of the same claim, so each call here also counts the ones
// admitted before it in claim order. Two calls to one lead never both go, and a campaign or a
// number at its limit takes the first calls of the batch and holds the rest.
func (l lane) Admit(_ context.Context, rows []teli.ClaimedCall, outcomes []outcome, send []bool) error {
	type key struct{ kind, id string }
	admitted := map[key]int{}
	for i, c := range rows {
		if !send[i] {
			continue
		}
		lead, number, camp := key{"lead", c.OrganizationID + "|" + c.Lead}, key{"number", c.From}, key{"campaign", c.CampaignPK}
		now := outcomes[i].At
		f := l.d.facts(now, c)
		f.LiveToLead += admitted[lead]
		f.LiveFromNumber += admitted[number]
		if c.CampaignPK != "" {
			f.LiveInCampaign += admitted[camp]
		}
		if dec := gate.DecideCall(f); dec.Verdict != gate.Send {
			send[i] = false
			outcomes[i].Status, outcomes[i].Reason, outcomes[i].NotBefore = teli.CallQueued, dec.Reason, dec.Until
			if dec.Verdict == gate.Expire {
				outcomes[i].Status = teli.CallExpired
			}
			continue
		}
		admitted[lead]++
		admitted[number]++
		admitted[camp]++
	}
	return nil
}

func (l lane) Hand(ctx context.Context, c teli.ClaimedCall, out outcome) outcome {
	return l.d.place(ctx, c, out)
}

// Finish records the outcomes, then counts each placed call as an attempt on its campaign lead
// and settles the leads whose call the gate refused for good.
func (l lane) Finish(ctx context.Context, token string, outcomes []outcome) error {
	plain := make([]teli.CallOutcome, len(outcomes))
	for i, o := range outcomes {
		plain[i] = o.CallOutcome
	}
	if err := l.d.Store.FinishCalls(ctx, token, plain); err != nil {
		return err
	}
	for _, o := range outcomes {
		if o.campaignPK == "" {
			continue
		}
		placed := o.Status == teli.CallDialing
		final := o.Status == teli.CallBlocked || o.Status == teli.CallExpired || o.Status == teli.CallCanceled || o.Status == teli.CallError
		if !placed && !final {
			continue
		}
		if err := l.d.Store.RecordLeadAttempt(ctx, o.campaignPK, o.lead, placed, final, o.At); err != nil {
			return err
		}
	}
	return nil
}

func (lane) Handed(o outcome) bool { return o.Status == teli.CallDialing }

// Held is when a call put back to wait is due again.
func (lane) Held(o outcome) time.Time {
	if o.Status != teli.CallQueued {
		return time.Time{}
	}
	return o.NotBefore
}

// place asks the platform for the call, or, for a reclaimed call, first whether it has it.
func (d *Dispatcher) place(ctx context.Context, c teli.ClaimedCall, out outcome) outcome {
	out.Platform = d.Platform.Name()
	if d.claimExpiring(c) {
		if c.Reclaimed {
			return leaveClaimed(out) // it may be at the platform: only a reclaim, which asks first, places it
		}
		out.Status, out.Reason, out.NotBefore = teli.CallQueued, "claim_expiring", d.Clock.Now()
		return out
	}
	if c.Reclaimed {
		rec, found, err := d.find(ctx, c)
		if err != nil {
			d.Log.Warn("calls: reconciling a reclaimed call failed", "call_id", c.ID, "err", err)
			return leaveClaimed(out)
		}
		d.Log.Info("calls: reclaimed a call whose dispatcher stopped", "call_id", c.ID, "found_at_platform", found)
		if found {
			out.Status, out.PlatformCallID = teli.CallDialing, rec.PlatformCallID
			return out
		}
		if d.claimExpiring(c) {
			return leaveClaimed(out) // the lookup took the claim's remaining time
		}
	}
	pctx, cancel := d.bounded(ctx)
	placed, err := d.Platform.PlaceCall(pctx, voice.CallRequest{
		CallID: c.ID, From: c.From, To: c.To, Agent: voice.Ref{AgentID: c.VoiceAgentID}, Variables: c.Variables,
	})
	cancel()
	switch {
	case err == nil:
		out.Status, out.PlatformCallID = teli.CallDialing, placed.PlatformCallID
	case errors.Is(err, voice.ErrUnknownOutcome) || ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded):
		// The platform may have placed it: look before placing again, never place blindly.
		rec, found, ferr := d.find(ctx, c)
		if ferr != nil || !found {
			// Not found may only mean not yet visible: it stays claimed, and once the lease
			// runs out it is reclaimed and looked up again before any second call.
			d.Log.Warn("calls: platform outcome unknown; reconciling after the lease", "call_id", c.ID, "err", err)
			return leaveClaimed(out)
		}
		out.Status, out.PlatformCallID = teli.CallDialing, rec.PlatformCallID
	case errors.Is(err, voice.ErrRejected):
		// Refused for good (an unknown agent, a number the platform does not hold): trying
		// again would fail the same way, so the call ends here, visibly, with the reason.
		d.Log.Warn("calls: the platform rejected a call", "call_id", c.ID, "err", err)
		out.Status, out.Reason = teli.CallError, ReasonRejected
	default:
		d.Log.Warn("calls: the platform refused a call", "call_id", c.ID, "err", err)
		out.Status, out.Reason, out.NotBefore = teli.CallQueued, "platform_error", out.At.Add(retryDelay)
	}
	return out
}

// find looks the call up on the platform, within the platform timeout.
func (d *Dispatcher) find(ctx context.Context, c teli.ClaimedCall) (voice.CallRecord, bool, error) {
	ctx, cancel := d.bounded(ctx)
	defer cancel()
	return d.Platform.FindCall(ctx, c.ID)
}

// bounded gives one platform request its timeout.
func (d *Dispatcher) bounded(ctx context.Context) (context.Context, context.CancelFunc) {
	if d.PlatformTimeout <= 0 {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, d.PlatformTimeout)
}

// claimExpiring reports whether it is too late in c's claim to start a platform request: another
// dispatcher may take the call over once the lease runs out, and the request must have ended by
// then.
func (d *Dispatcher) claimExpiring(c teli.ClaimedCall) bool {
	return d.Lease > 0 && d.Clock.Now().After(c.UpdatedAt.Add(d.Lease-d.PlatformTimeout))
}

// leaveClaimed is the outcome of a call whose fate at the platform is unknown: FinishCalls leaves
// it claimed, so only the lease's expiry brings it back, as a reclaimed call.
func leaveClaimed(out outcome) outcome {
	out.Status, out.Reason = teli.CallPlacing, "platform_outcome_unknown"
	return out
}
