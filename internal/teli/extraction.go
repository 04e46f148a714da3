package teli

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

var (
	extractionNameRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{0,63}$`)
	extractionTypes  = []string{FieldString, FieldBoolean, FieldNumber}
)

// ParseExtractionFields validates and normalises the JSON value of extraction_fields.
//
// JSON null (or no value) yields nil, nil; an empty array an empty, non-nil slice. Items are a
// string (a bare field name: Bare is set and Type is "string") or an object {name, description,
// type}; both may be mixed. Names are trimmed, must start with a letter and hold only letters,
// digits and '_' (at most 64 characters), and must be unique ignoring case. Descriptions are
// trimmed; type defaults to "string" and is matched case-insensitively.
func ParseExtractionFields(raw json.RawMessage) ([]ExtractionField, error) {
	if isNull(raw) {
		return nil, nil
	}
	items, ok := asArray(raw)
	if !ok {
		return nil, Invalid("extraction_fields must be an array")
	}
	if len(items) > MaxExtractionFields {
		return nil, Invalid("extraction_fields may have at most %d fields", MaxExtractionFields)
	}
	fields := make([]ExtractionField, 0, len(items))
	seen := map[string]int{}
	for i, item := range items {
		path := fmt.Sprintf("extraction_fields[%d]", i)
		var f ExtractionField
		switch jsonKind(item) {
		case "string":
			name, _ := asString(item)
			f = ExtractionField{Name: strings.TrimSpace(name), Type: FieldString, Bare: true}
			if f.Name == "" {
				return nil, Invalid("%s must not be empty", path)
			}
		case "object":
			o, _ := asObject(item)
			name, _, err := o.str(path, "name")
			if err != nil {
				return nil, err
			}
			f.Name = strings.TrimSpace(name)
			if f.Name == "" {
				return nil, Invalid("%s.name is required", path)
			}
			desc, _, err := o.str(path, "description")
			if err != nil {
				return nil, err
			}
			f.Description = strings.TrimSpace(desc)
			typ, _, err := o.str(path, "type")
			if err != nil {
				return nil, err
			}
			typ = strings.ToLower(strings.TrimSpace(typ))
			switch {
			case typ == "":
				f.Type = FieldString
			case slices.Contains(extractionTypes, typ):
				f.Type = typ
			default:
				return nil, Invalid("%s.type must be one of %s", path, oneOf(extractionTypes))
			}
			path += ".name"
		default:
			return nil, Invalid("%s must be a field name or an object with a name", path)
		}
		if !extractionNameRE.MatchString(f.Name) {
			return nil, Invalid("%s '%s' must start with a letter and contain only letters, digits and _ (at most 64 characters)", path, f.Name)
		}
		key := strings.ToLower(f.Name)
		if j, dup := seen[key]; dup {
			return nil, Invalid("%s '%s' duplicates extraction_fields[%d]", path, f.Name, j)
		}
		seen[key] = i
		fields = append(fields, f)
	}
	return fields, nil
}

// ExtractionFieldsForJSON renders fields in the form they were given, for responses: a bare field
// becomes its name (a string), any other an object with "name", "type" and, when set,
// "description" (map[string]any). The result is never nil, so it encodes as [] when empty.
func ExtractionFieldsForJSON(fields []ExtractionField) []any {
	out := make([]any, 0, len(fields))
	for _, f := range fields {
		if f.Bare {
			out = append(out, f.Name)
			continue
		}
		typ := f.Type
		if typ == "" {
			typ = FieldString
		}
		m := map[string]any{"name": f.Name, "type": typ}
		if f.Description != "" {
			m["description"] = f.Description
		}
		out = append(out, m)
	}
	return out
}

// smartDescriptions are the spec's defaults (1.11.0) for common field names, keyed lower-case.
var smartDescriptions = map[string]string{
	"credit_score":     "The lead's credit score as a number only (e.g. 750), without any surrounding words",
	"interest_rate":    "The interest rate as a percentage (e.g. 6.5% or 5.25); keep the % sign if it was spoken",
	"loan_balance":     "The loan balance as an amount (e.g. 250000 or $250k)",
	"scheduled_time":   "The date and time mentioned for the appointment or callback (e.g. \"tomorrow at 3pm\")",
	"appointment_date": "The date and time mentioned for the appointment or callback (e.g. \"tomorrow at 3pm\")",
	"phone_number":     "The lead's phone number, formatted as XXX-XXX-XXXX",
	"email":            "The lead's email address, exactly as provided",
}

// EffectiveDescription is the text the extractor is given for the field: the caller's
// description if any, else the spec's smart default for a common name (credit_score,
// interest_rate, loan_balance, scheduled_time, appointment_date, phone_number, email; matched
// ignoring case), else one generated from the name, such as "The lead's timeline, as stated in
// the conversation".
func (f ExtractionField) EffectiveDescription() string {
	if d := strings.TrimSpace(f.Description); d != "" {
		return d
	}
	if d, ok := smartDescriptions[strings.ToLower(f.Name)]; ok {
		return d
	}
	return "The lead's " + strings.ReplaceAll(f.Name, "_", " ") + ", as stated in the conversation"
}
