package app

import (
	"strings"
	"testing"
	"time"

	"github.com/openteli/teli/internal/carrier"
	sandboxcarrier "github.com/openteli/teli/internal/carrier/sandbox"
	"github.com/openteli/teli/internal/carrier/twilio"
	"github.com/openteli/teli/internal/carrier/twilio/twiliotest"
	"github.com/openteli/teli/internal/clock"
	"github.com/openteli/teli/internal/config"
	"github.com/openteli/teli/internal/ids"
)

func TestNewCarrierSandbox(t *testing.T) {
	c, err := NewCarrier(config.Defaults(), &ids.Sequence{}, clock.System{})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := c.(*sandboxcarrier.Carrier); !ok || c.Name() != sandboxcarrier.Name {
		t.Fatalf("NewCarrier(defaults) = %T %q, want the sandbox", c, c.Name())
	}
	// The sandbox draws its provider ids from the IDSource it was given.
	sent, err := c.Send(t.Context(), carrier.Message{ID: "m1", From: "+13135550000", To: "+15551234567", Body: "hi"})
	if err != nil {
		t.Fatal(err)
	}
	if sent.ProviderID != "SBX00000000000000000000000000000001" || sent.Status != carrier.StatusDelivered {
		t.Fatalf("Send = %+v", sent)
	}
}

func TestNewCarrierTwilioSendsThroughTheAPI(t *testing.T) {
	fake := twiliotest.New(t, twiliotest.Options{Callbacks: twiliotest.CallbacksManual})
	cfg := config.Defaults()
	cfg.Carrier = config.CarrierTwilio
	cfg.PublicURL = "https://teli.example.com"
	cfg.TwilioAccountSID = fake.AccountSID
	cfg.TwilioAuthToken = fake.AuthToken
	cfg.TwilioBaseURL = fake.URL
	cfg.CarrierTimeout = 5 * time.Second
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	c, err := NewCarrier(cfg, &ids.Sequence{}, clock.NewManual(time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := c.(*twilio.Carrier); !ok || c.Name() != twilio.Name {
		t.Fatalf("NewCarrier(twilio) = %T %q, want the Twilio adapter", c, c.Name())
	}
	m := carrier.Message{ID: "msg_1", From: "+13135550000", To: "+15551234567", Body: "Hello from Teli"}
	sent, err := c.Send(t.Context(), m)
	if err != nil {
		t.Fatal(err)
	}
	got := fake.Messages()
	if len(got) != 1 {
		t.Fatalf("fake Twilio holds %d messages, want 1", len(got))
	}
	g := got[0]
	if g.Sid != sent.ProviderID || g.From != m.From || g.To != m.To || g.Body != m.Body {
		t.Errorf("fake recorded %+v; Send returned %+v", g, sent)
	}
	// The callback URL proves PublicURL reached the adapter.
	if want := "https://teli.example.com/webhooks/twilio/status/msg_1"; g.StatusCallback != want {
		t.Errorf("status callback = %q, want %q", g.StatusCallback, want)
	}
}

func TestNewCarrierRejectsBadSettings(t *testing.T) {
	cfg := config.Defaults()
	cfg.Carrier = "pigeon"
	if _, err := NewCarrier(cfg, &ids.Sequence{}, clock.System{}); err == nil || !strings.Contains(err.Error(), "TELI_CARRIER") {
		t.Fatalf("unknown carrier: %v", err)
	}
	cfg = config.Defaults()
	cfg.Carrier = config.CarrierTwilio
	cfg.TwilioAuthToken = "tok-secret-xyz"
	_, err := NewCarrier(cfg, &ids.Sequence{}, clock.System{})
	if err == nil || !strings.Contains(err.Error(), "twilio") {
		t.Fatalf("twilio without credentials: %v", err)
	}
	if strings.Contains(err.Error(), "tok-secret-xyz") {
		t.Fatalf("error leaks the auth token: %v", err)
	}
}
