package sandbox

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/openteli/teli/internal/ids"
	"github.com/openteli/teli/internal/store/sqlite"
	"github.com/openteli/teli/internal/teli"
	"github.com/openteli/teli/internal/voice"
)

// deadline bounds every wait of the tests.
const deadline = 5 * time.Second

// start is when the tests' clocks start.
var start = time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)

// testAgent is the agent every test calls with.
var testAgent = voice.AgentSpec{
	AgentName:          "Ann",
	Prompt:             "You are Ann from Acme. You are talking to {{first_name}}.",
	BeginMessage:       "Hi {{first_name}}, this is Ann from Acme.",
	VoicemailDetection: true,
	VoicemailMessage:   "Sorry I missed you, {{first_name}}. Call us back!",
}

// env is a sandbox platform on a database of its own, with an agent and a number.
type env struct {
	t     testing.TB
	path  string
	db    *sqlite.DB
	ids   *ids.Sequence
	clock *stepClock
	opts  Options
	p     *Platform
	sink  *recorder
	agent voice.Ref
	from  string
}

func newEnv(t testing.TB, opts Options) *env {
	t.Helper()
	e := &env{t: t, path: filepath.Join(t.TempDir(), "teli.db"), ids: &ids.Sequence{},
		clock: &stepClock{now: start, step: time.Second}, opts: opts, sink: newRecorder()}
	e.db = openDB(t, e.path)
	e.p = NewWithOptions(e.db.SandboxVoice(), e.ids, e.clock, opts)
	ctx := t.Context()
	var err error
	if e.agent, err = e.p.CreateAgent(ctx, testAgent); err != nil {
		t.Fatal(err)
	}
	n, err := e.p.ProvisionNumber(ctx, voice.NumberRequest{AreaCode: "313"})
	if err != nil {
		t.Fatal(err)
	}
	e.from = n.PhoneNumber
	return e
}

func openDB(t testing.TB, path string) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), sqlite.Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return db
}

// start runs the simulation until the test ends (or the returned stop is called).
func (e *env) start() (stop func()) {
	e.t.Helper()
	return startPlatform(e.t, e.p, e.sink)
}

func startPlatform(t testing.TB, p *Platform, sink voice.Sink) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	if err := p.Start(ctx, sink); err != nil {
		cancel()
		t.Fatal(err)
	}
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			p.Wait()
		})
	}
	t.Cleanup(stop)
	return stop
}

// place places a call to to with the env's agent and number.
func (e *env) place(callID, to string) string {
	e.t.Helper()
	placed, err := e.p.PlaceCall(e.t.Context(), voice.CallRequest{
		CallID: callID, From: e.from, To: to, Agent: voice.Ref{AgentID: e.agent.AgentID},
		Variables: map[string]string{"first_name": "Bob"},
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return placed.PlatformCallID
}

func (e *env) get(platformCallID string) voice.CallRecord {
	e.t.Helper()
	rec, err := e.p.GetCall(e.t.Context(), platformCallID)
	if err != nil {
		e.t.Fatal(err)
	}
	return rec
}

// finished waits until the call is stored as finished.
func (e *env) finished(platformCallID string) {
	e.t.Helper()
	waitUntil(e.t, "call "+platformCallID+" finished", func() bool {
		c, err := e.db.SandboxVoice().GetCall(context.Background(), platformCallID)
		return err == nil && c.Finished
	})
}

// waitUntil polls cond until it holds, failing the test after the deadline.
func waitUntil(t testing.TB, what string, cond func() bool) {
	t.Helper()
	waitWithin(t, deadline, what, cond)
}

// waitWithin polls cond until it holds, failing the test after within.
func waitWithin(t testing.TB, within time.Duration, what string, cond func() bool) {
	t.Helper()
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	timeout := time.After(within)
	for !cond() {
		select {
		case <-tick.C:
		case <-timeout:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// stepClock moves a step forward every time it is read, so that every timestamp of a call is
// distinct and durations are not zero, yet every run reads the same times.
type stepClock struct {
	mu   sync.Mutex
	now  time.Time
	step time.Duration
}

func (c *stepClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(c.step)
	return c.now
}

var _ teli.Clock = (*stepClock)(nil)

// recorder is a voice.Sink that keeps every event it accepts and answers inbound calls as told.
type recorder struct {
	mu       sync.Mutex
	events   []voice.Event
	attempts int
	changed  chan struct{} // closed and replaced whenever an event is accepted
	// fail, when set, decides whether an event is refused (an error) instead of accepted.
	fail func(e voice.Event, attempt int) error
	// answer decides inbound calls.
	answer  voice.InboundAnswer
	inbound []voice.InboundCall
}

func newRecorder() *recorder { return &recorder{changed: make(chan struct{})} }

var errSinkDown = errors.New("sink down")

func (r *recorder) CallEvent(_ context.Context, platform string, e voice.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.attempts++
	if platform != Name {
		return errors.New("wrong platform " + platform)
	}
	if r.fail != nil {
		if err := r.fail(e, r.attempts); err != nil {
			return err
		}
	}
	r.events = append(r.events, e)
	close(r.changed)
	r.changed = make(chan struct{})
	return nil
}

func (r *recorder) AnswerInbound(_ context.Context, platform string, c voice.InboundCall) (voice.InboundAnswer, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if platform != Name {
		return voice.InboundAnswer{}, errors.New("wrong platform " + platform)
	}
	r.inbound = append(r.inbound, c)
	return r.answer, nil
}

func (r *recorder) setFail(f func(e voice.Event, attempt int) error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.fail = f
}

// count is how many events the sink accepted.
func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.events)
}

// of returns the events accepted for one call.
func (r *recorder) of(platformCallID string) []voice.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []voice.Event
	for _, e := range r.events {
		if e.Call.PlatformCallID == platformCallID {
			out = append(out, e)
		}
	}
	return out
}

// await waits until the call's events are of the kinds given, in order, and returns them.
func (r *recorder) await(t testing.TB, platformCallID string, kinds ...string) []voice.Event {
	t.Helper()
	timeout := time.After(deadline)
	for {
		r.mu.Lock()
		changed := r.changed
		r.mu.Unlock()
		evs := r.of(platformCallID)
		if got := kindsOf(evs); slices.Equal(got, kinds) {
			return evs
		} else if len(got) > len(kinds) || !slices.Equal(got, kinds[:len(got)]) {
			t.Fatalf("call %s: events %v, want %v", platformCallID, got, kinds)
		}
		select {
		case <-changed:
		case <-timeout:
			t.Fatalf("call %s: events %v, want %v (timed out)", platformCallID, kindsOf(evs), kinds)
		}
	}
}

func kindsOf(evs []voice.Event) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e.Kind
	}
	return out
}

var allEvents = []string{voice.EventStarted, voice.EventEnded, voice.EventAnalyzed}
