package store

import (
	"context"

	"github.com/openteli/teli/internal/teli"
)

const threadColumns = `t.campaign_pk, t.phone, t.tenant_id, t.organization_id, t.campaign_id,
	t.lead_id, t.owner, t.assigned_user_id, t.lead_outcome, t.vars, t.last_inbound_at,
	t.last_outbound_at, t.created_at, t.ai_state, t.extraction, t.extracted_at, t.voice_request,
	t.drip_step, t.drip_delay, t.drip_due_at`

// scanThreadInto reads threadColumns, then extra destinations, from r.
func scanThreadInto(r Row, t *teli.Thread, extra ...any) error {
	var assigned *string
	var vars string
	var ai threadAIDocs
	var dripDelay *int64
	dest := append([]any{&t.CampaignPK, &t.Phone, &t.TenantID, &t.OrganizationID, &t.CampaignID,
		&t.LeadID, &t.Owner, &assigned, &t.LeadOutcome, &vars, &t.LastInboundAt, &t.LastOutboundAt,
		&t.CreatedAt, &t.AIState, &ai.Extraction, &t.ExtractedAt, &ai.VoiceRequest,
		&t.DripStep, &dripDelay, &t.DripDueAt}, extra...)
	if err := r.Scan(dest...); err != nil {
		return err
	}
	t.AssignedUserID, t.DripDelay = deref(assigned), fromSeconds(dripDelay)
	var err error
	if t.Vars, err = decodeFields(vars); err != nil {
		return err
	}
	return ai.decodeInto(t)
}

func scanThread(r Row) (teli.Thread, error) {
	var t teli.Thread
	return t, scanThreadInto(r, &t)
}

// GetThread returns one thread of the tenant.
func (s *Store) GetThread(ctx context.Context, tenantID, campaignPK, phone string) (teli.Thread, error) {
	t, err := scanThread(s.read().QueryRow(ctx,
		`SELECT `+threadColumns+` FROM threads t
		 WHERE t.tenant_id = $1 AND t.campaign_pk = $2 AND t.phone = $3`,
		tenantID, campaignPK, phone))
	return t, s.wrap("get thread", err)
}

// ListThreads returns a page of a campaign's threads, oldest first, and how many f selects.
func (s *Store) ListThreads(ctx context.Context, f teli.ThreadFilter) ([]teli.ThreadRow, int, error) {
	where := newQuery(` WHERE t.tenant_id = $1 AND t.campaign_pk = $2`,
		f.TenantID, f.CampaignPK)
	if f.AssignedUserID != "" {
		where.add(` AND t.assigned_user_id = ` + where.arg(f.AssignedUserID))
	}
	var total int
	err := s.read().QueryRow(ctx, `SELECT COUNT(*) FROM threads t`+where.String(), where.args...).Scan(&total)
	if err != nil {
		return nil, 0, s.wrap("list threads", err)
	}
	page := where.add(` ORDER BY t.created_at, t.phone LIMIT ` + where.arg(limitOf(f.Limit)) +
		` OFFSET ` + where.arg(max(f.Offset, 0)))
	rows, err := s.read().Query(ctx,
		`SELECT `+threadColumns+`,
		     EXISTS (SELECT 1 FROM suppressions s WHERE s.organization_id = t.organization_id
		         AND s.phone = t.phone AND s.kind = 'opt_out'),
		     EXISTS (SELECT 1 FROM suppressions s WHERE s.organization_id = t.organization_id
		         AND s.phone = t.phone AND s.kind = 'do_not_contact')
		 FROM threads t`+page.String(), page.args...)
	if err != nil {
		return nil, 0, s.wrap("list threads", err)
	}
	list, err := Collect(rows, func(r Row) (teli.ThreadRow, error) {
		var row teli.ThreadRow
		return row, scanThreadInto(r, &row.Thread, &row.OptedOut, &row.DoNotContact)
	})
	return list, total, s.wrap("list threads", err)
}

// RouteInbound finds the newest thread with phone of a campaign sending from number: the one
// with the latest message either way, threads without any last.
func (s *Store) RouteInbound(ctx context.Context, number, phone string) (teli.Thread, error) {
	t, err := scanThread(s.read().QueryRow(ctx,
		`SELECT `+threadColumns+` FROM threads t JOIN campaigns c ON c.pk = t.campaign_pk
		 WHERE t.phone = $1 AND c.from_number = $2
		 ORDER BY CASE WHEN t.last_inbound_at IS NULL OR t.last_outbound_at > t.last_inbound_at
		         THEN t.last_outbound_at ELSE t.last_inbound_at END DESC NULLS LAST,
		     t.created_at DESC, t.campaign_pk DESC LIMIT 1`,
		phone, number))
	return t, s.wrap("route inbound", err)
}

// TakeOverThread hands the thread to a human for good and cancels teli.TakeOverCancels.
func (s *Store) TakeOverThread(ctx context.Context, to teli.TakeOver) (teli.Thread, error) {
	var t teli.Thread
	err := s.inTx(ctx, func(tx *Store) error {
		n, err := tx.write().Exec(ctx,
			`UPDATE threads SET owner = 'human', lead_outcome = 'qualified',
			     assigned_user_id = coalesce($1, assigned_user_id), drip_delay = NULL, drip_due_at = NULL,
			     ai_state = ''
			 WHERE tenant_id = $2 AND campaign_pk = $3 AND phone = $4`,
			NullIfEmpty(to.AssignUserID), to.TenantID, to.CampaignPK, to.Phone)
		if err != nil {
			return err
		}
		if n == 0 {
			return teli.ErrNotFound
		}
		cancel := newQuery(`UPDATE messages SET status = 'canceled', reason = $1, updated_at = $2
			 WHERE campaign_pk = $3 AND phone = $4 AND status = 'queued'`,
			teli.TakeOverCancels.Reason, to.At, to.CampaignPK, to.Phone)
		cancel.add(` AND sender IN (` + cancel.argList(teli.TakeOverCancels.Senders) + `)`)
		if _, err := tx.write().Exec(ctx, cancel.String(), cancel.args...); err != nil {
			return err
		}
		t, err = tx.GetThread(ctx, to.TenantID, to.CampaignPK, to.Phone)
		return err
	})
	return t, s.wrap("take over thread", err)
}

// UnassignThread clears the thread's assignee.
func (s *Store) UnassignThread(ctx context.Context, tenantID, campaignPK, phone string) error {
	n, err := s.write().Exec(ctx,
		`UPDATE threads SET assigned_user_id = NULL WHERE tenant_id = $1 AND campaign_pk = $2 AND phone = $3`,
		tenantID, campaignPK, phone)
	return s.mustAffect("unassign thread", n, err)
}
