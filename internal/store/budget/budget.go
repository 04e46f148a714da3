// Package budget applies the send gate's throughput arithmetic (gate.Bucket, gate.DailyQuota) to
// several budgets at once, for the stores: a send draws on its sending number's, its campaign's
// and its organization's budgets together, so it is granted only what all of them allow. The
// stores load the State of each budget inside one transaction, call Take, and write the states
// back, which is what makes the limits hold across replicas.
package budget

import (
	"time"

	"github.com/openteli/teli/internal/gate"
	"github.com/openteli/teli/internal/teli"
)

// State is one budget's stored state: a token bucket and a daily count; a budget uses either or
// both depending on its configuration.
type State struct {
	Bucket gate.Bucket
	Quota  gate.DailyQuota
}

// Take grants up to n sends at now from every budget, the fewest any allows, and returns the
// states after spending that many from each. When fewer than n are granted, next is the latest
// of the instants each limiting budget would allow another send. states[i] belongs to
// budgets[i].
func Take(budgets []teli.Budget, states []State, n int, now time.Time) (out []State, granted int, next time.Time) {
	granted = max(n, 0)
	for i, b := range budgets {
		_, g, _ := states[i].Bucket.Take(now, b.RatePerSecond, b.Burst, granted)
		granted = min(granted, g)
		_, g, _ = states[i].Quota.Take(now, time.UTC, b.DailyLimit, granted)
		granted = min(granted, g)
	}
	out = make([]State, len(states))
	for i, b := range budgets {
		var at time.Time
		out[i].Bucket, _, _ = states[i].Bucket.Take(now, b.RatePerSecond, b.Burst, granted)
		out[i].Quota, _, _ = states[i].Quota.Take(now, time.UTC, b.DailyLimit, granted)
		if granted < n {
			at = latest(out[i].Bucket.NextAt(now, b.RatePerSecond, b.Burst), out[i].Quota.NextAt(now, time.UTC, b.DailyLimit))
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
