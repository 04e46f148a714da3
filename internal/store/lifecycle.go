package store

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/openteli/teli/internal/teli"
)

// ChangeCampaignStatus moves a campaign along teli.TransitionOf(c.Action) and carries out
// teli.EffectsOf the new status. The campaign row is locked first, so two changes of one
// campaign are serialised and each sees the status the other left.
func (s *Store) ChangeCampaignStatus(ctx context.Context, c teli.CampaignStatusChange) (int, error) {
	t, ok := teli.TransitionOf(c.Action)
	if !ok {
		return 0, fmt.Errorf("change campaign status: no campaign action %q", c.Action)
	}
	var touched int64
	err := s.inTx(ctx, func(tx *Store) error {
		var current teli.CampaignStatus
		err := tx.write().QueryRow(ctx,
			`SELECT status FROM campaigns WHERE tenant_id = $1 AND pk = $2`+s.d.ForUpdate(),
			c.TenantID, c.CampaignPK).Scan(&current)
		if err != nil {
			return err
		}
		if !slices.Contains(t.From, current) {
			return teli.ErrConflict
		}
		if _, err := tx.write().Exec(ctx,
			`UPDATE campaigns SET status = $1, modified_at = $2 WHERE pk = $3`,
			string(t.To), c.At, c.CampaignPK); err != nil {
			return err
		}
		touched, err = tx.applyEffects(ctx, c.CampaignPK, teli.EffectsOf(t.To), c.At)
		return err
	})
	return int(touched), s.wrap("change campaign status", err)
}

// applyEffects carries out what a campaign's new status does to its messages and threads, and
// returns how many messages it canceled or released.
func (s *Store) applyEffects(ctx context.Context, campaignPK string, e teli.CampaignEffects, at time.Time) (int64, error) {
	var touched int64
	if len(e.Cancel.Senders) > 0 {
		q := newQuery(`UPDATE messages SET status = 'canceled', reason = $1, updated_at = $2
			 WHERE campaign_pk = $3 AND status = 'queued'`,
			e.Cancel.Reason, at, campaignPK)
		q.add(` AND sender IN (` + q.argList(e.Cancel.Senders) + `)`)
		n, err := s.write().Exec(ctx, q.String(), q.args...)
		if err != nil {
			return 0, err
		}
		touched += n
	}
	if e.StopDrips {
		if _, err := s.write().Exec(ctx,
			`UPDATE threads SET drip_delay = NULL, drip_due_at = NULL WHERE campaign_pk = $1`, campaignPK); err != nil {
			return 0, err
		}
	}
	if e.Release != "" {
		n, err := s.write().Exec(ctx,
			`UPDATE messages SET not_before = $1, updated_at = $1
			 WHERE campaign_pk = $2 AND status = 'queued' AND reason = $3`,
			at, campaignPK, e.Release)
		if err != nil {
			return 0, err
		}
		touched += n
	}
	if e.Settle {
		return touched, s.completeCampaigns(ctx, map[string]time.Time{campaignPK: at})
	}
	return touched, nil
}
