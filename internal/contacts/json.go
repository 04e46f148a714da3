package contacts

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
)

// ParseJSON turns the items of a contacts (or clients) array into contacts. Every item must be a
// JSON object with a phone_number (or any phone alias, e.g. phone); row numbers are the item's
// index + 1.
//
// Values may be strings, numbers or booleans; numbers and booleans are kept as their JSON text
// (3137316433 → "3137316433", true → "true"). null, "" and empty objects or arrays count as
// absent. A non-empty nested object or array is kept in Fields as compact JSON text, because
// refusing a whole lead over an extra CRM attribute (tags, say) would lose a good number; in one
// of Contact's own fields (phone_number, first_name, …) it rejects the row instead. do_not_call
// accepts a boolean or "true"/"false"/"yes"/"no"/"1"/"0" in any case.
//
// When an object holds the same field twice (keys that canonicalise alike, or an alias and the
// field itself), the first non-empty one in key order wins, an exact name before an alias; the
// others are kept in Fields under their own names.
func ParseJSON(raw []json.RawMessage) Result {
	col := newCollector()
	for i, item := range raw {
		row := i + 1
		names, cells, reason := decodeObject(item)
		if reason != "" {
			col.reject(row, "", reason)
			continue
		}
		c, rawPhone, reason := newLayout(names).build(cells)
		if reason != "" {
			col.reject(row, rawPhone, reason)
			continue
		}
		col.add(row, rawPhone, c)
	}
	return col.res
}

// decodeObject reads one JSON object keeping its members in order (a map would lose the order the
// first-wins rule needs), or returns why it cannot.
func decodeObject(raw json.RawMessage) (names []string, cells []cell, reason string) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	tok, err := dec.Token()
	if err != nil {
		return nil, nil, invalidJSON(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, nil, "contact must be a JSON object, not " + tokenKind(tok)
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, invalidJSON(err)
		}
		key, _ := tok.(string) // inside an object the decoder only yields string keys
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, nil, invalidJSON(err)
		}
		names = append(names, key)
		cells = append(cells, jsonCell(v))
	}
	if _, err := dec.Token(); err != nil { // the closing '}'
		return nil, nil, invalidJSON(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, nil, "contact is not valid JSON: unexpected data after the object"
	}
	return names, cells, ""
}

// jsonCell converts one member value to its text.
func jsonCell(v json.RawMessage) cell {
	v = bytes.TrimSpace(v)
	if len(v) == 0 {
		return cell{}
	}
	switch v[0] {
	case 'n':
		return cell{}
	case '"':
		var s string
		if json.Unmarshal(v, &s) != nil {
			return cell{} // unreachable: the decoder has already checked the value
		}
		return cell{text: cleanValue(s)}
	case '{', '[':
		var b bytes.Buffer
		if json.Compact(&b, v) != nil || b.Len() == 2 { // "{}" or "[]": nothing in it
			return cell{}
		}
		return cell{text: cleanValue(b.String()), nested: true}
	default: // a number, true or false: its JSON text
		return cell{text: cleanValue(string(v))}
	}
}

// invalidJSON is the reason for an item the decoder refuses.
func invalidJSON(err error) string {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return "contact is not valid JSON: unexpected end"
	}
	return "contact is not valid JSON: " + err.Error()
}

// tokenKind names the JSON type of a first token that is not '{'.
func tokenKind(tok json.Token) string {
	switch tok.(type) {
	case json.Delim: // only '[' can start a value here
		return "an array"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	default:
		return "a number"
	}
}
