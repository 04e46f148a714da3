package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/openteli/teli/internal/gate"
	"github.com/openteli/teli/internal/store/budget"
	"github.com/openteli/teli/internal/store/rowjson"
	"github.com/openteli/teli/internal/teli"
)

const threadColumns = `t.campaign_pk, t.phone, t.tenant_id, t.organization_id, t.campaign_id,
	t.lead_id, t.owner, t.assigned_user_id, t.lead_outcome, t.vars, t.last_inbound_at,
	t.last_outbound_at, t.created_at, t.ai_state, t.extraction, t.extracted_at, t.voice_request,
	t.drip_step, t.drip_delay, t.drip_due_at`

// scanThreadInto reads threadColumns, then extra destinations, from r.
func scanThreadInto(r pgx.Row, t *teli.Thread, extra ...any) error {
	var assigned *string
	var vars string
	var ai rowjson.ThreadAI
	var dripDelay *int64
	dest := append([]any{&t.CampaignPK, &t.Phone, &t.TenantID, &t.OrganizationID, &t.CampaignID,
		&t.LeadID, &t.Owner, &assigned, &t.LeadOutcome, &vars, &t.LastInboundAt, &t.LastOutboundAt,
		&t.CreatedAt, &t.AIState, &ai.Extraction, &t.ExtractedAt, &ai.VoiceRequest,
		&t.DripStep, &dripDelay, &t.DripDueAt}, extra...)
	if err := r.Scan(dest...); err != nil {
		return err
	}
	t.AssignedUserID = deref(assigned)
	t.LastInboundAt, t.LastOutboundAt = utcPtr(t.LastInboundAt), utcPtr(t.LastOutboundAt)
	t.CreatedAt, t.ExtractedAt, t.DripDueAt = utc(t.CreatedAt), utcPtr(t.ExtractedAt), utcPtr(t.DripDueAt)
	if dripDelay != nil {
		d := time.Duration(*dripDelay) * time.Second
		t.DripDelay = &d
	}
	var err error
	if t.Vars, err = rowjson.DecodeFields(vars); err != nil {
		return err
	}
	return ai.DecodeInto(t)
}

func scanThread(r pgx.Row) (teli.Thread, error) {
	var t teli.Thread
	return t, scanThreadInto(r, &t)
}

// GetThread returns one thread of the tenant.
func (s *Store) GetThread(ctx context.Context, tenantID, campaignPK, phone string) (teli.Thread, error) {
	t, err := scanThread(s.q().QueryRow(ctx,
		`SELECT `+threadColumns+` FROM threads t
		 WHERE t.tenant_id = $1 AND t.campaign_pk = $2 AND t.phone = $3`,
		tenantID, campaignPK, phone))
	return t, wrapErr("get thread", err)
}

// ListThreads returns a page of a campaign's threads, oldest first, and how many f selects.
func (s *Store) ListThreads(ctx context.Context, f teli.ThreadFilter) ([]teli.ThreadRow, int, error) {
	where := ` WHERE t.tenant_id = $1 AND t.campaign_pk = $2`
	args := []any{f.TenantID, f.CampaignPK}
	if f.AssignedUserID != "" {
		where += ` AND t.assigned_user_id = $3`
		args = append(args, f.AssignedUserID)
	}
	var total int
	if err := s.q().QueryRow(ctx, `SELECT COUNT(*) FROM threads t`+where, args...).Scan(&total); err != nil {
		return nil, 0, wrapErr("list threads", err)
	}
	var limit any
	if f.Limit > 0 {
		limit = f.Limit
	}
	rows, err := s.q().Query(ctx,
		`SELECT `+threadColumns+`,
		     EXISTS (SELECT 1 FROM suppressions s WHERE s.organization_id = t.organization_id
		         AND s.phone = t.phone AND s.kind = 'opt_out'),
		     EXISTS (SELECT 1 FROM suppressions s WHERE s.organization_id = t.organization_id
		         AND s.phone = t.phone AND s.kind = 'do_not_contact')
		 FROM threads t`+where+fmt.Sprintf(` ORDER BY t.created_at, t.phone LIMIT $%d OFFSET $%d`,
			len(args)+1, len(args)+2),
		append(args, limit, max(f.Offset, 0))...)
	if err != nil {
		return nil, 0, wrapErr("list threads", err)
	}
	list, err := collect(rows, func(r pgx.Row) (teli.ThreadRow, error) {
		var row teli.ThreadRow
		return row, scanThreadInto(r, &row.Thread, &row.OptedOut, &row.DoNotContact)
	})
	return list, total, wrapErr("list threads", err)
}

// RouteInbound finds the newest thread with phone of a campaign sending from number.
func (s *Store) RouteInbound(ctx context.Context, number, phone string) (teli.Thread, error) {
	t, err := scanThread(s.q().QueryRow(ctx,
		`SELECT `+threadColumns+` FROM threads t JOIN campaigns c ON c.pk = t.campaign_pk
		 WHERE t.phone = $1 AND c.from_number = $2
		 ORDER BY GREATEST(t.last_outbound_at, t.last_inbound_at) DESC NULLS LAST,
		     t.created_at DESC, t.campaign_pk DESC LIMIT 1`,
		phone, number))
	return t, wrapErr("route inbound", err)
}

// TakeOverThread hands the thread to a human for good and cancels its pending automated messages.
func (s *Store) TakeOverThread(ctx context.Context, to teli.TakeOver) (teli.Thread, error) {
	var t teli.Thread
	err := s.inTx(ctx, func(tx *Store) error {
		tag, err := tx.q().Exec(ctx,
			`UPDATE threads SET owner = 'human', lead_outcome = 'qualified',
			     assigned_user_id = coalesce($1, assigned_user_id), drip_delay = NULL, drip_due_at = NULL,
			     ai_state = ''
			 WHERE tenant_id = $2 AND campaign_pk = $3 AND phone = $4`,
			nullIfEmpty(to.AssignUserID), to.TenantID, to.CampaignPK, to.Phone)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return teli.ErrNotFound
		}
		if _, err := tx.q().Exec(ctx,
			`UPDATE messages SET status = 'canceled', reason = 'human_takeover', updated_at = $1
			 WHERE campaign_pk = $2 AND phone = $3 AND status = 'queued' AND sender IN ('agent', 'drip')`,
			to.At, to.CampaignPK, to.Phone); err != nil {
			return err
		}
		t, err = tx.GetThread(ctx, to.TenantID, to.CampaignPK, to.Phone)
		return err
	})
	return t, wrapErr("take over thread", err)
}

// UnassignThread clears the thread's assignee.
func (s *Store) UnassignThread(ctx context.Context, tenantID, campaignPK, phone string) error {
	tag, err := s.q().Exec(ctx,
		`UPDATE threads SET assigned_user_id = NULL WHERE tenant_id = $1 AND campaign_pk = $2 AND phone = $3`,
		tenantID, campaignPK, phone)
	return mustAffect("unassign thread", tag, err)
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
			// greatest ignores NULL: the first inbound message sets the time.
			if _, err := tx.q().Exec(ctx,
				`UPDATE threads SET last_inbound_at = greatest(last_inbound_at, $1),
				     drip_delay = NULL, drip_due_at = NULL
				 WHERE campaign_pk = $2 AND phone = $3`,
				m.CreatedAt, m.CampaignPK, m.Phone); err != nil {
				return err
			}
		}
		return nil
	})
	return wrapErr("insert messages", err)
}

// GetMessage returns one message of the tenant.
func (s *Store) GetMessage(ctx context.Context, tenantID, messageID string) (teli.Message, error) {
	m, err := scanMessage(s.q().QueryRow(ctx,
		`SELECT `+messageColumns+` FROM messages m WHERE m.tenant_id = $1 AND m.message_id = $2`,
		tenantID, messageID))
	return m, wrapErr("get message", err)
}

// ApplyStatus moves an outbound message forward on a carrier's report.
func (s *Store) ApplyStatus(ctx context.Context, r teli.StatusReport) (bool, error) {
	tag, err := s.q().Exec(ctx,
		`UPDATE messages SET status = $1::text,
		     error_code = CASE WHEN $2::text = '' THEN error_code ELSE $2::text END,
		     provider_id = coalesce(provider_id, $3::text), provider = $5
		 WHERE message_id = $4 AND NOT inbound AND provider IN ($5, '')
		   AND (provider_id IS NULL OR provider_id = $3::text)
		   AND `+rankOf("status")+` < `+rankOf("$1::text"),
		string(r.Status), r.ErrorCode, nullIfEmpty(r.ProviderID), r.MessageID, r.Provider)
	if err != nil {
		return false, wrapErr("apply status", err)
	}
	return tag.RowsAffected() == 1, nil
}

// rankOf is teli.StatusRank of a status expression, in SQL.
func rankOf(expr string) string {
	return `(CASE ` + expr + ` WHEN 'queued' THEN 0 WHEN 'sending' THEN 1 WHEN 'sent' THEN 2
	    WHEN 'delivered' THEN 3 WHEN 'undelivered' THEN 3 WHEN 'failed' THEN 3 ELSE 4 END)`
}

// ChangeCampaignStatus moves a campaign between states with the side effects on its messages.
// The campaign row is locked first, so two changes of one campaign are serialised and each
// sees the status the other left.
func (s *Store) ChangeCampaignStatus(ctx context.Context, c teli.CampaignStatusChange) (int, error) {
	var touched int64
	err := s.inTx(ctx, func(tx *Store) error {
		var current teli.CampaignStatus
		err := tx.q().QueryRow(ctx,
			`SELECT status FROM campaigns WHERE tenant_id = $1 AND pk = $2 FOR UPDATE`,
			c.TenantID, c.CampaignPK).Scan(&current)
		if err != nil {
			return err
		}
		if !slices.Contains(c.From, current) {
			return teli.ErrConflict
		}
		if _, err := tx.q().Exec(ctx,
			`UPDATE campaigns SET status = $1, modified_at = $2 WHERE pk = $3`,
			string(c.To), c.At, c.CampaignPK); err != nil {
			return err
		}
		var tag pgconn.CommandTag
		switch c.To {
		case teli.CampaignEnded:
			tag, err = tx.q().Exec(ctx,
				`UPDATE messages SET status = 'canceled', reason = 'campaign_ended', updated_at = $1
				 WHERE campaign_pk = $2 AND status = 'queued' AND sender IN ('agent', 'drip', 'broadcast')`,
				c.At, c.CampaignPK)
			if err == nil {
				_, err = tx.q().Exec(ctx,
					`UPDATE threads SET drip_delay = NULL, drip_due_at = NULL WHERE campaign_pk = $1`, c.CampaignPK)
			}
		case teli.CampaignActive:
			tag, err = tx.q().Exec(ctx,
				`UPDATE messages SET not_before = $1, updated_at = $1
				 WHERE campaign_pk = $2 AND status = 'queued' AND reason = 'campaign_paused'`,
				c.At, c.CampaignPK)
			if err == nil {
				// A campaign paused after its last starting message is complete again.
				err = tx.completeCampaigns(ctx, map[string]time.Time{c.CampaignPK: c.At})
			}
		}
		touched = tag.RowsAffected()
		return err
	})
	return int(touched), wrapErr("change campaign status", err)
}

// Suppress adds a suppression with its audit line; false if the number already had it.
func (s *Store) Suppress(ctx context.Context, sup teli.Suppression) (bool, error) {
	var added bool
	err := s.inTx(ctx, func(tx *Store) error {
		tag, err := tx.q().Exec(ctx,
			`INSERT INTO suppressions (organization_id, phone, kind, tenant_id, source, message_id,
			     user_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
			sup.OrganizationID, sup.Phone, string(sup.Kind), sup.TenantID, sup.Source, sup.MessageID,
			sup.UserID, sup.At)
		if err != nil || tag.RowsAffected() == 0 {
			return err
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
		tag, err := tx.q().Exec(ctx,
			`DELETE FROM suppressions WHERE organization_id = $1 AND phone = $2 AND kind = $3`,
			sup.OrganizationID, sup.Phone, string(sup.Kind))
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		lifted = true
		return tx.auditSuppression(ctx, sup, "lifted")
	})
	return lifted, wrapErr("unsuppress", err)
}

func (s *Store) auditSuppression(ctx context.Context, sup teli.Suppression, action string) error {
	_, err := s.q().Exec(ctx,
		`INSERT INTO suppression_events (tenant_id, organization_id, phone, kind, action, source,
		     message_id, user_id, detail, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		sup.TenantID, sup.OrganizationID, sup.Phone, string(sup.Kind), action, sup.Source,
		sup.MessageID, sup.UserID, sup.Detail, sup.At)
	return err
}

// Suppressions returns the kinds of suppression a number has in an organization.
func (s *Store) Suppressions(ctx context.Context, organizationID, phone string) ([]teli.SuppressionKind, error) {
	rows, err := s.q().Query(ctx,
		`SELECT kind FROM suppressions WHERE organization_id = $1 AND phone = $2 ORDER BY kind`,
		organizationID, phone)
	if err != nil {
		return nil, wrapErr("suppressions", err)
	}
	list, err := collect(rows, func(r pgx.Row) (teli.SuppressionKind, error) {
		var k teli.SuppressionKind
		return k, r.Scan(&k)
	})
	return list, wrapErr("suppressions", err)
}

// SuppressionEvents returns a number's audit trail in an organization, oldest first.
func (s *Store) SuppressionEvents(ctx context.Context, organizationID, phone string) ([]teli.SuppressionEvent, error) {
	rows, err := s.q().Query(ctx,
		`SELECT tenant_id, organization_id, phone, kind, action, source, message_id, user_id, detail,
		     created_at FROM suppression_events WHERE organization_id = $1 AND phone = $2 ORDER BY seq`,
		organizationID, phone)
	if err != nil {
		return nil, wrapErr("suppression events", err)
	}
	list, err := collect(rows, func(r pgx.Row) (teli.SuppressionEvent, error) {
		var e teli.SuppressionEvent
		err := r.Scan(&e.TenantID, &e.OrganizationID, &e.Phone, &e.Kind, &e.Action, &e.Source,
			&e.MessageID, &e.UserID, &e.Detail, &e.At)
		e.At = utc(e.At)
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
	tag, err := s.q().Exec(ctx,
		`INSERT INTO inbound_events (provider, provider_id, from_number, to_number, body, media_urls,
		     received_at, outcome, message_id)
		 VALUES ($1, $2, $3, $4, $5, $6, $7, '', '') ON CONFLICT DO NOTHING`,
		e.Provider, e.ProviderID, e.From, e.To, e.Body, string(media), e.ReceivedAt)
	if err != nil {
		return false, wrapErr("record inbound", err)
	}
	return tag.RowsAffected() == 1, nil
}

// GetInbound returns a stored webhook message.
func (s *Store) GetInbound(ctx context.Context, provider, providerID string) (teli.InboundEvent, error) {
	var e teli.InboundEvent
	var media string
	err := s.q().QueryRow(ctx,
		`SELECT provider, provider_id, from_number, to_number, body, media_urls, received_at, outcome,
		     message_id, processed_at FROM inbound_events WHERE provider = $1 AND provider_id = $2`,
		provider, providerID).Scan(&e.Provider, &e.ProviderID, &e.From, &e.To, &e.Body, &media,
		&e.ReceivedAt, &e.Outcome, &e.MessageID, &e.ProcessedAt)
	if err == nil {
		e.ReceivedAt, e.ProcessedAt = utc(e.ReceivedAt), utcPtr(e.ProcessedAt)
		err = json.Unmarshal([]byte(media), &e.MediaURLs)
	}
	return e, wrapErr("get inbound", err)
}

// FinishInbound records what processing did with a stored webhook message.
func (s *Store) FinishInbound(ctx context.Context, provider, providerID, outcome, messageID string, at time.Time) (bool, error) {
	tag, err := s.q().Exec(ctx,
		`UPDATE inbound_events SET outcome = $1, message_id = $2, processed_at = $3
		 WHERE provider = $4 AND provider_id = $5 AND processed_at IS NULL`,
		outcome, messageID, at, provider, providerID)
	return err == nil && tag.RowsAffected() == 1, wrapErr("finish inbound", err)
}

// GetIdempotent returns the stored response for a tenant's Idempotency-Key.
func (s *Store) GetIdempotent(ctx context.Context, tenantID, key string) (teli.IdempotentResponse, error) {
	r := teli.IdempotentResponse{TenantID: tenantID, Key: key}
	err := s.q().QueryRow(ctx,
		`SELECT request_hash, status_code, body, created_at FROM idempotency_keys
		 WHERE tenant_id = $1 AND key = $2`, tenantID, key).Scan(&r.RequestHash, &r.StatusCode, &r.Body, &r.CreatedAt)
	r.CreatedAt = utc(r.CreatedAt)
	return r, wrapErr("get idempotency key", err)
}

// PutIdempotent stores a response; ErrConflict when the key is taken. A taken key is found with
// ON CONFLICT rather than a unique violation, which would abort an enclosing transaction.
func (s *Store) PutIdempotent(ctx context.Context, r teli.IdempotentResponse) error {
	body := r.Body
	if body == nil {
		body = []byte{} // the column is NOT NULL; nil would be sent as NULL
	}
	tag, err := s.q().Exec(ctx,
		`INSERT INTO idempotency_keys (tenant_id, key, request_hash, status_code, body, created_at)
		 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
		r.TenantID, r.Key, r.RequestHash, r.StatusCode, body, r.CreatedAt)
	if err == nil && tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: put idempotency key: %w", teli.ErrConflict)
	}
	return wrapErr("put idempotency key", err)
}

// TakeBudget draws n sends from every budget at once. The budgets' rows are created when missing
// and locked in key order (the same order in every replica, so two takes cannot deadlock), so
// replicas drawing from one budget take turns and never spend the same tokens twice.
func (s *Store) TakeBudget(ctx context.Context, budgets []teli.Budget, n int, now time.Time) (int, time.Time, error) {
	if len(budgets) == 0 {
		_, granted, next := budget.Take(budgets, nil, n, now)
		return granted, next, nil
	}
	var granted int
	var next time.Time
	err := s.inTx(ctx, func(tx *Store) error {
		keys := make([]string, 0, len(budgets))
		for _, b := range budgets {
			keys = append(keys, b.Key)
		}
		slices.Sort(keys)
		keys = slices.Compact(keys)
		// A new row holds a bucket never used (updated_at NULL: full) and an empty daily count.
		if _, err := tx.q().Exec(ctx,
			`INSERT INTO rate_budgets (key, tokens, updated_at, day, used)
			 SELECT k, 0, NULL, '', 0 FROM unnest($1::text[]) WITH ORDINALITY AS x (k, i) ORDER BY i
			 ON CONFLICT (key) DO NOTHING`, keys); err != nil {
			return err
		}
		rows, err := tx.q().Query(ctx,
			`SELECT key, tokens, updated_at, day, used FROM rate_budgets WHERE key = ANY($1)
			 ORDER BY key FOR UPDATE`, keys)
		if err != nil {
			return err
		}
		stored := make(map[string]budget.State, len(keys))
		_, err = collect(rows, func(r pgx.Row) (struct{}, error) {
			var key string
			var tokens float64
			var updated *time.Time
			var st budget.State
			if err := r.Scan(&key, &tokens, &updated, &st.Quota.Day, &st.Quota.Used); err != nil {
				return struct{}{}, err
			}
			if updated != nil {
				st.Bucket = gate.Bucket{Tokens: tokens, UpdatedAt: updated.UTC()}
			}
			stored[key] = st
			return struct{}{}, nil
		})
		if err != nil {
			return err
		}
		states := make([]budget.State, len(budgets))
		for i, b := range budgets {
			states[i] = stored[b.Key]
		}
		var out []budget.State
		out, granted, next = budget.Take(budgets, states, n, now)
		batch := &pgx.Batch{}
		for i, b := range budgets {
			var updated *time.Time
			if !out[i].Bucket.UpdatedAt.IsZero() {
				updated = &out[i].Bucket.UpdatedAt
			}
			batch.Queue(`UPDATE rate_budgets SET tokens = $1, updated_at = $2, day = $3, used = $4
				 WHERE key = $5`,
				out[i].Bucket.Tokens, updated, out[i].Quota.Day, out[i].Quota.Used, b.Key)
		}
		return tx.q().SendBatch(ctx, batch).Close()
	})
	return granted, next, wrapErr("take budget", err)
}

// Usage counts the segments sent and received in an organization, or by one user's campaigns.
func (s *Store) Usage(ctx context.Context, f teli.UsageFilter) (teli.Usage, error) {
	q := `SELECT
	    coalesce(sum(CASE WHEN NOT m.inbound AND m.media_url = '' THEN m.segments END), 0),
	    coalesce(sum(CASE WHEN m.inbound AND m.media_url = '' THEN m.segments END), 0),
	    coalesce(sum(CASE WHEN NOT m.inbound AND m.media_url <> '' THEN m.segments END), 0),
	    coalesce(sum(CASE WHEN m.inbound AND m.media_url <> '' THEN m.segments END), 0)
	  FROM messages m JOIN campaigns c ON c.pk = m.campaign_pk
	  WHERE m.tenant_id = $1 AND m.organization_id = $2
	    AND (m.inbound OR (m.status IN ('sent', 'delivered', 'undelivered') AND m.provider <> 'dry_run'))`
	args := []any{f.TenantID, f.OrganizationID}
	if f.UserID != "" {
		q += ` AND coalesce(m.sent_by_user_id, c.user_id) = $3`
		args = append(args, f.UserID)
	}
	var u teli.Usage
	err := s.q().QueryRow(ctx, q, args...).Scan(&u.SMSOutbound, &u.SMSInbound, &u.MMSOutbound, &u.MMSInbound)
	return u, wrapErr("usage", err)
}
