package twilio_test

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/openteli/teli/internal/carrier"
	"github.com/openteli/teli/internal/carrier/carriertest"
	"github.com/openteli/teli/internal/carrier/twilio"
	"github.com/openteli/teli/internal/carrier/twilio/twiliotest"
)

// sender is the Twilio number the fake account owns.
const sender = "+13135550000"

// rig is the adapter wired to a fake Twilio and a webhook receiver, over real HTTP.
type rig struct {
	fake    *twiliotest.Server
	rcv     *carriertest.Receiver
	carrier *twilio.Carrier
}

// newRig starts a receiver and a fake Twilio that posts to it, and builds the adapter.
func newRig(t *testing.T, mode twiliotest.CallbackMode, edit func(*twilio.Config)) rig {
	t.Helper()
	rcv := carriertest.NewReceiver(t)
	fake := twiliotest.New(t, twiliotest.Options{
		Numbers:    []string{sender},
		Callbacks:  mode,
		InboundURL: carrier.InboundURL(rcv.URL, twilio.Name),
	})
	cfg := twilio.Config{AccountSID: fake.AccountSID, AuthToken: fake.AuthToken, BaseURL: fake.URL, PublicURL: rcv.URL}
	if edit != nil {
		edit(&cfg)
	}
	c, err := twilio.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	rcv.Attach(c)
	return rig{fake: fake, rcv: rcv, carrier: c}
}

func TestContract(t *testing.T) {
	carriertest.Run(t, func(t *testing.T) carriertest.Harness {
		r := newRig(t, twiliotest.CallbacksManual, nil)
		return carriertest.Harness{
			Carrier:   r.carrier,
			From:      sender,
			FindsSent: true,
			Receiver:  r.rcv,
			InboundRequest: func(t *testing.T, in carrier.Inbound) *http.Request {
				req, err := r.fake.InboundRequest(in.From, in.To, in.Body, in.MediaURLs...)
				if err != nil {
					t.Fatal(err)
				}
				return req
			},
			StatusRequest: func(t *testing.T, u carrier.StatusUpdate) *http.Request {
				code, _ := strconv.Atoi(u.ErrorCode)
				target := carrier.StatusCallbackURL(r.rcv.URL, twilio.Name, u.MessageID)
				req, err := r.fake.StatusRequest(target, u.ProviderID, twiliotest.Step{Status: string(u.Status), ErrorCode: code})
				if err != nil {
					t.Fatal(err)
				}
				return req
			},
			DeliverCallbacks: func(t *testing.T) { checkDelivered(t, r.fake.DeliverCallbacks()) },
			OptOut:           func(_ *testing.T, from, to string) { r.fake.Unsubscribe(from, to) },
			Throttle:         func(_ *testing.T, n int, after time.Duration) { r.fake.ThrottleNext(n, after) },
			ServerError:      func(_ *testing.T, n int) { r.fake.ServerErrorNext(n) },
		}
	})
}

// checkDelivered fails the test unless every webhook was answered 2xx.
func checkDelivered(t *testing.T, ds []twiliotest.Delivery) {
	t.Helper()
	for _, d := range ds {
		if d.Err != nil || d.StatusCode < 200 || d.StatusCode > 299 {
			t.Errorf("webhook to %s: %d %v %s", d.URL, d.StatusCode, d.Err, d.Body)
		}
	}
}
