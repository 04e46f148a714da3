package service

import (
	"time"

	"github.com/openteli/teli/internal/quiethours"
	"github.com/openteli/teli/internal/segment"
	"github.com/openteli/teli/internal/teli"
)

// Outbox makes the messages use-cases queue for the dispatcher (the messages table is the
// outbox); the send gate checks each when it goes.
type Outbox struct {
	IDs teli.IDSource
}

// Message is a queued message of a campaign's thread, due now. In a dry run it is recorded as
// sent at once and never reaches a carrier, whoever wrote it.
func (o Outbox) Message(camp teli.Campaign, to, body string, now time.Time) teli.Message {
	count := segment.Of(body)
	m := teli.Message{
		ID: "msg_" + o.IDs.Hex(24), TenantID: camp.TenantID, OrganizationID: camp.OrganizationID,
		CampaignPK: camp.PK, Phone: to, From: camp.FromNumber, To: to, Body: body,
		Status: teli.MessageQueued, Segments: count.Segments, Encoding: string(count.Encoding),
		NotBefore: now, CreatedAt: now, UpdatedAt: now,
	}
	if camp.Settings.DryRun {
		m.Status, m.Provider, m.Reason = teli.MessageSent, "dry_run", "dry_run"
	}
	return m
}

// Drip is a queued follow-up, stale after the default validity.
func (o Outbox) Drip(camp teli.Campaign, to, text string, now time.Time) teli.Message {
	m := o.Message(camp, to, text, now)
	expires := now.Add(quiethours.DefaultValidity)
	m.Sender, m.Purpose, m.ExpiresAt = teli.SenderDrip, teli.PurposeDrip, &expires
	return m
}
