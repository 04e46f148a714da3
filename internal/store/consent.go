package store

import (
	"context"

	"github.com/openteli/teli/internal/teli"
)

// Suppress adds a suppression with its audit line; false if the number already had it.
func (s *Store) Suppress(ctx context.Context, sup teli.Suppression) (bool, error) {
	var added bool
	err := s.inTx(ctx, func(tx *Store) error {
		n, err := tx.write().Exec(ctx,
			`INSERT INTO suppressions (organization_id, phone, kind, tenant_id, source, message_id,
			     user_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
			sup.OrganizationID, sup.Phone, string(sup.Kind), sup.TenantID, sup.Source, sup.MessageID,
			sup.UserID, sup.At)
		if err != nil || n == 0 {
			return err
		}
		added = true
		return tx.auditSuppression(ctx, sup, "added")
	})
	return added, s.wrap("suppress", err)
}

// Unsuppress lifts a suppression with its audit line; false if there was none.
func (s *Store) Unsuppress(ctx context.Context, sup teli.Suppression) (bool, error) {
	var lifted bool
	err := s.inTx(ctx, func(tx *Store) error {
		n, err := tx.write().Exec(ctx,
			`DELETE FROM suppressions WHERE organization_id = $1 AND phone = $2 AND kind = $3`,
			sup.OrganizationID, sup.Phone, string(sup.Kind))
		if err != nil || n == 0 {
			return err
		}
		lifted = true
		return tx.auditSuppression(ctx, sup, "lifted")
	})
	return lifted, s.wrap("unsuppress", err)
}

func (s *Store) auditSuppression(ctx context.Context, sup teli.Suppression, action string) error {
	_, err := s.write().Exec(ctx,
		`INSERT INTO suppression_events (tenant_id, organization_id, phone, kind, action, source,
		     message_id, user_id, detail, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		sup.TenantID, sup.OrganizationID, sup.Phone, string(sup.Kind), action, sup.Source,
		sup.MessageID, sup.UserID, sup.Detail, sup.At)
	return err
}

// Suppressions returns the kinds of suppression a number has in an organization.
func (s *Store) Suppressions(ctx context.Context, organizationID, phone string) ([]teli.SuppressionKind, error) {
	rows, err := s.read().Query(ctx,
		`SELECT kind FROM suppressions WHERE organization_id = $1 AND phone = $2 ORDER BY kind`,
		organizationID, phone)
	if err != nil {
		return nil, s.wrap("suppressions", err)
	}
	list, err := Collect(rows, func(r Row) (teli.SuppressionKind, error) {
		var k teli.SuppressionKind
		return k, r.Scan(&k)
	})
	return list, s.wrap("suppressions", err)
}

// SuppressionEvents returns a number's audit trail in an organization, oldest first.
func (s *Store) SuppressionEvents(ctx context.Context, organizationID, phone string) ([]teli.SuppressionEvent, error) {
	rows, err := s.read().Query(ctx,
		`SELECT tenant_id, organization_id, phone, kind, action, source, message_id, user_id, detail,
		     created_at FROM suppression_events WHERE organization_id = $1 AND phone = $2 ORDER BY seq`,
		organizationID, phone)
	if err != nil {
		return nil, s.wrap("suppression events", err)
	}
	list, err := Collect(rows, func(r Row) (teli.SuppressionEvent, error) {
		var e teli.SuppressionEvent
		err := r.Scan(&e.TenantID, &e.OrganizationID, &e.Phone, &e.Kind, &e.Action, &e.Source,
			&e.MessageID, &e.UserID, &e.Detail, &e.At)
		return e, err
	})
	return list, s.wrap("suppression events", err)
}
