package store

import (
	"context"
	"slices"
	"time"

	"github.com/openteli/teli/internal/teli"
)

// The outbox: messages are claimed for sending, handed to the carrier by the dispatcher, and
// their outcomes recorded. How a claim is spelled is the dialect's (see Dialect.ClaimDue); what
// an outcome settles is written here once.

// ClaimDue claims due queued outbound messages under r.Token, oldest due first, together with
// the claims whose lease expired, in one transaction.
func (s *Store) ClaimDue(ctx context.Context, r teli.ClaimRequest) ([]teli.ClaimedMessage, error) {
	var claimed []teli.ClaimedMessage
	err := s.inTx(ctx, func(tx *Store) error {
		var err error
		claimed, err = s.d.ClaimDue(ctx, tx.tx, r)
		return err
	})
	return claimed, s.wrap("claim due messages", err)
}

// ClaimedColumns are the columns ScanClaimed reads after MessageColumns, of a join of the
// message (m) with its thread (t) and campaign (c): the facts the send gate needs.
const ClaimedColumns = `t.owner, c.status, t.last_inbound_at,
	EXISTS (SELECT 1 FROM suppressions s WHERE s.organization_id = m.organization_id
	    AND s.phone = m.phone AND s.kind = 'opt_out'),
	EXISTS (SELECT 1 FROM suppressions s WHERE s.organization_id = m.organization_id
	    AND s.phone = m.phone AND s.kind = 'do_not_contact')`

// ScanClaimed reads MessageColumns, ClaimedColumns, then extra destinations, and then the lead's
// time_zone, state and zip_code fields (empty when absent).
func ScanClaimed(r Row, extra ...any) (teli.ClaimedMessage, error) {
	var c teli.ClaimedMessage
	dest := append([]any{&c.Owner, &c.CampaignStatus, &c.LastInboundAt, &c.OptedOut, &c.DoNotContact}, extra...)
	dest = append(dest, &c.ContactTimeZone, &c.ContactState, &c.ContactZip)
	return c, ScanMessageInto(r, &c.Message, dest...)
}

// FinishSends records outcomes of messages still claimed under token, in one transaction; a
// message sent marks its thread's last outbound time, and a campaign whose starting messages are
// all settled is COMPLETED.
func (s *Store) FinishSends(ctx context.Context, token string, outcomes []teli.SendOutcome) error {
	// An outcome still "sending" is a message whose fate at the carrier is unknown: it stays
	// claimed until its lease runs out.
	outcomes = slices.DeleteFunc(slices.Clone(outcomes), func(o teli.SendOutcome) bool { return o.Status == teli.MessageSending })
	err := s.inTx(ctx, func(tx *Store) error {
		applied, err := s.d.FinishSends(ctx, tx.tx, token, outcomes)
		if err != nil {
			return err
		}
		campaigns := map[string]time.Time{}
		for i, o := range outcomes {
			if applied[i] && o.Status != teli.MessageQueued && o.CampaignPK != "" {
				campaigns[o.CampaignPK] = o.At
			}
		}
		return tx.completeCampaigns(ctx, campaigns)
	})
	return s.wrap("finish sends", err)
}

// completeCampaigns carries out teli.ActionComplete on each campaign of pks (campaign pk →
// when) that has no starting message left queued or sending. The campaigns are locked first, in
// pk order, and checked by a later statement: under PostgreSQL's READ COMMITTED two replicas
// finishing a campaign's last two starting messages side by side would otherwise each still
// see the other's message as sending, and neither would complete the campaign. Completing
// changes no message (teli.EffectsOf), so the statuses are all there is to it.
func (s *Store) completeCampaigns(ctx context.Context, pks map[string]time.Time) error {
	if len(pks) == 0 {
		return nil
	}
	keys := make([]string, 0, len(pks))
	for pk := range pks {
		keys = append(keys, pk)
	}
	slices.Sort(keys)
	complete, _ := teli.TransitionOf(teli.ActionComplete)
	from := make([]string, len(complete.From))
	for i, st := range complete.From {
		from[i] = string(st)
	}
	if lock := s.d.ForUpdate(); lock != "" {
		if _, err := s.write().Exec(ctx,
			`SELECT pk FROM campaigns WHERE `+s.d.InList("pk", "$1")+` AND `+s.d.InList("status", "$2")+`
			 ORDER BY pk`+lock, s.d.ListArg(keys), s.d.ListArg(from)); err != nil {
			return err
		}
	}
	batch := make([]Statement, len(keys))
	for i, pk := range keys {
		batch[i] = Statement{
			SQL: `UPDATE campaigns SET status = $3, modified_at = $1
			 WHERE pk = $2 AND ` + s.d.InList("status", "$4") + ` AND NOT EXISTS (
			     SELECT 1 FROM ` + s.d.UsingIndex("messages", "messages_pending_start_idx") + `
			     WHERE campaign_pk = $2 AND purpose = 'starting' AND status IN ('queued', 'sending'))`,
			Args: []any{pks[pk], pk, string(complete.To), s.d.ListArg(from)},
		}
	}
	_, err := s.write().ExecBatch(ctx, batch)
	return err
}
