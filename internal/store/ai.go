package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/openteli/teli/internal/teli"
)

// SetAIState records why the agent is not answering a thread.
func (s *Store) SetAIState(ctx context.Context, tenantID, campaignPK, phone string, st teli.AIState) error {
	return s.updateThread(ctx, "set ai state", `ai_state = $1`, []any{string(st)}, tenantID, campaignPK, phone)
}

// SaveExtraction stores a thread's latest extraction and its lead outcome.
func (s *Store) SaveExtraction(ctx context.Context, tenantID, campaignPK, phone string, e teli.Extraction, at time.Time) error {
	doc, err := encodeOptional(&e)
	if err != nil {
		return s.wrap("save extraction", err)
	}
	return s.updateThread(ctx, "save extraction", `extraction = $1, extracted_at = $2, lead_outcome = $3`,
		[]any{doc, at, e.LeadOutcome}, tenantID, campaignPK, phone)
}

// ClaimReply marks a burst as answered; false when it already was. The row lock makes a second
// claimer wait for the first to commit, and then find the burst answered.
func (s *Store) ClaimReply(ctx context.Context, tenantID, campaignPK, phone, inboundID string) (bool, error) {
	n, err := s.write().Exec(ctx,
		`UPDATE threads SET answered_inbound_id = $1
		 WHERE tenant_id = $2 AND campaign_pk = $3 AND phone = $4 AND answered_inbound_id <> $1`,
		inboundID, tenantID, campaignPK, phone)
	return err == nil && n == 1, s.wrap("claim reply", err)
}

// SaveVoiceRequest records the agent's request to call the contact.
func (s *Store) SaveVoiceRequest(ctx context.Context, tenantID, campaignPK, phone string, r teli.VoiceRequest) error {
	doc, err := encodeOptional(&r)
	if err != nil {
		return s.wrap("save voice request", err)
	}
	return s.updateThread(ctx, "save voice request", `voice_request = $1`, []any{doc}, tenantID, campaignPK, phone)
}

// updateThread sets columns of one thread; ErrNotFound when the tenant has no such thread.
func (s *Store) updateThread(ctx context.Context, op, set string, args []any, tenantID, campaignPK, phone string) error {
	k := len(args)
	n, err := s.write().Exec(ctx, fmt.Sprintf(`UPDATE threads SET %s
		 WHERE tenant_id = $%d AND campaign_pk = $%d AND phone = $%d`, set, k+1, k+2, k+3),
		append(args, tenantID, campaignPK, phone)...)
	return s.mustAffect(op, n, err)
}

// ListExtractions returns a number's extracted threads in the tenant, newest first.
func (s *Store) ListExtractions(ctx context.Context, tenantID, phone string) ([]teli.Thread, error) {
	rows, err := s.read().Query(ctx, `SELECT `+threadColumns+` FROM threads t
		 WHERE t.tenant_id = $1 AND t.phone = $2 AND t.extracted_at IS NOT NULL
		 ORDER BY t.extracted_at DESC, t.campaign_pk DESC`, tenantID, phone)
	if err != nil {
		return nil, s.wrap("list extractions", err)
	}
	list, err := Collect(rows, scanThread)
	return list, s.wrap("list extractions", err)
}

// ClaimDueDrips takes the AI-owned threads whose next follow-up is due; where the engine can,
// locked rows are skipped, so replicas sweep side by side.
func (s *Store) ClaimDueDrips(ctx context.Context, now time.Time, limit int) ([]teli.Thread, error) {
	var list []teli.Thread
	err := s.inTx(ctx, func(tx *Store) error {
		rows, err := tx.write().Query(ctx,
			`UPDATE threads SET drip_due_at = NULL WHERE (campaign_pk, phone) IN (
			     SELECT campaign_pk, phone FROM threads
			     WHERE drip_due_at IS NOT NULL AND drip_due_at <= $1 AND owner = 'ai'
			     ORDER BY drip_due_at LIMIT $2`+s.d.SkipLocked()+`)
			 RETURNING `+strings.ReplaceAll(threadColumns, "t.", ""), // SQLite's RETURNING takes bare names
			now, limit)
		if err != nil {
			return err
		}
		list, err = Collect(rows, scanThread)
		return err
	})
	return list, s.wrap("claim due drips", err)
}

// AdvanceDrip moves a thread to its next follow-up step.
func (s *Store) AdvanceDrip(ctx context.Context, tenantID, campaignPK, phone string, step int, delay *time.Duration) error {
	return s.updateThread(ctx, "advance drip", `drip_step = $1, drip_delay = $2`,
		[]any{step, seconds(delay)}, tenantID, campaignPK, phone)
}
