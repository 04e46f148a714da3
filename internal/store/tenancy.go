package store

import (
	"context"
	"strings"
	"time"

	"github.com/openteli/teli/internal/teli"
)

// bootstrapLockKey is the lock Bootstrap holds while it checks for a tenant and writes: servers
// starting together queue on it, and each one after the first sees the first's committed tenant
// (on PostgreSQL every READ COMMITTED statement takes a fresh snapshot; SQLite's write
// transactions are serialised anyway).
const bootstrapLockKey int64 = 0x7465_6c69_6273 // "telibs"

// Bootstrap writes b when no tenant exists yet, atomically across every server on the database.
func (s *Store) Bootstrap(ctx context.Context, b teli.Bootstrap) (bool, error) {
	wrote := false
	err := s.inTx(ctx, func(tx *Store) error {
		if err := s.d.Lock(ctx, tx.tx, bootstrapLockKey); err != nil {
			return s.wrap("bootstrap", err)
		}
		var exists bool
		if err := tx.read().QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM tenants)`).Scan(&exists); err != nil {
			return s.wrap("bootstrap", err)
		}
		if exists {
			return nil
		}
		wrote = true
		return writeBootstrap(ctx, tx, b)
	})
	if err != nil {
		return false, err
	}
	return wrote, nil
}

// writeBootstrap writes the first tenant, its organization, admin and API key, in that order
// (each refers to the ones before).
func writeBootstrap(ctx context.Context, tx *Store, b teli.Bootstrap) error {
	if err := tx.CreateTenant(ctx, b.Tenant); err != nil {
		return err
	}
	if err := tx.CreateOrganization(ctx, b.Organization); err != nil {
		return err
	}
	if err := tx.CreateUser(ctx, b.Admin); err != nil {
		return err
	}
	return tx.CreateAPIKey(ctx, b.Key)
}

// CreateTenant inserts t; ErrConflict if its id exists.
func (s *Store) CreateTenant(ctx context.Context, t teli.Tenant) error {
	_, err := s.write().Exec(ctx,
		`INSERT INTO tenants (id, name, created_at) VALUES ($1, $2, $3)`,
		t.ID, t.Name, t.CreatedAt)
	return s.wrap("create tenant", err)
}

// GetTenant returns the tenant with this id.
func (s *Store) GetTenant(ctx context.Context, id string) (teli.Tenant, error) {
	row := s.read().QueryRow(ctx, `SELECT id, name, created_at FROM tenants WHERE id = $1`, id)
	t, err := scanTenant(row)
	return t, s.wrap("get tenant", err)
}

// ListTenants lists every tenant, oldest first.
func (s *Store) ListTenants(ctx context.Context) ([]teli.Tenant, error) {
	rows, err := s.read().Query(ctx, `SELECT id, name, created_at FROM tenants ORDER BY created_at, id`)
	if err != nil {
		return nil, s.wrap("list tenants", err)
	}
	list, err := Collect(rows, scanTenant)
	return list, s.wrap("list tenants", err)
}

func scanTenant(r Row) (teli.Tenant, error) {
	var t teli.Tenant
	err := r.Scan(&t.ID, &t.Name, &t.CreatedAt)
	return t, err
}

// CreateAPIKey inserts k; ErrConflict if its id or hash exists.
func (s *Store) CreateAPIKey(ctx context.Context, k teli.APIKey) error {
	_, err := s.write().Exec(ctx,
		`INSERT INTO api_keys (id, tenant_id, name, prefix, hash, created_at, revoked_at)
		 VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		k.ID, k.TenantID, k.Name, k.Prefix, k.Hash, k.CreatedAt, k.RevokedAt)
	return s.wrap("create api key", err)
}

const apiKeyColumns = `id, tenant_id, name, prefix, hash, created_at, revoked_at`

// APIKeyByHash returns the unrevoked key with this hash.
func (s *Store) APIKeyByHash(ctx context.Context, hash string) (teli.APIKey, error) {
	row := s.read().QueryRow(ctx,
		`SELECT `+apiKeyColumns+` FROM api_keys WHERE hash = $1 AND revoked_at IS NULL`, hash)
	k, err := scanAPIKey(row)
	return k, s.wrap("api key by hash", err)
}

// ListAPIKeys lists the keys of one tenant (all tenants when tenantID is empty), newest first,
// revoked ones included.
func (s *Store) ListAPIKeys(ctx context.Context, tenantID string) ([]teli.APIKey, error) {
	rows, err := s.read().Query(ctx,
		`SELECT `+apiKeyColumns+` FROM api_keys
		 WHERE $1 = '' OR tenant_id = $1
		 ORDER BY created_at DESC, id DESC`, tenantID)
	if err != nil {
		return nil, s.wrap("list api keys", err)
	}
	list, err := Collect(rows, scanAPIKey)
	return list, s.wrap("list api keys", err)
}

// RevokeAPIKey marks a live key revoked at the given time.
func (s *Store) RevokeAPIKey(ctx context.Context, id string, at time.Time) error {
	n, err := s.write().Exec(ctx,
		`UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL`, at, id)
	return s.mustAffect("revoke api key", n, err)
}

func scanAPIKey(r Row) (teli.APIKey, error) {
	var k teli.APIKey
	err := r.Scan(&k.ID, &k.TenantID, &k.Name, &k.Prefix, &k.Hash, &k.CreatedAt, &k.RevokedAt)
	return k, err
}

// CreateOrganization inserts o; ErrConflict if its unique or record id exists.
func (s *Store) CreateOrganization(ctx context.Context, o teli.Organization) error {
	_, err := s.write().Exec(ctx,
		`INSERT INTO organizations (unique_id, record_id, tenant_id, name, contact_email, status,
		     sms_active, teli_sms_number, sms_registration_status, created_at, modified_at)
		 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		o.UniqueID, o.RecordID, o.TenantID, o.Name, o.ContactEmail, o.Status,
		o.SMSActive, NullIfEmpty(o.TeliSMSNumber), o.SMSRegistrationStatus,
		o.CreatedAt, o.ModifiedAt)
	return s.wrap("create organization", err)
}

const orgColumns = `unique_id, record_id, tenant_id, name, contact_email, status, sms_active,
	teli_sms_number, sms_registration_status, created_at, modified_at`

// GetOrganization returns the tenant's organization with this unique id.
func (s *Store) GetOrganization(ctx context.Context, tenantID, uniqueID string) (teli.Organization, error) {
	row := s.read().QueryRow(ctx,
		`SELECT `+orgColumns+` FROM organizations WHERE tenant_id = $1 AND unique_id = $2`,
		tenantID, uniqueID)
	o, err := scanOrganization(row)
	return o, s.wrap("get organization", err)
}

// ListOrganizations lists the tenant's organizations, oldest first.
func (s *Store) ListOrganizations(ctx context.Context, tenantID string) ([]teli.Organization, error) {
	rows, err := s.read().Query(ctx,
		`SELECT `+orgColumns+` FROM organizations WHERE tenant_id = $1
		 ORDER BY created_at, unique_id`, tenantID)
	if err != nil {
		return nil, s.wrap("list organizations", err)
	}
	list, err := Collect(rows, scanOrganization)
	return list, s.wrap("list organizations", err)
}

func scanOrganization(r Row) (teli.Organization, error) {
	var o teli.Organization
	var number *string
	err := r.Scan(&o.UniqueID, &o.RecordID, &o.TenantID, &o.Name, &o.ContactEmail, &o.Status,
		&o.SMSActive, &number, &o.SMSRegistrationStatus, &o.CreatedAt, &o.ModifiedAt)
	o.TeliSMSNumber = deref(number)
	return o, err
}

// CreateUser inserts u; ErrConflict if the org already has this email (in any case) or the
// ids exist.
func (s *Store) CreateUser(ctx context.Context, u teli.User) error {
	_, err := s.write().Exec(ctx,
		`INSERT INTO users (unique_id, record_id, tenant_id, organization_id, name, email,
		     email_lower, phone, permission, status, created_at, modified_at)
		 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		u.UniqueID, u.RecordID, u.TenantID, u.OrganizationID, u.Name, u.Email,
		strings.ToLower(u.Email), NullIfEmpty(u.Phone), string(u.Permission), u.Status,
		u.CreatedAt, u.ModifiedAt)
	return s.wrap("create user", err)
}

const userColumns = `u.unique_id, u.record_id, u.tenant_id, u.organization_id, u.name,
	u.email, u.phone, u.permission, u.status, u.created_at, u.modified_at`

// userSelect reads a single user without TotalAgents: GetUser is on the path of most requests,
// and counting a busy user's agents there would make every request slower as agents pile up.
const userSelect = `SELECT ` + userColumns + `, 0 FROM users u`

// userListSelect reads users with TotalAgents counted in the same query, so a listing costs one
// round trip however many users it holds.
const userListSelect = `SELECT ` + userColumns + `,
	(SELECT COUNT(*) FROM agents a
	 WHERE a.created_by_user_id = u.unique_id AND a.deleted_at IS NULL)
	FROM users u`

// GetUser returns the tenant's user with this unique id.
func (s *Store) GetUser(ctx context.Context, tenantID, uniqueID string) (teli.User, error) {
	row := s.read().QueryRow(ctx,
		userSelect+` WHERE u.tenant_id = $1 AND u.unique_id = $2`, tenantID, uniqueID)
	u, err := scanUser(row)
	return u, s.wrap("get user", err)
}

// ListUsers lists the users of one organization of the tenant, oldest first.
func (s *Store) ListUsers(ctx context.Context, tenantID, organizationID string) ([]teli.User, error) {
	rows, err := s.read().Query(ctx,
		userListSelect+` WHERE u.tenant_id = $1 AND u.organization_id = $2
		ORDER BY u.created_at, u.unique_id`, tenantID, organizationID)
	if err != nil {
		return nil, s.wrap("list users", err)
	}
	list, err := Collect(rows, scanUser)
	return list, s.wrap("list users", err)
}

// UpdateUser rewrites name, email, phone, permission, status and modified_at; ids, tenant,
// organization and created_at never change.
func (s *Store) UpdateUser(ctx context.Context, u teli.User) error {
	n, err := s.write().Exec(ctx,
		`UPDATE users SET name = $1, email = $2, email_lower = $3, phone = $4, permission = $5,
		     status = $6, modified_at = $7
		 WHERE tenant_id = $8 AND unique_id = $9`,
		u.Name, u.Email, strings.ToLower(u.Email), NullIfEmpty(u.Phone), string(u.Permission),
		u.Status, u.ModifiedAt, u.TenantID, u.UniqueID)
	return s.mustAffect("update user", n, err)
}

func scanUser(r Row) (teli.User, error) {
	var u teli.User
	var phone *string
	err := r.Scan(&u.UniqueID, &u.RecordID, &u.TenantID, &u.OrganizationID, &u.Name, &u.Email,
		&phone, &u.Permission, &u.Status, &u.CreatedAt, &u.ModifiedAt, &u.TotalAgents)
	u.Phone = deref(phone)
	return u, err
}
