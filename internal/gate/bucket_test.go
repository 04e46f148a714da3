package gate

import (
	"math"
	"testing"
	"time"
)

var t0 = time.Date(2026, 3, 10, 16, 0, 0, 0, time.UTC)

func TestBucketTake(t *testing.T) {
	sec := func(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }
	tests := []struct {
		name        string
		b           Bucket
		now         time.Time
		rate, burst float64
		n           int
		want        Bucket
		granted     int
		nextAt      time.Time // zero when all n were granted
	}{
		{"new bucket is full", Bucket{}, t0, 1, 5, 3, Bucket{2, t0}, 3, time.Time{}},
		{"new bucket, more than burst", Bucket{}, t0, 1, 5, 10, Bucket{0, t0}, 5, sec(1)},
		{"exact burst", Bucket{}, t0, 1, 5, 5, Bucket{0, t0}, 5, time.Time{}},
		{"half a token", Bucket{0.5, t0}, t0, 2, 5, 1, Bucket{0.5, t0}, 0, sec(0.25)},
		{"refill partly", Bucket{0, t0}, sec(2.5), 1, 5, 5, Bucket{0.5, sec(2.5)}, 2, sec(3)},
		{"refill capped at burst", Bucket{0, t0}, sec(3600), 1, 5, 10, Bucket{0, sec(3600)}, 5, sec(3601)},
		{"fast rate", Bucket{0, t0}, sec(0.01), 1000, 50, 100, Bucket{0, sec(0.01)}, 10, sec(0.011)},
		{"slow rate", Bucket{0, t0}, t0, 1.0 / 60, 1, 1, Bucket{0, t0}, 0, sec(60)},
		{"unlimited: zero rate", Bucket{0, t0}, t0, 0, 5, 1000, Bucket{0, t0}, 1000, time.Time{}},
		{"unlimited: negative rate", Bucket{}, t0, -1, 0, 7, Bucket{}, 7, time.Time{}},
		{"unlimited: NaN rate", Bucket{}, t0, math.NaN(), 0, 7, Bucket{}, 7, time.Time{}},
		{"unlimited, negative n", Bucket{}, t0, 0, 0, -2, Bucket{}, 0, time.Time{}},
		{"burst below 1 holds one", Bucket{}, t0, 2, 0.2, 3, Bucket{0, t0}, 1, sec(0.5)},
		{"NaN burst holds one", Bucket{}, t0, 1, math.NaN(), 2, Bucket{0, t0}, 1, sec(1)},
		{"fractional burst", Bucket{}, t0, 1, 2.5, 3, Bucket{0.5, t0}, 2, sec(0.5)},
		{"n zero refills only", Bucket{1, t0}, sec(1), 1, 5, 0, Bucket{2, sec(1)}, 0, time.Time{}},
		{"n negative", Bucket{1, t0}, t0, 1, 5, -4, Bucket{1, t0}, 0, time.Time{}},
		{"NaN tokens count as empty", Bucket{math.NaN(), t0}, t0, 1, 5, 1, Bucket{0, t0}, 0, sec(1)},
		{"negative tokens count as empty", Bucket{-3, t0}, sec(1), 1, 5, 1, Bucket{0, sec(1)}, 1, time.Time{}},
		{"+Inf tokens cut to burst", Bucket{math.Inf(1), t0}, t0, 1, 5, 9, Bucket{0, t0}, 5, sec(1)},
		{"burst lowered since", Bucket{50, t0}, t0, 1, 5, 9, Bucket{0, t0}, 5, sec(1)},
		{"clock behind: no refill", Bucket{1, t0}, sec(-1), 1, 5, 2, Bucket{0, t0}, 1, sec(1)},
		{"clock behind: UpdatedAt kept", Bucket{0.5, t0}, sec(-10), 1, 5, 1, Bucket{0.5, t0}, 0, sec(0.5)},
		{"infinite rate refills in 1ns", Bucket{0, t0}, t0, math.Inf(1), 3, 1, Bucket{0, t0}, 0, t0.Add(1)},
		{"infinite rate after 1ns", Bucket{0, t0}, t0.Add(1), math.Inf(1), 3, 5, Bucket{0, t0.Add(1)}, 3, t0.Add(2)},
		{"absurd rate: wait capped", Bucket{0, t0}, t0, 1e-300, 1, 1, Bucket{0, t0}, 0, t0.Add(maxWait)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, granted, next := tt.b.Take(tt.now, tt.rate, tt.burst, tt.n)
			if granted != tt.granted || !sameBucket(b, tt.want) || !next.Equal(tt.nextAt) {
				t.Errorf("Take = %+v, %d, %s; want %+v, %d, %s", b, granted, next, tt.want, tt.granted, tt.nextAt)
			}
		})
	}
}

func TestBucketNextAt(t *testing.T) {
	tests := []struct {
		name        string
		b           Bucket
		now         time.Time
		rate, burst float64
		want        time.Time
	}{
		{"new bucket", Bucket{}, t0, 1, 1, t0},
		{"token left", Bucket{1, t0}, t0, 1, 5, t0},
		{"empty", Bucket{0, t0}, t0, 4, 5, t0.Add(250 * time.Millisecond)},
		{"refilled by now", Bucket{0, t0}, t0.Add(time.Second), 1, 5, t0.Add(time.Second)},
		{"partly refilled", Bucket{0.25, t0}, t0.Add(500 * time.Millisecond), 1, 5, t0.Add(750 * time.Millisecond)},
		{"unlimited", Bucket{0, t0}, t0, 0, 0, t0},
		{"clock behind", Bucket{0, t0}, t0.Add(-time.Hour), 1, 5, t0.Add(time.Second)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := tt.b
			if got := tt.b.NextAt(tt.now, tt.rate, tt.burst); !got.Equal(tt.want) {
				t.Errorf("NextAt = %s, want %s", got, tt.want)
			}
			if !sameBucket(before, tt.b) {
				t.Errorf("NextAt changed the bucket")
			}
		})
	}
}

// TestBucketNextAtGrants checks, for rates whose reciprocals are not exact in binary, that a
// Take at the promised instant grants: the dispatcher must never wake up to another snooze.
func TestBucketNextAtGrants(t *testing.T) {
	for _, rate := range []float64{1.0 / 3, 0.1, 0.7, 3, 7, 1e-3, 1e3, 12345.678, 1e9, 1e12} {
		b := Bucket{Tokens: 0.1, UpdatedAt: t0}
		for i := range 1000 {
			now := b.UpdatedAt
			var next time.Time
			b, _, next = b.Take(now, rate, 1, 1)
			if next.IsZero() {
				continue
			}
			var granted int
			if b, granted, _ = b.Take(next, rate, 1, 1); granted != 1 {
				t.Fatalf("rate %g, step %d: Take at nextAt %s granted nothing (bucket %+v)", rate, i, next, b)
			}
		}
	}
}

func sameBucket(a, b Bucket) bool {
	return math.Abs(a.Tokens-b.Tokens) < 1e-9 && a.UpdatedAt.Equal(b.UpdatedAt)
}
