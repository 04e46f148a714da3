package carrier_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/openteli/teli/internal/carrier"
)

func TestRankIsMonotonicAlongTheLifecycle(t *testing.T) {
	lifecycle := []carrier.Status{carrier.StatusAccepted, carrier.StatusQueued, carrier.StatusSending, carrier.StatusSent, carrier.StatusDelivered, carrier.StatusRead}
	for i := 1; i < len(lifecycle); i++ {
		if !lifecycle[i].Supersedes(lifecycle[i-1]) || lifecycle[i-1].Supersedes(lifecycle[i]) {
			t.Errorf("%s must outrank %s and not the other way round", lifecycle[i], lifecycle[i-1])
		}
	}
	verdicts := []carrier.Status{carrier.StatusDelivered, carrier.StatusUndelivered, carrier.StatusFailed, carrier.StatusCanceled, carrier.StatusReceived}
	for _, f := range verdicts {
		if !f.Final() || !f.Supersedes(carrier.StatusSent) || !carrier.StatusRead.Supersedes(f) {
			t.Errorf("%s must be final, outrank sent, and be outranked only by read", f)
		}
		// The first verdict wins: no verdict replaces another, and none replaces itself.
		for _, g := range verdicts {
			if g.Supersedes(f) {
				t.Errorf("%s must not replace %s", g, f)
			}
		}
	}
	for _, s := range []carrier.Status{carrier.StatusAccepted, carrier.StatusQueued, carrier.StatusSending, carrier.StatusSent, "scheduled", ""} {
		if s.Final() {
			t.Errorf("%q must not be final", s)
		}
	}
	if carrier.Status("partially_delivered").Supersedes(carrier.StatusAccepted) || carrier.Status("x").Rank() != 0 {
		t.Error("unknown statuses must rank 0 and replace nothing")
	}
}

func TestWebhookURLs(t *testing.T) {
	for _, base := range []string{"https://teli.example.com", "https://teli.example.com/"} {
		if got := carrier.InboundURL(base, "twilio"); got != "https://teli.example.com/webhooks/twilio/inbound" {
			t.Errorf("InboundURL(%q) = %s", base, got)
		}
	}
	for id, want := range map[string]string{
		"01HX":        "https://t.example/p/webhooks/twilio/status/01HX",
		"msg 1/ä?#":   "https://t.example/p/webhooks/twilio/status/msg%201%2F%C3%A4%3F%23",
		"a%2Fb":       "https://t.example/p/webhooks/twilio/status/a%252Fb",
		"1700000000x": "https://t.example/p/webhooks/twilio/status/1700000000x",
	} {
		got := carrier.StatusCallbackURL("https://t.example/p", "twilio", id)
		if got != want {
			t.Errorf("StatusCallbackURL(%q) = %s, want %s", id, got, want)
		}
		path := got[len("https://t.example"):]
		if back := carrier.StatusMessageID(path); back != id {
			t.Errorf("StatusMessageID(%s) = %q, want %q", path, back, id)
		}
	}
	for _, path := range []string{"/webhooks/twilio/inbound", "/webhooks/twilio/status/", "/webhooks/twilio/status/a/b", "/status/%zz"} {
		if id := carrier.StatusMessageID(path); id != "" {
			t.Errorf("StatusMessageID(%s) = %q, want empty", path, id)
		}
	}
}

func TestSendError(t *testing.T) {
	se := &carrier.SendError{Code: "20429", Message: "Too Many Requests", Retryable: true, RetryAfter: time.Second}
	wrapped := fmt.Errorf("send msg_1: %w", se)
	if !carrier.IsRetryable(wrapped) || wrapped.Error() != "send msg_1: carrier error 20429: Too Many Requests" {
		t.Errorf("wrapped SendError: %v, retryable %v", wrapped, carrier.IsRetryable(wrapped))
	}
	for _, err := range []error{nil, errors.New("boom"), &carrier.SendError{Code: "21610", OptedOut: true}} {
		if carrier.IsRetryable(err) {
			t.Errorf("IsRetryable(%v) = true", err)
		}
	}
}
