package gate

import (
	"testing"
	"time"
)

func TestTakeAllGrantsWhatEveryBudgetAllows(t *testing.T) {
	limits := []Limit{
		{RatePerSecond: 10, Burst: 5},
		{RatePerSecond: 2, Burst: 3},
		{DailyLimit: 100},
	}
	states := make([]Budget, len(limits))
	states, granted, next := TakeAll(limits, states, 10, t0)
	if granted != 3 {
		t.Fatalf("granted %d, want 3 (the campaign's burst)", granted)
	}
	// The campaign bucket is empty; at 2/s its next token is half a second away.
	if want := t0.Add(500 * time.Millisecond); !next.Equal(want) {
		t.Fatalf("next %v, want %v", next, want)
	}
	if states[0].Bucket.Tokens != 2 || states[1].Bucket.Tokens != 0 || states[2].Quota.Used != 3 {
		t.Fatalf("every budget must be charged the granted 3: %+v", states)
	}
	states, granted, _ = TakeAll(limits, states, 10, t0.Add(time.Second))
	if granted != 2 {
		t.Fatalf("one second later granted %d, want 2", granted)
	}
	if states[2].Quota.Used != 5 {
		t.Fatalf("daily count %d, want 5", states[2].Quota.Used)
	}
}

func TestTakeAllDailyQuotaWaitsForTomorrow(t *testing.T) {
	limits := []Limit{{DailyLimit: 2}}
	states, granted, next := TakeAll(limits, make([]Budget, 1), 5, t0)
	if granted != 2 || states[0].Quota.Used != 2 {
		t.Fatalf("granted %d, used %d; want 2, 2", granted, states[0].Quota.Used)
	}
	if want := time.Date(2026, 3, 11, 0, 0, 0, 0, time.UTC); !next.Equal(want) {
		t.Fatalf("next %v, want midnight UTC %v", next, want)
	}
}

func TestTakeAllUnlimited(t *testing.T) {
	limits := []Limit{{}}
	_, granted, next := TakeAll(limits, make([]Budget, 1), 1000, t0)
	if granted != 1000 || !next.IsZero() {
		t.Fatalf("unlimited budget granted %d next %v", granted, next)
	}
}

// TestTakeNeverExceedsRate drives one bucket with many small takes over a simulated minute
// and checks the total against burst + rate × elapsed.
func TestTakeAllNeverExceedsRate(t *testing.T) {
	limits := []Limit{{RatePerSecond: 3, Burst: 2}}
	states := make([]Budget, 1)
	total := 0
	now := t0
	for i := 0; i < 6000; i++ {
		now = now.Add(10 * time.Millisecond)
		var g int
		states, g, _ = TakeAll(limits, states, 4, now)
		total += g
	}
	limit := 2 + 3*now.Sub(t0).Seconds()
	if float64(total) > limit || float64(total) < limit-3 {
		t.Fatalf("granted %d over %v; the limit is %.0f", total, now.Sub(t0), limit)
	}
}
