// Package tenancy holds who uses the server: tenants and their API keys (operator actions and
// the bootstrap of an empty database), the authentication of a request's key, and each
// tenant's organizations and users. What a caller may reach is decided by service.Access,
// which every use-case shares.
package tenancy

import (
	"context"
	"time"

	"github.com/openteli/teli/internal/service"
	"github.com/openteli/teli/internal/teli"
)

// Store is what tenancy reads and writes. Tenancy owns the organizations and users, so its
// store also answers service.Access.
type Store interface {
	service.AccessStore
	Bootstrap(ctx context.Context, b teli.Bootstrap) (bool, error)
	CreateTenant(ctx context.Context, t teli.Tenant) error
	GetTenant(ctx context.Context, id string) (teli.Tenant, error)
	ListTenants(ctx context.Context) ([]teli.Tenant, error)
	CreateAPIKey(ctx context.Context, k teli.APIKey) error
	APIKeyByHash(ctx context.Context, hash string) (teli.APIKey, error)
	ListAPIKeys(ctx context.Context, tenantID string) ([]teli.APIKey, error)
	RevokeAPIKey(ctx context.Context, id string, at time.Time) error
	CreateOrganization(ctx context.Context, o teli.Organization) error
	ListOrganizations(ctx context.Context, tenantID string) ([]teli.Organization, error)
	CreateUser(ctx context.Context, u teli.User) error
	ListUsers(ctx context.Context, tenantID, organizationID string) ([]teli.User, error)
	UpdateUser(ctx context.Context, u teli.User) error
	Usage(ctx context.Context, f teli.UsageFilter) (teli.Usage, error)
}

// Service is the tenancy use-cases, bound to their dependencies.
type Service struct {
	store Store
	// access answers, from the same store, for the organizations and users a caller names.
	access service.Access
	clock  teli.Clock
	ids    teli.IDSource
}

// New returns a Service over store, with the clock and id source it dates and names records by.
func New(store Store, clock teli.Clock, ids teli.IDSource) *Service {
	return &Service{store: store, access: service.NewAccess(store), clock: clock, ids: ids}
}
