package quiethours

import (
	"fmt"
	"testing"
	"time"
)

// utc parses "2006-01-02 15:04" in UTC; instants are written in UTC so each case states plainly
// what local time it is meant to be.
func utc(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.Parse("2006-01-02 15:04", s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// zonesLoc builds a Location from zone names.
func zonesLoc(state string, names ...string) Location {
	loc := Location{State: state}
	for _, n := range names {
		loc.Zones = append(loc.Zones, mustLoad(n))
	}
	return loc
}

// 2026 calendar: Fri 6, Sat 7, Sun 8 March (DST starts 02:00 local); Sat 31 October, Sun 1
// November (DST ends 02:00 local); Sat 3, Mon 5 January.
func TestCheck(t *testing.T) {
	const (
		ny  = "America/New_York"
		chi = "America/Chicago"
		den = "America/Denver"
		phx = "America/Phoenix"
		la  = "America/Los_Angeles"
		anc = "America/Anchorage"
		adk = "America/Adak"
		hnl = "Pacific/Honolulu"
	)
	tests := []struct {
		name string
		now  string // UTC
		loc  Location
		ok   bool
		next string // UTC; empty when ok
	}{
		// Spring forward. 08:00 EDT is 12:00 UTC; midnight EST + 8h would wrongly be 13:00.
		{"NY 07:59 EDT on spring-forward day", "2026-03-08 11:59", zonesLoc("", ny), false, "2026-03-08 12:00"},
		{"NY 08:00 EDT on spring-forward day", "2026-03-08 12:00", zonesLoc("", ny), true, ""},
		{"NY 01:59 EST, before the jump", "2026-03-08 06:59", zonesLoc("", ny), false, "2026-03-08 12:00"},
		{"NY 03:00 EDT, just after the jump", "2026-03-08 07:00", zonesLoc("", ny), false, "2026-03-08 12:00"},
		{"LA 07:59 PDT", "2026-03-08 14:59", zonesLoc("", la), false, "2026-03-08 15:00"},
		{"LA 08:00 PDT", "2026-03-08 15:00", zonesLoc("", la), true, ""},
		{"Honolulu 07:59, no DST", "2026-03-08 17:59", zonesLoc("", hnl), false, "2026-03-08 18:00"},
		{"Anchorage 07:30 AKDT", "2026-03-08 15:30", zonesLoc("", anc), false, "2026-03-08 16:00"},
		{"Phoenix 08:00, no DST", "2026-03-08 15:00", zonesLoc("", phx), true, ""},
		{"Phoenix and LA agree after the switch", "2026-03-08 15:00", zonesLoc("", phx, la), true, ""},
		{"Phoenix open, LA an hour behind before the switch", "2026-03-07 15:00", zonesLoc("", phx, la), false, "2026-03-07 16:00"},
		{"five zones wait for Honolulu", "2026-03-08 12:00", zonesLoc("", ny, la, hnl, anc, phx), false, "2026-03-08 18:00"},
		{"five zones all open", "2026-03-08 18:00", zonesLoc("", ny, la, hnl, anc, phx), true, ""},
		{"five zones: NY closed at 21:00 EDT", "2026-03-09 01:00", zonesLoc("", ny, la, hnl, anc, phx), false, "2026-03-09 18:00"},
		// Fall back. 08:00 EST is 13:00 UTC; midnight EDT + 8h would wrongly be 12:00.
		{"NY 07:30 EST on fall-back day", "2026-11-01 12:30", zonesLoc("", ny), false, "2026-11-01 13:00"},
		{"NY 08:00 EST on fall-back day", "2026-11-01 13:00", zonesLoc("", ny), true, ""},
		{"NY 01:30 EDT, first pass", "2026-11-01 05:30", zonesLoc("", ny), false, "2026-11-01 13:00"},
		{"NY 01:30 EST, second pass", "2026-11-01 06:30", zonesLoc("", ny), false, "2026-11-01 13:00"},
		{"NY 20:59 EST", "2026-11-02 01:59", zonesLoc("", ny), true, ""},
		{"NY 21:00 EST closes to Monday", "2026-11-02 02:00", zonesLoc("", ny), false, "2026-11-02 13:00"},
		{"LA 07:59 PST", "2026-11-01 15:59", zonesLoc("", la), false, "2026-11-01 16:00"},
		{"Anchorage 07:59 AKST", "2026-11-01 16:59", zonesLoc("", anc), false, "2026-11-01 17:00"},
		{"Honolulu 08:00", "2026-11-01 18:00", zonesLoc("", hnl), true, ""},
		// Day boundaries.
		{"NY Saturday 23:00 to Sunday 08:00 across the jump", "2026-03-08 04:00", zonesLoc("", ny), false, "2026-03-08 12:00"},
		{"NY midnight", "2026-01-05 05:00", zonesLoc("", ny), false, "2026-01-05 13:00"},
		// Texas: Sunday from noon, both its zones.
		{"TX Sunday 12:00 CDT but 11:00 MDT", "2026-03-08 17:00", zonesLoc("TX", chi, den), false, "2026-03-08 18:00"},
		{"TX Sunday 12:00 with own zone Chicago", "2026-03-08 17:00", zonesLoc("TX", chi), true, ""},
		{"TX Sunday 11:59 CDT", "2026-03-08 16:59", zonesLoc("TX", chi), false, "2026-03-08 17:00"},
		{"federal Sunday 11:59 CDT is open", "2026-03-08 16:59", zonesLoc("", chi), true, ""},
		{"TX Saturday 08:59 CST", "2026-03-07 14:59", zonesLoc("TX", chi), false, "2026-03-07 15:00"},
		{"TX Saturday 21:00 CST waits for Sunday noon", "2026-03-08 03:00", zonesLoc("TX", chi), false, "2026-03-08 17:00"},
		{"TX Monday 09:00 MDT", "2026-03-09 15:00", zonesLoc("TX", chi, den), true, ""},
		// Rhode Island: later on weekends.
		{"RI Saturday 09:30", "2026-03-07 14:30", zonesLoc("RI", ny), false, "2026-03-07 15:00"},
		{"RI Saturday 16:59", "2026-03-07 21:59", zonesLoc("RI", ny), true, ""},
		{"RI Saturday 17:00 to Sunday 10:00 EDT", "2026-03-07 22:00", zonesLoc("RI", ny), false, "2026-03-08 14:00"},
		{"RI Friday 17:59", "2026-03-06 22:59", zonesLoc("RI", ny), true, ""},
		{"RI Friday 18:00 to Saturday 10:00", "2026-03-06 23:00", zonesLoc("RI", ny), false, "2026-03-07 15:00"},
		{"RI Monday 08:59 EDT", "2026-03-09 12:59", zonesLoc("RI", ny), false, "2026-03-09 13:00"},
		// Connecticut opens at 09:00, closes at 20:00.
		{"CT Monday 08:30", "2026-03-09 12:30", zonesLoc("CT", ny), false, "2026-03-09 13:00"},
		{"federal Monday 08:30 is open", "2026-03-09 12:30", zonesLoc("", ny), true, ""},
		{"CT Monday 20:00", "2026-03-10 00:00", zonesLoc("CT", ny), false, "2026-03-10 13:00"},
		// Florida 08:00–20:00 in both its zones.
		{"FL 07:30 CDT", "2026-03-09 12:30", zonesLoc("FL", ny, chi), false, "2026-03-09 13:00"},
		{"FL 19:59 EDT", "2026-03-09 23:59", zonesLoc("FL", ny, chi), true, ""},
		{"FL 20:00 EDT", "2026-03-10 00:00", zonesLoc("FL", ny, chi), false, "2026-03-10 13:00"},
		// An Alaska number has two zones; both must be open.
		{"AK number: Anchorage 08:30, Adak 07:30", "2026-03-09 16:30", zonesLoc("AK", anc, adk), false, "2026-03-09 17:00"},
		{"AK number: both open", "2026-03-09 17:00", zonesLoc("AK", anc, adk), true, ""},
		// No zones: the safe default AllUS, Honolulu to Puerto Rico.
		{"no zones means AllUS", "2026-03-08 11:00", Location{}, false, "2026-03-08 18:00"},
		{"nil zones mean AllUS", "2026-03-08 18:30", Location{Zones: []*time.Location{nil}}, true, ""},
		{"AllUS closes with Puerto Rico", "2026-03-09 01:00", Location{}, false, "2026-03-09 18:00"},
		// Windows that do not meet on the first days: RI in London and LA agree only on weekdays.
		{"no overlap over the weekend", "2026-01-03 12:00", zonesLoc("RI", "Europe/London", la), false, "2026-01-05 17:00"},
		// Zones 8 hours apart never share an hour of a 13-hour window: wait for the last to open.
		{"never together: latest single opening", "2026-01-05 00:00", zonesLoc("", "Europe/London", "Asia/Shanghai", la), false, "2026-01-05 08:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := utc(t, tt.now)
			ok, next := Check(now, tt.loc)
			want := now
			if !tt.ok {
				want = utc(t, tt.next)
			}
			if ok != tt.ok || !next.Equal(want) {
				t.Errorf("Check(%s) = %v, %s; want %v, %s", tt.now, ok, next.UTC().Format(time.DateTime), tt.ok, want.Format(time.DateTime))
			}
		})
	}
}

// Check resolves end to end from contact fields.
func TestCheckResolved(t *testing.T) {
	sunday1130CDT := utc(t, "2026-03-08 16:30")
	loc, err := Resolve(Recipient{Zip: "75201"})
	if err != nil {
		t.Fatal(err)
	}
	if ok, next := Check(sunday1130CDT, loc); ok || !next.Equal(utc(t, "2026-03-08 18:00")) {
		t.Errorf("Dallas ZIP, Sunday 11:30 CDT: %v %s; want closed until noon MDT", ok, next)
	}
	loc, _ = Resolve(Recipient{Phone: "+12145551234"})
	if ok, next := Check(sunday1130CDT, loc); ok || !next.Equal(utc(t, "2026-03-08 17:00")) {
		t.Errorf("Dallas number, Sunday 11:30 CDT: %v %s; want closed until noon CDT", ok, next)
	}
	loc, _ = Resolve(Recipient{TimeZone: "Not/AZone", Phone: "+12125551234"})
	if ok, _ := Check(sunday1130CDT, loc); !ok {
		t.Error("New York number, Sunday 12:30 EDT: closed, want open")
	}
}

func TestCheckKeepsLocation(t *testing.T) {
	ny := mustLoad("America/New_York")
	now := time.Date(2026, 3, 9, 7, 0, 0, 0, ny)
	_, next := Check(now, zonesLoc("", "America/Chicago"))
	if next.Location() != ny || !next.Equal(time.Date(2026, 3, 9, 9, 0, 0, 0, ny)) {
		t.Errorf("next = %s, want 09:00 in New York", next)
	}
	// A monotonic reading in now must not leak into comparisons.
	if ok, next := Check(time.Now(), Location{}); ok && next.IsZero() {
		t.Error("zero next")
	}
}

func TestExpired(t *testing.T) {
	at := utc(t, "2026-03-09 13:00")
	tests := []struct {
		now      time.Time
		validity time.Duration
		want     bool
	}{
		{at, DefaultValidity, false},
		{at.Add(-time.Hour), DefaultValidity, false}, // not yet due
		{at.Add(12 * time.Hour), DefaultValidity, false},
		{at.Add(12*time.Hour + time.Nanosecond), DefaultValidity, true},
		{at.Add(time.Hour + time.Second), time.Hour, true},
		{at.Add(time.Hour), time.Hour, false},
		{at.Add(11 * time.Hour), 0, false}, // zero means the default
		{at.Add(13 * time.Hour), 0, true},
		{at.Add(13 * time.Hour), -time.Hour, true},
	}
	for _, tt := range tests {
		if got := Expired(at, tt.now, tt.validity); got != tt.want {
			t.Errorf("Expired(%s, %s, %v) = %v, want %v", at, tt.now, tt.validity, got, tt.want)
		}
	}
}

func TestReplyAllowed(t *testing.T) {
	in := utc(t, "2026-03-09 03:00")
	tests := []struct {
		last  time.Time
		now   time.Time
		grace time.Duration
		want  bool
	}{
		{in, in, DefaultReplyGrace, true},
		{in, in.Add(15 * time.Minute), DefaultReplyGrace, true},
		{in, in.Add(15*time.Minute + time.Nanosecond), DefaultReplyGrace, false},
		{in, in.Add(time.Hour), DefaultReplyGrace, false},
		{in, in.Add(-time.Minute), DefaultReplyGrace, true}, // carrier clock slightly ahead
		{in, in.Add(-time.Hour), DefaultReplyGrace, false},
		{in, in, 0, false}, // exemption off
		{in, in, -time.Minute, false},
		{time.Time{}, in, DefaultReplyGrace, false}, // the contact never wrote
		{in, in.Add(time.Hour), 2 * time.Hour, true},
	}
	for _, tt := range tests {
		if got := ReplyAllowed(tt.last, tt.now, tt.grace); got != tt.want {
			t.Errorf("ReplyAllowed(%s, %s, %v) = %v, want %v", tt.last, tt.now, tt.grace, got, tt.want)
		}
	}
}

func BenchmarkCheck(b *testing.B) {
	closed := utc(b, "2026-03-08 11:00") // Sunday 07:00 EDT: a search is needed
	for _, bc := range []struct {
		name string
		loc  Location
	}{
		{"one zone", zonesLoc("", "America/New_York")},
		{"Texas", zonesLoc("TX", "America/Chicago", "America/Denver")},
		{"AllUS", Location{}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				Check(closed, bc.loc)
			}
		})
	}
}

func BenchmarkResolve(b *testing.B) {
	for _, r := range []Recipient{{TimeZone: "America/Chicago"}, {Zip: "75201"}, {Phone: "+12145551234"}} {
		b.Run(fmt.Sprintf("%+v", r), func(b *testing.B) {
			for b.Loop() {
				_, _ = Resolve(r)
			}
		})
	}
}
