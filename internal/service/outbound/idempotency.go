package outbound

import (
	"context"
	"encoding/json"
	"errors"
	"strings"

	"github.com/openteli/teli/internal/service"
	"github.com/openteli/teli/internal/teli"
	"github.com/openteli/teli/internal/work"
)

// MaxIdempotencyKeyLength bounds an Idempotency-Key header.
const MaxIdempotencyKeyLength = 255

// Idempotency is a request's Idempotency-Key and a fingerprint of the request, so that a retry
// is told apart from a different request reusing the key.
type Idempotency struct {
	Key         string
	RequestHash string
}

// errReplay aborts a transaction that lost the race for its idempotency key.
var errReplay = errors.New("idempotency key taken by a concurrent request")

// idempotent runs write in one transaction and stores result (as JSON) under the key in that
// same transaction, so a request either happened once with its response kept, or not at all. A
// request whose key is known gets the stored result back and does nothing; replayed says so.
// Only successes are stored: a request that failed changed nothing and may simply be retried.
func (s *Service) idempotent(ctx context.Context, c service.Caller, idem Idempotency, result any, write func(tx *work.Tx) error) (replayed bool, err error) {
	key := strings.TrimSpace(idem.Key)
	if key == "" {
		return false, s.work.InTx(ctx, write)
	}
	if len(key) > MaxIdempotencyKeyLength {
		return false, teli.Invalid("Idempotency-Key must be at most %d characters", MaxIdempotencyKeyLength)
	}
	if done, err := s.replay(ctx, c, key, idem.RequestHash, result); done || err != nil {
		return done, err
	}
	err = s.work.InTx(ctx, func(tx *work.Tx) error {
		if err := write(tx); err != nil {
			return err
		}
		body, err := json.Marshal(result)
		if err != nil {
			return err
		}
		err = tx.PutIdempotent(ctx, teli.IdempotentResponse{
			TenantID: c.TenantID, Key: key, RequestHash: idem.RequestHash, StatusCode: 200,
			Body: body, CreatedAt: s.clock.Now(),
		})
		if errors.Is(err, teli.ErrConflict) {
			return errReplay
		}
		return err
	})
	if errors.Is(err, errReplay) {
		return s.replay(ctx, c, key, idem.RequestHash, result)
	}
	return false, err
}

// replayFirst answers a retried request before anything is checked again: the first response
// stands even if the world changed since.
func (s *Service) replayFirst(ctx context.Context, c service.Caller, idem Idempotency, result any) (bool, error) {
	key := strings.TrimSpace(idem.Key)
	if key == "" || len(key) > MaxIdempotencyKeyLength {
		return false, nil
	}
	return s.replay(ctx, c, key, idem.RequestHash, result)
}

// replay loads the stored result of key into result; false when the key is unknown.
func (s *Service) replay(ctx context.Context, c service.Caller, key, hash string, result any) (bool, error) {
	stored, err := s.store.GetIdempotent(ctx, c.TenantID, key)
	if errors.Is(err, teli.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if stored.RequestHash != hash {
		return false, teli.Invalid("Idempotency-Key %q was already used for a different request", key)
	}
	return true, json.Unmarshal(stored.Body, result)
}
