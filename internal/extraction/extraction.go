// Package extraction reads what a lead said out of a conversation with a language model: the
// agent's and campaign's extraction fields, the lead's outcome, consent and scheduling flags
// and, for a phone call, whether the call met its goal and how the lead felt. SMS threads and
// call transcripts go through the same request and the same tolerant parsing, so a field
// configured once reads alike from either.
package extraction

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/openteli/teli/internal/llm"
	"github.com/openteli/teli/internal/teli"
)

// SchemaName names the structured output of an extraction.
const SchemaName = "lead_extraction"

// Medium is what kind of conversation is read.
type Medium int

// Media.
const (
	SMS Medium = iota
	Call
)

// Turn is one thing said: by the contact (the lead), or by the business (the agent or a person).
type Turn struct {
	Contact bool
	Text    string
}

// Request is one conversation to read.
type Request struct {
	Medium Medium
	// Objective is the campaign's objective prompt, when it has one.
	Objective string
	Fields    []teli.ExtractionField
	Turns     []Turn
}

// Sentiments a call's user_sentiment takes (the platform's values).
const (
	SentimentPositive = "Positive"
	SentimentNegative = "Negative"
	SentimentNeutral  = "Neutral"
	SentimentUnknown  = "Unknown"
)

// Result is what the model read.
type Result struct {
	teli.Extraction
	// CallSuccessful and UserSentiment are read from a call only.
	CallSuccessful bool
	UserSentiment  string
}

// MergeFields appends the fields of extra that base does not already have (by name, ignoring
// case): a campaign's fields after its agent's.
func MergeFields(base, extra []teli.ExtractionField) []teli.ExtractionField {
	out := slices.Clone(base)
	for _, f := range extra {
		if !slices.ContainsFunc(out, func(g teli.ExtractionField) bool { return strings.EqualFold(g.Name, f.Name) }) {
			out = append(out, f)
		}
	}
	return out
}

// LLM is the model request: every field as a string (empty when unknown), the outcome and the
// flags, with a strict JSON schema.
func (r Request) LLM() llm.Request {
	props := map[string]any{}
	required := []string{}
	for _, f := range r.Fields {
		props[f.Name] = map[string]any{"type": "string", "description": f.EffectiveDescription() + ". Empty if not stated."}
		required = append(required, f.Name)
	}
	top := []string{"extracted_fields", "lead_outcome", "objective_met", "do_not_message", "call_transferred", "call_scheduled", "call_scheduled_time"}
	properties := map[string]any{
		"extracted_fields": map[string]any{"type": "object", "additionalProperties": false, "properties": props, "required": required},
		"lead_outcome": map[string]any{"type": "string", "enum": []string{
			teli.OutcomeQualified, teli.OutcomeNotInterested, teli.OutcomeDNC, teli.OutcomeTransferred, teli.OutcomePending}},
		"objective_met":       map[string]any{"type": "boolean"},
		"do_not_message":      map[string]any{"type": "boolean", "description": "The contact asked, in any words, to receive no more messages or calls."},
		"call_transferred":    map[string]any{"type": "boolean"},
		"call_scheduled":      map[string]any{"type": "boolean"},
		"call_scheduled_time": map[string]any{"type": "string", "description": "ISO-8601 time of a scheduled call, or empty."},
	}
	if r.Medium == Call {
		top = append(top, "call_successful", "user_sentiment")
		properties["call_successful"] = map[string]any{"type": "boolean", "description": "The call reached the contact and achieved its purpose."}
		properties["user_sentiment"] = map[string]any{"type": "string", "enum": []string{
			SentimentPositive, SentimentNegative, SentimentNeutral, SentimentUnknown}}
	}
	schema := map[string]any{"type": "object", "additionalProperties": false, "required": top, "properties": properties}
	raw, _ := json.Marshal(schema) // a map of plain values always marshals

	what := "the SMS conversation"
	if r.Medium == Call {
		what = "the transcript of a phone call"
	}
	var sys strings.Builder
	fmt.Fprintf(&sys, "Read %s between a business and a contact and extract the requested facts. ", what)
	sys.WriteString("Use only what the contact said or confirmed; leave a field empty when it was not stated. " +
		"lead_outcome: qualified (interested and meets the objective), not_interested, dnc (asked never to be contacted), " +
		"transferred (handed to a person), pending (still talking).")
	if o := strings.TrimSpace(r.Objective); o != "" {
		fmt.Fprintf(&sys, " The campaign's objective: %s", o)
	}
	var transcript strings.Builder
	for _, t := range r.Turns {
		who := "Business"
		if t.Contact {
			who = "Contact"
		}
		fmt.Fprintf(&transcript, "%s: %s\n", who, t.Text)
	}
	return llm.Request{
		System:   sys.String(),
		Messages: []llm.Message{{Role: llm.RoleUser, Content: transcript.String()}},
		Schema:   &llm.Schema{Name: SchemaName, JSON: raw, Strict: true}, MaxTokens: 800,
	}
}

// Parse reads the model's JSON tolerantly: values of any JSON type become strings, unknown
// fields are dropped, a missing or unknown outcome is pending, an unknown sentiment Unknown.
func (r Request) Parse(raw json.RawMessage) (Result, error) {
	var doc struct {
		Fields            map[string]any `json:"extracted_fields"`
		LeadOutcome       string         `json:"lead_outcome"`
		ObjectiveMet      bool           `json:"objective_met"`
		DoNotMessage      bool           `json:"do_not_message"`
		CallTransferred   bool           `json:"call_transferred"`
		CallScheduled     bool           `json:"call_scheduled"`
		CallScheduledTime string         `json:"call_scheduled_time"`
		CallSuccessful    bool           `json:"call_successful"`
		UserSentiment     string         `json:"user_sentiment"`
	}
	if len(raw) == 0 {
		return Result{}, errors.New("the model returned no JSON")
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return Result{}, fmt.Errorf("the model's JSON does not match the schema: %w", err)
	}
	e := teli.Extraction{
		Fields: map[string]string{}, LeadOutcome: doc.LeadOutcome, ObjectiveMet: doc.ObjectiveMet,
		DoNotMessage: doc.DoNotMessage, CallTransferred: doc.CallTransferred, CallScheduled: doc.CallScheduled,
		CallScheduledTime: text(doc.CallScheduledTime),
	}
	for _, f := range r.Fields {
		if v, ok := doc.Fields[f.Name]; ok && v != nil {
			if s := text(fmt.Sprint(v)); s != "" {
				e.Fields[f.Name] = s
			}
		}
	}
	switch e.LeadOutcome {
	case teli.OutcomeQualified, teli.OutcomeNotInterested, teli.OutcomeDNC, teli.OutcomeTransferred, teli.OutcomePending:
	default:
		e.LeadOutcome = teli.OutcomePending
	}
	res := Result{Extraction: e}
	if r.Medium == Call {
		res.CallSuccessful = doc.CallSuccessful
		res.UserSentiment = SentimentUnknown
		for _, s := range []string{SentimentPositive, SentimentNegative, SentimentNeutral} {
			if strings.EqualFold(strings.TrimSpace(doc.UserSentiment), s) {
				res.UserSentiment = s
			}
		}
	}
	return res, nil
}

// Run asks the model and parses its answer, within timeout.
func Run(ctx context.Context, model llm.Provider, timeout time.Duration, r Request) (Result, error) {
	callCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	resp, err := model.Complete(callCtx, r.LLM())
	if err != nil {
		return Result{}, fmt.Errorf("extraction: %w", err)
	}
	res, err := r.Parse(resp.JSON)
	if err != nil {
		return Result{}, fmt.Errorf("extraction: %w", err)
	}
	return res, nil
}

// text is model text made safe to store: the text rule's cleaning, trimmed.
func text(s string) string { return strings.TrimSpace(teli.CleanText(s)) }
