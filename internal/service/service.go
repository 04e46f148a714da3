// Package service holds the use-cases of the server: validation, the rules of the Teli API and
// the transactions behind each request. The HTTP API, the admin command and background jobs all
// call it; it knows nothing of HTTP.
package service

import (
	"log/slog"
	"slices"
	"strings"

	"github.com/openteli/teli/internal/llm"
	"github.com/openteli/teli/internal/teli"
	"github.com/openteli/teli/internal/voice"
	"github.com/openteli/teli/internal/work"
)

// Service is the set of use-cases, bound to their dependencies.
type Service struct {
	store   teli.Store
	access  Access
	outbox  Outbox
	clock   teli.Clock
	ids     teli.IDSource
	voice   voice.Platform
	log     *slog.Logger
	consent ConsentTexts
	llm     llm.Provider
	ai      AISettings
	work    *work.Queue
}

// Deps are the dependencies of a Service.
type Deps struct {
	Store  teli.Store
	Clock  teli.Clock
	IDs    teli.IDSource
	Voice  voice.Platform
	Logger *slog.Logger
	// Consent are the opt-out, opt-in and help replies.
	Consent ConsentTexts
	// LLM answers as the agents; nil when no model is configured, and then inbound messages the
	// agent would answer mark their thread as waiting for a person.
	LLM llm.Provider
	// AI tunes the conversation engine; zero values take the defaults.
	AI AISettings
	// Work runs the transactions that set off work (inbound processing, agent replies,
	// dispatches) and does that work in process right after the commit, the job committed with
	// it being the fallback.
	Work *work.Queue
}

// New returns a Service.
func New(d Deps) *Service {
	return &Service{store: d.Store, access: NewAccess(d.Store), outbox: Outbox{IDs: d.IDs}, clock: d.Clock, ids: d.IDs, voice: d.Voice, log: d.Logger, consent: d.Consent,
		llm: d.LLM, ai: d.AI.withDefaults(), work: d.Work}
}

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
