package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/openteli/teli/internal/gate"
	"github.com/openteli/teli/internal/store/budget"
	"github.com/openteli/teli/internal/store/rowjson"
	"github.com/openteli/teli/internal/teli"
)

const threadColumns = `t.campaign_pk, t.phone, t.tenant_id, t.organization_id, t.campaign_id,
	t.lead_id, t.owner, t.assigned_user_id, t.lead_outcome, t.vars, t.last_inbound_at,
	t.last_outbound_at, t.created_at, t.ai_state, t.extraction, t.extracted_at, t.voice_request,
	t.drip_step, t.drip_delay, t.drip_due_at`

func scanThreadInto(r scanner, t *teli.Thread, extra ...any) error {
	var assigned sql.NullString
	var vars string
	var lastIn, lastOut, extracted, dripDelay, dripDue sql.NullInt64
	var created int64
	var ai rowjson.ThreadAI
	dest := append([]any{&t.CampaignPK, &t.Phone, &t.TenantID, &t.OrganizationID, &t.CampaignID,
		&t.LeadID, &t.Owner, &assigned, &t.LeadOutcome, &vars, &lastIn, &lastOut, &created,
		&t.AIState, &ai.Extraction, &extracted, &ai.VoiceRequest, &t.DripStep, &dripDelay, &dripDue}, extra...)
	if err := r.Scan(dest...); err != nil {
		return err
	}
	t.AssignedUserID, t.LastInboundAt, t.LastOutboundAt = assigned.String, timePtr(lastIn), timePtr(lastOut)
	t.CreatedAt, t.ExtractedAt, t.DripDueAt = fromMicros(created), timePtr(extracted), timePtr(dripDue)
	if dripDelay.Valid {
		d := time.Duration(dripDelay.Int64) * time.Second
		t.DripDelay = &d
	}
	var err error
	if t.Vars, err = rowjson.DecodeFields(vars); err != nil {
		return err
	}
	return ai.DecodeInto(t)
}

func scanThread(r scanner) (teli.Thread, error) {
	var t teli.Thread
	return t, scanThreadInto(r, &t)
}

// GetThread returns one thread of the tenant.
func (s *Store) GetThread(ctx context.Context, tenantID, campaignPK, phone string) (teli.Thread, error) {
	t, err := scanThread(s.read().QueryRowContext(ctx,
		`SELECT `+threadColumns+` FROM threads t WHERE t.tenant_id = ? AND t.campaign_pk = ? AND t.phone = ?`,
		tenantID, campaignPK, phone))
	return t, wrapErr("get thread", err)
}

// ListThreads returns a page of a campaign's threads, oldest first, and how many f selects.
func (s *Store) ListThreads(ctx context.Context, f teli.ThreadFilter) ([]teli.ThreadRow, int, error) {
	where := ` WHERE t.tenant_id = ? AND t.campaign_pk = ?`
	args := []any{f.TenantID, f.CampaignPK}
	if f.AssignedUserID != "" {
		where += ` AND t.assigned_user_id = ?`
		args = append(args, f.AssignedUserID)
	}
	var total int
	if err := s.read().QueryRowContext(ctx, `SELECT COUNT(*) FROM threads t`+where, args...).Scan(&total); err != nil {
		return nil, 0, wrapErr("list threads", err)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = -1
	}
	rows, err := s.read().QueryContext(ctx,
		`SELECT `+threadColumns+`,
		     EXISTS (SELECT 1 FROM suppressions s WHERE s.organization_id = t.organization_id
		         AND s.phone = t.phone AND s.kind = 'opt_out'),
		     EXISTS (SELECT 1 FROM suppressions s WHERE s.organization_id = t.organization_id
		         AND s.phone = t.phone AND s.kind = 'do_not_contact')
		 FROM threads t`+where+` ORDER BY t.created_at, t.phone LIMIT ? OFFSET ?`,
		append(args, limit, max(f.Offset, 0))...)
	if err != nil {
		return nil, 0, wrapErr("list threads", err)
	}
	list, err := collect(rows, func(r scanner) (teli.ThreadRow, error) {
		var row teli.ThreadRow
		var optedOut, dnc int
		err := scanThreadInto(r, &row.Thread, &optedOut, &dnc)
		row.OptedOut, row.DoNotContact = optedOut == 1, dnc == 1
		return row, err
	})
	return list, total, wrapErr("list threads", err)
}

// RouteInbound finds the newest thread with phone of a campaign sending from number.
func (s *Store) RouteInbound(ctx context.Context, number, phone string) (teli.Thread, error) {
	t, err := scanThread(s.read().QueryRowContext(ctx,
		`SELECT `+threadColumns+` FROM threads t JOIN campaigns c ON c.pk = t.campaign_pk
		 WHERE t.phone = ? AND c.from_number = ?
		 ORDER BY max(coalesce(t.last_outbound_at, 0), coalesce(t.last_inbound_at, 0)) DESC,
		     t.created_at DESC, t.campaign_pk DESC LIMIT 1`,
		phone, number))
	return t, wrapErr("route inbound", err)
}

// TakeOverThread hands the thread to a human for good and cancels its pending automated messages.
func (s *Store) TakeOverThread(ctx context.Context, to teli.TakeOver) (teli.Thread, error) {
	var t teli.Thread
	err := s.inTx(ctx, func(tx *Store) error {
		res, err := tx.write().ExecContext(ctx,
			`UPDATE threads SET owner = 'human', lead_outcome = 'qualified',
			     assigned_user_id = coalesce(?, assigned_user_id), drip_delay = NULL, drip_due_at = NULL,
			     ai_state = ''
			 WHERE tenant_id = ? AND campaign_pk = ? AND phone = ?`,
			nullIfEmpty(to.AssignUserID), to.TenantID, to.CampaignPK, to.Phone)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return teli.ErrNotFound
		}
		if _, err := tx.write().ExecContext(ctx,
			`UPDATE messages SET status = 'canceled', reason = 'human_takeover', updated_at = ?
			 WHERE campaign_pk = ? AND phone = ? AND status = 'queued' AND sender IN ('agent', 'drip')`,
			micros(to.At), to.CampaignPK, to.Phone); err != nil {
			return err
		}
		t, err = tx.GetThread(ctx, to.TenantID, to.CampaignPK, to.Phone)
		return err
	})
	return t, wrapErr("take over thread", err)
}

// UnassignThread clears the thread's assignee.
func (s *Store) UnassignThread(ctx context.Context, tenantID, campaignPK, phone string) error {
	res, err := s.write().ExecContext(ctx,
		`UPDATE threads SET assigned_user_id = NULL WHERE tenant_id = ? AND campaign_pk = ? AND phone = ?`,
		tenantID, campaignPK, phone)
	if err == nil {
		if n, _ := res.RowsAffected(); n == 0 {
			err = teli.ErrNotFound
		}
	}
	return wrapErr("unassign thread", err)
}

// InsertMessages writes messages of existing threads; inbound ones mark the thread.
func (s *Store) InsertMessages(ctx context.Context, msgs []teli.Message) error {
	err := s.inTx(ctx, func(tx *Store) error {
		for _, m := range msgs {
			if err := tx.insertMessage(ctx, m); err != nil {
				return err
			}
			if !m.Inbound {
				continue
			}
			if _, err := tx.write().ExecContext(ctx,
				`UPDATE threads SET last_inbound_at = max(coalesce(last_inbound_at, 0), ?),
				     drip_delay = NULL, drip_due_at = NULL
				 WHERE campaign_pk = ? AND phone = ?`,
				micros(m.CreatedAt), m.CampaignPK, m.Phone); err != nil {
				return err
			}
		}
		return nil
	})
	return wrapErr("insert messages", err)
}

// GetMessage returns one message of the tenant.
func (s *Store) GetMessage(ctx context.Context, tenantID, messageID string) (teli.Message, error) {
	m, err := scanMessage(s.read().QueryRowContext(ctx,
		`SELECT `+messageColumns+` FROM messages m WHERE m.tenant_id = ? AND m.message_id = ?`,
		tenantID, messageID))
	return m, wrapErr("get message", err)
}

// ApplyStatus moves an outbound message forward on a carrier's report.
func (s *Store) ApplyStatus(ctx context.Context, r teli.StatusReport) (bool, error) {
	res, err := s.write().ExecContext(ctx,
		`UPDATE messages SET status = ?1, error_code = CASE WHEN ?2 = '' THEN error_code ELSE ?2 END,
		     provider_id = coalesce(provider_id, ?3), provider = ?5
		 WHERE message_id = ?4 AND inbound = 0 AND provider IN (?5, '')
		   AND (provider_id IS NULL OR provider_id = ?3)
		   AND `+rankOf("status")+` < `+rankOf("?1"),
		string(r.Status), r.ErrorCode, nullIfEmpty(r.ProviderID), r.MessageID, r.Provider)
	if err != nil {
		return false, wrapErr("apply status", err)
	}
	n, err := res.RowsAffected()
	return n == 1, wrapErr("apply status", err)
}

// rankOf is teli.StatusRank of a status expression, in SQL.
func rankOf(expr string) string {
	return `(CASE ` + expr + ` WHEN 'queued' THEN 0 WHEN 'sending' THEN 1 WHEN 'sent' THEN 2
	    WHEN 'delivered' THEN 3 WHEN 'undelivered' THEN 3 WHEN 'failed' THEN 3 ELSE 4 END)`
}

// ChangeCampaignStatus moves a campaign between states with the side effects on its messages.
func (s *Store) ChangeCampaignStatus(ctx context.Context, c teli.CampaignStatusChange) (int, error) {
	var touched int64
	err := s.inTx(ctx, func(tx *Store) error {
		var current string
		err := tx.write().QueryRowContext(ctx,
			`SELECT status FROM campaigns WHERE tenant_id = ? AND pk = ?`, c.TenantID, c.CampaignPK).Scan(&current)
		if err != nil {
			return err
		}
		if !statusIn(teli.CampaignStatus(current), c.From) {
			return teli.ErrConflict
		}
		if _, err := tx.write().ExecContext(ctx,
			`UPDATE campaigns SET status = ?, modified_at = ? WHERE pk = ?`,
			string(c.To), micros(c.At), c.CampaignPK); err != nil {
			return err
		}
		var res sql.Result
		switch c.To {
		case teli.CampaignEnded:
			res, err = tx.write().ExecContext(ctx,
				`UPDATE messages SET status = 'canceled', reason = 'campaign_ended', updated_at = ?
				 WHERE campaign_pk = ? AND status = 'queued' AND sender IN ('agent', 'drip', 'broadcast')`,
				micros(c.At), c.CampaignPK)
			if err == nil {
				_, err = tx.write().ExecContext(ctx,
					`UPDATE threads SET drip_delay = NULL, drip_due_at = NULL WHERE campaign_pk = ?`, c.CampaignPK)
			}
		case teli.CampaignActive:
			res, err = tx.write().ExecContext(ctx,
				`UPDATE messages SET not_before = ?, updated_at = ?
				 WHERE campaign_pk = ? AND status = 'queued' AND reason = 'campaign_paused'`,
				micros(c.At), micros(c.At), c.CampaignPK)
			if err == nil {
				// A campaign paused after its last starting message is complete again.
				err = tx.completeCampaign(ctx, c.CampaignPK, c.At)
			}
		}
		if err != nil || res == nil {
			return err
		}
		touched, err = res.RowsAffected()
		return err
	})
	return int(touched), wrapErr("change campaign status", err)
}

func statusIn(s teli.CampaignStatus, set []teli.CampaignStatus) bool {
	for _, x := range set {
		if s == x {
			return true
		}
	}
	return false
}

// Suppress adds a suppression with its audit line; false if the number already had it.
func (s *Store) Suppress(ctx context.Context, sup teli.Suppression) (bool, error) {
	var added bool
	err := s.inTx(ctx, func(tx *Store) error {
		res, err := tx.write().ExecContext(ctx,
			`INSERT INTO suppressions (organization_id, phone, kind, tenant_id, source, message_id,
			     user_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			sup.OrganizationID, sup.Phone, string(sup.Kind), sup.TenantID, sup.Source, sup.MessageID,
			sup.UserID, micros(sup.At))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		added = true
		return tx.auditSuppression(ctx, sup, "added")
	})
	return added, wrapErr("suppress", err)
}

// Unsuppress lifts a suppression with its audit line; false if there was none.
func (s *Store) Unsuppress(ctx context.Context, sup teli.Suppression) (bool, error) {
	var lifted bool
	err := s.inTx(ctx, func(tx *Store) error {
		res, err := tx.write().ExecContext(ctx,
			`DELETE FROM suppressions WHERE organization_id = ? AND phone = ? AND kind = ?`,
			sup.OrganizationID, sup.Phone, string(sup.Kind))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		lifted = true
		return tx.auditSuppression(ctx, sup, "lifted")
	})
	return lifted, wrapErr("unsuppress", err)
}

func (s *Store) auditSuppression(ctx context.Context, sup teli.Suppression, action string) error {
	_, err := s.write().ExecContext(ctx,
		`INSERT INTO suppression_events (tenant_id, organization_id, phone, kind, action, source,
		     message_id, user_id, detail, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		sup.TenantID, sup.OrganizationID, sup.Phone, string(sup.Kind), action, sup.Source,
		sup.MessageID, sup.UserID, sup.Detail, micros(sup.At))
	return err
}

// Suppressions returns the kinds of suppression a number has in an organization.
func (s *Store) Suppressions(ctx context.Context, organizationID, phone string) ([]teli.SuppressionKind, error) {
	rows, err := s.read().QueryContext(ctx,
		`SELECT kind FROM suppressions WHERE organization_id = ? AND phone = ? ORDER BY kind`,
		organizationID, phone)
	if err != nil {
		return nil, wrapErr("suppressions", err)
	}
	list, err := collect(rows, func(r scanner) (teli.SuppressionKind, error) {
		var k teli.SuppressionKind
		return k, r.Scan(&k)
	})
	return list, wrapErr("suppressions", err)
}

// SuppressionEvents returns a number's audit trail in an organization, oldest first.
func (s *Store) SuppressionEvents(ctx context.Context, organizationID, phone string) ([]teli.SuppressionEvent, error) {
	rows, err := s.read().QueryContext(ctx,
		`SELECT tenant_id, organization_id, phone, kind, action, source, message_id, user_id, detail,
		     created_at FROM suppression_events WHERE organization_id = ? AND phone = ? ORDER BY seq`,
		organizationID, phone)
	if err != nil {
		return nil, wrapErr("suppression events", err)
	}
	list, err := collect(rows, func(r scanner) (teli.SuppressionEvent, error) {
		var e teli.SuppressionEvent
		var at int64
		err := r.Scan(&e.TenantID, &e.OrganizationID, &e.Phone, &e.Kind, &e.Action, &e.Source,
			&e.MessageID, &e.UserID, &e.Detail, &at)
		e.At = fromMicros(at)
		return e, err
	})
	return list, wrapErr("suppression events", err)
}

// RecordInbound stores a webhook's message; false when it is already known.
func (s *Store) RecordInbound(ctx context.Context, e teli.InboundEvent) (bool, error) {
	media, err := json.Marshal(append([]string{}, e.MediaURLs...))
	if err != nil {
		return false, wrapErr("record inbound", err)
	}
	res, err := s.write().ExecContext(ctx,
		`INSERT INTO inbound_events (provider, provider_id, from_number, to_number, body, media_urls,
		     received_at, outcome, message_id) VALUES (?, ?, ?, ?, ?, ?, ?, '', '') ON CONFLICT DO NOTHING`,
		e.Provider, e.ProviderID, e.From, e.To, e.Body, string(media), micros(e.ReceivedAt))
	if err != nil {
		return false, wrapErr("record inbound", err)
	}
	n, err := res.RowsAffected()
	return n == 1, wrapErr("record inbound", err)
}

// GetInbound returns a stored webhook message.
func (s *Store) GetInbound(ctx context.Context, provider, providerID string) (teli.InboundEvent, error) {
	var e teli.InboundEvent
	var media string
	var received int64
	var processed sql.NullInt64
	err := s.read().QueryRowContext(ctx,
		`SELECT provider, provider_id, from_number, to_number, body, media_urls, received_at, outcome,
		     message_id, processed_at FROM inbound_events WHERE provider = ? AND provider_id = ?`,
		provider, providerID).Scan(&e.Provider, &e.ProviderID, &e.From, &e.To, &e.Body, &media,
		&received, &e.Outcome, &e.MessageID, &processed)
	if err == nil {
		e.ReceivedAt, e.ProcessedAt = fromMicros(received), timePtr(processed)
		err = json.Unmarshal([]byte(media), &e.MediaURLs)
	}
	return e, wrapErr("get inbound", err)
}

// FinishInbound records what processing did with a stored webhook message.
func (s *Store) FinishInbound(ctx context.Context, provider, providerID, outcome, messageID string, at time.Time) (bool, error) {
	res, err := s.write().ExecContext(ctx,
		`UPDATE inbound_events SET outcome = ?, message_id = ?, processed_at = ?
		 WHERE provider = ? AND provider_id = ? AND processed_at IS NULL`,
		outcome, messageID, micros(at), provider, providerID)
	if err != nil {
		return false, wrapErr("finish inbound", err)
	}
	n, err := res.RowsAffected()
	return n == 1, wrapErr("finish inbound", err)
}

// GetIdempotent returns the stored response for a tenant's Idempotency-Key.
func (s *Store) GetIdempotent(ctx context.Context, tenantID, key string) (teli.IdempotentResponse, error) {
	r := teli.IdempotentResponse{TenantID: tenantID, Key: key}
	var created int64
	err := s.read().QueryRowContext(ctx,
		`SELECT request_hash, status_code, body, created_at FROM idempotency_keys
		 WHERE tenant_id = ? AND key = ?`, tenantID, key).Scan(&r.RequestHash, &r.StatusCode, &r.Body, &created)
	r.CreatedAt = fromMicros(created)
	return r, wrapErr("get idempotency key", err)
}

// PutIdempotent stores a response; ErrConflict when the key is taken.
func (s *Store) PutIdempotent(ctx context.Context, r teli.IdempotentResponse) error {
	_, err := s.write().ExecContext(ctx,
		`INSERT INTO idempotency_keys (tenant_id, key, request_hash, status_code, body, created_at)
		 VALUES (?, ?, ?, ?, ?, ?)`, r.TenantID, r.Key, r.RequestHash, r.StatusCode, r.Body, micros(r.CreatedAt))
	return wrapErr("put idempotency key", err)
}

// TakeBudget draws n sends from every budget at once, in the writer's transaction.
func (s *Store) TakeBudget(ctx context.Context, budgets []teli.Budget, n int, now time.Time) (int, time.Time, error) {
	var granted int
	var next time.Time
	err := s.inTx(ctx, func(tx *Store) error {
		states := make([]budget.State, len(budgets))
		for i, b := range budgets {
			var tokens float64
			var updated int64
			err := tx.write().QueryRowContext(ctx,
				`SELECT tokens, updated_at, day, used FROM rate_budgets WHERE key = ?`, b.Key).
				Scan(&tokens, &updated, &states[i].Quota.Day, &states[i].Quota.Used)
			switch {
			case errors.Is(err, sql.ErrNoRows):
			case err != nil:
				return err
			default:
				states[i].Bucket = bucketOf(tokens, updated)
			}
		}
		var out []budget.State
		out, granted, next = budget.Take(budgets, states, n, now)
		for i, b := range budgets {
			if _, err := tx.write().ExecContext(ctx,
				`INSERT INTO rate_budgets (key, tokens, updated_at, day, used) VALUES (?, ?, ?, ?, ?)
				 ON CONFLICT (key) DO UPDATE SET tokens = excluded.tokens, updated_at = excluded.updated_at,
				     day = excluded.day, used = excluded.used`,
				b.Key, out[i].Bucket.Tokens, bucketMicros(out[i].Bucket), out[i].Quota.Day, out[i].Quota.Used); err != nil {
				return err
			}
		}
		return nil
	})
	return granted, next, wrapErr("take budget", err)
}

// bucketOf decodes a stored bucket; updated_at 0 is a bucket never used.
func bucketOf(tokens float64, updated int64) gate.Bucket {
	if updated == 0 {
		return gate.Bucket{}
	}
	return gate.Bucket{Tokens: tokens, UpdatedAt: fromMicros(updated)}
}

// bucketMicros encodes a bucket's instant; 0 for a bucket never used.
func bucketMicros(b gate.Bucket) int64 {
	if b.UpdatedAt.IsZero() {
		return 0
	}
	return micros(b.UpdatedAt)
}

// Usage counts the segments sent and received in an organization, or by one user's campaigns.
func (s *Store) Usage(ctx context.Context, f teli.UsageFilter) (teli.Usage, error) {
	q := `SELECT
	    coalesce(sum(CASE WHEN m.inbound = 0 AND m.media_url = '' THEN m.segments END), 0),
	    coalesce(sum(CASE WHEN m.inbound = 1 AND m.media_url = '' THEN m.segments END), 0),
	    coalesce(sum(CASE WHEN m.inbound = 0 AND m.media_url <> '' THEN m.segments END), 0),
	    coalesce(sum(CASE WHEN m.inbound = 1 AND m.media_url <> '' THEN m.segments END), 0)
	  FROM messages m JOIN campaigns c ON c.pk = m.campaign_pk
	  WHERE m.tenant_id = ? AND m.organization_id = ?
	    AND (m.inbound = 1 OR (m.status IN ('sent', 'delivered', 'undelivered') AND m.provider <> 'dry_run'))`
	args := []any{f.TenantID, f.OrganizationID}
	if f.UserID != "" {
		q += ` AND coalesce(m.sent_by_user_id, c.user_id) = ?`
		args = append(args, f.UserID)
	}
	var u teli.Usage
	err := s.read().QueryRowContext(ctx, q, args...).Scan(&u.SMSOutbound, &u.SMSInbound, &u.MMSOutbound, &u.MMSInbound)
	return u, wrapErr("usage", err)
}
