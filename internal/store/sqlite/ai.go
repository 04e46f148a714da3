package sqlite

import (
	"context"
	"strings"
	"time"

	"github.com/openteli/teli/internal/store/rowjson"
	"github.com/openteli/teli/internal/teli"
)

// SetAIState records why the agent is not answering a thread.
func (s *Store) SetAIState(ctx context.Context, tenantID, campaignPK, phone string, st teli.AIState) error {
	return s.updateThread(ctx, "set ai state", `ai_state = ?`, []any{string(st)}, tenantID, campaignPK, phone)
}

// SaveExtraction stores a thread's latest extraction and its lead outcome.
func (s *Store) SaveExtraction(ctx context.Context, tenantID, campaignPK, phone string, e teli.Extraction, at time.Time) error {
	doc, err := rowjson.EncodeOptional(&e)
	if err != nil {
		return wrapErr("save extraction", err)
	}
	return s.updateThread(ctx, "save extraction", `extraction = ?, extracted_at = ?, lead_outcome = ?`,
		[]any{doc, micros(at), e.LeadOutcome}, tenantID, campaignPK, phone)
}

// ClaimReply marks a burst as answered; false when it already was.
func (s *Store) ClaimReply(ctx context.Context, tenantID, campaignPK, phone, inboundID string) (bool, error) {
	res, err := s.write().ExecContext(ctx,
		`UPDATE threads SET answered_inbound_id = ?1
		 WHERE tenant_id = ?2 AND campaign_pk = ?3 AND phone = ?4 AND answered_inbound_id <> ?1`,
		inboundID, tenantID, campaignPK, phone)
	if err != nil {
		return false, wrapErr("claim reply", err)
	}
	n, err := res.RowsAffected()
	return n == 1, wrapErr("claim reply", err)
}

// SaveVoiceRequest records the agent's request to call the contact.
func (s *Store) SaveVoiceRequest(ctx context.Context, tenantID, campaignPK, phone string, r teli.VoiceRequest) error {
	doc, err := rowjson.EncodeOptional(&r)
	if err != nil {
		return wrapErr("save voice request", err)
	}
	return s.updateThread(ctx, "save voice request", `voice_request = ?`, []any{doc}, tenantID, campaignPK, phone)
}

// updateThread sets columns of one thread; ErrNotFound when the tenant has no such thread.
func (s *Store) updateThread(ctx context.Context, op, set string, args []any, tenantID, campaignPK, phone string) error {
	res, err := s.write().ExecContext(ctx, `UPDATE threads SET `+set+`
		 WHERE tenant_id = ? AND campaign_pk = ? AND phone = ?`, append(args, tenantID, campaignPK, phone)...)
	if err == nil {
		if n, _ := res.RowsAffected(); n == 0 {
			err = teli.ErrNotFound
		}
	}
	return wrapErr(op, err)
}

// ListExtractions returns a number's extracted threads in the tenant, newest first.
func (s *Store) ListExtractions(ctx context.Context, tenantID, phone string) ([]teli.Thread, error) {
	rows, err := s.read().QueryContext(ctx, `SELECT `+threadColumns+` FROM threads t
		 WHERE t.tenant_id = ? AND t.phone = ? AND t.extracted_at IS NOT NULL
		 ORDER BY t.extracted_at DESC, t.campaign_pk DESC`, tenantID, phone)
	if err != nil {
		return nil, wrapErr("list extractions", err)
	}
	list, err := collect(rows, scanThread)
	return list, wrapErr("list extractions", err)
}

// ClaimDueDrips takes the AI-owned threads whose next follow-up is due.
func (s *Store) ClaimDueDrips(ctx context.Context, now time.Time, limit int) ([]teli.Thread, error) {
	var list []teli.Thread
	err := s.inTx(ctx, func(tx *Store) error {
		rows, err := tx.write().QueryContext(ctx,
			`UPDATE threads SET drip_due_at = NULL WHERE (campaign_pk, phone) IN (
			     SELECT campaign_pk, phone FROM threads
			     WHERE drip_due_at IS NOT NULL AND drip_due_at <= ? AND owner = 'ai'
			     ORDER BY drip_due_at LIMIT ?)
			 RETURNING `+strings.ReplaceAll(threadColumns, "t.", ""), micros(now), limit) // SQLite's RETURNING takes bare names
		if err != nil {
			return err
		}
		list, err = collect(rows, scanThread)
		return err
	})
	return list, wrapErr("claim due drips", err)
}

// AdvanceDrip moves a thread to its next follow-up step.
func (s *Store) AdvanceDrip(ctx context.Context, tenantID, campaignPK, phone string, step int, delay *time.Duration) error {
	return s.updateThread(ctx, "advance drip", `drip_step = ?, drip_delay = ?`,
		[]any{step, nullSeconds(delay)}, tenantID, campaignPK, phone)
}
