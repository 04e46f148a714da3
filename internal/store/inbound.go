package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/openteli/teli/internal/teli"
)

// RecordInbound stores a webhook's message; false when it is already known.
func (s *Store) RecordInbound(ctx context.Context, e teli.InboundEvent) (bool, error) {
	media, err := json.Marshal(append([]string{}, e.MediaURLs...))
	if err != nil {
		return false, s.wrap("record inbound", err)
	}
	n, err := s.write().Exec(ctx,
		`INSERT INTO inbound_events (provider, provider_id, from_number, to_number, body, media_urls,
		     received_at, outcome, message_id)
		 VALUES ($1, $2, $3, $4, $5, $6, $7, '', '') ON CONFLICT DO NOTHING`,
		e.Provider, e.ProviderID, e.From, e.To, e.Body, string(media), e.ReceivedAt)
	if err != nil {
		return false, s.wrap("record inbound", err)
	}
	return n == 1, nil
}

// GetInbound returns a stored webhook message.
func (s *Store) GetInbound(ctx context.Context, provider, providerID string) (teli.InboundEvent, error) {
	var e teli.InboundEvent
	var media string
	err := s.read().QueryRow(ctx,
		`SELECT provider, provider_id, from_number, to_number, body, media_urls, received_at, outcome,
		     message_id, processed_at FROM inbound_events WHERE provider = $1 AND provider_id = $2`,
		provider, providerID).Scan(&e.Provider, &e.ProviderID, &e.From, &e.To, &e.Body, &media,
		&e.ReceivedAt, &e.Outcome, &e.MessageID, &e.ProcessedAt)
	if err == nil {
		err = json.Unmarshal([]byte(media), &e.MediaURLs)
	}
	return e, s.wrap("get inbound", err)
}

// FinishInbound records what processing did with a stored webhook message.
func (s *Store) FinishInbound(ctx context.Context, provider, providerID, outcome, messageID string, at time.Time) (bool, error) {
	n, err := s.write().Exec(ctx,
		`UPDATE inbound_events SET outcome = $1, message_id = $2, processed_at = $3
		 WHERE provider = $4 AND provider_id = $5 AND processed_at IS NULL`,
		outcome, messageID, at, provider, providerID)
	return err == nil && n == 1, s.wrap("finish inbound", err)
}

// GetIdempotent returns the stored response for a tenant's Idempotency-Key.
func (s *Store) GetIdempotent(ctx context.Context, tenantID, key string) (teli.IdempotentResponse, error) {
	r := teli.IdempotentResponse{TenantID: tenantID, Key: key}
	err := s.read().QueryRow(ctx,
		`SELECT request_hash, status_code, body, created_at FROM idempotency_keys
		 WHERE tenant_id = $1 AND key = $2`, tenantID, key).Scan(&r.RequestHash, &r.StatusCode, &r.Body, &r.CreatedAt)
	return r, s.wrap("get idempotency key", err)
}

// PutIdempotent stores a response; ErrConflict when the key is taken. A taken key is found with
// ON CONFLICT rather than a unique violation, which would abort an enclosing transaction.
func (s *Store) PutIdempotent(ctx context.Context, r teli.IdempotentResponse) error {
	body := r.Body
	if body == nil {
		body = []byte{} // the column is NOT NULL; nil would be sent as NULL
	}
	n, err := s.write().Exec(ctx,
		`INSERT INTO idempotency_keys (tenant_id, key, request_hash, status_code, body, created_at)
		 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
		r.TenantID, r.Key, r.RequestHash, r.StatusCode, body, r.CreatedAt)
	if err == nil && n == 0 {
		err = teli.ErrConflict
	}
	return s.wrap("put idempotency key", err)
}
