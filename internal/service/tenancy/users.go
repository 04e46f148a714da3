package tenancy

import (
	"context"
	"errors"
	"fmt"

	"github.com/openteli/teli/internal/phone"
	"github.com/openteli/teli/internal/service"
	"github.com/openteli/teli/internal/teli"
)

// CreateUserInput is the body of POST /v1/organizations/{org_id}/users.
type CreateUserInput struct {
	Name       *string `json:"name"`
	Email      *string `json:"email"`
	Phone      *string `json:"phone"`
	Permission *string `json:"permission"`
}

// UpdateUserInput is the body of PATCH /v1/organizations/{org_id}/users/{user_id}: every field
// optional, at least one required.
type UpdateUserInput struct {
	Name       *string `json:"name"`
	Email      *string `json:"email"`
	Phone      *string `json:"phone"`
	Permission *string `json:"permission"`
	Status     *string `json:"status"`
}

func duplicateEmail(email string) error {
	return teli.Invalid("A user with email %s already exists in this organization", email)
}

// CreateUser adds a user to an organization of the caller.
func (s *Service) CreateUser(ctx context.Context, c service.Caller, orgID string, in CreateUserInput) (teli.User, error) {
	if _, err := s.GetOrganization(ctx, c, orgID); err != nil {
		return teli.User{}, err
	}
	u := teli.User{Permission: teli.PermissionUser, Status: teli.UserStatusActive}
	email := service.Trim(in.Email)
	switch {
	case email == "":
		return u, teli.Invalid("email is required")
	case !validEmail(email):
		return u, teli.Invalid("email is not a valid email address")
	case service.Trim(in.Name) == "":
		return u, teli.Invalid("name is required")
	}
	if err := applyUserFields(&u, UpdateUserInput{Name: in.Name, Email: in.Email, Phone: in.Phone, Permission: in.Permission}); err != nil {
		return u, err
	}
	now := s.clock.Now()
	u.UniqueID, u.RecordID, u.TenantID, u.OrganizationID = s.ids.UniqueID(), s.ids.UUID(), c.TenantID, orgID
	u.CreatedAt, u.ModifiedAt = now, now
	err := s.store.CreateUser(ctx, u)
	if errors.Is(err, teli.ErrConflict) {
		return u, duplicateEmail(u.Email)
	}
	return u, err
}

// ListUsers returns the users of one organization of the caller.
func (s *Service) ListUsers(ctx context.Context, c service.Caller, orgID string) ([]teli.User, error) {
	if _, err := s.GetOrganization(ctx, c, orgID); err != nil {
		return nil, err
	}
	return s.store.ListUsers(ctx, c.TenantID, orgID)
}

// UpdateUser changes the given fields of a user of the organization.
func (s *Service) UpdateUser(ctx context.Context, c service.Caller, orgID, userID string, in UpdateUserInput) (teli.User, error) {
	if in == (UpdateUserInput{}) {
		return teli.User{}, teli.Invalid("No valid fields to update. Allowed: name, email, permission, phone, status")
	}
	if _, err := s.GetOrganization(ctx, c, orgID); err != nil {
		return teli.User{}, err
	}
	u, err := s.access.User(ctx, c, orgID, userID)
	if err != nil {
		return u, err
	}
	if in.Name != nil && service.Trim(in.Name) == "" {
		return u, teli.Invalid("name cannot be empty")
	}
	if in.Email != nil && !validEmail(service.Trim(in.Email)) {
		return u, teli.Invalid("email is not a valid email address")
	}
	if err := applyUserFields(&u, in); err != nil {
		return u, err
	}
	u.ModifiedAt = s.clock.Now()
	err = s.store.UpdateUser(ctx, u)
	switch {
	case errors.Is(err, teli.ErrConflict):
		return u, duplicateEmail(u.Email)
	case errors.Is(err, teli.ErrNotFound):
		return u, teli.NotFound("User not found")
	}
	return u, err
}

// applyUserFields validates and copies the present fields of in onto u.
func applyUserFields(u *teli.User, in UpdateUserInput) error {
	if in.Name != nil {
		u.Name = service.Trim(in.Name)
	}
	if in.Email != nil {
		u.Email = service.Trim(in.Email)
	}
	if in.Phone != nil {
		p := service.Trim(in.Phone)
		if p != "" {
			e164, err := phone.Normalize(p)
			if err != nil {
				return teli.Invalid("phone: %v", err)
			}
			p = e164
		}
		u.Phone = p
	}
	if in.Permission != nil {
		p := teli.Permission(service.Trim(in.Permission))
		if !p.Valid() {
			return teli.Invalid("permission must be 'admin' or 'user'")
		}
		u.Permission = p
	}
	if in.Status != nil {
		st := service.Trim(in.Status)
		if !teli.ValidUserStatus(st) {
			return teli.Invalid("status must be one of %s", fmt.Sprintf("'%s', '%s', '%s'", teli.UserStatusActive, teli.UserStatusInactive, teli.UserStatusSuspended))
		}
		u.Status = st
	}
	return nil
}
