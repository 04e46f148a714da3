package tenancy

import (
	"context"
	"errors"
	"regexp"
	"strings"

	"github.com/openteli/teli/internal/apikey"
	"github.com/openteli/teli/internal/teli"
)

// tenantIDPattern: tenant ids are short slugs, as the hosted API's are.
var tenantIDPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{1,62}$`)

// DefaultTenantID is the tenant a fresh install creates.
const DefaultTenantID = "default"

// CreateTenant adds a tenant (operator action).
func (s *Service) CreateTenant(ctx context.Context, id, name string) (teli.Tenant, error) {
	id, name = strings.TrimSpace(id), strings.TrimSpace(name)
	if !tenantIDPattern.MatchString(id) {
		return teli.Tenant{}, teli.Invalid("tenant id %q must be 2-63 characters of a-z, 0-9, _ and -, starting with a letter or digit", id)
	}
	if name == "" {
		name = id
	}
	t := teli.Tenant{ID: id, Name: name, CreatedAt: s.clock.Now()}
	err := s.store.CreateTenant(ctx, t)
	if errors.Is(err, teli.ErrConflict) {
		return t, teli.Errorf(teli.CodeConflict, "tenant %q already exists", id)
	}
	return t, err
}

// ListTenants lists every tenant (operator action).
func (s *Service) ListTenants(ctx context.Context) ([]teli.Tenant, error) {
	return s.store.ListTenants(ctx)
}

// CreateAPIKey mints a key for a tenant and returns it with the only copy of the secret.
func (s *Service) CreateAPIKey(ctx context.Context, tenantID, name string) (teli.APIKey, string, error) {
	if _, err := s.store.GetTenant(ctx, tenantID); errors.Is(err, teli.ErrNotFound) {
		return teli.APIKey{}, "", teli.NotFound("tenant %q not found", tenantID)
	} else if err != nil {
		return teli.APIKey{}, "", err
	}
	secret := apikey.New()
	k := s.newKeyRecord(tenantID, name, secret)
	return k, secret, s.store.CreateAPIKey(ctx, k)
}

func (s *Service) newKeyRecord(tenantID, name, secret string) teli.APIKey {
	return teli.APIKey{
		ID: s.ids.UUID(), TenantID: tenantID, Name: strings.TrimSpace(name),
		Prefix: apikey.DisplayPrefix(secret), Hash: apikey.Hash(secret), CreatedAt: s.clock.Now(),
	}
}

// ListAPIKeys lists keys of one tenant, or of all when tenantID is empty. Secrets are never
// stored, so they cannot be listed.
func (s *Service) ListAPIKeys(ctx context.Context, tenantID string) ([]teli.APIKey, error) {
	return s.store.ListAPIKeys(ctx, tenantID)
}

// RevokeAPIKey disables a key at once.
func (s *Service) RevokeAPIKey(ctx context.Context, id string) error {
	err := s.store.RevokeAPIKey(ctx, id, s.clock.Now())
	if errors.Is(err, teli.ErrNotFound) {
		return teli.NotFound("no live API key with id %q", id)
	}
	return err
}

// BootstrapResult is what a first start created.
type BootstrapResult struct {
	Created      bool
	Tenant       teli.Tenant
	Organization teli.Organization
	Admin        teli.User
	// Key is the API key in clear: shown once, never stored.
	Key string
}

// Bootstrap gives an empty database a default tenant, organization, admin user and API key, so
// a fresh install is usable at once. key is used as the API key when set; otherwise a random one
// is minted. On a database that already has a tenant it does nothing.
func (s *Service) Bootstrap(ctx context.Context, key string) (BootstrapResult, error) {
	if key == "" {
		key = apikey.New()
	}
	now := s.clock.Now()
	r := BootstrapResult{Key: key}
	r.Tenant = teli.Tenant{ID: DefaultTenantID, Name: "Default tenant", CreatedAt: now}
	r.Organization = teli.Organization{
		UniqueID: s.ids.UniqueID(), RecordID: s.ids.UUID(), TenantID: r.Tenant.ID,
		Name: "Default organization", ContactEmail: "admin@localhost", Status: teli.OrgStatusActive,
		SMSRegistrationStatus: "not_started", CreatedAt: now, ModifiedAt: now,
	}
	r.Admin = teli.User{
		UniqueID: s.ids.UniqueID(), RecordID: s.ids.UUID(), TenantID: r.Tenant.ID,
		OrganizationID: r.Organization.UniqueID, Name: "Admin", Email: "admin@localhost",
		Permission: teli.PermissionAdmin, Status: teli.UserStatusActive, CreatedAt: now, ModifiedAt: now,
	}
	k := s.newKeyRecord(r.Tenant.ID, "bootstrap", key)
	created, err := s.store.Bootstrap(ctx, teli.Bootstrap{Tenant: r.Tenant, Organization: r.Organization, Admin: r.Admin, Key: k})
	r.Created = created
	return r, err
}
