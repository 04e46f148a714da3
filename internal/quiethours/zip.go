package quiethours

import (
	"sort"
	"strings"
)

// zipRange maps the 3-digit ZIP prefixes lo..hi (inclusive) to a state. USPS assigns each prefix
// (a sectional center) to a single state, so three digits name the state; the few exceptions
// are in zipExceptions. Unassigned prefixes inside a range are mapped to the surrounding state
// (no real ZIP uses them, so nothing is misplaced).
type zipRange struct {
	lo, hi int
	state  string
}

// zipRanges is sorted by lo and does not overlap (a test checks both). Military prefixes (APO/FPO:
// 090–099 AE, 340 AA, 962–966 AP) name no place, so they are absent and yield no state.
var zipRanges = []zipRange{
	{5, 5, "NY"}, // Holtsville IRS
	{6, 7, "PR"},
	{8, 8, "VI"},
	{9, 9, "PR"},
	{10, 27, "MA"},
	{28, 29, "RI"},
	{30, 38, "NH"},
	{39, 49, "ME"},
	{50, 54, "VT"},
	{55, 55, "MA"}, // Andover IRS
	{56, 59, "VT"},
	{60, 69, "CT"},
	{70, 89, "NJ"},
	{100, 149, "NY"},
	{150, 196, "PA"},
	{197, 199, "DE"},
	{200, 200, "DC"},
	{201, 201, "VA"}, // Dulles
	{202, 205, "DC"},
	{206, 219, "MD"},
	{220, 246, "VA"},
	{247, 268, "WV"},
	{270, 289, "NC"},
	{290, 299, "SC"},
	{300, 319, "GA"},
	{320, 339, "FL"},
	{341, 349, "FL"},
	{350, 369, "AL"},
	{370, 385, "TN"},
	{386, 397, "MS"},
	{398, 399, "GA"},
	{400, 427, "KY"},
	{430, 459, "OH"},
	{460, 479, "IN"},
	{480, 499, "MI"},
	{500, 528, "IA"},
	{530, 549, "WI"},
	{550, 567, "MN"},
	{569, 569, "DC"},
	{570, 577, "SD"},
	{580, 588, "ND"},
	{590, 599, "MT"},
	{600, 629, "IL"},
	{630, 658, "MO"},
	{660, 679, "KS"},
	{680, 693, "NE"},
	{700, 714, "LA"},
	{716, 729, "AR"},
	{730, 731, "OK"},
	{733, 733, "TX"}, // Austin IRS
	{734, 749, "OK"},
	{750, 799, "TX"},
	{800, 816, "CO"},
	{820, 831, "WY"},
	{832, 838, "ID"},
	{840, 847, "UT"},
	{850, 865, "AZ"},
	{870, 884, "NM"},
	{885, 885, "TX"}, // El Paso
	{889, 898, "NV"},
	{900, 961, "CA"},
	{967, 968, "HI"},
	{969, 969, "GU"},
	{970, 979, "OR"},
	{980, 994, "WA"},
	{995, 999, "AK"},
}

// zipExceptions are 5-digit ZIPs whose state differs from their prefix's: American Samoa shares
// Hawaii's 967, and 969 holds the Northern Marianas besides Guam, as well as Palau, Micronesia
// and the Marshall Islands, which are not US jurisdictions ("").
var zipExceptions = map[string]string{
	"96799": "AS",
	"96950": "MP", "96951": "MP", "96952": "MP",
	"96939": "", "96940": "", // Palau
	"96941": "", "96942": "", "96943": "", "96944": "", // Micronesia
	"96960": "", "96970": "", // Marshall Islands
}

// stateFromZIP returns the state of a US ZIP ("10001") or ZIP+4 ("10001-1234", "100011234"),
// or "" when zip is not one or names no state.
func stateFromZIP(zip string) string {
	five, ok := zip5(zip)
	if !ok {
		return ""
	}
	if st, ok := zipExceptions[five]; ok {
		return st
	}
	prefix := int(five[0]-'0')*100 + int(five[1]-'0')*10 + int(five[2]-'0')
	i := sort.Search(len(zipRanges), func(i int) bool { return zipRanges[i].hi >= prefix })
	if i < len(zipRanges) && zipRanges[i].lo <= prefix {
		return zipRanges[i].state
	}
	return ""
}

// zip5 extracts the 5-digit ZIP from a ZIP or ZIP+4, trimming surrounding spaces. Anything else
// (a Canadian postcode, a 4-digit ZIP that lost its leading zero in a spreadsheet) is refused:
// guessing would place the contact in the wrong state.
func zip5(zip string) (string, bool) {
	z := strings.TrimSpace(zip)
	switch {
	case len(z) == 5 && digits(z):
	case len(z) == 9 && digits(z):
	case len(z) == 10 && (z[5] == '-' || z[5] == ' ') && digits(z[:5]) && digits(z[6:]):
	default:
		return "", false
	}
	return z[:5], true
}

// digits reports whether s is non-empty and all ASCII digits.
func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
