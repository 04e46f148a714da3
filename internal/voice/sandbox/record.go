package sandbox

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/openteli/teli/internal/teli"
	"github.com/openteli/teli/internal/voice"
)

// Call statuses, as a hosted platform reports them.
const (
	statusRegistered   = "registered"
	statusOngoing      = "ongoing"
	statusEnded        = "ended"
	statusNotConnected = "not_connected"
	statusError        = "error"
)

// Disconnection reasons the sandbox reports.
const (
	reasonUserHangup   = "user_hangup"
	reasonInactivity   = "inactivity"
	reasonVoicemail    = "voicemail_reached"
	reasonNoAnswer     = "dial_no_answer"
	reasonBusy         = "dial_busy"
	reasonInvalid      = "invalid_destination"
	reasonUnknownAgent = "error_unknown"
)

// Where a call's simulation stands.
const (
	stepDialing = "dialing" // placed or taken, not answered yet
	stepScript  = "script"  // answered, playing its persona's script
	stepLive    = "live"    // answered, waiting for the person (Say, Hangup)
	stepEnded   = "ended"   // over; only undelivered events may remain
)

// record is the sandbox's call object, stored as the call's Record: a hosted platform's call
// object (the same field names), plus where its simulation stands.
type record struct {
	PlatformCallID      string            `json:"call_id"`
	CallType            string            `json:"call_type"`
	AgentID             string            `json:"agent_id"`
	Direction           string            `json:"direction"`
	From                string            `json:"from_number"`
	To                  string            `json:"to_number"`
	Status              string            `json:"call_status"`
	Metadata            metadata          `json:"metadata"`
	Variables           map[string]string `json:"retell_llm_dynamic_variables,omitempty"`
	StartTimestamp      int64             `json:"start_timestamp,omitempty"` // epoch ms
	EndTimestamp        int64             `json:"end_timestamp,omitempty"`
	DurationMS          int64             `json:"duration_ms,omitempty"`
	DisconnectionReason string            `json:"disconnection_reason,omitempty"`
	Transcript          string            `json:"transcript,omitempty"`
	TranscriptObject    []utterance       `json:"transcript_object,omitempty"`
	RecordingURL        string            `json:"recording_url,omitempty"`
	CallCost            *callCost         `json:"call_cost,omitempty"`
	Sim                 simulation        `json:"sandbox"`
}

// metadata carries our call id with the call, as a hosted platform's metadata does.
type metadata struct {
	CallID string `json:"call_id,omitempty"`
}

type utterance struct {
	Role    string `json:"role"`
	Content string `json:"content"`
	// Words would time each word in the audio; the sandbox has no audio, so it is always [].
	Words []struct{} `json:"words"`
}

type callCost struct {
	CombinedCost float64 `json:"combined_cost"`
}

// simulation is the sandbox's own part of the call object.
type simulation struct {
	Step string `json:"step"`
	// Turn is how many steps of its persona's script the call has played.
	Turn int `json:"turn,omitempty"`
	// Pending are the events not yet delivered to the sink, oldest first.
	Pending []string `json:"pending_events,omitempty"`
}

func decodeRecord(c teli.SandboxCall) (record, error) {
	var r record
	if err := json.Unmarshal(c.Record, &r); err != nil {
		return r, fmt.Errorf("sandbox voice: call %s: %w", c.PlatformCallID, err)
	}
	r.PlatformCallID = c.PlatformCallID
	return r, nil
}

// say adds a turn to the transcript, in both of its forms.
func (r *record) say(role, content string) {
	content = strings.TrimSpace(content)
	if content == "" {
		return
	}
	r.TranscriptObject = append(r.TranscriptObject, utterance{Role: role, Content: content, Words: []struct{}{}})
	speaker := "User"
	if role == voice.RoleAgent {
		speaker = "Agent"
	}
	r.Transcript += speaker + ": " + content + "\n"
}

// answer marks the call connected at now.
func (r *record) answer(now time.Time) {
	r.Status, r.StartTimestamp = statusOngoing, now.UnixMilli()
	r.Sim.Pending = append(r.Sim.Pending, voice.EventStarted)
}

// end closes the call at now: with reason, and status ended when it had connected, else
// status (not_connected, error). A connected call gets its recording.
func (r *record) end(now time.Time, status, reason string) {
	r.EndTimestamp, r.DisconnectionReason = now.UnixMilli(), reason
	r.Status = status
	if r.StartTimestamp != 0 {
		r.Status = statusEnded
		r.DurationMS = max(0, r.EndTimestamp-r.StartTimestamp)
		r.RecordingURL = "sandbox://recordings/" + r.PlatformCallID + ".wav"
	}
	r.CallCost = &callCost{}
	r.Sim.Step = stepEnded
	if r.StartTimestamp == 0 {
		r.Sim.Pending = append(r.Sim.Pending, voice.EventEnded)
	} else {
		r.Sim.Pending = append(r.Sim.Pending, voice.EventEnded, voice.EventAnalyzed)
	}
}

// turns reads the transcript back as the voice package does.
func (r *record) turns() []voice.Utterance {
	out := make([]voice.Utterance, len(r.TranscriptObject))
	for i, u := range r.TranscriptObject {
		out[i] = voice.Utterance{Role: u.Role, Content: u.Content}
	}
	return out
}

// callRecord is the record as the voice package knows a call.
func (r *record) callRecord() voice.CallRecord {
	c := voice.CallRecord{
		PlatformCallID: r.PlatformCallID, CallID: r.Metadata.CallID, Direction: r.Direction,
		AgentID: r.AgentID, From: r.From, To: r.To, Status: r.Status,
		StartedAt: millis(r.StartTimestamp), EndedAt: millis(r.EndTimestamp), DurationMS: r.DurationMS,
		DisconnectionReason: r.DisconnectionReason, Transcript: r.Transcript,
		RecordingURL: r.RecordingURL, Variables: r.Variables,
	}
	if len(r.TranscriptObject) > 0 {
		c.TranscriptObject, _ = json.Marshal(r.TranscriptObject) // plain structs always marshal
	}
	if r.CallCost != nil {
		c.Cost, _ = json.Marshal(r.CallCost)
	}
	return c
}

// event is the report of kind about the call: call_started carries the call as it was when
// answered (its basic facts, no transcript yet), the others the call as it stands.
func (r *record) event(kind string) voice.Event {
	c := r.callRecord()
	if kind == voice.EventStarted {
		c.Status, c.EndedAt, c.DurationMS, c.DisconnectionReason = statusOngoing, nil, 0, ""
		c.Transcript, c.TranscriptObject, c.RecordingURL, c.Cost = "", nil, "", nil
	}
	return voice.Event{Kind: kind, Call: c}
}

func millis(ms int64) *time.Time {
	if ms == 0 {
		return nil
	}
	t := time.UnixMilli(ms).UTC()
	return &t
}
