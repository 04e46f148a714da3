package gate

import "time"

// A send draws on several throughput budgets at once — its sending number's, its campaign's and
// its organization's — so it is granted only what all of them allow. The dispatcher has the
// store lock the budgets' stored states inside one transaction, computes TakeAll on them, and
// has the store write the result back, which is what makes the limits hold across replicas.

// Limit configures one budget: a token bucket (RatePerSecond, Burst), a daily quota
// (DailyLimit, counted per UTC day), or both; zero values limit nothing.
type Limit struct {
	RatePerSecond float64
	Burst         float64
	DailyLimit    int
}

// Budget is one budget's state: a token bucket and a daily count; a budget uses either or both
// depending on its Limit.
type Budget struct {
	Bucket Bucket
	Quota  DailyQuota
}

// TakeAll grants up to n sends at now from every budget, the fewest any allows, and returns the
// states after spending that many from each. When fewer than n are granted, next is the latest
// of the instants each limiting budget would allow another send. states[i] is limited by
// limits[i].
func TakeAll(limits []Limit, states []Budget, n int, now time.Time) (out []Budget, granted int, next time.Time) {
	granted = max(n, 0)
	for i, l := range limits {
		_, g, _ := states[i].Bucket.Take(now, l.RatePerSecond, l.Burst, granted)
		granted = min(granted, g)
		_, g, _ = states[i].Quota.Take(now, time.UTC, l.DailyLimit, granted)
		granted = min(granted, g)
	}
	out = make([]Budget, len(states))
	for i, l := range limits {
		var at time.Time
		out[i].Bucket, _, _ = states[i].Bucket.Take(now, l.RatePerSecond, l.Burst, granted)
		out[i].Quota, _, _ = states[i].Quota.Take(now, time.UTC, l.DailyLimit, granted)
		if granted < n {
			at = latest(out[i].Bucket.NextAt(now, l.RatePerSecond, l.Burst), out[i].Quota.NextAt(now, time.UTC, l.DailyLimit))
			next = latest(next, at)
		}
	}
	return out, granted, next
}

func latest(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
