package tenancy

import (
	"context"
	"net/mail"

	"github.com/openteli/teli/internal/service"
	"github.com/openteli/teli/internal/teli"
)

// CreateOrganizationInput is the body of POST /v1/organizations.
type CreateOrganizationInput struct {
	Name         *string `json:"name"`
	ContactEmail *string `json:"contact_email"`
}

// CreateOrganization adds an organization to the caller's tenant.
func (s *Service) CreateOrganization(ctx context.Context, c service.Caller, in CreateOrganizationInput) (teli.Organization, error) {
	name, email := service.Trim(in.Name), service.Trim(in.ContactEmail)
	switch {
	case name == "":
		return teli.Organization{}, teli.Invalid("name is required")
	case email == "":
		return teli.Organization{}, teli.Invalid("contact_email is required")
	case !validEmail(email):
		return teli.Organization{}, teli.Invalid("contact_email is not a valid email address")
	}
	now := s.clock.Now()
	org := teli.Organization{
		UniqueID: s.ids.UniqueID(), RecordID: s.ids.UUID(), TenantID: c.TenantID,
		Name: name, ContactEmail: email, Status: teli.OrgStatusActive,
		SMSRegistrationStatus: "not_started", CreatedAt: now, ModifiedAt: now,
	}
	return org, s.store.CreateOrganization(ctx, org)
}

// ListOrganizations returns the caller's organizations.
func (s *Service) ListOrganizations(ctx context.Context, c service.Caller) ([]teli.Organization, error) {
	return s.store.ListOrganizations(ctx, c.TenantID)
}

// GetOrganization returns one of the caller's organizations.
func (s *Service) GetOrganization(ctx context.Context, c service.Caller, id string) (teli.Organization, error) {
	return s.access.Organization(ctx, c, id)
}

func validEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s
}

// Usage counts the segments an organization, or one user in it (userID not empty), sent and
// received: outbound messages handed to a carrier (dry runs excluded) and inbound ones. It is
// computed from the messages on each call.
func (s *Service) Usage(ctx context.Context, c service.Caller, orgID, userID string) (teli.Usage, error) {
	return s.store.Usage(ctx, teli.UsageFilter{TenantID: c.TenantID, OrganizationID: orgID, UserID: userID})
}
