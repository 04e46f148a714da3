package carriertest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openteli/teli/internal/carrier"
)

// Harness is one carrier adapter under test, with the hooks the suite needs to drive its
// provider. Hooks left nil mark features the provider cannot be made to show; the tests that
// need them are skipped.
type Harness struct {
	// Carrier is the adapter under test.
	Carrier carrier.Carrier
	// From is a sender number the provider accepts.
	From string
	// FindsSent says FindSent can find messages Send accepted. It is false for carriers whose
	// sends cannot be lost between the call and recording its result; their FindSent must
	// report not found without error.
	FindsSent bool

	// Receiver is where the provider posts webhooks; the carrier must have been built with
	// Receiver.URL as its public URL. Nil for carriers that take no webhooks: their Parse*
	// must then fail with carrier.ErrUnsupported.
	Receiver *Receiver
	// InboundRequest builds a correctly signed inbound-message webhook carrying in, addressed
	// to Receiver, without sending it.
	InboundRequest func(t *testing.T, in carrier.Inbound) *http.Request
	// StatusRequest builds a correctly signed status callback reporting u, addressed to
	// Receiver's status URL for u.MessageID, without sending it.
	StatusRequest func(t *testing.T, u carrier.StatusUpdate) *http.Request
	// DeliverCallbacks makes the provider post every status callback it owes for messages
	// sent so far, and return once they have been answered.
	DeliverCallbacks func(t *testing.T)

	// OptOut makes the provider refuse sends from → to because the recipient unsubscribed.
	OptOut func(t *testing.T, from, to string)
	// Throttle makes the provider rate-limit the next n requests, asking for retryAfter.
	Throttle func(t *testing.T, n int, retryAfter time.Duration)
	// ServerError makes the provider fail the next n requests on its side.
	ServerError func(t *testing.T, n int)
}

// numbers hands out distinct recipients, so one test's opt-out never leaks into another.
var numbers atomic.Int64

// NewRecipient returns a fresh, valid E.164 recipient number (+1 313 555 xxxx).
func NewRecipient() string { return fmt.Sprintf("+1313555%04d", numbers.Add(1)%10000) }

// Run runs the contract suite; newCarrier is called once per subtest for a fresh harness.
func Run(t *testing.T, newCarrier func(t *testing.T) Harness) {
	tests := []struct {
		name string
		run  func(*testing.T, Harness)
	}{
		{"Name", testName},
		{"SendAccepted", testSendAccepted},
		{"FetchUnknown", testFetchUnknown},
		{"InvalidNumber", testInvalidNumber},
		{"BodyRequired", testBodyRequired},
		{"OptedOut", testOptedOut},
		{"Throttled", testThrottled},
		{"ServerError", testServerError},
		{"CanceledContext", testCanceledContext},
		{"FindSent", testFindSent},
		{"AckInbound", testAckInbound},
		{"WebhooksUnsupported", testWebhooksUnsupported},
		{"Inbound", testInbound},
		{"InboundMedia", testInboundMedia},
		{"StatusLifecycle", testStatusLifecycle},
		{"StatusFailed", testStatusFailed},
		{"StatusOutOfOrder", testStatusOutOfOrder},
		{"SignatureRejected", testSignatureRejected},
		{"MalformedWebhooks", testMalformedWebhooks},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newCarrier(t)
			if h.Receiver != nil {
				h.Receiver.Attach(h.Carrier)
			}
			tc.run(t, h)
		})
	}
}

// newMessage is a valid message from the harness's sender to a fresh recipient.
func newMessage(h Harness, id string) carrier.Message {
	return carrier.Message{ID: id, From: h.From, To: NewRecipient(), Body: "Hi! Still looking for a home in Detroit? Reply STOP to opt out."}
}

func testName(t *testing.T, h Harness) {
	name := h.Carrier.Name()
	if name == "" || carrier.InboundURL("", name) != "/webhooks/"+name+"/inbound" {
		t.Fatalf("Name() = %q, want a non-empty URL-safe name", name)
	}
}

func testSendAccepted(t *testing.T, h Harness) {
	ctx := t.Context()
	a, b := newMessage(h, "msg-a"), newMessage(h, "msg-b")
	a.MediaURLs = []string{"https://example.com/house.jpg"}
	sa := mustSend(t, h, a)
	sb := mustSend(t, h, b)
	if sa.ProviderID == sb.ProviderID {
		t.Errorf("two sends got the same provider id %q", sa.ProviderID)
	}
	got, err := h.Carrier.Fetch(ctx, sa.ProviderID)
	if err != nil {
		t.Fatalf("Fetch(%s): %v", sa.ProviderID, err)
	}
	if got.ProviderID != sa.ProviderID || got.Status.Rank() < sa.Status.Rank() {
		t.Errorf("Fetch = %+v after Send = %+v: want the same id and a status no lower", got, sa)
	}
}

func mustSend(t *testing.T, h Harness, m carrier.Message) carrier.Sent {
	t.Helper()
	s, err := h.Carrier.Send(t.Context(), m)
	if err != nil {
		t.Fatalf("Send(%+v): %v", m, err)
	}
	if s.ProviderID == "" || s.Status.Rank() == 0 {
		t.Fatalf("Send = %+v: want a provider id and a known status", s)
	}
	return s
}

func testFetchUnknown(t *testing.T, h Harness) {
	_, err := h.Carrier.Fetch(t.Context(), "SM00000000000000000000000000000bad")
	if !errors.Is(err, carrier.ErrNotFound) {
		t.Fatalf("Fetch(unknown) error = %v, want carrier.ErrNotFound", err)
	}
}

// sendErr sends m and returns its *SendError, failing the test if there is none.
func sendErr(t *testing.T, h Harness, m carrier.Message) *carrier.SendError {
	t.Helper()
	s, err := h.Carrier.Send(t.Context(), m)
	var se *carrier.SendError
	if !errors.As(err, &se) {
		t.Fatalf("Send(%+v) = %+v, %v: want a *carrier.SendError", m, s, err)
	}
	if se.Code == "" || se.Message == "" {
		t.Errorf("SendError %+v lacks Code or Message", se)
	}
	return se
}

func testInvalidNumber(t *testing.T, h Harness) {
	for _, to := range []string{"12", "not a number", h.From} {
		m := newMessage(h, "msg-invalid")
		m.To = to
		se := sendErr(t, h, m)
		if !se.InvalidNumber || se.Retryable || se.OptedOut || carrier.IsRetryable(se) {
			t.Errorf("To %q: %+v, want permanent InvalidNumber", to, se)
		}
	}
}

func testBodyRequired(t *testing.T, h Harness) {
	m := newMessage(h, "msg-empty")
	m.Body = ""
	se := sendErr(t, h, m)
	if se.Retryable || se.OptedOut || se.InvalidNumber {
		t.Errorf("empty message: %+v, want a plain permanent error", se)
	}
}

func testOptedOut(t *testing.T, h Harness) {
	if h.OptOut == nil {
		t.Skip("provider cannot be made to report an opt-out")
	}
	m, other := newMessage(h, "msg-stopped"), newMessage(h, "msg-other")
	h.OptOut(t, m.From, m.To)
	se := sendErr(t, h, m)
	if !se.OptedOut || se.Retryable || se.InvalidNumber {
		t.Errorf("opted-out recipient: %+v, want permanent OptedOut", se)
	}
	mustSend(t, h, other)
}

func testThrottled(t *testing.T, h Harness) {
	if h.Throttle == nil {
		t.Skip("provider cannot be made to rate-limit")
	}
	m := newMessage(h, "msg-throttled")
	h.Throttle(t, 1, 7*time.Second)
	se := sendErr(t, h, m)
	if !carrier.IsRetryable(se) || se.RetryAfter != 7*time.Second || se.Uncertain || se.OptedOut || se.InvalidNumber {
		t.Errorf("rate-limited: %+v, want Retryable with RetryAfter 7s, not Uncertain", se)
	}
	mustSend(t, h, m)
}

func testServerError(t *testing.T, h Harness) {
	if h.ServerError == nil {
		t.Skip("provider cannot be made to fail")
	}
	m := newMessage(h, "msg-5xx")
	h.ServerError(t, 1)
	if se := sendErr(t, h, m); !carrier.IsRetryable(se) || se.OptedOut || se.InvalidNumber {
		t.Errorf("server error: %+v, want Retryable", se)
	}
	mustSend(t, h, m)
}

func testCanceledContext(t *testing.T, h Harness) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if s, err := h.Carrier.Send(ctx, newMessage(h, "msg-canceled")); err == nil {
		t.Fatalf("Send with a canceled context = %+v, want an error", s)
	}
}

func testFindSent(t *testing.T, h Harness) {
	ctx := t.Context()
	since := time.Now()
	m := newMessage(h, "msg-find")
	s := mustSend(t, h, m)
	got, ok, err := h.Carrier.FindSent(ctx, m, since)
	switch {
	case err != nil:
		t.Fatalf("FindSent: %v", err)
	case !h.FindsSent:
		if ok {
			t.Errorf("FindSent = %+v, want not found from a carrier that cannot lose sends", got)
		}
		return
	case !ok || got.ProviderID != s.ProviderID:
		t.Fatalf("FindSent = %+v, %v; want %s", got, ok, s.ProviderID)
	}
	for _, other := range []carrier.Message{{From: m.From, To: m.To, Body: m.Body + "!"}, {From: m.From, To: NewRecipient(), Body: m.Body}} {
		if got, ok, err := h.Carrier.FindSent(ctx, other, since); err != nil || ok {
			t.Errorf("FindSent(%+v) = %+v, %v, %v; want not found", other, got, ok, err)
		}
	}
}

func testAckInbound(t *testing.T, h Harness) {
	rec := httptest.NewRecorder()
	h.Carrier.AckInbound(rec)
	if rec.Code < 200 || rec.Code > 299 {
		t.Errorf("AckInbound status = %d, want 2xx", rec.Code)
	}
}
