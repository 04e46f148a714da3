package sqlite

import (
	"context"
	"database/sql"
	"slices"
	"time"

	"github.com/openteli/teli/internal/store/rowjson"
	"github.com/openteli/teli/internal/teli"
)

// CreateCampaign inserts c; ErrConflict when the tenant already has its campaign_id.
func (s *Store) CreateCampaign(ctx context.Context, c teli.Campaign) error {
	doc, err := rowjson.EncodeCampaign(c)
	if err != nil {
		return wrapErr("create campaign", err)
	}
	_, err = s.write().ExecContext(ctx,
		`INSERT INTO campaigns (pk, campaign_id, tenant_id, organization_id, user_id, agent_id,
		     from_number, name, status, settings, invalid_leads, created_at, modified_at)
		 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.PK, c.ID, c.TenantID, c.OrganizationID, c.UserID, c.AgentID, c.FromNumber, c.Name,
		string(c.Status), doc.Settings, doc.InvalidLeads, micros(c.CreatedAt), micros(c.ModifiedAt))
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
	c, err := scanCampaign(s.read().QueryRowContext(ctx,
		campaignRecord+` WHERE c.tenant_id = ? AND c.campaign_id = ?`, tenantID, campaignID))
	return c, wrapErr("look up campaign", err)
}

// GetCampaign finds the tenant's campaign by campaign_id.
func (s *Store) GetCampaign(ctx context.Context, tenantID, campaignID string) (teli.Campaign, error) {
	c, err := scanCampaign(s.read().QueryRowContext(ctx,
		campaignSelect+` WHERE c.tenant_id = ? AND c.campaign_id = ?`, tenantID, campaignID))
	return c, wrapErr("get campaign", err)
}

// ListCampaigns lists an organization's campaigns, newest first, optionally one user's.
func (s *Store) ListCampaigns(ctx context.Context, tenantID, organizationID, userID string) ([]teli.Campaign, error) {
	q := campaignSelect + ` WHERE c.tenant_id = ? AND c.organization_id = ?`
	args := []any{tenantID, organizationID}
	if userID != "" {
		q += ` AND c.user_id = ?`
		args = append(args, userID)
	}
	rows, err := s.read().QueryContext(ctx, q+` ORDER BY c.created_at DESC, c.pk DESC`, args...)
	if err != nil {
		return nil, wrapErr("list campaigns", err)
	}
	list, err := collect(rows, scanCampaign)
	return list, wrapErr("list campaigns", err)
}

func scanCampaign(r scanner) (teli.Campaign, error) {
	var c teli.Campaign
	var settings, invalid string
	var created, modified int64
	err := r.Scan(&c.PK, &c.ID, &c.TenantID, &c.OrganizationID, &c.UserID, &c.AgentID,
		&c.FromNumber, &c.Name, &c.Status, &settings, &invalid, &created, &modified,
		&c.TotalContacts, &c.TotalMessages)
	if err != nil {
		return c, err
	}
	c.CreatedAt, c.ModifiedAt = fromMicros(created), fromMicros(modified)
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
	res, err := s.write().ExecContext(ctx,
		`INSERT INTO threads (campaign_pk, phone, tenant_id, organization_id, campaign_id, lead_id,
		     owner, assigned_user_id, lead_outcome, vars, last_inbound_at, last_outbound_at, created_at,
		     drip_step, drip_delay)
		 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		t.CampaignPK, t.Phone, t.TenantID, t.OrganizationID, t.CampaignID, t.LeadID, string(t.Owner),
		nullIfEmpty(t.AssignedUserID), t.LeadOutcome, vars, nullMicros(t.LastInboundAt),
		nullMicros(t.LastOutboundAt), micros(t.CreatedAt), t.DripStep, nullSeconds(t.DripDelay))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

func (s *Store) insertMessage(ctx context.Context, m teli.Message) error {
	_, err := s.write().ExecContext(ctx,
		`INSERT INTO messages (message_id, tenant_id, organization_id, campaign_pk, phone, inbound,
		     sender, purpose, sent_by_user_id, from_number, to_number, body, media_url, status, reason,
		     segments, encoding, not_before, expires_at, provider, provider_id, error_code,
		     created_at, updated_at)
		 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		m.ID, m.TenantID, m.OrganizationID, m.CampaignPK, m.Phone, boolInt(m.Inbound), m.Sender,
		string(m.Purpose), nullIfEmpty(m.SentByUserID), m.From, m.To, m.Body, m.MediaURL, string(m.Status), m.Reason,
		m.Segments, m.Encoding, micros(m.NotBefore), nullMicros(m.ExpiresAt), m.Provider,
		nullIfEmpty(m.ProviderID), m.ErrorCode, micros(m.CreatedAt), micros(m.UpdatedAt))
	return err
}

const messageColumns = `m.message_id, m.tenant_id, m.organization_id, m.campaign_pk, m.phone,
	m.inbound, m.sender, m.purpose, m.sent_by_user_id, m.from_number, m.to_number, m.body, m.media_url,
	m.status, m.reason, m.segments, m.encoding, m.not_before, m.expires_at, m.provider,
	m.provider_id, m.error_code, m.created_at, m.updated_at`

// scanMessageInto reads messageColumns, then extra destinations, from r.
func scanMessageInto(r scanner, m *teli.Message, extra ...any) error {
	var inbound int
	var sentBy, providerID sql.NullString
	var notBefore, created, updated int64
	var expires sql.NullInt64
	dest := append([]any{&m.ID, &m.TenantID, &m.OrganizationID, &m.CampaignPK, &m.Phone,
		&inbound, &m.Sender, &m.Purpose, &sentBy, &m.From, &m.To, &m.Body, &m.MediaURL, &m.Status, &m.Reason,
		&m.Segments, &m.Encoding, &notBefore, &expires, &m.Provider, &providerID, &m.ErrorCode,
		&created, &updated}, extra...)
	if err := r.Scan(dest...); err != nil {
		return err
	}
	m.Inbound, m.SentByUserID, m.ProviderID = inbound == 1, sentBy.String, providerID.String
	m.NotBefore, m.ExpiresAt = fromMicros(notBefore), timePtr(expires)
	m.CreatedAt, m.UpdatedAt = fromMicros(created), fromMicros(updated)
	return nil
}

func scanMessage(r scanner) (teli.Message, error) {
	var m teli.Message
	return m, scanMessageInto(r, &m)
}

// ListMessages returns a campaign's messages, newest first.
func (s *Store) ListMessages(ctx context.Context, f teli.MessageFilter) ([]teli.Message, error) {
	q := `SELECT ` + messageColumns + ` FROM messages m WHERE m.tenant_id = ? AND m.campaign_pk = ?`
	args := []any{f.TenantID, f.CampaignPK}
	if f.Phone != "" {
		q += ` AND m.phone = ?`
		args = append(args, f.Phone)
	}
	if !f.Since.IsZero() {
		q += ` AND m.created_at > ?`
		args = append(args, micros(f.Since))
	}
	if !f.Before.IsZero() {
		q += ` AND m.created_at < ?`
		args = append(args, micros(f.Before))
	}
	limit := f.Limit
	if limit <= 0 {
		limit = -1
	}
	rows, err := s.read().QueryContext(ctx, q+` ORDER BY m.created_at DESC, m.message_id DESC LIMIT ?`,
		append(args, limit)...)
	if err != nil {
		return nil, wrapErr("list messages", err)
	}
	list, err := collect(rows, scanMessage)
	return list, wrapErr("list messages", err)
}

// ClaimDue claims due queued outbound messages under r.Token, oldest due first, after taking
// back the claims whose lease expired.
func (s *Store) ClaimDue(ctx context.Context, r teli.ClaimRequest) ([]teli.ClaimedMessage, error) {
	var claimed []teli.ClaimedMessage
	err := s.inTx(ctx, func(tx *Store) error {
		reclaimed, err := tx.reclaim(ctx, r)
		if err != nil {
			return err
		}
		res, err := tx.write().ExecContext(ctx,
			`UPDATE messages SET status = 'sending', claim_token = ?, updated_at = ?
			 WHERE message_id IN (SELECT message_id FROM messages
			     WHERE status = 'queued' AND not_before <= ? ORDER BY not_before, message_id LIMIT ?)`,
			r.Token, micros(r.Now), micros(r.Now), r.Limit)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 && len(reclaimed) == 0 {
			return err
		}
		rows, err := tx.write().QueryContext(ctx,
			`SELECT `+messageColumns+`, t.owner, c.status, t.last_inbound_at,
			     EXISTS (SELECT 1 FROM suppressions s WHERE s.organization_id = m.organization_id
			         AND s.phone = m.phone AND s.kind = 'opt_out'),
			     EXISTS (SELECT 1 FROM suppressions s WHERE s.organization_id = m.organization_id
			         AND s.phone = m.phone AND s.kind = 'do_not_contact'),
			     coalesce(json_extract(t.vars, '$.time_zone'), ''),
			     coalesce(json_extract(t.vars, '$.state'), ''), coalesce(json_extract(t.vars, '$.zip_code'), '')
			 FROM messages m JOIN threads t ON t.campaign_pk = m.campaign_pk AND t.phone = m.phone
			 JOIN campaigns c ON c.pk = m.campaign_pk
			 WHERE m.status = 'sending' AND m.claim_token = ? ORDER BY m.not_before, m.message_id`, r.Token)
		if err != nil {
			return err
		}
		claimed, err = collect(rows, scanClaimed)
		for i := range claimed {
			claimed[i].Reclaimed = reclaimed[claimed[i].ID]
		}
		return err
	})
	return claimed, wrapErr("claim due messages", err)
}

// reclaim moves the claims whose lease expired to r.Token and returns their ids.
func (s *Store) reclaim(ctx context.Context, r teli.ClaimRequest) (map[string]bool, error) {
	if r.LeaseExpiredBefore.IsZero() {
		return nil, nil
	}
	rows, err := s.write().QueryContext(ctx,
		`UPDATE messages SET claim_token = ?, updated_at = ? WHERE message_id IN (
		     SELECT message_id FROM messages WHERE status = 'sending' AND updated_at < ?
		     ORDER BY updated_at LIMIT ?) RETURNING message_id`,
		r.Token, micros(r.Now), micros(r.LeaseExpiredBefore), r.Limit)
	if err != nil {
		return nil, err
	}
	ids, err := collect(rows, func(r scanner) (string, error) {
		var id string
		return id, r.Scan(&id)
	})
	set := make(map[string]bool, len(ids))
	for _, id := range ids {
		set[id] = true
	}
	return set, err
}

func scanClaimed(r scanner) (teli.ClaimedMessage, error) {
	var c teli.ClaimedMessage
	var lastInbound sql.NullInt64
	var optedOut, dnc int
	err := scanMessageInto(r, &c.Message, &c.Owner, &c.CampaignStatus, &lastInbound, &optedOut, &dnc,
		&c.ContactTimeZone, &c.ContactState, &c.ContactZip)
	c.LastInboundAt, c.OptedOut, c.DoNotContact = timePtr(lastInbound), optedOut == 1, dnc == 1
	return c, err
}

// keepFinalStatus is the SET expression of a sent outcome: a carrier's status callback can
// arrive while the message is still claimed, and a final status it wrote must not be
// overwritten by the send's own "sent".
const keepFinalStatus = `CASE WHEN status IN ('delivered', 'undelivered', 'failed') AND ?1 IN ('sent', 'delivered')
	THEN status ELSE ?1 END`

// FinishSends records outcomes of messages still claimed under token, in one transaction;
// a message sent marks its thread's last outbound time, and a campaign whose starting messages
// are all settled is COMPLETED.
func (s *Store) FinishSends(ctx context.Context, token string, outcomes []teli.SendOutcome) error {
	// An outcome still "sending" is a message whose fate at the carrier is unknown: it stays
	// claimed until its lease runs out.
	outcomes = slices.DeleteFunc(slices.Clone(outcomes), func(o teli.SendOutcome) bool { return o.Status == teli.MessageSending })
	err := s.inTx(ctx, func(tx *Store) error {
		campaigns := map[string]time.Time{}
		for _, o := range outcomes {
			res, err := tx.write().ExecContext(ctx,
				`UPDATE messages SET status = `+keepFinalStatus+`, reason = ?2, not_before = ?3,
				     provider = ?4, provider_id = coalesce(provider_id, ?5),
				     error_code = CASE WHEN ?6 = '' THEN error_code ELSE ?6 END,
				     claim_token = NULL, updated_at = ?7
				 WHERE message_id = ?8 AND claim_token = ?9`,
				string(o.Status), o.Reason, micros(o.NotBefore), o.Provider, nullIfEmpty(o.ProviderID),
				o.ErrorCode, micros(o.At), o.MessageID, token)
			if err != nil {
				return err
			}
			n, _ := res.RowsAffected()
			if n == 0 {
				continue
			}
			if o.Status != teli.MessageQueued && o.CampaignPK != "" {
				campaigns[o.CampaignPK] = o.At
			}
			if !sentStatus(o.Status) {
				continue
			}
			if _, err := tx.write().ExecContext(ctx,
				`UPDATE threads SET last_outbound_at = ?1,
				     drip_due_at = CASE WHEN drip_delay IS NULL OR owner <> 'ai' THEN NULL
				         ELSE ?1 + drip_delay * 1000000 END
				 WHERE (campaign_pk, phone) = (SELECT campaign_pk, phone FROM messages WHERE message_id = ?2)`,
				micros(o.At), o.MessageID); err != nil {
				return err
			}
		}
		for pk, at := range campaigns {
			if err := tx.completeCampaign(ctx, pk, at); err != nil {
				return err
			}
		}
		return nil
	})
	return wrapErr("finish sends", err)
}

// completeCampaign marks an ACTIVE campaign COMPLETED when none of its starting messages is
// left queued or sending.
func (s *Store) completeCampaign(ctx context.Context, pk string, at time.Time) error {
	_, err := s.write().ExecContext(ctx,
		`UPDATE campaigns SET status = 'COMPLETED', modified_at = ?
		 WHERE pk = ? AND status = 'ACTIVE' AND NOT EXISTS (SELECT 1 FROM messages
		     WHERE campaign_pk = ? AND purpose = 'starting' AND status IN ('queued', 'sending'))`,
		micros(at), pk, pk)
	return err
}

// sentStatus reports whether a message in status st was handed to a carrier.
func sentStatus(st teli.MessageStatus) bool {
	return st == teli.MessageSent || st == teli.MessageDelivered
}
