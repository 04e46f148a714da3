package teli

import "time"

// ContactGroup is a named list of leads (the API calls it a group, a list or a folder).
type ContactGroup struct {
	UniqueID        string
	RecordID        string
	TenantID        string
	OrganizationID  string
	CreatedByUserID string
	Name            string
	Description     string
	CreatedAt       time.Time

	// TotalLeads is the group's live leads, computed by GetGroup.
	TotalLeads int
}

// Lead is a contact of one organization. Among live leads of an organization the E.164 phone is
// unique: an upload of a known phone merges into the existing lead.
type Lead struct {
	UniqueID       string
	RecordID       string
	TenantID       string
	OrganizationID string
	// UserID is the user who uploaded the lead.
	UserID    string
	Phone     string
	FirstName string
	LastName  string
	Email     string
	Company   string
	// Fields holds every other lead field (address, custom columns, …) as text, snake_case keys.
	Fields    map[string]string
	DoNotCall bool

	CreatedAt  time.Time
	ModifiedAt time.Time
}

// Merge returns l updated with the non-empty values of newer (its identity and creation stay).
func (l Lead) Merge(newer Lead) Lead {
	pick := func(old, new string) string {
		if new != "" {
			return new
		}
		return old
	}
	l.FirstName = pick(l.FirstName, newer.FirstName)
	l.LastName = pick(l.LastName, newer.LastName)
	l.Email = pick(l.Email, newer.Email)
	l.Company = pick(l.Company, newer.Company)
	fields := make(map[string]string, len(l.Fields)+len(newer.Fields))
	for k, v := range l.Fields {
		fields[k] = v
	}
	for k, v := range newer.Fields {
		if v != "" {
			fields[k] = v
		}
	}
	l.Fields = fields
	l.DoNotCall = l.DoNotCall || newer.DoNotCall
	l.ModifiedAt = newer.ModifiedAt
	return l
}

// LeadFilter selects live leads of one organization, oldest first.
type LeadFilter struct {
	TenantID       string
	OrganizationID string
	// UserID, GroupID and Phone narrow the selection when set.
	UserID  string
	GroupID string
	Phone   string
	// Limit caps the page (0: no cap); Offset skips leads.
	Limit  int
	Offset int
}
