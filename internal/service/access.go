package service

import (
	"context"
	"errors"
	"strings"

	"github.com/openteli/teli/internal/teli"
)

// ListScope is how list endpoints say whose records to show: organization_id, user_id and
// is_admin, as the caller sent them.
type ListScope struct {
	OrganizationID string
	UserID         string
	IsAdmin        string
}

// errAdminRequired is the spec's 403 body.
var errAdminRequired = &teli.Error{
	Code: teli.CodeForbidden, Message: "Admin permission required",
	Detail: "This action requires admin privileges",
}

// ParseBool reads a query-string boolean: empty is false; otherwise true or false in any case.
func ParseBool(name, v string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "", "false":
		return false, nil
	case "true":
		return true, nil
	}
	return false, teli.Invalid("%s must be 'true' or 'false'", name)
}

// AccessStore is what Access reads.
type AccessStore interface {
	GetOrganization(ctx context.Context, tenantID, uniqueID string) (teli.Organization, error)
	GetUser(ctx context.Context, tenantID, uniqueID string) (teli.User, error)
}

// Access decides what a caller reaches: the organizations and users of its tenant, and whose
// records a list shows. Every use-case that takes an organization or a user from a request
// checks them here, so the answers (which 404, which 403) are the same everywhere.
type Access struct {
	store AccessStore
}

// NewAccess returns an Access reading store.
func NewAccess(store AccessStore) Access { return Access{store: store} }

// Organization returns one of the caller's organizations, or "Organization not found".
func (a Access) Organization(ctx context.Context, c Caller, id string) (teli.Organization, error) {
	org, err := a.store.GetOrganization(ctx, c.TenantID, id)
	if errors.Is(err, teli.ErrNotFound) {
		return org, teli.NotFound("Organization not found")
	}
	return org, err
}

// User returns a user of the caller's tenant that belongs to orgID, or "User not found".
func (a Access) User(ctx context.Context, c Caller, orgID, userID string) (teli.User, error) {
	u, err := a.store.GetUser(ctx, c.TenantID, userID)
	if errors.Is(err, teli.ErrNotFound) || (err == nil && u.OrganizationID != orgID) {
		return teli.User{}, teli.NotFound("User not found")
	}
	return u, err
}

// Member is User answering "Organization not found" before "User not found", as a caller
// naming both expects, while costing a single lookup when both exist (the common case, on the
// path of most requests).
func (a Access) Member(ctx context.Context, c Caller, orgID, userID string) (teli.User, error) {
	u, err := a.User(ctx, c, orgID, userID)
	if teli.CodeOf(err) == teli.CodeNotFound {
		if _, orgErr := a.Organization(ctx, c, orgID); orgErr != nil {
			return u, orgErr
		}
	}
	return u, err
}

// Owner turns a ListScope into an owner filter: "" when the caller may see the whole
// organization, otherwise the user whose own records are shown.
//
// The hosted API trusts is_admin as sent; this server honours it only when user_id names a user
// of the organization whose stored permission is admin, and answers 403 otherwise.
func (a Access) Owner(ctx context.Context, c Caller, sc ListScope) (owner string, err error) {
	orgID, userID := strings.TrimSpace(sc.OrganizationID), strings.TrimSpace(sc.UserID)
	if orgID == "" {
		return "", teli.Invalid("organization_id required")
	}
	admin, err := ParseBool("is_admin", sc.IsAdmin)
	if err != nil {
		return "", err
	}
	if userID == "" {
		if _, err := a.Organization(ctx, c, orgID); err != nil {
			return "", err
		}
		if admin {
			return "", errAdminRequired
		}
		return "", teli.Invalid("user_id required")
	}
	u, err := a.Member(ctx, c, orgID, userID)
	if err != nil {
		return "", err
	}
	if !admin {
		return u.UniqueID, nil
	}
	if !u.IsAdmin() {
		return "", errAdminRequired
	}
	return "", nil
}
