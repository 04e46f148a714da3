package app_test

// Stories of text the databases cannot hold (NUL, bytes that are not UTF-8) arriving from where
// the server cannot refuse it: a carrier's webhooks, which bring what a contact's phone sent,
// and a model's answers. Both are kept, made storable, on either database.

import (
	"net/http"
	"testing"
	"time"

	"github.com/openteli/teli/internal/apitest"
	"github.com/openteli/teli/internal/carrier/twilio/twiliotest"
	"github.com/openteli/teli/internal/llm/openai/openaitest"
)

// TestTwilioWebhookOddBytes: an inbound message with a NUL and bytes that are not UTF-8 is
// taken (empty TwiML), stored with the NUL dropped and the bad bytes as U+FFFD, and processed
// into the thread; a status callback whose error code holds a NUL is applied.
func TestTwilioWebhookOddBytes(t *testing.T) { twEachBackend(t, twWebhookOddBytes) }

func twWebhookOddBytes(t *testing.T, b apitest.Backend) {
	e := newTwilioEnv(t, b, twiliotest.CallbacksAsync)
	const id, from = "tw-bytes", "+13135727768"
	lead := twLead{"+13135550601", "Ann"}
	// The message stays sent, so the callback below shows.
	msgID, sid := e.launchSent(id, from, lead)

	d, err := e.fake.SendInbound(lead.phone, from, "Yes\x00 please \xff\xfe!")
	if err != nil || !twIsTwiMLDelivery(d) {
		t.Fatalf("inbound webhook answered %d %q (%v), want 200 with empty TwiML", d.StatusCode, d.Body, err)
	}
	const stored = "Yes please \uFFFD!"
	e.waitUntil("the reply is in the thread", func() bool {
		return len(twInboundFrom(e.threadMessages(id, lead.phone), stored)) == 1
	})

	statusURL := e.base + "/webhooks/twilio/status/" + msgID
	sreq, err := e.fake.StatusRequest(statusURL, sid, twiliotest.Step{Status: "undelivered", ErrorCode: 30003})
	if err != nil {
		t.Fatal(err)
	}
	params := twFormOf(t, sreq)
	params.Set("ErrorCode", "30003\x00")
	if r := twPostWebhook(t, statusURL, params, twiliotest.Sign(e.fake.AuthToken, statusURL, params)); r.status != http.StatusNoContent {
		t.Errorf("status callback answered %d %q, want 204", r.status, r.body)
	}
	if m := e.message(msgID); m["status"] != "undelivered" || twErrorCode(m) != "30003" {
		t.Errorf("status callback not applied: %v", m)
	}
}

// TestModelTextWithoutNUL: a model's reply and extracted values holding NUL are stored without
// it.
func TestModelTextWithoutNUL(t *testing.T) {
	for _, b := range apitest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			e := newAIEnv(t, b, aiOptions{})
			const lead = "+13135550602"
			e.launch("nul", "", aiLead(lead, "Nia"))
			e.waitStatuses("nul", lead, "agent:delivered")
			e.fake.pushReply(openaitest.Reply{Content: "Sure\x00, rates start at 5.9%."})
			e.fake.pushExtraction(openaitest.Reply{Content: `{"extracted_fields": {"credit_score": "7\u000020"},
				"lead_outcome": "pending", "objective_met": false, "do_not_message": false, "call_transferred": false,
				"call_scheduled": false, "call_scheduled_time": "\u0000"}`})
			e.clock.Advance(time.Minute)
			e.inject(lead, "What rates?")
			e.waitStatuses("nul", lead, "agent:delivered contact:received agent:delivered")
			if got := e.bySender("nul", lead, "agent")[1]; got != "Sure, rates start at 5.9%." {
				t.Errorf("the model's reply is stored as %q", got)
			}
			e.waitFor("the extraction is stored", func() bool { return e.extraction("nul", lead)["extraction"] != nil })
			x := e.extraction("nul", lead)["extraction"].(map[string]any)
			if f := x["extracted_fields"].(map[string]any); f["credit_score"] != "720" || x["call_scheduled_time"] != nil {
				t.Errorf("the extraction is stored as %v", x)
			}
		})
	}
}
