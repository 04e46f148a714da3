package app_test

// End-to-end stories of the real server configured with TELI_CARRIER=twilio, talking over real
// HTTP to the in-process fake Twilio (internal/carrier/twilio/twiliotest): the fake receives
// Teli's REST calls and posts signed status callbacks and inbound webhooks to Teli's public URL.
// Every story runs on each backend of apitest.Backends() and observes only the Teli API and
// what the fake recorded; it polls with a deadline and never sleeps to let things happen.

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/openteli/teli/internal/apitest"
	"github.com/openteli/teli/internal/app"
	"github.com/openteli/teli/internal/carrier/twilio/twiliotest"
	"github.com/openteli/teli/internal/config"
)

// Consent texts as the organization's contacts receive them (the server runs with the default
// texts).
var (
	twOptOutText = strings.ReplaceAll(config.DefaultOptOutText, "{{organization}}", twOrgName)
	twOptInText  = strings.ReplaceAll(config.DefaultOptInText, "{{organization}}", twOrgName)
	twHelpText   = strings.ReplaceAll(config.DefaultHelpText, "{{organization}}", twOrgName)
)

// twEachBackend runs a story on every backend. Stories run in parallel with each other: each has
// its own server, port, database and fake Twilio.
func twEachBackend(t *testing.T, story func(*testing.T, apitest.Backend)) {
	t.Parallel()
	for _, b := range apitest.Backends() {
		t.Run(b.Name, func(t *testing.T) { story(t, b) })
	}
}

// twOutcome is where a message should end: its status and carrier error code.
type twOutcome struct{ status, code string }

// twDeliveryScript is the status-callback script of the i-th lead of the launch story, and the
// outcome Teli must settle on however the callbacks are ordered or repeated.
func twDeliveryScript(i int) ([]twiliotest.Step, twOutcome) {
	st := func(status string, code int) twiliotest.Step { return twiliotest.Step{Status: status, ErrorCode: code} }
	switch {
	case i%5 == 0: // delivered arrives before sent
		return []twiliotest.Step{st("delivered", 0), st("sent", 0)}, twOutcome{"delivered", ""}
	case i%5 == 1: // every step twice
		return []twiliotest.Step{st("queued", 0), st("sent", 0), st("sent", 0), st("delivered", 0), st("delivered", 0)}, twOutcome{"delivered", ""}
	case i%5 == 2 && i < 10: // the handset is unreachable
		return []twiliotest.Step{st("queued", 0), st("sent", 0), st("undelivered", 30003)}, twOutcome{"undelivered", "30003"}
	case i%5 == 2: // unknown destination, then a late sent and a repeat of the verdict
		return []twiliotest.Step{st("sent", 0), st("undelivered", 30005), st("sent", 0), st("undelivered", 30005)}, twOutcome{"undelivered", "30005"}
	case i == 4: // never left Twilio
		return []twiliotest.Step{st("queued", 0), st("failed", 30008)}, twOutcome{"failed", "30008"}
	default: // queued → sent → delivered
		return nil, twOutcome{"delivered", ""}
	}
}

// TestTwilioCampaignDelivery launches a campaign of 20 leads: each gets exactly one starting
// message at Twilio with the campaign's number and its own text, and the status callbacks —
// in order, reversed, repeated, or reporting 30003/30005/30008 — leave each message in the
// right final status with the right error code. The campaign completes.
func TestTwilioCampaignDelivery(t *testing.T) { twEachBackend(t, twCampaignDelivery) }

func twCampaignDelivery(t *testing.T, b apitest.Backend) {
	// Callbacks are held until every send is recorded, so each script arrives whole, in its
	// own order, after Teli has the message as sent.
	e := newTwilioEnv(t, b, twiliotest.CallbacksManual)
	const id, from = "tw-launch", "+13135727768"
	leads := make([]twLead, 20)
	want, firstOf := map[string]twOutcome{}, map[string]string{}
	callbacks := 0
	for i := range leads {
		leads[i] = twLead{phone: fmt.Sprintf("+1313555%04d", 100+i), first: fmt.Sprintf("Lead%d", i)}
		steps, outcome := twDeliveryScript(i)
		if steps != nil {
			e.fake.SetScript(leads[i].phone, steps...)
		} else {
			steps = twiliotest.DefaultScript()
		}
		callbacks += len(steps)
		want[leads[i].phone], firstOf[leads[i].phone] = outcome, leads[i].first
	}
	e.launch(id, from, leads)

	byPhone := e.waitStatus(id, len(leads), "sent")
	if got := e.campaignStatus(id); got != "COMPLETED" {
		t.Errorf("campaign status %s once every starting message is sent, want COMPLETED", got)
	}

	// Exactly one create request per lead reached Twilio, with the right sender, text and
	// callback URL, and Teli recorded Twilio's sid.
	got := e.fake.Messages()
	if len(got) != len(leads) {
		t.Errorf("Twilio holds %d messages, want %d", len(got), len(leads))
	}
	perTo := map[string]int{}
	for _, m := range got {
		perTo[m.To]++
		teliMsg, ok := byPhone[m.To]
		if !ok {
			t.Errorf("Twilio got a message for %s, who is not a lead", m.To)
			continue
		}
		if m.From != from || m.Body != twStartingFor(firstOf[m.To]) || m.Direction != "outbound-api" {
			t.Errorf("Twilio message to %s: from %s, body %q, direction %s", m.To, m.From, m.Body, m.Direction)
		}
		if want := e.base + "/webhooks/twilio/status/" + teliMsg["message_id"].(string); m.StatusCallback != want {
			t.Errorf("status callback %q, want %q", m.StatusCallback, want)
		}
		if teliMsg["provider_message_id"] != m.Sid {
			t.Errorf("Teli recorded provider id %v for %s, Twilio's sid is %s", teliMsg["provider_message_id"], m.To, m.Sid)
		}
	}
	for _, l := range leads {
		if perTo[l.phone] != 1 {
			t.Errorf("%s got %d starting messages at Twilio, want 1", l.phone, perTo[l.phone])
		}
	}

	// Twilio posts every callback; Teli takes each (any 2xx ends Twilio's delivery).
	deliveries := e.fake.DeliverCallbacks()
	if len(deliveries) != callbacks {
		t.Errorf("Twilio posted %d status callbacks, want %d", len(deliveries), callbacks)
	}
	for _, d := range deliveries {
		if d.Err != nil || d.StatusCode < 200 || d.StatusCode > 299 {
			t.Errorf("status callback %s %s answered %d %q (%v)", d.URL, d.Params.Get("MessageStatus"), d.StatusCode, d.Body, d.Err)
		}
	}

	// The callbacks were applied before they were answered, so the outcome is final now.
	for _, m := range e.campaignMessages(id) {
		phone := m["phone_number"].(string)
		w := want[phone]
		if m["status"] != w.status || twErrorCode(m) != w.code {
			t.Errorf("campaign messages: %s ends %v (error_code %v), want %s (%q)", phone, m["status"], m["error_code"], w.status, w.code)
		}
		one := e.message(m["message_id"].(string))
		if one["status"] != w.status || twErrorCode(one) != w.code || one["provider"] != "twilio" {
			t.Errorf("GET /v1/messages: %s ends %v (error_code %v, provider %v), want %s (%q)", phone, one["status"], one["error_code"], one["provider"], w.status, w.code)
		}
	}
	if got := e.campaignStatus(id); got != "COMPLETED" {
		t.Errorf("campaign status %s after the callbacks, want COMPLETED", got)
	}
}

// TestTwilioCallbacksBeatSendResponse: Twilio can post a message's status callbacks before it
// answers the create request (spec: "the callback can beat the send's HTTP response"). The
// final status, and the carrier's error code with it, must survive the dispatcher recording
// the send afterwards.
func TestTwilioCallbacksBeatSendResponse(t *testing.T) { twEachBackend(t, twCallbacksBeatSendResponse) }

func twCallbacksBeatSendResponse(t *testing.T, b apitest.Backend) {
	e := newTwilioEnv(t, b, twiliotest.CallbacksSync)
	const id, from = "tw-race", "+13135727768"
	leads := []twLead{{"+13135550401", "Ann"}, {"+13135550402", "Bob"}, {"+13135550403", "Cy"}}
	want := map[string]twOutcome{
		leads[0].phone: {"delivered", ""},
		leads[1].phone: {"undelivered", "30003"},
		leads[2].phone: {"failed", "30008"},
	}
	e.fake.SetScript(leads[1].phone, twiliotest.Step{Status: "queued"}, twiliotest.Step{Status: "sent"}, twiliotest.Step{Status: "undelivered", ErrorCode: 30003})
	e.fake.SetScript(leads[2].phone, twiliotest.Step{Status: "queued"}, twiliotest.Step{Status: "failed", ErrorCode: 30008})
	e.launch(id, from, leads)

	// The callbacks are in before the sends return; the campaign completes in the transaction
	// that records the sends, so once it is COMPLETED the dispatcher has had its say too.
	e.waitUntil("the dispatcher recorded the sends", func() bool { return e.campaignStatus(id) == "COMPLETED" })
	byPhone := e.waitStatus(id, len(leads), "delivered", "undelivered", "failed")
	for phone, w := range want {
		m := byPhone[phone]
		if m["status"] != w.status || twErrorCode(m) != w.code {
			t.Errorf("%s ends %v with error_code %v, want %s with %q", phone, m["status"], m["error_code"], w.status, w.code)
		}
	}
	for _, d := range e.fake.Deliveries() {
		if d.StatusCode != http.StatusNoContent {
			t.Errorf("status callback answered %d %q (%v)", d.StatusCode, d.Body, d.Err)
		}
	}
}

// TestTwilioInboundReply: a contact's reply arrives as Twilio's signed inbound webhook; Teli
// answers with empty TwiML and records the reply in the thread once, even when Twilio delivers
// the same webhook twice.
func TestTwilioInboundReply(t *testing.T) { twEachBackend(t, twInboundReply) }

func twInboundReply(t *testing.T, b apitest.Backend) {
	e := newTwilioEnv(t, b, twiliotest.CallbacksAsync)
	const id, from = "tw-reply", "+13135727768"
	lead := twLead{"+13135550201", "Ann"}
	e.launch(id, from, []twLead{lead})
	e.waitStatus(id, 1, "delivered")

	const text = "Yes! What rates do you have?"
	d, err := e.fake.SendInbound(lead.phone, from, text)
	if err != nil {
		t.Fatal(err)
	}
	if d.URL != e.base+"/webhooks/twilio/inbound" || !twIsTwiMLDelivery(d) {
		t.Fatalf("inbound webhook %s answered %d %q %q, want 200 with empty TwiML", d.URL, d.StatusCode, d.ContentType, d.Body)
	}
	var reply map[string]any
	e.waitUntil("the reply is in the thread", func() bool {
		got := twInboundFrom(e.threadMessages(id, lead.phone), text)
		if len(got) > 0 {
			reply = got[0]
		}
		return len(got) > 0
	})
	if reply["sender"] != "contact" || reply["status"] != "received" || reply["phone_number"] != lead.phone {
		t.Errorf("reply recorded as %v", reply)
	}
	one := e.message(reply["message_id"].(string))
	if one["from_number"] != lead.phone || one["to_number"] != from || one["provider_message_id"] != d.Params.Get("MessageSid") {
		t.Errorf("GET /v1/messages shows the reply as %v", one)
	}

	// Twilio retries a webhook it thinks failed: the very same signed request arrives again.
	again := twPostWebhook(t, d.URL, d.Params, twiliotest.Sign(e.fake.AuthToken, d.URL, d.Params))
	if !again.isTwiML() {
		t.Errorf("replayed webhook answered %d %q %q, want 200 with empty TwiML", again.status, again.contentType, again.body)
	}
	// A later reply is processed after the replay was taken; once it shows, a duplicate of the
	// first would have shown too.
	const later = "Also, is there an application fee?"
	if d2, err := e.fake.SendInbound(lead.phone, from, later); err != nil || !twIsTwiMLDelivery(d2) {
		t.Fatalf("second inbound webhook answered %d %q (%v)", d2.StatusCode, d2.Body, err)
	}
	e.waitUntil("the later reply is in the thread", func() bool {
		return len(twInboundFrom(e.threadMessages(id, lead.phone), later)) == 1
	})
	msgs := e.threadMessages(id, lead.phone)
	if n := len(twInboundFrom(msgs, text)); n != 1 {
		t.Errorf("the reply delivered twice is recorded %d times, want once", n)
	}
	if n := len(twInboundFrom(msgs, "")); n != 2 {
		t.Errorf("thread holds %d inbound messages, want 2: %v", n, msgs)
	}
}

// TestTwilioForgedWebhooks: webhooks not signed by the account's auth token, or whose signature
// does not cover what arrived, are refused with 403 and change nothing.
func TestTwilioForgedWebhooks(t *testing.T) { twEachBackend(t, twForgedWebhooks) }

func twForgedWebhooks(t *testing.T, b apitest.Backend) {
	e := newTwilioEnv(t, b, twiliotest.CallbacksAsync)
	const id, from = "tw-forged", "+13135727768"
	lead := twLead{"+13135550501", "Ann"}
	// The message stays sent, so a forged verdict would show.
	msgID, sid := e.launchSent(id, from, lead)

	inboundURL := e.base + "/webhooks/twilio/inbound"
	forbidden := func(what string, r twWebhookReply) {
		t.Helper()
		if r.status != http.StatusForbidden {
			t.Errorf("%s: answered %d %q, want 403", what, r.status, r.body)
		}
	}
	// An inbound STOP without X-Twilio-Signature (it would suppress the contact if taken).
	req, err := e.fake.InboundRequest(lead.phone, from, "STOP")
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Del("X-Twilio-Signature")
	forbidden("unsigned inbound", twDoWebhook(t, req))
	// One signed with another account's token.
	params := url.Values{"MessageSid": {"SM" + strings.Repeat("ab", 16)}, "AccountSid": {e.fake.AccountSID},
		"From": {lead.phone}, "To": {from}, "Body": {"forged: wrong token"}, "NumMedia": {"0"}}
	forbidden("inbound signed with another token", twPostWebhook(t, inboundURL, params, twiliotest.Sign("some-other-token", inboundURL, params)))
	// A genuine signature over a body that was changed on the way.
	req, err = e.fake.InboundRequest(lead.phone, from, "Sounds good")
	if err != nil {
		t.Fatal(err)
	}
	tampered := twFormOf(t, req)
	tampered.Set("Body", "forged: tampered body")
	forbidden("inbound with a tampered body", twPostWebhook(t, inboundURL, tampered, req.Header.Get("X-Twilio-Signature")))

	// Status callbacks: a wrong token, and a genuine signature for another message's URL.
	statusURL := e.base + "/webhooks/twilio/status/" + msgID
	sreq, err := e.fake.StatusRequest(statusURL, sid, twiliotest.Step{Status: "undelivered", ErrorCode: 30003})
	if err != nil {
		t.Fatal(err)
	}
	sparams := twFormOf(t, sreq)
	forbidden("status callback signed with another token", twPostWebhook(t, statusURL, sparams, twiliotest.Sign("some-other-token", statusURL, sparams)))
	forbidden("status callback without signature", twPostWebhook(t, statusURL, sparams, ""))
	otherURL := e.base + "/webhooks/twilio/status/msg_0123456789abcdef01234567"
	forbidden("status callback signed for another URL", twPostWebhook(t, statusURL, sparams, twiliotest.Sign(e.fake.AuthToken, otherURL, sparams)))

	// Nothing was recorded: a genuine inbound, processed after the forged ones were refused, is
	// the only one in the thread, and the contact is not opted out.
	const genuine = "Who is this?"
	if d, err := e.fake.SendInbound(lead.phone, from, genuine); err != nil || !twIsTwiMLDelivery(d) {
		t.Fatalf("genuine inbound answered %d %q (%v)", d.StatusCode, d.Body, err)
	}
	e.waitUntil("the genuine inbound is in the thread", func() bool {
		return len(twInboundFrom(e.threadMessages(id, lead.phone), genuine)) == 1
	})
	if in := twInboundFrom(e.threadMessages(id, lead.phone), ""); len(in) != 1 {
		t.Errorf("thread holds %d inbound messages, want only the genuine one: %v", len(in), in)
	}
	if c := e.contact(id, lead.phone); c["opted_out"] != false {
		t.Errorf("a forged STOP changed the contact: %v", c)
	}
	if m := e.message(msgID); m["status"] != "sent" || m["error_code"] != nil {
		t.Errorf("a forged status callback changed the message: %v", m)
	}
	// The same callback, genuinely signed, is taken: the refusals were about the signature.
	sreq, err = e.fake.StatusRequest(statusURL, sid, twiliotest.Step{Status: "undelivered", ErrorCode: 30003})
	if err != nil {
		t.Fatal(err)
	}
	if r := twDoWebhook(t, sreq); r.status != http.StatusNoContent {
		t.Errorf("genuine status callback answered %d %q", r.status, r.body)
	}
	if m := e.message(msgID); m["status"] != "undelivered" || twErrorCode(m) != "30003" {
		t.Errorf("genuine status callback not applied: %v", m)
	}
}

// TestTwilioStopStartHelp: STOP by signed inbound webhook suppresses the contact in every
// campaign of the organization, is confirmed once (a second STOP is not), makes manual sends
// fail with 400; START lifts it with one confirmation; HELP gets the help text.
//
// The webhooks are posted as Twilio posts them for a number without Twilio's built-in keyword
// handling (a short code outside a Messaging Service, say), so Teli's own confirmations are the
// ones the contact gets. TestTwilioStopUnderTwilioOptOut covers the built-in handling.
func TestTwilioStopStartHelp(t *testing.T) { twEachBackend(t, twStopStartHelp) }

func twStopStartHelp(t *testing.T, b apitest.Backend) {
	e := newTwilioEnv(t, b, twiliotest.CallbacksAsync)
	const idA, fromA = "tw-stop-a", "+13135727768"
	const idB, fromB = "tw-stop-b", "+13135727769"
	x, y := twLead{"+13135550301", "Sam"}, twLead{"+13135550302", "Kim"}
	e.launch(idA, fromA, []twLead{x})
	e.waitStatus(idA, 1, "delivered")

	text := func(body string) {
		t.Helper()
		req, err := e.fake.InboundRequest(x.phone, fromA, body)
		if err != nil {
			t.Fatal(err)
		}
		if r := twDoWebhook(t, req); !r.isTwiML() {
			t.Fatalf("inbound %q answered %d %q %q, want 200 with empty TwiML", body, r.status, r.contentType, r.body)
		}
	}

	text("STOP")
	e.waitUntil("the opt-out confirmation reaches Twilio", func() bool { return e.sentBody(x.phone, twOptOutText) == 1 })
	e.waitUntil("the opt-out confirmation is delivered", func() bool {
		c := twOutboundWith(e.threadMessages(idA, x.phone), twOptOutText)
		return len(c) == 1 && c[0]["status"] == "delivered"
	})
	if c := e.contact(idA, x.phone); c["opted_out"] != true || c["status"] != "opted_out" {
		t.Errorf("after STOP the contact shows %v", c)
	}
	if m := e.sentTo(x.phone); m[len(m)-1].From != fromA {
		t.Errorf("confirmation sent from %s, want the number the contact texted (%s)", m[len(m)-1].From, fromA)
	}

	// A second STOP: recorded, no second confirmation (the reply would be queued in the same
	// transaction that records the inbound message).
	text("stop")
	e.waitUntil("the second STOP is in the thread", func() bool {
		return len(twInboundFrom(e.threadMessages(idA, x.phone), "stop")) == 1
	})
	if c := twOutboundWith(e.threadMessages(idA, x.phone), twOptOutText); len(c) != 1 {
		t.Errorf("%d opt-out confirmations queued after two STOPs, want 1", len(c))
	}

	// No one may text the contact now, a person included.
	e.do("POST", "/v1/sms/send", fmt.Sprintf(`{"campaign_id": %q, "phone_number": %q, "message": "Are you sure?"}`, idA, x.phone), 400)

	// A campaign launched afterwards, from another number, does not text the contact either.
	e.launch(idB, fromB, []twLead{x, y})
	msgsB := e.waitStatus(idB, 2, "blocked", "delivered")
	if m := msgsB[x.phone]; m["status"] != "blocked" || m["status_reason"] != "opted_out" {
		t.Errorf("second campaign's starting message to the opted-out contact: %v", m)
	}
	if m := msgsB[y.phone]; m["status"] != "delivered" {
		t.Errorf("second campaign's starting message to another contact: %v", m)
	}
	if c := e.contact(idB, x.phone); c["opted_out"] != true {
		t.Errorf("second campaign shows the contact as %v", c)
	}
	e.waitUntil("the second campaign completes", func() bool { return e.campaignStatus(idB) == "COMPLETED" })
	for _, m := range e.sentTo(x.phone) {
		if m.From == fromB {
			t.Errorf("Twilio got a message to the opted-out contact from the second campaign: %q", m.Body)
		}
	}

	// START lifts the suppression and is confirmed once.
	text("START")
	e.waitUntil("the opt-in confirmation reaches Twilio", func() bool { return e.sentBody(x.phone, twOptInText) == 1 })
	if c := e.contact(idA, x.phone); c["opted_out"] != false {
		t.Errorf("after START the contact shows %v", c)
	}
	if c := e.contact(idB, x.phone); c["opted_out"] != false {
		t.Errorf("after START the second campaign shows the contact as %v", c)
	}

	// HELP gets the help text.
	text("HELP")
	e.waitUntil("the help text reaches Twilio", func() bool { return e.sentBody(x.phone, twHelpText) == 1 })

	// A person may text the contact again.
	const manual = "Welcome back, Sam! Want to pick up where we left off?"
	e.do("POST", "/v1/sms/send", fmt.Sprintf(`{"campaign_id": %q, "phone_number": %q, "message": %q}`, idA, x.phone, manual), 200)
	e.waitUntil("the manual text reaches Twilio", func() bool { return e.sentBody(x.phone, manual) == 1 })

	// Everything the contact got, in all: the starting message, one confirmation each, the help
	// text and the person's message.
	if n := e.sentBody(x.phone, twOptOutText); n != 1 {
		t.Errorf("%d opt-out confirmations reached Twilio, want 1", n)
	}
	if n := len(e.sentTo(x.phone)); n != 5 {
		t.Errorf("Twilio got %d messages for the contact, want 5", n)
	}
	if n := e.sentBody(x.phone, twOptInText); n != 1 {
		t.Errorf("%d opt-in confirmations reached Twilio, want 1", n)
	}
}

// TestTwilioStopUnderTwilioOptOut: with Twilio's built-in opt-out handling (the default for
// long codes), Twilio blocks the number pair itself before forwarding the STOP and sends its own
// confirmation, so Teli's is refused with 21610. Teli records that refusal once and never retries
// it; START through Twilio lifts both blocks and Teli's opt-in confirmation gets through once.
func TestTwilioStopUnderTwilioOptOut(t *testing.T) { twEachBackend(t, twStopUnderTwilioOptOut) }

func twStopUnderTwilioOptOut(t *testing.T, b apitest.Backend) {
	e := newTwilioEnv(t, b, twiliotest.CallbacksAsync)
	const id, from = "tw-optout", "+13135727768"
	x := twLead{"+13135550601", "Lee"}
	e.launch(id, from, []twLead{x})
	e.waitStatus(id, 1, "delivered")

	if d, err := e.fake.SendInbound(x.phone, from, "Stop"); err != nil || !twIsTwiMLDelivery(d) {
		t.Fatalf("STOP webhook answered %d %q (%v)", d.StatusCode, d.Body, err)
	}
	var confirmation map[string]any
	e.waitUntil("Teli's opt-out confirmation is settled", func() bool {
		c := twOutboundWith(e.threadMessages(id, x.phone), twOptOutText)
		if len(c) == 1 && c[0]["status"] != "queued" && c[0]["status"] != "sending" {
			confirmation = c[0]
		}
		return confirmation != nil
	})
	if confirmation["status"] != "blocked" || confirmation["status_reason"] != "carrier_opted_out" || twErrorCode(confirmation) != "21610" {
		t.Errorf("confirmation refused by Twilio with 21610 recorded as %v", confirmation)
	}
	if n := e.sentBody(x.phone, twOptOutText); n != 0 {
		t.Errorf("Twilio accepted %d opt-out confirmations from Teli despite its own block", n)
	}
	if c := e.contact(id, x.phone); c["opted_out"] != true {
		t.Errorf("after STOP the contact shows %v", c)
	}

	if d, err := e.fake.SendInbound(x.phone, from, "START"); err != nil || !twIsTwiMLDelivery(d) {
		t.Fatalf("START webhook answered %d %q (%v)", d.StatusCode, d.Body, err)
	}
	e.waitUntil("the opt-in confirmation is delivered", func() bool {
		c := twOutboundWith(e.threadMessages(id, x.phone), twOptInText)
		return len(c) == 1 && c[0]["status"] == "delivered"
	})
	if n := e.sentBody(x.phone, twOptInText); n != 1 {
		t.Errorf("%d opt-in confirmations reached Twilio, want 1", n)
	}
	if c := e.contact(id, x.phone); c["opted_out"] != false {
		t.Errorf("after START the contact shows %v", c)
	}
	// The refused confirmation stayed refused: it was never tried again.
	if c := twOutboundWith(e.threadMessages(id, x.phone), twOptOutText); len(c) != 1 || c[0]["status"] != "blocked" {
		t.Errorf("opt-out confirmation now %v", c)
	}
}

// TestTwilio429Burst: Twilio answers the first sends of a launch with 429 (20429), some with a
// Retry-After header and some without. The throttled messages wait — max(Retry-After, 5 s) —
// and are then sent; every lead gets its starting message exactly once.
//
// Retry times are on Teli's clock, the manual one here, and the test moves it. What sends the
// messages once they are due is a dispatch job, and jobs run on River's real clock: the wake-up
// the dispatcher schedules is dated on the manual clock, in the real past, so River runs it at
// once, finds nothing due yet, and it is spent. The periodic dispatch sweep (every
// app.SweepInterval, real time) is what picks the messages up after the clock moves, as it would
// pick up any wait whose wake-up was lost; a short send lease makes the sweep run every 1.25 s.
// In production the wake-up itself fires when the wait ends, Retry-After or 5 s after the 429.
func TestTwilio429Burst(t *testing.T) { twEachBackend(t, tw429Burst) }

func tw429Burst(t *testing.T, b apitest.Backend) {
	fast := func(c *config.Config) {
		c.CarrierTimeout, c.SendLease = 2*time.Second, 2500*time.Millisecond
		t.Logf("dispatch sweep every %s", app.SweepInterval(*c))
	}
	e := newTwilioEnv(t, b, twiliotest.CallbacksAsync, fast)
	const id, from = "tw-burst", "+13135727768"
	leads := make([]twLead, 8)
	for i := range leads {
		leads[i] = twLead{phone: fmt.Sprintf("+1313555%04d", 700+i), first: fmt.Sprintf("Lead%d", i)}
	}
	e.fake.ThrottleNext(2, 20*time.Second) // with Retry-After: 20
	e.fake.ThrottleNext(2, 0)              // without: Teli waits its own 5 s
	e.launch(id, from, leads)

	count := func() (delivered, waiting int) {
		for _, m := range e.campaignMessages(id) {
			switch {
			case m["status"] == "delivered":
				delivered++
			case m["status"] == "queued" && m["status_reason"] == "carrier_retry:20429":
				waiting++
			}
		}
		return delivered, waiting
	}
	settled := func(wantDelivered, wantWaiting int) func() bool {
		return func() bool {
			d, w := count()
			return d == wantDelivered && w == wantWaiting
		}
	}
	e.waitUntil("4 starting messages delivered and 4 waiting after 429", settled(4, 4))
	if got := e.campaignStatus(id); got != "ACTIVE" {
		t.Errorf("campaign is %s while starting messages wait, want ACTIVE", got)
	}

	// 5 s on: the two throttled without Retry-After are due and go; the two told to wait 20 s
	// cannot be due before the clock moves again, however often the sweep runs.
	e.clock.Advance(5 * time.Second)
	e.waitUntil("6 delivered and 2 still waiting for Retry-After", settled(6, 2))

	// 20 s on: the rest go.
	e.clock.Advance(15 * time.Second)
	e.waitUntil("every starting message delivered", settled(8, 0))
	// A delivered callback can beat the dispatcher's record of the send, which completes the
	// campaign.
	e.waitUntil("the campaign completes", func() bool { return e.campaignStatus(id) == "COMPLETED" })
	perTo := map[string]int{}
	for _, m := range e.fake.Messages() {
		perTo[m.To]++
	}
	for i, l := range leads {
		if perTo[l.phone] != 1 || e.sentBody(l.phone, twStartingFor(fmt.Sprintf("Lead%d", i))) != 1 {
			t.Errorf("%s got %d messages at Twilio, want its starting message once", l.phone, perTo[l.phone])
		}
	}
	if n := len(e.fake.Messages()); n != len(leads) {
		t.Errorf("Twilio holds %d messages, want %d", n, len(leads))
	}
}

// TestTwilioManualSend: a person's message (POST /v1/sms/send) reaches Twilio once with their
// text, is delivered, and the thread becomes human-owned.
func TestTwilioManualSend(t *testing.T) { twEachBackend(t, twManualSend) }

func twManualSend(t *testing.T, b apitest.Backend) {
	e := newTwilioEnv(t, b, twiliotest.CallbacksAsync)
	const id, from = "tw-manual", "+13135727768"
	x := twLead{"+13135550801", "Sam"}
	e.launch(id, from, []twLead{x})
	e.waitStatus(id, 1, "delivered")
	if c := e.contact(id, x.phone); c["human_takeover"] != false || c["ai_active"] != true {
		t.Fatalf("before the manual send the contact shows %v", c)
	}

	const text = "Hi Sam, Jane from Acme here. Do you have 5 minutes for a call today?"
	res := e.do("POST", "/v1/sms/send", fmt.Sprintf(`{"campaign_id": %q, "phone_number": %q, "message": %q, "user_id": %q}`,
		id, x.phone, text, e.userID), 200)
	msgID, _ := res["message_id"].(string)
	if msgID == "" || res["human_takeover"] != true || res["phone_number"] != x.phone {
		t.Fatalf("POST /v1/sms/send answered %v", res)
	}
	var m map[string]any
	e.waitUntil("the manual message is delivered", func() bool {
		m = e.message(msgID)
		return m["status"] == "delivered"
	})
	if n := e.sentBody(x.phone, text); n != 1 {
		t.Fatalf("Twilio got the manual text %d times, want once", n)
	}
	var sent twiliotest.Message
	for _, s := range e.sentTo(x.phone) {
		if s.Body == text {
			sent = s
		}
	}
	if sent.From != from || sent.StatusCallback != e.base+"/webhooks/twilio/status/"+msgID {
		t.Errorf("Twilio got the manual text from %s with callback %s", sent.From, sent.StatusCallback)
	}
	if m["sender"] != "human" || m["provider_message_id"] != sent.Sid || m["sent_by_user_id"] != e.userID || m["message"] != text {
		t.Errorf("GET /v1/messages shows the manual message as %v", m)
	}
	if n := len(e.sentTo(x.phone)); n != 2 {
		t.Errorf("Twilio got %d messages for the contact, want the starting message and the manual one", n)
	}
	if c := e.contact(id, x.phone); c["human_takeover"] != true || c["ai_active"] != false || c["status"] != "human_takeover" {
		t.Errorf("after the manual send the contact shows %v", c)
	}
	if got := twOutboundWith(e.threadMessages(id, x.phone), text); len(got) != 1 || got[0]["sender"] != "human" {
		t.Errorf("thread shows the manual message as %v", got)
	}
}
