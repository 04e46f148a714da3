package store

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/openteli/teli/internal/teli"
)

// Voice numbers and voice campaigns with their leads. A released number and a deleted campaign
// stay as rows (history the calls refer to); partial unique indexes keep the rules on live ones.

// CreateVoiceNumber inserts n; ErrConflict when a live number has its phone number.
func (s *Store) CreateVoiceNumber(ctx context.Context, n teli.VoiceNumber) error {
	_, err := s.write().Exec(ctx,
		`INSERT INTO voice_numbers (id, tenant_id, organization_id, user_id, phone_number, area_code,
		     nickname, type, inbound_agent_id, outbound_agent_id, created_at, released_at)
		 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		n.ID, n.TenantID, n.OrganizationID, n.UserID, n.PhoneNumber, n.AreaCode, n.Nickname, n.Type,
		n.InboundAgentID, n.OutboundAgentID, n.CreatedAt, n.ReleasedAt)
	return s.wrap("create voice number", err)
}

const voiceNumberColumns = `id, tenant_id, organization_id, user_id, phone_number, area_code,
	nickname, type, inbound_agent_id, outbound_agent_id, created_at, released_at`

func scanVoiceNumber(r Row) (teli.VoiceNumber, error) {
	var n teli.VoiceNumber
	err := r.Scan(&n.ID, &n.TenantID, &n.OrganizationID, &n.UserID, &n.PhoneNumber, &n.AreaCode,
		&n.Nickname, &n.Type, &n.InboundAgentID, &n.OutboundAgentID, &n.CreatedAt, &n.ReleasedAt)
	return n, err
}

// GetVoiceNumber returns the tenant's number with this phone number: the live one, else the
// most recently released one.
func (s *Store) GetVoiceNumber(ctx context.Context, tenantID, phone string) (teli.VoiceNumber, error) {
	n, err := scanVoiceNumber(s.read().QueryRow(ctx,
		`SELECT `+voiceNumberColumns+` FROM voice_numbers WHERE tenant_id = $1 AND phone_number = $2
		 ORDER BY CASE WHEN released_at IS NULL THEN 0 ELSE 1 END, released_at DESC, id DESC LIMIT 1`,
		tenantID, phone))
	return n, s.wrap("get voice number", err)
}

// ListVoiceNumbers lists an organization's live numbers, oldest first, optionally one user's.
func (s *Store) ListVoiceNumbers(ctx context.Context, f teli.VoiceNumberFilter) ([]teli.VoiceNumber, error) {
	q := newQuery(`SELECT `+voiceNumberColumns+` FROM voice_numbers
		 WHERE tenant_id = $1 AND organization_id = $2 AND released_at IS NULL`, f.TenantID, f.OrganizationID)
	if f.UserID != "" {
		q.add(` AND user_id = ` + q.arg(f.UserID))
	}
	rows, err := s.read().Query(ctx, q.add(` ORDER BY created_at, id`).String(), q.args...)
	if err != nil {
		return nil, s.wrap("list voice numbers", err)
	}
	list, err := Collect(rows, scanVoiceNumber)
	return list, s.wrap("list voice numbers", err)
}

// UpdateVoiceNumber rewrites the agents and nickname of the tenant's live number n.PhoneNumber.
func (s *Store) UpdateVoiceNumber(ctx context.Context, n teli.VoiceNumber) error {
	affected, err := s.write().Exec(ctx,
		`UPDATE voice_numbers SET inbound_agent_id = $1, outbound_agent_id = $2, nickname = $3
		 WHERE tenant_id = $4 AND phone_number = $5 AND released_at IS NULL`,
		n.InboundAgentID, n.OutboundAgentID, n.Nickname, n.TenantID, n.PhoneNumber)
	return s.mustAffect("update voice number", affected, err)
}

// ReleaseVoiceNumber marks the tenant's live number released; ErrNotFound when none is live.
func (s *Store) ReleaseVoiceNumber(ctx context.Context, tenantID, phone string, at time.Time) error {
	n, err := s.write().Exec(ctx,
		`UPDATE voice_numbers SET released_at = $1
		 WHERE tenant_id = $2 AND phone_number = $3 AND released_at IS NULL`, at, tenantID, phone)
	return s.mustAffect("release voice number", n, err)
}

// LiveVoiceNumber finds the live number with this phone number in any tenant.
func (s *Store) LiveVoiceNumber(ctx context.Context, phone string) (teli.VoiceNumber, error) {
	n, err := scanVoiceNumber(s.read().QueryRow(ctx,
		`SELECT `+voiceNumberColumns+` FROM voice_numbers WHERE phone_number = $1 AND released_at IS NULL`, phone))
	return n, s.wrap("live voice number", err)
}

// VoiceAgentInUse names what keeps the tenant's agent from being deleted — "phone number
// +1…" or "voice campaign {campaign_id}" — or returns "" when nothing does.
func (s *Store) VoiceAgentInUse(ctx context.Context, tenantID, agentID string) (string, error) {
	if agentID == "" {
		// A number's unset agent is stored as "": it must not read as bound to an agent "".
		return "", nil
	}
	var phone string
	err := s.read().QueryRow(ctx,
		`SELECT phone_number FROM voice_numbers
		 WHERE tenant_id = $1 AND released_at IS NULL AND (inbound_agent_id = $2 OR outbound_agent_id = $2)
		 ORDER BY created_at, id LIMIT 1`, tenantID, agentID).Scan(&phone)
	switch {
	case err == nil:
		return "phone number " + phone, nil
	case !errors.Is(err, teli.ErrNotFound):
		return "", s.wrap("voice agent in use", err)
	}
	var campaignID string
	err = s.read().QueryRow(ctx,
		`SELECT campaign_id FROM voice_campaigns
		 WHERE tenant_id = $1 AND agent_id = $2 AND deleted_at IS NULL AND status IN ('active', 'paused')
		 ORDER BY created_at, pk LIMIT 1`, tenantID, agentID).Scan(&campaignID)
	switch {
	case err == nil:
		return "voice campaign " + campaignID, nil
	case errors.Is(err, teli.ErrNotFound):
		return "", nil
	}
	return "", s.wrap("voice agent in use", err)
}

// CreateVoiceCampaign inserts a campaign, its leads and their first calls in one transaction;
// ErrConflict when the tenant has c.ID among its campaigns not deleted.
func (s *Store) CreateVoiceCampaign(ctx context.Context, c teli.VoiceCampaign, leads []teli.VoiceLead, calls []teli.Call) error {
	pool, err := encodeList(c.NumberPool)
	if err != nil {
		return s.wrap("create voice campaign", err)
	}
	batch := []Statement{{
		SQL: `INSERT INTO voice_campaigns (pk, campaign_id, tenant_id, organization_id, user_id, agent_id,
		     caller_number, number_pool, begin_at, end_at, redial_enabled, retry_limit,
		     call_interval_days, status, created_at, modified_at)
		 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
		Args: []any{c.PK, c.ID, c.TenantID, c.OrganizationID, c.UserID, c.AgentID, c.CallerNumber, pool,
			c.BeginAt, c.EndAt, c.Redial.Enabled, c.Redial.RetryLimit, c.Redial.IntervalDays,
			string(c.Status), c.CreatedAt, c.ModifiedAt},
	}}
	for _, l := range leads {
		vars, err := encodeFields(l.Variables)
		if err != nil {
			return s.wrap("create voice campaign", err)
		}
		// The leads are this campaign's, whatever key the caller left on them.
		batch = append(batch, Statement{
			SQL: `INSERT INTO voice_leads (campaign_pk, phone, variables, attempts, settled)
			 VALUES ($1, $2, $3, $4, $5)`,
			Args: []any{c.PK, l.Phone, vars, l.Attempts, l.Settled},
		})
	}
	for _, call := range calls {
		st, err := insertCall(call, "")
		if err != nil {
			return s.wrap("create voice campaign", err)
		}
		batch = append(batch, st)
	}
	err = s.inTx(ctx, func(tx *Store) error {
		_, err := tx.write().ExecBatch(ctx, batch)
		return err
	})
	return s.wrap("create voice campaign", err)
}

const voiceCampaignColumns = `vc.pk, vc.campaign_id, vc.tenant_id, vc.organization_id, vc.user_id,
	vc.agent_id, vc.caller_number, vc.number_pool, vc.begin_at, vc.end_at, vc.redial_enabled,
	vc.retry_limit, vc.call_interval_days, vc.status, vc.created_at, vc.modified_at`

// voiceProgressColumns count a campaign's leads (aliased vc): all of them, then the settled.
const voiceProgressColumns = `(SELECT COUNT(*) FROM voice_leads l WHERE l.campaign_pk = vc.pk),
	(SELECT COUNT(*) FROM voice_leads l WHERE l.campaign_pk = vc.pk AND l.settled)`

// scanVoiceCampaignInto reads voiceCampaignColumns, then extra destinations, from r.
func scanVoiceCampaignInto(r Row, c *teli.VoiceCampaign, extra ...any) error {
	var pool string
	dest := append([]any{&c.PK, &c.ID, &c.TenantID, &c.OrganizationID, &c.UserID, &c.AgentID,
		&c.CallerNumber, &pool, &c.BeginAt, &c.EndAt, &c.Redial.Enabled, &c.Redial.RetryLimit,
		&c.Redial.IntervalDays, &c.Status, &c.CreatedAt, &c.ModifiedAt}, extra...)
	if err := r.Scan(dest...); err != nil {
		return err
	}
	var err error
	c.NumberPool, err = decodeList[string](pool)
	return err
}

// scanVoiceCampaign reads voiceCampaignColumns and voiceProgressColumns.
func scanVoiceCampaign(r Row) (teli.VoiceCampaign, error) {
	var c teli.VoiceCampaign
	if err := scanVoiceCampaignInto(r, &c, &c.Progress.Total, &c.Progress.Completed); err != nil {
		return c, err
	}
	c.Progress.Pending = c.Progress.Total - c.Progress.Completed
	return c, nil
}

// GetVoiceCampaign finds the tenant's campaign (not deleted) by campaign_id, with its progress.
func (s *Store) GetVoiceCampaign(ctx context.Context, tenantID, id string) (teli.VoiceCampaign, error) {
	c, err := scanVoiceCampaign(s.read().QueryRow(ctx,
		`SELECT `+voiceCampaignColumns+`, `+voiceProgressColumns+` FROM voice_campaigns vc
		 WHERE vc.tenant_id = $1 AND vc.campaign_id = $2 AND vc.deleted_at IS NULL`, tenantID, id))
	return c, s.wrap("get voice campaign", err)
}

// GetVoiceCampaignByPK finds the tenant's campaign (not deleted) by its internal key, without
// counting its leads.
func (s *Store) GetVoiceCampaignByPK(ctx context.Context, tenantID, pk string) (teli.VoiceCampaign, error) {
	var c teli.VoiceCampaign
	err := scanVoiceCampaignInto(s.read().QueryRow(ctx,
		`SELECT `+voiceCampaignColumns+` FROM voice_campaigns vc
		 WHERE vc.tenant_id = $1 AND vc.pk = $2 AND vc.deleted_at IS NULL`, tenantID, pk), &c)
	return c, s.wrap("get voice campaign by pk", err)
}

// ListVoiceCampaigns lists an organization's campaigns (not deleted), newest first, optionally
// one user's, with their progress.
func (s *Store) ListVoiceCampaigns(ctx context.Context, tenantID, organizationID, userID string) ([]teli.VoiceCampaign, error) {
	q := newQuery(`SELECT `+voiceCampaignColumns+`, `+voiceProgressColumns+` FROM voice_campaigns vc
		 WHERE vc.tenant_id = $1 AND vc.organization_id = $2 AND vc.deleted_at IS NULL`, tenantID, organizationID)
	if userID != "" {
		q.add(` AND vc.user_id = ` + q.arg(userID))
	}
	rows, err := s.read().Query(ctx, q.add(` ORDER BY vc.created_at DESC, vc.pk DESC`).String(), q.args...)
	if err != nil {
		return nil, s.wrap("list voice campaigns", err)
	}
	list, err := Collect(rows, scanVoiceCampaign)
	return list, s.wrap("list voice campaigns", err)
}

// ChangeVoiceCampaignStatus moves the tenant's campaign from one of from to to; ErrConflict when
// it is in none of them, ErrNotFound when there is no such campaign. Ending it cancels its
// queued calls and settles its leads, in the same transaction.
func (s *Store) ChangeVoiceCampaignStatus(ctx context.Context, tenantID, pk string, from []teli.VoiceCampaignStatus, to teli.VoiceCampaignStatus, at time.Time) error {
	err := s.inTx(ctx, func(tx *Store) error {
		var status teli.VoiceCampaignStatus
		// Locked, so that the status checked is the one replaced.
		if err := tx.write().QueryRow(ctx,
			`SELECT status FROM voice_campaigns WHERE tenant_id = $1 AND pk = $2 AND deleted_at IS NULL`+s.d.ForUpdate(),
			tenantID, pk).Scan(&status); err != nil {
			return err
		}
		if !slices.Contains(from, status) {
			return teli.ErrConflict
		}
		batch := []Statement{{
			SQL:  `UPDATE voice_campaigns SET status = $1, modified_at = $2 WHERE pk = $3`,
			Args: []any{string(to), at, pk},
		}}
		if to == teli.VoiceCampaignEnded {
			batch = append(batch, cancelQueuedCalls(pk, "campaign_ended", at), Statement{
				SQL:  `UPDATE voice_leads SET settled = $1 WHERE campaign_pk = $2 AND NOT settled`,
				Args: []any{true, pk},
			})
		}
		_, err := tx.write().ExecBatch(ctx, batch)
		return err
	})
	return s.wrap("change voice campaign status", err)
}

// cancelQueuedCalls is the statement that cancels a campaign's calls not yet claimed.
func cancelQueuedCalls(campaignPK, reason string, at time.Time) Statement {
	return Statement{
		SQL: `UPDATE calls SET status = 'canceled', reason = $1, updated_at = $2
		 WHERE campaign_pk = $3 AND status = 'queued'`,
		Args: []any{reason, at, campaignPK},
	}
}

// DeleteVoiceCampaign marks the tenant's campaign deleted, deletes its leads and cancels its
// queued calls; the calls stay in the call history, and the campaign_id is free again.
func (s *Store) DeleteVoiceCampaign(ctx context.Context, tenantID, pk string, at time.Time) error {
	err := s.inTx(ctx, func(tx *Store) error {
		n, err := tx.write().Exec(ctx,
			`UPDATE voice_campaigns SET deleted_at = $1 WHERE tenant_id = $2 AND pk = $3 AND deleted_at IS NULL`,
			at, tenantID, pk)
		if err == nil && n == 0 {
			err = teli.ErrNotFound
		}
		if err != nil {
			return err
		}
		_, err = tx.write().ExecBatch(ctx, []Statement{
			{SQL: `DELETE FROM voice_leads WHERE campaign_pk = $1`, Args: []any{pk}},
			cancelQueuedCalls(pk, "campaign_deleted", at),
		})
		return err
	})
	return s.wrap("delete voice campaign", err)
}

// RecordLeadAttempt counts a call placed to a lead (attempted) and, when settled, marks the lead
// done for good; an active campaign whose leads are then all settled becomes completed. A lead
// that no longer exists (its campaign was deleted) has nothing left to count.
func (s *Store) RecordLeadAttempt(ctx context.Context, campaignPK, phone string, attempted, settled bool, at time.Time) error {
	if !attempted && !settled {
		return nil
	}
	attempts := 0
	if attempted {
		attempts = 1
	}
	err := s.inTx(ctx, func(tx *Store) error {
		// The campaign is locked first: under READ COMMITTED two replicas settling its last
		// two leads side by side would otherwise each still see the other's lead unsettled,
		// and neither would complete it.
		if lock := s.d.ForUpdate(); lock != "" {
			if _, err := tx.write().Exec(ctx, `SELECT pk FROM voice_campaigns WHERE pk = $1`+lock, campaignPK); err != nil {
				return err
			}
		}
		batch := []Statement{{
			SQL: `UPDATE voice_leads SET attempts = attempts + $1, settled = (settled OR $2)
			 WHERE campaign_pk = $3 AND phone = $4`,
			Args: []any{attempts, settled, campaignPK, phone},
		}}
		if settled {
			batch = append(batch, Statement{
				SQL: `UPDATE voice_campaigns SET status = 'completed', modified_at = $1
				 WHERE pk = $2 AND status = 'active' AND deleted_at IS NULL
				   AND NOT EXISTS (SELECT 1 FROM voice_leads WHERE campaign_pk = $2 AND NOT settled)`,
				Args: []any{at, campaignPK},
			})
		}
		_, err := tx.write().ExecBatch(ctx, batch)
		return err
	})
	return s.wrap("record lead attempt", err)
}
