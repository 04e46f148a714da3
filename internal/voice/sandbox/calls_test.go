package sandbox

import (
	"errors"
	"regexp"
	"sync"
	"testing"

	"github.com/openteli/teli/internal/teli"
	"github.com/openteli/teli/internal/voice"
)

func TestPlaceCallRejects(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	ok := voice.CallRequest{CallID: "call_x", From: e.from, To: "+13135550006", Agent: voice.Ref{AgentID: e.agent.AgentID}}
	for name, change := range map[string]func(*voice.CallRequest){
		"from a number not held": func(r *voice.CallRequest) { r.From = "+13135559999" },
		"unknown agent":          func(r *voice.CallRequest) { r.Agent.AgentID = "agent_nope" },
		"no agent":               func(r *voice.CallRequest) { r.Agent = voice.Ref{} },
		"to without +":           func(r *voice.CallRequest) { r.To = "13135550006" },
		"to too short":           func(r *voice.CallRequest) { r.To = "+1313555" },
		"to too long":            func(r *voice.CallRequest) { r.To = "+1313555000600000" },
		"to with letters":        func(r *voice.CallRequest) { r.To = "+1313555000a" },
		"to empty":               func(r *voice.CallRequest) { r.To = "" },
	} {
		r := ok
		change(&r)
		_, err := e.p.PlaceCall(t.Context(), r)
		if !errors.Is(err, voice.ErrRejected) {
			t.Errorf("%s: %v, want ErrRejected", name, err)
		}
	}
	if _, found, err := e.p.FindCall(t.Context(), "call_x"); err != nil || found {
		t.Fatalf("a refused call was kept: found %v, %v", found, err)
	}
	// The shortest and longest E.164 numbers are fine.
	for _, to := range []string{"+12345678", "+123456789012345"} {
		r := ok
		r.CallID, r.To = "call_"+to[1:], to
		if _, err := e.p.PlaceCall(t.Context(), r); err != nil {
			t.Errorf("to %s: %v", to, err)
		}
	}
}

func TestPlaceCallIsIdempotentOnCallID(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	first := e.place("call_once", "+13135550006")
	if !regexp.MustCompile(`^sbx_call_[0-9a-f]{24}$`).MatchString(first) {
		t.Fatalf("platform call id %q", first)
	}
	if again := e.place("call_once", "+13135550006"); again != first {
		t.Fatalf("placed again: %s, first %s", again, first)
	}
	// Placed at once from many dispatchers, it is still one call.
	var wg sync.WaitGroup
	got := make([]string, 20)
	for i := range got {
		wg.Go(func() {
			placed, err := e.p.PlaceCall(t.Context(), voice.CallRequest{
				CallID: "call_race", From: e.from, To: "+13135550006", Agent: e.agent,
			})
			if err != nil {
				t.Error(err)
			}
			got[i] = placed.PlatformCallID
		})
	}
	wg.Wait()
	for _, id := range got {
		if id != got[0] {
			t.Fatalf("one call id placed as %v", got)
		}
	}
	e.start()
	e.sink.await(t, first, allEvents...)
	e.sink.await(t, got[0], allEvents...)
	e.finished(first)
	e.finished(got[0])
	if n := e.sink.count(); n != 6 {
		t.Fatalf("%d events for two calls", n)
	}
}

func TestFindCall(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	id := e.place("call_find", "+13135550042")
	rec, found, err := e.p.FindCall(t.Context(), "call_find")
	if err != nil || !found {
		t.Fatalf("found %v, %v", found, err)
	}
	// Before Start the call waits, registered.
	if rec.PlatformCallID != id || rec.CallID != "call_find" || rec.Status != "registered" ||
		rec.Direction != teli.DirectionOutbound || rec.StartedAt != nil {
		t.Fatalf("%+v", rec)
	}
	if got := e.get(id); !sameRecord(got, rec) {
		t.Fatalf("GetCall %+v, FindCall %+v", got, rec)
	}
	if _, found, err := e.p.FindCall(t.Context(), "call_never"); err != nil || found {
		t.Fatalf("a call never placed: found %v, %v", found, err)
	}
	if _, err := e.p.GetCall(t.Context(), "sbx_call_nope"); !errors.Is(err, teli.ErrNotFound) {
		t.Fatalf("GetCall of an unknown call: %v", err)
	}
	if e.sink.count() != 0 {
		t.Fatal("events before Start")
	}
}
