// Package rowjson encodes the JSON columns of the stores' rows. Both backends use it, so SQLite
// and PostgreSQL write and read identical documents.
package rowjson

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/openteli/teli/internal/teli"
)

// encodeJSON marshals v without HTML escaping, so raw JSON the caller gave (voice tools) is
// stored byte for byte as it was compacted, not with <, > and & rewritten as \u escapes.
func encodeJSON(v any) (string, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return string(bytes.TrimSuffix(buf.Bytes(), []byte("\n"))), nil
}

// encodeList stores a list as a JSON array; nil and empty both become "[]" so the column never
// holds "null".
func encodeList[T any](list []T) (string, error) {
	if len(list) == 0 {
		return "[]", nil
	}
	return encodeJSON(list)
}

// decodeList reads a JSON array; an empty one reads as nil, the one form of "none".
func decodeList[T any](doc string) ([]T, error) {
	var list []T
	if err := json.Unmarshal([]byte(doc), &list); err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, nil
	}
	return list, nil
}

// Agent holds an agent's JSON columns in encoded form.
type Agent struct {
	Fields string
	Drips  string
	Voice  *string // NULL for SMS agents
}

// EncodeAgent encodes the JSON columns of a.
func EncodeAgent(a teli.Agent) (Agent, error) {
	var out Agent
	var err error
	if out.Fields, err = encodeList(a.ExtractionFields); err != nil {
		return out, fmt.Errorf("encode extraction fields: %w", err)
	}
	if out.Drips, err = encodeList(a.DripSchedule); err != nil {
		return out, fmt.Errorf("encode drip schedule: %w", err)
	}
	if a.Voice != nil {
		doc, err := encodeJSON(a.Voice)
		if err != nil {
			return out, fmt.Errorf("encode voice config: %w", err)
		}
		out.Voice = &doc
	}
	return out, nil
}

// DecodeInto fills the JSON-backed fields of a.
func (j Agent) DecodeInto(a *teli.Agent) error {
	var err error
	if a.ExtractionFields, err = decodeList[teli.ExtractionField](j.Fields); err != nil {
		return fmt.Errorf("decode extraction fields: %w", err)
	}
	if a.DripSchedule, err = decodeList[teli.DripStep](j.Drips); err != nil {
		return fmt.Errorf("decode drip schedule: %w", err)
	}
	if j.Voice == nil {
		a.Voice = nil
		return nil
	}
	var v teli.VoiceConfig
	if err := json.Unmarshal([]byte(*j.Voice), &v); err != nil {
		return fmt.Errorf("decode voice config: %w", err)
	}
	// Empty and nil lists read back alike, as for the other JSON columns.
	if len(v.Tools) == 0 {
		v.Tools = nil
	}
	if len(v.KnowledgeBaseIDs) == 0 {
		v.KnowledgeBaseIDs = nil
	}
	a.Voice = &v
	return nil
}

// VoiceAgentID is the indexed copy of a.Voice.VoiceAgentID, NULL when there is none.
func VoiceAgentID(a teli.Agent) *string {
	if a.Voice == nil || a.Voice.VoiceAgentID == "" {
		return nil
	}
	id := a.Voice.VoiceAgentID
	return &id
}

// EncodeConfig stores a sandbox agent's config verbatim; a missing one is stored as JSON null.
func EncodeConfig(c json.RawMessage) string {
	if len(c) == 0 {
		return "null"
	}
	return string(c)
}

// DecodeConfig reverses EncodeConfig: JSON null reads back as a nil config.
func DecodeConfig(doc string) json.RawMessage {
	if doc == "null" {
		return nil
	}
	return json.RawMessage(doc)
}

// EncodeFields stores a lead's extra fields as a JSON object; nil and empty both become "{}".
func EncodeFields(fields map[string]string) (string, error) {
	if len(fields) == 0 {
		return "{}", nil
	}
	return encodeJSON(fields)
}

// DecodeFields reads a JSON object of strings; an empty one reads as nil, the one form of "none".
func DecodeFields(doc string) (map[string]string, error) {
	var fields map[string]string
	if err := json.Unmarshal([]byte(doc), &fields); err != nil {
		return nil, err
	}
	if len(fields) == 0 {
		return nil, nil
	}
	return fields, nil
}

// Campaign holds a campaign's JSON columns in encoded form.
type Campaign struct {
	Settings     string
	InvalidLeads string
}

// EncodeCampaign encodes the JSON columns of c; no invalid leads is stored as "[]".
func EncodeCampaign(c teli.Campaign) (Campaign, error) {
	var out Campaign
	var err error
	if out.Settings, err = encodeJSON(c.Settings); err != nil {
		return out, fmt.Errorf("encode campaign settings: %w", err)
	}
	if out.InvalidLeads, err = encodeList(c.InvalidLeads); err != nil {
		return out, fmt.Errorf("encode invalid leads: %w", err)
	}
	return out, nil
}

// DecodeInto fills the JSON-backed fields of c; an empty invalid-leads list reads as nil.
func (j Campaign) DecodeInto(c *teli.Campaign) error {
	if err := json.Unmarshal([]byte(j.Settings), &c.Settings); err != nil {
		return fmt.Errorf("decode campaign settings: %w", err)
	}
	var err error
	if c.InvalidLeads, err = decodeList[teli.InvalidLead](j.InvalidLeads); err != nil {
		return fmt.Errorf("decode invalid leads: %w", err)
	}
	return nil
}
