// Package leads keeps each organization's address book: leads (the API's contacts), the groups
// they are kept in, uploads into a group, single contacts, and their listing and deletion.
// Campaigns turn leads into threads (package outbound); this package only keeps them.
package leads

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/openteli/teli/internal/contacts"
	"github.com/openteli/teli/internal/phone"
	"github.com/openteli/teli/internal/service"
	"github.com/openteli/teli/internal/teli"
)

// Store is what the lead use-cases read and write.
type Store interface {
	CreateGroup(ctx context.Context, g teli.ContactGroup) error
	GetGroup(ctx context.Context, tenantID, id string) (teli.ContactGroup, error)
	FindGroup(ctx context.Context, tenantID, organizationID, userID, name string) (teli.ContactGroup, error)
	ImportLeads(ctx context.Context, groupID string, leads []teli.Lead) ([]teli.Lead, error)
	ListLeads(ctx context.Context, f teli.LeadFilter) ([]teli.Lead, int, error)
	DeleteLeads(ctx context.Context, tenantID string, ids []string, at time.Time) (int, error)
}

// Service is the lead use-cases, bound to their dependencies.
type Service struct {
	store  Store
	access service.Access
	clock  teli.Clock
	ids    teli.IDSource
}

// Deps are the dependencies of a Service.
type Deps struct {
	Store  Store
	Access service.Access
	Clock  teli.Clock
	IDs    teli.IDSource
}

// New returns a Service.
func New(d Deps) *Service {
	return &Service{store: d.Store, access: d.Access, clock: d.Clock, ids: d.IDs}
}

// Limits of the contacts endpoints.
const (
	// MaxDelete is the most ids one delete request may name (the hosted API's limit).
	MaxDelete = 1000
	// manualEntriesGroup receives single contacts created without a group.
	manualEntriesGroup = "Manual Entries"
)

var errGroupNotFound = teli.NotFound("Group Not Found")

// CreateGroupInput is the body of POST /v1/contacts/groups.
type CreateGroupInput struct {
	OrganizationID *string `json:"organization_id"`
	UserID         *string `json:"user_id"`
	GroupName      *string `json:"group_name"`
	Description    *string `json:"description"`
}

// CreateGroup creates a contact group owned by a user of the organization.
func (s *Service) CreateGroup(ctx context.Context, c service.Caller, in CreateGroupInput) (teli.ContactGroup, error) {
	if service.Missing(in.OrganizationID, in.UserID, in.GroupName) {
		return teli.ContactGroup{}, teli.Invalid("organization_id, user_id, and group_name are required")
	}
	owner, err := s.access.Member(ctx, c, service.Trim(in.OrganizationID), service.Trim(in.UserID))
	if err != nil {
		return teli.ContactGroup{}, err
	}
	return s.newGroup(ctx, owner, service.Trim(in.GroupName), service.Trim(in.Description))
}

func (s *Service) newGroup(ctx context.Context, owner teli.User, name, description string) (teli.ContactGroup, error) {
	g := teli.ContactGroup{
		UniqueID: s.ids.UniqueID(), RecordID: s.ids.UUID(), TenantID: owner.TenantID,
		OrganizationID: owner.OrganizationID, CreatedByUserID: owner.UniqueID,
		Name: name, Description: description, CreatedAt: s.clock.Now(),
	}
	return g, s.store.CreateGroup(ctx, g)
}

// orgGroup returns a group of the caller's tenant that belongs to orgID.
func (s *Service) orgGroup(ctx context.Context, c service.Caller, orgID, groupID string) (teli.ContactGroup, error) {
	g, err := s.store.GetGroup(ctx, c.TenantID, groupID)
	if errors.Is(err, teli.ErrNotFound) || (err == nil && g.OrganizationID != orgID) {
		return g, errGroupNotFound
	}
	return g, err
}

// UploadTarget names where an upload goes: list_id, organization_id and user_id.
type UploadTarget struct {
	ListID         string
	OrganizationID string
	UserID         string
}

// UploadResult reports an upload: the group, how many contacts it now holds from this upload,
// and every rejected row with its reason.
type UploadResult struct {
	Group    teli.ContactGroup
	Imported int
	Rejected []contacts.Rejected
}

// UploadContacts adds parsed contacts to a group. Valid rows are imported (merging into known
// phones of the organization); invalid ones are reported, not fatal.
func (s *Service) UploadContacts(ctx context.Context, c service.Caller, to UploadTarget, parsed contacts.Result) (UploadResult, error) {
	if to.ListID == "" || to.OrganizationID == "" || to.UserID == "" {
		return UploadResult{}, teli.Invalid("list_id, organization_id, and user_id are required")
	}
	owner, err := s.access.Member(ctx, c, to.OrganizationID, to.UserID)
	if err != nil {
		return UploadResult{}, err
	}
	g, err := s.orgGroup(ctx, c, to.OrganizationID, to.ListID)
	if err != nil {
		return UploadResult{}, err
	}
	leads := FromContacts(s.ids, owner, parsed.Contacts, s.clock.Now())
	if len(leads) > 0 {
		if _, err := s.store.ImportLeads(ctx, g.UniqueID, leads); err != nil {
			return UploadResult{}, err
		}
	}
	return UploadResult{Group: g, Imported: len(leads), Rejected: parsed.Rejected}, nil
}

// FromContacts turns parsed contacts into new lead records uploaded by owner, ids drawn from ids.
func FromContacts(ids teli.IDSource, owner teli.User, list []contacts.Contact, now time.Time) []teli.Lead {
	leads := make([]teli.Lead, len(list))
	for i, ct := range list {
		leads[i] = teli.Lead{
			UniqueID: ids.UniqueID(), RecordID: ids.UUID(), TenantID: owner.TenantID,
			OrganizationID: owner.OrganizationID, UserID: owner.UniqueID, Phone: ct.Phone,
			FirstName: ct.FirstName, LastName: ct.LastName, Email: ct.Email, Company: ct.Company,
			Fields: ct.Fields, DoNotCall: ct.DoNotCall, CreatedAt: now, ModifiedAt: now,
		}
	}
	return leads
}

// CreateContactResult is what POST /v1/contacts reports.
type CreateContactResult struct {
	Lead         teli.Lead
	Group        teli.ContactGroup
	GroupCreated bool
}

// CreateContact adds one contact (form or CRM style). Without list_id it goes to the group named
// list_name, or to the user's "Manual Entries" group; either is created when missing. The
// contact's fields are read as campaign contacts are (contacts.ParseJSON): a JSON number is the
// digits it spells, so phone_number may be one. The members stay raw JSON until then, as a
// float64 would round a long number (a CRM id, say).
func (s *Service) CreateContact(ctx context.Context, c service.Caller, raw map[string]json.RawMessage) (CreateContactResult, error) {
	orgID, userID := text(raw["organization_id"]), text(raw["user_id"])
	if orgID == "" || userID == "" || !given(raw["phone_number"]) {
		return CreateContactResult{}, teli.Invalid("organization_id, user_id, and phone_number are required")
	}
	owner, err := s.access.Member(ctx, c, orgID, userID)
	if err != nil {
		return CreateContactResult{}, err
	}
	listID, listName := text(raw["list_id"]), text(raw["list_name"])
	for _, k := range []string{"organization_id", "user_id", "list_id", "list_name"} {
		delete(raw, k)
	}
	one, err := json.Marshal(raw) // a decoded JSON object: cannot fail
	if err != nil {
		return CreateContactResult{}, err
	}
	parsed := contacts.ParseJSON([]json.RawMessage{one})
	if len(parsed.Rejected) > 0 {
		return CreateContactResult{}, teli.Invalid("%s", parsed.Rejected[0].Reason)
	}
	var r CreateContactResult
	if r.Group, r.GroupCreated, err = s.contactGroup(ctx, c, owner, listID, listName); err != nil {
		return r, err
	}
	stored, err := s.store.ImportLeads(ctx, r.Group.UniqueID, FromContacts(s.ids, owner, parsed.Contacts, s.clock.Now()))
	if err != nil {
		return r, err
	}
	r.Lead = stored[0]
	return r, nil
}

// contactGroup finds or creates the group a single contact goes to.
func (s *Service) contactGroup(ctx context.Context, c service.Caller, owner teli.User, listID, listName string) (teli.ContactGroup, bool, error) {
	if listID != "" {
		g, err := s.orgGroup(ctx, c, owner.OrganizationID, listID)
		return g, false, err
	}
	if listName == "" {
		listName = manualEntriesGroup
	}
	g, err := s.store.FindGroup(ctx, c.TenantID, owner.OrganizationID, owner.UniqueID, listName)
	if !errors.Is(err, teli.ErrNotFound) {
		return g, false, err
	}
	g, err = s.newGroup(ctx, owner, listName, "")
	return g, err == nil, err
}

// GroupContacts lists the live leads of a group: any group of the organization for a verified
// admin, otherwise only the user's own groups.
func (s *Service) GroupContacts(ctx context.Context, c service.Caller, groupID, userID, isAdmin string) (teli.ContactGroup, []teli.Lead, error) {
	g, err := s.store.GetGroup(ctx, c.TenantID, groupID)
	if errors.Is(err, teli.ErrNotFound) {
		return g, nil, errGroupNotFound
	}
	if err != nil {
		return g, nil, err
	}
	owner, err := s.access.Owner(ctx, c, service.ListScope{OrganizationID: g.OrganizationID, UserID: userID, IsAdmin: isAdmin})
	if err != nil {
		return g, nil, err
	}
	if owner != "" && owner != g.CreatedByUserID {
		return g, nil, errGroupNotFound
	}
	leads, _, err := s.store.ListLeads(ctx, teli.LeadFilter{TenantID: c.TenantID, OrganizationID: g.OrganizationID, GroupID: g.UniqueID})
	return g, leads, err
}

// Delete soft-deletes leads by id (with or without the "contact_" prefix of create
// responses); unknown and already deleted ids are skipped.
func (s *Service) Delete(ctx context.Context, c service.Caller, ids []string, groupID string) (int, error) {
	switch {
	case len(ids) == 0:
		return 0, teli.Invalid("lead_ids must be a non-empty array")
	case len(ids) > MaxDelete:
		return 0, teli.Invalid("lead_ids may hold at most %d ids", MaxDelete)
	}
	if groupID != "" {
		if _, err := s.store.GetGroup(ctx, c.TenantID, groupID); errors.Is(err, teli.ErrNotFound) {
			return 0, errGroupNotFound
		} else if err != nil {
			return 0, err
		}
	}
	clean := make([]string, len(ids))
	for i, id := range ids {
		clean[i] = strings.TrimPrefix(strings.TrimSpace(id), "contact_")
	}
	return s.store.DeleteLeads(ctx, c.TenantID, clean, s.clock.Now())
}

// Query is the query of GET /v1/organizations/{org_id}/leads.
type Query struct {
	service.ListScope
	GroupID  string
	Phone    string
	Page     int // 0: everything, unpaginated
	PageSize int
}

// List returns the organization's leads visible to the caller and their total.
func (s *Service) List(ctx context.Context, c service.Caller, q Query) ([]teli.Lead, int, error) {
	owner, err := s.access.Owner(ctx, c, q.ListScope)
	if err != nil {
		return nil, 0, err
	}
	f := teli.LeadFilter{TenantID: c.TenantID, OrganizationID: q.OrganizationID, UserID: owner, GroupID: q.GroupID}
	if q.Phone != "" {
		e164, err := phone.Normalize(q.Phone)
		if err != nil {
			return nil, 0, teli.Invalid("phone_number: %v", err)
		}
		f.Phone = e164
	}
	if q.Page > 0 {
		f.Limit, f.Offset = q.PageSize, (q.Page-1)*q.PageSize
	}
	return s.store.ListLeads(ctx, f)
}

// text returns a JSON string value as trimmed text ("" for absent or non-string values).
func text(v json.RawMessage) string {
	var s string
	if json.Unmarshal(v, &s) != nil {
		return ""
	}
	return strings.TrimSpace(s)
}

// given reports whether a JSON value holds something: not absent, null or a blank string.
// Whether it is a usable phone number is the contact parser's to say.
func given(v json.RawMessage) bool {
	v = bytes.TrimSpace(v)
	if len(v) == 0 || string(v) == "null" {
		return false
	}
	return v[0] != '"' || text(v) != ""
}
