package sandbox

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/openteli/teli/internal/teli"
	"github.com/openteli/teli/internal/voice"
)

func TestPersonas(t *testing.T) {
	t.Parallel()
	notConnected := []string{voice.EventEnded}
	for _, tc := range []struct {
		digits, status, reason, transcript string
		events                             []string
		gap                                time.Duration
	}{
		{digits: "0001", status: "not_connected", reason: "dial_no_answer", events: notConnected},
		{digits: "0002", status: "not_connected", reason: "dial_busy", events: notConnected},
		{digits: "0004", status: "not_connected", reason: "invalid_destination", events: notConnected},
		{digits: "0003", status: "ended", reason: "voicemail_reached", events: allEvents,
			transcript: "Agent: Sorry I missed you, Bob. Call us back!\n"},
		{digits: "0005", status: "ended", reason: "user_hangup", events: allEvents,
			transcript: "Agent: Hi Bob, this is Ann from Acme.\nUser: Please don't call me again.\n"},
		{digits: "0006", status: "ended", reason: "user_hangup", events: allEvents,
			transcript: "Agent: Hi Bob, this is Ann from Acme.\nUser: Yes, I'm interested. Tomorrow at 10am works.\nAgent: Thanks, I hear you.\n"},
		// With turn gaps the same script plays, each turn on a timer.
		{digits: "0006", status: "ended", reason: "user_hangup", events: allEvents, gap: 2 * time.Millisecond,
			transcript: "Agent: Hi Bob, this is Ann from Acme.\nUser: Yes, I'm interested. Tomorrow at 10am works.\nAgent: Thanks, I hear you.\n"},
	} {
		t.Run(tc.digits+"/gap"+tc.gap.String(), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, Options{TurnGap: tc.gap})
			e.start()
			id := e.place("call_"+tc.digits, "+1248555"+tc.digits)
			evs := e.sink.await(t, id, tc.events...)
			e.finished(id)
			got := e.get(id)
			if got.Status != tc.status || got.DisconnectionReason != tc.reason || got.Transcript != tc.transcript {
				t.Fatalf("status %q, reason %q, transcript %q; want %q, %q, %q",
					got.Status, got.DisconnectionReason, got.Transcript, tc.status, tc.reason, tc.transcript)
			}
			checkEnded(t, got, tc.status == "ended")
			if got.CallID != "call_"+tc.digits || got.Direction != teli.DirectionOutbound || got.From != e.from ||
				got.To != "+1248555"+tc.digits || got.AgentID != e.agent.AgentID || got.Variables["first_name"] != "Bob" {
				t.Fatalf("call facts: %+v", got)
			}
			// call_ended and call_analyzed carry the final call; call_started the answered one.
			for _, ev := range evs {
				switch ev.Kind {
				case voice.EventStarted:
					if ev.Call.Status != "ongoing" || ev.Call.StartedAt == nil || ev.Call.EndedAt != nil || ev.Call.Transcript != "" {
						t.Fatalf("call_started carries %+v", ev.Call)
					}
				default:
					if !sameRecord(ev.Call, got) {
						t.Fatalf("%s carries %+v, want %+v", ev.Kind, ev.Call, got)
					}
				}
			}
		})
	}
}

// checkEnded checks what every call that is over carries, and what only a connected one does.
func checkEnded(t *testing.T, c voice.CallRecord, connected bool) {
	t.Helper()
	if c.EndedAt == nil || string(c.Cost) != `{"combined_cost":0}` || c.Analysis != nil {
		t.Fatalf("an ended call without its end, cost, or with an analysis: %+v", c)
	}
	if !connected {
		if c.StartedAt != nil || c.DurationMS != 0 || c.RecordingURL != "" || c.Transcript != "" || c.TranscriptObject != nil {
			t.Fatalf("a call that did not connect has %+v", c)
		}
		return
	}
	if c.StartedAt == nil || !c.EndedAt.After(*c.StartedAt) || c.DurationMS != c.EndedAt.Sub(*c.StartedAt).Milliseconds() {
		t.Fatalf("times: start %v, end %v, duration %d", c.StartedAt, c.EndedAt, c.DurationMS)
	}
	if c.RecordingURL != "sandbox://recordings/"+c.PlatformCallID+".wav" {
		t.Fatalf("recording %q", c.RecordingURL)
	}
	// The transcript object says what the transcript says, as the voice package reads it back.
	if got, want := voice.Utterances(c.TranscriptObject, ""), voice.Utterances(nil, c.Transcript); !slices.Equal(got, want) {
		t.Fatalf("transcript object %s, transcript %q", c.TranscriptObject, c.Transcript)
	}
	if c.Transcript != "" {
		var turns []map[string]any
		if err := json.Unmarshal(c.TranscriptObject, &turns); err != nil || len(turns) == 0 {
			t.Fatalf("transcript object %s: %v", c.TranscriptObject, err)
		}
		for _, turn := range turns {
			if words, ok := turn["words"].([]any); !ok || len(words) != 0 {
				t.Fatalf("a turn without words: []: %v", turn)
			}
		}
	}
}

func sameRecord(a, b voice.CallRecord) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

// Without voicemail detection the agent cannot tell the machine from a person: it speaks its
// begin message, nobody answers, and the platform does not report a voicemail.
func TestVoicemailWithoutDetectionSpeaksAsIfAnswered(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	spec := testAgent
	spec.VoicemailDetection = false
	if err := e.p.UpdateAgent(t.Context(), e.agent, spec); err != nil {
		t.Fatal(err)
	}
	e.start()
	id := e.place("call_vm", "+12485550003")
	e.sink.await(t, id, allEvents...)
	got := e.get(id)
	if got.Status != "ended" || got.DisconnectionReason != "inactivity" || got.Transcript != "Agent: Hi Bob, this is Ann from Acme.\n" {
		t.Fatalf("%+v", got)
	}
}

func TestPersonaOf(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		number  string
		inbound bool
		want    string
	}{
		{"+13135550001", false, "no answer"},
		{"+13135550003", false, "voicemail"},
		{"+13135550006", false, "interested"},
		{"+13135550007", false, "live person"},
		{"+13135550001", true, "live person"}, // the agent answers an inbound call
		{"+13135550003", true, "live person"},
		{"+13135550005", true, "declines"},
		{"+1", false, "live person"},
	} {
		if got := personaOf(tc.number, tc.inbound).name; got != tc.want {
			t.Errorf("personaOf(%s, inbound %v) = %s, want %s", tc.number, tc.inbound, got, tc.want)
		}
	}
}

func TestBackoff(t *testing.T) {
	t.Parallel()
	base := 100 * time.Millisecond
	for n, want := range map[int]time.Duration{1: base, 2: 2 * base, 3: 4 * base, 6: 3200 * time.Millisecond, 7: maxRetryDelay, 100: maxRetryDelay} {
		if got := backoff(base, n); got != want {
			t.Errorf("backoff(%d) = %v, want %v", n, got, want)
		}
	}
}
