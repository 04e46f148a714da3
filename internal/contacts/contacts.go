// Package contacts turns uploaded leads (JSON objects or a CSV file) into validated, normalised
// contact records, and reports every row it refuses together with the reason.
//
// It is pure logic: no database, no HTTP. The API layer hands it what the caller sent (the
// contacts/clients array of POST /v1/campaigns, POST /v1/campaigns/{id}/leads and
// POST /v1/contacts/lists, or the CSV file of the latter) and stores what comes back.
//
// Rules shared by both formats:
//   - Field names are canonicalised to snake_case (see [FieldKey]) and known aliases are mapped to
//     the spec's names (phone, mobile, cell → phone_number; firstname, first → first_name; …).
//   - phone_number is required and normalised to E.164 with [phone.Normalize]; an invalid number
//     rejects the row with that function's error text.
//   - Within one upload, a later row whose normalised phone (or caller unique_id) was already
//     accepted is rejected as a duplicate of the earlier row.
//   - Values are trimmed; an empty value counts as absent. A CSV cell that is not text (invalid
//     UTF-8 or a NUL character) refuses the file (see [ParseCSV]); in JSON, which the API has
//     already held to the same rule, such bytes become U+FFFD and NUL is dropped.
//   - When several columns (or keys) stand for one field, the first non-empty one fills it, a
//     column with the field's exact name before its aliases; the others are kept in Fields under
//     their own names (numbered, e.g. notes_2, when that name is taken). A column without a name
//     is kept as field_N, N being its 1-based position.
package contacts

import (
	"fmt"

	"github.com/openteli/teli/internal/phone"
)

// Contact is one accepted lead.
type Contact struct {
	// Phone is the lead's number in E.164 form ("+13137316433").
	Phone string
	// FirstName, LastName, Email and Company are the standard personal fields. Company is filled
	// from a company or company_name field. Email is not validated: an SMS product must not refuse
	// a good phone number over a typo in a field it never uses.
	FirstName, LastName, Email, Company string
	// Fields holds every other non-empty field under its snake_case name, values trimmed: the
	// standard optional ones (address_line_1, city, state, zip_code, country, time_zone,
	// lead_source, external_id, notes, …) and custom columns. They are usable as {{vars}}. Nil
	// when there are none.
	Fields map[string]string
	// UniqueID is the caller-supplied unique_id, if any.
	UniqueID string
	// DoNotCall is the lead's do_not_call flag. The parsers accept such leads; deciding not to
	// message them is the sender's job.
	DoNotCall bool
	// Row is the 1-based input row the contact came from, as Rejected.Row counts rows.
	Row int
}

// Rejected is one input row that was not turned into a Contact.
type Rejected struct {
	// Row is the 1-based data row: for CSV, counting neither the header nor blank lines; for
	// JSON, the array index + 1.
	Row int
	// Phone is the row's phone value as given (trimmed), or "" when it had none.
	Phone string
	// Reason says in plain text why the row was refused, e.g. "phone_number is missing" or
	// "duplicate of row 3".
	Reason string
}

// Result is the outcome of parsing one upload. Every input row ends up in exactly one of the two
// lists, each in input order.
type Result struct {
	Contacts []Contact
	Rejected []Rejected
}

// Vars returns the template variables of the contact: first_name, last_name, email, company,
// company_name (both the Company value; the spec's templates use {{company}} and the lead field is
// company_name) and phone_number, always present even when empty so a template renders them as
// blank, plus every entry of Fields. The standard names win over a Fields entry of the same name,
// which the parsers never produce but a hand-built Contact might. The map is the caller's to keep.
func (c Contact) Vars() map[string]string {
	vars := make(map[string]string, len(c.Fields)+6)
	for k, v := range c.Fields {
		vars[k] = v
	}
	vars["first_name"] = c.FirstName
	vars["last_name"] = c.LastName
	vars["email"] = c.Email
	vars["company"] = c.Company
	vars["company_name"] = c.Company
	vars["phone_number"] = c.Phone
	return vars
}

// collector accumulates a Result and enforces the per-upload uniqueness rules.
type collector struct {
	res      Result
	byPhone  map[string]int // normalised phone → row that claimed it
	byUnique map[string]int // unique_id → row that claimed it
}

func newCollector() *collector {
	return &collector{byPhone: map[string]int{}, byUnique: map[string]int{}}
}

// reject records a refused row.
func (col *collector) reject(row int, rawPhone, reason string) {
	col.res.Rejected = append(col.res.Rejected, Rejected{Row: row, Phone: rawPhone, Reason: reason})
}

// add accepts c as row unless an earlier accepted row already holds its phone or unique_id. Only
// accepted rows claim a phone, so "duplicate of row N" always names a row that was imported.
func (col *collector) add(row int, rawPhone string, c Contact) {
	if first, ok := col.byPhone[c.Phone]; ok {
		col.reject(row, rawPhone, fmt.Sprintf("duplicate of row %d", first))
		return
	}
	if c.UniqueID != "" {
		if first, ok := col.byUnique[c.UniqueID]; ok {
			col.reject(row, rawPhone, fmt.Sprintf("unique_id %q is already used by row %d", c.UniqueID, first))
			return
		}
		col.byUnique[c.UniqueID] = row
	}
	col.byPhone[c.Phone] = row
	c.Row = row
	col.res.Contacts = append(col.res.Contacts, c)
}

// normalizePhone validates the chosen phone text, returning the E.164 form or a reason.
func normalizePhone(raw string) (string, string) {
	if raw == "" {
		return "", "phone_number is missing"
	}
	e164, err := phone.Normalize(raw)
	if err != nil {
		return "", err.Error()
	}
	return e164, ""
}
