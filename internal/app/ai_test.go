package app_test

// End-to-end stories of the conversation engine: the real server with the sandbox carrier and a
// language model behind the OpenAI-compatible fake (internal/llm/openai/openaitest), driven over
// HTTP. Each story has its own server, database and fake, runs on every backend of
// apitest.Backends(), and polls with a deadline instead of sleeping.
//
// Timing. AI replies and extractions are River jobs scheduled at clock.Now() + the burst
// window, with the app's clock, while River runs a scheduled job once the real time reaches
// it. The stories' manual clock starts at apitest.Epoch (Friday 2026-01-23 19:30 UTC, an
// afternoon in every US zone, so quiet hours hold nothing); that instant is in the real past,
// so those jobs run at once. The burst story needs a real debounce: it moves the clock to the
// real time before each message, so each job waits a real burst window (an AI reply is exempt
// from quiet hours right after the contact's message, so the hour of the day does not matter).

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openteli/teli/internal/apitest"
	"github.com/openteli/teli/internal/config"
	"github.com/openteli/teli/internal/keyword"
	"github.com/openteli/teli/internal/llm/openai/openaitest"
	"github.com/openteli/teli/internal/teli"
)

func TestAIStories(t *testing.T) {
	stories := []struct {
		name  string
		story func(*testing.T, apitest.Backend)
	}{
		{"DailyCap", aiStoryDailyCap},
		{"LoopGuard", aiStoryLoop},
		{"PromptAndReplyText", aiStoryPrompt},
		{"RateLimitedThenOneReply", aiStoryRateLimited},
		{"ExtractionQualifiesLead", aiStoryExtraction},
		{"SMSToVoiceRequest", aiStoryVoice},
		{"TakeoverDuringGenerationDiscardsReply", aiStoryTakeover},
		{"BurstGetsOneReply", aiStoryBurst},
		{"FreeTextOptOut", aiStoryOptOut},
		{"NoProviderWaitsForHuman", aiStoryNoProvider},
		{"AIFollowUp", aiStoryAIDrip},
		// The stories below guard against defects found earlier; see each one's comment.
		{"ExtractionRetriedAfterAgentReplied", aiStoryExtractionRetry},
		{"OptOutAuditNamesContactsMessage", aiStoryOptOutAudit},
		{"BudgetCutNotAtDecimalPoint", aiStoryBudgetDecimal},
		{"HumanAnswerEndsWaitingForHuman", aiStoryWaitingCleared},
	}
	// The stories mostly wait for the job queue, so they run side by side, more of them than
	// t.Parallel would allow on a small machine (t.Run may be called from several goroutines);
	// a few at a time per backend keeps PostgreSQL's connections in bounds.
	var backends sync.WaitGroup
	for _, b := range apitest.Backends() {
		backends.Go(func() {
			t.Run(b.Name, func(t *testing.T) {
				slots := make(chan struct{}, 8)
				var running sync.WaitGroup
				for _, s := range stories { // the longest first
					slots <- struct{}{}
					running.Go(func() {
						defer func() { <-slots }()
						t.Run(s.name, func(t *testing.T) { s.story(t, b) })
					})
				}
				running.Wait()
			})
		})
	}
	backends.Wait()
}

// aiStoryPrompt: the model's input is the agent's prompt, the campaign's objective, the
// contact's fields and local time, and the whole conversation with each message that the agent
// did not write marked as what it is (a broadcast, a drip, a compliance message, a person's
// message); messages that never went out are left out. The answer is stored in GSM-7 when
// typography was all that kept it from it, and cut to the segment budget at a sentence end.
func aiStoryPrompt(t *testing.T, b apitest.Backend) {
	e := newAIEnv(t, b, aiOptions{})
	const lead = "+13135550111"
	// A Detroit number whose lead lives in Chicago: the lead's own zone gives the local time.
	// The campaign has one follow-up, ten minutes after the last message that went out.
	e.launch("convo", `"objective_prompt": "Book a call with a loan officer.", "followup_interval": 600, "custom_follow_up": "Just checking in, {{first_name}}."`,
		fmt.Sprintf(`{"phone_number": %q, "first_name": "Dana", "last_name": "Smith", "credit_score": "720", "time_zone": "America/Chicago"}`, lead))
	e.waitStatuses("convo", lead, "agent:delivered")
	e.clock.Advance(time.Minute)
	e.do("POST", "/v1/sms/bulk-send", fmt.Sprintf(`{"campaign_id": "convo", "phone_numbers": [%q], "message": "Rates dropped today, {{first_name}}!"}`, lead), 200)
	e.waitStatuses("convo", lead, "agent:delivered broadcast:delivered")
	e.clock.Set(apitest.Epoch.Add(15 * time.Minute)) // the sweep, as the periodic job runs it
	if n, err := e.app.Outbound().RunDrips(context.Background()); err != nil || n != 1 {
		t.Fatalf("drip sweep: %d follow-ups, %v", n, err)
	}
	e.waitStatuses("convo", lead, "agent:delivered broadcast:delivered drip:delivered")
	// A message that never went out (written into the thread: a canceled one).
	e.clock.Advance(time.Minute)
	e.record("convo", lead, teli.SenderDrip, teli.PurposeDrip, teli.MessageCanceled, "This follow-up never went out.")

	e.fake.pushReply(openaitest.Reply{Content: "Great question \u2014 rates start at 5.9%\u2026 \u201cno points\u201d, and it\u2019s quick."})
	e.clock.Advance(time.Minute) // 19:47 UTC, 13:47 in Chicago
	e.inject(lead, "Maybe, what are rates like?")
	e.waitStatuses("convo", lead, "agent:delivered broadcast:delivered drip:delivered drip:canceled/test contact:received agent:delivered")

	msgs := e.messages("convo", lead)
	reply := msgs[5]
	if want := `Great question - rates start at 5.9%... "no points", and it's quick.`; reply["message"] != want {
		t.Errorf("stored reply %q, want the GSM-7 form %q", reply["message"], want)
	}
	if reply["encoding"] != msgs[0]["encoding"] || reply["segments"] != 1.0 {
		t.Errorf("stored reply is %v in %v segments; the starting message is %v", reply["encoding"], reply["segments"], msgs[0]["encoding"])
	}

	reqs := e.fake.replyRequests()
	if len(reqs) != 1 {
		t.Fatalf("the model got %d reply requests, want 1", len(reqs))
	}
	req := reqs[0].Chat
	if req.Model != aiModel || req.MaxTokens == nil || *req.MaxTokens != 400 || req.ResponseFormat != nil {
		t.Errorf("reply request: model %q, max_tokens %v, response_format %v", req.Model, req.MaxTokens, req.ResponseFormat)
	}
	if tools := aiToolNames(req); !slices.Equal(tools, []string{"contact_opted_out"}) {
		t.Errorf("reply request offers tools %v; without SMS-to-voice only contact_opted_out", tools)
	}
	if len(req.Messages) == 0 || req.Messages[0].Role != "system" {
		t.Fatalf("reply request has no system prompt: %v", aiTurns(req))
	}
	sys := req.Messages[0].Text()
	for _, want := range []string{
		"Objective of this campaign: Book a call with a loan officer.",
		"(at most 459 characters)", // three segments
		"call contact_opted_out",
		"What we know about the contact:\n- credit_score: 720\n- first_name: Dana\n- last_name: Smith\n- name: Dana Smith\n- time_zone: America/Chicago\n\n",
		"The contact's local time is Friday 23 January 2026, 13:47 CST.",
	} {
		if !strings.Contains(sys, want) {
			t.Errorf("system prompt lacks %q:\n%s", want, sys)
		}
	}
	if !strings.HasPrefix(sys, aiAgentPrompt+"\n\n") || strings.Contains(sys, lead) || strings.Contains(sys, "request_phone_call") {
		t.Errorf("system prompt must start with the agent's prompt and name neither the number nor the call tool:\n%s", sys)
	}
	want := []string{
		"user: [conversation starts with our message]",
		"assistant: Hi Dana, still looking to refinance?\n[broadcast to many contacts] Rates dropped today, Dana!\n[automatic follow-up] Just checking in, Dana.",
		"user: Maybe, what are rates like?",
	}
	if got := aiTurns(req)[1:]; !slices.Equal(got, want) {
		t.Errorf("conversation sent to the model:\n%q\nwant\n%q", got, want)
	}

	// HELP gets the compliance text and no agent reply; a person's note follows (written
	// straight into the thread: through the API a person's message always takes the thread
	// over, after which the agent no longer answers).
	e.clock.Advance(time.Minute)
	e.inject(lead, "HELP")
	e.waitStatuses("convo", lead, "agent:delivered broadcast:delivered drip:delivered drip:canceled/test contact:received agent:delivered contact:received system:delivered")
	help := e.bySender("convo", lead, "system")[0]
	e.clock.Advance(time.Minute)
	e.record("convo", lead, teli.SenderHuman, teli.PurposeManual, teli.MessageDelivered, "Jane here from Acme, happy to help as well.")

	// A long answer is cut to three segments at the last whole sentence that fits.
	sentences := []string{
		"Here\u2019s how it works, step by step, so nothing about the process surprises you later on.",
		"First we pull a soft credit check, which does not affect your score in any way at all.",
		"Then a loan officer reviews your current mortgage and your goals with you on a short call.",
		"After that we send you a written quote with the rate, the fees and the monthly payment.",
		"If you like the quote, we collect a few documents such as pay stubs and bank statements.",
		"The appraisal usually takes about a week, and we schedule it at a time that suits you.",
		"Closing happens at your home or at a title office, whichever you prefer, and takes an hour.",
	}
	e.fake.pushReply(openaitest.Reply{Content: strings.Join(sentences, " ")})
	e.clock.Advance(time.Minute)
	e.inject(lead, "Ok, sounds good. How does it work?")
	e.waitStatuses("convo", lead, "agent:delivered broadcast:delivered drip:delivered drip:canceled/test contact:received agent:delivered contact:received system:delivered human:delivered contact:received agent:delivered")
	msgs = e.messages("convo", lead)
	long := msgs[len(msgs)-1]
	stored := long["message"].(string)
	sentences[0] = strings.ReplaceAll(sentences[0], "\u2019", "'")
	fit := 0
	for k := 1; k <= len(sentences); k++ {
		if len(strings.Join(sentences[:k], " ")) <= 459 {
			fit = k
		}
	}
	if want := strings.Join(sentences[:fit], " "); stored != want || fit == 0 || fit == len(sentences) {
		t.Errorf("long reply stored as %q (%d chars), want the %d whole sentences that fit in 459 characters: %q", stored, len(stored), fit, want)
	}
	if long["segments"] != 3.0 || long["encoding"] != msgs[0]["encoding"] {
		t.Errorf("long reply: %v segments, %v", long["segments"], long["encoding"])
	}

	reqs = e.fake.replyRequests()
	if len(reqs) != 2 {
		t.Fatalf("the model got %d reply requests, want 2", len(reqs))
	}
	want = []string{
		"user: [conversation starts with our message]",
		"assistant: Hi Dana, still looking to refinance?\n[broadcast to many contacts] Rates dropped today, Dana!\n[automatic follow-up] Just checking in, Dana.",
		"user: Maybe, what are rates like?",
		`assistant: Great question - rates start at 5.9%... "no points", and it's quick.`,
		"user: HELP",
		"assistant: [automatic compliance message] " + help + "\n[written by a person on the team] Jane here from Acme, happy to help as well.",
		"user: Ok, sounds good. How does it work?",
	}
	if got := aiTurns(reqs[1].Chat)[1:]; !slices.Equal(got, want) {
		t.Errorf("conversation sent to the model:\n%q\nwant\n%q", got, want)
	}
	if sys2 := reqs[1].Chat.Messages[0].Text(); !strings.Contains(sys2, "The contact's local time is Friday 23 January 2026, 13:50 CST.") {
		t.Errorf("second system prompt has a stale local time:\n%s", sys2)
	}
	e.fake.checkValid(t)
}

// aiStoryBurst: three messages in quick succession get one answer, written once the burst is
// over, from one model call that sees all three.
func aiStoryBurst(t *testing.T, b apitest.Backend) {
	e := newAIEnv(t, b, aiOptions{burstWindow: 2 * time.Second})
	const lead = "+13135550112"
	e.launch("burst", "", aiLead(lead, "Bea"))
	e.waitStatuses("burst", lead, "agent:delivered")
	burst := []string{"Hi", "Actually yes I am", "What rate could I get?"}
	for _, m := range burst {
		e.clock.Set(time.Now()) // the app's clock reads the real time from here on
		e.inject(lead, m)
	}
	e.waitStatuses("burst", lead, "agent:delivered contact:received contact:received contact:received agent:delivered")
	reqs := e.fake.replyRequests()
	if len(reqs) != 1 {
		for _, r := range reqs {
			t.Logf("reply request: %q", aiTurns(r.Chat)[1:])
		}
		t.Fatalf("the model got %d reply requests for one burst, want 1", len(reqs))
	}
	turns := aiTurns(reqs[0].Chat)
	if last := turns[len(turns)-1]; last != "user: "+strings.Join(burst, "\n") {
		t.Errorf("the reply request ends with %q, want the whole burst as one turn", last)
	}
	if got := e.bySender("burst", lead, "agent"); len(got) != 2 || got[1] != aiDefaultReply {
		t.Errorf("agent messages %q, want the starting message and one reply", got)
	}
	e.fake.checkValid(t)
}

// aiStoryExtraction: the extraction endpoints answer 200 with extraction null before any
// extraction; a contact's message makes the model read the agent's and the campaign's fields
// and the outcome out of the conversation; the values are stored as strings, unknown fields
// dropped, and the lead is qualified. A person's message in a second campaign extracts too, and
// the phone endpoint lists both, newest first.
func aiStoryExtraction(t *testing.T, b apitest.Backend) {
	e := newAIEnv(t, b, aiOptions{})
	const lead = "+13135550113"
	e.launch("refi", `"objective_prompt": "Qualify the lead for a refinance.", "extraction_fields": ["timeline", "credit_score"]`, aiLead(lead, "Quinn"))
	e.waitStatuses("refi", lead, "agent:delivered")

	none := e.extraction("refi", lead)
	if len(none) != 4 || none["success"] != true || none["extraction"] != nil || none["message"] != "No extraction found for this thread" {
		t.Errorf("extraction before any: %v", none)
	}
	if got := e.do("GET", "/v1/sms/extractions/"+url.PathEscape(lead+"_no-such-campaign"), "", 200); got["extraction"] != nil {
		t.Errorf("extraction of an unknown thread: %v", got)
	}
	if got := e.do("GET", "/v1/sms/extractions/phone/"+url.PathEscape(lead), "", 200); got["count"] != 0.0 || !reflect.DeepEqual(got["extractions"], []any{}) {
		t.Errorf("extractions of a number before any: %v", got)
	}

	// The reply waits until the extraction is stored, so the extraction reads the conversation
	// as it was when the contact wrote.
	_, release := e.fake.holdNextReply()
	defer release()
	e.fake.pushExtraction(openaitest.Reply{Content: `{"extracted_fields": {"credit_score": 730, "loan_amount": "250000",
		"timeline": " 3 months ", "favourite_colour": "blue"}, "lead_outcome": "qualified", "objective_met": true,
		"do_not_message": false, "call_transferred": false, "call_scheduled": true, "call_scheduled_time": "2026-01-25T14:00:00Z"}`})
	e.clock.Advance(time.Minute)
	e.inject(lead, "My score is 730 and I need about 250k. Hoping to close in 3 months.")
	e.waitFor("the extraction is stored", func() bool { return e.extraction("refi", lead)["extraction"] != nil })
	got := e.extraction("refi", lead)
	want := map[string]any{
		"thread_id": lead + "_refi", "phone_number": lead, "campaign_id": "refi",
		"extracted_fields": map[string]any{"credit_score": "730", "loan_amount": "250000", "timeline": "3 months"},
		"lead_outcome":     "qualified", "objective_met": true, "do_not_message": false, "call_transferred": false,
		"call_scheduled": true, "call_scheduled_time": "2026-01-25T14:00:00Z", "extracted_at": "2026-01-23T19:31:00.000Z",
	}
	if !reflect.DeepEqual(got["extraction"], want) || len(got) != 3 || got["success"] != true {
		t.Errorf("extraction:\n%v\nwant\n%v", got, want)
	}
	if c := e.contact("refi", lead); c["lead_outcome"] != "qualified" {
		t.Errorf("contact after a qualified extraction: lead_outcome %v", c["lead_outcome"])
	}

	ereqs := e.fake.extractionRequests()
	if len(ereqs) != 1 {
		t.Fatalf("the model got %d extraction requests, want 1", len(ereqs))
	}
	er := ereqs[0].Chat
	if rf := er.ResponseFormat; rf.Type != "json_schema" || rf.JSONSchema == nil || rf.JSONSchema.Name != "lead_extraction" || rf.JSONSchema.Strict == nil || !*rf.JSONSchema.Strict {
		t.Errorf("extraction response_format: %+v", rf)
	} else {
		var schema struct {
			Properties struct {
				Fields struct {
					Properties map[string]any `json:"properties"`
					Required   []string       `json:"required"`
				} `json:"extracted_fields"`
			} `json:"properties"`
		}
		if err := json.Unmarshal(rf.JSONSchema.Schema, &schema); err != nil {
			t.Fatal(err)
		}
		var names []string
		for n := range schema.Properties.Fields.Properties {
			names = append(names, n)
		}
		slices.Sort(names)
		if !slices.Equal(names, []string{"credit_score", "loan_amount", "timeline"}) || len(schema.Properties.Fields.Required) != 3 {
			t.Errorf("extraction asks for fields %v (required %v), want the agent's and the campaign's, once each", names, schema.Properties.Fields.Required)
		}
	}
	if len(er.Tools) != 0 || er.MaxTokens == nil || *er.MaxTokens != 800 {
		t.Errorf("extraction request: tools %v, max_tokens %v", aiToolNames(er), er.MaxTokens)
	}
	turns := aiTurns(er)
	if len(turns) != 2 || !strings.Contains(turns[0], "The campaign's objective: Qualify the lead for a refinance.") ||
		turns[1] != "user: Business: Hi Quinn, still looking to refinance?\nContact: My score is 730 and I need about 250k. Hoping to close in 3 months.\n" {
		t.Errorf("extraction request messages: %q", turns)
	}
	release()
	e.waitStatuses("refi", lead, "agent:delivered contact:received agent:delivered")

	// A second campaign to the same number; a person's message there is extracted as well.
	// Empty and null values are dropped; an unknown outcome is pending.
	e.clock.Advance(time.Minute)
	e.launch("refi-2", `"extraction_fields": ["timeline"]`, aiLead(lead, "Quinn"))
	e.waitStatuses("refi-2", lead, "agent:delivered")
	e.fake.pushExtraction(openaitest.Reply{Content: `{"extracted_fields": {"timeline": "next year", "credit_score": "", "loan_amount": null},
		"lead_outcome": "maybe_later", "objective_met": false, "do_not_message": false, "call_transferred": false,
		"call_scheduled": false, "call_scheduled_time": ""}`})
	e.clock.Advance(time.Minute)
	e.do("POST", "/v1/sms/send", fmt.Sprintf(`{"campaign_id": "refi-2", "phone_number": %q, "message": "Hi Quinn, Jane here. Any questions?"}`, lead), 200)
	e.waitFor("the second extraction is stored", func() bool { return e.extraction("refi-2", lead)["extraction"] != nil })
	second := e.extraction("refi-2", lead)["extraction"].(map[string]any)
	if !reflect.DeepEqual(second["extracted_fields"], map[string]any{"timeline": "next year"}) || second["lead_outcome"] != "pending" ||
		second["call_scheduled_time"] != nil || second["extracted_at"] != "2026-01-23T19:33:00.000Z" {
		t.Errorf("second extraction: %v", second)
	}

	list := e.do("GET", "/v1/sms/extractions/phone/"+url.PathEscape(lead), "", 200)
	items, _ := list["extractions"].([]any)
	if list["success"] != true || list["count"] != 2.0 || len(items) != 2 {
		t.Fatalf("extractions of %s: %v", lead, list)
	}
	for i, wantThread := range []string{lead + "_refi-2", lead + "_refi"} {
		x := items[i].(map[string]any)
		for _, k := range []string{"thread_id", "phone_number", "campaign_id", "extracted_fields", "lead_outcome", "objective_met", "extracted_at"} {
			if _, ok := x[k]; !ok {
				t.Errorf("extractions[%d] lacks %s: %v", i, k, x)
			}
		}
		if x["thread_id"] != wantThread || x["phone_number"] != lead {
			t.Errorf("extractions[%d] is %v, want %s (newest first)", i, x["thread_id"], wantThread)
		}
	}
	if got := e.do("GET", "/v1/sms/extractions/phone/not-a-number", "", 400); !strings.Contains(fmt.Sprint(got["error"]), "phone_number") {
		t.Errorf("extractions of a malformed number: %v", got)
	}
	e.fake.checkValid(t)
}

// aiStoryTakeover: a person takes the thread over while the model is writing; the model's
// answer arrives afterwards and is discarded, and the agent stays out of the thread.
func aiStoryTakeover(t *testing.T, b apitest.Backend) {
	e := newAIEnv(t, b, aiOptions{})
	const lead = "+13135550114"
	e.launch("takeover", "", aiLead(lead, "Tess"))
	e.waitStatuses("takeover", lead, "agent:delivered")
	arrived, release := e.fake.holdNextReply()
	defer release()
	e.fake.pushReply(openaitest.Reply{Content: "This reply must never be sent."})
	e.clock.Advance(time.Minute)
	e.inject(lead, "Can someone call me?")
	e.arrived(arrived, "reply request")
	e.clock.Advance(time.Minute)
	e.do("POST", "/v1/sms/send", fmt.Sprintf(`{"campaign_id": "takeover", "phone_number": %q, "message": "Hi Tess, Jane here. Calling you now.", "user_id": %q}`, lead, e.admin), 200)
	e.waitStatuses("takeover", lead, "agent:delivered contact:received human:delivered")
	release()
	e.waitFor("the agent's late reply is discarded", func() bool { return e.logs.count("agent reply discarded") > 0 })
	if got := e.statuses("takeover", lead); got != "agent:delivered contact:received human:delivered" {
		t.Errorf("thread after the late reply: %s", got)
	}
	if r := e.fake.replyRequests(); len(r) != 1 || r[0].Status != 200 {
		t.Errorf("reply requests: %d", len(r))
	}
	c := e.contact("takeover", lead)
	if c["human_takeover"] != true || c["ai_active"] != false {
		t.Errorf("contact after the takeover: %v", c)
	}

	// The contact writes again: the thread is a person's, only the extraction runs.
	e.clock.Advance(time.Minute)
	e.inject(lead, "Thanks!")
	e.waitFor("the new message is extracted", func() bool {
		for _, r := range e.fake.extractionRequests() {
			if r.Status == 200 && strings.Contains(r.Chat.Messages[len(r.Chat.Messages)-1].Text(), "Contact: Thanks!") {
				return true
			}
		}
		return false
	})
	if got := e.statuses("takeover", lead); got != "agent:delivered contact:received human:delivered contact:received" {
		t.Errorf("thread after the contact's next message: %s", got)
	}
	if r := e.fake.replyRequests(); len(r) != 1 {
		t.Errorf("the agent was asked to answer a person's thread: %d reply requests", len(r))
	}
	e.fake.checkValid(t)
}

// aiStoryOptOut: a revocation in the contact's own words, which no keyword or phrase rule
// catches, makes the model call contact_opted_out: the number is suppressed exactly as by STOP,
// with one confirmation, though the extraction then reports do_not_message as well. (The
// extraction is held until the opt-out is done, and has read the conversation before it: see
// aiStoryExtractionRetry for why the order matters.)
func aiStoryOptOut(t *testing.T, b apitest.Backend) {
	e := newAIEnv(t, b, aiOptions{})
	const lead = "+13135550115"
	const text = "My wife handles the mortgage now and we are done with all of this, lose this number"
	if keyword.Classify(text, false) != keyword.None || keyword.RevocationPhrase(text) {
		t.Fatalf("%q is caught before the agent sees it; the story needs free text", text)
	}
	e.launch("optout", "", aiLead(lead, "Omar"))
	e.waitStatuses("optout", lead, "agent:delivered")
	replyArrived, releaseReply := e.fake.holdNextReply()
	defer releaseReply()
	extractionArrived, releaseExtraction := e.fake.holdNextExtraction()
	defer releaseExtraction()
	e.fake.pushReply(openaitest.Reply{ToolCalls: []openaitest.ToolCallReply{{Name: "contact_opted_out", Arguments: "{}"}}})
	e.fake.pushExtraction(openaitest.Reply{Content: `{"extracted_fields": {}, "lead_outcome": "not_interested", "objective_met": false,
		"do_not_message": true, "call_transferred": false, "call_scheduled": false, "call_scheduled_time": ""}`})
	e.clock.Advance(time.Minute)
	e.inject(lead, text)
	e.arrived(replyArrived, "reply request")
	e.arrived(extractionArrived, "extraction request")
	releaseReply()
	e.waitStatuses("optout", lead, "agent:delivered contact:received system:delivered")
	releaseExtraction()
	e.waitFor("the extraction is stored", func() bool { return e.extraction("optout", lead)["extraction"] != nil })
	if got := e.statuses("optout", lead); got != "agent:delivered contact:received system:delivered" {
		t.Errorf("thread after the opt-out: %s (one confirmation, no reply)", got)
	}
	if x := e.extraction("optout", lead)["extraction"].(map[string]any); x["do_not_message"] != true || x["lead_outcome"] != "not_interested" {
		t.Errorf("extraction: %v", x)
	}
	org := e.do("GET", "/v1/organizations/"+e.org, "", 200)["organization"].(map[string]any)["name"].(string)
	if got, want := e.bySender("optout", lead, "system")[0], strings.ReplaceAll(config.DefaultOptOutText, "{{organization}}", org); got != want {
		t.Errorf("confirmation %q, want %q", got, want)
	}
	c := e.contact("optout", lead)
	if c["opted_out"] != true || c["status"] != "opted_out" || c["ai_active"] != false {
		t.Errorf("contact after the opt-out: %v", c)
	}
	inbound := e.messages("optout", lead)[1]["message_id"]
	events, err := e.app.Store().SuppressionEvents(context.Background(), e.thread("optout", lead).OrganizationID, lead)
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 1 || events[0].Kind != teli.SuppressOptOut || events[0].Source != "ai" || events[0].Action != "added" ||
		events[0].MessageID != inbound || events[0].Detail != text {
		t.Errorf("audit trail %+v, want one opt-out by ai naming message %v", events, inbound)
	}
	refused := e.do("POST", "/v1/sms/send", fmt.Sprintf(`{"campaign_id": "optout", "phone_number": %q, "message": "Are you sure?"}`, lead), 400)
	if !strings.Contains(fmt.Sprint(refused["error"]), "opted out") {
		t.Errorf("manual send to the opted-out contact: %v", refused)
	}
	e.fake.checkValid(t)
}

// aiStoryLoop: an auto-responder that keeps sending the same text gets two answers, then the
// agent stops (loop_detected) without asking the model again.
func aiStoryLoop(t *testing.T, b apitest.Backend) {
	e := newAIEnv(t, b, aiOptions{})
	const looper = "+13135550116"
	const auto = "Thank you for your message. I am out of the office until Monday."
	if keyword.Classify(auto, false) != keyword.None || keyword.RevocationPhrase(auto) {
		t.Fatalf("%q is a keyword", auto)
	}
	e.launch("loop", "", aiLead(looper, "Otto"))
	e.waitStatuses("loop", looper, "agent:delivered")
	want := "agent:delivered"
	for range 2 {
		e.clock.Advance(time.Minute)
		e.inject(looper, auto)
		want += " contact:received agent:delivered"
		e.waitStatuses("loop", looper, want)
	}
	e.clock.Advance(time.Minute)
	e.inject(looper, auto)
	e.waitFor("the loop guard stops the agent", func() bool { return e.contact("loop", looper)["ai_state"] == "loop_detected" })
	if got := e.statuses("loop", looper); got != want+" contact:received" {
		t.Errorf("looping thread: %s", got)
	}
	if n := len(e.fake.replyRequests()); n != 2 {
		t.Errorf("the model got %d reply requests, want 2: none once the loop is detected", n)
	}
	if e.logs.count("agent stays silent", "reason=loop_detected") != 1 {
		t.Errorf("the server did not log why the agent stays silent")
	}
	e.fake.checkValid(t)
}

// aiStoryDailyCap: a chatty contact gets the daily cap of answers (2 here), then the agent
// stops (daily_cap_reached) without asking the model, and answers again a day later.
func aiStoryDailyCap(t *testing.T, b apitest.Backend) {
	e := newAIEnv(t, b, aiOptions{dailyCap: 2})
	const chatty = "+13135550117"
	e.launch("cap", "", aiLead(chatty, "Cara"))
	e.waitStatuses("cap", chatty, "agent:delivered")
	want := "agent:delivered"
	for i := range 2 {
		e.clock.Advance(time.Minute)
		e.inject(chatty, fmt.Sprintf("Question number %d: what about closing costs?", i+1))
		want += " contact:received agent:delivered"
		e.waitStatuses("cap", chatty, want)
	}
	e.clock.Advance(time.Minute)
	e.inject(chatty, "One more thing: can I lock the rate?")
	e.waitFor("the daily cap stops the agent", func() bool { return e.contact("cap", chatty)["ai_state"] == "daily_cap_reached" })
	want += " contact:received"
	if got := e.statuses("cap", chatty); got != want {
		t.Errorf("capped thread: %s", got)
	}
	if n := len(e.fake.replyRequests()); n != 2 {
		t.Errorf("the model got %d reply requests, want 2: none past the cap", n)
	}
	if c := e.contact("cap", chatty); c["waiting_for_human"] != false || c["human_takeover"] != false {
		t.Errorf("capped contact: %v", c)
	}

	// A day later the cap has rolled over.
	e.clock.Advance(25 * time.Hour)
	e.inject(chatty, "Good morning, still there?")
	want += " contact:received agent:delivered"
	e.waitStatuses("cap", chatty, want)
	if c := e.contact("cap", chatty); c["ai_state"] != nil {
		t.Errorf("ai_state after the agent answered again: %v", c["ai_state"])
	}
	e.fake.checkValid(t)
}

// aiStoryNoProvider: without a language model, a message the agent would answer leaves the
// thread waiting for a person, with no reply and no extraction.
func aiStoryNoProvider(t *testing.T, b apitest.Backend) {
	e := newAIEnv(t, b, aiOptions{noLLM: true})
	const lead = "+13135550118"
	e.launch("manual", "", aiLead(lead, "Nia"))
	e.waitStatuses("manual", lead, "agent:delivered")
	if c := e.contact("manual", lead); c["waiting_for_human"] != false || c["ai_state"] != nil {
		t.Errorf("contact before any message: %v", c)
	}
	e.clock.Advance(time.Minute)
	e.inject(lead, "Is anyone there?")
	e.waitFor("the thread waits for a person", func() bool { return e.contact("manual", lead)["waiting_for_human"] == true })
	c := e.contact("manual", lead)
	if c["ai_state"] != "waiting_for_human" || c["human_takeover"] != false {
		t.Errorf("waiting contact: %v", c)
	}
	// The state is written with the message, so nothing else is coming.
	if got := e.statuses("manual", lead); got != "agent:delivered contact:received" {
		t.Errorf("thread: %s", got)
	}
	if got := e.extraction("manual", lead); got["extraction"] != nil {
		t.Errorf("extraction without a model: %v", got)
	}
}

// aiStoryRateLimited: the provider refuses with 429 more often than the adapter retries, so the
// job fails and the queue runs it again; the second attempt answers once. A single 429 is
// absorbed by the adapter. Either way the contact gets one reply.
func aiStoryRateLimited(t *testing.T, b apitest.Backend) {
	e := newAIEnv(t, b, aiOptions{})
	const lead = "+13135550119"
	e.launch("ratelimit", "", aiLead(lead, "Ray"))
	e.waitStatuses("ratelimit", lead, "agent:delivered")
	limited := openaitest.Reply{Error: openaitest.RateLimitedAfter(10 * time.Millisecond).Ptr()}
	e.fake.pushReply(limited, limited, limited, openaitest.Reply{Content: "Sorry for the wait! Rates start at 5.9% today."})
	e.clock.Advance(time.Minute)
	e.inject(lead, "What are your rates?")
	e.waitStatuses("ratelimit", lead, "agent:delivered contact:received agent:delivered")
	statuses := func() []int {
		var out []int
		for _, r := range e.fake.replyRequests() {
			out = append(out, r.Status)
		}
		return out
	}
	if got := statuses(); !slices.Equal(got, []int{429, 429, 429, 200}) {
		t.Errorf("reply requests answered %v, want three 429s (one failed job) then 200", got)
	}

	e.fake.pushReply(limited, openaitest.Reply{Content: "Happy to help with that too."})
	e.clock.Advance(time.Minute)
	e.inject(lead, "And for a 15 year loan?")
	e.waitStatuses("ratelimit", lead, "agent:delivered contact:received agent:delivered contact:received agent:delivered")
	if got := statuses(); !slices.Equal(got, []int{429, 429, 429, 200, 429, 200}) {
		t.Errorf("reply requests answered %v", got)
	}
	want := []string{"Hi Ray, still looking to refinance?", "Sorry for the wait! Rates start at 5.9% today.", "Happy to help with that too."}
	if got := e.bySender("ratelimit", lead, "agent"); !slices.Equal(got, want) {
		t.Errorf("agent messages %q, want %q", got, want)
	}
	e.fake.checkValid(t)
}

// aiStoryVoice: with SMS-to-voice on, the model is offered request_phone_call; calling it
// records the request on the thread (voice_call_requested on the contacts endpoint) and the
// model's text still goes out. Without it, a call of the tool is ignored.
func aiStoryVoice(t *testing.T, b apitest.Backend) {
	e := newAIEnv(t, b, aiOptions{})
	const lead, other = "+13135550120", "+13135550121"
	e.launch("voice", `"enable_sms_to_voice": true, "voice_agent_id": "agent_voice_riley", "outbound_number": "(313) 555-0199"`, aiLead(lead, "Vic"))
	e.launch("sms-only", "", aiLead(other, "Sol"))
	e.waitStatuses("voice", lead, "agent:delivered")
	e.waitStatuses("sms-only", other, "agent:delivered")
	if c := e.contact("voice", lead); c["voice_call_requested"] != nil {
		t.Errorf("voice request before any: %v", c["voice_call_requested"])
	}
	call := openaitest.Reply{
		Content:   "Great, a loan officer will call you in a few minutes.",
		ToolCalls: []openaitest.ToolCallReply{{Name: "request_phone_call", Arguments: `{"reason": "The lead prefers to talk rates by phone."}`}},
	}
	e.fake.pushReply(call)
	e.clock.Advance(time.Minute)
	e.inject(lead, "Honestly it would be easier to talk. Can you call me?")
	e.waitStatuses("voice", lead, "agent:delivered contact:received agent:delivered")
	if got := e.bySender("voice", lead, "agent")[1]; got != call.Content {
		t.Errorf("reply with the call request: %q", got)
	}
	want := map[string]any{
		"voice_agent_id": "agent_voice_riley", "outbound_number": "+13135550199",
		"reason": "The lead prefers to talk rates by phone.", "requested_at": "2026-01-23T19:31:00.000Z",
	}
	if got := e.contact("voice", lead)["voice_call_requested"]; !reflect.DeepEqual(got, want) {
		t.Errorf("voice_call_requested %v, want %v", got, want)
	}
	req := e.fake.replyRequests()[0].Chat
	if tools := aiToolNames(req); !slices.Equal(tools, []string{"contact_opted_out", "request_phone_call"}) {
		t.Errorf("tools offered with SMS-to-voice: %v", tools)
	}
	if sys := req.Messages[0].Text(); !strings.Contains(sys, "call request_phone_call") {
		t.Errorf("system prompt does not mention the call tool:\n%s", sys)
	}

	e.fake.pushReply(call)
	e.clock.Advance(time.Minute)
	e.inject(other, "Can you call me?")
	e.waitStatuses("sms-only", other, "agent:delivered contact:received agent:delivered")
	if got := e.contact("sms-only", other)["voice_call_requested"]; got != nil {
		t.Errorf("a campaign without SMS-to-voice recorded a call request: %v", got)
	}
	if tools := aiToolNames(e.fake.replyRequests()[1].Chat); !slices.Equal(tools, []string{"contact_opted_out"}) {
		t.Errorf("tools offered without SMS-to-voice: %v", tools)
	}
	e.fake.checkValid(t)
}

// aiStoryExtractionRetry exposes a defect: an extraction whose model call fails is retried by
// the job queue, but by then the agent has replied, and Extract gives up because its message
// is no longer the thread's last ("a newer message has its own extraction coming" — an agent
// reply schedules none). The thread never gets an extraction, and a do_not_message in it
// would be lost the same way.
func aiStoryExtractionRetry(t *testing.T, b apitest.Backend) {
	e := newAIEnv(t, b, aiOptions{})
	const lead = "+13135550122"
	e.launch("extract-retry", `"extraction_fields": ["timeline"]`, aiLead(lead, "Eve"))
	e.waitStatuses("extract-retry", lead, "agent:delivered")
	failed := openaitest.Reply{Error: openaitest.ServerError().Ptr()}
	e.fake.pushExtraction(failed, failed, failed, openaitest.Reply{Content: `{"extracted_fields": {"timeline": "this spring"},
		"lead_outcome": "pending", "objective_met": false, "do_not_message": false, "call_transferred": false,
		"call_scheduled": false, "call_scheduled_time": ""}`})
	// The extraction has read the conversation and asked the model; the agent replies while
	// the model fails it (three attempts: the adapter retries twice).
	arrived, release := e.fake.holdNextExtraction()
	defer release()
	e.clock.Advance(time.Minute)
	e.inject(lead, "We want to move this spring.")
	e.arrived(arrived, "extraction request")
	e.waitStatuses("extract-retry", lead, "agent:delivered contact:received agent:delivered")
	release()
	e.waitFor("the extraction's three failed attempts", func() bool {
		n := 0
		for _, r := range e.fake.extractionRequests() {
			if r.Status == 500 {
				n++
			}
		}
		return n == 3
	})
	// The queue retries a failed job after about a second; its scheduler looks every 5 s.
	deadline := time.Now().Add(15 * time.Second)
	for e.extraction("extract-retry", lead)["extraction"] == nil {
		if time.Now().After(deadline) {
			t.Fatalf("no extraction 15 s after the model failed once (extraction requests: %d); the retried job gave up because the agent's reply is newer than its message",
				len(e.fake.extractionRequests()))
		}
		time.Sleep(50 * time.Millisecond)
	}
	x := e.extraction("extract-retry", lead)["extraction"].(map[string]any)
	if !reflect.DeepEqual(x["extracted_fields"], map[string]any{"timeline": "this spring"}) {
		t.Errorf("extraction after the retry: %v", x)
	}
}

// aiStoryOptOutAudit exposes a defect: when an outbound message (here a broadcast) lands
// after the contact's message while the model is writing, commitReply takes the thread's last
// message as the contact's, so the opt-out's audit line names the broadcast and quotes its
// text instead of the contact's words.
func aiStoryOptOutAudit(t *testing.T, b apitest.Backend) {
	e := newAIEnv(t, b, aiOptions{})
	const lead = "+13135550123"
	const text = "Honestly we are done with all of this, lose this number"
	if keyword.Classify(text, false) != keyword.None || keyword.RevocationPhrase(text) {
		t.Fatalf("%q is caught before the agent sees it", text)
	}
	e.launch("audit", "", aiLead(lead, "Ada"))
	e.waitStatuses("audit", lead, "agent:delivered")
	arrived, release := e.fake.holdNextReply()
	defer release()
	e.fake.pushReply(openaitest.Reply{ToolCalls: []openaitest.ToolCallReply{{Name: "contact_opted_out", Arguments: "{}"}}})
	e.clock.Advance(time.Minute)
	e.inject(lead, text)
	e.arrived(arrived, "reply request")
	e.clock.Advance(time.Minute)
	e.do("POST", "/v1/sms/bulk-send", fmt.Sprintf(`{"campaign_id": "audit", "phone_numbers": [%q], "message": "Rates dropped today, {{first_name}}!"}`, lead), 200)
	e.waitStatuses("audit", lead, "agent:delivered contact:received broadcast:delivered")
	release()
	e.waitFor("the opt-out is confirmed", func() bool { return len(e.bySender("audit", lead, "system")) == 1 })
	inbound := e.messages("audit", lead)[1]["message_id"]
	events, err := e.app.Store().SuppressionEvents(context.Background(), e.thread("audit", lead).OrganizationID, lead)
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 1 || events[0].MessageID != inbound || events[0].Detail != text {
		t.Errorf("audit trail %+v, want the opt-out to name the contact's message %v and quote %q", events, inbound, text)
	}
}

// aiStoryBudgetDecimal exposes a defect: fitAIText cuts a long answer at the last '.', '!' or
// '?' of the part that fits, even when it is a decimal point, so "about 5.875%" goes out as
// "about 5." — a wrong rate sent to a consumer.
func aiStoryBudgetDecimal(t *testing.T, b apitest.Backend) {
	e := newAIEnv(t, b, aiOptions{})
	const lead = "+13135550124"
	e.launch("budget", "", aiLead(lead, "Dee"))
	e.waitStatuses("budget", lead, "agent:delivered")
	head := strings.TrimSpace(strings.Repeat("Refinancing can lower your monthly payment a lot. ", 8))
	tail := "With your score the rate would be about 5.875% on a thirty year fixed loan, which is a great deal."
	if dot := len(head) + 1 + strings.Index(tail, "."); dot >= 459 || len(head)+1+len(tail) <= 459 {
		t.Fatalf("the decimal point (at %d) must fit in 459 characters and the last sentence must not", dot)
	}
	e.fake.pushReply(openaitest.Reply{Content: head + " " + tail})
	e.clock.Advance(time.Minute)
	e.inject(lead, "Tell me everything.")
	e.waitStatuses("budget", lead, "agent:delivered contact:received agent:delivered")
	if got := e.bySender("budget", lead, "agent")[1]; got != head {
		t.Errorf("long reply stored as\n%q\nwant it cut after the last whole sentence:\n%q", got, head)
	}
}

// aiStoryWaitingCleared exposes a defect: without a model a thread waits for a person, but
// once a person has answered (taking the thread over) it still shows waiting_for_human,
// because nothing clears ai_state on a takeover.
func aiStoryWaitingCleared(t *testing.T, b apitest.Backend) {
	e := newAIEnv(t, b, aiOptions{noLLM: true})
	const lead = "+13135550125"
	e.launch("answered", "", aiLead(lead, "Ian"))
	e.waitStatuses("answered", lead, "agent:delivered")
	e.clock.Advance(time.Minute)
	e.inject(lead, "Is anyone there?")
	e.waitFor("the thread waits for a person", func() bool { return e.contact("answered", lead)["waiting_for_human"] == true })
	e.clock.Advance(time.Minute)
	e.do("POST", "/v1/sms/send", fmt.Sprintf(`{"campaign_id": "answered", "phone_number": %q, "message": "Yes! Jane here, how can I help?"}`, lead), 200)
	e.waitStatuses("answered", lead, "agent:delivered contact:received human:delivered")
	if c := e.contact("answered", lead); c["waiting_for_human"] != false || c["ai_state"] != nil {
		t.Errorf("a person answered, yet the contact shows waiting_for_human %v, ai_state %v", c["waiting_for_human"], c["ai_state"])
	}
}

// aiStoryAIDrip: an "ai" follow-up step is written by the model from the conversation, after the
// step's delay, and goes out like any drip.
func aiStoryAIDrip(t *testing.T, b apitest.Backend) {
	e := newAIEnv(t, b, aiOptions{})
	agent := e.do("POST", "/v1/agents", fmt.Sprintf(`{"agent_type": "sms", "agent_name": "Nudger",
		"starting_message": "Hi {{first_name}}!", "prompt": %q, "organization_id": %q, "user_id": %q,
		"drip_schedule": [{"delay_hours": 2, "type": "ai"}]}`, aiAgentPrompt, e.org, e.admin), 200)
	e.agent = agent["agent_id"].(string)
	const phone = "+13135550190"
	e.launch("aidrip", "", aiLead(phone, "Ann"))
	e.waitStatuses("aidrip", phone, "agent:delivered")
	e.fake.pushReply(openaitest.Reply{Content: "Just checking in, Ann \u2014 any questions?"})
	e.clock.Advance(2 * time.Hour)
	n, err := e.app.Outbound().RunDrips(context.Background())
	if err != nil || n != 1 {
		t.Fatalf("drip sweep: %d due, %v", n, err)
	}
	e.waitStatuses("aidrip", phone, "agent:delivered drip:delivered")
	if got := e.bySender("aidrip", phone, "drip"); len(got) != 1 || got[0] != "Just checking in, Ann - any questions?" {
		t.Fatalf("the model's follow-up, normalised to GSM-7: %q", got)
	}
	reqs := e.fake.replyRequests()
	if len(reqs) != 1 || !strings.Contains(string(reqs[0].Body), "has not answered") {
		t.Fatalf("the follow-up request must say the contact has not answered: %d requests", len(reqs))
	}
}
