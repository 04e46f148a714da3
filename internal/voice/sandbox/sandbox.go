// Package sandbox is the voice platform that ships with Teli: a complete, deterministic voice
// platform with no phone network behind it. It keeps its agents, numbers and calls in Teli's own
// database, assigns ids in a hosted platform's formats, and simulates every call it places or
// takes, reporting each call's progress to a voice.Sink exactly as a hosted platform's webhooks
// would. It is what a fresh install, local development and the tests use until a hosted platform
// is configured.
//
// # Numbers
//
// ProvisionNumber hands out fake numbers in the 555 exchange of the requested area code:
// +1 {area} 555 0100, then 0101, and so on, the first one the sandbox does not hold.
//
// # Calls
//
// A placed call gets a platform call id "sbx_call_" + 24 hex (never mistaken for our own
// "call_" ids) and is stored as "registered" before PlaceCall returns; nothing more happens to it
// until Start runs the simulation. Each call then follows the persona of the person's number
// (the number called for an outbound call, the caller's for an inbound one), chosen by its last
// four digits:
//
//	digits  persona         what happens                                       ends with
//	------  --------------  -------------------------------------------------  ---------------------------------
//	0001    no answer       nobody picks up                                    not_connected, dial_no_answer
//	0002    busy            the line is busy                                   not_connected, dial_busy
//	0003    voicemail       voicemail answers. With voicemail detection, the   ended, voicemail_reached
//	                        agent leaves its voicemail message (none: hangs    (without detection: ended,
//	                        up); without it, the agent speaks its begin        inactivity)
//	                        message as if a person had answered, and nobody
//	                        answers back
//	0004    invalid number  the number does not exist                          not_connected, invalid_destination
//	0005    declines        agent: begin message; person: "Please don't call   ended, user_hangup
//	                        me again."; the person hangs up
//	0006    interested      agent: begin message; person: "Yes, I'm            ended, user_hangup
//	                        interested. Tomorrow at 10am works."; agent: a
//	                        reply; the person hangs up
//	other   live person     agent: begin message; then the user plays the      ended, user_hangup (Hangup), or
//	                        person with Say and Hangup                         inactivity after Options.IdleTimeout
//
// The dial outcomes (0001–0004) describe the phone being called, so an inbound call, whose
// callee is the agent, is always answered: a caller ending in 0005 or 0006 follows that script,
// any other caller is a live person.
//
// The begin message, the voicemail message and the prompt are rendered with the call's dynamic
// variables (package placeholders). The agent's replies come from Options.Model, asked with the
// rendered prompt as the system prompt and the transcript so far; without a model, or when the
// model fails or stays silent, the agent always replies FixedReply ("Thanks, I hear you."), so
// that a test or a demo without a language model is fully predictable. A call whose agent was
// deleted before it was answered ends at once with status error (error_unknown).
//
// A call that connected ends with start and end timestamps, duration_ms, transcript and
// transcript_object (roles "agent" and "user"), a recording_url sandbox://recordings/{id}.wav
// and a zero call_cost; never with call_analysis, which Teli's own extraction provides.
//
// # Events
//
// A connected call reports call_started when it is answered, then call_ended and call_analyzed
// when it ends; a call that did not connect reports only call_ended. Delivery to the sink is at
// least once and in order per call: a failed delivery is retried with backoff, and the events
// not yet delivered are part of the stored call, so after a restart Start delivers the rest.
// Every change of a call is stored before the events it causes are delivered, and a call counts
// as finished only once its last event was delivered.
//
// # Restarts
//
// Start resumes every unfinished call from where it was last stored: a call that was placed
// rings, a script goes on from its stored turn, a live call waits for the person again with a
// fresh idle timeout, and an ended call delivers its remaining events. Turns played without a
// gap are stored with the change that follows them, so a stop between them replays them.
package sandbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/openteli/teli/internal/llm"
	"github.com/openteli/teli/internal/teli"
	"github.com/openteli/teli/internal/voice"
)

// Name names the sandbox in stored calls and in the events it reports.
const Name = "sandbox"

// FixedReply is what an agent answers when no language model is configured or the model fails.
const FixedReply = "Thanks, I hear you."

// Defaults of Options.
const (
	DefaultIdleTimeout  = 2 * time.Minute
	DefaultModelTimeout = 20 * time.Second
	DefaultRetryDelay   = 100 * time.Millisecond
)

// maxRetryDelay caps the backoff of a failed delivery or write: a sink that recovers is caught
// up with within a few seconds.
const maxRetryDelay = 5 * time.Second

// Options tune the simulation. The zero value is the defaults.
type Options struct {
	// Model writes the agent's replies; nil means FixedReply.
	Model llm.Provider
	// ModelTimeout bounds one reply of the model (default DefaultModelTimeout).
	ModelTimeout time.Duration
	// IdleTimeout ends a live call the person has not spoken on for this long, with
	// disconnection_reason inactivity (default DefaultIdleTimeout).
	IdleTimeout time.Duration
	// TurnGap is the pause between the turns of a scripted call; 0 (the default) plays a
	// script at once.
	TurnGap time.Duration
	// RetryDelay is the first wait before retrying a failed event delivery or write; each retry
	// doubles it, up to 5 seconds (default DefaultRetryDelay).
	RetryDelay time.Duration
}

func (o Options) withDefaults() Options {
	if o.ModelTimeout <= 0 {
		o.ModelTimeout = DefaultModelTimeout
	}
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = DefaultIdleTimeout
	}
	if o.TurnGap < 0 {
		o.TurnGap = 0
	}
	if o.RetryDelay <= 0 {
		o.RetryDelay = DefaultRetryDelay
	}
	return o
}

// Platform is the sandbox voice platform. It is safe for concurrent use.
type Platform struct {
	store teli.SandboxVoiceStore
	ids   teli.IDSource
	clock teli.Clock
	opts  Options

	// gate orders placing a call against starting the simulation: PlaceCall holds it shared
	// from reading sim until its call is stored, Start holds it exclusively while it loads the
	// unfinished calls, so every call is run exactly once, by whichever saw it first.
	gate sync.RWMutex
	sim  *sim
}

// New returns a sandbox platform keeping its agents, numbers and calls in store, with the
// default Options.
func New(store teli.SandboxVoiceStore, ids teli.IDSource, clock teli.Clock) *Platform {
	return NewWithOptions(store, ids, clock, Options{})
}

// NewWithOptions returns a sandbox platform with opts.
func NewWithOptions(store teli.SandboxVoiceStore, ids teli.IDSource, clock teli.Clock, opts Options) *Platform {
	return &Platform{store: store, ids: ids, clock: clock, opts: opts.withDefaults()}
}

var _ voice.Telephony = (*Platform)(nil)

// Name returns "sandbox".
func (p *Platform) Name() string { return Name }

// CreateAgent assigns ids in the hosted platform's formats (agent_ + 26 hex, llm_ + 28 hex)
// and stores the configuration.
func (p *Platform) CreateAgent(ctx context.Context, spec voice.AgentSpec) (voice.Ref, error) {
	ref := voice.Ref{AgentID: "agent_" + p.ids.Hex(26), LLMID: "llm_" + p.ids.Hex(28)}
	now := p.clock.Now()
	return ref, p.put(ctx, ref, spec, now, now)
}

// UpdateAgent replaces the stored configuration of an existing agent.
func (p *Platform) UpdateAgent(ctx context.Context, ref voice.Ref, spec voice.AgentSpec) error {
	old, err := p.store.GetAgent(ctx, ref.AgentID)
	if err != nil {
		return fmt.Errorf("sandbox voice: update %s: %w", ref.AgentID, err)
	}
	return p.put(ctx, ref, spec, old.CreatedAt, p.clock.Now())
}

// DeleteAgent removes the agent; one that is already gone is not an error.
func (p *Platform) DeleteAgent(ctx context.Context, ref voice.Ref) error {
	err := p.store.DeleteAgent(ctx, ref.AgentID)
	if errors.Is(err, teli.ErrNotFound) {
		return nil
	}
	return err
}

// Agent returns the stored configuration of an agent (for inspection and tests).
func (p *Platform) Agent(ctx context.Context, agentID string) (voice.AgentSpec, error) {
	rec, err := p.store.GetAgent(ctx, agentID)
	if err != nil {
		return voice.AgentSpec{}, err
	}
	var spec voice.AgentSpec
	return spec, json.Unmarshal(rec.Config, &spec)
}

func (p *Platform) put(ctx context.Context, ref voice.Ref, spec voice.AgentSpec, created, updated time.Time) error {
	config, err := json.Marshal(spec)
	if err != nil {
		return err
	}
	return p.store.PutAgent(ctx, teli.SandboxVoiceAgent{
		VoiceAgentID: ref.AgentID, VoiceLLMID: ref.LLMID, Config: config,
		CreatedAt: created, UpdatedAt: updated,
	})
}
