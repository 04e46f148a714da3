package quiethours

import (
	"math/rand/v2"
	"testing"
	"time"
)

// verifyCheck checks Check's answer at now against the predicate open, by brute force:
//   - ok means now is open in every zone, and nextOpen is now;
//   - otherwise nextOpen is later than now and open everywhere, and neither any whole minute
//     after now before it nor the nanosecond before it is;
//   - or, when no instant in the horizon is open everywhere (checked minute by minute), nextOpen
//     is the latest of the single zones' next openings.
//
// It returns which case applied: "open", "wait" or "fallback".
func verifyCheck(t testing.TB, now time.Time, loc Location) string {
	t.Helper()
	ok, next := Check(now, loc)
	if ok2, next2 := check(now, loc.zones(), weekFor(loc.State)); ok2 != ok || !next2.Equal(next) {
		t.Fatalf("Check and check disagree")
	}
	return verifyWeek(t, now, loc.zones(), weekFor(loc.State))
}

// verifyWeek is verifyCheck for any zones and week of windows.
func verifyWeek(t testing.TB, now time.Time, zones []*time.Location, w week) string {
	t.Helper()
	loc := zoneNames(Location{Zones: zones}) // for messages
	ok, next := check(now, zones, w)
	if ok {
		if !openIn(now, zones, w) || !next.Equal(now) {
			t.Fatalf("Check(%s, %v) = true, %s; want open and next = now", now, loc, next)
		}
		return "open"
	}
	if openIn(now, zones, w) {
		t.Fatalf("Check(%s, %v) = false, but every zone is open", now, loc)
	}
	if !next.After(now) {
		t.Fatalf("Check(%s, %v): next %s not after now", now, loc, next)
	}
	if openIn(next, zones, w) {
		if openIn(next.Add(-time.Nanosecond), zones, w) {
			t.Fatalf("Check(%s, %v) = %s, but a nanosecond earlier is open too", now, loc, next)
		}
		for m := now.Add(time.Minute); m.Before(next); m = m.Add(time.Minute) {
			if openIn(m, zones, w) {
				t.Fatalf("Check(%s, %v) = %s, but %s is open", now, loc, next, m)
			}
		}
		return "wait"
	}
	for m := now; m.Before(now.Add(horizon)); m = m.Add(time.Minute) {
		if openIn(m, zones, w) {
			t.Fatalf("Check(%s, %v) fell back to %s, but %s is open everywhere", now, loc, next, m)
		}
	}
	var latest time.Time // the latest of the zones' own next openings, among zones that open
	for _, z := range zones {
		one := []*time.Location{z}
		if _, n := check(now, one, w); openIn(n, one, w) && n.After(latest) {
			latest = n
		}
	}
	if latest.IsZero() {
		latest = now.Add(horizon) // no zone opens at all: Check's last resort
	}
	if !next.Equal(latest) {
		t.Fatalf("Check(%s, %v) fell back to %s, want latest single-zone opening %s", now, loc, next, latest)
	}
	return "fallback"
}

// zonePool mixes US zones with zones whose rules are unusual: half-hour and 45-minute offsets,
// a 30-minute DST (Lord Howe), DST switching at midnight (Havana, Asuncion, Beirut), a skipped
// day (Apia, December 2011), UTC+14 (Kiritimati) and negative DST (Dublin).
var zonePool = []string{
	"America/New_York", "America/Chicago", "America/Denver", "America/Phoenix",
	"America/Los_Angeles", "America/Anchorage", "America/Adak", "Pacific/Honolulu",
	"America/Puerto_Rico", "America/Indiana/Indianapolis", "America/Boise", "America/Menominee",
	"Pacific/Guam", "Pacific/Pago_Pago", "America/St_Johns", "Asia/Kathmandu", "Asia/Kolkata",
	"Australia/Lord_Howe", "Pacific/Chatham", "America/Havana", "America/Asuncion", "Asia/Beirut",
	"Pacific/Apia", "Pacific/Kiritimati", "Europe/Dublin", "Europe/London", "Asia/Tehran",
}

// ruleStates covers every distinct rule set.
var ruleStates = []string{"", "FL", "CT", "RI", "TX", "NY", "AK"}

// TestCheckProperty verifies Check at random instants between 1970 and 2100 for contacts
// resolved like real ones and for random sets of up to four zones.
func TestCheckProperty(t *testing.T) {
	n := 3000
	if testing.Short() {
		n = 300
	}
	rng := rand.New(rand.NewPCG(1, 2))
	lo, hi := time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC).Unix(), time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	recipients := []Recipient{
		{State: "TX"}, {State: "FL"}, {State: "RI"}, {State: "CT"}, {State: "AK"}, {State: "IN"},
		{Zip: "96813"}, {Zip: "99501"}, {Zip: "75201"}, {Phone: "+19075551234"}, {Phone: "+12145551234"},
		{TimeZone: "MST", State: "TX"}, {}, // the last: ErrUnknownZone, checked against AllUS
	}
	seen := map[string]int{}
	for i := range n {
		now := time.Unix(lo+rng.Int64N(hi-lo), rng.Int64N(int64(time.Second)))
		if i%4 == 0 {
			now = now.Truncate(time.Minute) // whole minutes hit window edges exactly
		}
		var loc Location
		if i%2 == 0 {
			loc, _ = Resolve(recipients[rng.IntN(len(recipients))])
		} else {
			names := make([]string, 1+rng.IntN(4))
			for j := range names {
				names[j] = zonePool[rng.IntN(len(zonePool))]
			}
			loc = zonesLoc(ruleStates[rng.IntN(len(ruleStates))], names...)
		}
		seen[verifyCheck(t, now, loc)]++
	}
	// Each branch of Check must have been exercised, or the test proves less than it claims.
	for _, kind := range []string{"open", "wait", "fallback"} {
		if seen[kind] < n/100 {
			t.Errorf("only %d of %d cases were %q", seen[kind], n, kind)
		}
	}
	t.Log(seen)
}

// Around every DST transition of a year in US zones, minute by minute, for each rule set.
// TestCheckArbitraryWindows runs the same verification with random windows, including ones
// that open in the small hours where DST gaps and overlaps lie, at midnight, run to midnight, or
// are closed all day: the rules table has none of these, but the search must not depend on it.
func TestCheckArbitraryWindows(t *testing.T) {
	n := 3000
	if testing.Short() {
		n = 300
	}
	rng := rand.New(rand.NewPCG(3, 4))
	lo, hi := time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC).Unix(), time.Date(2050, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	seen := map[string]int{}
	for range n {
		var w week
		for d := range w {
			switch rng.IntN(6) {
			case 0: // closed
			case 1: // small hours
				open := time.Duration(rng.IntN(4*60)) * time.Minute
				w[d] = Window{open, open + time.Duration(1+rng.IntN(6*60))*time.Minute}
			case 2: // to midnight
				w[d] = Window{time.Duration(rng.IntN(24*60)) * time.Minute, 24 * time.Hour}
			default:
				a, b := time.Duration(rng.IntN(24*60+1))*time.Minute, time.Duration(rng.IntN(24*60+1))*time.Minute
				w[d] = Window{min(a, b), max(a, b)}
			}
		}
		zones := make([]*time.Location, 1+rng.IntN(3))
		for j := range zones {
			zones[j] = mustLoad(zonePool[rng.IntN(len(zonePool))])
		}
		// Near a transition half the time, where the interesting cases are.
		now := time.Unix(lo+rng.Int64N(hi-lo), 0)
		if rng.IntN(2) == 0 {
			_, end := now.In(zones[0]).ZoneBounds()
			if !end.IsZero() {
				now = end.Add(time.Duration(rng.IntN(12*60)-6*60) * time.Minute)
			}
		}
		seen[verifyWeek(t, now, zones, w)]++
	}
	t.Log(seen)
}

// A window opening at 02:30 on the spring-forward day opens when the clock jumps to 03:00.
func TestCheckOpensAtTransition(t *testing.T) {
	ny := []*time.Location{mustLoad("America/New_York")}
	w := daily(Window{150 * time.Minute, 4 * time.Hour})
	ok, next := check(utc(t, "2026-03-08 06:00"), ny, w) // 01:00 EST
	if ok || !next.Equal(utc(t, "2026-03-08 07:00")) {
		t.Errorf("check = %v, %s; want the 03:00 EDT jump at 07:00 UTC", ok, next)
	}
	// Falling back, 01:30 comes twice; a window opening at 01:30 opens at the first.
	w = daily(Window{90 * time.Minute, 105 * time.Minute})
	if ok, next := check(utc(t, "2026-11-01 04:00"), ny, w); ok || !next.Equal(utc(t, "2026-11-01 05:30")) {
		t.Errorf("check = %v, %s; want 01:30 EDT, 05:30 UTC", ok, next)
	}
	// After the first 01:30–01:45 has passed, the repeat at 01:30 EST.
	if ok, next := check(utc(t, "2026-11-01 05:50"), ny, w); ok || !next.Equal(utc(t, "2026-11-01 06:30")) {
		t.Errorf("check = %v, %s; want 01:30 EST, 06:30 UTC", ok, next)
	}
}

func TestCheckAroundTransitions(t *testing.T) {
	for _, name := range []string{"America/New_York", "America/Adak", "Australia/Lord_Howe", "America/Havana", "Pacific/Apia"} {
		z := mustLoad(name)
		for _, year := range []int{2011, 2026} {
			for t0 := time.Date(year, 1, 1, 0, 0, 0, 0, z); t0.Year() == year; {
				_, end := t0.ZoneBounds()
				if end.IsZero() || end.Year() != year {
					break
				}
				for _, st := range ruleStates[:5] {
					for m := end.Add(-3 * time.Hour); m.Before(end.Add(3 * time.Hour)); m = m.Add(7 * time.Minute) {
						verifyCheck(t, m, zonesLoc(st, name, "America/Chicago"))
					}
				}
				t0 = end
			}
		}
	}
}

// ZoneBounds is wrong on the last UTC day of leap years served by a zone's TZ footer rule
// (golang/go#81583); Check must neither loop nor skip a transition there.
func TestCheckZoneBoundsLeapYearBug(t *testing.T) {
	for _, name := range []string{"America/New_York", "Pacific/Honolulu", "Australia/Lord_Howe", "Europe/Dublin"} {
		for m := utc(t, "2040-12-30 00:00"); m.Before(utc(t, "2041-01-02 00:00")); m = m.Add(37 * time.Minute) {
			verifyCheck(t, m, zonesLoc("", name))
			verifyCheck(t, m, zonesLoc("TX", name, "America/Chicago"))
		}
	}
}

func TestProbeChange(t *testing.T) {
	ny := mustLoad("America/New_York")
	from := utc(t, "2026-03-08 00:00").Add(1234567 * time.Nanosecond)
	_, est := from.In(ny).Zone()
	if got := probeChange(from, from.Add(24*time.Hour), ny, est); !got.Equal(utc(t, "2026-03-08 07:00")) {
		t.Errorf("probeChange found %s, want the spring-forward instant 07:00 UTC", got)
	}
	limit := from.Add(time.Hour)
	if got := probeChange(from, limit, ny, est); !got.Equal(limit) {
		t.Errorf("probeChange without a change = %s, want the limit", got)
	}
	// A transition off the whole minute: Kathmandu leaving local mean time, 1919-12-31 18:18:44 UTC.
	ktm := mustLoad("Asia/Kathmandu")
	s := time.Date(1919, 12, 31, 0, 0, 0, 0, time.UTC)
	_, off := s.In(ktm).Zone()
	want := time.Date(1919, 12, 31, 18, 18, 44, 0, time.UTC)
	if got := probeChange(s, s.Add(24*time.Hour), ktm, off); !got.Equal(want) {
		t.Errorf("probeChange(Kathmandu 1919) = %s, want %s", got, want)
	}
}
