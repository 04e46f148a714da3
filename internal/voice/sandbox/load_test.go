package sandbox

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/openteli/teli/internal/voice"
)

// loadDeadline bounds the wait for a load of calls.
const loadDeadline = 2 * time.Minute

// placeMany places n calls of the interested persona at once and waits until every one has
// reported its end; it returns how long that took.
func placeMany(tb testing.TB, e *env, n int) time.Duration {
	tb.Helper()
	want := e.sink.count() + 3*n
	began := time.Now()
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			_, err := e.p.PlaceCall(tb.Context(), voice.CallRequest{
				CallID: fmt.Sprintf("call_%d_%d", began.UnixNano(), i), From: e.from, To: "+13135550006",
				Agent: e.agent, Variables: map[string]string{"first_name": "Bob"},
			})
			if err != nil {
				tb.Error(err)
			}
		})
	}
	wg.Wait()
	// Thousands of calls take seconds, many more under the race detector: the wait is for a
	// stuck call, not a slow run.
	waitWithin(tb, loadDeadline, fmt.Sprintf("%d calls", n), func() bool { return e.sink.count() >= want })
	return time.Since(began)
}

func TestThousandConcurrentCalls(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	e.start()
	const n = 1000
	took := placeMany(t, e, n)
	t.Logf("%d calls in %v: %.0f calls/s", n, took.Round(time.Millisecond), n/took.Seconds())
	waitWithin(t, loadDeadline, "every call finished", func() bool {
		left, err := e.db.SandboxVoice().UnfinishedCalls(t.Context())
		return err == nil && len(left) == 0
	})
	// Every call reported its three events, in order.
	e.sink.mu.Lock()
	defer e.sink.mu.Unlock()
	seen := map[string][]string{}
	for _, ev := range e.sink.events {
		seen[ev.Call.PlatformCallID] = append(seen[ev.Call.PlatformCallID], ev.Kind)
	}
	if len(seen) != n {
		t.Fatalf("%d calls reported, want %d", len(seen), n)
	}
	for id, kinds := range seen {
		if fmt.Sprint(kinds) != fmt.Sprint(allEvents) {
			t.Fatalf("call %s reported %v", id, kinds)
		}
	}
}

// BenchmarkCalls measures whole scripted calls (placed, answered, played, reported, finished),
// all placed at once, through a real SQLite store.
func BenchmarkCalls(b *testing.B) {
	e := newEnv(b, Options{})
	e.start()
	b.ResetTimer()
	took := placeMany(b, e, b.N)
	b.ReportMetric(float64(b.N)/took.Seconds(), "calls/s")
}
