package contacts

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/openteli/teli/internal/teli"
)

// Canonical names of the fields that have their own place in Contact.
const (
	keyPhone     = "phone_number"
	keyFirstName = "first_name"
	keyLastName  = "last_name"
	keyEmail     = "email"
	keyCompany   = "company"
	keyUniqueID  = "unique_id"
	keyDoNotCall = "do_not_call"
)

// phoneAliases are the header names accepted for the phone column, canonical name first. The spec
// lists phone, mobile and cell; the others are common spellings in CRM exports.
var phoneAliases = []string{keyPhone, "phone", "mobile", "cell", "phonenumber", "mobile_phone", "cell_phone",
	"mobilephone", "cellphone"}

// aliases maps a canonical key (see FieldKey) to the field it stands for. The spec's CSV aliases
// are applied to JSON keys too, so both formats accept the same names.
var aliases = buildAliases()

// knownFields are lead fields the spec documents (create-single contact, lead object, documented
// custom fields) that live in Contact.Fields. They are listed for their run-together spelling
// (zipcode, timezone, addressline1): camelCase keys such as "zipCode" lower-case to that.
var knownFields = []string{
	"middle_name", "birthday", "address_line_1", "address_line_2", "city", "state", "zip_code", "country",
	"time_zone", "lead_source", "lead_status", "lead_priority", "external_id", "notes", "opportunity_value",
	"company_position", "company_industry", "company_address_line_1", "company_city", "company_state",
	"fico_score", "loan_balance", "interest_rate", "loan_monthly_payment", "debt_balance",
	"debt_monthly_payment", "debt_type", "heloc_balance", "rev_balance", "savings", "lender_name",
	"mortgage_date", "months_since_mortgage_open", "years_worked", "total_cc_debt",
}

func buildAliases() map[string]string {
	m := map[string]string{}
	add := func(target string, names ...string) {
		for _, n := range names {
			for _, k := range []string{n, strings.ReplaceAll(n, "_", "")} {
				if old, ok := m[k]; ok && old != target {
					panic("contacts: alias " + k + " stands for both " + old + " and " + target)
				}
				m[k] = target
			}
		}
	}
	add(keyPhone, phoneAliases...)
	add(keyFirstName, keyFirstName, "first")
	add(keyLastName, keyLastName, "last")
	add(keyEmail, keyEmail, "e_mail", "email_address")
	add(keyCompany, keyCompany, "company_name")
	add(keyUniqueID, keyUniqueID)
	add(keyDoNotCall, keyDoNotCall)
	add("address_line_1", "address", "street")
	add("zip_code", "zip", "postal_code")
	for _, f := range knownFields {
		add(f, f)
	}
	return m
}

// reserved names never appear as Fields keys: they are Contact's own fields or names Vars sets.
var reserved = map[string]bool{
	keyPhone: true, keyFirstName: true, keyLastName: true, keyEmail: true, keyCompany: true,
	"company_name": true, keyUniqueID: true, keyDoNotCall: true,
}

// FieldKey canonicalises a field name (a CSV header cell or a JSON key) to snake_case: trimmed,
// a byte-order mark dropped, lower-cased, and every run of characters other than letters and
// digits (spaces, dashes, dots, '#', '_', …) turned into one underscore, with none at either end.
// So "First Name", "first-name" and " FIRST_NAME " all give "first_name", and "Phone #" gives
// "phone". Letters of any script are kept, with their combining marks. camelCase is not split
// ("firstName" → "firstname"); the alias table knows the run-together spellings of the
// documented fields instead. The result is stable: FieldKey(FieldKey(s)) == FieldKey(s).
func FieldKey(name string) string {
	var b strings.Builder
	b.Grow(len(name))
	sep := false
	for _, r := range strings.ToLower(name) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) {
			if sep && b.Len() > 0 {
				b.WriteByte('_')
			}
			sep = false
			b.WriteRune(r)
			continue
		}
		sep = true
	}
	return b.String()
}

// cleanValue trims v and makes it safe to store (teli.CleanText), because PostgreSQL text
// columns refuse NUL and invalid UTF-8 and one bad byte must not fail a batch.
func cleanValue(v string) string {
	return strings.TrimSpace(teli.CleanText(v))
}

// parseDoNotCall reads a do_not_call value; absent means false.
func parseDoNotCall(v string) (bool, string) {
	switch strings.ToLower(v) {
	case "", "false", "no", "0":
		return false, ""
	case "true", "yes", "1":
		return true, ""
	}
	return false, fmt.Sprintf("do_not_call must be true or false, not %q", v)
}
