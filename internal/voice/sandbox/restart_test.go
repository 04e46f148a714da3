package sandbox

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/openteli/teli/internal/voice"
)

func TestSinkFailuresAreRetriedInOrder(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{RetryDelay: time.Millisecond})
	failures := map[string]int{}
	e.sink.setFail(func(ev voice.Event, _ int) error {
		// What an event reports is stored before it is delivered.
		stored, err := e.db.SandboxVoice().GetCall(context.Background(), ev.Call.PlatformCallID)
		var rec record
		if err != nil || json.Unmarshal(stored.Record, &rec) != nil || !slices.Contains(rec.Sim.Pending, ev.Kind) ||
			ev.Kind != voice.EventStarted && rec.Status != ev.Call.Status {
			t.Errorf("%s delivered before it was stored: %s, %v", ev.Kind, stored.Record, err)
		}
		if failures[ev.Kind]++; failures[ev.Kind] <= 3 {
			return errSinkDown
		}
		return nil
	})
	e.start()
	id := e.place("call_retried", "+13135550006")
	e.sink.await(t, id, allEvents...)
	e.finished(id)
	e.sink.mu.Lock()
	attempts := e.sink.attempts
	e.sink.mu.Unlock()
	if attempts != 12 {
		t.Fatalf("%d attempts, want 3 failures and a success for each of 3 events", attempts)
	}
}

func TestRestartFinishesCalls(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	stop := e.start()
	// A live call in mid-conversation.
	live := e.live("call_live")
	if _, err := e.p.Say(t.Context(), live, "Tell me more."); err != nil {
		t.Fatal(err)
	}
	// A scripted call whose events the sink does not take.
	e.sink.setFail(func(ev voice.Event, _ int) error {
		if ev.Call.To == "+13135550005" {
			return errSinkDown
		}
		return nil
	})
	refused := e.place("call_refused", "+13135550005")
	waitUntil(t, "the refused call to end", func() bool {
		rec, err := e.p.GetCall(context.Background(), refused)
		return err == nil && rec.Status == "ended"
	})
	stop()
	// A call placed while the platform is stopped.
	placed := e.place("call_placed", "+13135550006")

	// A new platform, on a new connection to the same database, as after a restart.
	db := openDB(t, e.path)
	p := NewWithOptions(db.SandboxVoice(), e.ids, e.clock, Options{})
	sink := newRecorder()
	startPlatform(t, p, sink)

	sink.await(t, placed, allEvents...)
	sink.await(t, refused, allEvents...)
	if rec := e.get(refused); rec.DisconnectionReason != "user_hangup" ||
		rec.Transcript != "Agent: Hi Bob, this is Ann from Acme.\nUser: Please don't call me again.\n" {
		t.Fatalf("the refused call: %+v", rec)
	}
	// The live call goes on where it was.
	if reply, err := p.Say(t.Context(), live, "Sounds good."); err != nil || reply != FixedReply {
		t.Fatalf("Say after the restart: %q, %v", reply, err)
	}
	if err := p.Hangup(t.Context(), live); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the live call's end reported", func() bool {
		// Its call_started comes again if the stop fell between its delivery and the next write.
		got := kindsOf(sink.of(live))
		return slices.Equal(got, allEvents[1:]) || slices.Equal(got, allEvents)
	})
	want := "Agent: Hi Bob, this is Ann from Acme.\nUser: Tell me more.\nAgent: Thanks, I hear you.\nUser: Sounds good.\nAgent: Thanks, I hear you.\n"
	if rec := e.get(live); rec.Transcript != want || rec.DisconnectionReason != "user_hangup" {
		t.Fatalf("the live call: %+v", rec)
	}
	for _, id := range []string{placed, refused, live} {
		e.finished(id)
	}
	left, err := db.SandboxVoice().UnfinishedCalls(t.Context())
	if err != nil || len(left) != 0 {
		t.Fatalf("%d calls left unfinished (%v)", len(left), err)
	}
}

func TestRestartMidScript(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{TurnGap: time.Hour}) // the script stops at its first gap
	stop := e.start()
	id := e.place("call_paused", "+13135550006")
	e.sink.await(t, id, voice.EventStarted)
	stop()

	p := NewWithOptions(e.db.SandboxVoice(), e.ids, e.clock, Options{})
	sink := newRecorder()
	startPlatform(t, p, sink)
	// call_started was delivered, but its delivery was not stored before the stop: it comes
	// again (at least once), then the rest of the call.
	sink.await(t, id, allEvents...)
	e.finished(id)
	want := "Agent: Hi Bob, this is Ann from Acme.\nUser: Yes, I'm interested. Tomorrow at 10am works.\nAgent: Thanks, I hear you.\n"
	if rec := e.get(id); rec.Transcript != want {
		t.Fatalf("%+v", rec)
	}
}

func TestStartTwice(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	stop := e.start()
	if err := e.p.Start(context.Background(), e.sink); err == nil {
		t.Fatal("a second Start while running is accepted")
	}
	stop()
	// Stopped, the same platform starts again and picks up what it left.
	id := e.place("call_later", "+13135550006")
	startPlatform(t, e.p, e.sink)
	e.sink.await(t, id, allEvents...)
}
