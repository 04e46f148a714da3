package teli

import (
	"bytes"
	"encoding/json"
	"sort"
	"strings"
)

// Limits on list-valued agent fields.
const (
	MaxDripSteps        = 50
	MaxExtractionFields = 50
	MaxTools            = 50

	// MaxDripDelayHours is the longest drip delay: one year.
	MaxDripDelayHours = 8760
	// MaxDripDay is the largest day number of a {day, message} drip step.
	MaxDripDay = 365
	// MaxToolNameLen is the longest tool name the voice platform accepts.
	MaxToolNameLen = 64
)

// Raw JSON helpers. Inside list items a JSON null counts as "not sent".

// jsonKind names the JSON type of a raw value by its first byte: "null", "boolean", "string",
// "object", "array" or "number" ("" for empty input).
func jsonKind(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return ""
	}
	switch raw[0] {
	case 'n':
		return "null"
	case 't', 'f':
		return "boolean"
	case '"':
		return "string"
	case '{':
		return "object"
	case '[':
		return "array"
	default:
		return "number"
	}
}

// isNull reports whether raw is absent or JSON null.
func isNull(raw json.RawMessage) bool {
	k := jsonKind(raw)
	return k == "" || k == "null"
}

// obj is one decoded JSON object, its members kept raw.
type obj map[string]json.RawMessage

// has reports whether key was sent with a non-null value.
func (o obj) has(key string) bool { return !isNull(o[key]) }

func asObject(raw json.RawMessage) (obj, bool) {
	if jsonKind(raw) != "object" {
		return nil, false
	}
	var o obj
	if err := json.Unmarshal(raw, &o); err != nil {
		return nil, false
	}
	return o, true
}

func asArray(raw json.RawMessage) ([]json.RawMessage, bool) {
	if jsonKind(raw) != "array" {
		return nil, false
	}
	var a []json.RawMessage
	if err := json.Unmarshal(raw, &a); err != nil {
		return nil, false
	}
	return a, true
}

func asString(raw json.RawMessage) (string, bool) {
	if jsonKind(raw) != "string" {
		return "", false
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", false
	}
	return s, true
}

func asNumber(raw json.RawMessage) (float64, bool) {
	if jsonKind(raw) != "number" {
		return 0, false
	}
	var f float64
	if err := json.Unmarshal(raw, &f); err != nil {
		return 0, false
	}
	return f, true
}

// str reads an optional string member: ("", false, nil) when absent or null.
func (o obj) str(path, key string) (string, bool, error) {
	if !o.has(key) {
		return "", false, nil
	}
	s, ok := asString(o[key])
	if !ok {
		return "", false, Invalid("%s.%s must be a string", path, key)
	}
	return s, true, nil
}

// num reads an optional number member.
func (o obj) num(path, key string) (float64, bool, error) {
	if !o.has(key) {
		return 0, false, nil
	}
	f, ok := asNumber(o[key])
	if !ok {
		return 0, false, Invalid("%s.%s must be a number", path, key)
	}
	return f, true, nil
}

// boolean checks an optional boolean member.
func (o obj) boolean(path, key string) error {
	if o.has(key) && jsonKind(o[key]) != "boolean" {
		return Invalid("%s.%s must be true or false", path, key)
	}
	return nil
}

// object reads an optional object member.
func (o obj) object(path, key string) (obj, bool, error) {
	if !o.has(key) {
		return nil, false, nil
	}
	m, ok := asObject(o[key])
	if !ok {
		return nil, false, Invalid("%s.%s must be an object", path, key)
	}
	return m, true, nil
}

// requiredStr reads a string member that must be present and non-blank.
func (o obj) requiredStr(path, key string) (string, error) {
	s, ok, err := o.str(path, key)
	if err != nil {
		return "", err
	}
	if !ok || strings.TrimSpace(s) == "" {
		return "", Invalid("%s.%s is required", path, key)
	}
	return s, nil
}

// stringMap checks an optional object member whose values must all be strings.
func (o obj) stringMap(path, key string) error {
	m, ok, err := o.object(path, key)
	if err != nil || !ok {
		return err
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if jsonKind(m[k]) != "string" {
			return Invalid("%s.%s.%s must be a string", path, key, k)
		}
	}
	return nil
}

// oneOf renders allowed values for an error message: "a, b, c".
func oneOf(values []string) string { return strings.Join(values, ", ") }

// inRange reports lo <= v <= hi (false for NaN).
func inRange(v, lo, hi float64) bool { return v >= lo && v <= hi }
