package quiethours

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// Zone names used by several states, named once so the table below reads as data.
const (
	eastern  = "America/New_York"
	central  = "America/Chicago"
	mountain = "America/Denver"
	pacific  = "America/Los_Angeles"
)

// state is one US state, district or territory: its USPS code, its name, and every IANA zone
// officially observed somewhere in it. Listing all zones matters: when only the state is known,
// Check requires the window to be open in each of them, so a Texan in El Paso (Mountain) is not
// texted at 08:00 Central.
type state struct {
	code  string
	name  string
	zones []string
}

// states lists the 50 states, DC and the inhabited territories.
var states = []state{
	{"AL", "Alabama", []string{central}},
	{"AK", "Alaska", []string{"America/Anchorage", "America/Adak"}}, // Adak: Aleutian Islands west of 169°30'W
	{"AZ", "Arizona", []string{"America/Phoenix", mountain}},        // the Navajo Nation observes DST
	{"AR", "Arkansas", []string{central}},
	{"CA", "California", []string{pacific}},
	{"CO", "Colorado", []string{mountain}},
	{"CT", "Connecticut", []string{eastern}},
	{"DE", "Delaware", []string{eastern}},
	{"DC", "District of Columbia", []string{eastern}},
	{"FL", "Florida", []string{eastern, central}}, // the western panhandle is Central
	{"GA", "Georgia", []string{eastern}},
	{"HI", "Hawaii", []string{"Pacific/Honolulu"}},
	{"ID", "Idaho", []string{"America/Boise", pacific}}, // the northern panhandle is Pacific
	{"IL", "Illinois", []string{central}},
	{"IN", "Indiana", []string{"America/Indiana/Indianapolis", central}}, // NW and SW corners are Central
	{"IA", "Iowa", []string{central}},
	{"KS", "Kansas", []string{central, mountain}}, // four western counties are Mountain
	{"KY", "Kentucky", []string{"America/Kentucky/Louisville", central}},
	{"LA", "Louisiana", []string{central}},
	{"ME", "Maine", []string{eastern}},
	{"MD", "Maryland", []string{eastern}},
	{"MA", "Massachusetts", []string{eastern}},
	{"MI", "Michigan", []string{"America/Detroit", "America/Menominee"}}, // four Upper Peninsula counties are Central
	{"MN", "Minnesota", []string{central}},
	{"MS", "Mississippi", []string{central}},
	{"MO", "Missouri", []string{central}},
	{"MT", "Montana", []string{mountain}},
	{"NE", "Nebraska", []string{central, mountain}},
	{"NV", "Nevada", []string{pacific, mountain}}, // West Wendover is officially Mountain
	{"NH", "New Hampshire", []string{eastern}},
	{"NJ", "New Jersey", []string{eastern}},
	{"NM", "New Mexico", []string{mountain}},
	{"NY", "New York", []string{eastern}},
	{"NC", "North Carolina", []string{eastern}},
	{"ND", "North Dakota", []string{central, mountain}},
	{"OH", "Ohio", []string{eastern}},
	{"OK", "Oklahoma", []string{central}},
	{"OR", "Oregon", []string{pacific, "America/Boise"}}, // Malheur County is Mountain
	{"PA", "Pennsylvania", []string{eastern}},
	{"RI", "Rhode Island", []string{eastern}},
	{"SC", "South Carolina", []string{eastern}},
	{"SD", "South Dakota", []string{central, mountain}},
	{"TN", "Tennessee", []string{central, eastern}},
	{"TX", "Texas", []string{central, mountain}}, // El Paso and Hudspeth counties are Mountain
	{"UT", "Utah", []string{mountain}},
	{"VT", "Vermont", []string{eastern}},
	{"VA", "Virginia", []string{eastern}},
	{"WA", "Washington", []string{pacific}},
	{"WV", "West Virginia", []string{eastern}},
	{"WI", "Wisconsin", []string{central}},
	{"WY", "Wyoming", []string{mountain}},
	{"PR", "Puerto Rico", []string{"America/Puerto_Rico"}},
	{"VI", "Virgin Islands", []string{"America/St_Thomas"}},
	{"GU", "Guam", []string{"Pacific/Guam"}},
	{"MP", "Northern Mariana Islands", []string{"Pacific/Saipan"}},
	{"AS", "American Samoa", []string{"Pacific/Pago_Pago"}},
}

// stateAliases are other spellings met in contact data and in phonenumbers' geocoder output
// ("Washington State", "Washington D.C."), after normalizeName.
var stateAliases = map[string]string{
	"washington state":             "WA",
	"washington dc":                "DC",
	"us virgin islands":            "VI",
	"united states virgin islands": "VI",
}

// pacificTerritories are left out of AllUS. Guam and the Northern Marianas are a day ahead of
// the mainland: with them, the hours open everywhere would shrink from about seven to about
// three (early evening Eastern, the next morning there), and shorter state windows would leave
// none on some days. Their numbers and ZIPs are their own, so their residents rarely end up
// with an unknown zone.
var pacificTerritories = map[string]bool{"GU": true, "MP": true, "AS": true}

// AllUS is the safe default when Resolve returns ErrUnknownZone: every zone of the 50 states, DC,
// Puerto Rico and the US Virgin Islands (not the Pacific territories, see above). Checking a
// Location with these zones sends only when it is daytime from Puerto Rico to the Aleutians:
// about seven hours a day, from early afternoon to evening Eastern. Check uses its own copy for
// Locations with no zones, so changing this slice does not change Check.
var AllUS []*time.Location

// allUS is Check's copy of AllUS.
var allUS []*time.Location

var (
	byCode = map[string]*state{}           // "TX" → Texas
	byName = map[string]string{}           // "texas" → "TX"
	zoneOf = map[string][]*time.Location{} // "TX" → loaded zones, so Resolve does not reload them
)

func init() {
	seen := map[string]bool{}
	for i := range states {
		s := &states[i]
		byCode[s.code] = s
		byName[normalizeName(s.name)] = s.code
		for _, name := range s.zones {
			loc := mustLoad(name)
			zoneOf[s.code] = append(zoneOf[s.code], loc)
			if !pacificTerritories[s.code] && !seen[name] {
				seen[name] = true
				AllUS = append(AllUS, loc)
			}
		}
	}
	allUS = slices.Clone(AllUS)
	for alias, code := range stateAliases {
		byName[alias] = code
	}
}

// stateCode turns a state code or name in any case ("tx", "Texas", "Washington D.C.") into its
// two-letter code, or "" when it is not a US state, district or territory.
func stateCode(s string) string {
	n := normalizeName(s)
	if len(n) == 2 {
		if _, ok := byCode[strings.ToUpper(n)]; ok {
			return strings.ToUpper(n)
		}
		return ""
	}
	return byName[n]
}

// normalizeName lowercases, drops dots and collapses whitespace, so "Washington D.C." and
// " washington  dc " compare equal.
func normalizeName(s string) string {
	s = strings.ToLower(strings.ReplaceAll(s, ".", ""))
	return strings.Join(strings.Fields(s), " ")
}

// loaded caches successful time.LoadLocation results by name, as LoadLocation parses the zone
// data on every call. It stops growing at maxLoaded names: contact input can spell one zone in
// many ways that all load ("America//Chicago", or any case on a case-insensitive file system).
var (
	loadedMu sync.Mutex
	loaded   = map[string]*time.Location{}
)

const maxLoaded = 1024

// loadZone returns the named zone, cached.
func loadZone(name string) (*time.Location, error) {
	loadedMu.Lock()
	l, ok := loaded[name]
	loadedMu.Unlock()
	if ok {
		return l, nil
	}
	l, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	loadedMu.Lock()
	if len(loaded) < maxLoaded {
		loaded[name] = l
	}
	loadedMu.Unlock()
	return l, nil
}

// mustLoad loads a zone named in this package's own tables; with time/tzdata compiled in, a
// failure is a typo in a table, caught by any test run.
func mustLoad(name string) *time.Location {
	l, err := loadZone(name)
	if err != nil {
		panic(fmt.Sprintf("quiethours: zone %q in built-in table: %v", name, err))
	}
	return l
}
