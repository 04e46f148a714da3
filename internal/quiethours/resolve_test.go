package quiethours

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// zoneNames lists a location's zone names, sorted, for comparison.
func zoneNames(loc Location) string {
	var names []string
	for _, z := range loc.Zones {
		names = append(names, z.String())
	}
	slices.Sort(names)
	return strings.Join(names, " ")
}

func TestResolve(t *testing.T) {
	const (
		ny  = "America/New_York"
		chi = "America/Chicago"
		den = "America/Denver"
		tx  = "America/Chicago America/Denver"
	)
	tests := []struct {
		name  string
		r     Recipient
		zones string
		state string
	}{
		// The contact's own zone wins.
		{"own zone", Recipient{TimeZone: "America/Chicago"}, chi, ""},
		{"own zone trimmed", Recipient{TimeZone: " America/Denver "}, den, ""},
		{"own zone with state", Recipient{TimeZone: "America/Chicago", State: "tx"}, chi, "TX"},
		{"own zone with zip", Recipient{TimeZone: "America/New_York", Zip: "02903"}, ny, "RI"},
		{"own zone, state from phone", Recipient{TimeZone: "America/Phoenix", Phone: "+12145551234"}, "America/Phoenix", "TX"},
		{"own zone outside US", Recipient{TimeZone: "Europe/Paris"}, "Europe/Paris", ""},
		{"link name", Recipient{TimeZone: "US/Eastern"}, "US/Eastern", ""},
		// Abbreviations CRMs store.
		{"EST", Recipient{TimeZone: "EST"}, ny, ""},
		{"pst lower case", Recipient{TimeZone: "pst"}, "America/Los_Angeles", ""},
		{"MST is ambiguous", Recipient{TimeZone: "MST"}, "America/Denver America/Phoenix", ""},
		{"HST", Recipient{TimeZone: "HST"}, "Pacific/Honolulu", ""},
		// Invalid or placeless zones fall back to the other fields.
		{"invalid zone", Recipient{TimeZone: "Mars/Olympus", State: "Texas"}, tx, "TX"},
		{"UTC is no place", Recipient{TimeZone: "UTC", State: "NY"}, ny, "NY"},
		{"Etc zone is no place", Recipient{TimeZone: "Etc/GMT+5", Zip: "10001"}, ny, "NY"},
		{"Local is no place", Recipient{TimeZone: "Local", Phone: "+12125551234"}, ny, "NY"},
		{"path is no zone", Recipient{TimeZone: "../etc/passwd", State: "CT"}, ny, "CT"},
		// State, any spelling.
		{"state code", Recipient{State: "FL"}, "America/Chicago America/New_York", "FL"},
		{"state name", Recipient{State: "rhode island"}, ny, "RI"},
		{"DC with dots", Recipient{State: " Washington D.C. "}, ny, "DC"},
		{"territory", Recipient{State: "Puerto Rico"}, "America/Puerto_Rico", "PR"},
		{"state beats zip", Recipient{State: "TX", Zip: "10001"}, tx, "TX"},
		{"state beats phone", Recipient{State: "CA", Phone: "+12125551234"}, "America/Los_Angeles", "CA"},
		{"non-US state falls to zip", Recipient{State: "Ontario", Zip: "10001"}, ny, "NY"},
		{"bad code falls to phone", Recipient{State: "XX", Phone: "+14015551234"}, ny, "RI"},
		// ZIP.
		{"zip NY", Recipient{Zip: "10001"}, ny, "NY"},
		{"zip FL", Recipient{Zip: "33101"}, "America/Chicago America/New_York", "FL"},
		{"zip TX", Recipient{Zip: "75201"}, tx, "TX"},
		{"zip HI", Recipient{Zip: "96813"}, "Pacific/Honolulu", "HI"},
		{"zip AK", Recipient{Zip: "99501"}, "America/Adak America/Anchorage", "AK"},
		{"zip+4", Recipient{Zip: "10001-1234"}, ny, "NY"},
		{"bad zip falls to phone", Recipient{Zip: "1000", Phone: "+13055551234"}, ny, "FL"},
		{"military zip falls to phone", Recipient{Zip: "09001", Phone: "+12035551234"}, ny, "CT"},
		// Phone number only: zones from the prefix, state from the geocoder.
		{"phone NY", Recipient{Phone: "+12125551234"}, ny, "NY"},
		{"phone national format", Recipient{Phone: "(214) 555-1234"}, chi, "TX"},
		{"phone El Paso", Recipient{Phone: "+19155551234"}, den, "TX"},
		{"phone Alaska: two zones", Recipient{Phone: "+19075551234"}, "America/Adak America/Anchorage", "AK"},
		{"phone Hawaii", Recipient{Phone: "+18085551234"}, "Pacific/Honolulu", "HI"},
		{"phone Arizona", Recipient{Phone: "+16025551234"}, "America/Phoenix", "AZ"},
		{"phone Washington State", Recipient{Phone: "+12065551234"}, "America/Los_Angeles", "WA"},
		{"phone DC", Recipient{Phone: "+12025551234"}, ny, "DC"},
		{"phone Puerto Rico", Recipient{Phone: "+17875551234"}, "America/Puerto_Rico", "PR"},
		{"phone Guam", Recipient{Phone: "+16715551234"}, "Pacific/Guam", "GU"},
		{"phone Canada: federal rules", Recipient{Phone: "+14165551234"}, "America/Toronto", ""},
		{"phone UK", Recipient{Phone: "+447911123456"}, "Europe/Guernsey Europe/Isle_of_Man Europe/London", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			loc, err := Resolve(tt.r)
			if err != nil {
				t.Fatalf("Resolve(%+v): %v", tt.r, err)
			}
			if got := zoneNames(loc); got != tt.zones || loc.State != tt.state {
				t.Errorf("Resolve(%+v) = {%s; %q}, want {%s; %q}", tt.r, got, loc.State, tt.zones, tt.state)
			}
		})
	}
}

func TestResolveUnknown(t *testing.T) {
	for _, r := range []Recipient{
		{},
		{TimeZone: "Nowhere/Special", State: "Ontario", Zip: "K1A 0B1", Phone: "not a number"},
		{TimeZone: "UTC"},
		{Zip: "96201"},              // APO
		{Phone: "+18005551234"},     // toll-free: all NANP zones, no place
		{Phone: "+15005551234"},     // personal communications service
		{Phone: "+1555"},            // too short
		{State: "AE", Zip: "00100"}, // military "state", unassigned prefix
		{TimeZone: "", Phone: "   "},
	} {
		loc, err := Resolve(r)
		if !errors.Is(err, ErrUnknownZone) {
			t.Errorf("Resolve(%+v) error = %v, want ErrUnknownZone", r, err)
		}
		if len(loc.Zones) != 0 {
			t.Errorf("Resolve(%+v) zones = %s with an error; want none, so Check uses AllUS", r, zoneNames(loc))
		}
	}
}

// Every multi-zone state lists all its zones, whichever field named the state.
func TestMultiZoneStates(t *testing.T) {
	want := map[string]string{
		"TX": "America/Chicago America/Denver",
		"FL": "America/Chicago America/New_York",
		"IN": "America/Chicago America/Indiana/Indianapolis",
		"KY": "America/Chicago America/Kentucky/Louisville",
		"TN": "America/Chicago America/New_York",
		"MI": "America/Detroit America/Menominee",
		"ND": "America/Chicago America/Denver",
		"SD": "America/Chicago America/Denver",
		"NE": "America/Chicago America/Denver",
		"KS": "America/Chicago America/Denver",
		"ID": "America/Boise America/Los_Angeles",
		"OR": "America/Boise America/Los_Angeles",
		"AK": "America/Adak America/Anchorage",
		"AZ": "America/Denver America/Phoenix",
		"NV": "America/Denver America/Los_Angeles",
	}
	for code, zones := range want {
		loc, err := Resolve(Recipient{State: strings.ToLower(code)})
		if err != nil || zoneNames(loc) != zones || loc.State != code {
			t.Errorf("Resolve(State %s) = {%s; %q}, %v; want {%s; %s}", code, zoneNames(loc), loc.State, err, zones, code)
		}
	}
}

// The zones Resolve returns are the caller's; changing them must not corrupt the table.
func TestResolveReturnsCopy(t *testing.T) {
	loc, _ := Resolve(Recipient{State: "TX"})
	loc.Zones[0] = nil
	again, _ := Resolve(Recipient{State: "TX"})
	if again.Zones[0] == nil {
		t.Fatal("Resolve shares its table with callers")
	}
}

func TestStateTable(t *testing.T) {
	names := map[string]bool{}
	if len(byCode) != len(states) {
		t.Errorf("duplicate state codes: %d codes for %d states", len(byCode), len(states))
	}
	for _, s := range states {
		if len(s.code) != 2 || strings.ToUpper(s.code) != s.code {
			t.Errorf("state code %q", s.code)
		}
		if names[s.name] {
			t.Errorf("duplicate state name %q", s.name)
		}
		names[s.name] = true
		if stateCode(s.name) != s.code || stateCode(strings.ToLower(s.code)) != s.code {
			t.Errorf("%s does not resolve to itself", s.code)
		}
		if len(s.zones) == 0 {
			t.Errorf("%s has no zones", s.code)
		}
	}
	if len(states) != 50+1+5 {
		t.Errorf("%d states, want 50 states, DC and 5 territories", len(states))
	}
}

func TestAllUS(t *testing.T) {
	var names []string
	for _, z := range AllUS {
		names = append(names, z.String())
	}
	for _, must := range []string{"America/New_York", "America/Chicago", "America/Denver", "America/Phoenix",
		"America/Los_Angeles", "America/Anchorage", "America/Adak", "Pacific/Honolulu", "America/Puerto_Rico"} {
		if !slices.Contains(names, must) {
			t.Errorf("AllUS lacks %s", must)
		}
	}
	for _, not := range []string{"Pacific/Guam", "Pacific/Saipan", "Pacific/Pago_Pago"} {
		if slices.Contains(names, not) {
			t.Errorf("AllUS has %s", not)
		}
	}
	if len(names) != len(slices.Compact(slices.Sorted(slices.Values(names)))) {
		t.Errorf("AllUS has duplicates: %v", names)
	}
}

// Resolve and Check are called from many workers at once; run with -race.
func TestConcurrentUse(t *testing.T) {
	base := utc(t, "2026-03-08 16:30")
	done := make(chan bool)
	for i := range 8 {
		go func() {
			defer func() { done <- true }()
			for j := range 50 {
				r := Recipient{TimeZone: []string{"America/Boise", "", "EST"}[j%3], Zip: "75201", Phone: "+19075551234"}
				if i%2 == 0 {
					r = Recipient{Phone: "+12145551234"}
				}
				loc, _ := Resolve(r)
				Check(base.Add(time.Duration(j)*time.Hour), loc)
			}
		}()
	}
	for range 8 {
		<-done
	}
}
