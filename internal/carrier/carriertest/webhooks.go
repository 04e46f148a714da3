package carriertest

import (
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/openteli/teli/internal/carrier"
)

// needWebhooks skips tests of webhooks for carriers that take none.
func needWebhooks(t *testing.T, h Harness) {
	t.Helper()
	if h.Receiver == nil {
		t.Skip("carrier takes no webhooks")
	}
}

func testWebhooksUnsupported(t *testing.T, h Harness) {
	if h.Receiver != nil {
		t.Skip("carrier takes webhooks")
	}
	req, _ := http.NewRequest(http.MethodPost, "http://teli.test/webhooks/x/inbound", strings.NewReader("From=%2B1"))
	if _, err := h.Carrier.ParseInbound(req); !errors.Is(err, carrier.ErrUnsupported) {
		t.Errorf("ParseInbound error = %v, want carrier.ErrUnsupported", err)
	}
	if _, err := h.Carrier.ParseStatus(req); !errors.Is(err, carrier.ErrUnsupported) {
		t.Errorf("ParseStatus error = %v, want carrier.ErrUnsupported", err)
	}
}

// do sends req and returns the response status, failing the test on a transport error.
func do(t *testing.T, req *http.Request) int {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp.StatusCode
}

func testInbound(t *testing.T, h Harness) {
	needWebhooks(t, h)
	want := carrier.Inbound{From: NewRecipient(), To: h.From, Body: "Olá! Yes + 2 bedrooms & a yard = 🙂"}
	if code := do(t, h.InboundRequest(t, want)); code < 200 || code > 299 {
		t.Fatalf("signed inbound webhook answered %d, want 2xx", code)
	}
	got := h.Receiver.NextInbound(t)
	if got.ProviderID == "" || got.From != want.From || got.To != want.To || got.Body != want.Body || len(got.MediaURLs) != 0 {
		t.Errorf("ParseInbound = %+v, want %+v with a provider id", got, want)
	}
}

func testInboundMedia(t *testing.T, h Harness) {
	needWebhooks(t, h)
	want := carrier.Inbound{From: NewRecipient(), To: h.From, MediaURLs: []string{
		"https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1",
		"https://example.com/kitchen.png",
	}}
	if code := do(t, h.InboundRequest(t, want)); code < 200 || code > 299 {
		t.Fatalf("signed inbound MMS answered %d, want 2xx", code)
	}
	got := h.Receiver.NextInbound(t)
	if got.Body != "" || !slices.Equal(got.MediaURLs, want.MediaURLs) {
		t.Errorf("ParseInbound = %+v, want body %q and media %v", got, want.Body, want.MediaURLs)
	}
}

// testStatusLifecycle sends a message and reads the provider's callbacks until a final status:
// each must name the message (Teli id from the URL, provider id from the body), and applying
// them by rank must end final.
func testStatusLifecycle(t *testing.T, h Harness) {
	needWebhooks(t, h)
	if h.DeliverCallbacks == nil {
		t.Skip("provider posts no status callbacks")
	}
	m := newMessage(h, "msg-lifecycle 1")
	s := mustSend(t, h, m)
	h.DeliverCallbacks(t)
	current := s.Status
	for !current.Final() {
		u := h.Receiver.NextStatus(t)
		if u.MessageID != m.ID || u.ProviderID != s.ProviderID || u.Status.Rank() == 0 {
			t.Fatalf("status update %+v, want message %q, provider id %s, a known status", u, m.ID, s.ProviderID)
		}
		if u.Status.Supersedes(current) {
			current = u.Status
		}
	}
}

func testStatusFailed(t *testing.T, h Harness) {
	needWebhooks(t, h)
	want := carrier.StatusUpdate{MessageID: "msg-failed", ProviderID: mustSend(t, h, newMessage(h, "msg-failed")).ProviderID, Status: carrier.StatusFailed, ErrorCode: "30003"}
	if code := do(t, h.StatusRequest(t, want)); code < 200 || code > 299 {
		t.Fatalf("signed status callback answered %d, want 2xx", code)
	}
	got := h.Receiver.NextStatus(t)
	got.ErrorMessage = ""
	if got != want {
		t.Errorf("ParseStatus = %+v, want %+v", got, want)
	}
}

// testStatusOutOfOrder posts delivered, then a late sent, then delivered again: every one is
// accepted (callbacks share the provider id, so none may be dropped as a duplicate), and the
// rank keeps the message delivered.
func testStatusOutOfOrder(t *testing.T, h Harness) {
	needWebhooks(t, h)
	sid := mustSend(t, h, newMessage(h, "msg-ooo")).ProviderID
	current := carrier.StatusQueued
	for _, st := range []carrier.Status{carrier.StatusDelivered, carrier.StatusSent, carrier.StatusDelivered} {
		u := carrier.StatusUpdate{MessageID: "msg-ooo", ProviderID: sid, Status: st}
		if code := do(t, h.StatusRequest(t, u)); code < 200 || code > 299 {
			t.Fatalf("status %s answered %d, want 2xx", st, code)
		}
		if got := h.Receiver.NextStatus(t); got.Status.Supersedes(current) {
			current = got.Status
		}
	}
	if current != carrier.StatusDelivered {
		t.Errorf("after delivered, sent, delivered the message is %s, want delivered", current)
	}
}
