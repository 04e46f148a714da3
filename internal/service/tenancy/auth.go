package tenancy

import (
	"context"
	"errors"

	"github.com/openteli/teli/internal/apikey"
	"github.com/openteli/teli/internal/service"
	"github.com/openteli/teli/internal/teli"
)

// The exact 401 texts of the Teli API.
const (
	msgAPIKeyRequired = "API key is required"
	msgInvalidAPIKey  = "Invalid API key"
)

// Authenticate resolves an X-API-Key header value to its caller.
func (s *Service) Authenticate(ctx context.Context, key string) (service.Caller, error) {
	if key == "" {
		return service.Caller{}, teli.Errorf(teli.CodeUnauthenticated, msgAPIKeyRequired)
	}
	k, err := s.store.APIKeyByHash(ctx, apikey.Hash(key))
	if errors.Is(err, teli.ErrNotFound) {
		return service.Caller{}, teli.Errorf(teli.CodeUnauthenticated, msgInvalidAPIKey)
	}
	if err != nil {
		return service.Caller{}, err
	}
	return service.Caller{TenantID: k.TenantID, KeyID: k.ID}, nil
}
