// Package phone normalises, checks and formats phone numbers. Number rules (country codes,
// possible lengths, time zones) come from github.com/nyaruka/phonenumbers, a port of Google's
// libphonenumber; this package only adds the Teli API's input conventions on top.
package phone

import (
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/nyaruka/phonenumbers"
)

// Normalize turns a phone number as a caller typed it into canonical E.164 ("+13137316433").
//
// It follows the Teli API's rule: everything but digits and a leading '+' is stripped (spaces,
// dashes, dots, slashes and parentheses); 10 digits get a "+1" prefix; 11 digits starting with 1
// get a '+'; any other number must start with '+'. Letters are not stripped but rejected, so
// text that merely contains a number is not taken for one. The result must be a possible number
// for its country (the right length), but need not be assigned: +15551234567 is accepted.
// Numbers only dialable locally (a 7-digit US number, say) are rejected.
//
// Errors are plain errors whose text quotes the input; callers wrap them.
func Normalize(s string) (string, error) {
	in := strings.TrimSpace(s)
	plus := strings.HasPrefix(in, "+")
	var digits strings.Builder
	for _, r := range in {
		switch {
		case r >= '0' && r <= '9':
			digits.WriteRune(r)
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			// Letters (vanity numbers, "ext", prose) and non-ASCII digits are refused.
			return "", fmt.Errorf("%q is not a phone number", s)
		}
	}
	d := digits.String()
	if d == "" {
		return "", fmt.Errorf("%q is not a phone number", s)
	}
	switch {
	case plus:
	case len(d) == 10:
		d = "1" + d
	case len(d) == 11 && d[0] == '1':
	default:
		return "", fmt.Errorf("%q is not a phone number: include the country code, starting with +", s)
	}
	num, err := phonenumbers.Parse("+"+d, "")
	switch {
	case errors.Is(err, phonenumbers.ErrInvalidCountryCode):
		return "", fmt.Errorf("%q is not a phone number: unknown country code", s)
	case errors.Is(err, phonenumbers.ErrTooShortNSN), errors.Is(err, phonenumbers.ErrTooShortAfterIDD):
		return "", fmt.Errorf("%q is not a phone number: too short", s)
	case errors.Is(err, phonenumbers.ErrNumTooLong):
		return "", fmt.Errorf("%q is not a phone number: too long", s)
	case err != nil:
		return "", fmt.Errorf("%q is not a phone number", s)
	}
	switch phonenumbers.IsPossibleNumberWithReason(num) {
	case phonenumbers.IS_POSSIBLE:
		return canonical(s, phonenumbers.Format(num, phonenumbers.E164))
	case phonenumbers.INVALID_COUNTRY_CODE:
		return "", fmt.Errorf("%q is not a phone number: unknown country code", s)
	case phonenumbers.TOO_SHORT, phonenumbers.IS_POSSIBLE_LOCAL_ONLY:
		return "", fmt.Errorf("%q is not a phone number: too short", s)
	case phonenumbers.TOO_LONG:
		return "", fmt.Errorf("%q is not a phone number: too long", s)
	default:
		return "", fmt.Errorf("%q is not a phone number: wrong length for its country", s)
	}
}

// canonical returns e164 only if it is a fixed point: libphonenumber drops a national prefix
// written after the country code ("+44 (0)20…" is fine), but for numbers made of such prefixes
// ("+810000000000") each pass would drop another digit, so the same contact would normalise
// differently on its second upload. Those are refused.
func canonical(input, e164 string) (string, error) {
	// E.164 allows 15 digits at most, whatever the country's metadata tolerates.
	if len(e164) > 16 {
		return "", fmt.Errorf("%q is not a phone number: too long", input)
	}
	again, err := phonenumbers.Parse(e164, "")
	if err != nil || phonenumbers.Format(again, phonenumbers.E164) != e164 {
		return "", fmt.Errorf("%q is not a phone number: wrong length for its country", input)
	}
	return e164, nil
}

// IsE164 reports whether s is already a canonical E.164 number ('+', country code, national
// number, nothing else) that Normalize would return unchanged.
//
// It parses at most once, and not at all for NANP numbers, as it runs on every send.
func IsE164(s string) bool {
	_, ok := ParseE164(s)
	return ok
}

// ParseE164 parses a canonical E.164 number (one Normalize returns unchanged), or reports
// false. NANP numbers (+1 and ten digits, the area code not starting with 0 or 1) are built
// without phonenumbers.Parse, whose extension-stripping regular expression is most of its cost.
func ParseE164(s string) (*phonenumbers.PhoneNumber, bool) {
	if len(s) < 3 || len(s) > 16 || s[0] != '+' || s[1] == '0' {
		return nil, false
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return nil, false
		}
	}
	var num *phonenumbers.PhoneNumber
	if len(s) == 12 && s[1] == '1' && s[2] >= '2' {
		var n uint64
		for i := 2; i < len(s); i++ {
			n = n*10 + uint64(s[i]-'0')
		}
		cc := int32(1)
		num = &phonenumbers.PhoneNumber{CountryCode: &cc, NationalNumber: &n}
	} else {
		var err error
		if num, err = phonenumbers.Parse(s, ""); err != nil {
			return nil, false
		}
	}
	if phonenumbers.IsPossibleNumberWithReason(num) != phonenumbers.IS_POSSIBLE ||
		phonenumbers.Format(num, phonenumbers.E164) != s {
		return nil, false
	}
	return num, true
}

// Pretty formats an E.164 number for display: "+1 313-731-6433" for NANP (country code 1)
// numbers, the international format of phonenumbers otherwise ("+44 20 7946 0958"). Input that
// does not parse is returned unchanged.
func Pretty(e164 string) string {
	num, err := parse(e164)
	if err != nil {
		return e164
	}
	if num.GetCountryCode() == 1 {
		nsn := phonenumbers.GetNationalSignificantNumber(num)
		if len(nsn) == 10 {
			return "+1 " + nsn[:3] + "-" + nsn[3:6] + "-" + nsn[6:]
		}
	}
	return phonenumbers.Format(num, phonenumbers.INTERNATIONAL)
}

// TimeZones lists the IANA time zones (e.g. "America/Detroit") that phonenumbers' geocoding data
// associates with the number's prefix. A number whose zone is unknown, or that does not parse,
// yields an empty (nil) slice. The slice is the caller's to keep.
func TimeZones(e164 string) []string {
	num, err := parse(e164)
	if err != nil {
		return nil
	}
	zones, err := phonenumbers.GetTimezonesForNumber(num)
	if err != nil {
		return nil
	}
	var out []string
	for _, z := range zones {
		if z != "" && z != phonenumbers.UNKNOWN_TIMEZONE {
			out = append(out, z)
		}
	}
	return out
}

// parse reads a number in E.164 form, normalising it first so slightly off input still works.
func parse(s string) (*phonenumbers.PhoneNumber, error) {
	if num, ok := ParseE164(s); ok {
		return num, nil
	}
	n, err := Normalize(s)
	if err != nil {
		return nil, err
	}
	return phonenumbers.Parse(n, "")
}
