// Package transport is the HTTP plumbing the llm adapters share: one call with a per-attempt
// timeout, classification of failures into *llm.Error, retries with Retry-After or exponential
// backoff, and a reader of server-sent events. It knows nothing of any provider's wire format:
// adapters supply the request, the error-body parser and the response decoder.
package transport

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/openteli/teli/internal/llm"
)

// maxErrorBody bounds how much of an error response is read.
const maxErrorBody = 1 << 20

// Call describes one provider call for Do.
type Call struct {
	// Provider names the adapter in errors ("openai").
	Provider string
	// Client sends the requests; http.DefaultClient when nil.
	Client *http.Client
	// Policy says how failures are retried (defaults applied by Do).
	Policy llm.RetryPolicy
	// Timeout bounds each attempt, reading the body included; none when 0.
	Timeout time.Duration
	// NewRequest builds the request of one attempt; it is called again for each retry.
	NewRequest func(ctx context.Context) (*http.Request, error)
	// ParseError completes e from an error response body: Message, Type, Code, and Retryable
	// when the body overrides the status rule (quota exhaustion). StatusCode, RetryAfter and
	// the status-based Retryable are already set.
	ParseError func(e *llm.Error, body []byte)
	// Decode reads a 2xx response (JSON or an event stream). An *llm.Error it returns is
	// treated like an error response (an error event inside a stream); an error wrapping
	// llm.ErrInvalidOutput is returned with the Response; any other error means a malformed
	// response, unless reading the body failed, which counts as a connection error.
	Decode func(header http.Header, body io.Reader) (llm.Response, error)
	// Now is the clock for Retry-After dates; time.Now when nil.
	Now func() time.Time
}

// Do runs the call, retrying retryable failures as the policy allows. It returns the decoded
// Response, or an *llm.Error, or an error wrapping ctx's error when the caller gave up, or (with
// a Response) an error wrapping llm.ErrInvalidOutput.
func Do(ctx context.Context, c Call) (llm.Response, error) {
	p := c.Policy.WithDefaults()
	for attempt := 1; ; attempt++ {
		resp, hinted, err := c.attempt(ctx)
		var e *llm.Error
		if err == nil || !errors.As(err, &e) {
			return resp, err
		}
		e.Attempts = attempt
		if !e.Retryable || attempt > *p.MaxRetries {
			return resp, e
		}
		delay := Backoff(attempt, p)
		if hinted {
			if e.RetryAfter > p.MaxRetryAfter {
				return resp, e
			}
			delay = e.RetryAfter
		}
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < delay {
			return resp, e
		}
		if !sleep(ctx, delay) {
			return resp, e
		}
	}
}

// attempt makes one request. hinted reports whether the server sent a Retry-After.
func (c *Call) attempt(ctx context.Context) (resp llm.Response, hinted bool, err error) {
	actx := ctx
	if c.Timeout > 0 {
		var cancel context.CancelFunc
		actx, cancel = context.WithTimeout(ctx, c.Timeout)
		defer cancel()
	}
	req, err := c.NewRequest(actx)
	if err != nil {
		return llm.Response{}, false, err
	}
	client := c.Client
	if client == nil {
		client = http.DefaultClient
	}
	res, err := client.Do(req)
	if err != nil {
		return llm.Response{}, false, c.transportError(ctx, actx, err)
	}
	defer res.Body.Close()
	if res.StatusCode < 200 || res.StatusCode > 299 {
		e, hinted := c.errorResponse(res)
		return llm.Response{}, hinted, e
	}
	body := &trackingReader{r: res.Body}
	resp, err = c.Decode(res.Header, body)
	switch {
	case err == nil:
		return resp, false, nil
	case body.err != nil:
		return llm.Response{}, false, c.transportError(ctx, actx, body.err)
	case errors.Is(err, llm.ErrInvalidOutput):
		return resp, false, err
	}
	var e *llm.Error
	if errors.As(err, &e) {
		if e.Provider == "" {
			e.Provider = c.Provider
		}
		return llm.Response{}, false, e
	}
	return llm.Response{}, false, &llm.Error{Provider: c.Provider, StatusCode: res.StatusCode,
		Message: "malformed response: " + err.Error(), Err: err}
}

// errorResponse turns a non-2xx response into an *llm.Error.
func (c *Call) errorResponse(res *http.Response) (*llm.Error, bool) {
	body, _ := io.ReadAll(io.LimitReader(res.Body, maxErrorBody))
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	ra, hinted := RetryAfter(res.Header, now())
	e := &llm.Error{Provider: c.Provider, StatusCode: res.StatusCode, RetryAfter: ra,
		Retryable: llm.RetryableStatus(res.StatusCode)}
	switch strings.ToLower(res.Header.Get("X-Should-Retry")) {
	case "true":
		e.Retryable = true
	case "false":
		e.Retryable = false
	}
	if c.ParseError != nil {
		c.ParseError(e, body)
	}
	if e.Message == "" {
		e.Message = snippet(body)
	}
	if e.Message == "" {
		e.Message = http.StatusText(res.StatusCode)
	}
	return e, hinted
}

// transportError classifies a failure to get or read a response: the caller's context ending
// is returned as such; a per-attempt timeout and a connection error are retryable.
func (c *Call) transportError(ctx, actx context.Context, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("llm: %s: %w", c.Provider, context.Cause(ctx))
	}
	if actx.Err() != nil {
		return &llm.Error{Provider: c.Provider, Retryable: true, Err: context.DeadlineExceeded,
			Message: fmt.Sprintf("no complete answer within %s", c.Timeout)}
	}
	return &llm.Error{Provider: c.Provider, Retryable: true, Err: err,
		Message: "connection error: " + err.Error()}
}

// RetryAfter reads the delay a server asked for: Retry-After-Ms (milliseconds, OpenAI) first,
// then Retry-After in seconds or as an HTTP date. ok is false when neither header is usable.
func RetryAfter(h http.Header, now time.Time) (d time.Duration, ok bool) {
	if v := strings.TrimSpace(h.Get("Retry-After-Ms")); v != "" {
		if ms, err := strconv.ParseFloat(v, 64); err == nil && ms >= 0 {
			return time.Duration(ms * float64(time.Millisecond)), true
		}
	}
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil && s >= 0 {
		return time.Duration(s * float64(time.Second)), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// Backoff is the delay before retry number attempt (1-based) when the server gave no
// Retry-After: BaseDelay·2^(attempt-1), capped at MaxDelay, minus up to 25% jitter.
func Backoff(attempt int, p llm.RetryPolicy) time.Duration {
	p = p.WithDefaults()
	d := p.MaxDelay
	if attempt-1 < 32 {
		d = min(p.BaseDelay<<(attempt-1), p.MaxDelay)
	}
	if d <= 0 {
		d = p.MaxDelay
	}
	return time.Duration(float64(d) * (1 - 0.25*rand.Float64()))
}

// sleep waits d or until ctx ends; it reports whether the full delay passed.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// snippet is the start of a body that is not in the provider's error format (an HTML page from
// a proxy, a plain-text message), for Error.Message.
func snippet(body []byte) string {
	r := []rune(strings.Join(strings.Fields(string(body)), " "))
	if len(r) > 200 {
		return string(r[:200]) + "…"
	}
	return string(r)
}

// trackingReader remembers the first read error other than io.EOF, so a body cut off by the
// network is told apart from a body that arrived whole but does not decode.
type trackingReader struct {
	r   io.Reader
	err error
}

func (t *trackingReader) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if err != nil && err != io.EOF && t.err == nil {
		t.err = err
	}
	return n, err
}
