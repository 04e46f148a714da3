package twilio

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/openteli/teli/internal/carrier"
)

// maxResponse caps how much of a response is read; a page of 100 messages is far below it.
const maxResponse = 4 << 20

// apiError is Twilio's error body (twilio-go's TwilioRestError).
type apiError struct {
	Code     int    `json:"code"`
	Message  string `json:"message"`
	MoreInfo string `json:"more_info"`
	Status   int    `json:"status"`
}

// Twilio error codes Teli acts on. Twilio asks callers not to branch on any others.
const (
	codeUnsubscribed = 21610
	codeInvalidTo    = 21211
	codeTooManyInAPI = 20429
)

// call makes one REST request and decodes a 2xx JSON answer into out. Failures are
// *carrier.SendError; the HTTP status is returned too (0 when no response arrived). A POST
// that fails after it may have reached Twilio is marked Uncertain, because Twilio may have
// created the message.
func (c *Carrier) call(ctx context.Context, method, rawURL string, form url.Values, out any) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, rawURL, body)
	if err != nil {
		return 0, &carrier.SendError{Code: "request", Message: err.Error()}
	}
	req.SetBasicAuth(c.accountSID, c.authToken)
	req.Header.Set("Accept", "application/json")
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	post := method == http.MethodPost
	resp, err := c.client.Do(req)
	if err != nil {
		return 0, &carrier.SendError{Code: "transport", Message: transportText(err), Retryable: true, Uncertain: post}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return resp.StatusCode, &carrier.SendError{Code: "transport", Message: err.Error(), Retryable: true, Uncertain: post}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, c.classify(resp, raw, post)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		// Twilio answered 2xx, so a POST did create something: find it before resending.
		return resp.StatusCode, &carrier.SendError{Code: "bad_response", Message: "undecodable Twilio response: " + err.Error(), Retryable: true, Uncertain: post}
	}
	return resp.StatusCode, nil
}

// transportText describes a failed request without its URL, whose query can hold phone
// numbers that must not reach logs.
func transportText(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Op + " Twilio API: " + ue.Err.Error()
	}
	return err.Error()
}

// classify turns a non-2xx answer into a SendError. Only the codes Twilio documents as
// actionable get special treatment; everything else is permanent unless it is a 5xx.
func (c *Carrier) classify(resp *http.Response, raw []byte, post bool) *carrier.SendError {
	var ae apiError
	// A non-JSON body (a proxy's error page) still classifies by HTTP status.
	_ = json.Unmarshal(raw, &ae)
	se := &carrier.SendError{Code: "http_" + strconv.Itoa(resp.StatusCode), Message: ae.Message}
	if ae.Code != 0 {
		se.Code = strconv.Itoa(ae.Code)
	}
	if se.Message == "" {
		se.Message = http.StatusText(resp.StatusCode)
	}
	switch {
	case ae.Code == codeUnsubscribed:
		se.OptedOut = true
	case ae.Code == codeInvalidTo:
		se.InvalidNumber = true
	case resp.StatusCode == http.StatusTooManyRequests || ae.Code == codeTooManyInAPI:
		// Twilio documents 20429 as "not processed": retry without reconciling.
		se.Retryable = true
		se.RetryAfter = c.retryAfter(resp.Header.Get("Retry-After"))
	case resp.StatusCode >= 500:
		se.Retryable = true
		se.Uncertain = post
		se.RetryAfter = c.retryAfter(resp.Header.Get("Retry-After"))
	}
	return se
}

// retryAfter reads a Retry-After header: delay seconds or an HTTP date. Zero when absent or
// unreadable, leaving the delay to the caller's backoff.
func (c *Carrier) retryAfter(h string) time.Duration {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0
	}
	if secs, err := strconv.Atoi(h); err == nil {
		return time.Duration(max(secs, 0)) * time.Second
	}
	if at, err := http.ParseTime(h); err == nil {
		return max(at.Sub(c.clock.Now()), 0)
	}
	return 0
}

// notFound marks a 404 answer as carrier.ErrNotFound, keeping Twilio's error for the log.
func notFound(status int, err error, what string) error {
	if status == http.StatusNotFound {
		return fmt.Errorf("twilio: %s: %w: %w", what, carrier.ErrNotFound, err)
	}
	return err
}
