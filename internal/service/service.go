// Package service holds the use-cases of the server: validation, the rules of the Teli API and
// the transactions behind each request. The HTTP API, the admin command and background jobs all
// call it; it knows nothing of HTTP.
package service

import (
	"log/slog"
	"strings"

	"github.com/openteli/teli/internal/llm"
	"github.com/openteli/teli/internal/teli"
	"github.com/openteli/teli/internal/voice"
)

// Service is the set of use-cases, bound to their dependencies.
type Service struct {
	store   teli.Store
	clock   teli.Clock
	ids     teli.IDSource
	voice   voice.Platform
	log     *slog.Logger
	consent ConsentTexts
	kick    func()
	llm     llm.Provider
	ai      AISettings
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
	// Kick, when set, is called after a transaction that queued messages commits, to start
	// dispatching at once instead of when the job queue next looks. It must not block. The
	// dispatch job committed with the messages stays the guarantee.
	Kick func()
	// LLM answers as the agents; nil when no model is configured, and then inbound messages the
	// agent would answer mark their thread as waiting for a person.
	LLM llm.Provider
	// AI tunes the conversation engine; zero values take the defaults.
	AI AISettings
}

// New returns a Service.
func New(d Deps) *Service {
	return &Service{store: d.Store, clock: d.Clock, ids: d.IDs, voice: d.Voice, log: d.Logger, consent: d.Consent, kick: d.Kick,
		llm: d.LLM, ai: d.AI.withDefaults()}
}

// Caller is who makes a request: the tenant its API key belongs to.
type Caller struct {
	TenantID string
	KeyID    string
}

// str returns the trimmed value of an optional string.
func str(p *string) string {
	if p == nil {
		return ""
	}
	return strings.TrimSpace(*p)
}

// dispatchNow asks for an immediate dispatch of messages just committed.
func (s *Service) dispatchNow() {
	if s.kick != nil {
		s.kick()
	}
}
