package twilio

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"

	"github.com/openteli/teli/internal/carrier"
)

// maxWebhookBody caps a webhook body; Twilio's are a few kilobytes (a 1,600-character body and
// some dozens of short parameters).
const maxWebhookBody = 64 << 10

// maxMedia is the most attachments Twilio forwards with one message.
const maxMedia = 10

// emptyTwiML acknowledges an inbound message without replying inline.
const emptyTwiML = `<?xml version="1.0" encoding="UTF-8"?><Response></Response>`

// ParseInbound verifies the signature and decodes an inbound-message webhook. The body is read
// once and put back, so the caller may read it again (to store the raw request, say).
func (c *Carrier) ParseInbound(r *http.Request) (carrier.Inbound, error) {
	p, err := c.verified(r)
	if err != nil {
		return carrier.Inbound{}, err
	}
	in := carrier.Inbound{
		ProviderID: first(p, "MessageSid", "SmsMessageSid", "SmsSid"),
		From:       p.Get("From"),
		To:         p.Get("To"),
		Body:       p.Get("Body"),
		MediaURLs:  media(p),
	}
	if in.ProviderID == "" || in.From == "" || in.To == "" {
		return carrier.Inbound{}, errors.New("twilio: inbound webhook lacks MessageSid, From or To")
	}
	return in, nil
}

// media collects MediaUrl0, MediaUrl1 … in order. It walks the numbered fields rather than
// trusting NumMedia, so a missing or malformed count loses nothing.
func media(p url.Values) []string {
	var urls []string
	for i := range maxMedia {
		u := p.Get("MediaUrl" + strconv.Itoa(i))
		if u == "" {
			break
		}
		urls = append(urls, u)
	}
	return urls
}

// ParseStatus verifies the signature and decodes a status callback; MessageID is the last
// segment of the callback URL's path. The body is read once and put back.
func (c *Carrier) ParseStatus(r *http.Request) (carrier.StatusUpdate, error) {
	p, err := c.verified(r)
	if err != nil {
		return carrier.StatusUpdate{}, err
	}
	u := carrier.StatusUpdate{
		ProviderID:   first(p, "MessageSid", "SmsSid"),
		MessageID:    carrier.StatusMessageID(r.URL.EscapedPath()),
		Status:       carrier.Status(first(p, "MessageStatus", "SmsStatus")),
		ErrorCode:    p.Get("ErrorCode"),
		ErrorMessage: p.Get("ErrorMessage"),
	}
	if u.ErrorCode == "0" {
		u.ErrorCode = "" // some callbacks spell "no error" as 0
	}
	if u.ProviderID == "" || u.Status == "" {
		return carrier.StatusUpdate{}, errors.New("twilio: status callback lacks MessageSid or MessageStatus")
	}
	return u, nil
}

// AckInbound answers 200 with empty TwiML: Twilio requires XML (anything else is its error
// 12300), and Teli replies later through the REST API, never inline.
func (*Carrier) AckInbound(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, emptyTwiML) // a write error means Twilio hung up; it will retry
}

// verified returns the request's parameters once X-Twilio-Signature proves Twilio sent them.
// POST parameters come from the form body and are part of the signature; a GET webhook's
// parameters are in the query string, which the signed URL already covers.
func (c *Carrier) verified(r *http.Request) (url.Values, error) {
	sig := r.Header.Get("X-Twilio-Signature")
	if sig == "" {
		return nil, fmt.Errorf("twilio: no X-Twilio-Signature header: %w", carrier.ErrBadSignature)
	}
	var signed, params url.Values
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		params = r.URL.Query()
	case http.MethodPost:
		form, err := readForm(r)
		if err != nil {
			return nil, err
		}
		signed, params = form, form
	default:
		return nil, fmt.Errorf("twilio: webhook method %s not supported", r.Method)
	}
	if !validSignature(c.authToken, c.calledURL(r), signed, sig) {
		return nil, fmt.Errorf("twilio: X-Twilio-Signature does not match: %w", carrier.ErrBadSignature)
	}
	return params, nil
}

// readForm reads a form-encoded body once, within maxWebhookBody, and puts it back on r.
func readForm(r *http.Request) (url.Values, error) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/x-www-form-urlencoded" {
		return nil, fmt.Errorf("twilio: webhook Content-Type %q is not a form", r.Header.Get("Content-Type"))
	}
	if r.Body == nil {
		return url.Values{}, nil
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxWebhookBody+1))
	if err != nil {
		return nil, fmt.Errorf("twilio: read webhook body: %w", err)
	}
	if len(body) > maxWebhookBody {
		return nil, fmt.Errorf("twilio: webhook body larger than %d bytes", maxWebhookBody)
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, fmt.Errorf("twilio: malformed webhook form: %w", err)
	}
	return form, nil
}

// calledURL rebuilds the URL Twilio requested: PublicURL (which may carry a path prefix a proxy
// strips) plus the request target exactly as it arrived, escapes and query included.
func (c *Carrier) calledURL(r *http.Request) string {
	target := r.RequestURI
	if target == "" || target[0] != '/' {
		target = r.URL.RequestURI() // a client-side request, or an absolute-form target
	}
	return c.publicURL + target
}

// first returns the first non-empty value among keys; Twilio sends legacy duplicates
// (SmsSid, SmsStatus) beside the current names.
func first(p url.Values, keys ...string) string {
	for _, k := range keys {
		if v := p.Get(k); v != "" {
			return v
		}
	}
	return ""
}
