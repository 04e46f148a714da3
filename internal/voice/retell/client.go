// Package retell is the voice platform adapter to Retell AI, the platform behind the hosted
// "Teli Voice": it keeps Teli's voice agents as Retell LLMs and agents, buys and binds phone
// numbers, places calls, and verifies and decodes Retell's webhooks.
//
// It speaks Retell's public REST API (https://api.retellai.com): JSON bodies, an
// "Authorization: Bearer <API key>" header, and {"status": "error", "message": …} error bodies.
package retell

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"strings"
	"time"

	"github.com/openteli/teli/internal/voice"
)

// DefaultBaseURL is Retell's API.
const DefaultBaseURL = "https://api.retellai.com"

// DefaultTimeout bounds a request when Config.Timeout is zero.
const DefaultTimeout = 15 * time.Second

// maxBody caps what is read of one answer; call objects with long transcripts stay far below.
const maxBody = 16 << 20

// Config configures a Client.
type Config struct {
	// APIKey authenticates every request. Required.
	APIKey string
	// BaseURL is the API's address; DefaultBaseURL when empty.
	BaseURL string
	// HTTPClient sends the requests; a fresh client when nil. Its own Timeout, if any, applies
	// on top of Timeout.
	HTTPClient *http.Client
	// Timeout bounds each request; DefaultTimeout when zero.
	Timeout time.Duration
	// WebhookKey is the key webhooks are signed with. Retell signs with an API key of the
	// account (the one with the "webhook" badge), so it defaults to APIKey.
	WebhookKey string
	// WebhookURL, when set, becomes every agent's webhook_url, so that the agent's call events
	// reach Teli whatever the account-level webhook is.
	WebhookURL string
	// InboundWebhookURL, when set, becomes the inbound_webhook_url of every number provisioned
	// or bound, so that Teli decides who answers each inbound call.
	InboundWebhookURL string
	// Now is the clock webhook timestamps are checked against; time.Now when nil.
	Now func() time.Time
}

// Client is the Retell voice platform. It implements voice.Telephony and voice.Webhooks.
type Client struct {
	base              string
	apiKey            string
	webhookKey        []byte
	http              *http.Client
	timeout           time.Duration
	webhookURL        string
	inboundWebhookURL string
	now               func() time.Time
}

var (
	_ voice.Telephony = (*Client)(nil)
	_ voice.Webhooks  = (*Client)(nil)
)

// New returns a client for the configured account; the API key is required.
func New(c Config) (*Client, error) {
	if strings.TrimSpace(c.APIKey) == "" {
		return nil, errors.New("retell: an API key is required")
	}
	cl := &Client{
		base:              strings.TrimRight(c.BaseURL, "/"),
		apiKey:            c.APIKey,
		webhookKey:        []byte(c.WebhookKey),
		http:              c.HTTPClient,
		timeout:           c.Timeout,
		webhookURL:        c.WebhookURL,
		inboundWebhookURL: c.InboundWebhookURL,
		now:               c.Now,
	}
	if cl.base == "" {
		cl.base = DefaultBaseURL
	}
	if len(cl.webhookKey) == 0 {
		cl.webhookKey = []byte(c.APIKey)
	}
	if cl.http == nil {
		cl.http = &http.Client{}
	}
	if cl.timeout <= 0 {
		cl.timeout = DefaultTimeout
	}
	if cl.now == nil {
		cl.now = time.Now
	}
	return cl, nil
}

// Name names the platform in stored calls.
func (c *Client) Name() string { return "retell" }

// APIError is an error answer from Retell: its HTTP status and the message of its error body.
type APIError struct {
	Method     string
	Path       string
	StatusCode int
	Message    string
}

// Error names the request, the status and Retell's message.
func (e *APIError) Error() string {
	msg := e.Message
	if msg == "" {
		msg = http.StatusText(e.StatusCode)
	}
	return fmt.Sprintf("retell: %s %s: %d %s", e.Method, e.Path, e.StatusCode, msg)
}

// notFound reports whether err is Retell's 404: the resource does not exist (any more).
func notFound(err error) bool {
	var api *APIError
	return errors.As(err, &api) && api.StatusCode == http.StatusNotFound
}

// transportError is a request that got no HTTP answer. Sent records whether the request may
// have reached Retell, which decides whether a call placed with it may exist.
type transportError struct {
	method, path string
	sent         bool
	err          error
}

func (e *transportError) Error() string {
	return fmt.Sprintf("retell: %s %s: %v", e.method, e.path, e.err)
}

func (e *transportError) Unwrap() error { return e.err }

// decodeError is a success answer whose body could not be read: Retell did what was asked, but
// what it answered is lost.
type decodeError struct {
	method, path string
	err          error
}

func (e *decodeError) Error() string {
	return fmt.Sprintf("retell: %s %s: reading the answer: %v", e.method, e.path, e.err)
}

func (e *decodeError) Unwrap() error { return e.err }

// do sends one request, bounded by the configured timeout, and decodes a 2xx answer into out
// (when out is not nil). Errors are *APIError, *transportError or *decodeError.
func (c *Client) do(ctx context.Context, method, path string, in, out any) error {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()

	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("retell: %s %s: encoding the request: %w", method, path, err)
		}
		body = bytes.NewReader(b)
	}
	// A connection that was handed out means the request may have been written: from then on
	// a lost answer is not proof that Retell did nothing.
	var sent bool
	trace := &httptrace.ClientTrace{GotConn: func(httptrace.GotConnInfo) { sent = true }}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), method, c.base+path, body)
	if err != nil {
		return fmt.Errorf("retell: %s %s: %w", method, path, err)
	}
	req.Header.Set("Authorization", "Bearer "+c.apiKey)
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return &transportError{method: method, path: path, sent: sent, err: err}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		if resp.StatusCode < 300 {
			return &decodeError{method: method, path: path, err: err}
		}
		return &transportError{method: method, path: path, sent: true, err: err}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		apiErr := &APIError{Method: method, Path: path, StatusCode: resp.StatusCode}
		var eb struct {
			Message string `json:"message"`
		}
		if json.Unmarshal(raw, &eb) == nil && eb.Message != "" {
			apiErr.Message = eb.Message
		} else if s := strings.TrimSpace(string(raw)); s != "" && len(s) <= 300 {
			apiErr.Message = s
		}
		return apiErr
	}
	if out == nil || len(bytes.TrimSpace(raw)) == 0 {
		if out != nil {
			return &decodeError{method: method, path: path, err: errors.New("empty body")}
		}
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return &decodeError{method: method, path: path, err: err}
	}
	return nil
}
