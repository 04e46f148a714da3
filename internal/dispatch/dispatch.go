// Package dispatch drains the outbox: it claims due outbound messages in batches, runs the send
// gate on each at the moment of hand-off, sends the survivors through the carrier with bounded
// concurrency, and records every outcome in one write per batch. Any number of dispatchers may
// run at once, in one process or many: a message is claimed by exactly one of them.
package dispatch

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/openteli/teli/internal/carrier"
	"github.com/openteli/teli/internal/gate"
	"github.com/openteli/teli/internal/quiethours"
	"github.com/openteli/teli/internal/teli"
)

// Defaults of a Dispatcher.
const (
	DefaultBatchSize   = 500
	DefaultConcurrency = 32
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
	IDs     teli.IDSource
	Log     *slog.Logger
	// BatchSize and Concurrency default to DefaultBatchSize and DefaultConcurrency.
	BatchSize   int
	Concurrency int
	// Wake schedules another dispatch at a time when held messages become due.
	Wake func(ctx context.Context, at time.Time) error
}

// Run dispatches batches until nothing is due. It returns the number of messages it handed to
// the carrier.
func (d *Dispatcher) Run(ctx context.Context) (int, error) {
	sent := 0
	for {
		n, claimed, err := d.batch(ctx)
		sent += n
		if err != nil || claimed == 0 {
			return sent, err
		}
	}
}

// batch claims, decides, sends and records one batch; it reports sends and claims.
func (d *Dispatcher) batch(ctx context.Context) (sent, claimed int, err error) {
	token := d.IDs.UUID()
	msgs, err := d.Store.ClaimDue(ctx, d.Clock.Now(), d.batchSize(), token)
	if err != nil || len(msgs) == 0 {
		return 0, 0, err
	}
	outcomes := make([]teli.SendOutcome, len(msgs))
	var wg sync.WaitGroup
	slots := make(chan struct{}, d.concurrency())
	for i, m := range msgs {
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			outcomes[i] = d.handle(ctx, m)
		})
	}
	wg.Wait()
	if err := d.Store.FinishSends(ctx, token, outcomes); err != nil {
		return 0, len(msgs), err
	}
	for _, o := range outcomes {
		if o.Status == teli.MessageSent || o.Status == teli.MessageDelivered {
			sent++
		}
	}
	return sent, len(msgs), d.wakeForWaits(ctx, outcomes)
}

// handle decides one claimed message and, if the gate allows, sends it.
func (d *Dispatcher) handle(ctx context.Context, m teli.ClaimedMessage) teli.SendOutcome {
	now := d.Clock.Now()
	out := teli.SendOutcome{MessageID: m.ID, NotBefore: m.NotBefore, At: now}
	dec := gate.Decide(facts(now, m))
	switch dec.Verdict {
	case gate.Send:
		return d.send(ctx, m, out)
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
	return out
}

// facts gathers what the gate needs about a claimed message.
func facts(now time.Time, m teli.ClaimedMessage) gate.Facts {
	// A number whose zone cannot be told is held to every US zone's window (quiethours.Check
	// does that for an empty location).
	loc, _ := quiethours.Resolve(quiethours.Recipient{Phone: m.To})
	f := gate.Facts{
		Now: now, Sender: senderOf(m.Sender), Owner: string(m.Owner),
		CampaignStatus: string(m.CampaignStatus), Location: loc,
		CreatedAt: m.CreatedAt, Body: m.Body,
	}
	if m.ExpiresAt != nil {
		f.ExpiresAt = *m.ExpiresAt
	}
	if m.LastInboundAt != nil {
		f.LastInboundAt = *m.LastInboundAt
	}
	return f
}

func senderOf(s string) gate.Sender {
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
	res, err := d.Carrier.Send(ctx, msg)
	var se *carrier.SendError
	if err != nil && errors.As(err, &se) && se.Uncertain {
		// The carrier may have taken it: look before sending again, never resend blindly.
		if found, ok, ferr := d.Carrier.FindSent(ctx, msg, m.UpdatedAt.Add(-time.Minute)); ferr == nil && ok {
			res, err = found, nil
		}
	}
	switch {
	case err == nil:
		out.Status, out.ProviderID = sentStatus(res.Status), res.ProviderID
	case errors.As(err, &se) && se.Retryable:
		out.Status, out.Reason = teli.MessageQueued, "carrier_retry:"+se.Code
		out.NotBefore = out.At.Add(max(se.RetryAfter, retryDelay))
	case errors.As(err, &se) && se.OptedOut:
		out.Status, out.Reason = teli.MessageBlocked, "carrier_opted_out"
	case errors.As(err, &se):
		out.Status, out.Reason = teli.MessageFailed, "carrier_error:"+se.Code
	default:
		d.Log.Warn("dispatch: send failed", "message_id", m.ID, "err", err)
		out.Status, out.Reason = teli.MessageQueued, "send_error"
		out.NotBefore = out.At.Add(retryDelay)
	}
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

// wakeForWaits schedules a dispatch for the earliest held message of the batch.
func (d *Dispatcher) wakeForWaits(ctx context.Context, outcomes []teli.SendOutcome) error {
	var earliest time.Time
	for _, o := range outcomes {
		if o.Status == teli.MessageQueued && (earliest.IsZero() || o.NotBefore.Before(earliest)) {
			earliest = o.NotBefore
		}
	}
	if earliest.IsZero() || d.Wake == nil {
		return nil
	}
	return d.Wake(ctx, earliest)
}

func (d *Dispatcher) batchSize() int {
	if d.BatchSize > 0 {
		return d.BatchSize
	}
	return DefaultBatchSize
}

func (d *Dispatcher) concurrency() int {
	if d.Concurrency > 0 {
		return d.Concurrency
	}
	return DefaultConcurrency
}
