package store

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/openteli/teli/internal/teli"
)

// InsertMessages writes messages of existing threads, in one batch; an inbound one marks its
// thread's last inbound time and stops the thread's follow-ups.
func (s *Store) InsertMessages(ctx context.Context, msgs []teli.Message) error {
	batch := make([]Statement, 0, len(msgs))
	for _, m := range msgs {
		batch = append(batch, s.insertMessage(m))
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

// insertMessage is the statement that writes m, with its place in commit order.
func (s *Store) insertMessage(m teli.Message) Statement {
	return Statement{
		SQL: s.d.MessageOrder().Insert(`message_id, tenant_id, organization_id, campaign_pk, phone, inbound,
		     sender, purpose, sent_by_user_id, from_number, to_number, body, media_url, status,
		     reason, segments, encoding, not_before, expires_at, provider, provider_id, error_code,
		     created_at, updated_at`,
			`$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
		     $19, $20, $21, $22, $23, $24`),
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

// ListMessages returns a page of a campaign's messages, newest first: forward in commit order
// from f.After or f.Since, else back from f.Before or the newest (see teli.MessageFilter).
func (s *Store) ListMessages(ctx context.Context, f teli.MessageFilter) (teli.MessageList, error) {
	forward := f.After != (teli.CommitKey{}) || !f.Since.IsZero()
	if !forward && f.Limit <= 0 {
		// Every message (a conversation's history, say): no page, so nowhere to resume.
		list, err := s.messagesBack(ctx, f)
		return list, s.wrap("list messages", err)
	}
	// The settled high-water mark first: a forward read resumes from no later than it, so a
	// message committed out of order is read again rather than missed.
	mark, err := s.settledMark(ctx, f)
	if err != nil {
		return teli.MessageList{}, s.wrap("list messages", err)
	}
	var list teli.MessageList
	if forward {
		list, err = s.messagesForward(ctx, f, mark)
	} else {
		list, err = s.messagesBack(ctx, f)
		list.Resume = mark
	}
	return list, s.wrap("list messages", err)
}

// messagesWhere starts a query of f's campaign (and thread), read from messages aliased m, or
// from a MessageOrder's From, whose campaign column is campaign.
func messagesWhere(columns, from, campaign string, f teli.MessageFilter) *query {
	q := newQuery(`SELECT `+columns+` FROM `+from+` WHERE m.tenant_id = $1 AND `+campaign+` = $2`,
		f.TenantID, f.CampaignPK)
	if f.Phone != "" {
		q.add(` AND m.phone = ` + q.arg(f.Phone))
	}
	return q
}

// settledMark is the place in commit order of the last settled message of f's campaign (or
// thread): no message committed later can come before it; beforeAll when there is none.
func (s *Store) settledMark(ctx context.Context, f teli.MessageFilter) (teli.CommitKey, error) {
	o := s.d.MessageOrder()
	q := messagesWhere(`CAST(`+o.Column+` AS TEXT), `+o.ID, o.From, o.Campaign, f)
	if o.Settled != "" {
		q.add(` AND ` + o.Settled)
	}
	q.add(` ORDER BY ` + o.Column + ` DESC, ` + o.ID + ` DESC LIMIT 1`)
	var mark teli.CommitKey
	err := s.read().QueryRow(ctx, q.String(), q.args...).Scan(&mark.Seq, &mark.ID)
	if errors.Is(err, teli.ErrNotFound) {
		return beforeAll, nil
	}
	return mark, err
}

// beforeAll is the commit key before every message: the settled mark while none is settled.
// Both engines number from 1 and up.
var beforeAll = teli.CommitKey{Seq: "0"}

// messagesForward reads the messages committed after f.After (or created after f.Since), oldest
// committed first, and returns them newest first. It resumes after the page's last message, or
// from the settled mark where that is earlier.
func (s *Store) messagesForward(ctx context.Context, f teli.MessageFilter, mark teli.CommitKey) (teli.MessageList, error) {
	list := teli.MessageList{Messages: []teli.Message{}}
	o := s.d.MessageOrder()
	q := messagesWhere(MessageColumns+`, CAST(`+o.Column+` AS TEXT)`, o.From, o.Campaign, f)
	if f.After != (teli.CommitKey{}) {
		q.add(` AND (` + o.Column + `, ` + o.ID + `) > (` + o.Cast(q.arg(f.After.Seq)) + `, ` + q.arg(f.After.ID) + `)`)
	} else {
		q.add(` AND m.created_at > ` + q.arg(f.Since))
	}
	q.add(` ORDER BY ` + o.Column + `, ` + o.ID + ` LIMIT ` + q.arg(pageLimit(f.Limit)))
	keys, err := s.scanPage(ctx, q, f.Limit, &list)
	switch {
	case err != nil:
		return list, err
	case len(keys) == 0 && f.After != (teli.CommitKey{}):
		list.Resume = f.After // nothing new: resume where asked
	case len(keys) == 0 || !list.More:
		list.Resume = mark // everything committed so far was read
	default:
		list.Resume = earlier(keys[len(keys)-1], mark)
	}
	if len(list.Messages) > 0 {
		sortNewestFirst(list.Messages)
		list.Oldest = positionOf(list.Messages[len(list.Messages)-1])
	}
	return list, nil
}

// earlier returns the commit key that comes first. Keys hold whole numbers (a sequence or a
// transaction id), ties broken by message id.
func earlier(a, b teli.CommitKey) teli.CommitKey {
	x, errA := strconv.ParseUint(a.Seq, 10, 64)
	y, errB := strconv.ParseUint(b.Seq, 10, 64)
	switch {
	case errA != nil || errB != nil || x == y:
		if a.ID <= b.ID {
			return a
		}
		return b
	case x < y:
		return a
	}
	return b
}

// messagesBack reads the newest messages created before f.Before, newest first.
func (s *Store) messagesBack(ctx context.Context, f teli.MessageFilter) (teli.MessageList, error) {
	list := teli.MessageList{Messages: []teli.Message{}}
	q := messagesWhere(MessageColumns+`, ''`, "messages m", "m.campaign_pk", f)
	switch {
	case f.Before.At.IsZero():
	case f.Before.ID == "":
		q.add(` AND m.created_at < ` + q.arg(f.Before.At))
	default:
		q.add(` AND (m.created_at, m.message_id) < (` + q.arg(f.Before.At) + `, ` + q.arg(f.Before.ID) + `)`)
	}
	q.add(` ORDER BY m.created_at DESC, m.message_id DESC LIMIT ` + q.arg(pageLimit(f.Limit)))
	if _, err := s.scanPage(ctx, q, f.Limit, &list); err != nil || len(list.Messages) == 0 {
		return list, err
	}
	list.Oldest = positionOf(list.Messages[len(list.Messages)-1])
	return list, nil
}

// pageLimit is the LIMIT of a page of limit messages: one more, to tell whether more follow.
func pageLimit(limit int) int64 {
	if limit <= 0 {
		return noLimit
	}
	return int64(limit) + 1
}

// scanPage runs q, which selects MessageColumns and a commit key, into list, keeping at most
// limit messages (all when limit ≤ 0) and noting whether more followed; it returns the keys of
// the messages kept.
func (s *Store) scanPage(ctx context.Context, q *query, limit int, list *teli.MessageList) ([]teli.CommitKey, error) {
	rows, err := s.read().Query(ctx, q.String(), q.args...)
	if err != nil {
		return nil, err
	}
	var keys []teli.CommitKey
	_, err = Collect(rows, func(r Row) (struct{}, error) {
		var m teli.Message
		var seq string
		if err := ScanMessageInto(r, &m, &seq); err != nil {
			return struct{}{}, err
		}
		list.Messages = append(list.Messages, m)
		keys = append(keys, teli.CommitKey{Seq: seq, ID: m.ID})
		return struct{}{}, nil
	})
	if n := len(list.Messages); err == nil && limit > 0 && n > limit {
		list.Messages, keys, list.More = list.Messages[:limit], keys[:limit], true
	}
	return keys, err
}

// sortNewestFirst orders messages by creation time, newest first, ties by id.
func sortNewestFirst(msgs []teli.Message) {
	slices.SortFunc(msgs, func(a, b teli.Message) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
}

func positionOf(m teli.Message) teli.MessagePosition {
	return teli.MessagePosition{At: m.CreatedAt, ID: m.ID}
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
