package sqlite

import (
	"context"

	"github.com/openteli/teli/internal/store"
	"github.com/openteli/teli/internal/teli"
)

// ClaimDue takes back the claims whose lease expired, then claims the due queued messages, and
// reads them all with the gate's facts: three statements, as SQLite's UPDATE cannot feed a
// SELECT. The transaction is the one writer's, so no other claim runs in between.
func (dialect) ClaimDue(ctx context.Context, c store.Conn, r teli.ClaimRequest) ([]teli.ClaimedMessage, error) {
	reclaimed, err := reclaim(ctx, c, r)
	if err != nil {
		return nil, err
	}
	n, err := c.Exec(ctx,
		`UPDATE messages SET status = 'sending', claim_token = $1, updated_at = $2
		 WHERE message_id IN (SELECT message_id FROM messages
		     WHERE status = 'queued' AND not_before <= $2 ORDER BY not_before, message_id LIMIT $3)`,
		r.Token, r.Now, r.Limit)
	if err != nil || n == 0 && len(reclaimed) == 0 {
		return nil, err
	}
	rows, err := c.Query(ctx,
		`SELECT `+store.MessageColumns+`, `+store.ClaimedColumns+`,
		     coalesce(json_extract(t.vars, '$.time_zone'), ''), coalesce(json_extract(t.vars, '$.state'), ''),
		     coalesce(json_extract(t.vars, '$.zip_code'), '')
		 FROM messages m JOIN threads t ON t.campaign_pk = m.campaign_pk AND t.phone = m.phone
		 JOIN campaigns c ON c.pk = m.campaign_pk
		 WHERE m.status = 'sending' AND m.claim_token = $1 ORDER BY m.not_before, m.message_id`, r.Token)
	if err != nil {
		return nil, err
	}
	claimed, err := store.Collect(rows, func(row store.Row) (teli.ClaimedMessage, error) {
		return store.ScanClaimed(row)
	})
	for i := range claimed {
		claimed[i].Reclaimed = reclaimed[claimed[i].ID]
	}
	return claimed, err
}

// reclaim moves the claims whose lease expired to r.Token and returns their ids.
func reclaim(ctx context.Context, c store.Conn, r teli.ClaimRequest) (map[string]bool, error) {
	if r.LeaseExpiredBefore.IsZero() {
		return nil, nil
	}
	rows, err := c.Query(ctx,
		`UPDATE messages SET claim_token = $1, updated_at = $2 WHERE message_id IN (
		     SELECT message_id FROM messages WHERE status = 'sending' AND updated_at < $3
		     ORDER BY updated_at LIMIT $4) RETURNING message_id`,
		r.Token, r.Now, r.LeaseExpiredBefore, r.Limit)
	if err != nil {
		return nil, err
	}
	ids, err := store.Collect(rows, func(row store.Row) (string, error) {
		var id string
		return id, row.Scan(&id)
	})
	set := make(map[string]bool, len(ids))
	for _, id := range ids {
		set[id] = true
	}
	return set, err
}

// FinishSends updates each message still claimed under token and, when it was sent, its
// thread: two statements a message, which cost nothing but the work on an embedded database.
// A carrier's status callback can arrive while the message is still claimed: a final status it
// wrote is not overwritten by the send's own "sent" or "delivered".
func (dialect) FinishSends(ctx context.Context, c store.Conn, token string, outcomes []teli.SendOutcome) ([]bool, error) {
	applied := make([]bool, len(outcomes))
	for i, o := range outcomes {
		n, err := c.Exec(ctx,
			`UPDATE messages SET
			     status = CASE WHEN status IN ('delivered', 'undelivered', 'failed')
			         AND $1 IN ('sent', 'delivered') THEN status ELSE $1 END,
			     reason = $2, not_before = $3, provider = $4, provider_id = coalesce(provider_id, $5),
			     error_code = CASE WHEN $6 = '' THEN error_code ELSE $6 END,
			     claim_token = NULL, updated_at = $7
			 WHERE message_id = $8 AND claim_token = $9`,
			string(o.Status), o.Reason, o.NotBefore, o.Provider, store.NullIfEmpty(o.ProviderID),
			o.ErrorCode, o.At, o.MessageID, token)
		if err != nil {
			return nil, err
		}
		applied[i] = n > 0
		if n == 0 || !(o.Status == teli.MessageSent || o.Status == teli.MessageDelivered) {
			continue
		}
		if _, err := c.Exec(ctx,
			`UPDATE threads SET last_outbound_at = $1,
			     drip_due_at = CASE WHEN drip_delay IS NULL OR owner <> 'ai' THEN NULL
			         ELSE $1 + drip_delay * 1000000 END
			 WHERE (campaign_pk, phone) = (SELECT campaign_pk, phone FROM messages WHERE message_id = $2)`,
			o.At, o.MessageID); err != nil {
			return nil, err
		}
	}
	return applied, nil
}
