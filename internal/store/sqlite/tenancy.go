package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/openteli/teli/internal/teli"
)

// Bootstrap writes b when no tenant exists yet. The IMMEDIATE transaction takes SQLite's write
// lock before the check, so two processes starting on one file cannot both see it empty.
func (s *Store) Bootstrap(ctx context.Context, b teli.Bootstrap) (bool, error) {
	wrote := false
	err := s.inTx(ctx, func(tx *Store) error {
		var exists bool
		row := tx.write().QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM tenants)`)
		if err := row.Scan(&exists); err != nil {
			return wrapErr("bootstrap", err)
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
	_, err := s.write().ExecContext(ctx,
		`INSERT INTO tenants (id, name, created_at) VALUES (?, ?, ?)`,
		t.ID, t.Name, micros(t.CreatedAt))
	return wrapErr("create tenant", err)
}

// GetTenant returns the tenant with this id.
func (s *Store) GetTenant(ctx context.Context, id string) (teli.Tenant, error) {
	row := s.read().QueryRowContext(ctx, `SELECT id, name, created_at FROM tenants WHERE id = ?`, id)
	t, err := scanTenant(row)
	return t, wrapErr("get tenant", err)
}

// ListTenants lists every tenant, oldest first.
func (s *Store) ListTenants(ctx context.Context) ([]teli.Tenant, error) {
	rows, err := s.read().QueryContext(ctx,
		`SELECT id, name, created_at FROM tenants ORDER BY created_at, id`)
	if err != nil {
		return nil, wrapErr("list tenants", err)
	}
	list, err := collect(rows, scanTenant)
	return list, wrapErr("list tenants", err)
}

func scanTenant(r scanner) (teli.Tenant, error) {
	var t teli.Tenant
	var created int64
	err := r.Scan(&t.ID, &t.Name, &created)
	t.CreatedAt = fromMicros(created)
	return t, err
}

// CreateAPIKey inserts k; ErrConflict if its id or hash exists.
func (s *Store) CreateAPIKey(ctx context.Context, k teli.APIKey) error {
	_, err := s.write().ExecContext(ctx,
		`INSERT INTO api_keys (id, tenant_id, name, prefix, hash, created_at, revoked_at)
		 VALUES (?, ?, ?, ?, ?, ?, ?)`,
		k.ID, k.TenantID, k.Name, k.Prefix, k.Hash, micros(k.CreatedAt), nullMicros(k.RevokedAt))
	return wrapErr("create api key", err)
}

const apiKeyColumns = `id, tenant_id, name, prefix, hash, created_at, revoked_at`

// APIKeyByHash returns the unrevoked key with this hash.
func (s *Store) APIKeyByHash(ctx context.Context, hash string) (teli.APIKey, error) {
	row := s.read().QueryRowContext(ctx,
		`SELECT `+apiKeyColumns+` FROM api_keys WHERE hash = ? AND revoked_at IS NULL`, hash)
	k, err := scanAPIKey(row)
	return k, wrapErr("api key by hash", err)
}

// ListAPIKeys lists the keys of one tenant (all tenants when tenantID is empty), newest first,
// revoked ones included.
func (s *Store) ListAPIKeys(ctx context.Context, tenantID string) ([]teli.APIKey, error) {
	rows, err := s.read().QueryContext(ctx,
		`SELECT `+apiKeyColumns+` FROM api_keys
		 WHERE ? = '' OR tenant_id = ?
		 ORDER BY created_at DESC, id DESC`, tenantID, tenantID)
	if err != nil {
		return nil, wrapErr("list api keys", err)
	}
	list, err := collect(rows, scanAPIKey)
	return list, wrapErr("list api keys", err)
}

// RevokeAPIKey marks a live key revoked at the given time.
func (s *Store) RevokeAPIKey(ctx context.Context, id string, at time.Time) error {
	res, err := s.write().ExecContext(ctx,
		`UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`, micros(at), id)
	return mustAffect("revoke api key", res, err)
}

func scanAPIKey(r scanner) (teli.APIKey, error) {
	var k teli.APIKey
	var created int64
	var revoked sql.NullInt64
	err := r.Scan(&k.ID, &k.TenantID, &k.Name, &k.Prefix, &k.Hash, &created, &revoked)
	k.CreatedAt = fromMicros(created)
	k.RevokedAt = timePtr(revoked)
	return k, err
}

// CreateOrganization inserts o; ErrConflict if its unique or record id exists.
func (s *Store) CreateOrganization(ctx context.Context, o teli.Organization) error {
	_, err := s.write().ExecContext(ctx,
		`INSERT INTO organizations (unique_id, record_id, tenant_id, name, contact_email, status,
		     sms_active, teli_sms_number, sms_registration_status, created_at, modified_at)
		 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		o.UniqueID, o.RecordID, o.TenantID, o.Name, o.ContactEmail, o.Status,
		boolInt(o.SMSActive), nullIfEmpty(o.TeliSMSNumber), o.SMSRegistrationStatus,
		micros(o.CreatedAt), micros(o.ModifiedAt))
	return wrapErr("create organization", err)
}

const orgColumns = `unique_id, record_id, tenant_id, name, contact_email, status, sms_active,
	teli_sms_number, sms_registration_status, created_at, modified_at`

// GetOrganization returns the tenant's organization with this unique id.
func (s *Store) GetOrganization(ctx context.Context, tenantID, uniqueID string) (teli.Organization, error) {
	row := s.read().QueryRowContext(ctx,
		`SELECT `+orgColumns+` FROM organizations WHERE tenant_id = ? AND unique_id = ?`,
		tenantID, uniqueID)
	o, err := scanOrganization(row)
	return o, wrapErr("get organization", err)
}

// ListOrganizations lists the tenant's organizations, oldest first.
func (s *Store) ListOrganizations(ctx context.Context, tenantID string) ([]teli.Organization, error) {
	rows, err := s.read().QueryContext(ctx,
		`SELECT `+orgColumns+` FROM organizations WHERE tenant_id = ?
		 ORDER BY created_at, unique_id`, tenantID)
	if err != nil {
		return nil, wrapErr("list organizations", err)
	}
	list, err := collect(rows, scanOrganization)
	return list, wrapErr("list organizations", err)
}

func scanOrganization(r scanner) (teli.Organization, error) {
	var o teli.Organization
	var number sql.NullString
	var created, modified int64
	err := r.Scan(&o.UniqueID, &o.RecordID, &o.TenantID, &o.Name, &o.ContactEmail, &o.Status,
		&o.SMSActive, &number, &o.SMSRegistrationStatus, &created, &modified)
	o.TeliSMSNumber = number.String
	o.CreatedAt = fromMicros(created)
	o.ModifiedAt = fromMicros(modified)
	return o, err
}

// CreateUser inserts u; ErrConflict if the org already has this email (in any case) or the
// ids exist.
func (s *Store) CreateUser(ctx context.Context, u teli.User) error {
	_, err := s.write().ExecContext(ctx,
		`INSERT INTO users (unique_id, record_id, tenant_id, organization_id, name, email,
		     email_lower, phone, permission, status, created_at, modified_at)
		 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		u.UniqueID, u.RecordID, u.TenantID, u.OrganizationID, u.Name, u.Email,
		strings.ToLower(u.Email), nullIfEmpty(u.Phone), string(u.Permission), u.Status,
		micros(u.CreatedAt), micros(u.ModifiedAt))
	return wrapErr("create user", err)
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
	row := s.read().QueryRowContext(ctx,
		userSelect+` WHERE u.tenant_id = ? AND u.unique_id = ?`, tenantID, uniqueID)
	u, err := scanUser(row)
	return u, wrapErr("get user", err)
}

// ListUsers lists the users of one organization of the tenant, oldest first.
func (s *Store) ListUsers(ctx context.Context, tenantID, organizationID string) ([]teli.User, error) {
	rows, err := s.read().QueryContext(ctx,
		userListSelect+` WHERE u.tenant_id = ? AND u.organization_id = ?
		ORDER BY u.created_at, u.unique_id`, tenantID, organizationID)
	if err != nil {
		return nil, wrapErr("list users", err)
	}
	list, err := collect(rows, scanUser)
	return list, wrapErr("list users", err)
}

// UpdateUser rewrites name, email, phone, permission, status and modified_at; ids, tenant,
// organization and created_at never change.
func (s *Store) UpdateUser(ctx context.Context, u teli.User) error {
	res, err := s.write().ExecContext(ctx,
		`UPDATE users SET name = ?, email = ?, email_lower = ?, phone = ?, permission = ?,
		     status = ?, modified_at = ?
		 WHERE tenant_id = ? AND unique_id = ?`,
		u.Name, u.Email, strings.ToLower(u.Email), nullIfEmpty(u.Phone), string(u.Permission),
		u.Status, micros(u.ModifiedAt), u.TenantID, u.UniqueID)
	return mustAffect("update user", res, err)
}

func scanUser(r scanner) (teli.User, error) {
	var u teli.User
	var phone sql.NullString
	var created, modified int64
	err := r.Scan(&u.UniqueID, &u.RecordID, &u.TenantID, &u.OrganizationID, &u.Name, &u.Email,
		&phone, &u.Permission, &u.Status, &created, &modified, &u.TotalAgents)
	u.Phone = phone.String
	u.CreatedAt = fromMicros(created)
	u.ModifiedAt = fromMicros(modified)
	return u, err
}

// scanner is what *sql.Row and *sql.Rows have in common.
type scanner interface {
	Scan(dest ...any) error
}

// collect scans every row with scan and closes rows. An empty result is an empty, non-nil
// slice, so it encodes as [] wherever it ends up.
func collect[T any](rows *sql.Rows, scan func(scanner) (T, error)) ([]T, error) {
	defer rows.Close()
	list := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, v)
	}
	return list, errors.Join(rows.Err(), rows.Close())
}
