package quiethours

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nyaruka/phonenumbers"

	"github.com/openteli/teli/internal/phone"
)

// ErrUnknownZone is returned by Resolve when nothing known about a recipient places them in a
// time zone. The caller decides what to do; the safe default is to check against every US zone,
// AllUS. The Location returned with this error has no zones, which Check treats as AllUS, so
// passing it on unchanged is that safe default.
var ErrUnknownZone = errors.New("quiethours: recipient's time zone is unknown")

// Recipient is what a contact record says about where the recipient is. Any field may be empty.
type Recipient struct {
	// TimeZone is an IANA zone name ("America/Chicago") or a US abbreviation ("EST", "PT").
	TimeZone string
	// State is a US two-letter code or full name, in any case ("tx", "Texas").
	State string
	// Zip is a US ZIP ("75201") or ZIP+4 ("75201-1234").
	Zip string
	// Phone is the recipient's number, preferably E.164.
	Phone string
}

// Location is where a recipient may be: every candidate time zone, all of which must be inside
// the delivery window, and the state whose rules apply ("" for the federal baseline only).
type Location struct {
	// Zones are the candidate zones; Check treats none as AllUS.
	Zones []*time.Location
	// State is the two-letter code whose rules apply, or "" for the federal baseline.
	State string
}

// Resolve works out a recipient's Location from a contact record, most precise source first:
//
//   - Zones: the contact's own TimeZone when it names a real place; else every zone of the
//     State; else of the state the ZIP lies in; else the zones phonenumbers gives for the phone
//     number's prefix (for NANP: the area code, several zones when it spans them).
//   - State: the given State when it is a US state, district or territory; else the ZIP's state;
//     else, for a US number, the state phonenumbers' geocoder gives for the area code (it is
//     loaded on first use: ~75 ms and ~14 MB, once per process). The state chosen never relaxes
//     a rule, as every state window lies within the federal one; an unknown state means federal.
//
// Unrecognised values are skipped, not errors: an invalid TimeZone falls back to the other
// fields, and so do a non-US State and a malformed ZIP. TimeZone values that name no place
// ("UTC", "Etc/GMT+5", "Local") are skipped too: such values are defaults of the system that
// exported the contact, and trusting them is how messages end up sent at night. A toll-free or
// otherwise non-geographic number places no one, whatever zones phonenumbers lists for it.
//
// The only error is ErrUnknownZone, when no field yields a zone.
func Resolve(r Recipient) (Location, error) {
	st := stateCode(r.State)
	if st == "" {
		st = stateFromZIP(r.Zip)
	}
	if zones := contactZones(r.TimeZone); zones != nil {
		if st == "" {
			st = phoneState(parsePhone(r.Phone))
		}
		return Location{Zones: zones, State: st}, nil
	}
	if st != "" {
		return Location{Zones: slices.Clone(zoneOf[st]), State: st}, nil
	}
	num := parsePhone(r.Phone)
	zones := phoneZones(num)
	st = phoneState(num)
	if zones == nil {
		return Location{State: st}, ErrUnknownZone
	}
	return Location{Zones: zones, State: st}, nil
}

// tzAliases maps the abbreviations CRMs store instead of zone names to the zones people using
// them mean. Go would load "EST" and "MST" as fixed offsets without DST, an hour off all summer,
// so they are caught here first. "MST" also means Arizona, which keeps standard time all year.
var tzAliases = map[string][]string{
	"ET": {eastern}, "EST": {eastern}, "EDT": {eastern},
	"CT": {central}, "CST": {central}, "CDT": {central},
	"MT": {mountain}, "MST": {mountain, "America/Phoenix"}, "MDT": {mountain},
	"PT": {pacific}, "PST": {pacific}, "PDT": {pacific},
	"AKT": {"America/Anchorage"}, "AKST": {"America/Anchorage"}, "AKDT": {"America/Anchorage"},
	"HT": {"Pacific/Honolulu"}, "HST": {"Pacific/Honolulu"},
}

// placeless are zone names that Go loads but that say nothing about where someone is.
var placeless = map[string]bool{
	"Local": true, "UTC": true, "UCT": true, "GMT": true, "GMT0": true, "GMT+0": true,
	"GMT-0": true, "Greenwich": true, "Universal": true, "Zulu": true,
}

// contactZones loads a contact's own time zone, or returns nil when it is empty, invalid or
// names no place.
func contactZones(tz string) []*time.Location {
	name := strings.TrimSpace(tz)
	if name == "" {
		return nil
	}
	if names, ok := tzAliases[strings.ToUpper(name)]; ok {
		zones := make([]*time.Location, len(names))
		for i, n := range names {
			zones[i] = mustLoad(n)
		}
		return zones
	}
	if placeless[name] || strings.HasPrefix(name, "Etc/") {
		return nil
	}
	l, err := loadZone(name)
	if err != nil {
		return nil
	}
	return []*time.Location{l}
}

// phoneZones returns the zones phonenumbers associates with a number's prefix, or nil when the
// number does not parse, has no known zone, or is non-geographic. phonenumbers answers a
// non-geographic number (toll-free, 5XX personal) with its whole country's zones, for NANP
// everything from Guam to Newfoundland: that is no location, and Check would find two or three
// hours a day open in all of them. AllUS is the better guess.
func phoneZones(num *phonenumbers.PhoneNumber) []*time.Location {
	if num == nil {
		return nil
	}
	names := phone.TimeZones(phonenumbers.Format(num, phonenumbers.E164))
	if len(names) == 0 {
		return nil
	}
	country, err := phonenumbers.GetTimezonesForPrefix(strconv.Itoa(int(num.GetCountryCode())))
	if err == nil && len(country) > 1 && slices.Equal(country, names) {
		return nil
	}
	zones := make([]*time.Location, 0, len(names))
	for _, n := range names {
		l, err := loadZone(n)
		if err != nil {
			// Dropping one candidate zone would loosen Check; better to know nothing.
			return nil
		}
		zones = append(zones, l)
	}
	return zones
}

// usRegions are the NANP regions whose numbers can carry a US state's rules.
var usRegions = map[string]bool{"US": true, "PR": true, "VI": true, "GU": true, "MP": true, "AS": true}

// phoneState returns the US state or territory a number's prefix was assigned in, or "" when
// unknown. This is a guess (numbers move with their owners) but it can only make the rules
// stricter, and most outreach contacts have nothing but a number.
func phoneState(num *phonenumbers.PhoneNumber) string {
	if num == nil {
		return ""
	}
	region := phonenumbers.GetRegionCodeForNumber(num)
	switch {
	case region == "US":
		desc, err := phonenumbers.GetGeocodingForNumber(num, "en")
		if err != nil {
			return ""
		}
		return stateFromGeocoding(desc)
	case usRegions[region]:
		return region // a territory is its own region; its codes are the USPS ones
	}
	return ""
}

// stateFromGeocoding reads the geocoder's English descriptions of US prefixes, which are either
// a state name ("Texas", "Washington State") or a place and a code ("New York, NY").
func stateFromGeocoding(desc string) string {
	if st := byName[normalizeName(desc)]; st != "" {
		return st
	}
	if i := strings.LastIndex(desc, ", "); i >= 0 && len(desc)-i == 4 {
		return stateCode(desc[i+2:])
	}
	return ""
}

// parsePhone parses a number in any form phone.Normalize accepts, or returns nil.
func parsePhone(p string) *phonenumbers.PhoneNumber {
	if strings.TrimSpace(p) == "" {
		return nil
	}
	if num, ok := phone.ParseE164(p); ok {
		return num
	}
	n, err := phone.Normalize(p)
	if err != nil {
		return nil
	}
	num, err := phonenumbers.Parse(n, "")
	if err != nil {
		return nil
	}
	return num
}
