package store

import (
	"context"

	"github.com/openteli/teli/internal/teli"
)

// InsertMessages writes messages of existing threads, in one batch; an inbound one marks its
// thread's last inbound time and stops the thread's follow-ups.
func (s *Store) InsertMessages(ctx context.Context, msgs []teli.Message) error {
	batch := make([]Statement, 0, len(msgs))
	for _, m := range msgs {
		batch = append(batch, insertMessage(m))
		if m.Inbound {
			// The later of the two times wins; the first inbound message sets it.
			batch = append(batch, Statement{
				SQL: `UPDATE threads SET last_inbound_at = CASE
				         WHEN last_inbound_at IS NULL OR last_inbound_at < $1 THEN $1 ELSE last_inbound_at END,
				     drip_delay = NULL, drip_due_at = NULL
				 WHERE campaign_pk = $2 AND phone = $3`,
				Args: []any{m.CreatedAt, m.CampaignPK, m.Phone},
			})
		}
	}
	err := s.inTx(ctx, func(tx *Store) error {
		_, err := tx.write().ExecBatch(ctx, batch)
		return err
	})
	return s.wrap("insert messages", err)
}

// insertMessage is the statement that writes m.
func insertMessage(m teli.Message) Statement {
	return Statement{
		SQL: `INSERT INTO messages (message_id, tenant_id, organization_id, campaign_pk, phone, inbound,
		     sender, purpose, sent_by_user_id, from_number, to_number, body, media_url, status,
		     reason, segments, encoding, not_before, expires_at, provider, provider_id, error_code,
		     created_at, updated_at)
		 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
		     $19, $20, $21, $22, $23, $24)`,
		Args: []any{m.ID, m.TenantID, m.OrganizationID, m.CampaignPK, m.Phone, m.Inbound, m.Sender,
			string(m.Purpose), NullIfEmpty(m.SentByUserID), m.From, m.To, m.Body, m.MediaURL, string(m.Status), m.Reason,
			m.Segments, m.Encoding, m.NotBefore, m.ExpiresAt, m.Provider, NullIfEmpty(m.ProviderID),
			m.ErrorCode, m.CreatedAt, m.UpdatedAt},
	}
}

// MessageColumns are the columns ScanMessageInto reads, of a messages table aliased m.
const MessageColumns = `m.message_id, m.tenant_id, m.organization_id, m.campaign_pk, m.phone,
	m.inbound, m.sender, m.purpose, m.sent_by_user_id, m.from_number, m.to_number, m.body, m.media_url,
	m.status, m.reason, m.segments, m.encoding, m.not_before, m.expires_at, m.provider,
	m.provider_id, m.error_code, m.created_at, m.updated_at`

// ScanMessageInto reads MessageColumns, then extra destinations, from r.
func ScanMessageInto(r Row, m *teli.Message, extra ...any) error {
	var sentBy, providerID *string
	dest := append([]any{&m.ID, &m.TenantID, &m.OrganizationID, &m.CampaignPK, &m.Phone,
		&m.Inbound, &m.Sender, &m.Purpose, &sentBy, &m.From, &m.To, &m.Body, &m.MediaURL, &m.Status, &m.Reason,
		&m.Segments, &m.Encoding, &m.NotBefore, &m.ExpiresAt, &m.Provider, &providerID, &m.ErrorCode,
		&m.CreatedAt, &m.UpdatedAt}, extra...)
	if err := r.Scan(dest...); err != nil {
		return err
	}
	m.SentByUserID, m.ProviderID = deref(sentBy), deref(providerID)
	return nil
}

func scanMessage(r Row) (teli.Message, error) {
	var m teli.Message
	return m, ScanMessageInto(r, &m)
}

// GetMessage returns one message of the tenant.
func (s *Store) GetMessage(ctx context.Context, tenantID, messageID string) (teli.Message, error) {
	m, err := scanMessage(s.read().QueryRow(ctx,
		`SELECT `+MessageColumns+` FROM messages m WHERE m.tenant_id = $1 AND m.message_id = $2`,
		tenantID, messageID))
	return m, s.wrap("get message", err)
}

// ListMessages returns a campaign's messages, newest first.
func (s *Store) ListMessages(ctx context.Context, f teli.MessageFilter) ([]teli.Message, error) {
	q := newQuery(`SELECT `+MessageColumns+` FROM messages m WHERE m.tenant_id = $1 AND m.campaign_pk = $2`,
		f.TenantID, f.CampaignPK)
	if f.Phone != "" {
		q.add(` AND m.phone = ` + q.arg(f.Phone))
	}
	if !f.Since.IsZero() {
		q.add(` AND m.created_at > ` + q.arg(f.Since))
	}
	if !f.Before.IsZero() {
		q.add(` AND m.created_at < ` + q.arg(f.Before))
	}
	q.add(` ORDER BY m.created_at DESC, m.message_id DESC LIMIT ` + q.arg(limitOf(f.Limit)))
	rows, err := s.read().Query(ctx, q.String(), q.args...)
	if err != nil {
		return nil, s.wrap("list messages", err)
	}
	list, err := Collect(rows, scanMessage)
	return list, s.wrap("list messages", err)
}

// ApplyStatus moves an outbound message forward on a carrier's report.
func (s *Store) ApplyStatus(ctx context.Context, r teli.StatusReport) (bool, error) {
	n, err := s.write().Exec(ctx,
		`UPDATE messages SET status = CAST($1 AS TEXT),
		     error_code = CASE WHEN CAST($2 AS TEXT) = '' THEN error_code ELSE CAST($2 AS TEXT) END,
		     provider_id = coalesce(provider_id, CAST($3 AS TEXT)), provider = $5
		 WHERE message_id = $4 AND NOT inbound AND provider IN ($5, '')
		   AND (provider_id IS NULL OR provider_id = CAST($3 AS TEXT))
		   AND `+rankOf("status")+` < `+rankOf("CAST($1 AS TEXT)"),
		string(r.Status), r.ErrorCode, NullIfEmpty(r.ProviderID), r.MessageID, r.Provider)
	if err != nil {
		return false, s.wrap("apply status", err)
	}
	return n == 1, nil
}

// rankOf is teli.StatusRank of a status expression, in SQL.
func rankOf(expr string) string {
	return `(CASE ` + expr + ` WHEN 'queued' THEN 0 WHEN 'sending' THEN 1 WHEN 'sent' THEN 2
	    WHEN 'delivered' THEN 3 WHEN 'undelivered' THEN 3 WHEN 'failed' THEN 3 ELSE 4 END)`
}

// sentStatus reports whether a message in status st was handed to a carrier.
func sentStatus(st teli.MessageStatus) bool {
	return st == teli.MessageSent || st == teli.MessageDelivered
}
