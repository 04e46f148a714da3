// Package voice is the boundary to a voice platform: the service that holds voice agents and
// places calls. The sandbox platform (package sandbox) is the default; adapters to hosted
// platforms implement the same interface.
package voice

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/openteli/teli/internal/teli"
)

// Ref names an agent on the platform: its agent id (agent_…) and LLM id (llm_…).
type Ref struct {
	AgentID string `json:"voice_agent_id"`
	LLMID   string `json:"voice_llm_id"`
}

// AgentSpec is everything the platform needs to run a voice agent.
type AgentSpec struct {
	AgentName          string             `json:"agent_name"`
	Prompt             string             `json:"prompt"`
	BeginMessage       string             `json:"begin_message"`
	VoiceID            string             `json:"voice_id"`
	Language           string             `json:"language"`
	VoicemailDetection bool               `json:"enable_voicemail_detection"`
	VoicemailMessage   string             `json:"voicemail_message"`
	Tools              []json.RawMessage  `json:"tools,omitempty"`
	KnowledgeBaseIDs   []string           `json:"knowledge_base_ids,omitempty"`
	KBConfig           *teli.KBConfig     `json:"kb_config,omitempty"`
	Settings           teli.VoiceSettings `json:"settings"`
}

// SpecOf derives the platform spec from a voice agent.
func SpecOf(a teli.Agent) AgentSpec {
	v := a.Voice
	return AgentSpec{
		AgentName:          a.Name,
		Prompt:             a.Prompt,
		BeginMessage:       a.StartingMessage,
		VoiceID:            v.VoiceID,
		Language:           v.Language,
		VoicemailDetection: v.VoicemailDetection,
		VoicemailMessage:   v.VoicemailMessage,
		Tools:              v.Tools,
		KnowledgeBaseIDs:   v.KnowledgeBaseIDs,
		KBConfig:           v.KBConfig,
		Settings:           v.Settings,
	}
}

// Platform manages voice agents on a voice platform.
type Platform interface {
	// CreateAgent creates the agent and its LLM and returns their ids.
	CreateAgent(ctx context.Context, spec AgentSpec) (Ref, error)
	// UpdateAgent replaces the agent's configuration.
	UpdateAgent(ctx context.Context, ref Ref, spec AgentSpec) error
	// DeleteAgent removes the agent and its LLM. Deleting what is already gone succeeds, so a
	// retried job is harmless.
	DeleteAgent(ctx context.Context, ref Ref) error
}

// Number is a phone number held on the voice platform.
type Number struct {
	PhoneNumber string // E.164
	Pretty      string // "+1 313-731-6433"
	AreaCode    string
	// Type is the platform's provider identifier ("retell-twilio", "sandbox").
	Type string
}

// NumberRequest asks the platform for a new number in a US or Canadian area code.
type NumberRequest struct {
	AreaCode string
	Nickname string
}

// Binding is which agents a number uses: Inbound answers calls to it, Outbound places calls
// from it. A zero Ref clears the binding.
type Binding struct {
	Inbound  Ref
	Outbound Ref
	Nickname string
}

// Numbers provisions, binds and releases numbers on the platform.
type Numbers interface {
	ProvisionNumber(ctx context.Context, r NumberRequest) (Number, error)
	BindNumber(ctx context.Context, phone string, b Binding) error
	// ReleaseNumber gives the number back; one that is already gone is not an error.
	ReleaseNumber(ctx context.Context, phone string) error
}

// CallRequest is an outbound call to place.
type CallRequest struct {
	// CallID is ours (teli.Call.ID). It travels with the call (as metadata), so that a call
	// whose acceptance was lost can be found again (FindCall) instead of being placed twice.
	CallID string
	From   string
	To     string
	Agent  Ref
	// Variables are the dynamic variables the agent speaks with ({{first_name}} …).
	Variables map[string]string
}

// Placed is the platform's acceptance of a call.
type Placed struct {
	PlatformCallID string
}

// CallRecord is what the platform knows of a call: its call object.
type CallRecord struct {
	PlatformCallID string
	// CallID is ours, from the call's metadata; empty for a call the platform started itself
	// (an inbound call).
	CallID    string
	Direction string // teli.DirectionOutbound | teli.DirectionInbound
	// AgentID is the platform's agent id.
	AgentID string
	From    string
	To      string
	// Status is the platform's: registered, ongoing, ended, not_connected, error.
	Status              string
	StartedAt           *time.Time
	EndedAt             *time.Time
	DurationMS          int64
	DisconnectionReason string
	Transcript          string
	TranscriptObject    json.RawMessage
	Analysis            *teli.CallAnalysis
	Cost                json.RawMessage
	RecordingURL        string
	Variables           map[string]string
}

// Event kinds: a call's progress as the platform reports it.
const (
	EventStarted  = "call_started"
	EventEnded    = "call_ended"
	EventAnalyzed = "call_analyzed"
)

// Event is one report of a call's progress.
type Event struct {
	Kind string
	Call CallRecord
}

// Calls places calls and looks them up.
type Calls interface {
	PlaceCall(ctx context.Context, r CallRequest) (Placed, error)
	// FindCall looks up the call placed for our call id; found is false when the platform never
	// placed one.
	FindCall(ctx context.Context, callID string) (rec CallRecord, found bool, err error)
	GetCall(ctx context.Context, platformCallID string) (CallRecord, error)
}

// InboundCall is a call arriving at one of the platform's numbers, before it is answered.
type InboundCall struct {
	From string
	To   string
}

// InboundAnswer decides an inbound call: the agent that answers it and its variables; a zero
// Agent leaves the call unanswered.
type InboundAnswer struct {
	Agent     Ref
	Variables map[string]string
}

// Sink takes what a platform reports: the call events (a webhook's, or the sandbox's own) and
// the decision on each inbound call. The conversation service implements it; both the webhook
// handler of a hosted platform and the sandbox call it, so every call event takes one path.
type Sink interface {
	CallEvent(ctx context.Context, platform string, e Event) error
	AnswerInbound(ctx context.Context, platform string, c InboundCall) (InboundAnswer, error)
}

// Webhooks verifies and decodes a hosted platform's webhooks. A forged or unsigned request is
// ErrUnauthorized and must change nothing.
type Webhooks interface {
	// ParseEvent decodes a call webhook (call_started, call_ended, call_analyzed).
	ParseEvent(r *http.Request, body []byte) (Event, error)
	// ParseInbound decodes an inbound-call webhook (call_inbound).
	ParseInbound(r *http.Request, body []byte) (InboundCall, error)
	// InboundResponse is the body that answers an inbound-call webhook.
	InboundResponse(a InboundAnswer) ([]byte, error)
}

// Telephony is a voice platform that places and takes calls: agents, numbers and calls.
type Telephony interface {
	Platform
	Numbers
	Calls
	// Name names the platform in stored calls ("sandbox", "retell").
	Name() string
}

// ErrUnauthorized is a webhook whose signature does not verify.
var ErrUnauthorized = errors.New("voice: webhook signature does not verify")

// ErrUnknownOutcome is a request to place a call whose answer was lost (a timeout, a dropped
// connection): the platform may have placed the call. The caller looks it up (FindCall) rather
// than placing it again.
var ErrUnknownOutcome = errors.New("voice: the platform's answer was lost; the call may have been placed")

// ErrRejected is a call the platform refused for good (an unknown agent, a number it does not
// hold, an invalid destination): placing it again would fail the same way.
var ErrRejected = errors.New("voice: the platform refused the call")
