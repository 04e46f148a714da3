package app_test

// Stories of text the databases cannot hold (NUL, bytes that are not UTF-8) arriving from where
// the server cannot refuse it: a carrier's webhooks, which bring what a contact's phone sent.
// It is kept, made storable, on either database.

import (
	"net/http"
	"testing"

	"github.com/openteli/teli/internal/apitest"
	"github.com/openteli/teli/internal/carrier/twilio/twiliotest"
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
