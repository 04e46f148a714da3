package gate

import (
	"math"
	"time"
)

// Bucket is a token bucket: the throughput budget of one sending number, campaign or organization
// (spec/compliance.md §4). The dispatcher stores it in the database and updates it in the
// transaction that claims messages, so every replica draws from the same budget; that is why it
// is a plain value holding no configuration: the rate and burst come from the organization's
// settings on every call, and a changed setting applies at once.
//
// One token is one message. Tokens refill continuously at the rate, up to the burst. The zero
// Bucket has never been used and is full.
type Bucket struct {
	// Tokens is the budget left at UpdatedAt, fractional between whole messages.
	Tokens float64
	// UpdatedAt is the instant Tokens was computed for; zero for a bucket never used.
	UpdatedAt time.Time
}

// maxWait bounds the wait Take and NextAt report, so an absurdly small rate cannot overflow a
// time.Duration; a hundred years is "never" for a queued message.
const maxWait = 100 * 365 * 24 * time.Hour

// Take grants up to n whole messages at now, with tokens refilling at ratePerSecond up to burst.
// It returns the updated bucket (to be stored), how many messages were granted, and, when fewer
// than n were, the instant the next token will be available if nobody else takes it (zero
// otherwise). Over any sequence of calls, the total granted never exceeds burst plus
// ratePerSecond times the time elapsed between the first call and the latest.
//
// A ratePerSecond ≤ 0 (or NaN) means unlimited: all n are granted and the bucket is returned
// unchanged. A burst below 1 (or NaN) counts as 1, since a bucket that cannot hold one message
// would never send. An n ≤ 0 grants nothing and only refills the bucket.
//
// Replicas' clocks differ a little: a now earlier than UpdatedAt refills nothing and leaves
// UpdatedAt where it was, so no interval is ever credited twice.
func (b Bucket) Take(now time.Time, ratePerSecond, burst float64, n int) (Bucket, int, time.Time) {
	if unlimited(ratePerSecond) {
		return b, max(n, 0), time.Time{}
	}
	b = b.refill(now, ratePerSecond, burst)
	granted := 0
	if n > 0 && b.Tokens >= 1 {
		granted = int(min(float64(n), math.Floor(b.Tokens)))
		b.Tokens -= float64(granted)
	}
	if granted >= n {
		return b, granted, time.Time{}
	}
	return b, granted, b.nextToken(ratePerSecond)
}

// NextAt returns the earliest instant at which Take would grant one message: now if it would
// grant one now. It changes nothing; use it to fill Facts.NextSendAt before deciding, and Take
// once the decision is Send, so a message the gate refuses never spends budget.
func (b Bucket) NextAt(now time.Time, ratePerSecond, burst float64) time.Time {
	if unlimited(ratePerSecond) {
		return now
	}
	b = b.refill(now, ratePerSecond, burst)
	if b.Tokens >= 1 {
		return now
	}
	return b.nextToken(ratePerSecond)
}

// unlimited reports whether rate configures no limit. NaN counts as unset, like zero.
func unlimited(rate float64) bool { return !(rate > 0) }

// refill returns b as of now: tokens added for the time elapsed since UpdatedAt, capped at the
// burst. Stored values that cannot be right (NaN, negative) count as an empty bucket, and a
// stored value above a burst lowered since is cut down to it.
func (b Bucket) refill(now time.Time, rate, burst float64) Bucket {
	if !(burst >= 1) {
		burst = 1
	}
	if b.UpdatedAt.IsZero() {
		return Bucket{Tokens: burst, UpdatedAt: now}
	}
	tokens := b.Tokens
	if !(tokens >= 0) {
		tokens = 0
	}
	if now.After(b.UpdatedAt) {
		tokens += rate * now.Sub(b.UpdatedAt).Seconds()
		b.UpdatedAt = now
	}
	b.Tokens = min(tokens, burst)
	return b
}

// nextToken returns when a bucket holding less than one token, as of UpdatedAt, will hold one.
// The wait is rounded up to the nanosecond and then checked with the very arithmetic refill
// uses, so that a Take at the returned instant does grant: float rounding could otherwise leave
// the bucket a hair short and the dispatcher snoozing in a loop.
func (b Bucket) nextToken(rate float64) time.Time {
	need := 1 - b.Tokens
	var d time.Duration
	if ns := need / rate * 1e9; ns >= float64(maxWait) {
		d = maxWait
	} else {
		d = max(time.Duration(math.Ceil(ns)), 1) // at least 1ns: no time elapsed refills nothing
	}
	for step := time.Duration(1); d < maxWait && b.Tokens+rate*d.Seconds() < 1; step *= 2 {
		d += step
	}
	return b.UpdatedAt.Add(min(d, maxWait))
}
