// Package service holds the use-cases of the server: validation, the rules of the Teli API and
// the transactions behind each request. The HTTP API, the admin command and background jobs all
// call it; it knows nothing of HTTP.
package service

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/openteli/teli/internal/jobargs"
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
	bg      Background
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
	// Background, when set, runs inbound processing and agent replies in this process, so they
	// happen within milliseconds instead of when the job queue gets to them. The durable job
	// stays queued as the fallback (with a head start for the in-process run), and each piece
	// of work is claimed in the database, so it is done once.
	Background Background
}

// Background runs work in this process, best effort.
type Background interface {
	// Running reports whether work handed to Soon now is likely to run.
	Running() bool
	// Soon runs fn after delay, unless the process stops or is too busy first.
	Soon(delay time.Duration, fn func(context.Context))
}

// New returns a Service.
func New(d Deps) *Service {
	return &Service{store: d.Store, clock: d.Clock, ids: d.IDs, voice: d.Voice, log: d.Logger, consent: d.Consent, kick: d.Kick,
		llm: d.LLM, ai: d.AI.withDefaults(), bg: d.Background}
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

// Bulk dispatch: one job per this many messages, up to maxBulkDispatches.
const (
	messagesPerDispatch = 10000
	maxBulkDispatches   = 8
)

// queueBulkDispatch queues dispatch jobs for n new messages: one per messagesPerDispatch, so
// that every replica's workers share a large launch instead of the one process that took the
// request sending it alone. Claims are atomic, so the jobs never send a message twice.
func (s *Service) queueBulkDispatch(ctx context.Context, tx teli.Store, n int) error {
	for range min(max(n/messagesPerDispatch, 1), maxBulkDispatches) {
		if err := tx.Enqueue(ctx, jobargs.Dispatch{}, teli.JobOpts{}); err != nil {
			return err
		}
	}
	return nil
}

// queueDispatch makes sure messages a transaction queued get dispatched: by a job committed with
// them, unless this process dispatches them itself right after the commit (dispatchNow), in
// which case the periodic sweep, and the dispatch every server runs at start, are the fallback.
// One job per request would otherwise double the job queue's writes on the busiest paths.
func (s *Service) queueDispatch(ctx context.Context, tx teli.Store) error {
	if s.kick != nil && s.bg != nil && s.bg.Running() {
		return nil
	}
	return tx.Enqueue(ctx, jobargs.Dispatch{}, teli.JobOpts{})
}
