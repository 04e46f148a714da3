package service

import (
	"context"
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

// resolveScope turns a ListScope into an owner filter: "" when the caller may see the whole
// organization, otherwise the user whose own records are shown.
//
// The hosted API trusts is_admin as sent; this server honours it only when user_id names a user
// of the organization whose stored permission is admin, and answers 403 otherwise.
func (s *Service) resolveScope(ctx context.Context, c Caller, sc ListScope) (owner string, err error) {
	orgID, userID := strings.TrimSpace(sc.OrganizationID), strings.TrimSpace(sc.UserID)
	if orgID == "" {
		return "", teli.Invalid("organization_id required")
	}
	admin, err := ParseBool("is_admin", sc.IsAdmin)
	if err != nil {
		return "", err
	}
	if userID == "" {
		if _, err := s.GetOrganization(ctx, c, orgID); err != nil {
			return "", err
		}
		if admin {
			return "", errAdminRequired
		}
		return "", teli.Invalid("user_id required")
	}
	u, err := s.memberOf(ctx, c, orgID, userID)
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
