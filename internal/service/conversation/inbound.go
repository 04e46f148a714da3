package conversation

import (
	"cmp"
	"context"
	"errors"
	"slices"

	"github.com/openteli/teli/internal/carrier"
	"github.com/openteli/teli/internal/jobargs"
	"github.com/openteli/teli/internal/phone"
	"github.com/openteli/teli/internal/segment"
	"github.com/openteli/teli/internal/service"
	"github.com/openteli/teli/internal/teli"
	"github.com/openteli/teli/internal/work"
)

// Outcomes of inbound processing, stored with the webhook message.
const (
	InboundRouted   = "routed"
	InboundUnrouted = "unrouted"
	InboundOptOut   = "opted_out"
	InboundOptIn    = "opted_in"
	InboundHelp     = "help"
)

// ReceiveInbound stores a message a carrier delivered and queues its processing, in one
// transaction, so the webhook can be answered at once and nothing accepted is lost. A message
// the carrier already delivered (a retried webhook) is recognised and changes nothing; fresh
// says which it was.
func (s *Service) ReceiveInbound(ctx context.Context, provider string, in carrier.Inbound) (fresh bool, err error) {
	if in.ProviderID == "" || in.From == "" || in.To == "" {
		return false, teli.Invalid("an inbound message needs a provider id, a sender and a recipient")
	}
	err = s.work.InTx(ctx, func(tx *work.Tx) error {
		fresh, err = tx.RecordInbound(ctx, teli.InboundEvent{
			Provider: provider, ProviderID: in.ProviderID, From: in.From, To: in.To, Body: in.Body,
			MediaURLs: in.MediaURLs, ReceivedAt: s.clock.Now(),
		})
		if err != nil || !fresh {
			return err
		}
		job := jobargs.ProcessInbound{Provider: provider, ProviderID: in.ProviderID}
		return work.Soon(ctx, tx, job, work.Opts{}, s.ProcessInbound)
	})
	return fresh, err
}

// ProcessInbound handles a stored inbound message once: it finds the thread, records the
// message in it, and applies consent keywords before anything else may answer: an opt-out
// suppresses the number organization-wide and confirms once, an opt-in lifts it and confirms
// once, HELP gets the help text. Running it again for the same message does nothing.
func (s *Service) ProcessInbound(ctx context.Context, job jobargs.ProcessInbound) error {
	provider, providerID := job.Provider, job.ProviderID
	e, err := s.store.GetInbound(ctx, provider, providerID)
	if err != nil || e.ProcessedAt != nil {
		return err
	}
	now := s.clock.Now()
	th, err := s.store.RouteInbound(ctx, e.To, e.From)
	if errors.Is(err, teli.ErrNotFound) {
		s.log.Info("inbound message matches no thread", "provider", provider, "provider_id", providerID)
		_, err := s.store.FinishInbound(ctx, provider, providerID, InboundUnrouted, "", now)
		return err
	}
	if err != nil {
		return err
	}
	camp, err := s.store.LookupCampaign(ctx, th.TenantID, th.CampaignID)
	if err != nil {
		return err
	}
	org, err := s.store.GetOrganization(ctx, th.TenantID, th.OrganizationID)
	if err != nil {
		return err
	}
	kinds, err := s.store.Suppressions(ctx, th.OrganizationID, th.Phone)
	if err != nil {
		return err
	}
	msg := s.inboundMessage(camp, th, e)
	kind, source := consentKeyword(e.Body, slices.Contains(kinds, teli.SuppressOptOut))
	err = s.work.InTx(ctx, func(tx *work.Tx) error {
		if err := tx.InsertMessages(ctx, []teli.Message{msg}); err != nil {
			return err
		}
		outcome, reply, err := s.applyKeyword(ctx, tx, kind, source, camp, org, msg)
		if err != nil {
			return err
		}
		if outcome == InboundRouted {
			// A conversation message: the agent answers it (consent keywords it never sees).
			if err := s.afterInbound(ctx, tx, th, msg); err != nil {
				return err
			}
		}
		if first, err := tx.FinishInbound(ctx, provider, providerID, outcome, msg.ID, now); err != nil || !first {
			return cmp.Or(err, errAlreadyProcessed)
		}
		if reply == nil {
			return nil
		}
		return tx.QueueMessages(ctx, *reply)
	})
	if errors.Is(err, errAlreadyProcessed) {
		return nil // processed by the other path (the job, or the in-process run); this one rolled back
	}
	return err
}

// errAlreadyProcessed rolls back a second processing of one inbound message.
var errAlreadyProcessed = errors.New("inbound message already processed")

// inboundMessage is the thread's record of an inbound webhook message.
func (s *Service) inboundMessage(camp teli.Campaign, th teli.Thread, e teli.InboundEvent) teli.Message {
	// Dated when it arrived, not when its job ran, so the thread reads in the order things
	// happened.
	now := e.ReceivedAt
	count := segment.Of(e.Body)
	m := teli.Message{
		ID: "msg_" + s.ids.Hex(24), TenantID: th.TenantID, OrganizationID: th.OrganizationID,
		CampaignPK: camp.PK, Phone: th.Phone, Inbound: true, Sender: teli.SenderContact,
		Purpose: teli.PurposeInbound, From: e.From, To: e.To, Body: e.Body, Status: teli.MessageReceived,
		Segments: max(count.Segments, 1), Encoding: string(count.Encoding), NotBefore: now,
		Provider: e.Provider, ProviderID: e.ProviderID, CreatedAt: now, UpdatedAt: now,
	}
	if len(e.MediaURLs) > 0 {
		m.MediaURL = e.MediaURLs[0]
	}
	return m
}

// SandboxInboundInput is the body of POST /v1/sandbox/inbound.
type SandboxInboundInput struct {
	From *string `json:"from"`
	To   *string `json:"to"`
	Body *string `json:"body"`
}

// SandboxInbound injects a contact's reply through the sandbox carrier, exactly as a real
// carrier's webhook would deliver it. The number pair must name a thread of the caller's
// tenant. It returns the inbound message's provider id.
func (s *Service) SandboxInbound(ctx context.Context, c service.Caller, provider string, in SandboxInboundInput) (string, error) {
	if service.Missing(in.From, in.To) || in.Body == nil {
		return "", teli.Invalid("from, to and body are required")
	}
	from, err := phone.Normalize(service.Trim(in.From))
	if err != nil {
		return "", teli.Invalid("from: %v", err)
	}
	to, err := phone.Normalize(service.Trim(in.To))
	if err != nil {
		return "", teli.Invalid("to: %v", err)
	}
	th, err := s.store.RouteInbound(ctx, to, from)
	if errors.Is(err, teli.ErrNotFound) || (err == nil && th.TenantID != c.TenantID) {
		return "", teli.NotFound("No thread of %s on a campaign sending from %s", from, to)
	}
	if err != nil {
		return "", err
	}
	id := "SBXin" + s.ids.Hex(28)
	_, err = s.ReceiveInbound(ctx, provider, carrier.Inbound{ProviderID: id, From: from, To: to, Body: *in.Body})
	return id, err
}
