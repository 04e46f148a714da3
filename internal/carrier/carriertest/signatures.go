package carriertest

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/openteli/teli/internal/carrier"
)

// forgery is a request built from parts of genuinely signed ones.
type forgery struct {
	name   string
	method string
	url    string
	header http.Header
	body   []byte
}

// parts splits a request into what a forger can copy.
func parts(t *testing.T, req *http.Request) (http.Header, []byte) {
	t.Helper()
	body, err := io.ReadAll(req.Body)
	if err != nil {
		t.Fatal(err)
	}
	return req.Header.Clone(), body
}

// signatureHeaders are the headers a provider adds beyond a plain form post.
func signatureHeaders(h http.Header) []string {
	var out []string
	for k := range h {
		switch k {
		case "Content-Type", "Content-Length", "User-Agent", "Accept-Encoding":
		default:
			out = append(out, k)
		}
	}
	return out
}

// testSignatureRejected posts unsigned, forged and tampered webhooks: every one must be
// refused with ErrBadSignature (answered 403), and none may reach Teli.
func testSignatureRejected(t *testing.T, h Harness) {
	needWebhooks(t, h)
	name := h.Carrier.Name()
	inURL := carrier.InboundURL(h.Receiver.URL, name)
	statusURL := carrier.StatusCallbackURL(h.Receiver.URL, name, "msg-sig")
	contact := NewRecipient()
	inHdr, inBody := parts(t, h.InboundRequest(t, carrier.Inbound{From: contact, To: h.From, Body: "yes"}))
	_, otherBody := parts(t, h.InboundRequest(t, carrier.Inbound{From: contact, To: h.From, Body: "STOP"}))
	sid := mustSend(t, h, newMessage(h, "msg-sig")).ProviderID
	stHdr, _ := parts(t, h.StatusRequest(t, carrier.StatusUpdate{MessageID: "msg-sig", ProviderID: sid, Status: carrier.StatusDelivered}))
	_, failedBody := parts(t, h.StatusRequest(t, carrier.StatusUpdate{MessageID: "msg-sig", ProviderID: sid, Status: carrier.StatusFailed, ErrorCode: "30007"}))

	unsigned := http.Header{"Content-Type": inHdr.Values("Content-Type")}
	forged := inHdr.Clone()
	for _, k := range signatureHeaders(forged) {
		forged.Set(k, corrupt(forged.Get(k)))
	}
	for _, f := range []forgery{
		{"unsigned", http.MethodPost, inURL, unsigned, inBody},
		{"forged signature", http.MethodPost, inURL, forged, inBody},
		{"tampered inbound body", http.MethodPost, inURL, inHdr, otherBody},
		{"inbound replayed as status", http.MethodPost, statusURL, inHdr, inBody},
		{"tampered status body", http.MethodPost, statusURL, stHdr, failedBody},
		{"status for another message", http.MethodPost, carrier.StatusCallbackURL(h.Receiver.URL, name, "msg-other"), stHdr, failedBody},
	} {
		req, err := http.NewRequest(f.method, f.url, bytes.NewReader(f.body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header = f.header.Clone()
		if code := do(t, req); code != http.StatusForbidden {
			t.Errorf("%s: answered %d, want 403", f.name, code)
		}
		if err := h.Receiver.NextRejection(t); !errors.Is(err, carrier.ErrBadSignature) {
			t.Errorf("%s: error %v, want carrier.ErrBadSignature", f.name, err)
		}
	}
	if n := h.Receiver.Accepted(); n != 0 {
		t.Errorf("%d forged webhooks were accepted", n)
	}
}

// corrupt changes a signature's first character, keeping its length and alphabet.
func corrupt(v string) string {
	if v == "" {
		return "forged"
	}
	c := byte('A')
	if v[0] == 'A' {
		c = 'B'
	}
	return string(c) + v[1:]
}

// testMalformedWebhooks posts input no provider sends: each must be refused with a 4xx (never
// a panic or a 5xx), and a signed request missing required fields must fail as bad input,
// not as a bad signature.
func testMalformedWebhooks(t *testing.T, h Harness) {
	needWebhooks(t, h)
	inURL := carrier.InboundURL(h.Receiver.URL, h.Carrier.Name())
	statusURL := carrier.StatusCallbackURL(h.Receiver.URL, h.Carrier.Name(), "msg-bad")
	// Over any sane webhook limit, yet under the 256 KiB net/http drains from an unread body,
	// so the refusal reaches the client instead of a reset connection.
	huge := strings.Repeat("Body=x&", 15_000)
	// Real signature headers, so the parser gets past them and meets the bad body.
	sigHdr, _ := parts(t, h.InboundRequest(t, carrier.Inbound{From: NewRecipient(), To: h.From, Body: "hi"}))
	for _, target := range []string{inURL, statusURL} {
		for _, c := range []struct{ method, ctype, body string }{
			{http.MethodPost, "application/x-www-form-urlencoded", "%%zz=%%%"},
			{http.MethodPost, "application/json", `{"From":"+13135550100"}`},
			{http.MethodPost, "application/x-www-form-urlencoded", huge},
			{http.MethodPost, "", ""},
			{http.MethodGet, "", ""},
			{http.MethodPut, "application/x-www-form-urlencoded", "From=%2B1"},
		} {
			req, _ := http.NewRequest(c.method, target, strings.NewReader(c.body))
			req.Header.Set("Content-Type", c.ctype)
			for _, k := range signatureHeaders(sigHdr) {
				req.Header[k] = sigHdr.Values(k)
			}
			if code := do(t, req); code < 400 || code > 499 {
				t.Errorf("%s %s (%s, %d bytes) answered %d, want 4xx", c.method, target, c.ctype, len(c.body), code)
			}
			h.Receiver.NextRejection(t)
		}
	}
	if code := do(t, h.InboundRequest(t, carrier.Inbound{})); code != http.StatusBadRequest {
		t.Errorf("signed inbound without From/To answered %d, want 400", code)
	}
	if err := h.Receiver.NextRejection(t); errors.Is(err, carrier.ErrBadSignature) {
		t.Errorf("signed inbound without From/To: %v, want a bad-input error", err)
	}
	if n := h.Receiver.Accepted(); n != 0 {
		t.Errorf("%d malformed webhooks were accepted", n)
	}
}
