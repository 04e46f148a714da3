package app_test

// End-to-end stories of voice calling on the sandbox voice platform: the real server, the
// call dispatcher and the calling gate, the sandbox's simulated callees (chosen by the last
// four digits of their number, see package sandbox) and the fake language model, driven over
// HTTP and observed through the API. Each story has its own server and database, on every
// backend, and polls with a deadline instead of sleeping.

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/openteli/teli/internal/apitest"
	"github.com/openteli/teli/internal/config"
	"github.com/openteli/teli/internal/jobargs"
	"github.com/openteli/teli/internal/llm/openai/openaitest"
	"github.com/openteli/teli/internal/teli"
)

// Sandbox callees, by the last four digits the sandbox reads.
const (
	leadNoAnswer   = "+13135550001"
	leadVoicemail  = "+13135550003"
	leadDeclines   = "+13135550005"
	leadInterested = "+13135550006"
	leadBlocked    = "+13135550009" // a live person, on the do-not-contact list
	voiceStarting  = "Hi {{first_name}}, this is Alex from Acme Lending."
)

func TestVoiceStories(t *testing.T) {
	stories := []struct {
		name  string
		story func(*testing.T, apitest.Backend)
	}{
		{"CampaignCallsEachLeadAndRedials", voiceStoryCampaign},
		{"SingleCallIsExtracted", voiceStorySingleCall},
		{"InboundCallPlayedInTheSandbox", voiceStoryInbound},
		{"ConcurrencyLimitHoldsAndFinishes", voiceStoryConcurrency},
		{"SMSAgentAsksForACall", voiceStorySMSToVoice},
		{"DoNotCallOutcomeBlocksLaterCalls", voiceStoryDoNotCall},
	}
	for _, b := range apitest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			for _, s := range stories {
				t.Run(s.name, func(t *testing.T) {
					t.Parallel()
					s.story(t, b)
				})
			}
		})
	}
}

// voiceEnv is an aiEnv with a voice agent and a voice number that both answers and places its
// calls with that agent.
type voiceEnv struct {
	*aiEnv
	voiceAgent string // our agent_id
	platformID string // its voice_agent_id on the platform
	number     string
}

func newVoiceEnv(t *testing.T, b apitest.Backend, configure func(*config.Config)) *voiceEnv {
	t.Helper()
	e := &voiceEnv{aiEnv: newAIEnv(t, b, aiOptions{configure: configure})}
	a := e.do("POST", "/v1/agents", fmt.Sprintf(`{"agent_type": "voice", "agent_name": "Alex",
		"starting_message": %q, "prompt": "You are Alex, a mortgage assistant for Acme Lending.",
		"organization_id": %q, "user_id": %q, "extraction_fields": ["appointment_time"],
		"voicemail_message": "Hi {{first_name}}, Alex from Acme here, please call us back."}`,
		voiceStarting, e.org, e.admin), 200)
	e.voiceAgent, e.platformID = a["agent_id"].(string), a["voice_agent_id"].(string)
	n := e.do("POST", "/v1/voice/phone-numbers/create", fmt.Sprintf(`{"area_code": "313", "user_id": %q, "organization_id": %q}`, e.admin, e.org), 200)
	e.number = n["phone_number"].(string)
	e.do("POST", "/v1/voice/phone-numbers/"+url.PathEscape(e.number)+"/update-agent",
		fmt.Sprintf(`{"inbound_agent_id": %q, "outbound_agent_id": %q}`, e.platformID, e.platformID), 200)
	return e
}

// calls lists the organization's calls, newest first: in every status unless query (more
// filters) names one.
func (e *voiceEnv) calls(query string) []map[string]any {
	e.t.Helper()
	path := fmt.Sprintf("/v1/voice/calls?organization_id=%s&user_id=%s&is_admin=true&limit=100", e.org, e.admin)
	if !strings.Contains(query, "call_status=") {
		path += "&call_status=all"
	}
	if query != "" {
		path += "&" + query
	}
	raw := e.do("GET", path, "", 200)["calls"].([]any)
	out := make([]map[string]any, len(raw))
	for i, c := range raw {
		out[i] = c.(map[string]any)
	}
	return out
}

// callsTo lists the calls with one lead, oldest first.
func (e *voiceEnv) callsTo(lead string) []map[string]any {
	var out []map[string]any
	for _, c := range e.calls("") {
		if c["to_number"] == lead || c["from_number"] == lead && c["direction"] == teli.DirectionInbound {
			out = append([]map[string]any{c}, out...)
		}
	}
	return out
}

// statusWithKey sends a request with another API key and returns the status.
func (e *voiceEnv) statusWithKey(key, method, path, body string) int {
	e.t.Helper()
	req, err := http.NewRequest(method, e.base+path, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("X-API-Key", key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// call returns GET /v1/voice/calls/{id}'s call object.
func (e *voiceEnv) call(id string) map[string]any {
	e.t.Helper()
	return e.do("GET", "/v1/voice/calls/"+id, "", 200)["call"].(map[string]any)
}

// summary is "status/reason" of each call with a lead, oldest first.
func (e *voiceEnv) summary(lead string) string {
	var parts []string
	for _, c := range e.callsTo(lead) {
		s := fmt.Sprint(c["call_status"])
		if r, ok := c["disconnection_reason"].(string); ok {
			s += "/" + r
		} else if r, ok := c["status_reason"].(string); ok {
			s += "/" + r
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

// waitSummary waits until the calls with a lead read want.
func (e *voiceEnv) waitSummary(lead, want string) {
	e.t.Helper()
	var got string
	e.waitFor(fmt.Sprintf("the calls to %s read %q", lead, want), func() bool {
		got = e.summary(lead)
		return got == want
	}, func() string { return "they read " + got })
}

// dispatchCalls asks for a call dispatch, as the periodic sweep would.
func (e *voiceEnv) dispatchCalls() {
	e.t.Helper()
	if err := e.app.Store().Enqueue(context.Background(), jobargs.DispatchCalls{}, teli.JobOpts{}); err != nil {
		e.t.Fatal(err)
	}
}

// voiceStoryCampaign: a voice campaign calls each lead once, with the agent's opening line
// rendered for the lead; a person who does not pick up is called again after the shortest
// redial gap, and no more than retry_limit times; a lead on the do-not-contact list is never
// dialled; the campaign completes once every lead is settled, and each ended call's transcript
// is read by the extraction.
func voiceStoryCampaign(t *testing.T, b apitest.Backend) {
	e := newVoiceEnv(t, b, nil)
	// Flagged do_not_call in an SMS campaign: the organization's do-not-contact list holds for
	// calls as for messages.
	e.launch("sms", "", aiLead("+13135550150", "Eve"), fmt.Sprintf(`{"phone_number": %q, "do_not_call": true}`, leadBlocked))
	leads := []string{
		fmt.Sprintf(`{"phone_number": %q, "first_name": "Ann", "loan_amount": "350000"}`, leadInterested),
		fmt.Sprintf(`{"phone_number": %q, "first_name": "Bob"}`, leadDeclines),
		fmt.Sprintf(`{"phone_number": %q, "first_name": "Cat"}`, leadVoicemail),
		fmt.Sprintf(`{"phone_number": %q, "first_name": "Dan"}`, leadNoAnswer),
		fmt.Sprintf(`{"phone_number": %q, "first_name": "Dee"}`, leadBlocked),
	}
	out := e.do("POST", "/v1/voice/campaigns", fmt.Sprintf(`{"campaign_id": "vc1", "voice_agent_id": %q, "agent_outbound_number": %q,
		"organization_id": %q, "user_id": %q, "redial_enabled": true, "redial_config": {"retry_limit": 1, "call_interval_days": 0},
		"leads": [%s]}`, e.platformID, e.number, e.org, e.admin, strings.Join(leads, ",")), 200)
	if out["contacts_count"] != float64(5) || out["invalid_leads_count"] != float64(0) {
		t.Fatalf("launch: %v", out)
	}
	e.waitSummary(leadInterested, "ended/user_hangup")
	e.waitSummary(leadDeclines, "ended/user_hangup")
	e.waitSummary(leadVoicemail, "ended/voicemail_reached")
	e.waitSummary(leadNoAnswer, "not_connected/dial_no_answer queued")
	e.waitSummary(leadBlocked, "blocked/do_not_contact")

	ann := e.callsTo(leadInterested)[0]
	full := e.call(ann["call_id"].(string))
	transcript, _ := full["transcript"].(string)
	if !strings.HasPrefix(transcript, "Agent: Hi Ann, this is Alex from Acme Lending.\nUser: Yes, I'm interested. Tomorrow at 10am works.\nAgent: ") {
		t.Errorf("transcript of the interested lead:\n%s", transcript)
	}
	if objs, _ := full["transcript_object"].([]any); len(objs) != 3 {
		t.Errorf("transcript_object: %v", full["transcript_object"])
	}
	if full["from_number"] != e.number || full["voice_agent_id"] != e.platformID || full["direction"] != "outbound" ||
		full["dynamic_variables"].(map[string]any)["loan_amount"] != "350000" || full["recording_url"] == nil {
		t.Errorf("call object: %v", full)
	}
	voicemail := e.call(e.callsTo(leadVoicemail)[0]["call_id"].(string))
	if got := voicemail["transcript"]; got != "Agent: Hi Cat, Alex from Acme here, please call us back.\n" {
		t.Errorf("voicemail transcript %q", got)
	}
	// Every call with a transcript is read once it ended; the sandbox sends no analysis, so
	// the extraction's judgement stands in.
	e.waitFor("the three conversations are extracted", func() bool {
		for _, lead := range []string{leadInterested, leadDeclines, leadVoicemail} {
			if e.call(e.callsTo(lead)[0]["call_id"].(string))["extracted_at"] == nil {
				return false
			}
		}
		return true
	})
	if v := e.call(e.callsTo(leadVoicemail)[0]["call_id"].(string)); v["in_voicemail"] != true {
		t.Errorf("voicemail call's in_voicemail: %v", v["in_voicemail"])
	}

	camp := e.do("GET", "/v1/voice/campaigns/vc1", "", 200)
	if p := camp["progress"].(map[string]any); p["total"] != float64(5) || p["completed"] != float64(4) || camp["status"] != "active" {
		t.Fatalf("before the redial: %v", camp)
	}
	// The redial is due 15 minutes after the call that did not connect.
	dan := e.callsTo(leadNoAnswer)
	first, err := e.app.Store().GetCall(context.Background(), dan[1]["tenant_id"].(string), dan[0]["call_id"].(string))
	if err != nil {
		t.Fatal(err)
	}
	redial, err := e.app.Store().GetCall(context.Background(), first.TenantID, dan[1]["call_id"].(string))
	if err != nil {
		t.Fatal(err)
	}
	if want := first.EndedAt.Add(15 * time.Minute); !redial.NotBefore.Equal(want) || redial.Attempt != 2 || redial.From != e.number {
		t.Errorf("redial: not before %s (want %s), attempt %d, from %s", redial.NotBefore, want, redial.Attempt, redial.From)
	}
	e.clock.Advance(16 * time.Minute)
	e.dispatchCalls()
	e.waitSummary(leadNoAnswer, "not_connected/dial_no_answer not_connected/dial_no_answer")
	e.waitFor("the campaign completes", func() bool {
		camp = e.do("GET", "/v1/voice/campaigns/vc1", "", 200)
		return camp["status"] == "completed"
	}, func() string { return fmt.Sprint(camp) })
	if p := camp["progress"].(map[string]any); p["completed"] != float64(5) || p["pending"] != float64(0) {
		t.Errorf("completed campaign's progress: %v", p)
	}
	// Exactly the calls above: one per lead, two to the one who never picked up, none placed
	// twice (the sandbox holds one call per call id).
	if all := e.calls(""); len(all) != 6 {
		t.Errorf("%d calls in the history, want 6", len(all))
	}
	ended := e.calls("call_status=ended")
	if len(ended) != 3 {
		t.Errorf("%d ended calls, want 3", len(ended))
	}
	e.fake.checkValid(t)
}

// voiceStorySingleCall: one call to try an agent, outside any campaign, is placed at once,
// and what the extraction read from it is served by both extraction endpoints and filters the
// history by success and sentiment.
func voiceStorySingleCall(t *testing.T, b apitest.Backend) {
	e := newVoiceEnv(t, b, nil)
	e.fake.pushExtraction(openaitest.Reply{Content: `{"extracted_fields": {"appointment_time": "Tomorrow at 10am"},
		"lead_outcome": "qualified", "objective_met": true, "do_not_message": false, "call_transferred": false,
		"call_scheduled": true, "call_scheduled_time": "Tomorrow at 10am", "call_successful": true, "user_sentiment": "Positive"}`})
	placed := e.do("POST", "/v1/voice/calls", fmt.Sprintf(`{"from_number": %q, "to_number": %q, "voice_agent_id": %q,
		"dynamic_variables": {"first_name": "Vic"}}`, e.number, leadInterested, e.platformID), 201)
	id := placed["call_id"].(string)
	if placed["call_status"] != "queued" || len(id) != len("call_")+27 {
		t.Fatalf("placed: %v", placed)
	}
	e.waitFor("the call is read", func() bool { return e.call(id)["extracted_at"] != nil })
	x := e.do("GET", "/v1/voice/calls/"+id+"/extractions", "", 200)
	if x["call_status"] != "ended" || x["call_successful"] != true || x["lead_outcome"] != "qualified" ||
		x["extracted_fields"].(map[string]any)["appointment_time"] != "Tomorrow at 10am" {
		t.Errorf("extraction: %v", x)
	}
	if cfg := x["extraction_config"].([]any); len(cfg) != 1 || cfg[0] != "appointment_time" {
		t.Errorf("extraction_config: %v", cfg)
	}
	byPhone := e.do("GET", "/v1/voice/extractions/phone/"+url.PathEscape(leadInterested)+"?organization_id="+e.org, "", 200)
	if list := byPhone["extractions"].([]any); len(list) != 1 || list[0].(map[string]any)["call_id"] != id {
		t.Errorf("extractions by phone: %v", byPhone)
	}
	call := e.call(id)
	an, _ := call["call_analysis"].(map[string]any)
	if an["call_successful"] != true || an["user_sentiment"] != "Positive" {
		t.Errorf("call_analysis: %v", call["call_analysis"])
	}
	if got := e.calls("call_successful=true&user_sentiment=Positive"); len(got) != 1 {
		t.Errorf("successful positive calls: %d", len(got))
	}
	if got := e.calls("user_sentiment=Negative"); len(got) != 0 {
		t.Errorf("negative calls: %d", len(got))
	}
	if !strings.Contains(call["transcript"].(string), "Agent: Hi Vic, this is Alex") {
		t.Errorf("transcript: %s", call["transcript"])
	}
	// A regular user sees only their own calls, and may not claim is_admin.
	uma := e.do("POST", "/v1/organizations/"+e.org+"/users", `{"name": "Uma User", "email": "uma@example.com"}`, 200)["user"].(map[string]any)["unique_id"].(string)
	if got := e.do("GET", "/v1/voice/calls?call_status=all&organization_id="+e.org+"&user_id="+uma, "", 200)["count"]; got != float64(0) {
		t.Errorf("a regular user sees %v calls of the admin's", got)
	}
	e.do("GET", "/v1/voice/calls?call_status=all&is_admin=true&organization_id="+e.org+"&user_id="+uma, "", 403)
	// Another tenant finds none of it.
	if _, err := e.app.Tenancy().CreateTenant(context.Background(), "other", "Other partner"); err != nil {
		t.Fatal(err)
	}
	_, otherKey, err := e.app.Tenancy().CreateAPIKey(context.Background(), "other", "test")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []struct{ method, path, body string }{
		{"GET", "/v1/voice/calls/" + id, ""},
		{"GET", "/v1/voice/calls/" + id + "/extractions", ""},
		{"POST", "/v1/sandbox/calls/" + id + "/say", `{"text": "hi"}`},
		{"POST", "/v1/sandbox/calls/" + id + "/hangup", ""},
		{"POST", "/v1/voice/phone-numbers/" + url.PathEscape(e.number) + "/update-agent", `{"nickname": "mine"}`},
		{"DELETE", "/v1/voice/phone-numbers/" + url.PathEscape(e.number), ""},
	} {
		if status := e.statusWithKey(otherKey, r.method, r.path, r.body); status != 404 {
			t.Errorf("%s %s with another tenant's key: %d, want 404", r.method, r.path, status)
		}
	}
	// The history's default is ended calls; this one is ended.
	if got := e.do("GET", "/v1/voice/calls?organization_id="+e.org+"&user_id="+e.admin+"&is_admin=true", "", 200)["count"]; got != float64(1) {
		t.Errorf("ended calls by default: %v", got)
	}
}

// voiceStoryInbound: a person calls the number; its inbound agent answers with its opening
// line, answers what the person says (the model writes the reply), and the call is in the
// history as inbound once the person hangs up. A number with no inbound agent leaves the call
// unanswered, and says so in the history.
func voiceStoryInbound(t *testing.T, b apitest.Backend) {
	e := newVoiceEnv(t, b, nil)
	const caller = "+13135550150"
	e.fake.pushReply(openaitest.Reply{Content: "We're open nine to five, Monday to Friday."})
	dial := e.do("POST", "/v1/sandbox/calls", fmt.Sprintf(`{"from": %q, "to": %q}`, caller, e.number), 200)
	id, _ := dial["call_id"].(string)
	if dial["answered"] != true || id == "" || dial["call_status"] != "ongoing" || dial["transcript"] != "Agent: Hi there, this is Alex from Acme Lending.\n" {
		t.Fatalf("dial: %v", dial)
	}
	said := e.do("POST", "/v1/sandbox/calls/"+id+"/say", `{"text": "What are your hours?"}`, 200)
	if said["agent_reply"] != "We're open nine to five, Monday to Friday." {
		t.Errorf("agent's reply: %v", said)
	}
	e.do("POST", "/v1/sandbox/calls/"+id+"/hangup", "", 200)
	e.do("POST", "/v1/sandbox/calls/"+id+"/say", `{"text": "Hello?"}`, 409)
	e.waitFor("the inbound call has ended", func() bool { return e.call(id)["call_status"] == "ended" })
	got := e.call(id)
	want := "Agent: Hi there, this is Alex from Acme Lending.\nUser: What are your hours?\nAgent: We're open nine to five, Monday to Friday.\n"
	if got["transcript"] != want || got["direction"] != "inbound" || got["from_number"] != caller || got["disconnection_reason"] != "user_hangup" {
		t.Errorf("inbound call: %v", got)
	}
	if list := e.calls("direction=inbound"); len(list) != 1 || list[0]["call_id"] != id {
		t.Errorf("inbound history: %v", list)
	}
	// The model saw the agent's prompt and the conversation so far.
	reqs := e.fake.replyRequests()
	if len(reqs) != 1 || !strings.Contains(aiTurns(reqs[0].Chat)[0], "You are Alex") {
		t.Errorf("model requests for the inbound call: %v", len(reqs))
	}

	other := e.do("POST", "/v1/voice/phone-numbers/create", fmt.Sprintf(`{"area_code": "415", "user_id": %q, "organization_id": %q}`, e.admin, e.org), 200)
	dial = e.do("POST", "/v1/sandbox/calls", fmt.Sprintf(`{"from": %q, "to": %q}`, caller, other["phone_number"]), 200)
	if dial["answered"] != false {
		t.Fatalf("a number without an inbound agent answered: %v", dial)
	}
	var unanswered map[string]any
	for _, c := range e.calls("direction=inbound") {
		if c["to_number"] == other["phone_number"] {
			unanswered = c
		}
	}
	if unanswered == nil || unanswered["call_status"] != "not_connected" || unanswered["status_reason"] != "no_inbound_agent" {
		t.Errorf("unanswered inbound call: %v", unanswered)
	}
}

// voiceStoryConcurrency: a campaign limited to 2 live calls places its 8 calls two at a time
// (never three at once), and still calls every lead: calls held for the limit are placed as
// soon as earlier ones end.
func voiceStoryConcurrency(t *testing.T, b apitest.Backend) {
	e := newVoiceEnv(t, b, func(c *config.Config) {
		c.Voice.MaxCallsPerCampaign, c.Voice.MaxCallsPerNumber = 2, 0
		c.Voice.SandboxIdleTimeout = 150 * time.Millisecond
	})
	var leads []string
	for i := range 8 {
		leads = append(leads, fmt.Sprintf(`{"phone_number": "+1313555%04d", "first_name": "L%d"}`, 2000+i, i))
	}
	e.do("POST", "/v1/voice/campaigns", fmt.Sprintf(`{"campaign_id": "busy", "voice_agent_id": %q, "agent_outbound_number": %q,
		"organization_id": %q, "user_id": %q, "leads": [%s]}`, e.platformID, e.number, e.org, e.admin, strings.Join(leads, ",")), 200)
	most := 0
	e.waitFor("every lead is called", func() bool {
		live, ended := 0, 0
		for _, c := range e.calls("") {
			switch c["call_status"] {
			case "registered", "ongoing":
				live++
			case "ended":
				ended++
			}
		}
		most = max(most, live)
		if live < 2 {
			// Held calls wait a few seconds of the app's clock for a place; then a dispatch
			// (the sweep, here) takes them.
			e.clock.Advance(6 * time.Second)
			e.dispatchCalls()
		}
		return ended == 8
	})
	if most > 2 {
		t.Errorf("%d calls were live at once; the campaign's limit is 2", most)
	}
	if most == 0 {
		t.Errorf("no call was ever seen live")
	}
	for _, c := range e.calls("") {
		if c["disconnection_reason"] != "inactivity" {
			t.Errorf("call %v ended with %v", c["call_id"], c["disconnection_reason"])
		}
	}
}

// voiceStorySMSToVoice: an SMS agent that asks for a phone call (request_phone_call) gets one:
// the campaign's voice agent calls the lead from the campaign's outbound number.
func voiceStorySMSToVoice(t *testing.T, b apitest.Backend) {
	e := newVoiceEnv(t, b, nil)
	e.launch("s2v", fmt.Sprintf(`"enable_sms_to_voice": true, "voice_agent_id": %q, "outbound_number": %q`, e.platformID, e.number),
		aiLead(leadInterested, "Ann"))
	e.waitStatuses("s2v", leadInterested, "agent:delivered")
	e.fake.pushReply(openaitest.Reply{
		Content:   "Sure, calling you now.",
		ToolCalls: []openaitest.ToolCallReply{{Name: "request_phone_call", Arguments: `{"reason": "Prefers to talk"}`}},
	})
	e.clock.Advance(time.Minute)
	e.inject(leadInterested, "Can you call me?")
	e.waitSummary(leadInterested, "ended/user_hangup")
	c := e.callsTo(leadInterested)[0]
	if c["from_number"] != e.number || c["voice_agent_id"] != e.platformID {
		t.Errorf("the call: %v", c)
	}
	if got := e.call(c["call_id"].(string))["metadata"].(map[string]any)["purpose"]; got != teli.CallPurposeSMSToVoice {
		t.Errorf("purpose %v", got)
	}
	// A second request in the same thread places no second call.
	e.fake.pushReply(openaitest.Reply{
		Content:   "Calling again.",
		ToolCalls: []openaitest.ToolCallReply{{Name: "request_phone_call", Arguments: `{}`}},
	})
	e.clock.Advance(time.Minute)
	e.inject(leadInterested, "Call me again?")
	e.waitStatuses("s2v", leadInterested, "agent:delivered contact:received agent:delivered contact:received agent:delivered")
	if got := e.summary(leadInterested); got != "ended/user_hangup" {
		t.Errorf("calls after a second request: %s", got)
	}
}

// voiceStoryDoNotCall: a person who asks on a call not to be called again (the extraction reads
// lead_outcome "dnc") joins the organization's do-not-contact list: a later call to them is
// blocked at the calling gate, and so is a campaign's text message.
func voiceStoryDoNotCall(t *testing.T, b apitest.Backend) {
	e := newVoiceEnv(t, b, nil)
	e.fake.pushExtraction(openaitest.Reply{Content: `{"extracted_fields": {}, "lead_outcome": "dnc", "objective_met": false,
		"do_not_message": true, "call_transferred": false, "call_scheduled": false, "call_scheduled_time": "",
		"call_successful": false, "user_sentiment": "Negative"}`})
	first := e.do("POST", "/v1/voice/calls", fmt.Sprintf(`{"from_number": %q, "to_number": %q, "voice_agent_id": %q}`,
		e.number, leadDeclines, e.platformID), 201)["call_id"].(string)
	e.waitFor("the declined call is read", func() bool { return e.call(first)["extracted_at"] != nil })
	if got := e.call(first)["transcript"].(string); !strings.Contains(got, "User: Please don't call me again.") {
		t.Errorf("transcript: %s", got)
	}
	e.do("POST", "/v1/voice/calls", fmt.Sprintf(`{"from_number": %q, "to_number": %q, "voice_agent_id": %q}`,
		e.number, leadDeclines, e.platformID), 201)
	e.waitSummary(leadDeclines, "ended/user_hangup blocked/do_not_contact")
	e.launch("after-call", "", aiLead(leadDeclines, "Bob"))
	e.waitFor("the starting message is blocked", func() bool {
		return strings.HasPrefix(e.statuses("after-call", leadDeclines), "agent:blocked")
	}, func() string { return e.statuses("after-call", leadDeclines) })
}
