package store

// The JSON documents of rows (agents' fields and drips, campaigns' settings, leads' and threads'
// fields, threads' AI documents): encoded here once, so both engines store identical text.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

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

// agentDocs holds an agent's JSON columns in encoded form.
type agentDocs struct {
	Fields string
	Drips  string
	Voice  *string // NULL for SMS agents
}

// encodeAgent encodes the JSON columns of a.
func encodeAgent(a teli.Agent) (agentDocs, error) {
	var out agentDocs
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

// decodeInto fills the JSON-backed fields of a.
func (j agentDocs) decodeInto(a *teli.Agent) error {
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

// voiceAgentID is the indexed copy of a.Voice.VoiceAgentID, NULL when there is none.
func voiceAgentID(a teli.Agent) *string {
	if a.Voice == nil || a.Voice.VoiceAgentID == "" {
		return nil
	}
	id := a.Voice.VoiceAgentID
	return &id
}

// encodeConfig stores a sandbox agent's config verbatim; a missing one is stored as JSON null.
func encodeConfig(c json.RawMessage) string {
	if len(c) == 0 {
		return "null"
	}
	return string(c)
}

// decodeConfig reverses encodeConfig: JSON null reads back as a nil config.
func decodeConfig(doc string) json.RawMessage {
	if doc == "null" {
		return nil
	}
	return json.RawMessage(doc)
}

// encodeFields stores a lead's extra fields (or a thread's variables) as a JSON object; nil and
// empty both become "{}". NUL characters are dropped: the API refuses them, and where one comes
// from elsewhere, PostgreSQL's JSON functions refuse the \u0000 it would be written as, and the
// send gate reads a lead's time zone from this document.
func encodeFields(fields map[string]string) (string, error) {
	if len(fields) == 0 {
		return "{}", nil
	}
	clean := make(map[string]string, len(fields))
	for k, v := range fields {
		clean[strings.ReplaceAll(k, "\x00", "")] = strings.ReplaceAll(v, "\x00", "")
	}
	return encodeJSON(clean)
}

// decodeFields reads a JSON object of strings; an empty one reads as nil, the one form of "none".
func decodeFields(doc string) (map[string]string, error) {
	var fields map[string]string
	if err := json.Unmarshal([]byte(doc), &fields); err != nil {
		return nil, err
	}
	if len(fields) == 0 {
		return nil, nil
	}
	return fields, nil
}

// campaignDocs holds a campaign's JSON columns in encoded form.
type campaignDocs struct {
	Settings     string
	InvalidLeads string
}

// encodeCampaign encodes the JSON columns of c; no invalid leads is stored as "[]".
func encodeCampaign(c teli.Campaign) (campaignDocs, error) {
	var out campaignDocs
	var err error
	if out.Settings, err = encodeJSON(c.Settings); err != nil {
		return out, fmt.Errorf("encode campaign settings: %w", err)
	}
	if out.InvalidLeads, err = encodeList(c.InvalidLeads); err != nil {
		return out, fmt.Errorf("encode invalid leads: %w", err)
	}
	return out, nil
}

// decodeInto fills the JSON-backed fields of c; an empty invalid-leads list reads as nil.
func (j campaignDocs) decodeInto(c *teli.Campaign) error {
	if err := json.Unmarshal([]byte(j.Settings), &c.Settings); err != nil {
		return fmt.Errorf("decode campaign settings: %w", err)
	}
	var err error
	if c.InvalidLeads, err = decodeList[teli.InvalidLead](j.InvalidLeads); err != nil {
		return fmt.Errorf("decode invalid leads: %w", err)
	}
	return nil
}

// encodeOptional stores an optional document (an extraction, a voice request) as JSON; nil is
// the empty string.
func encodeOptional[T any](v *T) (string, error) {
	if v == nil {
		return "", nil
	}
	b, err := json.Marshal(v)
	return string(b), err
}

// decodeOptional reads what encodeOptional wrote.
func decodeOptional[T any](doc string) (*T, error) {
	if doc == "" {
		return nil, nil
	}
	v := new(T)
	if err := json.Unmarshal([]byte(doc), v); err != nil {
		return nil, err
	}
	return v, nil
}

// threadAIDocs holds a thread's AI documents as stored.
type threadAIDocs struct {
	Extraction, VoiceRequest string
}

// decodeInto fills t's AI documents.
func (d threadAIDocs) decodeInto(t *teli.Thread) error {
	var err error
	if t.Extraction, err = decodeOptional[teli.Extraction](d.Extraction); err != nil {
		return err
	}
	t.VoiceRequest, err = decodeOptional[teli.VoiceRequest](d.VoiceRequest)
	return err
}
