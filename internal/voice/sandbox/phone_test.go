package sandbox

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/openteli/teli/internal/llm"
	"github.com/openteli/teli/internal/teli"
	"github.com/openteli/teli/internal/voice"
)

// live places a call to a live person and waits until the agent has greeted them.
func (e *env) live(callID string) string {
	e.t.Helper()
	id := e.place(callID, "+13135551234")
	e.sink.await(e.t, id, voice.EventStarted)
	waitUntil(e.t, "the greeting stored", func() bool {
		rec, err := e.p.GetCall(context.Background(), id)
		return err == nil && rec.Transcript != ""
	})
	return id
}

func TestSayAndHangup(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	e.start()
	id := e.live("call_live")
	if got := e.get(id); got.Status != "ongoing" || got.Transcript != "Agent: Hi Bob, this is Ann from Acme.\n" {
		t.Fatalf("a live call: %+v", got)
	}
	reply, err := e.p.Say(t.Context(), id, "Who is this?")
	if err != nil || reply != FixedReply {
		t.Fatalf("Say: %q, %v", reply, err)
	}
	if _, err := e.p.Say(t.Context(), id, "  "); err == nil {
		t.Fatal("saying nothing is accepted")
	}
	if err := e.p.Hangup(t.Context(), id); err != nil {
		t.Fatal(err)
	}
	e.sink.await(t, id, allEvents...)
	e.finished(id)
	got := e.get(id)
	want := "Agent: Hi Bob, this is Ann from Acme.\nUser: Who is this?\nAgent: Thanks, I hear you.\n"
	if got.Status != "ended" || got.DisconnectionReason != "user_hangup" || got.Transcript != want {
		t.Fatalf("after hangup: %+v", got)
	}
	checkEnded(t, got, true)

	// An ended call is not live; an unknown one is not found.
	if _, err := e.p.Say(t.Context(), id, "Hello?"); !errors.Is(err, ErrCallNotLive) {
		t.Fatalf("Say after hangup: %v", err)
	}
	if err := e.p.Hangup(t.Context(), id); !errors.Is(err, ErrCallNotLive) {
		t.Fatalf("Hangup after hangup: %v", err)
	}
	if _, err := e.p.Say(t.Context(), "sbx_call_nope", "Hello?"); !errors.Is(err, teli.ErrNotFound) {
		t.Fatalf("Say on an unknown call: %v", err)
	}
	if err := e.p.Hangup(t.Context(), "sbx_call_nope"); !errors.Is(err, teli.ErrNotFound) {
		t.Fatalf("Hangup on an unknown call: %v", err)
	}
}

func TestSayOnACallThatIsNotLive(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{TurnGap: time.Hour}) // the script stops at its first gap
	id := e.place("call_waits", "+13135551234")
	if _, err := e.p.Say(t.Context(), id, "Hello?"); !errors.Is(err, ErrCallNotLive) {
		t.Fatalf("Say before Start: %v", err)
	}
	e.start()
	scripted := e.place("call_scripted", "+13135550006")
	e.sink.await(t, scripted, voice.EventStarted)
	if _, err := e.p.Say(t.Context(), scripted, "Hello?"); !errors.Is(err, ErrCallNotLive) {
		t.Fatalf("Say on a scripted call: %v", err)
	}
	if err := e.p.Hangup(t.Context(), scripted); !errors.Is(err, ErrCallNotLive) {
		t.Fatalf("Hangup on a scripted call: %v", err)
	}
}

func TestConcurrentSayAndHangup(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	e.start()
	id := e.live("call_busy")
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			if _, err := e.p.Say(t.Context(), id, "Hello?"); err != nil && !errors.Is(err, ErrCallNotLive) {
				t.Error(err)
			}
		})
	}
	wg.Go(func() {
		if err := e.p.Hangup(t.Context(), id); err != nil {
			t.Error(err)
		}
	})
	wg.Wait()
	e.sink.await(t, id, allEvents...)
	got := e.get(id)
	turns := voice.Utterances(got.TranscriptObject, "")
	// Every Say that got in before the hangup is a question and its answer.
	if got.DisconnectionReason != "user_hangup" || len(turns)%2 != 1 {
		t.Fatalf("%+v", got)
	}
}

func TestIdleTimeout(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{IdleTimeout: 20 * time.Millisecond})
	e.start()
	id := e.place("call_idle", "+13135551234")
	e.sink.await(t, id, allEvents...)
	e.finished(id)
	got := e.get(id)
	if got.Status != "ended" || got.DisconnectionReason != "inactivity" || got.Transcript != "Agent: Hi Bob, this is Ann from Acme.\n" {
		t.Fatalf("%+v", got)
	}
	checkEnded(t, got, true)
}

func TestSayResetsTheIdleTimeout(t *testing.T) {
	t.Parallel()
	const idle = 100 * time.Millisecond
	e := newEnv(t, Options{IdleTimeout: idle})
	e.start()
	id := e.place("call_chatty", "+13135551234")
	e.sink.await(t, id, voice.EventStarted)
	// The person keeps talking for several timeouts: the call stays live all along.
	for began := time.Now(); time.Since(began) < 3*idle; {
		if _, err := e.p.Say(t.Context(), id, "Still here."); err != nil {
			t.Fatalf("after %v: %v", time.Since(began), err)
		}
	}
	// Then falls silent.
	e.sink.await(t, id, allEvents...)
	if got := e.get(id); got.DisconnectionReason != "inactivity" {
		t.Fatalf("%+v", got)
	}
}

// model is a language model that answers from a function and keeps the requests it got.
type model struct {
	mu       sync.Mutex
	requests []llm.Request
	answer   func(ctx context.Context) (llm.Response, error)
}

func (m *model) Complete(ctx context.Context, r llm.Request) (llm.Response, error) {
	m.mu.Lock()
	m.requests = append(m.requests, r)
	m.mu.Unlock()
	return m.answer(ctx)
}

func TestModelReplies(t *testing.T) {
	t.Parallel()
	m := &model{answer: func(context.Context) (llm.Response, error) {
		return llm.Response{Text: " Great, see you tomorrow at 10. "}, nil
	}}
	e := newEnv(t, Options{Model: m})
	e.start()
	id := e.place("call_model", "+13135550006")
	e.sink.await(t, id, allEvents...)
	want := "Agent: Hi Bob, this is Ann from Acme.\nUser: Yes, I'm interested. Tomorrow at 10am works.\nAgent: Great, see you tomorrow at 10.\n"
	if got := e.get(id); got.Transcript != want {
		t.Fatalf("transcript %q", got.Transcript)
	}
	if len(m.requests) != 1 {
		t.Fatalf("%d requests", len(m.requests))
	}
	r := m.requests[0]
	wantMessages := []llm.Message{
		{Role: llm.RoleAssistant, Content: "Hi Bob, this is Ann from Acme."},
		{Role: llm.RoleUser, Content: interestedLine},
	}
	if r.System != "You are Ann from Acme. You are talking to Bob." || !reflect.DeepEqual(r.Messages, wantMessages) {
		t.Fatalf("request %+v", r)
	}
}

func TestModelFailureFallsBack(t *testing.T) {
	t.Parallel()
	for name, answer := range map[string]func(ctx context.Context) (llm.Response, error){
		"error": func(context.Context) (llm.Response, error) {
			return llm.Response{}, &llm.Error{Provider: "test", StatusCode: 500}
		},
		"silent": func(context.Context) (llm.Response, error) { return llm.Response{Text: "  "}, nil },
		"too slow": func(ctx context.Context) (llm.Response, error) {
			<-ctx.Done() // ModelTimeout ends the wait
			return llm.Response{}, ctx.Err()
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, Options{Model: &model{answer: answer}, ModelTimeout: 20 * time.Millisecond})
			e.start()
			id := e.live("call_" + name)
			reply, err := e.p.Say(t.Context(), id, "Hi")
			if err != nil || reply != FixedReply {
				t.Fatalf("%q, %v", reply, err)
			}
		})
	}
}

func TestDial(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	if _, err := e.p.Dial(t.Context(), "+12485551234", e.from); !errors.Is(err, ErrNotStarted) {
		t.Fatalf("Dial before Start: %v", err)
	}
	e.start()
	e.sink.answer = voice.InboundAnswer{Agent: e.agent, Variables: map[string]string{"first_name": "Cy"}}

	id, err := e.p.Dial(t.Context(), "+12485551234", e.from)
	if err != nil {
		t.Fatal(err)
	}
	// The answer was reported before Dial returned.
	if evs := e.sink.of(id); len(evs) != 1 || evs[0].Kind != voice.EventStarted {
		t.Fatalf("events when Dial returned: %v", kindsOf(evs))
	}
	if in := e.sink.inbound; len(in) != 1 || in[0] != (voice.InboundCall{From: "+12485551234", To: e.from}) {
		t.Fatalf("AnswerInbound got %+v", in)
	}
	got := e.get(id)
	if got.Direction != teli.DirectionInbound || got.CallID != "" || got.From != "+12485551234" || got.To != e.from ||
		got.AgentID != e.agent.AgentID || got.Status != "ongoing" || got.Transcript != "Agent: Hi Cy, this is Ann from Acme.\n" {
		t.Fatalf("an answered inbound call: %+v", got)
	}
	if reply, err := e.p.Say(t.Context(), id, "I'd like a quote."); err != nil || reply != FixedReply {
		t.Fatalf("Say: %q, %v", reply, err)
	}
	if err := e.p.Hangup(t.Context(), id); err != nil {
		t.Fatal(err)
	}
	e.sink.await(t, id, allEvents...)
	e.finished(id)
	if got := e.get(id); got.DisconnectionReason != "user_hangup" {
		t.Fatalf("%+v", got)
	}

	// A caller with a scripted persona plays it: the whole call is over when Dial returns.
	scripted, err := e.p.Dial(t.Context(), "+12485550005", e.from)
	if err != nil {
		t.Fatal(err)
	}
	e.sink.await(t, scripted, allEvents...)
	if got := e.get(scripted); got.Transcript != "Agent: Hi Cy, this is Ann from Acme.\nUser: Please don't call me again.\n" {
		t.Fatalf("%+v", got)
	}
}

func TestDialNotAnswered(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	e.start()
	id, err := e.p.Dial(t.Context(), "+12485551234", e.from)
	if !errors.Is(err, ErrNotAnswered) || id != "" {
		t.Fatalf("%q, %v", id, err)
	}
	if _, err := e.p.Dial(t.Context(), "+12485551234", "+13135559999"); !errors.Is(err, teli.ErrNotFound) {
		t.Fatalf("Dial to a number not held: %v", err)
	}
	if _, err := e.p.Dial(t.Context(), "2485551234", e.from); !errors.Is(err, voice.ErrRejected) {
		t.Fatalf("Dial from a number not E.164: %v", err)
	}
	e.sink.answer = voice.InboundAnswer{Agent: voice.Ref{AgentID: "agent_gone"}}
	if _, err := e.p.Dial(t.Context(), "+12485551234", e.from); !errors.Is(err, voice.ErrRejected) {
		t.Fatalf("an answer with an unknown agent: %v", err)
	}
	left, err := e.db.SandboxVoice().UnfinishedCalls(t.Context())
	if err != nil || len(left) != 0 || e.sink.count() != 0 {
		t.Fatalf("unanswered calls left %d records (%v) and %d events", len(left), err, e.sink.count())
	}
}
