package teli

import "time"

// Tenant is a white-label partner: it owns API keys and organizations. Its ID is a short slug.
type Tenant struct {
	ID        string
	Name      string
	CreatedAt time.Time
}

// APIKey is a credential of one tenant. Only a hash of the key is ever stored; Prefix (the first
// characters of the key) lets an operator recognise it in listings.
type APIKey struct {
	ID        string
	TenantID  string
	Name      string
	Prefix    string
	Hash      string
	CreatedAt time.Time
	RevokedAt *time.Time
}

// Organization status values.
const (
	OrgStatusActive    = "active"
	OrgStatusSuspended = "suspended"
	OrgStatusInactive  = "inactive"
)

// Organization is a customer business inside a tenant. UniqueID is the id every endpoint takes;
// RecordID is the internal UUID the spec exposes as "id".
type Organization struct {
	UniqueID              string
	RecordID              string
	TenantID              string
	Name                  string
	ContactEmail          string
	Status                string
	SMSActive             bool
	TeliSMSNumber         string
	SMSRegistrationStatus string
	CreatedAt             time.Time
	ModifiedAt            time.Time
}

// Permission of a user inside its organization.
type Permission string

// The two permissions the spec knows.
const (
	PermissionAdmin Permission = "admin"
	PermissionUser  Permission = "user"
)

// Valid reports whether p is one of the known permissions.
func (p Permission) Valid() bool { return p == PermissionAdmin || p == PermissionUser }

// User status values.
const (
	UserStatusActive    = "active"
	UserStatusInactive  = "inactive"
	UserStatusSuspended = "suspended"
)

// ValidUserStatus reports whether s is a status the spec knows.
func ValidUserStatus(s string) bool {
	return s == UserStatusActive || s == UserStatusInactive || s == UserStatusSuspended
}

// User belongs to exactly one organization. Email is unique (case-insensitively) inside it.
type User struct {
	UniqueID       string
	RecordID       string
	TenantID       string
	OrganizationID string
	Name           string
	Email          string
	Phone          string
	Permission     Permission
	Status         string
	CreatedAt      time.Time
	ModifiedAt     time.Time

	// TotalAgents is the user's live agents, computed by ListUsers (zero from GetUser, which is
	// on the path of most requests and must not count).
	TotalAgents int
}

// IsAdmin reports whether the user's stored permission is admin.
func (u User) IsAdmin() bool { return u.Permission == PermissionAdmin }

// Bootstrap is what a server writes into an empty database on its first start.
type Bootstrap struct {
	Tenant       Tenant
	Organization Organization
	Admin        User
	Key          APIKey
}
