// Package service holds what every use-case shares: the Caller a request authenticated as,
// Access (which organizations, users and lists a caller reaches, is_admin verified), the Outbox
// that makes queued messages, and small rules of request fields. The use-cases themselves live
// in one package per pipeline below it: tenancy, agents, leads, outbound, conversation. They
// know nothing of HTTP; the API, the admin command and the workers call them.
package service

import (
	"slices"
	"strings"

	"github.com/openteli/teli/internal/segment"
	"github.com/openteli/teli/internal/teli"
)

// Caller is who makes a request: the tenant its API key belongs to.
type Caller struct {
	TenantID string
	KeyID    string
}

// ErrAgentNotFound answers a request naming an agent the caller cannot reach.
var ErrAgentNotFound = teli.NotFound("Agent not found")

// Trim returns the value of an optional request field without surrounding space; "" when the
// field is absent.
func Trim(p *string) string {
	if p == nil {
		return ""
	}
	return strings.TrimSpace(*p)
}

// Missing reports whether any of the required request fields is absent or blank.
func Missing(fields ...*string) bool {
	return slices.ContainsFunc(fields, func(p *string) bool { return Trim(p) == "" })
}

// LenientPlus restores the "+" of a number that a query string or form decoded to a space.
func LenientPlus(s string) string {
	if strings.HasPrefix(s, " ") {
		return "+" + strings.TrimSpace(s)
	}
	return strings.TrimSpace(s)
}

// CheckSegments refuses a message body longer than the send gate lets through
// (segment.MaxSegments, the cap it applies when no other is set), so that a request whose
// message would only be blocked as too_long at hand-off changes nothing instead.
func CheckSegments(body string) error {
	if n := segment.Of(body).Segments; n > segment.MaxSegments {
		return teli.Invalid("message is %d segments; at most %d are allowed", n, segment.MaxSegments)
	}
	return nil
}
