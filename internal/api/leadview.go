package api

import (
	"strings"

	"github.com/openteli/teli/internal/teli"
)

// standardLeadFields are lead-object keys the hosted API always returns; a lead's extra fields
// fill them when present, and are otherwise null.
var standardLeadFields = []string{
	"lead_status", "lead_priority", "lead_source", "external_id", "notes", "address_line_1",
	"address_line_2", "city", "state", "zip_code", "country", "company_position", "company_industry",
}

// leadView is the lead object: the standard fields, then every custom field at top level (the
// hosted API flattens them too). A custom field never overrides a standard key.
func leadView(l teli.Lead) obj {
	v := obj{}
	for k, val := range l.Fields {
		v[k] = val
	}
	for _, k := range standardLeadFields {
		v[k] = nullable(l.Fields[k])
	}
	return merge(v, obj{
		"unique_id": l.UniqueID, "id": l.RecordID, "phone_number": l.Phone,
		"first_name": l.FirstName, "last_name": l.LastName, "email": l.Email,
		"name":         strings.TrimSpace(l.FirstName + " " + l.LastName),
		"company_name": l.Company, "organization_id": l.OrganizationID, "user_id": l.UserID,
		"tenant_id": l.TenantID, "do_not_call": l.DoNotCall,
		"created_at": isoTime(l.CreatedAt), "modified_at": isoTime(l.ModifiedAt),
		"updated_at": isoTime(l.ModifiedAt),
	})
}
