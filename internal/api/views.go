package api

import (
	"time"

	"github.com/openteli/teli/internal/teli"
)

// isoTime formats times as the hosted API does: ISO-8601 UTC with milliseconds.
func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// nullable returns nil for an empty string, so it is written as JSON null.
func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func organizationSummary(o teli.Organization) obj {
	return obj{
		"unique_id":               o.UniqueID,
		"name":                    o.Name,
		"sms_active":              o.SMSActive,
		"teli_sms_number":         nullable(o.TeliSMSNumber),
		"sms_registration_status": o.SMSRegistrationStatus,
	}
}

// organizationView is the full organization object of the list and get endpoints; withUsage
// fills its messaging counters. Voice seconds are zero until calls exist to count.
func organizationView(o teli.Organization) obj {
	v := organizationSummary(o)
	return merge(v, obj{
		"id":                        o.RecordID,
		"organization_name":         o.Name,
		"tenant_id":                 o.TenantID,
		"status":                    o.Status,
		"contact_email":             nullable(o.ContactEmail),
		"sms_phone_number":          nullable(o.TeliSMSNumber),
		"business_registration_id":  nil,
		"sms_registration_id":       nil,
		"sms_registration_uuid":     nil,
		"registration_submitted_at": nil,
		"registration_approved_at":  nil,
		"total_sms_outbound":        0,
		"total_sms_inbound":         0,
		"total_mms_outbound":        0,
		"total_mms_inbound":         0,
		"total_voice_seconds":       0,
		"created_at":                isoTime(o.CreatedAt),
		"modified_at":               isoTime(o.ModifiedAt),
		"updated_at":                isoTime(o.ModifiedAt),
	})
}

func userSummary(u teli.User) obj {
	return obj{
		"unique_id":       u.UniqueID,
		"name":            u.Name,
		"email":           u.Email,
		"permission":      string(u.Permission),
		"total_campaigns": 0,
		"total_agents":    u.TotalAgents,
	}
}

func userView(u teli.User) obj {
	v := userSummary(u)
	return merge(v, obj{
		"id":                  u.RecordID,
		"organization_id":     u.OrganizationID,
		"tenant_id":           u.TenantID,
		"status":              u.Status,
		"is_teli_admin":       false,
		"mobile_app_enabled":  false,
		"phone":               nullable(u.Phone),
		"profile_image":       nil,
		"total_leads":         0,
		"total_sms_outbound":  0,
		"total_sms_inbound":   0,
		"total_mms_outbound":  0,
		"total_mms_inbound":   0,
		"total_voice_seconds": 0,
		"created_at":          isoTime(u.CreatedAt),
		"modified_at":         isoTime(u.ModifiedAt),
		"updated_at":          isoTime(u.ModifiedAt),
	})
}

// withUsage sets an organization's or user's messaging counters, in segments.
func withUsage(v obj, u teli.Usage) obj {
	return merge(v, obj{
		"total_sms_outbound": u.SMSOutbound, "total_sms_inbound": u.SMSInbound,
		"total_mms_outbound": u.MMSOutbound, "total_mms_inbound": u.MMSInbound,
	})
}

// merge copies extra's keys into base and returns base.
func merge(base, extra obj) obj {
	for k, v := range extra {
		base[k] = v
	}
	return base
}

// optionalTime is an ISO time, or null when there is none.
func optionalTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return isoTime(*t)
}
