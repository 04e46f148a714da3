// Package dispatch is the message lane of the outbox (package outbox): it claims due outbound
// messages in batches, runs the send gate on each at the moment of hand-off, draws the survivors
// from their throughput budgets, sends them through the carrier, and records every outcome in one
// write per batch. Any number of dispatchers may run at once, in one process or many: a message
// is claimed by exactly one of them.
package dispatch

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/openteli/teli/internal/carrier"
	"github.com/openteli/teli/internal/gate"
	"github.com/openteli/teli/internal/outbox"
	"github.com/openteli/teli/internal/quiethours"
	"github.com/openteli/teli/internal/teli"
)

// Defaults of a Dispatcher.
const (
	// DefaultShortWait is the ShortWait servers use: throughput waits are fractions of a
	// second, quiet-hours waits are hours.
	DefaultShortWait = 2 * time.Second
	// retryDelay is how long a message waits after a retryable carrier error without a
	// Retry-After of its own.
	retryDelay = 5 * time.Second
	// recheckDelay is when a message held with no known end (a paused campaign) is looked at
	// again.
	recheckDelay = time.Minute
)

// Dispatcher sends due messages.
type Dispatcher struct {
	Store   teli.Store
	Carrier carrier.Carrier
	Clock   teli.Clock
	Log     *slog.Logger
	// BatchSize and Concurrency default to outbox.DefaultBatchSize and outbox.DefaultConcurrency.
	BatchSize   int
	Concurrency int
	// Wake schedules another dispatch at a time when held messages become due.
	Wake func(ctx context.Context, at time.Time) error
	// Lease is how long a claim holds: a message claimed longer ago whose dispatcher never
	// recorded an outcome is taken over by another dispatcher, which asks the carrier whether
	// it already has the message before sending. Zero disables the takeover. A dispatcher
	// never starts a carrier call later than Lease minus CarrierTimeout after its claim, so a
	// send in flight is never taken over.
	Lease time.Duration
	// CarrierTimeout bounds one carrier call.
	CarrierTimeout time.Duration
	// Limits are the throughput budgets; the zero value limits nothing.
	Limits Limits
	// ShortWait is the longest hold a Run waits out itself instead of ending and leaving the
	// message to its wake-up job; zero never waits.
	ShortWait time.Duration
}

// Limits configures throughput (spec/compliance.md §4). Every limit holds across all
// dispatchers sharing the database; zero means no limit.
type Limits struct {
	NumberPerSecond   float64
	CampaignPerSecond float64
	OrgPerDay         int
	// Burst is how many messages a per-second budget may send at once after idling (≥ 1).
	Burst float64
}

func (l Limits) any() bool {
	return l.NumberPerSecond > 0 || l.CampaignPerSecond > 0 || l.OrgPerDay > 0
}

// spacing is the interval between two sends at the slowest per-second limit; zero when only a
// daily quota limits.
func (l Limits) spacing() time.Duration {
	rate := 0.0
	for _, r := range []float64{l.NumberPerSecond, l.CampaignPerSecond} {
		if r > 0 && (rate == 0 || r < rate) {
			rate = r
		}
	}
	if rate == 0 {
		return 0
	}
	return time.Duration(float64(time.Second) / rate)
}

// budgets lists the budgets a message draws on: their keys in the store and their limits.
func (l Limits) budgets(m teli.ClaimedMessage) ([]string, []gate.Limit) {
	var keys []string
	var limits []gate.Limit
	if l.NumberPerSecond > 0 {
		keys = append(keys, "number:"+m.From)
		limits = append(limits, gate.Limit{RatePerSecond: l.NumberPerSecond, Burst: l.Burst})
	}
	if l.CampaignPerSecond > 0 {
		keys = append(keys, "campaign:"+m.CampaignPK)
		limits = append(limits, gate.Limit{RatePerSecond: l.CampaignPerSecond, Burst: l.Burst})
	}
	if l.OrgPerDay > 0 {
		keys = append(keys, "org:"+m.OrganizationID)
		limits = append(limits, gate.Limit{DailyLimit: l.OrgPerDay})
	}
	return keys, limits
}

// BudgetStore keeps throughput budgets (teli.Store does).
type BudgetStore interface {
	DrawBudgets(ctx context.Context, keys []string, draw func([]teli.BudgetState) []teli.BudgetState) error
}

// Take draws n sends at now from the budgets with these keys and limits, in one store
// transaction, and returns how many were granted and, when fewer than n, when the next could be.
func Take(ctx context.Context, s BudgetStore, keys []string, limits []gate.Limit, n int, now time.Time) (int, time.Time, error) {
	var granted int
	var next time.Time
	err := s.DrawBudgets(ctx, keys, func(stored []teli.BudgetState) []teli.BudgetState {
		states := make([]gate.Budget, len(stored))
		for i, st := range stored {
			states[i] = gate.Budget{
				Bucket: gate.Bucket{Tokens: st.Tokens, UpdatedAt: st.UpdatedAt},
				Quota:  gate.DailyQuota{Day: st.Day, Used: st.Used},
			}
		}
		var out []gate.Budget
		out, granted, next = gate.TakeAll(limits, states, n, now)
		drawn := make([]teli.BudgetState, len(out))
		for i, b := range out {
			drawn[i] = teli.BudgetState{Tokens: b.Bucket.Tokens, UpdatedAt: b.Bucket.UpdatedAt, Day: b.Quota.Day, Used: b.Quota.Used}
		}
		return drawn
	})
	return granted, next, err
}

// Run dispatches batches until nothing is due, or until outbox.MaxRun has passed. It returns
// the number of messages it handed to the carrier, and whether it stopped with work left.
func (d *Dispatcher) Run(ctx context.Context) (sent int, more bool, err error) {
	r := outbox.Runner[teli.ClaimedMessage, teli.SendOutcome]{
		Lane: messages{d}, Clock: d.Clock, BatchSize: d.BatchSize, Concurrency: d.Concurrency,
		Wake: d.Wake, ShortWait: d.ShortWait,
	}
	return r.Run(ctx)
}

// messages is the outbox lane of outbound messages.
type messages struct{ d *Dispatcher }

func (l messages) Claim(ctx context.Context, token string, now time.Time, limit int) ([]teli.ClaimedMessage, error) {
	req := teli.ClaimRequest{Now: now, Limit: limit, Token: token}
	if l.d.Lease > 0 {
		req.LeaseExpiredBefore = now.Add(-l.d.Lease)
	}
	return l.d.Store.ClaimDue(ctx, req)
}

func (l messages) Decide(now time.Time, m teli.ClaimedMessage) (teli.SendOutcome, bool) {
	return l.d.decide(now, m)
}

func (l messages) Admit(ctx context.Context, msgs []teli.ClaimedMessage, outcomes []teli.SendOutcome, send []bool) error {
	return l.d.takeBudgets(ctx, msgs, outcomes, send)
}

func (l messages) Hand(ctx context.Context, m teli.ClaimedMessage, out teli.SendOutcome) teli.SendOutcome {
	return l.d.send(ctx, m, out)
}

func (l messages) Finish(ctx context.Context, token string, outcomes []teli.SendOutcome) error {
	return l.d.Store.FinishSends(ctx, token, outcomes)
}

func (messages) Handed(o teli.SendOutcome) bool {
	return o.Status == teli.MessageSent || o.Status == teli.MessageDelivered
}

// Held is when a message put back to wait is due again.
func (messages) Held(o teli.SendOutcome) time.Time {
	if o.Status != teli.MessageQueued {
		return time.Time{}
	}
	return o.NotBefore
}

// decide runs the gate on one claimed message. It returns the outcome of a refusal, or true
// when the message may be sent.
func (d *Dispatcher) decide(now time.Time, m teli.ClaimedMessage) (teli.SendOutcome, bool) {
	out := teli.SendOutcome{MessageID: m.ID, CampaignPK: m.CampaignPK, NotBefore: m.NotBefore, At: now}
	dec := gate.Decide(facts(now, m))
	switch dec.Verdict {
	case gate.Send:
		return out, true
	case gate.Wait:
		out.Status, out.Reason, out.NotBefore = teli.MessageQueued, dec.Reason, dec.Until
		if dec.Until.IsZero() {
			out.NotBefore = now.Add(recheckDelay)
		}
	case gate.Expire:
		out.Status, out.Reason = teli.MessageExpired, dec.Reason
	case gate.Cancel:
		out.Status, out.Reason = teli.MessageCanceled, dec.Reason
	default:
		out.Status, out.Reason = teli.MessageBlocked, dec.Reason
	}
	return out, false
}

// takeBudgets draws the messages the gate let through from their throughput budgets, one store
// call per distinct set of budgets; those over budget wait for the next grant.
func (d *Dispatcher) takeBudgets(ctx context.Context, msgs []teli.ClaimedMessage, outcomes []teli.SendOutcome, send []bool) error {
	if !d.Limits.any() {
		return nil
	}
	groups := map[string][]int{}
	var order []string
	for i, m := range msgs {
		if !send[i] {
			continue
		}
		key := m.From + "|" + m.CampaignPK + "|" + m.OrganizationID
		if _, ok := groups[key]; !ok {
			order = append(order, key)
		}
		groups[key] = append(groups[key], i)
	}
	for _, key := range order {
		idx := groups[key]
		keys, limits := d.Limits.budgets(msgs[idx[0]])
		granted, next, err := Take(ctx, d.Store, keys, limits, len(idx), d.Clock.Now())
		if err != nil {
			return err
		}
		// Space the rest out at the budget's pace, so that each later claim finds only the
		// messages the budget can take by then instead of all of them again.
		spacing := d.Limits.spacing()
		for k, i := range idx[granted:] {
			send[i] = false
			outcomes[i].Status, outcomes[i].Reason = teli.MessageQueued, gate.ReasonRateLimit
			outcomes[i].NotBefore = next.Add(time.Duration(k) * spacing)
		}
	}
	return nil
}

// facts gathers what the gate needs about a claimed message.
func facts(now time.Time, m teli.ClaimedMessage) gate.Facts {
	// The lead's own zone, state or ZIP first, else the number's area code. A recipient whose
	// zone cannot be told is held to every US zone's window (quiethours.Check does that for an
	// empty location).
	loc, _ := quiethours.Resolve(quiethours.Recipient{
		TimeZone: m.ContactTimeZone, State: m.ContactState, Zip: m.ContactZip, Phone: m.To,
	})
	f := gate.Facts{
		Now: now, Sender: senderOf(m.Sender, m.Purpose), Owner: string(m.Owner),
		CampaignStatus: string(m.CampaignStatus), Location: loc,
		CreatedAt: m.CreatedAt, Body: m.Body,
		OptedOut: m.OptedOut, DoNotContact: m.DoNotContact,
		OptOutConfirmation: m.Purpose == teli.PurposeOptOutConfirmation,
	}
	if m.ExpiresAt != nil {
		f.ExpiresAt = *m.ExpiresAt
	}
	if m.LastInboundAt != nil {
		f.LastInboundAt = *m.LastInboundAt
	}
	return f
}

func senderOf(s string, p teli.Purpose) gate.Sender {
	if p == teli.PurposeStarting {
		return gate.Campaign
	}
	switch s {
	case teli.SenderDrip:
		return gate.Drip
	case teli.SenderBroadcast:
		return gate.Bulk
	case teli.SenderHuman:
		return gate.Human
	case teli.SenderSystem:
		return gate.System
	default:
		return gate.AI
	}
}

// send hands the message to the carrier and turns the answer into an outcome.
func (d *Dispatcher) send(ctx context.Context, m teli.ClaimedMessage, out teli.SendOutcome) teli.SendOutcome {
	msg := carrier.Message{ID: m.ID, From: m.From, To: m.To, Body: m.Body}
	if m.MediaURL != "" {
		msg.MediaURLs = []string{m.MediaURL}
	}
	out.Provider = d.Carrier.Name()
	if d.claimExpiring(m) {
		if m.Reclaimed {
			// It may be at the carrier: only a reclaim, which asks first, may send it.
			return leaveClaimed(out)
		}
		// Never sent by anyone: put it back for the next claim.
		out.Status, out.Reason, out.NotBefore = teli.MessageQueued, "claim_expiring", d.Clock.Now()
		return out
	}
	var res carrier.Sent
	var err error
	found := false
	if m.Reclaimed {
		// The dispatcher that claimed it before may have handed it over before dying.
		res, found, err = d.Carrier.FindSent(ctx, msg, m.CreatedAt.Add(-time.Minute))
		if err != nil {
			d.Log.Warn("dispatch: reconciling a reclaimed message failed", "message_id", m.ID, "err", err)
			return leaveClaimed(out)
		}
		d.Log.Info("dispatch: reclaimed a message whose dispatcher stopped", "message_id", m.ID, "found_at_carrier", found)
	}
	if !found {
		if d.claimExpiring(m) {
			return leaveClaimed(out) // the lookup took the claim's remaining time
		}
		res, err = d.Carrier.Send(ctx, msg)
	}
	var se *carrier.SendError
	if err != nil && errors.As(err, &se) && se.Uncertain {
		// The carrier may have taken it: look before sending again, never resend blindly.
		found, ok, ferr := d.Carrier.FindSent(ctx, msg, m.UpdatedAt.Add(-time.Minute))
		if ferr != nil || !ok {
			// Not found may only mean not yet visible. The message stays claimed; once the
			// lease runs out it is reclaimed and the carrier asked again before any resend.
			d.Log.Warn("dispatch: carrier outcome unknown; reconciling after the lease", "message_id", m.ID, "err", err)
			return leaveClaimed(out)
		}
		res, err = found, nil
	}
	switch {
	case err == nil:
		out.Status, out.ProviderID = sentStatus(res.Status), res.ProviderID
	case errors.As(err, &se) && se.Retryable:
		out.Status, out.Reason = teli.MessageQueued, "carrier_retry:"+se.Code
		out.NotBefore = out.At.Add(max(se.RetryAfter, retryDelay))
	case errors.As(err, &se) && se.OptedOut:
		out.Status, out.Reason, out.ErrorCode = teli.MessageBlocked, "carrier_opted_out", se.Code
	case errors.As(err, &se):
		out.Status, out.Reason, out.ErrorCode = teli.MessageFailed, "carrier_error:"+se.Code, se.Code
	default:
		d.Log.Warn("dispatch: send failed", "message_id", m.ID, "err", err)
		out.Status, out.Reason = teli.MessageQueued, "send_error"
		out.NotBefore = out.At.Add(retryDelay)
	}
	return out
}

// claimExpiring reports whether it is too late in m's claim to start a carrier call: another
// dispatcher may take the message over once the lease runs out, and the call must have ended
// by then.
func (d *Dispatcher) claimExpiring(m teli.ClaimedMessage) bool {
	return d.Lease > 0 && d.Clock.Now().After(m.UpdatedAt.Add(d.Lease-d.CarrierTimeout))
}

// leaveClaimed is the outcome of a message whose fate at the carrier is unknown: FinishSends
// leaves it claimed, so only the lease's expiry brings it back, as a reclaimed message.
func leaveClaimed(out teli.SendOutcome) teli.SendOutcome {
	out.Status, out.Reason = teli.MessageSending, "carrier_outcome_unknown"
	return out
}

// sentStatus maps a carrier's acceptance status to the message's: delivered when the carrier
// says so at once (the sandbox), otherwise sent until a status callback says more.
func sentStatus(s carrier.Status) teli.MessageStatus {
	if s == carrier.StatusDelivered {
		return teli.MessageDelivered
	}
	return teli.MessageSent
}
