package postgres

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/openteli/teli/internal/store/rowjson"
	"github.com/openteli/teli/internal/teli"
)

// CreateCampaign inserts c; ErrConflict when the tenant already has its campaign_id.
func (s *Store) CreateCampaign(ctx context.Context, c teli.Campaign) error {
	doc, err := rowjson.EncodeCampaign(c)
	if err != nil {
		return wrapErr("create campaign", err)
	}
	_, err = s.q().Exec(ctx,
		`INSERT INTO campaigns (pk, campaign_id, tenant_id, organization_id, user_id, agent_id,
		     from_number, name, status, settings, invalid_leads, created_at, modified_at)
		 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		c.PK, c.ID, c.TenantID, c.OrganizationID, c.UserID, c.AgentID, c.FromNumber, c.Name,
		string(c.Status), doc.Settings, doc.InvalidLeads, c.CreatedAt, c.ModifiedAt)
	return wrapErr("create campaign", err)
}

const campaignSelect = `SELECT c.pk, c.campaign_id, c.tenant_id, c.organization_id, c.user_id,
	c.agent_id, c.from_number, c.name, c.status, c.settings, c.invalid_leads, c.created_at,
	c.modified_at,
	(SELECT COUNT(*) FROM threads t WHERE t.campaign_pk = c.pk),
	(SELECT COUNT(*) FROM messages m WHERE m.campaign_pk = c.pk)
	FROM campaigns c`

// campaignRecord is campaignSelect without the totals, which count rows.
const campaignRecord = `SELECT c.pk, c.campaign_id, c.tenant_id, c.organization_id, c.user_id,
	c.agent_id, c.from_number, c.name, c.status, c.settings, c.invalid_leads, c.created_at,
	c.modified_at, 0, 0 FROM campaigns c`

// LookupCampaign finds the tenant's campaign by campaign_id, without its totals.
func (s *Store) LookupCampaign(ctx context.Context, tenantID, campaignID string) (teli.Campaign, error) {
	c, err := scanCampaign(s.q().QueryRow(ctx,
		campaignRecord+` WHERE c.tenant_id = $1 AND c.campaign_id = $2`, tenantID, campaignID))
	return c, wrapErr("look up campaign", err)
}

// GetCampaign finds the tenant's campaign by campaign_id.
func (s *Store) GetCampaign(ctx context.Context, tenantID, campaignID string) (teli.Campaign, error) {
	c, err := scanCampaign(s.q().QueryRow(ctx,
		campaignSelect+` WHERE c.tenant_id = $1 AND c.campaign_id = $2`, tenantID, campaignID))
	return c, wrapErr("get campaign", err)
}

// ListCampaigns lists an organization's campaigns, newest first, optionally one user's.
func (s *Store) ListCampaigns(ctx context.Context, tenantID, organizationID, userID string) ([]teli.Campaign, error) {
	q := campaignSelect + ` WHERE c.tenant_id = $1 AND c.organization_id = $2`
	args := []any{tenantID, organizationID}
	if userID != "" {
		q += ` AND c.user_id = $3`
		args = append(args, userID)
	}
	rows, err := s.q().Query(ctx, q+` ORDER BY c.created_at DESC, c.pk DESC`, args...)
	if err != nil {
		return nil, wrapErr("list campaigns", err)
	}
	list, err := collect(rows, scanCampaign)
	return list, wrapErr("list campaigns", err)
}

func scanCampaign(r pgx.Row) (teli.Campaign, error) {
	var c teli.Campaign
	var settings, invalid string
	err := r.Scan(&c.PK, &c.ID, &c.TenantID, &c.OrganizationID, &c.UserID, &c.AgentID,
		&c.FromNumber, &c.Name, &c.Status, &settings, &invalid, &c.CreatedAt, &c.ModifiedAt,
		&c.TotalContacts, &c.TotalMessages)
	if err != nil {
		return c, err
	}
	c.CreatedAt, c.ModifiedAt = utc(c.CreatedAt), utc(c.ModifiedAt)
	return c, rowjson.Campaign{Settings: settings, InvalidLeads: invalid}.DecodeInto(&c)
}

// AddThreads opens the threads the campaign does not have yet and queues their first messages.
func (s *Store) AddThreads(ctx context.Context, threads []teli.Thread, first []teli.Message) ([]teli.Thread, error) {
	var opened []teli.Thread
	err := s.inTx(ctx, func(tx *Store) error {
		isNew := make(map[[2]string]bool, len(threads))
		for _, t := range threads {
			added, err := tx.insertThread(ctx, t)
			if err != nil {
				return err
			}
			if added {
				opened = append(opened, t)
				isNew[[2]string{t.CampaignPK, t.Phone}] = true
			}
		}
		for _, m := range first {
			if !isNew[[2]string{m.CampaignPK, m.Phone}] {
				continue
			}
			if err := tx.insertMessage(ctx, m); err != nil {
				return err
			}
		}
		return nil
	})
	return opened, wrapErr("add threads", err)
}

func (s *Store) insertThread(ctx context.Context, t teli.Thread) (bool, error) {
	vars, err := rowjson.EncodeFields(t.Vars)
	if err != nil {
		return false, err
	}
	tag, err := s.q().Exec(ctx,
		`INSERT INTO threads (campaign_pk, phone, tenant_id, organization_id, campaign_id, lead_id,
		     owner, assigned_user_id, lead_outcome, vars, last_inbound_at, last_outbound_at, created_at,
		     drip_step, drip_delay)
		 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) ON CONFLICT DO NOTHING`,
		t.CampaignPK, t.Phone, t.TenantID, t.OrganizationID, t.CampaignID, t.LeadID, string(t.Owner),
		nullIfEmpty(t.AssignedUserID), t.LeadOutcome, vars, t.LastInboundAt, t.LastOutboundAt, t.CreatedAt,
		t.DripStep, seconds(t.DripDelay))
	return tag.RowsAffected() == 1, err
}

func (s *Store) insertMessage(ctx context.Context, m teli.Message) error {
	_, err := s.q().Exec(ctx,
		`INSERT INTO messages (message_id, tenant_id, organization_id, campaign_pk, phone, inbound,
		     sender, purpose, sent_by_user_id, from_number, to_number, body, media_url, status,
		     reason, segments, encoding, not_before, expires_at, provider, provider_id, error_code,
		     created_at, updated_at)
		 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
		     $19, $20, $21, $22, $23, $24)`,
		m.ID, m.TenantID, m.OrganizationID, m.CampaignPK, m.Phone, m.Inbound, m.Sender,
		string(m.Purpose), nullIfEmpty(m.SentByUserID), m.From, m.To, m.Body, m.MediaURL, string(m.Status), m.Reason,
		m.Segments, m.Encoding, m.NotBefore, m.ExpiresAt, m.Provider, nullIfEmpty(m.ProviderID),
		m.ErrorCode, m.CreatedAt, m.UpdatedAt)
	return err
}

const messageColumns = `m.message_id, m.tenant_id, m.organization_id, m.campaign_pk, m.phone,
	m.inbound, m.sender, m.purpose, m.sent_by_user_id, m.from_number, m.to_number, m.body, m.media_url,
	m.status, m.reason, m.segments, m.encoding, m.not_before, m.expires_at, m.provider,
	m.provider_id, m.error_code, m.created_at, m.updated_at`

// scanMessageInto reads messageColumns, then extra destinations, from r.
func scanMessageInto(r pgx.Row, m *teli.Message, extra ...any) error {
	var sentBy, providerID *string
	dest := append([]any{&m.ID, &m.TenantID, &m.OrganizationID, &m.CampaignPK, &m.Phone,
		&m.Inbound, &m.Sender, &m.Purpose, &sentBy, &m.From, &m.To, &m.Body, &m.MediaURL, &m.Status, &m.Reason,
		&m.Segments, &m.Encoding, &m.NotBefore, &m.ExpiresAt, &m.Provider, &providerID, &m.ErrorCode,
		&m.CreatedAt, &m.UpdatedAt}, extra...)
	if err := r.Scan(dest...); err != nil {
		return err
	}
	m.SentByUserID, m.ProviderID = deref(sentBy), deref(providerID)
	m.NotBefore, m.ExpiresAt = utc(m.NotBefore), utcPtr(m.ExpiresAt)
	m.CreatedAt, m.UpdatedAt = utc(m.CreatedAt), utc(m.UpdatedAt)
	return nil
}

func scanMessage(r pgx.Row) (teli.Message, error) {
	var m teli.Message
	return m, scanMessageInto(r, &m)
}

// ListMessages returns a campaign's messages, newest first.
func (s *Store) ListMessages(ctx context.Context, f teli.MessageFilter) ([]teli.Message, error) {
	q := `SELECT ` + messageColumns + ` FROM messages m WHERE m.tenant_id = $1 AND m.campaign_pk = $2`
	args := []any{f.TenantID, f.CampaignPK}
	add := func(cond string, v any) {
		args = append(args, v)
		q += fmt.Sprintf(cond, len(args))
	}
	if f.Phone != "" {
		add(` AND m.phone = $%d`, f.Phone)
	}
	if !f.Since.IsZero() {
		add(` AND m.created_at > $%d`, f.Since)
	}
	if !f.Before.IsZero() {
		add(` AND m.created_at < $%d`, f.Before)
	}
	var limit any
	if f.Limit > 0 {
		limit = f.Limit
	}
	add(` ORDER BY m.created_at DESC, m.message_id DESC LIMIT $%d`, limit)
	rows, err := s.q().Query(ctx, q, args...)
	if err != nil {
		return nil, wrapErr("list messages", err)
	}
	list, err := collect(rows, scanMessage)
	return list, wrapErr("list messages", err)
}

// ClaimDue claims due queued outbound messages under r.Token, oldest due first, together with
// the claims whose lease expired, in one statement. SKIP LOCKED lets several replicas claim side
// by side without waiting on each other's rows, and keeps two of them from taking back the same
// expired claim.
func (s *Store) ClaimDue(ctx context.Context, r teli.ClaimRequest) ([]teli.ClaimedMessage, error) {
	var leaseExpired *time.Time
	if !r.LeaseExpiredBefore.IsZero() {
		leaseExpired = &r.LeaseExpiredBefore
	}
	rows, err := s.q().Query(ctx,
		`WITH stale AS (
		     SELECT message_id FROM messages
		     WHERE $4::timestamptz IS NOT NULL AND status = 'sending' AND updated_at < $4
		     ORDER BY updated_at, message_id LIMIT $2 FOR UPDATE SKIP LOCKED),
		 due AS (
		     SELECT message_id FROM messages WHERE status = 'queued' AND not_before <= $1
		     ORDER BY not_before, message_id LIMIT $2 FOR UPDATE SKIP LOCKED),
		 picked AS (
		     SELECT message_id, true AS reclaimed FROM stale
		     UNION ALL SELECT message_id, false FROM due),
		 claimed AS (
		     UPDATE messages m SET status = 'sending', claim_token = $3, updated_at = $1
		     FROM picked WHERE m.message_id = picked.message_id RETURNING m.*, picked.reclaimed)
		 SELECT `+messageColumns+`, t.owner, c.status, t.last_inbound_at,
		     EXISTS (SELECT 1 FROM suppressions s WHERE s.organization_id = m.organization_id
		         AND s.phone = m.phone AND s.kind = 'opt_out'),
		     EXISTS (SELECT 1 FROM suppressions s WHERE s.organization_id = m.organization_id
		         AND s.phone = m.phone AND s.kind = 'do_not_contact'),
		     m.reclaimed, coalesce(t.vars::jsonb ->> 'time_zone', ''),
		     coalesce(t.vars::jsonb ->> 'state', ''), coalesce(t.vars::jsonb ->> 'zip_code', '')
		 FROM claimed m JOIN threads t ON t.campaign_pk = m.campaign_pk AND t.phone = m.phone
		 JOIN campaigns c ON c.pk = m.campaign_pk ORDER BY m.not_before, m.message_id`,
		r.Now, r.Limit, r.Token, leaseExpired)
	if err != nil {
		return nil, wrapErr("claim due messages", err)
	}
	list, err := collect(rows, scanClaimed)
	return list, wrapErr("claim due messages", err)
}

func scanClaimed(r pgx.Row) (teli.ClaimedMessage, error) {
	var c teli.ClaimedMessage
	err := scanMessageInto(r, &c.Message, &c.Owner, &c.CampaignStatus, &c.LastInboundAt,
		&c.OptedOut, &c.DoNotContact, &c.Reclaimed, &c.ContactTimeZone, &c.ContactState, &c.ContactZip)
	c.LastInboundAt = utcPtr(c.LastInboundAt)
	return c, err
}

// finishSend records one outcome of a message still claimed under the token, and marks the
// thread's last outbound time when the message was sent; it returns how many messages it
// updated (0 or 1). A carrier's status callback can arrive while the message is still claimed:
// a final status it wrote is not overwritten by the send's own "sent" or "delivered".
const finishSend = `WITH done AS (
	    UPDATE messages SET
	        status = CASE WHEN status IN ('delivered', 'undelivered', 'failed')
	            AND $1::text IN ('sent', 'delivered') THEN status ELSE $1::text END,
	        reason = $2, not_before = $3, provider = $4, provider_id = coalesce(provider_id, $5),
	        error_code = CASE WHEN $6::text = '' THEN error_code ELSE $6::text END, claim_token = NULL, updated_at = $7
	    WHERE message_id = $8 AND claim_token = $9
	    RETURNING campaign_pk, phone),
	marked AS (
	    UPDATE threads t SET last_outbound_at = $7,
	        drip_due_at = CASE WHEN t.drip_delay IS NULL OR t.owner <> 'ai' THEN NULL
	            ELSE $7 + make_interval(secs => t.drip_delay) END
	    FROM done
	    WHERE $10 AND t.campaign_pk = done.campaign_pk AND t.phone = done.phone)
	SELECT count(*) FROM done`

// FinishSends records outcomes of messages still claimed under token, in one transaction;
// a message sent marks its thread's last outbound time, and a campaign whose starting messages
// are all settled is COMPLETED.
func (s *Store) FinishSends(ctx context.Context, token string, outcomes []teli.SendOutcome) error {
	// An outcome still "sending" is a message whose fate at the carrier is unknown: it stays
	// claimed until its lease runs out.
	outcomes = slices.DeleteFunc(slices.Clone(outcomes), func(o teli.SendOutcome) bool { return o.Status == teli.MessageSending })
	err := s.inTx(ctx, func(tx *Store) error {
		batch := &pgx.Batch{}
		for _, o := range outcomes {
			batch.Queue(finishSend, string(o.Status), o.Reason, o.NotBefore, o.Provider,
				nullIfEmpty(o.ProviderID), o.ErrorCode, o.At, o.MessageID, token, sentStatus(o.Status))
		}
		results := tx.q().SendBatch(ctx, batch)
		campaigns := map[string]time.Time{}
		for _, o := range outcomes {
			var n int
			if err := results.QueryRow().Scan(&n); err != nil {
				_ = results.Close()
				return err
			}
			if n > 0 && o.Status != teli.MessageQueued && o.CampaignPK != "" {
				campaigns[o.CampaignPK] = o.At
			}
		}
		if err := results.Close(); err != nil {
			return err
		}
		return tx.completeCampaigns(ctx, campaigns)
	})
	return wrapErr("finish sends", err)
}

// completeCampaigns marks COMPLETED each ACTIVE campaign of pks (campaign pk → when) that has no
// starting message left queued or sending. The campaigns are locked first, in pk order, and
// checked by a later statement: under READ COMMITTED two replicas finishing a campaign's last
// two starting messages side by side would otherwise each still see the other's message as
// sending, and neither would complete the campaign.
func (s *Store) completeCampaigns(ctx context.Context, pks map[string]time.Time) error {
	if len(pks) == 0 {
		return nil
	}
	keys := make([]string, 0, len(pks))
	for pk := range pks {
		keys = append(keys, pk)
	}
	slices.Sort(keys)
	ats := make([]time.Time, len(keys))
	for i, pk := range keys {
		ats[i] = pks[pk]
	}
	if _, err := s.q().Exec(ctx,
		`SELECT pk FROM campaigns WHERE pk = ANY($1) AND status = 'ACTIVE' ORDER BY pk FOR UPDATE`,
		keys); err != nil {
		return err
	}
	_, err := s.q().Exec(ctx,
		`UPDATE campaigns c SET status = 'COMPLETED', modified_at = x.at
		 FROM unnest($1::text[], $2::timestamptz[]) AS x (pk, at)
		 WHERE c.pk = x.pk AND c.status = 'ACTIVE' AND NOT EXISTS (SELECT 1 FROM messages m
		     WHERE m.campaign_pk = c.pk AND m.purpose = 'starting' AND m.status IN ('queued', 'sending'))`,
		keys, ats)
	return err
}

// sentStatus reports whether a message in status st was handed to a carrier.
func sentStatus(st teli.MessageStatus) bool {
	return st == teli.MessageSent || st == teli.MessageDelivered
}
