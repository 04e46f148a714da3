package twilio_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/openteli/teli/internal/carrier"
	"github.com/openteli/teli/internal/carrier/twilio"
	"github.com/openteli/teli/internal/carrier/twilio/twiliotest"
)

func TestInboundIsAckedWithEmptyTwiML(t *testing.T) {
	r := newRig(t, twiliotest.CallbacksManual, nil)
	d, err := r.fake.SendInbound("+13135550120", sender, "Is it still available?")
	if err != nil {
		t.Fatal(err)
	}
	want := `<?xml version="1.0" encoding="UTF-8"?><Response></Response>`
	if d.StatusCode != http.StatusOK || d.ContentType != "text/xml" || d.Body != want {
		t.Errorf("inbound answered %d %q %q, want 200 text/xml %q", d.StatusCode, d.ContentType, d.Body, want)
	}
	if in := r.rcv.NextInbound(t); in.ProviderID != d.Params.Get("MessageSid") || in.Body != "Is it still available?" {
		t.Errorf("ParseInbound = %+v", in)
	}
}

// Twilio's own opt-out list (contracts.md §1.9) must surface as OptedOut on the next send.
func TestTwilioStopBlocksSends(t *testing.T) {
	r := newRig(t, twiliotest.CallbacksManual, nil)
	contact := "+13135550121"
	m := carrier.Message{ID: "m", From: sender, To: contact, Body: "hi"}
	for _, step := range []struct {
		inbound string
		optOut  bool
	}{{"Stop please", false}, {" sToP ", true}, {"START", false}, {"optout", true}} {
		if _, err := r.fake.SendInbound(contact, sender, step.inbound); err != nil {
			t.Fatal(err)
		}
		_, err := r.carrier.Send(t.Context(), m)
		var se *carrier.SendError
		if got := errors.As(err, &se) && se.OptedOut; got != step.optOut {
			t.Errorf("after %q: Send error %v, want opted out %v", step.inbound, err, step.optOut)
		}
	}
}

func TestCallbacksAsyncArriveInOrder(t *testing.T) {
	r := newRig(t, twiliotest.CallbacksAsync, nil)
	s, err := r.carrier.Send(t.Context(), carrier.Message{ID: "m-async", From: sender, To: "+13135550122", Body: "hi"})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []carrier.Status{carrier.StatusQueued, carrier.StatusSent, carrier.StatusDelivered} {
		if u := r.rcv.NextStatus(t); u.Status != want || u.ProviderID != s.ProviderID || u.MessageID != "m-async" {
			t.Errorf("callback %+v, want %s for %s", u, want, s.ProviderID)
		}
	}
	r.fake.Wait()
	checkDelivered(t, r.fake.Deliveries())
}

// In sync mode every callback is answered before Send returns: Teli sees callbacks for a
// message whose provider id it has not recorded yet, which is why the URL names the message.
func TestCallbacksSyncBeatTheResponse(t *testing.T) {
	r := newRig(t, twiliotest.CallbacksSync, nil)
	to := "+13135550123"
	r.fake.SetScript(to, twiliotest.Step{Status: "queued"}, twiliotest.Step{Status: "failed", ErrorCode: 30007}, twiliotest.Step{Status: "failed", ErrorCode: 30007})
	if _, err := r.carrier.Send(t.Context(), carrier.Message{ID: "m-sync", From: sender, To: to, Body: "hi"}); err != nil {
		t.Fatal(err)
	}
	if n := r.rcv.Accepted(); n != 3 {
		t.Fatalf("%d callbacks received before Send returned, want 3", n)
	}
	for range 3 {
		r.rcv.NextStatus(t)
	}
}

// signedRequest builds a request as Twilio would send it to a server reached at publicURL,
// signing signURL (which may differ from what the server sees, as behind a proxy).
func signedRequest(method, target, signURL string, params url.Values) *http.Request {
	var body io.Reader
	if method == http.MethodPost {
		body = strings.NewReader(params.Encode())
	}
	req := httptest.NewRequest(method, target, body)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	req.Header.Set("X-Twilio-Signature", twiliotest.Sign("tok", signURL, params))
	return req
}

func newParser(t *testing.T, publicURL string) *twilio.Carrier {
	t.Helper()
	c, err := twilio.New(twilio.Config{AccountSID: "AC1", AuthToken: "tok", PublicURL: publicURL})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestSignedURLReconstruction(t *testing.T) {
	p := url.Values{"MessageSid": {"SM1"}, "From": {"+13135550124"}, "To": {sender}, "Body": {"hi"}}
	for name, c := range map[string]struct{ public, target, signed string }{
		"behind a proxy with a path prefix": {"https://teli.example.com/sms", "/webhooks/twilio/inbound", "https://teli.example.com/sms/webhooks/twilio/inbound"},
		"signed with the default port":      {"https://teli.example.com", "/webhooks/twilio/inbound", "https://teli.example.com:443/webhooks/twilio/inbound"},
		"query string kept verbatim":        {"https://teli.example.com", "/webhooks/twilio/inbound?a=%7E&b=1", "https://teli.example.com/webhooks/twilio/inbound?a=%7E&b=1"},
	} {
		req := signedRequest(http.MethodPost, c.target, c.signed, p)
		if _, err := newParser(t, c.public).ParseInbound(req); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestGETWebhookSignsTheURLOnly(t *testing.T) {
	q := url.Values{"MessageSid": {"SM2"}, "From": {"+13135550125"}, "To": {sender}, "Body": {"hi there"}, "MediaUrl0": {"https://m/1"}}
	target := "/webhooks/twilio/inbound?" + q.Encode()
	req := signedRequest(http.MethodGet, target, "https://teli.example.com"+target, nil)
	in, err := newParser(t, "https://teli.example.com").ParseInbound(req)
	if err != nil || in.Body != "hi there" || len(in.MediaURLs) != 1 {
		t.Errorf("ParseInbound(GET) = %+v, %v", in, err)
	}
}

func TestParseStatusDetails(t *testing.T) {
	c := newParser(t, "https://teli.example.com")
	for name, tc := range map[string]struct {
		path   string
		params url.Values
		want   carrier.StatusUpdate
	}{
		"legacy names, zero error": {"/webhooks/twilio/status/m%2F1", url.Values{"SmsSid": {"SM3"}, "SmsStatus": {"sent"}, "ErrorCode": {"0"}},
			carrier.StatusUpdate{ProviderID: "SM3", MessageID: "m/1", Status: carrier.StatusSent}},
		"no message id in the URL": {"/webhooks/twilio/status", url.Values{"MessageSid": {"SM4"}, "MessageStatus": {"undelivered"}, "ErrorCode": {"30005"}, "ErrorMessage": {"Unknown destination"}},
			carrier.StatusUpdate{ProviderID: "SM4", Status: carrier.StatusUndelivered, ErrorCode: "30005", ErrorMessage: "Unknown destination"}},
		"unknown extra parameters": {"/webhooks/twilio/status/m2", url.Values{"MessageSid": {"SM5"}, "MessageStatus": {"delivered"}, "RawDlrDoneDate": {"2603011230"}, "ChannelPrefix": {"sms"}},
			carrier.StatusUpdate{ProviderID: "SM5", MessageID: "m2", Status: carrier.StatusDelivered}},
	} {
		req := signedRequest(http.MethodPost, tc.path, "https://teli.example.com"+tc.path, tc.params)
		if got, err := c.ParseStatus(req); err != nil || got != tc.want {
			t.Errorf("%s: ParseStatus = %+v, %v; want %+v", name, got, err, tc.want)
		}
	}
}

func TestParseLeavesBodyReadable(t *testing.T) {
	p := url.Values{"MessageSid": {"SM6"}, "From": {"+13135550126"}, "To": {sender}, "Body": {"keep me"}}
	req := signedRequest(http.MethodPost, "/webhooks/twilio/inbound", "https://teli.example.com/webhooks/twilio/inbound", p)
	if _, err := newParser(t, "https://teli.example.com").ParseInbound(req); err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(req.Body); string(b) != p.Encode() {
		t.Errorf("body after parsing = %q, want %q", b, p.Encode())
	}
}

// Hand-built requests with odd parts: errors, never panics.
func TestParseOddRequests(t *testing.T) {
	c := newParser(t, "https://teli.example.com")
	noBody := &http.Request{Method: http.MethodPost, URL: &url.URL{Path: "/webhooks/twilio/inbound"}, Header: http.Header{
		"Content-Type": {"application/x-www-form-urlencoded"}, "X-Twilio-Signature": {"x"},
	}}
	big := signedRequest(http.MethodPost, "/webhooks/twilio/inbound", "https://teli.example.com/webhooks/twilio/inbound", url.Values{"Body": {strings.Repeat("a", 70_000)}})
	for name, req := range map[string]*http.Request{"nil body": noBody, "oversized": big} {
		if _, err := c.ParseInbound(req); err == nil {
			t.Errorf("%s: ParseInbound accepted it", name)
		}
		if _, err := c.ParseStatus(req); err == nil {
			t.Errorf("%s: ParseStatus accepted it", name)
		}
	}
}
