package extraction

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/openteli/teli/internal/teli"
)

func fields(names ...string) []teli.ExtractionField {
	out := make([]teli.ExtractionField, len(names))
	for i, n := range names {
		out[i] = teli.ExtractionField{Name: n}
	}
	return out
}

// schemaOf decodes the request's JSON schema: its required top-level keys and field names.
func schemaOf(t *testing.T, r Request) (top, fieldNames []string) {
	t.Helper()
	var doc struct {
		Required   []string `json:"required"`
		Properties struct {
			Fields struct {
				Required []string `json:"required"`
			} `json:"extracted_fields"`
		} `json:"properties"`
	}
	req := r.LLM()
	if req.Schema == nil || req.Schema.Name != SchemaName || !req.Schema.Strict {
		t.Fatalf("schema: %+v", req.Schema)
	}
	if err := json.Unmarshal(req.Schema.JSON, &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Required, doc.Properties.Fields.Required
}

func TestCallRequestsAskForTheCallsJudgement(t *testing.T) {
	sms := Request{Medium: SMS, Fields: fields("email")}
	call := Request{Medium: Call, Fields: fields("email", "credit_score"), Objective: "book a viewing",
		Turns: []Turn{{Text: "Hi, this is Ana."}, {Contact: true, Text: "My score is 720."}}}

	top, names := schemaOf(t, sms)
	if slices.Contains(top, "call_successful") || slices.Contains(top, "user_sentiment") {
		t.Errorf("an SMS extraction asks for %v", top)
	}
	if !slices.Equal(names, []string{"email"}) {
		t.Errorf("SMS fields %v", names)
	}
	top, names = schemaOf(t, call)
	if !slices.Contains(top, "call_successful") || !slices.Contains(top, "user_sentiment") {
		t.Errorf("a call extraction asks for %v", top)
	}
	if !slices.Equal(names, []string{"email", "credit_score"}) {
		t.Errorf("call fields %v", names)
	}
	req := call.LLM()
	if !strings.Contains(req.System, "phone call") || !strings.Contains(req.System, "book a viewing") {
		t.Errorf("system prompt: %q", req.System)
	}
	if got := req.Messages[0].Content; got != "Business: Hi, this is Ana.\nContact: My score is 720.\n" {
		t.Errorf("transcript: %q", got)
	}
}

func TestParseIsTolerant(t *testing.T) {
	r := Request{Medium: Call, Fields: fields("credit_score", "email")}
	res, err := r.Parse(json.RawMessage(`{"extracted_fields": {"credit_score": 720, "email": "", "other": "x"},
		"lead_outcome": "maybe", "do_not_message": true, "call_successful": true, "user_sentiment": "positive"}`))
	if err != nil {
		t.Fatal(err)
	}
	if res.Fields["credit_score"] != "720" || len(res.Fields) != 1 {
		t.Errorf("fields %v", res.Fields)
	}
	if res.LeadOutcome != teli.OutcomePending || !res.DoNotMessage {
		t.Errorf("outcome %q, do_not_message %v", res.LeadOutcome, res.DoNotMessage)
	}
	if !res.CallSuccessful || res.UserSentiment != SentimentPositive {
		t.Errorf("judgement %v %q", res.CallSuccessful, res.UserSentiment)
	}
	res, err = r.Parse(json.RawMessage(`{"lead_outcome": "dnc", "user_sentiment": "furious"}`))
	if err != nil || res.LeadOutcome != teli.OutcomeDNC || res.UserSentiment != SentimentUnknown {
		t.Errorf("%+v %v", res, err)
	}
	sms := Request{Medium: SMS}
	if res, err := sms.Parse(json.RawMessage(`{"user_sentiment": "Positive"}`)); err != nil || res.UserSentiment != "" {
		t.Errorf("an SMS extraction reads a sentiment: %+v %v", res, err)
	}
	for _, bad := range []string{``, `[1]`, `{"lead_outcome": 3}`} {
		if _, err := r.Parse(json.RawMessage(bad)); err == nil {
			t.Errorf("Parse(%q) accepted it", bad)
		}
	}
}

func TestMergeFieldsKeepsTheFirstOfEachName(t *testing.T) {
	got := MergeFields(fields("email", "Score"), fields("score", "budget"))
	var names []string
	for _, f := range got {
		names = append(names, f.Name)
	}
	if !slices.Equal(names, []string{"email", "Score", "budget"}) {
		t.Errorf("merged %v", names)
	}
}
