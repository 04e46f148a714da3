package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/openteli/teli/internal/store"
	"github.com/openteli/teli/internal/teli"
)

// ClaimDue claims due queued messages under r.Token, oldest due first, together with the claims
// whose lease expired, in one statement. SKIP LOCKED lets several replicas claim side by side
// without waiting on each other's rows, and keeps two of them from taking back the same expired
// claim. The lead's fields are read as json, which only checks them, rather than converted to
// jsonb.
func (dialect) ClaimDue(ctx context.Context, c store.Conn, r teli.ClaimRequest) ([]teli.ClaimedMessage, error) {
	var leaseExpired *time.Time
	if !r.LeaseExpiredBefore.IsZero() {
		leaseExpired = &r.LeaseExpiredBefore
	}
	rows, err := c.Query(ctx,
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
		 SELECT `+store.MessageColumns+`, `+store.ClaimedColumns+`,
		     m.reclaimed, coalesce(t.vars::json ->> 'time_zone', ''),
		     coalesce(t.vars::json ->> 'state', ''), coalesce(t.vars::json ->> 'zip_code', '')
		 FROM claimed m JOIN threads t ON t.campaign_pk = m.campaign_pk AND t.phone = m.phone
		 JOIN campaigns c ON c.pk = m.campaign_pk ORDER BY m.not_before, m.message_id`,
		r.Now, r.Limit, r.Token, leaseExpired)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, func(row store.Row) (teli.ClaimedMessage, error) {
		var reclaimed bool
		m, err := store.ScanClaimed(row, &reclaimed)
		m.Reclaimed = reclaimed
		return m, err
	})
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

// FinishSends pipelines one finishSend a message, in one round trip.
func (dialect) FinishSends(ctx context.Context, c store.Conn, token string, outcomes []teli.SendOutcome) ([]bool, error) {
	batch := &pgx.Batch{}
	for _, o := range outcomes {
		sent := o.Status == teli.MessageSent || o.Status == teli.MessageDelivered
		batch.Queue(finishSend, string(o.Status), o.Reason, o.NotBefore, o.Provider,
			store.NullIfEmpty(o.ProviderID), o.ErrorCode, o.At, o.MessageID, token, sent)
	}
	results := querierOf(c).SendBatch(ctx, batch)
	applied := make([]bool, len(outcomes))
	for i := range outcomes {
		var n int
		if err := results.QueryRow().Scan(&n); err != nil {
			_ = results.Close() // the statement's error is the one to report
			return nil, classify(err)
		}
		applied[i] = n > 0
	}
	return applied, classify(results.Close())
}
