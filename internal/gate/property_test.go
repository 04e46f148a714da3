package gate

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// randomSteps returns how far each of n calls moves the clock: mostly small steps forward,
// some idle gaps, and some steps back, as a replica with a slower clock would see.
func randomSteps(r *rand.Rand, n int) []time.Duration {
	steps := make([]time.Duration, n)
	for i := range steps {
		switch x := r.IntN(20); {
		case x == 0:
			steps[i] = -time.Duration(r.Int64N(int64(2 * time.Second))) // skew
		case x == 1:
			steps[i] = time.Duration(r.Int64N(int64(time.Hour))) // idle
		case x < 5:
			steps[i] = 0 // same instant, as in one batch
		default:
			steps[i] = time.Duration(r.Int64N(int64(200 * time.Millisecond)))
		}
	}
	return steps
}

// TestBucketNeverExceedsRate drives buckets with random rates, bursts, request sizes and clocks
// that may run backwards, and checks that over every run of consecutive calls the messages
// granted never exceed burst + rate × elapsed, elapsed measured on the latest clock reading
// seen (a reading behind it refills nothing). The bound for the whole sequence is the brief's;
// the one for every window is what keeps the carrier's per-second limit at every moment.
func TestBucketNeverExceedsRate(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for trial := range 400 {
		rate := math.Pow(10, r.Float64()*5-2) // 0.01 to 1000 per second
		burst := 1 + r.Float64()*float64(r.IntN(50))
		if r.IntN(4) == 0 {
			burst = math.Floor(burst)
		}
		steps := randomSteps(r, 150)
		var (
			b       Bucket
			now     = t0
			latest  []time.Time // running maximum of the clock, per call
			granted []int
		)
		for _, step := range steps {
			now = now.Add(step)
			n := r.IntN(int(burst) + 3)
			var g int
			var next time.Time
			b, g, next = b.Take(now, rate, burst, n)
			if g < 0 || g > max(n, 0) {
				t.Fatalf("trial %d: granted %d of %d", trial, g, n)
			}
			if g < n && !next.After(now) {
				t.Fatalf("trial %d: granted %d of %d, next %s not after now %s", trial, g, n, next, now)
			}
			m := now
			if len(latest) > 0 && latest[len(latest)-1].After(m) {
				m = latest[len(latest)-1]
			}
			latest = append(latest, m)
			granted = append(granted, g)
		}
		for i := range granted {
			sum := 0
			for j := i; j < len(granted); j++ {
				sum += granted[j]
				limit := burst + rate*latest[j].Sub(latest[i]).Seconds()
				if float64(sum) > limit+1e-6 {
					t.Fatalf("trial %d (rate %g, burst %g): calls %d..%d granted %d > %g",
						trial, rate, burst, i, j, sum, limit)
				}
			}
		}
	}
}

// TestBucketAgreesWithNextAt checks that NextAt predicts Take: now exactly when a message would
// be granted now, else the nextAt Take reports, and a Take then grants.
func TestBucketAgreesWithNextAt(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for trial := range 300 {
		rate := math.Pow(10, r.Float64()*6-3)
		burst := 1 + float64(r.IntN(10))
		b := Bucket{}
		now := t0
		for _, step := range randomSteps(r, 100) {
			now = now.Add(step)
			predicted := b.NextAt(now, rate, burst)
			_, g, next := b.Take(now, rate, burst, 1)
			switch {
			case g == 1 && !predicted.Equal(now):
				t.Fatalf("trial %d: Take granted at %s, NextAt said %s", trial, now, predicted)
			case g == 0 && !predicted.Equal(next):
				t.Fatalf("trial %d: NextAt %s, Take's nextAt %s", trial, predicted, next)
			case g == 0:
				if _, g2, _ := b.Take(next, rate, burst, 1); g2 != 1 {
					t.Fatalf("trial %d: nothing granted at the promised %s", trial, next)
				}
			}
			b, _, _ = b.Take(now, rate, burst, r.IntN(3))
		}
	}
}

// TestDailyQuotaNeverExceedsLimit walks quotas through several local days in zones with DST,
// some of them skipping or repeating midnight, and checks that no local day grants more than
// the limit and that an exhausted quota points at the instant the next local day begins.
func TestDailyQuotaNeverExceedsLimit(t *testing.T) {
	zones := []*time.Location{newYork, tokyo, time.UTC, mustLoad("America/Sao_Paulo"),
		mustLoad("America/Havana"), mustLoad("Asia/Beirut"), mustLoad("Australia/Lord_Howe")}
	starts := []time.Time{
		time.Date(2018, 11, 2, 0, 0, 0, 0, time.UTC), // São Paulo skips midnight on the 4th
		time.Date(2019, 2, 15, 0, 0, 0, 0, time.UTC), // São Paulo repeats 23:00 on the 16th
		time.Date(2024, 3, 8, 0, 0, 0, 0, time.UTC),  // Havana skips midnight on the 10th
		time.Date(2026, 3, 6, 0, 0, 0, 0, time.UTC),  // US DST on the 8th
		time.Date(2026, 10, 30, 0, 0, 0, 0, time.UTC),
	}
	r := rand.New(rand.NewPCG(5, 6))
	for trial := range 200 {
		loc := zones[r.IntN(len(zones))]
		limit := 1 + r.IntN(20)
		now := starts[r.IntN(len(starts))]
		perDay := map[string]int{}
		var q DailyQuota
		for range 400 {
			now = now.Add(time.Duration(r.Int64N(int64(40 * time.Minute))))
			n := r.IntN(4)
			var g int
			var next time.Time
			q, g, next = q.Take(now, loc, limit, n)
			day := now.In(loc).Format(dayLayout)
			if q.Day != day {
				t.Fatalf("trial %d: quota day %s at %s, local day %s", trial, q.Day, now, day)
			}
			perDay[day] += g
			if perDay[day] > limit {
				t.Fatalf("trial %d: %d granted on %s in %s, limit %d", trial, perDay[day], day, loc, limit)
			}
			if g < n {
				checkDayStart(t, now, next, loc)
			}
		}
	}
}

// checkDayStart checks that next is the first instant of the local day after now's.
func checkDayStart(t *testing.T, now, next time.Time, loc *time.Location) {
	t.Helper()
	if !next.After(now) {
		t.Fatalf("next day %s not after %s", next, now)
	}
	y, m, d := now.In(loc).Date()
	want := time.Date(y, m, d+1, 0, 0, 0, 0, time.UTC).Format(dayLayout)
	if got := next.In(loc).Format(dayLayout); got != want {
		t.Fatalf("next %s is local day %s in %s, want %s", next, got, loc, want)
	}
	if prev := next.Add(-time.Nanosecond).In(loc).Format(dayLayout); prev == want {
		t.Fatalf("next %s in %s: the day had begun already", next, loc)
	}
}
