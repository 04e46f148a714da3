package quiethours

import (
	"errors"
	"testing"
	"time"
)

// FuzzCheck resolves a recipient from arbitrary contact fields, optionally adds up to two zones
// from zonePool, and verifies Check at an arbitrary instant against brute force (verifyCheck).
// Instants are folded into the years 1800–2400: far enough to reach local mean time, which has
// odd-second offsets, and the TZ footer rules that serve years past the tz tables, without the
// overflow of Unix seconds near the int64 limits.
//
//	go test ./internal/quiethours -run='^$' -fuzz=FuzzCheck -fuzztime=10s
func FuzzCheck(f *testing.F) {
	f.Add("", "", "", "+12125551234", int64(1772956800), uint32(0), uint16(0))               // 2026-03-08, NY number
	f.Add("America/Chicago", "TX", "", "", int64(1772989200), uint32(0), uint16(0))          // Sunday noon in Texas
	f.Add("", "RI", "", "", int64(1772893800), uint32(5), uint16(3))                         // Rhode Island weekend, plus a zone
	f.Add("", "", "75201", "", int64(1793512800), uint32(999999999), uint16(0x0301))         // fall-back day, Dallas ZIP
	f.Add("Mars/Olympus", "Ontario", "1000", "+18005551234", int64(0), uint32(0), uint16(0)) // nothing known: AllUS
	f.Add("MST", "", "96799", "+19075551234", int64(2240524800), uint32(0), uint16(0x2b2b))  // 2040-12-31
	f.Add("Pacific/Apia", "", "", "", int64(1325239200), uint32(0), uint16(0))               // Samoa skips 2011-12-30
	f.Fuzz(func(t *testing.T, tz, state, zip, ph string, sec int64, nsec uint32, extra uint16) {
		loc, err := Resolve(Recipient{TimeZone: tz, State: state, Zip: zip, Phone: ph})
		switch {
		case err != nil && !errors.Is(err, ErrUnknownZone):
			t.Fatalf("Resolve: unexpected error %v", err)
		case err != nil && len(loc.Zones) > 0:
			t.Fatalf("Resolve: zones %s with ErrUnknownZone", zoneNames(loc))
		case err == nil && len(loc.Zones) == 0:
			t.Fatal("Resolve: no zones and no error")
		}
		for _, z := range loc.Zones {
			if z == nil {
				t.Fatal("Resolve: nil zone")
			}
		}
		if _, ok := byCode[loc.State]; loc.State != "" && !ok {
			t.Fatalf("Resolve: state %q is not a code", loc.State)
		}
		if extra&1 != 0 {
			loc.Zones = append(loc.Zones, mustLoad(zonePool[int(extra>>1&0x7f)%len(zonePool)]))
		}
		if extra&0x100 != 0 {
			loc.Zones = append(loc.Zones, mustLoad(zonePool[int(extra>>9)%len(zonePool)]))
		}
		lo := time.Date(1800, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
		span := time.Date(2400, 1, 1, 0, 0, 0, 0, time.UTC).Unix() - lo
		off := sec % span
		if off < 0 {
			off += span
		}
		verifyCheck(t, time.Unix(lo+off, int64(nsec%1e9)), loc)
	})
}
