package store

import (
	"context"
	"slices"
	"time"

	"github.com/openteli/teli/internal/teli"
)

// DrawBudgets locks the budgets' rows in key order, creating the missing ones first (the same
// order in every replica, so two draws cannot deadlock), hands their states to draw and writes
// back what it returns, in one transaction.
func (s *Store) DrawBudgets(ctx context.Context, keys []string, draw func([]teli.BudgetState) []teli.BudgetState) error {
	if len(keys) == 0 {
		draw(nil)
		return nil
	}
	sorted := slices.Compact(slices.Sorted(slices.Values(keys)))
	err := s.inTx(ctx, func(tx *Store) error {
		stored, err := tx.lockBudgets(ctx, sorted)
		if err != nil {
			return err
		}
		states := make([]teli.BudgetState, len(keys))
		for i, k := range keys {
			states[i] = stored[k]
		}
		drawn := draw(states)
		batch := make([]Statement, len(keys))
		for i, k := range keys {
			st := drawn[i]
			var updated *time.Time
			if !st.UpdatedAt.IsZero() {
				updated = &st.UpdatedAt
			}
			batch[i] = Statement{
				SQL:  `UPDATE rate_budgets SET tokens = $1, updated_at = $2, day = $3, used = $4 WHERE key = $5`,
				Args: []any{st.Tokens, updated, st.Day, st.Used, k},
			}
		}
		_, err = tx.write().ExecBatch(ctx, batch)
		return err
	})
	return s.wrap("draw budgets", err)
}

// lockBudgets creates the rows of keys (sorted, distinct) that are missing and returns every
// one's state, locked until the transaction ends. A new row holds a bucket never used
// (updated_at NULL: full) and an empty daily count.
func (s *Store) lockBudgets(ctx context.Context, keys []string) (map[string]teli.BudgetState, error) {
	insert := newQuery(`INSERT INTO rate_budgets (key, tokens, updated_at, day, used) VALUES `)
	for i, k := range keys {
		if i > 0 {
			insert.add(`, `)
		}
		insert.add(`(` + insert.arg(k) + `, 0, NULL, '', 0)`)
	}
	if _, err := s.write().Exec(ctx, insert.add(` ON CONFLICT (key) DO NOTHING`).String(), insert.args...); err != nil {
		return nil, err
	}
	rows, err := s.write().Query(ctx,
		`SELECT key, tokens, updated_at, day, used FROM rate_budgets WHERE `+s.d.InList("key", "$1")+`
		 ORDER BY key`+s.d.ForUpdate(), s.d.ListArg(keys))
	if err != nil {
		return nil, err
	}
	stored := make(map[string]teli.BudgetState, len(keys))
	_, err = Collect(rows, func(r Row) (struct{}, error) {
		var key string
		var updated *time.Time
		var st teli.BudgetState
		if err := r.Scan(&key, &st.Tokens, &updated, &st.Day, &st.Used); err != nil {
			return struct{}{}, err
		}
		if updated != nil {
			st.UpdatedAt = *updated
		}
		stored[key] = st
		return struct{}{}, nil
	})
	return stored, err
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
	err := s.read().QueryRow(ctx, q, args...).Scan(&u.SMSOutbound, &u.SMSInbound, &u.MMSOutbound, &u.MMSInbound)
	return u, s.wrap("usage", err)
}
